"""Which packages a piece of code needs: pip distributions for Python, npm packages for JS/HTML.

Pure `ast` + `re`; nothing here imports or installs anything. Conventions:

* Python names are **distribution** names in PEP 503 canonical form (lower case, runs of `-_.` become
  `-`): `import cv2` -> `opencv-python`, `pip install Flask_Cors==4.0` -> `flask-cors`. pip accepts the
  canonical form for every project, so one spelling per project makes the lists deduplicate.
* Versions, extras and environment markers are **stripped** everywhere (`numpy>=1.24` -> `numpy`,
  `gradio[oauth]` -> `gradio`): the lists say *what* an answer needs; pinning is the sandbox's job.
* npm names keep their case and scope (`@mui/material`); versions (`react@18`) and deep paths
  (`lodash/debounce`) are cut.
* Every list is deduplicated and sorted.
"""

from __future__ import annotations

import ast
import io
import re
import shlex
import sys
import tokenize

# Import name -> PyPI distribution, for the modules whose distribution has another name. Names that
# only differ in case or `_`/`-` (sentence_transformers, PyQt5, gTTS) need no entry: canonicalisation
# handles them. Dotted keys cover namespace packages (`google.*`, `azure.*`), where the top-level
# name says nothing; the longest matching prefix wins. Values are canonical (see `canonical_name`).
IMPORT_TO_DISTRIBUTION: dict[str, str] = {
    # imaging, vision, media
    "PIL": "pillow",
    "cv2": "opencv-python",
    "skimage": "scikit-image",
    "fitz": "pymupdf",
    "cairo": "pycairo",
    "OpenGL": "pyopengl",
    "Box2D": "box2d-py",
    "vlc": "python-vlc",
    "rtmidi": "python-rtmidi",
    "speech_recognition": "speechrecognition",
    "barcode": "python-barcode",
    # science, data, ML
    "sklearn": "scikit-learn",
    "imblearn": "imbalanced-learn",
    "umap": "umap-learn",
    "community": "python-louvain",
    "faiss": "faiss-cpu",
    "llama_cpp": "llama-cpp-python",
    "talib": "ta-lib",
    "Bio": "biopython",
    "osgeo": "gdal",
    "mpl_toolkits": "matplotlib",
    "pyximport": "cython",
    # file formats and parsing
    "yaml": "pyyaml",
    "ruamel.yaml": "ruamel-yaml",
    "bs4": "beautifulsoup4",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "fpdf": "fpdf2",
    "pdfminer": "pdfminer-six",
    "readability": "readability-lxml",
    "newspaper": "newspaper3k",
    "magic": "python-magic",
    "dateutil": "python-dateutil",
    "dotenv": "python-dotenv",
    "slugify": "python-slugify",
    "multipart": "python-multipart",
    "st_aggrid": "streamlit-aggrid",
    # crypto, auth, network
    "Crypto": "pycryptodome",
    "Cryptodome": "pycryptodomex",
    "OpenSSL": "pyopenssl",
    "jwt": "pyjwt",
    "jose": "python-jose",
    "nacl": "pynacl",
    "dns": "dnspython",
    "zmq": "pyzmq",
    "grpc": "grpcio",
    "websocket": "websocket-client",
    "socketio": "python-socketio",
    "engineio": "python-engineio",
    "kafka": "kafka-python",
    "ldap": "python-ldap",
    "nmap": "python-nmap",
    "whois": "python-whois",
    "serial": "pyserial",
    "usb": "pyusb",
    # databases
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "mysql": "mysql-connector-python",
    "bson": "pymongo",
    # services and APIs
    "telegram": "python-telegram-bot",
    "discord": "discord-py",
    "binance": "python-binance",
    "git": "gitpython",
    "github": "pygithub",
    "googleapiclient": "google-api-python-client",
    "google.protobuf": "protobuf",
    "google.generativeai": "google-generativeai",
    "google.genai": "google-genai",
    "google.auth": "google-auth",
    "google.oauth2": "google-auth",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud.bigquery": "google-cloud-bigquery",
    "azure.storage.blob": "azure-storage-blob",
    "azure.identity": "azure-identity",
    "rest_framework": "djangorestframework",
    "attr": "attrs",
    "pkg_resources": "setuptools",
    "pydispatch": "pydispatcher",
    # GUI toolkits (they will not display in a sandbox, but the import must still resolve)
    "wx": "wxpython",
    "gi": "pygobject",
    "Xlib": "python-xlib",
    "win32api": "pywin32",
    "win32con": "pywin32",
    "win32gui": "pywin32",
    "win32com": "pywin32",
    "pythoncom": "pywin32",
    "pywintypes": "pywin32",
}

# Top-level names that are only namespaces: without a dotted entry above they name no distribution
# (`import google.colab` is not installable), so they are dropped rather than guessed.
NAMESPACE_ROOTS = frozenset({"google", "azure"})

# Modules provided by the platform, not PyPI (Pyodide/pygbag's browser runtime).
PLATFORM_MODULES = frozenset({"js", "pyodide", "micropip", "__main__"})

# Import name -> every distribution that provides it. If a pip command in the answer names one of
# them, the default mapping is not added as well: `pip install pygame-ce` plus `import pygame` must not
# install `pygame` too (the upstream PyGame image installed both; they overwrite each other).
ALTERNATIVE_DISTRIBUTIONS: dict[str, frozenset[str]] = {
    "pygame": frozenset({"pygame", "pygame-ce"}),
    "cv2": frozenset({"opencv-python", "opencv-python-headless", "opencv-contrib-python",
                      "opencv-contrib-python-headless"}),
    "psycopg2": frozenset({"psycopg2", "psycopg2-binary"}),
    "fpdf": frozenset({"fpdf", "fpdf2"}),
    "Crypto": frozenset({"pycryptodome", "pycrypto"}),
    "tensorflow": frozenset({"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly"}),
    "faiss": frozenset({"faiss-cpu", "faiss-gpu"}),
    "magic": frozenset({"python-magic", "python-magic-bin"}),
    "discord": frozenset({"discord-py", "py-cord"}),
    "PIL": frozenset({"pillow", "pillow-simd"}),
}

# Names models write after `pip install` that are import names, not (working) distributions: `cv2`
# and `PIL` do not exist on PyPI, `sklearn` is a stub that fails on purpose, `docx`/`dotenv` are old
# unrelated projects. These are rewritten; other pip names are trusted as written.
PIP_NAME_FIXES: dict[str, str] = {
    "sklearn": "scikit-learn",
    "cv2": "opencv-python",
    "pil": "pillow",
    "yaml": "pyyaml",
    "skimage": "scikit-image",
    "bs4": "beautifulsoup4",
    "docx": "python-docx",
    "dotenv": "python-dotenv",
}

# `require('module').builtinModules` of Node 18-22 (subpaths like fs/promises are cut to `fs`).
NODE_BUILTINS = frozenset("""
assert async_hooks buffer child_process cluster console constants crypto dgram diagnostics_channel dns
domain events fs http http2 https inspector module net os path perf_hooks process punycode querystring
readline repl stream string_decoder sys timers tls trace_events tty url util v8 vm wasi worker_threads
zlib""".split())


def canonical_name(name: str) -> str:
    """PEP 503 normalised distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# ---------------------------------------------------------------------------------------------------
# Python imports


_IMPORT_LINE = re.compile(r"^[ \t]*import[ \t]+([\w. \t,]+?)[ \t]*(?:#.*)?$", re.M)
_FROM_LINE = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import\b", re.M)
# IPython magics and shell escapes (`!pip install x`, `%matplotlib inline`) are not Python syntax.
_MAGIC_LINE = re.compile(r"^[ \t]*[!%].*$", re.M)


def _imported_modules(code: str) -> list[str]:
    """Full dotted names of absolute imports, in source order (duplicates kept)."""
    source = _MAGIC_LINE.sub("", code)
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _imported_modules_regex(source)
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _imported_modules_regex(code: str) -> list[str]:
    """Fallback for code that does not parse: line-based, so it can only be less complete."""
    names: list[str] = []
    for match in _IMPORT_LINE.finditer(code):
        for part in match.group(1).split(","):
            module = part.split(" as ")[0].strip()
            if re.fullmatch(r"[A-Za-z_][\w.]*", module):
                names.append(module)
    for match in _FROM_LINE.finditer(code):
        module = match.group(1)
        if module and not module.startswith("."):
            names.append(module)
    return names


def python_imports(code: str) -> list[str]:
    """Top-level third-party modules the code imports: stdlib and relative imports removed, sorted."""
    tops = {name.split(".")[0] for name in _imported_modules(code)}
    return sorted(t for t in tops if t and t not in sys.stdlib_module_names and t != "__future__")


def distribution_for_module(module: str) -> str | None:
    """Distribution that provides a dotted module name (None for stdlib, platform or bare namespaces)."""
    parts = module.split(".")
    if parts[0] in sys.stdlib_module_names or parts[0] in PLATFORM_MODULES:
        return None
    for n in range(len(parts), 0, -1):
        hit = IMPORT_TO_DISTRIBUTION.get(".".join(parts[:n]))
        if hit:
            return hit
    if parts[0] in NAMESPACE_ROOTS:
        return None
    return canonical_name(parts[0])


def python_distributions(code: str, *, also_installed: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Distributions a Python program needs: its imports mapped through `IMPORT_TO_DISTRIBUTION`,
    plus the packages of pip commands written in its comments, docstring or `!pip` lines.

    `also_installed` adds pip names found elsewhere in the answer (e.g. a bash block); they take part
    in the `ALTERNATIVE_DISTRIBUTIONS` rule (an explicit `pygame-ce` suppresses the default `pygame`).
    """
    explicit = {_fix_pip_name(n) for n in [*pip_install_lines(_python_install_text(code)), *also_installed]}
    wanted = set(explicit)
    for module in _imported_modules(code):
        dist = distribution_for_module(module)
        if dist is None:
            continue
        top = module.split(".")[0]
        if explicit & ALTERNATIVE_DISTRIBUTIONS.get(top, frozenset({dist})):
            continue
        wanted.add(dist)
    return sorted(wanted)


def _fix_pip_name(name: str) -> str:
    name = canonical_name(name)
    return PIP_NAME_FIXES.get(name, name)


def _python_install_text(code: str) -> str:
    """The parts of a Python file where install commands live: comments, magic lines, the docstring."""
    parts = [m.group(0) for m in _MAGIC_LINE.finditer(code)]
    source = _MAGIC_LINE.sub("", code)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                parts.append(tok.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        parts.extend(m.group(0) for m in re.finditer(r"#.*$", source, re.M))
    try:
        doc = ast.get_docstring(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        doc = None
    if doc:
        parts.append(doc)
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------------------
# install commands

_PIP_COMMAND = re.compile(
    r"(?:(?<![\w.-])(?:python(?:\d(?:\.\d+)?)?|py)\s+-m\s+|(?<![\w.-])uv\s+|(?<![\w.-]))"
    r"pip(?:\d(?:\.\d+)?)?\s+install\b(?P<args>[^\n]*)"
)
_NPM_COMMAND = re.compile(
    r"(?<![\w.-])(?:npm\s+(?:install|i|add)|yarn\s+(?:global\s+)?add|pnpm\s+(?:add|install|i)"
    r"|bun\s+(?:add|install|i))(?![\w-])(?P<args>[^\n]*)"
)
# pip options that take a value in the next word (`-r requirements.txt`, `-i URL`).
_PIP_FLAGS_WITH_VALUE = frozenset(
    "-r --requirement -c --constraint -e --editable -i --index-url --extra-index-url -f --find-links "
    "-t --target --prefix --root --trusted-host --platform --python-version --implementation --abi "
    "--src --progress-bar -C --config-settings --global-option --upgrade-strategy --only-binary "
    "--no-binary --python --cache-dir --log --proxy --retries --timeout".split()
)
_NPM_FLAGS_WITH_VALUE = frozenset("--registry --prefix --tag --workspace -w --cache".split())
# Prose that follows a command in a comment ("# pip install pygame if you don't have it"): stop there.
_STOPWORDS = frozenset(
    "and or if then to for first before after with using via in on the it you this that run once is are "
    "be etc also package packages library libraries module modules command installed needed required "
    "not already from your a an as by into of e.g. i.e. optional".split()
)
_REQUIREMENT = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[[^\]]*\])?\s*"
    r"(?:(?:===|==|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+(?:\s*,\s*(?:===|==|>=|<=|~=|!=|<|>)\s*[\w.*+!-]+)*)?"
    r"\s*(?:;.*)?"
)
_NPM_NAME = re.compile(r"(?:@[a-z0-9~][\w.~-]*/)?[a-z0-9~][\w.~-]*", re.I)
_SHELL_SEPARATORS = ("&&", "||", "|", ";", "&", ")")


def _command_words(args: str) -> list[str]:
    """Shell words of one command's arguments, ending at the first separator, comment or redirect."""
    try:
        lexer = shlex.shlex(args, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        words = list(lexer)
    except ValueError:  # unbalanced quote, typically an apostrophe in a trailing comment
        words = args.split("#")[0].split()
    out: list[str] = []
    for word in words:
        if word.startswith(_SHELL_SEPARATORS) or re.match(r"\d*[<>]", word) or word.startswith("`"):
            break
        cut = re.search(r"(&&|\|\||[;|`])", word)
        if cut:  # `pkg;` or `pkg&&next`
            head = word[: cut.start()]
            if head:
                out.append(head)
            break
        out.append(word)
    return out


def _logical_lines(text: str) -> str:
    return re.sub(r"\\\r?\n", " ", text)


def pip_install_lines(text: str) -> list[str]:
    """Packages named by `pip install` commands anywhere in `text` (`pip3`, `python -m pip`, `uv pip`,
    `!pip`, `%pip`, `# pip`). Flags and their values are dropped, as are paths, URLs and `-r` files;
    versions/extras are stripped and names canonicalised. Parsing of one command stops at the first
    word that is prose rather than a requirement ("if", "and", "(optional)")."""
    found: set[str] = set()
    for match in _PIP_COMMAND.finditer(_logical_lines(text)):
        words = _command_words(match.group("args"))
        skip = False
        for word in words:
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                skip = word in _PIP_FLAGS_WITH_VALUE
                continue
            word = word.rstrip(",.:")
            if word.lower() in _STOPWORDS or not word:
                break
            if "@" in word and not word.startswith("@"):  # PEP 508 direct reference: name @ url
                word = word.split("@")[0].strip()
            if "/" in word or "\\" in word or word.endswith((".whl", ".tar.gz", ".zip")) or word.isdigit():
                continue
            req = _REQUIREMENT.fullmatch(word)
            if not req:
                break
            found.add(canonical_name(req.group("name")))
    return sorted(found)


def _npm_spec_name(spec: str) -> str | None:
    """npm package of an install spec (`@scope/pkg@^2`, `react@18`); None for paths, URLs, git."""
    if spec.startswith(("@",)):
        parts = spec.split("@")
        name = "@" + parts[1] if len(parts) > 1 else spec
    else:
        name = spec.split("@")[0]
    if not name or ":" in spec or name.startswith((".", "/", "~")):
        return None
    return name if _NPM_NAME.fullmatch(name) else None


def npm_install_lines(text: str) -> list[str]:
    """Packages named by `npm install|i|add`, `yarn add`, `pnpm add|install|i`, `bun add|install|i`
    (not `npm init`, `npm info`, `npm run`). Versions are cut, scopes kept, flags dropped."""
    found: set[str] = set()
    for match in _NPM_COMMAND.finditer(_logical_lines(text)):
        skip = False
        for word in _command_words(match.group("args")):
            if skip:
                skip = False
                continue
            if word.startswith("-"):
                skip = word in _NPM_FLAGS_WITH_VALUE
                continue
            word = word.rstrip(",.")
            if word.lower() in _STOPWORDS or not word:
                break
            name = _npm_spec_name(word)
            if name is None:
                if "/" in word or ":" in word:
                    continue  # a path, tarball or git URL
                break
            found.add(name)
    return sorted(found)


def requirement_names(text: str) -> list[str]:
    """Distribution names listed in a requirements.txt body (comments, options and URLs skipped)."""
    found: set[str] = set()
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith(("#", "-")) or "://" in line:
            continue
        req = _REQUIREMENT.fullmatch(line)
        if req:
            found.add(_fix_pip_name(req.group("name")))
    return sorted(found)


# ---------------------------------------------------------------------------------------------------
# JavaScript / TypeScript

_REGEX_AFTER = set("(,=:[!&|?{;+-*%~^")
_REGEX_AFTER_WORDS = frozenset(
    "return typeof case do else in of new delete void throw yield await instanceof".split()
)


def scrub_js(code: str, *, blank_strings: bool = False) -> str:
    """`code` with comments blanked (same length, newlines kept) and, if asked, the contents of
    strings, template literals and regex literals blanked too (delimiters and `${...}` code kept).

    A small hand lexer: enough to stop `"<div>"` strings, `// import x from 'y'` comments and
    regexes with quotes in them from fooling the pattern checks. Quoted strings end at a newline, so
    an apostrophe in JSX text (`<p>Don't</p>`) damages one line at most.
    """
    out: list[str] = []
    n = len(code)
    i = 0
    depth = 0
    interpolations: list[int] = []  # brace depth at each open `${`
    last = ""  # last significant character of code

    def emit_body(body: str) -> None:
        out.append(re.sub(r"[^\n]", " ", body) if blank_strings else body)

    def scan_template(start: int) -> int:
        """Template text from `start` up to and including the closing backtick or a `${`."""
        j = start
        while j < n:
            ch = code[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "`":
                emit_body(code[start:j])
                out.append("`")
                return j + 1
            if code.startswith("${", j):
                emit_body(code[start:j])
                out.append("${")
                interpolations.append(depth)
                return j + 2
            j += 1
        emit_body(code[start:n])
        return n

    while i < n:
        c = code[i]
        nxt = code[i + 1] if i + 1 < n else ""
        if c == "`":
            out.append("`")
            i = scan_template(i + 1)
            last = "`"
        elif c == "}" and interpolations and depth == interpolations[-1]:
            interpolations.pop()
            out.append("}")
            i = scan_template(i + 1)
            last = "`"
        elif c in "\"'":
            j = i + 1
            while j < n and code[j] != c and code[j] != "\n":
                j += 2 if code[j] == "\\" else 1
            j = min(j, n)
            out.append(c)
            emit_body(code[i + 1 : j])
            if j < n and code[j] == c:
                out.append(c)
                j += 1
            i = j
            last = c
        elif c == "/" and nxt == "/":
            j = code.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c == "/" and nxt == "*":
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", code[i:j]))
            i = j
        elif c == "/" and _regex_can_start(code, i, last):
            j, in_class = i + 1, False
            while j < n and code[j] != "\n":
                ch = code[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "[":
                    in_class = True
                elif ch == "]":
                    in_class = False
                elif ch == "/" and not in_class:
                    break
                j += 1
            if j < n and code[j] == "/":
                out.append("/")
                emit_body(code[i + 1 : j])
                out.append("/")
                i = j + 1
                last = "/"
            else:  # not a regex after all: a division at the end of a line
                out.append(c)
                i += 1
                last = c
        else:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            out.append(c)
            if not c.isspace():
                last = c
            i += 1
    return "".join(out)


def _regex_can_start(code: str, i: int, last: str) -> bool:
    if last == "" or last in _REGEX_AFTER:
        return True
    word = re.search(r"([A-Za-z_$][\w$]*)\s*$", code[max(0, i - 20) : i])
    return bool(word) and word.group(1) in _REGEX_AFTER_WORDS


_JS_SOURCES = (
    # import x from 'y' / import {a, b} from "y" / import 'y' / import type {T} from 'y'
    re.compile(r"\bimport\s+(?:type\s+)?(?:[\w$*{}\s,]+?\s*from\s*)?[\"']([^\"'\n]+)[\"']"),
    # export * from 'y' / export {a} from 'y'
    re.compile(r"\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*[\"']([^\"'\n]+)[\"']"),
    # require('y') / import('y')
    re.compile(r"\b(?:require|import)\s*\(\s*[\"'`]([^\"'`\n]+)[\"'`]\s*\)"),
)


def npm_package_of(specifier: str) -> str | None:
    """npm package of a module specifier: `@scope/name/deep` -> `@scope/name`, `lodash/fp` -> `lodash`;
    None for relative/absolute paths, aliases (`@/`, `~/`, `#x`, `$lib`), URLs, `node:` and Node
    builtins."""
    spec = specifier.strip().split("?")[0]
    if not spec or spec[0] in "./~#$" or spec.startswith("@/") or re.match(r"[a-z][\w+.-]*:", spec, re.I):
        return None
    parts = spec.split("/")
    if spec.startswith("@"):
        if len(parts) < 2 or not parts[1]:
            return None
        name = "/".join(parts[:2])
    else:
        name = parts[0]
    if name in NODE_BUILTINS or not _NPM_NAME.fullmatch(name):
        return None
    return name


def js_packages(code: str) -> list[str]:
    """npm packages a JS/TS module (or Vue SFC) imports via import, export-from, require() or
    dynamic import(). Statements are found with comments and string contents blanked (so text in
    strings or comments never counts), and the specifier is then read from the original code."""
    clean = scrub_js(code, blank_strings=True)  # same length as `code`
    found: set[str] = set()
    for pattern in _JS_SOURCES:
        for match in pattern.finditer(clean):
            name = npm_package_of(code[match.start(1) : match.end(1)])
            if name:
                found.add(name)
    return sorted(found)


# ---------------------------------------------------------------------------------------------------
# HTML: packages loaded from CDNs

_URL = re.compile(r"(?:https?:)?//([A-Za-z0-9.-]+)(/[^\s\"'<>()`]*)?")
# cdnjs / Google Hosted Libraries names that differ from the npm name.
_LIBRARY_TO_NPM = {
    "three.js": "three",
    "threejs": "three",
    "p5.js": "p5",
    "lodash.js": "lodash",
    "moment.js": "moment",
    "underscore.js": "underscore",
    "font-awesome": "@fortawesome/fontawesome-free",
    "babel-standalone": "@babel/standalone",
    "d3js": "d3",
    "jqueryui": "jquery-ui",
    "sortable": "sortablejs",
    "fabric.js": "fabric",
    "anime.js": "animejs",
    "materialize": "materialize-css",
    "webfont": "webfontloader",
}
# Hosts that serve exactly one library.
_SINGLE_LIBRARY_HOSTS = {
    "cdn.tailwindcss.com": "tailwindcss",
    "d3js.org": "d3",
    "cdn.plot.ly": "plotly.js",
}


def _package_from_path(path: str) -> str | None:
    """`/@scope/name@1.2/dist/x.js` or `/name@1/x.js` -> package name (version cut)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    if parts[0].startswith("@") and len(parts) > 1:
        name = parts[0] + "/" + parts[1].split("@")[0]
    else:
        name = parts[0].split("@")[0]
    return name if _NPM_NAME.fullmatch(name) else None


def cdn_package(url: str) -> str | None:
    """npm package a CDN URL serves (unpkg, jsDelivr /npm/, esm.sh, Skypack, esm.run, JSPM, cdnjs,
    Google Hosted Libraries, code.jquery.com, ...); None for any other URL."""
    match = _URL.match(url)
    if not match:
        return None
    host = match.group(1).lower().removeprefix("www.")
    path = match.group(2) or ""
    if host in _SINGLE_LIBRARY_HOSTS:
        return _SINGLE_LIBRARY_HOSTS[host]
    if host == "code.jquery.com":
        return "jquery-ui" if path.startswith("/ui/") else "jquery" if "jquery" in path else None
    if host in ("cdnjs.cloudflare.com", "ajax.googleapis.com"):
        lib = re.match(r"/ajax/libs/([^/]+)/", path)
        if not lib:
            return None
        name = lib.group(1)
        return _LIBRARY_TO_NPM.get(name.lower(), name.lower())
    if host == "cdn.jsdelivr.net":
        return _package_from_path(path[len("/npm"):]) if path.startswith("/npm/") else None
    if host in ("ga.jspm.io", "jspm.dev"):
        path = re.sub(r"^/npm:", "/", path)
    elif host == "esm.sh":
        path = re.sub(r"^/(?:v\d+|stable)(?=/)", "", path)
    elif host == "cdn.skypack.dev" and path.startswith("/-/"):
        return None  # Skypack's internal pinned paths
    elif host not in ("unpkg.com", "cdn.skypack.dev", "esm.run"):
        return None
    return _package_from_path(path)


def html_cdn_packages(html: str) -> list[str]:
    """npm packages an HTML page loads from CDNs: every CDN URL in the document counts (`<script src>`,
    `<link href>`, `import ... from "https://esm.sh/..."`, import maps)."""
    found = {cdn_package(m.group(0)) for m in _URL.finditer(html)}
    found.discard(None)
    return sorted(found)  # type: ignore[arg-type]

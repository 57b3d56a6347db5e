"""Find the code in an LLM answer and decide which environment runs it.

`extract(answer)` keeps upstream's contract (sandbox/code_analyzer.py: fenced blocks, the longest
code block is the program, environment display names from `codearena.environments`) and fixes its
misclassifications (reference/autocodearena.md section 12, items 10-15):

* Python's environment comes from imports only; a variable named `st` or `gr` changes nothing.
* Vue needs Vue evidence (an import of vue/nuxt, an SFC, `Vue.createApp`, an options-API component),
  not a call to `ref(`/`computed(`/`watch(`, which any script may define.
* An `html` fragment is HTML, never React.
* Data blocks (css, json, yaml, text, ...) and shell blocks never win over a runnable block.
* Dependencies are distribution names (`codearena.dependencies`).

Main block choice, in tiers (longest block within the first non-empty tier, first one on ties):
1. runnable: its language maps to one of the 14 environments;
2. other code (csharp, kotlin, sql, ...): `code` is set, `environment` None;
3. data blocks and untagged blocks whose language cannot be recognised;
4. shell blocks.

If several Python UI frameworks are imported the order is Gradio > Streamlit > PyGame: the web
frameworks own the page (a Streamlit app may use pygame surfaces, never the reverse), and Gradio comes
before Streamlit arbitrarily but always.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from codearena import dependencies as deps
from codearena.environments import BY_SLUG, Environment


@dataclass(frozen=True)
class Extraction:
    """What `extract` found. `language` is the normalised fence tag (`normalise_language`), corrected
    where the content decides: a page under a js/jsx/vue tag is `html`, an SFC is `vue`, C++ under a
    `c` tag is `cpp`, a `react` tag gives `javascript`/`typescript`, an untagged block gets the
    detected language (None if unrecognised)."""

    code: str | None  # main code block, inline "# pip install" / "!pip install" lines removed (Python)
    language: str | None
    environment: Environment | None  # None when nothing runnable was found
    dependencies: dict = field(default_factory=lambda: {"pip": [], "npm": []})
    n_blocks: int = 0  # fenced blocks found in the answer


@dataclass(frozen=True)
class Block:
    info: str  # the fence's info string as written ("python title=app.py")
    tag: str  # normalised tag key ("python", "jsx", "react", "" when untagged)
    body: str


# ---------------------------------------------------------------------------------------------------
# fences

_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*?)[ \t]*$")


def fenced_blocks(text: str) -> list[Block]:
    """Fenced code blocks of a Markdown answer, line based (CommonMark-like).

    A fence closes only on a line holding nothing but the same fence character, at least as many
    times as the opener, so backticks inside code (`s.split("```")`) are content. A fence line
    with an info string inside an open block (```` ```python ```` in a Markdown example) opens a nested
    block that the next bare fence closes, so answers that show fenced examples inside a block keep
    their outer block whole. A block still open at the end (answer cut off) runs to the end.
    """
    return _scan(text)[0]


def _scan(text: str) -> tuple[list[Block], str]:
    """The fenced blocks and the prose (every line outside them)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Block] = []
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opener = _OPEN.match(lines[i])
        if not opener or (opener.group("fence")[0] == "`" and "`" in opener.group("info")):
            prose.append(lines[i])
            i += 1
            continue
        char, size = opener.group("fence")[0], len(opener.group("fence"))
        indent = len(opener.group("indent").expandtabs(4))
        body, end, balanced = _read_block(lines, i + 1, char, size, indent, nesting=True)
        if not balanced:  # nesting went wrong: plain CommonMark rules instead
            body, end, _ = _read_block(lines, i + 1, char, size, indent, nesting=False)
        i = end + 1  # past the closing fence (or the end)
        info = opener.group("info")
        blocks.append(Block(info=info, tag=_tag_key(info), body=_tidy(body)))
    return blocks, "\n".join(prose)


def _read_block(
    lines: list[str], start: int, char: str, size: int, indent: int, *, nesting: bool
) -> tuple[list[str], int, bool]:
    """Body lines of a block opened just before `start`, the index of its closing fence (len(lines)
    if none) and whether nesting was consistent: every nested opener closed before the block's own
    closing fence. A block that used nesting but never found its own closer probably had its closer
    taken by an opener inside a string; the caller then re-reads it without nesting."""
    nested: list[int] = []  # fence lengths of open nested examples
    used_nesting = False
    body: list[str] = []
    i = start
    while i < len(lines):
        inner = _OPEN.match(lines[i])
        if inner and inner.group("fence")[0] == char and not (char == "`" and "`" in inner.group("info")):
            length = len(inner.group("fence"))
            if inner.group("info"):
                if nesting:
                    nested.append(length)
                    used_nesting = True
            elif nested and (length <= nested[-1] or length < size):
                nested.pop()
            elif length >= size:
                return body, i, not nested
        body.append(_remove_indent(lines[i], indent))
        i += 1
    return body, i, not used_nesting


def _remove_indent(line: str, indent: int) -> str:
    """Drop up to `indent` columns of leading blanks (the fence's own indentation in a list item)."""
    if not indent:
        return line
    lead = len(line) - len(line.lstrip(" \t"))
    prefix = line[:lead].expandtabs(4)
    return prefix[min(len(prefix), indent):] + line[lead:]


def _tidy(lines: list[str]) -> str:
    """Blank lines around the body dropped and common indentation removed; nothing else touched
    (textwrap.dedent would also empty whitespace-only lines)."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    margins = [line[: len(line) - len(line.lstrip(" \t"))] for line in lines if line.strip()]
    common = os.path.commonprefix(margins) if margins else ""
    return "\n".join(line[len(common):] if line.startswith(common) else line for line in lines).rstrip()


# ---------------------------------------------------------------------------------------------------
# tags and languages

# normalised tag -> language reported in `Extraction.language`
_LANGUAGE_OF_TAG: dict[str, str] = {}
for _lang, _aliases in {
    "python": "python py python3 python2 py3 ipython ipython3 pyw pygame gradio streamlit",
    "javascript": "javascript js jsx mjs cjs node nodejs es6 ecmascript ecma",
    "typescript": "typescript ts tsx mts cts",
    "html": "html htm xhtml html5",
    "svg": "svg",
    "vue": "vue",
    "mermaid": "mermaid mmd",
    "c": "c h",
    "cpp": "cpp c++ cc cxx hpp hxx h++ cplusplus",
    "java": "java",
    "go": "go golang",
    "rust": "rust rs",
    "csharp": "csharp cs c#",
    "kotlin": "kotlin kt kts",
    "ruby": "ruby rb",
    "bash": "bash sh shell zsh console shell-session terminal fish",
    "powershell": "powershell ps1 pwsh ps",
    "batch": "bat cmd batch",
    "css": "css scss sass less",
    "json": "json jsonc json5",
    "yaml": "yaml yml",
    "text": "text txt plaintext plain output log",
    "markdown": "markdown md",
    "toml": "toml",
    "ini": "ini cfg conf properties env dotenv",
    "xml": "xml",
    "diff": "diff patch",
    "csv": "csv tsv",
    "requirements": "requirements pip-requirements",
    "dockerfile": "dockerfile docker",
    "makefile": "makefile make",
}.items():
    for _alias in _aliases.split():
        _LANGUAGE_OF_TAG[_alias] = _lang

SHELL_LANGUAGES = frozenset({"bash", "powershell", "batch"})
DATA_LANGUAGES = frozenset(
    {"css", "json", "yaml", "text", "markdown", "toml", "ini", "xml", "diff", "csv", "requirements",
     "dockerfile", "makefile"}
)
_REACT_TAGS = frozenset({"jsx", "tsx", "react", "next", "nextjs"})
_JS_LANGUAGES = frozenset({"javascript", "typescript"})
_FILE_EXTENSION = re.compile(r"^[\w.-]+\.([A-Za-z0-9+#]+)$")


def _tag_key(info: str) -> str:
    """Normalised tag of an info string: first word, `language-` and `{...}` and `:file` removed,
    a file name replaced by its extension (`App.jsx` -> `jsx`), lower case."""
    word = info.strip().split()[0] if info.strip() else ""
    word = word.strip("{}.").removeprefix("language-")
    if ":" in word and word.split(":")[0]:
        word = word.split(":")[0]
    file = _FILE_EXTENSION.match(word)
    if file and word.lower() not in _LANGUAGE_OF_TAG:
        word = file.group(1)
    return word.lower()


def normalise_language(tag: str) -> str | None:
    """`py`/`python3` -> `python`, `js` -> `javascript`, ...; unknown tags are kept lower-cased;
    `react`/`next` (language depends on the content) and empty tags give None."""
    key = _tag_key(tag)
    if not key or key in ("react", "next", "nextjs"):
        return None
    return _LANGUAGE_OF_TAG.get(key, key)


# ---------------------------------------------------------------------------------------------------
# content checks


def _without_leading_comments(code: str) -> str:
    return re.sub(r"^(?:\s*<!--.*?-->|\s*<\?xml[^>]*\?>)*\s*", "", code, flags=re.S)


def is_html_document(code: str) -> bool:
    """A whole page: starts (after comments) with a doctype or <html>."""
    return bool(re.match(r"<!doctype\s+html|<html[\s>]", _without_leading_comments(code), re.I))


def is_svg_document(code: str) -> bool:
    return bool(re.match(r"<svg[\s>]", _without_leading_comments(code), re.I))


def is_vue_sfc(code: str) -> bool:
    """A Vue single-file component: `<script setup`, or a top-level <template> plus a <script>."""
    if re.search(r"<script\b[^>]*\bsetup\b", code):
        return True
    has_template = re.search(r"^\s*<template[\s>]", code, re.M)
    return bool(has_template and re.search(r"^\s*<script[\s>]", code, re.M))


_MERMAID_FIRST_LINE = re.compile(
    r"(?:(?:graph|flowchart)(?:\s+(?:TD|TB|BT|RL|LR))?\s*;?"
    r"|pie(?:\s+showData)?(?:\s+title\s+.*)?"
    r"|gitGraph(?:\s+(?:LR|TB|BT):?)?"
    r"|sequenceDiagram|classDiagram(?:-v2)?|stateDiagram(?:-v2)?|erDiagram|gantt|journey|mindmap"
    r"|timeline|quadrantChart|requirementDiagram|C4Context|C4Container|C4Component|C4Dynamic"
    r"|C4Deployment|sankey-beta|xychart-beta|block-beta|packet-beta|kanban|architecture-beta|zenuml"
    r"|radar-beta|treemap-beta)\s*"
)


def is_mermaid(code: str) -> bool:
    """First meaningful line is a Mermaid diagram keyword (front matter, `%%` comments skipped)."""
    text = re.sub(r"^\s*---\n.*?\n---\s*\n", "", code, count=1, flags=re.S)
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("%%"):
            continue
        return bool(_MERMAID_FIRST_LINE.fullmatch(line))
    return False


_CPP_MARKERS = re.compile(
    r"#include\s*<(?:[a-z_]+|c(?:stdio|stdlib|string|math|time|ctype|assert|limits))>|\bstd::"
    r"|\busing\s+namespace\b|\bclass\s+\w+\s*[:{]|\btemplate\s*<|\bcout\b|\bnullptr\b|\bauto\s+\w+\s*="
)
_PYTHON_MARKERS = re.compile(
    r"^(?:from\s+[\w.]+\s+import\s+\S|import\s+[\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*\s*$"
    r"|def\s+\w+\s*\(.*\)\s*(?:->.*)?:\s*$|class\s+\w+(?:\(.*\))?\s*:\s*$|if\s+__name__\s*==)",
    re.M,
)
_JS_MARKERS = re.compile(
    r"^\s*import\s+[\w$*{},\s]+\s+from\s+[\"']|\brequire\(\s*[\"']|\bconsole\.log\(|^export\s+default\b"
    r"|^\s*function\s+\w+\s*\([^)]*\)\s*\{|\bdocument\.(?:getElementById|querySelector)",
    re.M,
)


def _is_cpp(code: str) -> bool:
    return bool(_CPP_MARKERS.search(code))


def _is_python(code: str) -> bool:
    if not _PYTHON_MARKERS.search(code):
        return False
    if re.search(r"^def\s+\w+\s*\(.*\)\s*(?:->.*)?:\s*$", code, re.M):
        return True
    try:
        compile(re.sub(r"^[ \t]*[!%].*$", "", code, flags=re.M), "<answer>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def detect_language(code: str) -> str | None:
    """Language of an untagged block, only where the content is unambiguous."""
    if is_html_document(code):
        return "html"
    if is_svg_document(code):
        return "svg"
    if is_vue_sfc(code):
        return "vue"
    if is_mermaid(code):
        return "mermaid"
    if re.search(r"^\s*#include\b", code, re.M) and re.search(r"\bmain\s*\(", code):
        return "cpp" if _is_cpp(code) else "c"
    if re.search(r"^package\s+main\b", code, re.M) and re.search(r"\bfunc\s+main\s*\(", code):
        return "go"
    if re.search(r"\bfn\s+main\s*\(\s*\)", code):
        return "rust"
    if re.search(r"\bstatic\s+void\s+main\s*\(", code) and re.search(r"\b(?:class|interface|enum)\b", code):
        return "java"
    if _is_python(code):
        return "python"
    if _JS_MARKERS.search(code):
        return "typescript" if looks_typescript(code) else "javascript"
    return None


_TS_MARKERS = re.compile(
    r"\b(?:const|let|var)\s+[\w$]+\s*:\s*[\w${\[(]"
    r"|\binterface\s+[\w$]+\s*(?:<[^>]*>)?\s*(?:extends\s+[\w$.,\s<>]+)?\{"
    r"|\btype\s+[\w$]+\s*(?:<[^>]*>)?\s*=[^=>]"
    r"|\benum\s+[\w$]+\s*\{"
    r"|\(\s*[\w$]+\??\s*:\s*[\w$.]+(?:<[^>]*>)?(?:\[\])?\s*[,)=]"
    r"|\)\s*:\s*(?:string|number|boolean|void|any|unknown|never|Promise\s*<|JSX\.Element|React\.)"
    r"|\bas\s+(?:const|string|number|any|unknown|HTML\w+|[A-Z]\w*)\b"
    r"|\b(?:public|private|protected|readonly)\s+[\w$]+"
    r"|\bimplements\s+[\w$]+"
    r"|\b[\w$]+<(?:[\w$.\[\]|,\s]|<[^>]*>)+>\("
)


def looks_typescript(code: str) -> bool:
    """TypeScript-only syntax outside strings and comments (type annotations, interfaces, ...)."""
    if re.search(r"<script\b[^>]*\blang=[\"']ts[\"']", code):
        return True
    clean = scrub_imports(deps.scrub_js(code, blank_strings=True))
    return bool(_TS_MARKERS.search(clean))


_IMPORT_STATEMENT = re.compile(
    r"^[ \t]*(?:import|export)\b[^;'\"]*?\bfrom\s*(?P<q>['\"])[^'\"\n]*(?P=q)|^[ \t]*import\s*['\"][^'\"\n]*['\"]",
    re.M,
)


def scrub_imports(code: str) -> str:
    """Import and export-from statements removed (`import { A as B }` would look like a TS cast)."""
    return _IMPORT_STATEMENT.sub("", code)


_JSX_OPEN = re.compile(
    r"(?:\breturn|=>|[=(,:?&|{\[])\s*<(?P<tag>[A-Za-z][\w.:-]*)(?=[\s/>])"
)


def has_jsx(code: str) -> bool:
    """A JSX element in expression position with a matching close (`</tag>` or `/>`) or a fragment.
    Strings and template literals are blanked first, so `innerHTML = "<div>...</div>"` is not JSX."""
    clean = deps.scrub_js(code, blank_strings=True)
    if re.search(r"(?:\breturn|=>|[=(,:?&|{\[])\s*<>", clean) and "</>" in clean:
        return True
    closed = set(re.findall(r"</([A-Za-z][\w.:-]*)\s*>", clean))
    for match in _JSX_OPEN.finditer(clean):
        if match.group("tag") in closed or _SELF_CLOSING.match(clean, match.end()):
            return True
    return False


_SELF_CLOSING = re.compile(r"[^<>]*/>")
_VUE_GLOBAL = re.compile(r"\bVue\.(?:createApp|defineComponent|component)\s*\(|\bnew\s+Vue\s*\(")
_VUE_OPTIONS = re.compile(r"\bexport\s+default\s*\{")
_VUE_OPTION_KEYS = re.compile(r"\btemplate\s*:|\bdata\s*\(\s*\)\s*\{|\bsetup\s*\([^)]*\)\s*\{|\bmethods\s*:\s*\{")
_REACT_GLOBAL = re.compile(r"\bReact\.(?:createElement|useState|useEffect|Component)\b|\bReactDOM\.")


def _is_react_package(name: str) -> bool:
    return name in ("react", "react-dom", "next", "preact")


def _is_vue_package(name: str) -> bool:
    return name in ("vue", "nuxt") or name.startswith("@vue/")


def js_environment(code: str, tag: str) -> str:
    """Slug of the environment for JS/TS code: react, vue or javascript.

    React: a jsx/tsx/react tag, an import of react/react-dom/next/preact, `React.createElement`-style
    globals, or a JSX element. Vue: an SFC, an import of vue/nuxt/@vue/*, `Vue.createApp`/`new Vue`,
    or an options-API `export default {template:/data()/setup()/methods:}`. Calling `ref(`,
    `computed(` or `watch(` alone is not Vue: any script can define those names.
    """
    if is_vue_sfc(code):
        return "vue"
    if tag in _REACT_TAGS:
        return "react"
    packages = deps.js_packages(code)
    if any(_is_react_package(p) for p in packages):
        return "react"
    if any(_is_vue_package(p) for p in packages):
        return "vue"
    clean = deps.scrub_js(code, blank_strings=True)
    if _REACT_GLOBAL.search(clean):
        return "react"
    if _VUE_GLOBAL.search(clean) or (_VUE_OPTIONS.search(clean) and _VUE_OPTION_KEYS.search(clean)):
        return "vue"
    if has_jsx(code):
        return "react"
    return "javascript"


# Python UI frameworks, in precedence order (see the module docstring).
_PYTHON_UI = (("gradio", "gradio"), ("streamlit", "streamlit"), ("pygame", "pygame"))


def python_environment(code: str) -> str:
    """Slug for Python code from its imports alone: gradio > streamlit > pygame > python."""
    imported = set(deps.python_imports(code))
    for module, slug in _PYTHON_UI:
        if module in imported:
            return slug
    return "python"


# ---------------------------------------------------------------------------------------------------
# classification of one block


@dataclass(frozen=True)
class _Classified:
    block: Block
    language: str | None
    env: str | None  # environment slug
    tier: int  # 1 runnable, 2 other code, 3 data or unrecognised, 4 shell


_CONTENT_TAGS = frozenset({"react", "next", "nextjs"})  # tags whose language depends on the content


def _classify(block: Block) -> _Classified:
    tag, code = block.tag, block.body
    if not tag:
        language = detect_language(code)
        if language is None:
            return _Classified(block, None, None, 3)
    elif tag in _CONTENT_TAGS:
        language = "typescript" if looks_typescript(code) else "javascript"
    else:
        language = _LANGUAGE_OF_TAG.get(tag, tag)
    env = _environment(language, tag, code)
    if env == "html":
        svg = is_svg_document(code) and language in ("svg", "xml", None)
        return _Classified(block, "svg" if svg else "html", env, 1)
    if env == "vue":
        if is_vue_sfc(code) or re.match(r"\s*<(?:template|script|style)[\s>]", code):
            language = "vue"
        elif language not in _JS_LANGUAGES:
            language = "typescript" if looks_typescript(code) else "javascript"
        return _Classified(block, language, env, 1)
    if env is not None:
        if env == "cpp":
            language = "cpp"  # also for C++ code under a `c` tag
        return _Classified(block, language, env, 1)
    if language in SHELL_LANGUAGES:
        return _Classified(block, language, None, 4)
    if language in DATA_LANGUAGES:
        return _Classified(block, language, None, 3)
    return _Classified(block, language, None, 2)


def _environment(language: str | None, tag: str, code: str) -> str | None:
    if language in _JS_LANGUAGES or language == "vue" or tag in _REACT_TAGS:
        # A whole page (React/Vue from a CDN, or a mis-tagged page) runs as HTML, not in Vite.
        if is_html_document(code):
            return "html"
        return "vue" if language == "vue" else js_environment(code, tag)
    if language in ("html", "svg"):
        # An SFC mis-tagged as html is Vue; any other fragment or page is HTML (never React).
        if re.match(r"\s*<template[\s>]", code) and re.search(r"<script\b", code):
            return "vue"
        return "html"
    if language == "xml":
        return "html" if is_svg_document(code) or is_html_document(code) else None
    if language == "python":
        return python_environment(code)
    if language == "c":
        return "cpp" if _is_cpp(code) else "c"  # a `c` tag on iostream/std:: code is C++
    if language in ("mermaid", "cpp", "java", "go", "rust"):
        return language
    return None


# ---------------------------------------------------------------------------------------------------
# dependencies


_INLINE_CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_PIP_LINE_IN_PYTHON = re.compile(
    r"^[ \t]*(?:[!%]|#[ \t#!%]*)[^\n]*?\bpip\d*(?:\.\d+)?\s+install\b[^\n]*(?:\n|$)", re.M
)
_COMMENT_LINE = re.compile(r"^\s*(?://|/\*|\*|#|<!--).*$", re.M)
# A line of a code block that is an install command (`!pip install x`, `$ npm i x`, `# pip install x`).
_COMMAND_LINE = re.compile(
    r"^\s*(?:[$>!%#]|//)?\s*(?:sudo\s+)?(?:(?:python\S*|py)\s+-m\s+|uv\s+)?"
    r"(?:pip\d*(?:\.\d+)?|npm|yarn|pnpm|bun)\s.*$",
    re.M,
)


def _strip_pip_lines(code: str) -> str:
    """Remove whole-line `# pip install ...` comments and `!pip`/`%pip` magics from Python code."""
    return _PIP_LINE_IN_PYTHON.sub("", code).strip("\n").rstrip()


def _dependencies(main: _Classified | None, others: list[_Classified], prose: str) -> dict:
    """pip/npm names of the main block (by its environment) plus install commands elsewhere: whole
    shell/data/unrecognised blocks, command lines of other code blocks, `inline code` in the prose,
    requirements.txt blocks."""
    texts = [m.group(2) for m in _INLINE_CODE.finditer(prose)]
    pip_named: set[str] = set()
    for c in others:
        if c.language == "requirements":
            pip_named.update(deps.requirement_names(c.block.body))
        elif c.tier >= 3:
            texts.append(c.block.body)
        else:
            texts.extend(m.group(0) for m in _COMMAND_LINE.finditer(c.block.body))
    install_text = "\n".join(texts)
    pip_named.update(deps.pip_install_lines(install_text))
    npm = set(deps.npm_install_lines(install_text))
    pip = set(pip_named)
    if main is not None:
        code = main.block.body
        if main.language == "python":
            pip.update(deps.python_distributions(code, also_installed=sorted(pip_named)))
        elif main.language == "requirements":
            pip.update(deps.requirement_names(code))
        else:
            comments = "\n".join(m.group(0) for m in _COMMENT_LINE.finditer(code))
            if main.tier >= 3:
                comments = code  # a shell or text block: every line may be a command
            pip.update(deps.pip_install_lines(comments))
            npm.update(deps.npm_install_lines(comments))
            if main.env == "html":
                npm.update(deps.html_cdn_packages(code))
            elif main.language in ("javascript", "typescript", "vue"):
                npm.update(deps.js_packages(code))
    pip = {deps.PIP_NAME_FIXES.get(p, p) for p in pip}
    return {"pip": sorted(pip), "npm": sorted(npm)}


# ---------------------------------------------------------------------------------------------------
# entry points


def _final_answer(answer: str) -> str:
    """Text after a closed `<think>...</think>` preamble, if that part holds any fence; drafts inside
    the reasoning are not the answer."""
    if "</think>" in answer:
        tail = answer.rsplit("</think>", 1)[1]
        if re.search(r"^[ \t]*(?:```|~~~)", tail, re.M):
            return tail
    return answer


def extract(answer: str) -> Extraction:
    """Main code block, its language, environment and dependencies (see the module docstring)."""
    blocks, prose = _scan(_final_answer(answer or ""))
    classified = [_classify(b) for b in blocks if b.body.strip()]
    main: _Classified | None = None
    for tier in (1, 2, 3, 4):
        candidates = [c for c in classified if c.tier == tier]
        if candidates:
            main = max(candidates, key=lambda c: len(c.block.body.strip()))  # first one on ties
            break
    others = [c for c in classified if c is not main]
    dependencies = _dependencies(main, others, prose)
    if main is None:
        return Extraction(None, None, None, dependencies, len(blocks))
    code = _strip_pip_lines(main.block.body) if main.language == "python" else main.block.body
    if not code.strip():  # a Python block that held nothing but `!pip install`
        return Extraction(None, main.language, None, dependencies, len(blocks))
    env = BY_SLUG[main.env] if main.env else None
    return Extraction(code, main.language, env, dependencies, len(blocks))


# ---------------------------------------------------------------------------------------------------
# Java


_TYPE_DECL = re.compile(
    r"\b(?P<mods>(?:(?:public|protected|private|static|final|abstract|sealed|non-sealed|strictfp)\s+)*)"
    r"(?:class|interface|enum|record)\s+(?P<name>[A-Za-z_$][\w$]*)"
)
_MAIN_METHOD = re.compile(r"\bstatic\s+(?:final\s+)?(?:public\s+)?void\s+main\s*\(")


def java_class_name(code: str) -> str:
    """Class to compile and run: the top-level type that declares `static void main` (a public one
    first, `final`/`abstract` modifiers allowed), else the public top-level type, else "Main"."""
    clean = deps.scrub_js(code, blank_strings=True)  # Java's strings/comments lex like JS's
    top_level: list[tuple[str, bool, int, int]] = []  # name, public, body start, body end
    depth = 0
    pos = 0
    for match in _TYPE_DECL.finditer(clean):
        depth += clean.count("{", pos, match.start()) - clean.count("}", pos, match.start())
        pos = match.start()
        if depth != 0:
            continue
        start = clean.find("{", match.end())
        if start < 0:
            continue
        end, level = start, 0
        for end in range(start, len(clean)):
            level += {"{": 1, "}": -1}.get(clean[end], 0)
            if level == 0:
                break
        top_level.append((match.group("name"), "public" in match.group("mods").split(), start, end))
    with_main = [t for t in top_level if _MAIN_METHOD.search(clean, t[2], t[3] + 1)]
    for group in (
        [t for t in with_main if t[1]],
        with_main,
        [t for t in top_level if t[1]],
    ):
        if group:
            return group[0][0]
    return "Main"

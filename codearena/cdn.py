"""Offline copies of CDN libraries: which local file answers a CDN URL.

LLM-written pages load their libraries from CDNs, which the sandbox cannot reach. The libraries in
`sandbox/web/vendor/package.json` (installed by `make setup`) are served in their place:

    local_file("https://cdnjs.cloudflare.com/ajax/libs/three.js/r128/three.min.js")
    -> sandbox/web/vendor/node_modules/three-r128/build/three.min.js

URL forms understood: unpkg, jsDelivr (`/npm/`, `/gh/highlightjs/cdn-release`), esm.sh, esm.run,
Skypack, JSPM, cdnjs and Google Hosted Libraries (`/ajax/libs/<lib>/<version>/<file>`), code.jquery.com,
d3js.org, cdn.plot.ly, the Bootstrap CDN, use.fontawesome.com and the Tailwind play CDN. The requested
version is not honoured exactly: the vendored version is served (the nearest one, where a package is
vendored in several versions, e.g. three r128 for pages that use the removed `build/three.min.js`),
except across a major version of a package listed in `STRICT_MAJOR` (Vue 2 pages cannot run on Vue 3).
A file that moved between versions is found by its name. Anything not vendored returns None: the
browser then blocks the request and reports it.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

VENDOR_DIR = Path(__file__).resolve().parent.parent / "sandbox" / "web" / "vendor"
TAILWIND_COMPAT = VENDOR_DIR.parent / "tailwind-play-compat.js"


def vendor_root() -> Path:
    """Where the vendored packages are installed ($CODEARENA_WEB_VENDOR overrides, for other checkouts)."""
    return Path(os.environ.get("CODEARENA_WEB_VENDOR") or VENDOR_DIR) / "node_modules"


# A package vendored under another directory name, per version: (directory, its version). Looked up
# before the package's own directory; the nearest version wins.
VERSIONS: dict[str, tuple[str, ...]] = {"three": ("three", "three-r128")}
# Requested npm/cdnjs name (lower case) -> vendored npm package.
ALIASES = {
    "three.js": "three", "threejs": "three", "p5.js": "p5", "lodash.js": "lodash", "moment.js": "moment",
    "highlight.js": "@highlightjs/cdn-assets", "plotly.js": "plotly.js-dist-min", "plotly.js-dist": "plotly.js-dist-min",
    "plotly": "plotly.js-dist-min", "twitter-bootstrap": "bootstrap", "babel-standalone": "@babel/standalone",
    "font-awesome": "@fortawesome/fontawesome-free", "fontawesome": "@fortawesome/fontawesome-free",
    "anime.js": "animejs", "anime": "animejs", "sortable": "sortablejs", "sortable.js": "sortablejs",
    "dat-gui": "dat.gui", "tween.js": "@tweenjs/tween.js", "tone.js": "tone", "alpine.js": "alpinejs",
    "matter.js": "matter-js", "matter": "matter-js", "chartjs": "chart.js", "prism": "prismjs",
    "katex.js": "katex", "howler.js": "howler", "jquery.min.js": "jquery", "babel": "@babel/standalone",
}
STRICT_MAJOR = {"vue"}  # serving another major version would only trade one error for another
# The file a bare package URL (`https://unpkg.com/react@18`) gets, where package.json's fields do not
# name a browser build; script tags want these (UMD/IIFE globals).
DEFAULT_FILES = {
    "react": "umd/react.production.min.js",
    "react-dom": "umd/react-dom.production.min.js",
    "vue": "dist/vue.global.prod.js",
    "@babel/standalone": "babel.min.js",
    "chart.js": "dist/chart.umd.min.js",
    "three": "build/three.module.js",
    "three-r128": "build/three.min.js",
    "d3": "dist/d3.min.js",
    "p5": "lib/p5.min.js",
    "mermaid": "dist/mermaid.min.js",
    "marked": "marked.min.js",
    "@highlightjs/cdn-assets": "highlight.min.js",
    "@fortawesome/fontawesome-free": "css/all.min.css",
    "bootstrap": "dist/css/bootstrap.min.css",
    "animate.css": "animate.min.css",
    "leaflet": "dist/leaflet.js",
    "tone": "build/Tone.js",
    "gsap": "dist/gsap.min.js",
    "matter-js": "build/matter.min.js",
    "plotly.js-dist-min": "plotly.min.js",
    "@tailwindcss/browser": "dist/index.global.js",
    "alpinejs": "dist/cdn.min.js",
    "katex": "dist/katex.min.js",
    "prismjs": "prism.js",
    "canvas-confetti": "dist/confetti.browser.js",
    "sortablejs": "Sortable.min.js",
    "howler": "dist/howler.min.js",
    "lil-gui": "dist/lil-gui.umd.min.js",
    "@tweenjs/tween.js": "dist/tween.umd.js",
    "dat.gui": "build/dat.gui.min.js",
    "axios": "dist/axios.min.js",
    "moment": "min/moment.min.js",
    "lodash": "lodash.min.js",
    "jquery": "dist/jquery.min.js",
    "animejs": "lib/anime.min.js",
}
# What module URLs (esm.sh, esm.run, Skypack, JSPM, jsDelivr `+esm`) get: an ES module whose imports are
# all relative. Packages whose ES build imports other packages by bare name are not servable this way.
ESM_FILES = {
    "three": "build/three.module.js",
    "vue": "dist/vue.esm-browser.prod.js",
    "mermaid": "dist/mermaid.esm.min.mjs",
    "marked": "lib/marked.esm.js",
    "d3": "dist/d3.min.mjs",
    "canvas-confetti": "dist/confetti.module.mjs",
    "lil-gui": "dist/lil-gui.esm.min.js",
    "@tweenjs/tween.js": "dist/tween.esm.js",
    "gsap": "index.js",
    "animejs": "lib/anime.es.js",
    "alpinejs": "dist/module.esm.js",
    "sortablejs": "modular/sortable.esm.js",
    "leaflet": "dist/leaflet-src.esm.js",
    "katex": "dist/katex.mjs",
    "axios": "dist/esm/axios.min.js",
    "bootstrap": "dist/js/bootstrap.esm.min.js",
}
# Files renamed between versions (old name -> the vendored file), per package.
RENAMED = {
    "chart.js": {"chart.min.js": "dist/chart.umd.min.js", "chart.js": "dist/chart.umd.min.js",
                 "chart.umd.js": "dist/chart.umd.min.js", "chart.bundle.min.js": "dist/chart.umd.min.js",
                 "chart.bundle.js": "dist/chart.umd.min.js"},
    "@fortawesome/fontawesome-free": {"font-awesome.min.css": "css/all.min.css", "font-awesome.css": "css/all.min.css",
                                      "all.css": "css/all.min.css"},
    "marked": {"marked.js": "marked.min.js", "marked.umd.js": "lib/marked.umd.js"},
    "d3": {"d3.v7.min.js": "dist/d3.min.js"},
    "@babel/standalone": {"babel.js": "babel.min.js"},
}
GENERIC_NAMES = {"index.js", "index.mjs", "main.js", "index.css", "style.css", "module.js"}
_JS_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript", ".css": "text/css",
             ".json": "application/json", ".map": "application/json", ".svg": "image/svg+xml",
             ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject",
             ".png": "image/png", ".gif": "image/gif", ".wasm": "application/wasm"}


@dataclass(frozen=True)
class CdnRequest:
    package: str  # the npm name asked for (before ALIASES)
    version: str | None
    subpath: str  # path inside the package ("" for the package's default file)
    esm: bool = False  # an ES-module service (esm.sh, ...): the module build is wanted
    flat: bool = False  # cdnjs-style: paths are often flattened, so files are also found by name


_NPM_PATH = re.compile(r"^/((?:@[^/@]+/)?[^/@]+)(?:@([^/]*))?(/.*)?$")


def _npm_path(path: str, esm: bool = False) -> CdnRequest | None:
    match = _NPM_PATH.match(path)
    if not match:
        return None
    subpath = (match.group(3) or "").lstrip("/")
    if subpath.endswith("+esm"):
        subpath, esm = subpath.removesuffix("+esm").rstrip("/"), True
    return CdnRequest(match.group(1), match.group(2) or None, subpath, esm=esm)


def parse(url: str) -> CdnRequest | None:
    """The package, version and file a CDN URL asks for; None for a URL that is not a known CDN's."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", ""):
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = unquote(parts.path)
    if host == "cdn.tailwindcss.com":
        return CdnRequest("@tailwindcss/browser", None, "")
    if host in ("unpkg.com", "esm.run", "cdn.skypack.dev"):
        if path.startswith("/-/"):
            return None  # Skypack's internal pinned paths
        return _npm_path(path, esm=host != "unpkg.com" or "module" in parts.query.split("&"))
    if host == "esm.sh":
        return _npm_path(re.sub(r"^/(?:v\d+|stable)(?=/)", "", path), esm=True)
    if host in ("ga.jspm.io", "jspm.dev"):
        return _npm_path(re.sub(r"^/npm:", "/", path), esm=True)
    if host in ("cdn.jsdelivr.net", "fastly.jsdelivr.net"):
        if path.startswith("/npm/"):
            return _npm_path(path[len("/npm"):])
        gh = re.match(r"^/gh/highlightjs/cdn-release@([^/]+)/build/(.+)$", path)
        return CdnRequest("@highlightjs/cdn-assets", gh.group(1), gh.group(2)) if gh else None
    if host in ("cdnjs.cloudflare.com", "ajax.googleapis.com"):
        lib = re.match(r"^/ajax/libs/([^/]+)/([^/]+)/(.+)$", path)
        return CdnRequest(lib.group(1), lib.group(2), lib.group(3), flat=True) if lib else None
    if host == "code.jquery.com":
        m = re.match(r"^/jquery-(\d[\w.]*?)(?:\.min|\.slim\.min|\.slim)?\.js$", path)
        return CdnRequest("jquery", m.group(1), "dist/jquery.min.js") if m else None
    if host == "d3js.org":
        m = re.match(r"^/d3(?:\.v(\d+))?(?:\.min)?\.js$", path)
        return CdnRequest("d3", m.group(1), "dist/d3.min.js") if m else None
    if host == "cdn.plot.ly":
        return CdnRequest("plotly.js-dist-min", None, "plotly.min.js") if path.endswith(".js") else None
    if host in ("stackpath.bootstrapcdn.com", "maxcdn.bootstrapcdn.com", "netdna.bootstrapcdn.com"):
        m = re.match(r"^/(bootstrap|font-awesome)/([^/]+)/(.+)$", path)
        return CdnRequest(m.group(1), m.group(2), m.group(3), flat=True) if m else None
    if host == "use.fontawesome.com":
        m = re.match(r"^/releases/v([^/]+)/(.+)$", path)
        return CdnRequest("@fortawesome/fontawesome-free", m.group(1), m.group(2), flat=True) if m else None
    return None


def _version_key(version: str | None) -> tuple[int, ...]:
    nums = re.findall(r"\d+", (version or "").lstrip("r"))
    return tuple(int(n) for n in nums[:3])


@functools.lru_cache(maxsize=None)
def _installed_version(directory: str) -> str | None:
    try:
        return json.loads((vendor_root() / directory / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def _candidates(package: str, version: str | None) -> list[str]:
    """Vendored directories for `package`, nearest version first."""
    dirs = [d for d in VERSIONS.get(package, (package,)) if _installed_version(d)]
    wanted = _version_key(version)
    if package == "three" and version and version.lstrip().startswith("r"):
        wanted = (0, *wanted)  # cdnjs names three's versions r128, npm 0.128.0
    if wanted:
        def distance(d: str) -> tuple:
            have = _version_key(_installed_version(d))
            return tuple(abs(a - b) for a, b in zip(have, wanted))
        dirs.sort(key=distance)
    return dirs


@functools.lru_cache(maxsize=None)
def _files_by_name(directory: str) -> dict[str, list[str]]:
    """file name (lower case) -> paths in the package, shortest first (for cdnjs's flattened paths)."""
    root = vendor_root() / directory
    index: dict[str, list[str]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in ("node_modules", "test", "tests", "src", "docs")]
        for name in filenames:
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            index.setdefault(name.lower(), []).append(rel)
    for paths in index.values():
        paths.sort(key=lambda p: (p.count("/"), len(p)))
    return index


def _inside(root: Path, rel: str) -> Path | None:
    target = (root / rel).resolve()
    if root.resolve() not in target.parents or not target.is_file():
        return None
    return target


def _default_file(directory: str, package: str, esm: bool) -> str | None:
    if esm:
        return ESM_FILES.get(package)
    if directory in DEFAULT_FILES:
        return DEFAULT_FILES[directory]
    if package in DEFAULT_FILES:
        return DEFAULT_FILES[package]
    try:
        meta = json.loads((vendor_root() / directory / "package.json").read_text())
    except (OSError, ValueError):
        return None
    for key in ("jsdelivr", "unpkg", "browser", "main"):
        if isinstance(meta.get(key), str):
            return meta[key]
    return None


def _find(directory: str, package: str, request: CdnRequest) -> Path | None:
    root = vendor_root() / directory
    sub = request.subpath.strip("/")
    if not sub:
        default = _default_file(directory, package, request.esm)
        return _inside(root, default) if default else None
    if request.esm and sub in ("", "index.js"):
        return None
    tries = [sub]
    renamed = RENAMED.get(package, {})
    name = sub.rsplit("/", 1)[-1]
    for key in (sub, name, name.lower()):
        if key in renamed:
            tries.append(renamed[key])
    for candidate in list(tries):  # x.min.js <-> x.js
        if ".min." in candidate:
            tries.append(candidate.replace(".min.", "."))
        else:
            stem, dot, ext = candidate.rpartition(".")
            if dot:
                tries.append(f"{stem}.min.{ext}")
    generic = name.lower() in GENERIC_NAMES
    for candidate in tries:
        found = _inside(root, candidate)
        if found is None and not generic:  # the file moved (another version's layout, cdnjs flattening)
            paths = _files_by_name(directory).get(candidate.rsplit("/", 1)[-1].lower())
            found = _inside(root, paths[0]) if paths else None
        if found is not None:
            return found
    return None


def local_file(url: str) -> Path | None:
    """The vendored file that answers `url`, or None (not a CDN URL, or a library not vendored here)."""
    request = parse(url)
    if request is None:
        return None
    lower = request.package.lower()
    package = ALIASES.get(lower) or (lower if _installed_version(lower) else request.package)
    if package in STRICT_MAJOR and request.version and _version_key(request.version)[:1]:
        have = _version_key(_installed_version(package))
        if have[:1] != _version_key(request.version)[:1]:
            return None
    for directory in _candidates(package, request.version):
        found = _find(directory, package, request)
        if found is not None:
            return found
    return None


def content_type(path: Path) -> str:
    return _JS_TYPES.get(path.suffix.lower(), "application/octet-stream")


@functools.lru_cache(maxsize=1)
def tailwind_play_script() -> bytes | None:
    """What `cdn.tailwindcss.com` gets: Tailwind 4's browser build, after a small compatibility prelude
    for pages written for the v3 play CDN (`tailwind.config = {...}`, v3's default border colour)."""
    browser = local_file("https://cdn.tailwindcss.com/")
    if browser is None or not TAILWIND_COMPAT.is_file():
        return None
    return TAILWIND_COMPAT.read_bytes() + b"\n" + browser.read_bytes()


def offline_response(url: str) -> tuple[bytes | Path, str] | None:
    """(body or file, content type) for a CDN URL, or None; the browser's hook for vendored libraries."""
    if parse(url) is not None and (urlsplit(url).hostname or "").lower() == "cdn.tailwindcss.com":
        body = tailwind_play_script()
        return (body, "text/javascript") if body is not None else None
    path = local_file(url)
    return (path, content_type(path)) if path is not None else None

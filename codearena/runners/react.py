"""React: the answer is built as src/App.tsx (TypeScript) or src/App.jsx with Vite and screenshotted.

The template (sandbox/web/react/) mounts the file's default export; a component exported only by
name (`export function Dashboard`) is mounted under that name, and an answer that mounts itself
(`createRoot(...)`, `ReactDOM.render(...)`) is only imported. See runners.vite for the build.
"""

from __future__ import annotations

import re

from codearena.dependencies import scrub_js
from codearena.extract import looks_typescript

from . import vite
from .common import RunContext, Sample

TEMPLATE = "react"
MAIN = "src/main.jsx"
_SELF_MOUNT = re.compile(r"\b(?:createRoot|hydrateRoot)\s*\(|\bReactDOM\s*\.\s*(?:render|hydrate)\s*\(")
_DEFAULT_EXPORT = re.compile(r"\bexport\s+default\b|\bexport\s*\{[^}]*\bas\s+default\b")
_NAMED_COMPONENT = re.compile(r"\bexport\s+(?:async\s+)?(?:function\*?|const|let|var|class)\s+([A-Z][\w$]*)")


def check(ctx: RunContext) -> None:
    vite.check(ctx, TEMPLATE)


def is_typescript(sample: Sample) -> bool:
    if sample.language in ("typescript", "tsx"):
        return True
    if sample.language in ("javascript", "jsx"):
        return False
    return looks_typescript(sample.code)


def main_module(code: str) -> str | None:
    """The entry module for this answer, or None to keep the template's (default export)."""
    clean = scrub_js(code, blank_strings=True)
    if _DEFAULT_EXPORT.search(clean):
        return None
    if _SELF_MOUNT.search(clean):
        return '// The answer mounts itself.\nimport "./index.css";\nimport "./App";\n'
    named = _NAMED_COMPONENT.search(clean)
    if named:
        template = (vite.template_dir(TEMPLATE) / MAIN).read_text(encoding="utf-8")
        return template.replace('import App from "./App";', f'import {{ {named.group(1)} as App }} from "./App";')
    return None  # no component found: the build reports that App.jsx has no default export


def run(sample: Sample, ctx: RunContext) -> dict:
    files = {f"src/App.{'tsx' if is_typescript(sample) else 'jsx'}": sample.code}
    main = main_module(sample.code)
    if main is not None:
        files[MAIN] = main
    return vite.build_and_render(sample, ctx, TEMPLATE, files)

"""Vue: a single-file component is built as src/App.vue with Vite and screenshotted.

An answer that is a script rather than an SFC becomes src/App.js (or App.ts): mounted by its default
export, or only imported when it mounts itself (`createApp(...).mount(...)`); a script with `template:`
strings is built with Vue's runtime compiler. No SFC is patched: an SFC without a template renders
what it renders. See runners.vite for the build.
"""

from __future__ import annotations

import re

from codearena.dependencies import scrub_js
from codearena.extract import is_vue_sfc, looks_typescript

from . import vite
from .common import RunContext, Sample

TEMPLATE = "vue"
_SELF_MOUNT = re.compile(r"\.mount\s*\(|\bnew\s+Vue\s*\(")
_DEFAULT_EXPORT = re.compile(r"\bexport\s+default\b")


def check(ctx: RunContext) -> None:
    vite.check(ctx, TEMPLATE)


def run(sample: Sample, ctx: RunContext) -> dict:
    if is_vue_sfc(sample.code) or sample.language == "vue":
        return vite.build_and_render(sample, ctx, TEMPLATE, {"src/App.vue": sample.code})
    typescript = sample.language == "typescript" or (sample.language is None and looks_typescript(sample.code))
    files = {f"src/App.{'ts' if typescript else 'js'}": sample.code}
    clean = scrub_js(sample.code, blank_strings=True)
    if _SELF_MOUNT.search(clean) and not _DEFAULT_EXPORT.search(clean):
        files["src/main.js"] = '// The answer mounts itself.\nimport "./index.css";\nimport "./App";\n'
    env = {"CODEARENA_VUE_RUNTIME_COMPILER": "1"} if re.search(r"\btemplate\s*:", sample.code) else {}
    return vite.build_and_render(sample, ctx, TEMPLATE, files, env=env)

"""JavaScript runner: the program runs in Node inside the sandbox (not in a page) and is judged by its output.

Upstream ran it in a browser page and judged a screenshot of the console (spec weakness 20). Here:
stdout, stderr and the exit code, a wall/CPU time limit, and the module system chosen from the code:
`import`/`export` statements -> main.mjs (ES module), `require`/`module.exports` -> main.cjs
(CommonJS), neither -> main.js, which Node itself classifies (top-level `await` makes it a module).
`node_modules` is the vendored library tree (sandbox/web/vendor: lodash, d3, marked, moment, axios,
...), read-only; a `require`/`import` of any other package is `missing_dependency`. TypeScript (the
answer's language, or type syntax in the code) is written as main.ts and run through
sandbox/web/javascript/run_typescript.mjs: sucrase strips the types, keeping line numbers.
"""

from __future__ import annotations

import re
import shutil
import signal
from dataclasses import replace

from codearena.dependencies import npm_package_of, scrub_js
from codearena.extract import looks_typescript
from codearena.sandbox import SandboxUnavailable

from .common import RunContext, Sample, new_record, sample_dir, set_output
from .vite import NODE_ADDRESS_SPACE_MB

_ESM = re.compile(r"^[ \t]*(?:import\s*[\w${*'\"]|export\s+(?:default\b|const\b|let\b|var\b|function\b|class\b|async\b|\{|\*))", re.M)
_CJS = re.compile(r"\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w+\s*=")
_MISSING = re.compile(r"Cannot find (?:module|package) '([^']+)'")
TYPESCRIPT_RUNNER = "web/javascript/run_typescript.mjs"  # under the repository's sandbox/ directory
ENV = {"NODE_ENV": "production", "NO_COLOR": "1", "FORCE_COLOR": "0", "NODE_DISABLE_COLORS": "1"}


def check(ctx: RunContext) -> None:
    ctx.backend.check()
    if ctx.backend.name == "local" and shutil.which("node") is None:
        raise SandboxUnavailable("node is not installed; install it with `apt-get install nodejs`")


def module_file(code: str) -> str:
    """main.mjs, main.cjs or main.js for this program (see the module docstring)."""
    clean = scrub_js(code, blank_strings=True)
    if _ESM.search(clean):
        return "main.mjs"
    if _CJS.search(clean):
        return "main.cjs"
    return "main.js"


def missing_packages(stderr: str) -> list[str]:
    found: list[str] = []
    for spec in _MISSING.findall(stderr):
        package = npm_package_of(spec)
        if package and package not in found:
            found.append(package)
    return found


def is_typescript(sample: Sample) -> bool:
    if sample.language in ("typescript", "ts"):
        return True
    return sample.language in (None, "") and looks_typescript(sample.code)


def run(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    work = sample_dir(ctx, sample)
    name = module_file(sample.code)
    typescript = is_typescript(sample)
    (work / ("main.ts" if typescript else name)).write_text(sample.code, encoding="utf-8")
    (work / "node_modules").symlink_to(ctx.backend.sandbox_path("web/vendor/node_modules"))
    base = ctx.limits()
    # RLIMIT_AS far above the heap cap: V8 reserves address space it never uses (see runners.vite); the
    # memory really used (heap and Buffers, which live outside it) is the run's memory cap.
    limits = replace(base, address_space_mb=NODE_ADDRESS_SPACE_MB)
    program = [ctx.backend.sandbox_path(TYPESCRIPT_RUNNER), "main.ts", name] if typescript else [name]
    argv = ["node", f"--max-old-space-size={base.memory_mb}", "--stack-size=4096", *program]
    result = ctx.backend.run(argv, work, limits=limits, env=ENV)

    stderr = result.stderr
    record["exit_code"] = result.exit_code
    record["duration_s"] = result.duration_s
    kind = "ES module" if name == "main.mjs" else "CommonJS" if name == "main.cjs" else "type detected by Node"
    record["notes"].append(f"ran as {name} ({kind})" + (", from main.ts with the types stripped" if typescript else ""))
    record["missing_dependencies"] = missing_packages(stderr) if result.exit_code else []
    if result.timed_out:
        record["status"] = "timeout"
        stderr += f"\n[sandbox] timed out after {limits.wall_s:g} s (wall clock); the program was killed\n"
    elif result.signal == signal.SIGXCPU:
        record["status"] = "timeout"
        stderr += f"\n[sandbox] CPU time limit of {limits.cpu_s:g} s exceeded; the program was killed\n"
    elif result.exit_code == 0:
        record["status"] = "ok"
    elif record["missing_dependencies"]:
        record["status"] = "missing_dependency"
        stderr = "".join(f"missing dependency: {p}\n" for p in record["missing_dependencies"]) + stderr
    else:
        record["status"] = "error"
        if result.signal:
            stderr += f"\n[sandbox] killed by signal {signal.Signals(result.signal).name}\n"
    if result.output_capped:
        record["notes"].append(f"output beyond {limits.output_bytes} bytes per stream was dropped")
    set_output(record, result.stdout, stderr, ctx)
    return record

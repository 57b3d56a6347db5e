"""What the React and Vue runners share: build the answer with Vite inside the sandbox, then screenshot it.

Per sample, a work directory gets the template's files (`sandbox/web/<template>/`: package.json,
vite.config.mjs, index.html, src/), the answer's code under `src/`, and `node_modules` as a symlink to
the template's tree, installed once by `make setup` and seen read-only inside the sandbox.
`vite build --configLoader native` (so Vite writes nothing into node_modules) runs in the sandbox
backend with no network and its own time limit (`execution.build_timeout_s`). Then `dist/` is served
from the browser's fake origin (module scripts need http(s), not file://) and screenshotted like HTML.

A failed build is `build_error` with the tail of Vite's log (colour codes stripped); an import of a
package the template does not have is `missing_dependency` ("missing dependency: X").
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from codearena.browser import find_chromium
from codearena.dependencies import npm_package_of
from codearena.sandbox import Limits, SandboxUnavailable
from codearena.sandbox.local import SANDBOX_FILES

from .common import RunContext, Sample, new_record, sample_dir, set_output
from .web import render, strip_ansi

# V8 reserves ~10 GB of address space per WebAssembly memory (Vite loads es-module-lexer as wasm), so
# RLIMIT_AS must be far above what node uses; its heap is capped with --max-old-space-size instead.
NODE_ADDRESS_SPACE_MB = 32768
NOT_COPIED = {"node_modules", "package-lock.json", "dist"}
LOG_TAIL_LINES = 60
# Vite/Rolldown's words for an import it could not find, and for a missing CSS preprocessor.
_UNRESOLVED = re.compile(
    r"(?:failed to resolve import|Could not resolve|Cannot find (?:module|package)|Failed to resolve entry for package)"
    r"\s+[\"']([^\"']+)[\"']", re.I)
_PREPROCESSOR = re.compile(r"Preprocessor dependency [\"']([^\"']+)[\"'] not found", re.I)
ENV = {"NO_COLOR": "1", "FORCE_COLOR": "0", "CI": "1", "NODE_ENV": "production"}


def template_dir(template: str) -> Path:
    return SANDBOX_FILES / "web" / template


def check(ctx: RunContext, template: str) -> None:
    """Fail before the first sample if node, the installed template or the browser is missing."""
    ctx.backend.check()
    find_chromium()
    if ctx.backend.name == "local":
        if shutil.which("node") is None:
            raise SandboxUnavailable("node is not installed; install it with `apt-get install nodejs`")
        vite = template_dir(template) / "node_modules" / "vite" / "bin" / "vite.js"
        if not vite.is_file():
            raise SandboxUnavailable(f"the {template} template is not installed ({vite} is missing); "
                                     "run `make setup` (npm ci in sandbox/web/)")


def installed(template: str, package: str) -> bool:
    return (template_dir(template) / "node_modules" / package / "package.json").is_file()


def missing_packages(log: str, template: str) -> list[str]:
    """Packages named by unresolved imports in a build log that the template does not have."""
    found: list[str] = []
    for spec in _UNRESOLVED.findall(log) + _PREPROCESSOR.findall(log):
        package = npm_package_of(spec)
        if package and not installed(template, package) and package not in found:
            found.append(package)
    return found


# Noise for a judge: Node's stack trace of Vite itself, and Tailwind's note on pages without its classes.
_NOISE = re.compile(r"^\s+at\s.*(?:file://|node:|\.m?js:\d+)|^\s+errors: \[Getter/Setter\]$|^}$"
                    r"|^warn - (?:No utility classes were detected|https://tailwindcss\.com/docs/content-configuration)")


def clean_log(text: str) -> str:
    """Vite's log without colour codes and without Node's stack trace of Vite itself (noise for a judge)."""
    return "\n".join(line for line in strip_ansi(text).splitlines() if not _NOISE.match(line))


def tail(text: str, lines: int = LOG_TAIL_LINES) -> str:
    kept = text.strip().splitlines()
    cut = len(kept) - lines
    return ("[... %d earlier lines ...]\n" % cut if cut > 0 else "") + "\n".join(kept[-lines:])


def build_and_render(sample: Sample, ctx: RunContext, template: str, files: dict[str, str],
                     env: dict[str, str] | None = None) -> dict:
    """Build `files` (path under the work dir -> text) on top of `template`, then screenshot the app."""
    record = new_record(sample, ctx)
    work = sample_dir(ctx, sample)
    shutil.copytree(template_dir(template), work, dirs_exist_ok=True,
                    ignore=lambda _dir, names: [n for n in names if n in NOT_COPIED])
    for rel, text in files.items():
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text, encoding="utf-8")
    # Inside the sandbox the repository's sandbox/ directory is read-only at backend.sandbox_path().
    (work / "node_modules").symlink_to(ctx.backend.sandbox_path(f"web/{template}/node_modules"))

    base = ctx.limits()
    timeout = float(ctx.setting("build_timeout_s", 60))
    limits = Limits(wall_s=timeout, cpu_s=timeout, memory_mb=NODE_ADDRESS_SPACE_MB,
                    max_processes=max(base.max_processes, 64), file_size_mb=base.file_size_mb,
                    output_bytes=base.output_bytes)
    heap = int(ctx.setting("memory_mb", 2048))
    argv = ["node", f"--max-old-space-size={heap}", "node_modules/vite/bin/vite.js", "build",
            "--configLoader", "native"]
    result = ctx.backend.run(argv, work, limits=limits, env={**ENV, **(env or {})})
    log = clean_log(result.stdout + ("\n" if result.stdout and result.stderr else "") + result.stderr)
    record["exit_code"] = result.exit_code
    record["duration_s"] = result.duration_s
    record["notes"].append(f"vite build: {result.duration_s:.2f} s")

    if result.timed_out:
        record["status"] = "timeout"
        set_output(record, "", f"{tail(log)}\n[sandbox] vite build timed out after {timeout:g} s", ctx)
        return record
    if result.exit_code != 0 or not (work / "dist" / "index.html").is_file():
        missing = missing_packages(log, template)
        record["missing_dependencies"] = missing
        record["status"] = "missing_dependency" if missing else "build_error"
        head = "".join(f"missing dependency: {name}\n" for name in missing)
        set_output(record, "", f"{head}vite build failed (exit {result.exit_code}):\n{tail(log)}", ctx)
        return record
    warnings = [f"vite build warnings:\n{tail(log, 30)}"] if log.strip() else []
    record["exit_code"] = None  # the build's exit code is not the app's
    return render(sample, ctx, record, work / "dist", entry="", prefix_lines=warnings)

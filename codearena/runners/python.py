"""Python Runner: run the script with the sandbox Python and keep its output and pictures.

The script runs as /sandbox/main.py through sandbox/python/run_python.py (runpy, so traceback line
numbers are the script's own). Figures come first in the order the program showed them (matplotlib
`plt.show()`/exit, plotly `show()`; plotly HTML is rendered to PNG in the job's browser), then image
files the program wrote itself, by path. They are copied to figures/{uid}_{i}.png, duplicates dropped.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from codearena.sandbox import WORKDIR, Limits, SandboxError
from codearena.sandbox.workdir import inside, regular_files

from .common import (RunContext, Sample, exit_status, file_stem, missing_lines, new_record, sample_dir, save_as_png,
                     set_output)

WRAPPER = "python/run_python.py"  # under the repository's sandbox/ directory
OUT = ".codearena/out"  # where the wrapper saves shown figures (relative to the work dir)
FONTS = ".codearena/matplotlib"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}
MAX_FIGURES = 16
MAX_SCANNED_FILES = 5000  # a program that writes a million files does not stall the collection
MISSING_MODULE = re.compile(r"^ModuleNotFoundError: No module named '([^']+)'", re.MULTILINE)
ENV = {
    "PYTHONUNBUFFERED": "1",  # output printed before a kill is kept
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",  # set/dict-of-str iteration order is reproducible across runs
    "PYTHONIOENCODING": "utf-8",
    "MPLBACKEND": "Agg",
}


def check(ctx: RunContext) -> None:
    """Fail before the first sample if the sandbox or its Python is missing."""
    ctx.backend.check()


def distribution_for(module: str) -> str:
    """The PyPI distribution that provides an import name (`cv2` -> `opencv-python`,
    `google.generativeai` -> `google-generativeai`)."""
    from codearena.dependencies import distribution_for_module

    return distribution_for_module(module) or module.split(".")[0]


def missing_distributions(stderr: str) -> list[str]:
    found: list[str] = []
    for module in MISSING_MODULE.findall(stderr):
        dist = distribution_for(module)
        if dist not in found:
            found.append(dist)
    return found


def _font_cache(ctx: RunContext) -> Path | None:
    """matplotlib's font list, built once per job inside the sandbox; copying it into each sample
    saves ~0.5 s per plotting sample (matplotlib rebuilds it when its config dir is empty)."""
    if "matplotlib_fonts" not in ctx.cache:
        work = ctx.workdir / "_matplotlib_fonts"
        work.mkdir(parents=True, exist_ok=True)
        backend = ctx.backend
        result = backend.run([backend.python(), backend.sandbox_path(WRAPPER), "--fonts", WORKDIR], work,
                             limits=Limits(wall_s=60, cpu_s=60))
        built = sorted(work.glob("fontlist-*.json"))
        ctx.cache["matplotlib_fonts"] = built[0] if result.exit_code == 0 and built else None
    return ctx.cache["matplotlib_fonts"]


def run(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    work = sample_dir(ctx, sample)
    (work / "main.py").write_text(sample.code, encoding="utf-8")
    env = dict(ENV, MPLCONFIGDIR="/tmp/matplotlib")
    fonts = _font_cache(ctx)
    if fonts is not None:
        (work / FONTS).mkdir(parents=True)
        shutil.copyfile(fonts, work / FONTS / fonts.name)
        env["MPLCONFIGDIR"] = f"{WORKDIR}/{FONTS}"
    backend = ctx.backend
    limits = ctx.limits()
    argv = [backend.python(), backend.sandbox_path(WRAPPER), f"{WORKDIR}/main.py", f"{WORKDIR}/{OUT}"]
    result = backend.run(argv, work, limits=limits, env=env)

    record["exit_code"] = result.exit_code
    record["duration_s"] = result.duration_s
    record["missing_dependencies"] = missing_distributions(result.stderr)
    record["status"], words = exit_status(result, limits)
    if record["status"] == "error" and record["missing_dependencies"]:
        record["status"] = "missing_dependency"
        words += missing_lines(record["missing_dependencies"])
    stderr = result.stderr + words
    if result.output_capped:
        record["notes"].append(f"output beyond {limits.output_bytes} bytes per stream was dropped")
    set_output(record, result.stdout, stderr, ctx)
    record["figures"] = _collect_figures(work, sample, ctx, record["notes"])
    return record


def _program_images(work: Path) -> list[Path]:
    """Image files the program wrote, by path: regular files only (a symlink could point at a host file,
    a named pipe would block the reader), hidden directories skipped."""
    return sorted(p for p in regular_files(work, max_entries=MAX_SCANNED_FILES)
                  if p.suffix.lower() in IMAGE_SUFFIXES)


def _collect_figures(work: Path, sample: Sample, ctx: RunContext, notes: list[str]) -> list[str]:
    out = work / OUT
    # The program owns the work dir: .codearena/out may be a link to a host directory by now.
    shown = sorted(regular_files(out, max_entries=MAX_FIGURES * 4)) if inside(out, work) else []
    figures: list[str] = []
    seen: set[str] = set()
    dest_dir = ctx.outdir / "figures"
    stem = file_stem(sample.uid)
    for src in shown + _program_images(work):
        if len(figures) >= MAX_FIGURES:
            notes.append(f"only the first {MAX_FIGURES} figures were kept")
            break
        dest = dest_dir / f"{stem}_{len(figures)}.png"
        if src.suffix == ".html":
            ok = _render_html(src, dest, ctx, notes)
        else:
            ok = src.suffix.lower() in IMAGE_SUFFIXES and save_as_png(src, dest)
        if not ok:
            continue
        digest = hashlib.sha256(dest.read_bytes()).hexdigest()
        if digest in seen:
            dest.unlink()
            continue
        seen.add(digest)
        figures.append(dest.relative_to(ctx.outdir).as_posix())
    return figures


def _render_html(src: Path, dest: Path, ctx: RunContext, notes: list[str]) -> bool:
    """A plotly figure saved as HTML (no kaleido in the sandbox): screenshot it in the job's browser."""
    viewport = tuple(ctx.setting("viewport", [1024, 768]))
    try:
        browser = ctx.browser()
    except SandboxError as e:  # no browser here: the sample still counts, without this picture
        notes.append(f"could not render {src.name}: {e}")
        return False
    page = browser.capture(src.parent, [dest], entry=src.name, viewport=viewport,
                                 max_page_height=int(ctx.setting("max_page_height", 3072)),
                                 settle_ms=0, deadline_s=15)
    if not page.screenshots:
        notes.append(f"could not render {src.name}: {'; '.join(page.notes) or 'no screenshot'}")
        return False
    return True

"""PyGame: the game runs headless in the sandbox and the frames it displays become its screenshots.

sandbox/python/run_pygame.py runs the script with SDL's dummy drivers, saves the display after the
display-update counts in `execution.pygame_frames`, posts scripted input (a click, then keys) between
frames, and has a watchdog for games that wait for events or stop updating (see its docstring). The
game is stopped by the wrapper after its last frame, after `execution.pygame_max_s`, or when it is idle
and the scripted input is used up; the wall-clock limit still applies on top. A traceback is an
`error` (frames displayed before it are kept); an import the sandbox lacks is `missing_dependency`.
"""

from __future__ import annotations

import json
from pathlib import Path

from codearena.sandbox import WORKDIR
from codearena.sandbox.workdir import inside

from . import python
from .common import (RunContext, Sample, exit_status, file_stem, is_blank, missing_lines, new_record,
                     require_python_modules, sample_dir, save_as_png, set_output)

WRAPPER = "python/run_pygame.py"  # under the repository's sandbox/ directory
OUT = ".codearena/frames"
DEFAULT_FRAMES = (1, 30, 60)
IDLE_S = 1.0  # no display update for this long: the game waits for input
MAX_FRAMES = 8
ENV = dict(python.ENV, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
STOPPED = {
    "frames": "stopped after {updates} display updates, once the last frame was captured",
    "idle": "the game stopped updating the display (it waits for input) and the scripted input was used up",
    "time_limit": "stopped by the watchdog after {seconds} s",
    "exit": "the game ended by itself",
}


def check(ctx: RunContext) -> None:
    require_python_modules(ctx, "pygame")


def run(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    work = sample_dir(ctx, sample)
    (work / "main.py").write_text(sample.code, encoding="utf-8")
    backend, limits = ctx.backend, ctx.limits()
    frames = [int(n) for n in ctx.setting("pygame_frames", DEFAULT_FRAMES)][:MAX_FRAMES]
    # The watchdog must stop the game before the wall clock does, or its frames are lost.
    max_s = max(1.0, min(float(ctx.setting("pygame_max_s", 5)), limits.wall_s - 3))
    argv = [backend.python(), backend.sandbox_path(WRAPPER), f"{WORKDIR}/main.py", f"{WORKDIR}/{OUT}",
            "--frames", ",".join(map(str, frames)), "--max-seconds", f"{max_s:g}", "--idle-seconds", f"{IDLE_S:g}"]
    result = backend.run(argv, work, limits=limits, env=ENV)

    status, words = exit_status(result, limits)
    missing = python.missing_distributions(result.stderr)
    if status == "error" and missing:
        status = "missing_dependency"
        words += missing_lines(missing)
    record.update(status=status, exit_code=result.exit_code, duration_s=result.duration_s,
                  missing_dependencies=missing)
    if result.output_capped:
        record["notes"].append(f"output beyond {limits.output_bytes} bytes per stream was dropped")
    set_output(record, result.stdout, result.stderr + words, ctx)

    report = _status(work / OUT / "status.json")
    stopped = report.get("stopped")
    if stopped in STOPPED:
        record["notes"].append(STOPPED[stopped].format(updates=report.get("updates"), seconds=report.get("seconds")))
    if report.get("inputs_posted"):
        record["notes"].append(f"{report['inputs_posted']} batch(es) of scripted input were posted between frames")
    record["screenshots"] = _collect_frames(work / OUT, sample, ctx) if inside(work / OUT, work) else []
    record["blank_screenshot"] = bool(record["screenshots"]) and all(
        is_blank(ctx.outdir / shot) for shot in record["screenshots"])
    if status == "ok" and not record["screenshots"]:
        record["notes"].append("the game displayed nothing (no window was drawn)")
    return record


def _status(path: Path) -> dict:
    """The wrapper's status.json (written inside the sandbox, so read defensively)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8")[:100_000])
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _collect_frames(outdir: Path, sample: Sample, ctx: RunContext) -> list[str]:
    """frame_NN.png in order, as screenshots/{uid}_{i}.png; a frame equal to the previous one is dropped."""
    if not outdir.is_dir():
        return []
    stem = file_stem(sample.uid)
    shots: list[str] = []
    previous: bytes | None = None
    sources = sorted(p for p in outdir.glob("frame_*.png") if p.is_file() and not p.is_symlink())
    for src in sources[:MAX_FRAMES]:
        dest = ctx.outdir / "screenshots" / f"{stem}_{len(shots)}.png"
        if not save_as_png(src, dest):
            continue
        data = dest.read_bytes()
        if data == previous:
            dest.unlink()
            continue
        previous = data
        shots.append(dest.relative_to(ctx.outdir).as_posix())
    return shots

"""What the browser-based runners share: screenshot a built site and turn what the page did into a record.

The frames come from `execution.frames` (see `codearena.browser.Frame`; default: at load and
`settle_ms` later), in a viewport of `execution.viewport`, pages cut at `execution.max_page_height`.
All frames are stored in `screenshots`; `judge_screenshots` is the subset the judge is shown.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from codearena.browser import frames_from_settings

from .common import RunContext, Sample, file_stem, is_blank, set_output

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07")


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


def render(sample: Sample, ctx: RunContext, record: dict, site: Path, *, entry: str = "index.html",
           prefix_lines: list[str] | None = None, ready: str | None = None) -> dict:
    """Screenshot `site/entry` and fill `record`: status (ok / error / timeout), screenshots, console,
    notes, and stderr lines that say in words what went wrong. `prefix_lines` go first in stderr; `ready`: see Browser.capture."""
    frames = frames_from_settings(ctx.settings)
    stem = file_stem(sample.uid)
    shots = [ctx.outdir / "screenshots" / f"{stem}_{i}.png" for i in range(len(frames))]
    start = time.monotonic()
    page = ctx.browser().capture(
        site, shots, entry=entry, viewport=tuple(ctx.setting("viewport", [1024, 768])),
        max_page_height=int(ctx.setting("max_page_height", 3072)), frames=frames,
        deadline_s=float(ctx.setting("timeout_s", 20)), ready=ready)
    record["duration_s"] = round(record.get("duration_s", 0.0) + time.monotonic() - start, 3)
    record["screenshots"] = [p.relative_to(ctx.outdir).as_posix() for p in page.screenshots]
    record["judge_screenshots"] = [p.relative_to(ctx.outdir).as_posix() for p in page.judge_screenshots]
    record["console"] = page.console
    record["notes"] = list(record.get("notes") or []) + list(page.notes)
    if page.vendored:
        record["notes"].append(f"{len(page.vendored)} CDN request(s) served from vendored copies")
    record["blank_screenshot"] = bool(page.screenshots) and is_blank(page.screenshots[-1])

    if page.timed_out or page.terminated:
        record["status"] = "timeout"
    elif page.crashed or not page.screenshots or (page.errors and record["blank_screenshot"]):
        record["status"] = "error"  # nothing rendered, or an uncaught error left the page empty
    else:
        record["status"] = "ok"
    # The judge reads stderr: what went wrong, in words (page errors, stuck scripts, blocked requests).
    lines = list(prefix_lines or [])
    lines += [f"pageerror: {e}" for e in page.errors] + page.notes
    if page.blocked:
        lines.append(f"{len(page.blocked)} request(s) blocked (no network): " + ", ".join(page.blocked[:10]))
    if record["blank_screenshot"]:
        lines.append("the page rendered blank (a single colour)")
    set_output(record, record.get("stdout", ""), "\n".join(lines), ctx)
    return record

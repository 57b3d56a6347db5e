"""HTML: render the page offline in the job's Chromium and screenshot it (at load, then after settling).

See codearena.browser for what the page may reach (its own files, generated placeholder images,
vendored CDN copies) and how stuck pages are handled.
"""

from __future__ import annotations

import time

from codearena.browser import find_chromium

from .common import RunContext, Sample, file_stem, is_blank, new_record, sample_dir, set_output

SHOTS = 2  # at load, and after execution.settle_ms


def check(ctx: RunContext) -> None:
    find_chromium()


def run(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    site = sample_dir(ctx, sample)
    (site / "index.html").write_text(sample.code, encoding="utf-8")
    stem = file_stem(sample.uid)
    shots = [ctx.outdir / "screenshots" / f"{stem}_{i}.png" for i in range(SHOTS)]
    deadline = float(ctx.setting("timeout_s", 20))
    start = time.monotonic()
    page = ctx.browser().capture(
        site, shots, viewport=tuple(ctx.setting("viewport", [1024, 768])),
        max_page_height=int(ctx.setting("max_page_height", 3072)),
        settle_ms=int(ctx.setting("settle_ms", 600)), deadline_s=deadline)
    record["duration_s"] = round(time.monotonic() - start, 3)
    record["screenshots"] = [p.relative_to(ctx.outdir).as_posix() for p in page.screenshots]
    record["console"] = page.console
    record["notes"] = list(page.notes)
    record["blank_screenshot"] = bool(page.screenshots) and is_blank(page.screenshots[-1])

    if page.timed_out or page.terminated:
        record["status"] = "timeout"
    elif page.crashed or not page.screenshots or (page.errors and record["blank_screenshot"]):
        record["status"] = "error"  # nothing rendered, or an uncaught error left the page empty
    else:
        record["status"] = "ok"
    # The judge reads stderr: what went wrong, in words (page errors, stuck scripts, blocked requests).
    lines = [f"pageerror: {e}" for e in page.errors] + page.notes
    if page.blocked:
        lines.append(f"{len(page.blocked)} request(s) blocked (no network): " + ", ".join(page.blocked[:10]))
    if record["blank_screenshot"]:
        lines.append("the page rendered blank (a single colour)")
    set_output(record, "", "\n".join(lines), ctx)
    return record

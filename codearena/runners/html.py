"""HTML: render the page offline in the job's Chromium and screenshot it (frames: see runners.web).

See codearena.browser for what the page may reach (its own files, generated placeholder images,
vendored CDN copies) and how stuck pages are handled.
"""

from __future__ import annotations

from codearena.browser import find_chromium

from .common import RunContext, Sample, new_record, sample_dir
from .web import render


def check(ctx: RunContext) -> None:
    find_chromium()


def run(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    site = sample_dir(ctx, sample)
    (site / "index.html").write_text(sample.code, encoding="utf-8")
    return render(sample, ctx, record, site)

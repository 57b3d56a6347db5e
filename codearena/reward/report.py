"""The BigCodeReward pages of the static report: `results/report/reward/`.

`index.html` compares every judge and mode; `{judge}.html` shows one judge with and without execution
side by side: headline figures, confusion matrices as heatmaps, the per-category table, per-class
figures and the model leaderboards from human and judge votes. Rendered with Jinja2 with autoescaping
on (instructions and model names come from a dataset), opened from disk, no script, no network.
"""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from codearena.io import write_text

MODE_TITLES = {"with_execution": "with execution", "without_execution": "code only"}
RESERVED_PAGES = {"index"}


def _pct(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{100 * value:.1f}"


def _num(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}f}"


def _signed(value, scale: float = 100.0, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{scale * value:+.{digits}f}"


def heat(count, row_total) -> dict:
    """Cell style for a confusion-matrix heatmap: shade by the share of the human row (the recall)."""
    share = count / row_total if row_total else 0.0
    alpha = round(0.08 + 0.82 * share, 3) if count else 0.0
    return {"share": share, "bg": f"rgba(61, 91, 217, {alpha})", "fg": "#fff" if alpha > 0.55 else "#1d2433"}


def delta(summary: dict, path: list[str]) -> float | None:
    """A figure with execution minus the same figure code-only, when both modes were judged."""
    values = []
    for mode in ("with_execution", "without_execution"):
        node = summary["modes"].get(mode)
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        values.append(node)
    if any(v is None for v in values):
        return None
    return values[0] - values[1]


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("codearena", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(pct=_pct, num=_num, signed=_signed)
    env.globals.update(heat=heat, delta=delta, mode_title=lambda m: MODE_TITLES.get(m, m))
    return env


def page_name(judge: str) -> str:
    return f"{judge}.html"


def write_reward_report(summaries: list[dict], outdir: str | Path) -> list[Path]:
    """Write `index.html` and one page per judge into `outdir`; returns the paths written."""
    outdir = Path(outdir)
    for s in summaries:
        if s["judge"] in RESERVED_PAGES:
            raise ValueError(f"judge name {s['judge']!r} is reserved for a report page")
    env = _env()
    # The leaderboard pages are built by their own rule, one level up; link them when they are there.
    env.globals["leaderboard_link"] = (outdir.parent / "index.html").exists()
    summaries = sorted(summaries, key=lambda s: s["judge"])
    written = []
    index = outdir / "index.html"
    write_text(index, env.get_template("reward_index.html").render(summaries=summaries, page_name=page_name))
    written.append(index)
    for s in summaries:
        path = outdir / page_name(s["judge"])
        write_text(path, env.get_template("reward_judge.html").render(s=s, summaries=summaries, page_name=page_name))
        written.append(path)
    return written

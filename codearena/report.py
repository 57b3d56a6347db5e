"""The static HTML report: rendered with Jinja2 (autoescaping on), opened from disk, no network.

Plots are inline SVG made here, so the report has no JavaScript and no external assets.
"""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .io import write_text


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("codearena", "templates"),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["ci_bar"] = ci_bar
    env.filters["pct"] = lambda v: "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1f}"
    return env


def ci_bar(score: float, lo: float, hi: float, width: int = 220, height: int = 16) -> dict:
    """Geometry for an inline SVG interval plot on a 0-100 axis (the template draws it)."""
    def x(v: float) -> float:
        v = 0.0 if v is None or v != v else max(0.0, min(100.0, v))
        return round(4 + (width - 8) * v / 100.0, 1)

    return {"w": width, "h": height, "lo": x(lo), "hi": x(hi), "pt": x(score), "mid": x(50.0)}


def render_index(leaderboard: dict, notes: dict[str, str] | None = None) -> str:
    return _env().get_template("index.html").render(lb=leaderboard, notes=notes or {})


def write_report(leaderboard: dict, outdir: str | Path, notes: dict[str, str] | None = None) -> Path:
    """Render the report into `outdir` (index.html); returns its path."""
    out = Path(outdir) / "index.html"
    write_text(out, render_index(leaderboard, notes))
    return out

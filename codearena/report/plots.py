"""Plot geometry for the report, computed at build time and drawn as inline SVG by the templates.

Only numbers leave this module; names and labels are put into the SVG by Jinja2 (autoescaped).
"""

from __future__ import annotations

import math


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def nice_ticks(lo: float, hi: float, target: int = 6) -> list[float]:
    """Round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    span = max(hi - lo, 1e-9)
    raw = span / max(target - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    v = first
    while v <= hi + 1e-9 * step:
        ticks.append(round(v, 10))
        v += step
    return ticks


def forest(rows: list[dict], *, key: str = "score", ci_key: str = "ci", reference: float | None = 50.0,
           width: int = 760, label_width: int = 230, row_height: int = 24) -> dict:
    """Geometry of a confidence-interval plot: one row per model, point and interval on a shared axis.

    The axis spans the intervals (plus the reference line), padded, so close models stay readable.
    An interval end that is unbounded (null) runs to the plot edge with an arrow.
    """
    values = [r[key] for r in rows if _finite(r.get(key))]
    values += [v for r in rows for v in (r.get(ci_key) or []) if _finite(v)]
    if reference is not None:
        values.append(reference)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = 0.05 * (hi - lo) if hi > lo else 1.0
    lo, hi = lo - pad, hi + pad
    ticks = nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    plot_w = width - label_width - 16
    top = 8

    def x(v: float) -> float:
        return round(label_width + plot_w * (v - lo) / (hi - lo), 1)

    out_rows = []
    for i, r in enumerate(rows):
        y = top + row_height * i + row_height / 2
        ci = r.get(ci_key) or [None, None]
        point = r.get(key)
        out_rows.append({
            "model": r["model"],
            "baseline": bool(r.get("baseline")),
            "y": round(y, 1),
            "x": x(point) if _finite(point) else None,
            "x_lo": x(ci[0]) if _finite(ci[0]) else label_width,
            "x_hi": x(ci[1]) if _finite(ci[1]) else width - 16,
            "open_lo": not _finite(ci[0]),
            "open_hi": not _finite(ci[1]),
            "label": f"{point:.1f}" if _finite(point) else "unbounded",
        })
    height = top + row_height * len(rows) + 28
    return {
        "width": width, "height": height, "label_width": label_width, "plot_right": width - 16,
        "axis_y": height - 22, "top": top,
        "ticks": [{"x": x(t), "label": f"{t:g}"} for t in ticks],
        "reference": x(reference) if reference is not None else None,
        "rows": out_rows,
    }


def heat_colour(score: float | None) -> str:
    """Background for a win-rate cell: red below 50, white at 50, blue above (colour-blind safe pair)."""
    if not _finite(score):
        return "#f0f0f0"
    t = max(-1.0, min(1.0, (score - 50.0) / 50.0))
    end = (33, 102, 172) if t > 0 else (178, 24, 43)
    rgb = [round(255 + (c - 255) * abs(t)) for c in end]
    return "#%02x%02x%02x" % tuple(rgb)


def heat_text(score: float | None) -> str:
    """Text colour readable on `heat_colour(score)`."""
    return "#ffffff" if _finite(score) and abs(score - 50.0) > 30 else "#1d2433"

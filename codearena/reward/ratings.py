"""Leaderboards of the battle models from human votes and from a judge's votes, and how they correlate.

Ratings are Bradley-Terry maximum likelihood on the Elo scale (`codearena.ratings.bt`): a vote for A
is a win of model A, tie and both-bad are half a win each (as in the paper), so the order of the
battles does not matter (upstream's online Elo depended on thread completion order). A judge is
compared with the people on the *same* battles: those it judged.

Rank agreement between the two leaderboards is Spearman's rho, Kendall's tau and Pearson's r over the
models' ratings, each with a bootstrap interval: every round redraws the battles (the same draw for
both leaderboards, so the pairing is kept), refits both and recomputes the three coefficients. Each
call uses its own seeded generator, so results never depend on which system was processed first.
"""

from __future__ import annotations

import warnings
from typing import Sequence

import numpy as np
from scipy import stats

from codearena.ratings.bt import bootstrap_bt, fit_bt
from codearena.reward.labels import score_a

COEFFICIENTS = {"spearman": stats.spearmanr, "kendall": stats.kendalltau, "pearson": stats.pearsonr}
MIN_MODELS = 3


def outcomes(records: Sequence[dict], who: str) -> tuple[list[str], list[str], list[float]]:
    """(model A names, model B names, A's score) from `records`' `human_vote` or `verdict` labels."""
    key = {"human": "human_vote", "judge": "verdict"}[who]
    return ([r["model_A"] for r in records], [r["model_B"] for r in records],
            [score_a(r[key]) for r in records])


def leaderboard(model_a: Sequence[str], model_b: Sequence[str], y: Sequence[float], *,
                rounds: int, seed: int, confidence: float) -> list[dict]:
    """Rows {model, rating, lower, upper, rank, battles}, best first, with bootstrap intervals."""
    if not len(y):
        return []
    df = bootstrap_bt(model_a, model_b, y, rounds=rounds, seed=seed, confidence=confidence)
    battles: dict[str, int] = {}
    for m in list(model_a) + list(model_b):
        battles[m] = battles.get(m, 0) + 1
    return [
        {"model": m, "rating": float(row.rating), "lower": float(row.lower), "upper": float(row.upper),
         "rank": int(row["rank"]), "battles": battles[m]}
        for m, row in df.iterrows()
    ]


def _coefficients(x: np.ndarray, y: np.ndarray) -> dict[str, tuple[float, float]]:
    """name -> (coefficient, p-value); nan where undefined (e.g. a constant leaderboard)."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy warns on constant input; nan says the same
        for name, fn in COEFFICIENTS.items():
            result = fn(x, y)
            out[name] = (float(result[0]), float(result[1]))
    return out


def rank_correlations(model_a: Sequence[str], model_b: Sequence[str], y_human: Sequence[float],
                      y_judge: Sequence[float], *, rounds: int, seed: int, confidence: float) -> dict:
    """{"models", "battles", name: {value, p_value, lower, upper}} or {"note"} with too few models."""
    a, b = np.asarray(model_a, dtype=object), np.asarray(model_b, dtype=object)
    yh, yj = np.asarray(y_human, dtype=float), np.asarray(y_judge, dtype=float)
    models = sorted(set(a) | set(b))
    base = {"models": len(models), "battles": int(len(yh)), "rounds": rounds, "seed": seed,
            "confidence": confidence}
    if len(models) < MIN_MODELS:
        return {**base, "note": f"needs at least {MIN_MODELS} models, found {len(models)}"}

    # Identical battles carry identical information: fit on unique (a, b, human, judge) rows, weighted.
    keys = np.array([f"{p}\x00{q}\x00{h}\x00{j}" for p, q, h, j in zip(a, b, yh, yj)])
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    ua, ub, uh, uj = a[first], b[first], yh[first], yj[first]

    def ratings(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rh = fit_bt(ua, ub, uh, weights)
        rj = fit_bt(ua, ub, uj, weights)
        return np.array([rh[m] for m in models]), np.array([rj[m] for m in models])

    point = _coefficients(*ratings(np.bincount(inverse, minlength=len(first)).astype(float)))
    rng = np.random.default_rng(seed)
    draws = {name: [] for name in COEFFICIENTS}
    for _ in range(rounds):
        picked = rng.integers(0, len(yh), len(yh))
        weights = np.bincount(inverse[picked], minlength=len(first)).astype(float)
        for name, (value, _) in _coefficients(*ratings(weights)).items():
            draws[name].append(value)
    alpha = (1 - confidence) / 2
    out = dict(base)
    for name, (value, p_value) in point.items():
        finite = np.array([v for v in draws[name] if np.isfinite(v)])
        out[name] = {
            "value": _finite(value),
            "p_value": _finite(p_value),
            "lower": float(np.quantile(finite, alpha)) if len(finite) else None,
            "upper": float(np.quantile(finite, 1 - alpha)) if len(finite) else None,
        }
    return out


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None

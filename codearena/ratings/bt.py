"""Bradley-Terry ratings by maximum likelihood, with ties, on the Elo scale.

Works for any comparison graph (model vs baseline, or human votes between any two models).
An outcome is the share of the win that goes to model A: 1 (A wins), 0.5 (tie or both bad),
0 (B wins); a tie is half a win for each side, as in Chatbot Arena's MLE fit. Ratings are
`scale * log_base(strength)`, shifted so that `anchor_model` sits at `anchor_rating` (or so that
the mean rating is `anchor_rating` when no anchor is given).

The fit compresses battles to unique (a, b, outcome) triples weighted by their counts, and the
bootstrap redraws those counts from a multinomial when the unit of resampling is the battle
(the FastChat trick), or resamples whole groups (e.g. a question with both its games).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
from scipy.optimize import minimize


def _encode(model_a: Sequence[str], model_b: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    models = sorted(set(model_a) | set(model_b))
    index = {m: i for i, m in enumerate(models)}
    return models, np.array([index[m] for m in model_a]), np.array([index[m] for m in model_b])


def _fit_logits(ia: np.ndarray, ib: np.ndarray, y: np.ndarray, w: np.ndarray, n: int, l2: float) -> np.ndarray:
    """Natural-log strengths maximising sum(w * [y log p + (1-y) log(1-p)]), p = sigmoid(s_a - s_b)."""

    def objective(s: np.ndarray) -> tuple[float, np.ndarray]:
        d = s[ia] - s[ib]
        p = 1.0 / (1.0 + np.exp(-d))
        eps = 1e-12
        nll = -np.sum(w * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) + 0.5 * l2 * np.sum(s**2)
        g_d = w * (p - y)
        grad = np.bincount(ia, g_d, minlength=n) - np.bincount(ib, g_d, minlength=n) + l2 * s
        return nll, grad

    res = minimize(objective, np.zeros(n), jac=True, method="L-BFGS-B", options={"maxiter": 1000, "gtol": 1e-9})
    return res.x - res.x.mean()


def _to_ratings(logits: np.ndarray, models: list[str], scale: float, base: float,
                anchor_model: str | None, anchor_rating: float) -> dict[str, float]:
    ratings = logits * scale / np.log(base)
    offset = ratings[models.index(anchor_model)] if anchor_model in models else ratings.mean()
    return {m: float(r - offset + anchor_rating) for m, r in zip(models, ratings)}


def fit_bt(
    model_a: Sequence[str],
    model_b: Sequence[str],
    outcome: Sequence[float],
    weights: Sequence[float] | None = None,
    *,
    scale: float = 400.0,
    base: float = 10.0,
    anchor_model: str | None = None,
    anchor_rating: float = 1000.0,
    l2: float = 1e-6,
) -> dict[str, float]:
    """Ratings per model. `l2` is a tiny ridge so that a model that never lost stays finite."""
    models, ia, ib = _encode(model_a, model_b)
    y = np.asarray(outcome, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    logits = _fit_logits(ia, ib, y, w, len(models), l2)
    return _to_ratings(logits, models, scale, base, anchor_model, anchor_rating)


def rank_with_confidence(lower: pd.Series, upper: pd.Series) -> pd.Series:
    """1 + the number of models whose lower bound is above this model's upper bound."""
    return pd.Series({m: 1 + int((lower > upper[m]).sum()) for m in lower.index})


def bootstrap_bt(
    model_a: Sequence[str],
    model_b: Sequence[str],
    outcome: Sequence[float],
    *,
    groups: Sequence | None = None,
    rounds: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    scale: float = 400.0,
    base: float = 10.0,
    anchor_model: str | None = None,
    anchor_rating: float = 1000.0,
) -> pd.DataFrame:
    """Point ratings (full-data fit) with percentile intervals and ranks with confidence.

    `groups` labels the unit of independence (e.g. the question a battle belongs to); whole groups
    are resampled. Without groups each battle is a unit.
    """
    a, b, y = list(model_a), list(model_b), np.asarray(outcome, dtype=float)
    models, ia, ib = _encode(a, b)
    point = _to_ratings(_fit_logits(ia, ib, y, np.ones(len(y)), len(models), 1e-6), models, scale, base,
                        anchor_model, anchor_rating)
    rng = np.random.default_rng(seed)
    if groups is None:
        unit = np.arange(len(y))
    else:
        _, unit = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    n_units = unit.max() + 1 if len(unit) else 0
    draws = np.empty((rounds, len(models)))
    for r in range(rounds):
        # How often each unit is drawn this round becomes the weight of its battles.
        counts = rng.multinomial(n_units, np.full(n_units, 1.0 / n_units))
        w = counts[unit].astype(float)
        logits = _fit_logits(ia, ib, y, w, len(models), 1e-6)
        rated = _to_ratings(logits, models, scale, base, anchor_model, anchor_rating)
        draws[r] = [rated[m] for m in models]
    alpha = (1 - confidence) / 2
    df = pd.DataFrame(
        {
            "rating": [point[m] for m in models],
            "lower": np.quantile(draws, alpha, axis=0),
            "upper": np.quantile(draws, 1 - alpha, axis=0),
        },
        index=models,
    )
    df["rank"] = rank_with_confidence(df["lower"], df["upper"])
    return df.sort_values("rating", ascending=False)

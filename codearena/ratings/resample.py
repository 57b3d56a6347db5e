"""Seeded bootstrap draws over units of independence, as multinomial counts.

Drawing `n` units with replacement `rounds` times is the same as drawing, per round, how often each
unit is picked: a multinomial with `n` trials. Units that carry identical data can share one
category (the FastChat trick for votes), which keeps the count matrix small.
"""

from __future__ import annotations

import warnings

import numpy as np


def unit_counts(n_units: int, rounds: int, seed: int, multiplicity: np.ndarray | None = None) -> np.ndarray:
    """(rounds, K) counts: how often each unit (or each group of `multiplicity` identical units) is drawn.

    Without `multiplicity` every unit is its own category (K = n_units). With it, category k stands
    for `multiplicity[k]` identical units and `n_units` must equal their sum.
    """
    if n_units <= 0:
        return np.zeros((rounds, 0), dtype=np.int64)
    rng = np.random.default_rng(seed)
    if multiplicity is None:
        # Draw the unit indices and count them: much faster than numpy's multinomial for many units.
        picks = rng.integers(0, n_units, size=(rounds, n_units))
        picks += np.arange(rounds)[:, None] * n_units
        return np.bincount(picks.ravel(), minlength=rounds * n_units).reshape(rounds, n_units)
    multiplicity = np.asarray(multiplicity, dtype=float)
    if multiplicity.sum() != n_units:
        raise ValueError("unit_counts: multiplicities must add up to n_units")
    return rng.multinomial(n_units, multiplicity / n_units, size=rounds)


def quantile_bounds(draws: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval per column; NaN rounds are ignored and +-inf draws are kept as +-inf."""
    alpha = (1.0 - confidence) / 2.0
    big = 1e300
    # Linear interpolation between two infinite draws gives NaN, so clip, interpolate, map back.
    clipped = np.clip(draws, -big, big)
    # np.quantile is much faster than np.nanquantile; NaN only appears for never-rated columns.
    quantile = np.nanquantile if np.isnan(clipped).any() else np.quantile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column (never rated) gives NaN
        lo = quantile(clipped, alpha, axis=0)
        hi = quantile(clipped, 1.0 - alpha, axis=0)
    for q in (lo, hi):
        q[q >= big / 2] = np.inf
        q[q <= -big / 2] = -np.inf
    return lo, hi


def quantiles(confidence: float) -> list[float]:
    alpha = (1.0 - confidence) / 2.0
    return [round(alpha, 10), round(1.0 - alpha, 10)]

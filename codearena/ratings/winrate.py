"""Upstream AutoCodeArena's score: the win rate of a model against the baseline.

Each judged game gives the model a value (win 1, tie 0.5, loss 0) and a weight (a strong verdict
counts `strong_weight` times, upstream uses 3). A question's contribution is the weighted sum of its
two games; the score is sum(values * weights) / sum(weights) over all questions, which equals
upstream's mean over "exploded" rows. The baseline sits at 50% by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .resample import quantile_bounds, unit_counts

# value for the side in position A, and whether the verdict is strong
_FOR_A = {
    "A>>B": (1.0, True),
    "A>B": (1.0, False),
    "A=B": (0.5, False),
    "B>A": (0.0, False),
    "B>>A": (0.0, True),
}


def game_outcome(verdict: str, model_is_a: bool, strong_weight: float) -> tuple[float, float]:
    """(value for the model, weight) of one game's verdict."""
    value_a, strong = _FOR_A[verdict]
    value = value_a if model_is_a else 1.0 - value_a
    return value, (strong_weight if strong else 1.0)


@dataclass
class QuestionScores:
    """Per-question weighted sums for one model: score = num.sum() / den.sum()."""

    uids: list[str]
    num: np.ndarray  # sum of value * weight over the question's judged games
    den: np.ndarray  # sum of weights; 0 when neither game has a verdict
    wins: int = 0
    losses: int = 0
    ties: int = 0


def score(num: np.ndarray, den: np.ndarray) -> float:
    total = den.sum()
    return float(num.sum() / total) if total > 0 else float("nan")


def bootstrap(
    num: np.ndarray, den: np.ndarray, rounds: int, seed: int, confidence: float
) -> tuple[np.ndarray, float, float]:
    """Resample questions (both games of a question travel together) with replacement.

    `num` and `den` are (Q,) for one model or (M, Q) for several models resampled jointly (the same
    questions drawn for every model in a round). Returns the (rounds, M) bootstrap scores and the
    lower/upper quantiles for a 1-D input (or arrays for 2-D).
    """
    num = np.atleast_2d(np.asarray(num, dtype=float))
    # Multinomial counts are a vectorised way to draw `q` questions with replacement `rounds` times.
    counts = unit_counts(num.shape[1], rounds, seed)
    return bootstrap_with_counts(num, den, counts, confidence)


def bootstrap_with_counts(
    num: np.ndarray, den: np.ndarray, counts: np.ndarray, confidence: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like `bootstrap`, with the (rounds, Q) question counts given (shared with the rating fit)."""
    num = np.atleast_2d(np.asarray(num, dtype=float))
    den = np.atleast_2d(np.asarray(den, dtype=float))
    counts = np.asarray(counts, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        samples = (counts @ num.T) / (counts @ den.T)
    lo, hi = quantile_bounds(samples, confidence)
    return samples, lo, hi

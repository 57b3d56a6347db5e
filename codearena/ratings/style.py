"""Style control: answer length as a covariate of the Bradley-Terry fit (as Arena-Hard does).

Judges like long answers (FastChat #3911: the longer answer wins 68% of GPT-4's verdicts). Adding
the normalised length difference of the two answers to the logistic model separates "is better"
from "is longer": the model ratings are then what each model would get at equal length, and the
coefficient says how much the judge rewards length.

The covariate is (len_a - len_b) / (len_a + len_b) in characters of the answer text, in [-1, 1] and
antisymmetric (swapping A and B negates it), so it is not centred: a centred covariate would break
that symmetry and move the ratings to "average length difference" instead of "equal length".
"""

from __future__ import annotations

import numpy as np

FEATURE = "length"
DESCRIPTION = "(len_model - len_baseline) / (len_model + len_baseline), characters of the answer text"
# The covariate is rounded to this step so that games with nearly the same length ratio share one
# row of the fit (600 questions x 30 models collapse to a few thousand rows, which keeps the
# 1000-round bootstrap fast); moving a length ratio by < 0.005 changes ratings far below their intervals.
RESOLUTION = 0.01


def answer_length(answer: dict) -> int:
    return len(answer.get("answer") or "")


def length_difference(len_a: np.ndarray | float, len_b: np.ndarray | float) -> np.ndarray:
    a = np.asarray(len_a, dtype=float)
    b = np.asarray(len_b, dtype=float)
    total = a + b
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (a - b) / np.where(total > 0, total, 1.0), 0.0)


def length_covariate(len_model: np.ndarray, len_baseline: np.ndarray) -> np.ndarray:
    """The style covariate of each game, model in position A: the length difference, rounded."""
    return np.round(length_difference(len_model, len_baseline) / RESOLUTION) * RESOLUTION

"""How much a benchmark run can be trusted: separability and the judge's position consistency.

- Separability (Arena-Hard, arXiv 2406.11939): the share of model pairs whose confidence intervals
  do not overlap, i.e. how many orderings the benchmark can state with confidence.
- Position consistency: every question is judged twice with the answers' positions swapped; a
  verdict that changes with the order (the model wins in one order and ties or loses in the other)
  says more about where an answer sat than about the answer. FastChat issue #3911 measured 12.9% flips
  for GPT-4 on MT-Bench pairs.
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np


def separability(lower: Sequence[float], upper: Sequence[float]) -> dict:
    """Share of pairs whose [lower, upper] intervals are disjoint (None with fewer than two models)."""
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    pairs = list(combinations(range(len(lo)), 2))
    apart = sum(1 for i, j in pairs if hi[i] < lo[j] or hi[j] < lo[i])
    return {
        "separability": round(apart / len(pairs), 4) if pairs else None,
        "separable_pairs": apart,
        "model_pairs": len(pairs),
    }


def position_consistency(first: Sequence[float], second: Sequence[float],
                         first_model_is_a: Sequence[bool] | None = None) -> dict:
    """From the model's value (1 win, 0.5 tie, 0 loss) in each order of the same question.

    `first[i]` and `second[i]` are one question's two games (NaN where a game has no judged verdict;
    such questions are left out). `first_model_is_a[i]` says whether the model sat in position A in the
    first game (then it sits in B in the second); it gives the share of decisive games won by position
    A, the direction of the bias.
    """
    v0 = np.asarray(first, dtype=float)
    v1 = np.asarray(second, dtype=float)
    both = ~(np.isnan(v0) | np.isnan(v1))
    n = int(both.sum())
    flipped = int((v0[both] != v1[both]).sum())
    reversed_ = int((np.abs(v0[both] - v1[both]) == 1.0).sum())
    out = {
        "questions": n,
        "flipped": flipped,
        "flip_rate": round(flipped / n, 4) if n else None,
        "reversed": reversed_,
        "reversal_rate": round(reversed_ / n, 4) if n else None,
        "position_a_win_rate": None,
    }
    if first_model_is_a is not None and n:
        a0 = np.asarray(first_model_is_a, dtype=bool)[both]
        # value for position A in each game: the model's value where it sat in A, else 1 - value.
        va = np.concatenate([np.where(a0, v0[both], 1 - v0[both]), np.where(a0, 1 - v1[both], v1[both])])
        decisive = va != 0.5
        if decisive.any():
            out["position_a_win_rate"] = round(float((va[decisive] == 1.0).mean()), 4)
    return out

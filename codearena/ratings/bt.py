"""Bradley-Terry ratings by maximum likelihood, with ties, on the Elo scale.

Works for any comparison graph (model vs baseline, or human votes between any two models).
An outcome is the share of the win that goes to model A: 1 (A wins), 0.5 (tie or both bad),
0 (B wins); a tie is half a win for each side, as in Chatbot Arena's MLE fit. Ratings are
`scale * log_base(strength)`, shifted so that `anchor_model` sits at `anchor_rating` (or so that
the mean rating is `anchor_rating` when no anchor is given).

Battles are compressed before fitting: one row per distinct (A, B[, covariates]) with summed
weights, so the likelihood only sees how much each pair won against each other. The bootstrap
resamples units of independence (a question with all its games; a single battle for votes) as
multinomial counts, turns the counts into per-round pair weights with one matrix product, and fits
all rounds at once with a batched Newton solver (`newton.fit_rounds`) warm-started at the full-data
fit.

A model that never lost (or never won) inside its part of the comparison graph has no finite
maximum-likelihood rating; the tiny ridge keeps the number finite but meaningless, so every fit also
says which ratings are `bounded` (the model is in the same strongly connected "beat" component as
the anchor).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .newton import fit_rounds
from .resample import quantile_bounds, quantiles, unit_counts

RIDGE = 1e-6
# Keep each chunk of bootstrap rounds to about this many (round x row) cells (memory, not speed).
_CHUNK_CELLS = 4_000_000


def _encode(model_a: Sequence[str], model_b: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    models = sorted(set(model_a) | set(model_b))
    index = {m: i for i, m in enumerate(models)}
    return models, np.array([index[m] for m in model_a], dtype=np.int64), np.array(
        [index[m] for m in model_b], dtype=np.int64
    )


@dataclass
class Comparisons:
    """Battles compressed for fitting.

    The rows (`ia`, `ib`, `x`) are the distinct (A, B, covariates) combinations, with A < B (a battle
    with A > B is mirrored: outcome 1 - y, covariates negated). `per_unit` (n_units x rows, sparse)
    holds each unit's weight on each row and `per_unit_y` the part of it won by A.
    """

    models: list[str]
    ia: np.ndarray
    ib: np.ndarray
    x: np.ndarray | None
    per_unit: sparse.csr_matrix
    per_unit_y: sparse.csr_matrix
    covariate_names: list[str] = field(default_factory=list)
    # How many identical units each row of per_unit stands for (None: one each).
    multiplicity: np.ndarray | None = None

    @property
    def n_units(self) -> int:
        return self.per_unit.shape[0]

    @classmethod
    def build(
        cls,
        model_a: Sequence[str],
        model_b: Sequence[str],
        outcome: Sequence[float],
        *,
        weights: Sequence[float] | None = None,
        units: Sequence[int] | None = None,
        n_units: int | None = None,
        covariates: np.ndarray | None = None,
        covariate_names: Sequence[str] = (),
        models: Sequence[str] | None = None,
    ) -> "Comparisons":
        """`units[i]` is battle i's unit index (default: each battle its own unit)."""
        a, b = list(model_a), list(model_b)
        if not (len(a) == len(b) == len(outcome)):
            raise ValueError("model_a, model_b and outcome must have the same length")
        if models is None:
            names, ia, ib = _encode(a, b)
        else:
            names = list(models)
            index = {m: i for i, m in enumerate(names)}
            ia = np.array([index[m] for m in a], dtype=np.int64)
            ib = np.array([index[m] for m in b], dtype=np.int64)
        if np.any(ia == ib):
            i = int(np.flatnonzero(ia == ib)[0])
            raise ValueError(f"battle {i} compares model {a[i]!r} with itself")
        y = np.asarray(outcome, dtype=float)
        if np.any((y < 0) | (y > 1)) or np.any(np.isnan(y)):
            raise ValueError("outcomes must lie in [0, 1] (1: A wins, 0.5: tie, 0: B wins)")
        w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
        x = None if covariates is None else np.asarray(covariates, dtype=float).reshape(len(y), -1)
        flip = ia > ib
        ia, ib = np.where(flip, ib, ia), np.where(flip, ia, ib)
        y = np.where(flip, 1.0 - y, y)
        if x is not None:
            x = np.where(flip[:, None], -x, x)
        unit = np.arange(len(y)) if units is None else np.asarray(units, dtype=np.int64)
        n_units = (int(unit.max()) + 1 if len(unit) else 0) if n_units is None else n_units
        key = np.column_stack([ia, ib] + ([] if x is None else [x]))
        if len(key):
            uniq, row = np.unique(key, axis=0, return_inverse=True)
            row = row.ravel()
        else:
            uniq, row = np.zeros((0, key.shape[1])), np.zeros(0, dtype=np.int64)
        shape = (n_units, len(uniq))
        per_unit = sparse.csr_matrix((w, (unit, row)), shape=shape)
        per_unit_y = sparse.csr_matrix((w * y, (unit, row)), shape=shape)
        return cls(
            models=names,
            ia=uniq[:, 0].astype(np.int64),
            ib=uniq[:, 1].astype(np.int64),
            x=None if x is None else uniq[:, 2:],
            per_unit=per_unit,
            per_unit_y=per_unit_y,
            covariate_names=list(covariate_names),
        )

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        """Full-data row weights and A's share: (rows,), (rows,)."""
        if self.multiplicity is None:
            return np.asarray(self.per_unit.sum(axis=0)).ravel(), np.asarray(self.per_unit_y.sum(axis=0)).ravel()
        m = np.asarray(self.multiplicity, dtype=float)
        return self.per_unit.T @ m, self.per_unit_y.T @ m

    def round_weights(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Row weights for rounds that draw unit j `counts[r, j]` times: (R, rows) twice."""
        c = np.asarray(counts, dtype=float)
        return (self.per_unit.T @ c.T).T, (self.per_unit_y.T @ c.T).T


def _scale(scale: float, base: float) -> float:
    return scale / np.log(base)


def _anchor_offsets(ratings: np.ndarray, anchor: int | None, anchor_rating: float,
                    bounded: np.ndarray | None = None) -> np.ndarray:
    """Per-round shift that puts the anchor (or the mean of bounded ratings) at anchor_rating."""
    if anchor is not None:
        return anchor_rating - ratings[:, anchor]
    if bounded is None:
        return anchor_rating - ratings.mean(axis=1)
    with np.errstate(invalid="ignore"):
        mean = np.where(bounded, ratings, 0).sum(axis=1) / np.maximum(bounded.sum(axis=1), 1)
    return anchor_rating - mean


def bounded_ratings(n_models: int, ia: np.ndarray, ib: np.ndarray, w: np.ndarray, wy: np.ndarray,
                    anchor: int | None) -> np.ndarray:
    """(R, M) bool: the rating is finite in the MLE (same strongly connected beat-component as the anchor).

    An edge i -> j means i took some share of a win from j. Models outside the anchor's (else the
    largest) strongly connected component are infinitely better or worse than it; models with no
    games in a round are not rated at all.
    """
    w = np.atleast_2d(w)
    wy = np.atleast_2d(wy)
    out = np.zeros((w.shape[0], n_models), dtype=bool)
    # Only who took wins from whom matters: sum rows (covariate values) per pair of models.
    pairs, inv = np.unique(np.column_stack([ia, ib]), axis=0, return_inverse=True)
    to_pair = sparse.csr_matrix((np.ones(len(ia)), (np.arange(len(ia)), inv.ravel())), shape=(len(ia), len(pairs)))
    w, wy = (to_pair.T @ w.T).T, (to_pair.T @ wy.T).T
    ia, ib = pairs[:, 0], pairs[:, 1]
    # Fast path: when every pair that met in a round took wins from each other in both directions,
    # strong components are the connected components of the pairs that met. Rounds where all the
    # pairs of the full data met share them (the usual case); the rest take the general loop below.
    met = w > 0
    two_way = ~(met & ((wy <= 0) | (wy >= w))).any(axis=1)
    support = met.any(axis=0)
    full = two_way & (met == support).all(axis=1)
    if full.any():
        graph = sparse.csr_matrix((np.ones(int(support.sum())), (ia[support], ib[support])),
                                  shape=(n_models, n_models))
        _, label = connected_components(graph, directed=False)
        played = np.zeros(n_models, dtype=bool)
        played[ia[support]] = True
        played[ib[support]] = True
        if anchor is not None:
            ref = label[anchor]
        elif played.any():
            ref = np.bincount(label[played]).argmax()
        else:
            ref = -1
        out[full] = (label == ref) & played
    for r in np.flatnonzero(~full):
        a_wins = wy[r] > 0
        b_wins = (w[r] - wy[r]) > 0
        src = np.concatenate([ia[a_wins], ib[b_wins]])
        dst = np.concatenate([ib[a_wins], ia[b_wins]])
        graph = sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(n_models, n_models))
        _, label = connected_components(graph, directed=True, connection="strong")
        played = np.zeros(n_models, dtype=bool)
        played[ia[w[r] > 0]] = True
        played[ib[w[r] > 0]] = True
        if anchor is not None:
            ref = label[anchor]
        elif played.any():
            ref = np.bincount(label[played]).argmax()
        else:
            continue
        out[r] = (label == ref) & played
    return out


@dataclass
class BTFit:
    """Point ratings (full-data fit) and their bootstrap draws, anchored, on the Elo scale."""

    models: list[str]
    ratings: np.ndarray  # (M,)
    bounded: np.ndarray  # (M,) bool
    coefficients: np.ndarray  # (F,) covariate effects in rating points per unit of the covariate
    covariate_names: list[str]
    draws: np.ndarray  # (R, M) ridge-finite ratings per round
    draws_bounded: np.ndarray  # (R, M) bool
    coefficient_draws: np.ndarray  # (R, F)
    rounds: int
    seed: int | None
    anchor_model: str | None
    anchor_rating: float

    def intervals(self, confidence: float, *, infinite: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Percentile intervals; with `infinite`, unbounded draws count as +-inf (honest bounds)."""
        draws = _with_infinities(self.draws, self.draws_bounded, self.anchor_rating) if infinite else self.draws
        return quantile_bounds(draws, confidence)

    def coefficient_intervals(self, confidence: float) -> tuple[np.ndarray, np.ndarray]:
        return quantile_bounds(self.coefficient_draws, confidence)

    def point(self) -> np.ndarray:
        """Point ratings with unbounded ones as +-inf."""
        return _with_infinities(self.ratings[None, :], self.bounded[None, :], self.anchor_rating)[0]


def _with_infinities(ratings: np.ndarray, bounded: np.ndarray, anchor_rating: float) -> np.ndarray:
    # The ridge keeps unbounded ratings finite on the right side of the anchor: use that side.
    sign = np.where(ratings >= anchor_rating, np.inf, -np.inf)
    return np.where(bounded, ratings, sign)


def _chunks(rounds: int, cells_per_round: int) -> list[tuple[int, int]]:
    size = max(1, min(rounds, _CHUNK_CELLS // max(cells_per_round, 1)))
    return [(s, min(rounds, s + size)) for s in range(0, rounds, size)]


def fit_comparisons(
    comp: Comparisons,
    counts: np.ndarray | None = None,
    *,
    scale: float = 400.0,
    base: float = 10.0,
    anchor_model: str | None = None,
    anchor_rating: float = 1000.0,
    l2: float = RIDGE,
    seed: int | None = None,
) -> BTFit:
    """Fit the full data and, if `counts` (R x n_units: how often each unit is drawn) is given, every
    bootstrap round. `seed` is only recorded (the caller drew the counts)."""
    m = len(comp.models)
    f = 0 if comp.x is None else comp.x.shape[1]
    anchor = comp.models.index(anchor_model) if anchor_model is not None else None
    if anchor_model is not None and anchor is None:
        raise ValueError(f"anchor model {anchor_model!r} has no battles")
    k = _scale(scale, base)
    w0, wy0 = comp.totals()
    theta0 = fit_rounds(comp.ia, comp.ib, w0, wy0, m, x=comp.x, l2=l2)[0]
    bounded0 = bounded_ratings(m, comp.ia, comp.ib, w0, wy0, anchor)[0]
    r0 = theta0[:m] * k
    r0 = r0 + _anchor_offsets(r0[None, :], anchor, anchor_rating, bounded0[None, :])[0]
    draws = np.zeros((0, m))
    draws_bounded = np.zeros((0, m), dtype=bool)
    coef_draws = np.zeros((0, f))
    if counts is not None:
        counts = np.asarray(counts)
        rounds = counts.shape[0]
        draws = np.empty((rounds, m))
        draws_bounded = np.empty((rounds, m), dtype=bool)
        coef_draws = np.empty((rounds, f))
        for s, e in _chunks(rounds, max(len(comp.ia), comp.n_units)):
            w, wy = comp.round_weights(counts[s:e])
            theta = fit_rounds(comp.ia, comp.ib, w, wy, m, x=comp.x, l2=l2, init=theta0)
            bounded = bounded_ratings(m, comp.ia, comp.ib, w, wy, anchor)
            ratings = theta[:, :m] * k
            ratings += _anchor_offsets(ratings, anchor, anchor_rating, bounded)[:, None]
            draws[s:e] = ratings
            draws_bounded[s:e] = bounded
            coef_draws[s:e] = theta[:, m:] * k
    return BTFit(
        models=list(comp.models),
        ratings=r0,
        bounded=bounded0,
        coefficients=theta0[m:] * k,
        covariate_names=list(comp.covariate_names),
        draws=draws,
        draws_bounded=draws_bounded,
        coefficient_draws=coef_draws,
        rounds=draws.shape[0],
        seed=seed,
        anchor_model=anchor_model,
        anchor_rating=anchor_rating,
    )


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
    l2: float = RIDGE,
) -> dict[str, float]:
    """Ratings per model. `l2` is a tiny ridge so that a model that never lost stays finite."""
    comp = Comparisons.build(model_a, model_b, outcome, weights=weights)
    m = len(comp.models)
    w, wy = comp.totals()
    theta = fit_rounds(comp.ia, comp.ib, w, wy, m, l2=l2)[0]
    ratings = theta[:m] * _scale(scale, base)
    anchor = comp.models.index(anchor_model) if anchor_model in comp.models else None
    ratings = ratings + _anchor_offsets(ratings[None, :], anchor, anchor_rating)[0]
    return {name: float(r) for name, r in zip(comp.models, ratings)}


def rank_with_confidence(lower: pd.Series, upper: pd.Series) -> pd.Series:
    """1 + the number of models whose lower bound is above this model's upper bound."""
    return pd.Series({m: 1 + int((lower > upper[m]).sum()) for m in lower.index})


def grouped_units(groups: Sequence) -> tuple[np.ndarray, int]:
    """Unit index per battle from any hashable group labels (e.g. question ids)."""
    _, unit = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    unit = unit.ravel()
    return unit, (int(unit.max()) + 1 if len(unit) else 0)


def _identical_units(comp: Comparisons) -> tuple[Comparisons, np.ndarray]:
    """Merge units with identical data into one category with a multiplicity (battle-level resampling).

    A vote is one row with one weight, so 100,000 votes between 30 models collapse to a few thousand
    categories and the multinomial draw stays small.
    """
    # Each battle-unit holds exactly one entry, and both matrices were built from the same
    # coordinates, so their `indices`/`data` arrays line up battle by battle.
    pu, puy = comp.per_unit.tocsr(), comp.per_unit_y.tocsr()
    if not np.all(np.diff(pu.indptr) == 1):
        raise ValueError("_identical_units needs one battle per unit")
    key = np.column_stack([pu.indices, pu.data, puy.data])
    uniq, mult = np.unique(key, axis=0, return_counts=True)
    n = len(uniq)
    cols = uniq[:, 0].astype(np.int64)
    merged = Comparisons(
        models=comp.models, ia=comp.ia, ib=comp.ib, x=comp.x,
        per_unit=sparse.csr_matrix((uniq[:, 1], (np.arange(n), cols)), shape=(n, len(comp.ia))),
        per_unit_y=sparse.csr_matrix((uniq[:, 2], (np.arange(n), cols)), shape=(n, len(comp.ia))),
        covariate_names=comp.covariate_names,
        multiplicity=mult,
    )
    return merged, mult


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
    weights: Sequence[float] | None = None,
    covariates: np.ndarray | None = None,
    covariate_names: Sequence[str] = (),
) -> pd.DataFrame:
    """Point ratings (full-data fit) with percentile intervals and ranks with confidence.

    `groups` labels the unit of independence (e.g. the question a battle belongs to); whole groups
    are resampled. Without groups each battle is a unit. Columns: rating, lower, upper (ridge-finite
    numbers, as the fit returns them), rank, and `bounded` (False when the model never lost or never
    won in its part of the graph, so the true MLE is infinite). `df.attrs` records the bootstrap
    (rounds, seed, confidence, quantiles, unit) and any covariate coefficients.
    """
    if groups is None:
        comp = Comparisons.build(model_a, model_b, outcome, weights=weights, covariates=covariates,
                                 covariate_names=covariate_names)
        n_battles = comp.n_units
        comp, mult = _identical_units(comp)
        counts = unit_counts(n_battles, rounds, seed, multiplicity=mult)
        unit_name = "battle"
    else:
        unit, n_units = grouped_units(groups)
        comp = Comparisons.build(model_a, model_b, outcome, weights=weights, units=unit, n_units=n_units,
                                 covariates=covariates, covariate_names=covariate_names)
        counts = unit_counts(n_units, rounds, seed)
        unit_name = "group"
    fit = fit_comparisons(comp, counts, scale=scale, base=base, anchor_model=anchor_model,
                          anchor_rating=anchor_rating, seed=seed)
    # Keep finite numbers in this frame (the ridge values) for callers that sort or plot them.
    lower, upper = fit.intervals(confidence, infinite=False)
    df = pd.DataFrame({"rating": fit.ratings, "lower": lower, "upper": upper}, index=fit.models)
    df["rank"] = rank_with_confidence(df["lower"], df["upper"])
    df["bounded"] = fit.bounded
    df.attrs["bootstrap"] = {"rounds": rounds, "seed": seed, "confidence": confidence,
                             "quantiles": quantiles(confidence), "unit": unit_name}
    if fit.covariate_names:
        lo, hi = fit.coefficient_intervals(confidence)
        df.attrs["coefficients"] = {
            name: {"estimate": float(c), "lower": float(l), "upper": float(h)}
            for name, c, l, h in zip(fit.covariate_names, fit.coefficients, lo, hi)
        }
    return df.sort_values("rating", ascending=False)

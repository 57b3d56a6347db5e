"""Agreement of a judge with the human vote: classification metrics from confusion matrices.

Everything is computed from a confusion matrix (rows = human label, columns = judge label), so
that figures for a group of battles come from *pooling* the groups' matrices (adding them up), never
from averaging the groups' figures: the overall accuracy of the BigCodeArena paper is the
vote-weighted mean of its per-topic accuracies (which pooling gives), and its overall macro-F1 is
computed on the pooled records, which no average of per-topic F1s reproduces.

Definitions follow scikit-learn's (and upstream's use of it, `zero_division=0`), checked against it
in the tests: per-class precision/recall/F1 are 0 where undefined; macro averages run over the
labels that occur in the human or the judge labels (scikit-learn's default); Cohen's kappa is
unweighted; MCC is the multiclass Matthews correlation. Matrices may hold fractional counts.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

from codearena.reward.labels import ERROR, FOUR, THREE, merge


def confusion(true: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Counts of (human label, judge label) pairs; a label outside `labels` is an error."""
    if len(true) != len(pred):
        raise ValueError(f"{len(true)} human labels but {len(pred)} judge labels")
    index = {label: i for i, label in enumerate(labels)}
    cm = np.zeros((len(labels), len(labels)))
    for t, p in zip(true, pred):
        for label in (t, p):
            if label not in index:
                raise ValueError(f"label {label!r} is not one of {', '.join(labels)}")
        cm[index[t], index[p]] += 1
    return cm


def pool(matrices: Iterable[np.ndarray]) -> np.ndarray:
    """The confusion matrix of the union of disjoint groups: the sum of theirs."""
    matrices = list(matrices)
    if not matrices:
        raise ValueError("nothing to pool")
    return np.sum(matrices, axis=0)


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


def scores(cm: np.ndarray, labels: Sequence[str]) -> dict:
    """Accuracy, per-class and macro precision/recall/F1, Cohen's kappa, MCC and the matrix itself.

    Kappa is None where it is undefined (both raters used a single, identical label throughout).
    """
    cm = np.asarray(cm, dtype=float)
    n = float(cm.sum())
    true_sum, pred_sum, hits = cm.sum(axis=1), cm.sum(axis=0), np.diag(cm)
    per_class = {}
    for i, label in enumerate(labels):
        fp, fn = pred_sum[i] - hits[i], true_sum[i] - hits[i]
        per_class[label] = {
            "precision": _ratio(hits[i], pred_sum[i]),
            "recall": _ratio(hits[i], true_sum[i]),
            "f1": _ratio(2 * hits[i], 2 * hits[i] + fp + fn),
            "support": _count(true_sum[i]),
            "predicted": _count(pred_sum[i]),
        }
    present = [label for i, label in enumerate(labels) if true_sum[i] or pred_sum[i]]

    def macro(key: str) -> float | None:
        return float(np.mean([per_class[label][key] for label in present])) if present else None

    return {
        "n": _count(n),
        "accuracy": _ratio(hits.sum(), n) if n else None,
        "macro_precision": macro("precision"),
        "macro_recall": macro("recall"),
        "macro_f1": macro("f1"),
        "cohen_kappa": _kappa(cm),
        "mcc": _mcc(cm) if n else None,
        "per_class": per_class,
        "confusion": {"labels": list(labels), "matrix": [[_count(v) for v in row] for row in cm]},
    }


def _count(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _kappa(cm: np.ndarray) -> float | None:
    n = cm.sum()
    if not n:
        return None
    observed = np.trace(cm) / n
    expected = float(np.dot(cm.sum(axis=1), cm.sum(axis=0))) / n**2
    if np.isclose(expected, 1.0):
        return None
    return float((observed - expected) / (1 - expected))


def _mcc(cm: np.ndarray) -> float:
    """scikit-learn's multiclass MCC: 0 when either side used a single label."""
    t, p, n = cm.sum(axis=1), cm.sum(axis=0), cm.sum()
    cov_tp = np.trace(cm) * n - np.dot(t, p)
    cov_pp = n**2 - np.dot(p, p)
    cov_tt = n**2 - np.dot(t, t)
    if cov_pp * cov_tt == 0:
        return 0.0
    return float(cov_tp / np.sqrt(cov_tt * cov_pp))


def evaluate(records: Iterable[dict]) -> dict:
    """Judge-vs-human metrics for records `{"human", "judge", "category"}` (labels of `labels.FOUR`,
    the judge's may also be "error").

    Four-class metrics use the labels as they are; three-class metrics merge tie and both-bad on
    both sides (the headline: judges are never offered "both bad"). Battles the judge failed are
    left out of the metrics and counted in `failed` / `coverage`; `accuracy_counting_failures`
    scores them as wrong. Overall figures come from the pooled per-category matrices.
    """
    by_category: dict[str, list[dict]] = {}
    for record in records:
        by_category.setdefault(record.get("category") or "unknown", []).append(record)
    groups = {cat: _group(recs) for cat, recs in sorted(by_category.items())}
    overall = _finish(
        battles=sum(g["battles"] for g in groups.values()),
        cm4=pool([g["_cm4"] for g in groups.values()]) if groups else np.zeros((4, 4)),
    )
    for g in groups.values():
        g.pop("_cm4")
    return {**overall, "by_category": groups}


def _group(records: list[dict]) -> dict:
    judged = [r for r in records if r["judge"] != ERROR]
    cm4 = confusion([r["human"] for r in judged], [r["judge"] for r in judged], FOUR)
    return {**_finish(len(records), cm4), "_cm4": cm4}


def _finish(battles: int, cm4: np.ndarray) -> dict:
    """All figures for a group from its four-class matrix (the three-class one is derived from it)."""
    judged = int(round(cm4.sum()))
    cm3 = merge_matrix(cm4)
    three = scores(cm3, THREE)
    return {
        "battles": battles,
        "judged": judged,
        "failed": battles - judged,
        "coverage": judged / battles if battles else None,
        "three_class": three,
        "four_class": scores(cm4, FOUR),
        "accuracy_counting_failures": float(np.trace(cm3) / battles) if battles else None,
    }


def merge_matrix(cm4: np.ndarray) -> np.ndarray:
    """The three-class matrix from the four-class one: both-bad rows and columns added to tie's."""
    to3 = np.zeros((len(FOUR), len(THREE)))
    for i, label in enumerate(FOUR):
        to3[i, THREE.index(merge(label))] = 1
    return to3.T @ np.asarray(cm4, dtype=float) @ to3

"""Ratings on real verdicts: Arena-Hard's battles file and its published bootstrap results.

`arena_hard_battles_74e8b6f.jsonl` is a development snapshot of arena-hard-auto (120 questions, four
models against claude-3-haiku, strong verdicts already repeated 3x); no published numbers correspond
to it (SOURCE.txt), so the checks are the ones that hold for any such file: the closed form of a
star-graph fit, an independent fit, the question-level bootstrap, and the published v0.1 ordering of
the same models. `notebook-bootstrap/` holds bootstrap results upstream published; they pin down the
percentile convention.
"""

import json

import numpy as np
import pandas as pd
import pytest

from codearena.ratings.bt import bootstrap_bt, fit_bt
from codearena.ratings.quality import separability
from codearena.ratings.resample import quantile_bounds

BASELINE = "claude-3-haiku-20240307"
# The snapshot's short names -> the published leaderboard's names.
PUBLISHED_NAMES = {"gpt-4o": "gpt-4o-2024-05-13", "gpt-4o-mini": "gpt-4o-mini-2024-07-18"}


@pytest.fixture
def battles(shared_data):
    rows = [json.loads(line) for line in
            (shared_data / "arena-hard-auto/arena_hard_battles_74e8b6f.jsonl").read_text().split("\n") if line]
    df = pd.DataFrame(rows)
    df["y"] = df["winner"].map({"model_a": 1.0, "model_b": 0.0, "tie": 0.5})
    assert df["y"].notna().all() and len(df) == 2136
    return df


def test_star_graph_fit_is_the_logit_of_the_win_rate(battles):
    # Every battle is a model against the baseline, so the MLE gives each model the rating whose
    # predicted win rate equals its observed one: anchor + 400 log10(p / (1 - p)).
    ratings = fit_bt(battles["model_a"], battles["model_b"], battles["y"], anchor_model=BASELINE)
    assert ratings[BASELINE] == 1000.0
    for model, g in battles.groupby("model_b"):
        p = 1 - g["y"].mean()
        assert ratings[model] == pytest.approx(1000 + 400 * np.log10(p / (1 - p)), abs=0.01)


def test_arena_hard_v01_method_gives_the_same_ratings(battles):
    # arena-hard v0.1 (compute_mle_elo): scikit-learn logistic regression on a +-log(10) design,
    # 400 * coef + 1000 with the baseline anchored, a tie duplicated as one win and one loss. v0.1 gave
    # each copy weight 1 (a tie counted as two games); here each copy weighs 1/2, so that a tie is one
    # game split in half, the convention of FastChat's MLE and of codearena.
    from sklearn.linear_model import LogisticRegression

    models = sorted(set(battles["model_a"]) | set(battles["model_b"]))
    idx = {m: i for i, m in enumerate(models)}
    x, target, weight = [], [], []
    for a, b, y in zip(battles["model_a"], battles["model_b"], battles["y"]):
        row = np.zeros(len(models)); row[idx[a]] = np.log(10); row[idx[b]] = -np.log(10)
        outcomes = [(1, 0.5), (0, 0.5)] if y == 0.5 else [(int(y), 1.0)]
        for o, w in outcomes:
            x.append(row); target.append(o); weight.append(w)
    lr = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=10_000)
    lr.fit(np.array(x), target, sample_weight=weight)
    elo = 400 * lr.coef_[0]
    elo += 1000 - elo[idx[BASELINE]]
    ours = fit_bt(battles["model_a"], battles["model_b"], battles["y"], anchor_model=BASELINE)
    for m in models:
        assert ours[m] == pytest.approx(elo[idx[m]], abs=0.05)


def test_same_order_as_the_published_v01_leaderboard(battles, shared_data):
    published = pd.read_csv(shared_data / "arena-hard-auto/arena_hard_leaderboard_20240731.csv").set_index("model")
    ours = fit_bt(battles["model_a"], battles["model_b"], battles["y"], anchor_model=BASELINE)
    order = sorted(ours, key=ours.get, reverse=True)
    published_order = sorted(order, key=lambda m: published.loc[PUBLISHED_NAMES.get(m, m), "score"], reverse=True)
    assert order == published_order


def test_question_bootstrap_is_wider_than_battle_bootstrap(battles):
    # Upstream resampled battles; a question's games (and the 3 copies of a strong verdict) are not
    # independent, so resampling questions gives honest, wider intervals.
    kw = dict(rounds=500, seed=0, anchor_model=BASELINE, confidence=0.95)
    by_question = bootstrap_bt(battles["model_a"], battles["model_b"], battles["y"],
                               groups=battles["question_id"], **kw)
    by_battle = bootstrap_bt(battles["model_a"], battles["model_b"], battles["y"], **kw)
    assert by_question.attrs["bootstrap"]["unit"] == "group"
    for m in by_question.index.drop(BASELINE):
        q, b = by_question.loc[m], by_battle.loc[m]
        assert q["lower"] <= q["rating"] <= q["upper"]
        assert (q["upper"] - q["lower"]) > 1.3 * (b["upper"] - b["lower"])
    # Every model beats the baseline with confidence; the baseline ranks last.
    assert by_question.loc[BASELINE, "rank"] == len(by_question)
    assert (by_question.drop(BASELINE)["lower"] > 1000).all()


@pytest.mark.parametrize("name, confidence", [("bootstrap_stats_arena_hard_bt.jsonl", 0.95),
                                              ("bootstrap_stats_20k_votes.jsonl", 0.95),
                                              ("bootstrap_stats_mt_bench.jsonl", 0.95)])
def test_interval_convention_matches_published_bootstrap_results(shared_data, name, confidence):
    # Upstream's `lower`/`upper` are numpy's linear-interpolation 2.5th and 97.5th percentiles of
    # `results`; ours must be the same numbers, so intervals (and separability) are comparable.
    rows = [json.loads(line) for line in (shared_data / "arena-hard-auto/notebook-bootstrap" / name).read_text().split("\n")
            if line]
    draws = np.array([r["results"] for r in rows]).T
    lo, hi = quantile_bounds(draws, confidence)
    assert lo == pytest.approx([r["lower"] for r in rows], abs=1e-6)
    assert hi == pytest.approx([r["upper"] for r in rows], abs=1e-6)
    sep = separability(lo, hi)
    assert sep["model_pairs"] == len(rows) * (len(rows) - 1) // 2
    brute = sum(1 for i in range(len(rows)) for j in range(i + 1, len(rows))
                if hi[i] < lo[j] or hi[j] < lo[i])
    assert sep["separable_pairs"] == brute

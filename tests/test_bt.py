"""Bradley-Terry: the Wikipedia worked example, invariances, and ties as half wins."""

import json

import numpy as np
import pytest

from codearena.ratings.bt import bootstrap_bt, fit_bt


def worked_example(shared_data):
    data = json.loads((shared_data / "bt-worked-example/wikipedia_bt_example.json").read_text())
    a, b, y, w = [], [], [], []
    for g in data["games"]:
        a.append(g["winner"]); b.append(g["loser"]); y.append(1.0); w.append(g["count"])
    return data, a, b, y, w


def test_wikipedia_worked_example(shared_data):
    data, a, b, y, w = worked_example(shared_data)
    ratings = fit_bt(a, b, y, w, scale=1.0, base=np.e, anchor_rating=0.0)  # natural-log strengths, mean 0
    for player, strength in data["expected_strength"].items():
        assert np.exp(ratings[player]) == pytest.approx(strength, rel=data["rtol"])


def test_relabelling_and_swapping_sides_change_nothing(shared_data):
    _, a, b, y, w = worked_example(shared_data)
    base = fit_bt(a, b, y, w)
    renamed = fit_bt([x.lower() for x in a], [x.lower() for x in b], y, w)
    assert {k.upper(): v for k, v in renamed.items()} == pytest.approx(base)
    swapped = fit_bt(b, a, [1 - v for v in y], w)
    assert swapped == pytest.approx(base)


def test_ties_count_as_half_a_win_and_anchor_is_respected():
    a = ["x", "x", "x", "x"]
    b = ["y", "y", "y", "y"]
    r = fit_bt(a, b, [1, 0.5, 0.5, 0], anchor_model="y", anchor_rating=1000)
    assert r["y"] == 1000 and r["x"] == pytest.approx(1000, abs=1e-3)
    r = fit_bt(a, b, [1, 1, 1, 0], anchor_model="y", anchor_rating=1000)
    assert r["x"] - r["y"] == pytest.approx(400 * np.log10(3), abs=0.5)  # p = 0.75 -> odds 3


def test_bootstrap_intervals_contain_point_and_rank():
    rng = np.random.default_rng(0)
    a, b, y = [], [], []
    strength = {"m1": 1.0, "m2": 0.0, "m3": -1.0}
    for _ in range(300):
        i, j = rng.choice(3, size=2, replace=False)
        mi, mj = f"m{i + 1}", f"m{j + 1}"
        p = 1 / (1 + np.exp(-(strength[mi] - strength[mj])))
        a.append(mi); b.append(mj); y.append(float(rng.random() < p))
    df = bootstrap_bt(a, b, y, rounds=200, seed=1, anchor_model="m2")
    assert list(df.index) == ["m1", "m2", "m3"]
    assert (df["lower"] <= df["rating"]).all() and (df["rating"] <= df["upper"]).all()
    assert list(df["rank"]) == [1, 2, 3]
    again = bootstrap_bt(a, b, y, rounds=200, seed=1, anchor_model="m2")
    assert again.equals(df)


# --- the vectorised bootstrap, boundedness, covariates and invariances ---------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from codearena.ratings.bt import Comparisons, fit_comparisons  # noqa: E402
from codearena.ratings.newton import fit_rounds  # noqa: E402
from codearena.ratings.resample import unit_counts  # noqa: E402


def simulated(n_models=5, n_battles=800, seed=0, ties=0.15):
    rng = np.random.default_rng(seed)
    strength = rng.normal(0, 1, n_models)
    a, b, y = [], [], []
    for _ in range(n_battles):
        i, j = rng.choice(n_models, size=2, replace=False)
        p = 1 / (1 + np.exp(-(strength[i] - strength[j])))
        u = rng.random()
        a.append(f"m{i}"); b.append(f"m{j}")
        y.append(0.5 if u < ties else float(rng.random() < p))
    return a, b, y


def test_fit_matches_sklearn_logistic_regression():
    # An independent fit: scikit-learn's unpenalised logistic regression on the +-1 design, with a tie
    # split into half a win and half a loss (what arena-hard v0.1 did by duplicating tie rows).
    from sklearn.linear_model import LogisticRegression

    a, b, y = simulated()
    models = sorted(set(a) | set(b))
    idx = {m: i for i, m in enumerate(models)}
    rows, target, weight = [], [], []
    for ai, bi, yi in zip(a, b, y):
        x = np.zeros(len(models)); x[idx[ai]] = 1; x[idx[bi]] = -1
        for outcome, w in ((1, yi), (0, 1 - yi)):
            if w:
                rows.append(x); target.append(outcome); weight.append(w)
    lr = LogisticRegression(fit_intercept=False, C=np.inf, tol=1e-10, max_iter=10_000)
    lr.fit(np.array(rows), np.array(target), sample_weight=np.array(weight))
    expected = 400 / np.log(10) * (lr.coef_[0] - lr.coef_[0][idx["m0"]]) + 1000
    ours = fit_bt(a, b, y, anchor_model="m0")
    for m in models:
        assert ours[m] == pytest.approx(expected[idx[m]], abs=0.05)


def test_vectorised_rounds_equal_one_fit_per_round():
    a, b, y = simulated(n_battles=300)
    unit, n_units = np.arange(len(a)), len(a)
    comp = Comparisons.build(a, b, y, units=unit, n_units=n_units)
    counts = unit_counts(n_units, 5, seed=3)
    fit = fit_comparisons(comp, counts, anchor_model="m1")
    for r in range(5):
        one = fit_bt(a, b, y, weights=counts[r], anchor_model="m1")
        assert fit.draws[r] == pytest.approx([one[m] for m in fit.models], abs=1e-3)


def test_battle_bootstrap_compresses_votes_without_changing_the_answer():
    a, b, y = simulated(n_battles=2000)
    df = bootstrap_bt(a, b, y, rounds=300, seed=5, anchor_model="m0", confidence=0.95)
    assert df.attrs["bootstrap"] == {"rounds": 300, "seed": 5, "confidence": 0.95, "quantiles": [0.025, 0.975],
                                     "unit": "battle"}
    # Same draws from the raw battles (no compression): the same distribution, so similar intervals.
    comp = Comparisons.build(a, b, y)
    fit = fit_comparisons(comp, unit_counts(len(a), 300, seed=5), anchor_model="m0")
    lo, hi = fit.intervals(0.95)
    for i, m in enumerate(fit.models):
        assert df.loc[m, "upper"] - df.loc[m, "lower"] == pytest.approx(hi[i] - lo[i], rel=0.25, abs=2)


def test_question_groups_widen_intervals_when_games_agree():
    # Two games per question that always agree: treating them as independent halves the information.
    rng = np.random.default_rng(2)
    a, b, y, g = [], [], [], []
    for q in range(200):
        v = float(rng.random() < 0.6)
        for _ in range(2):
            a.append("model"); b.append("base"); y.append(v); g.append(q)
    grouped = bootstrap_bt(a, b, y, groups=g, rounds=500, seed=0, anchor_model="base")
    battles = bootstrap_bt(a, b, y, rounds=500, seed=0, anchor_model="base")
    width = lambda df: df.loc["model", "upper"] - df.loc["model", "lower"]  # noqa: E731
    assert width(grouped) > 1.25 * width(battles)


def test_undefeated_model_is_flagged_unbounded():
    a = ["x"] * 6 + ["y"] * 6
    b = ["y"] * 6 + ["z"] * 6
    y = [1.0] * 6 + [1.0, 0.0, 0.5, 1.0, 0.0, 1.0]
    df = bootstrap_bt(a, b, y, rounds=50, seed=0, anchor_model="y")
    assert not df.loc["x", "bounded"] and df.loc["y", "bounded"] and df.loc["z", "bounded"]
    comp = Comparisons.build(a, b, y)
    fit = fit_comparisons(comp, unit_counts(len(a), 50, seed=0), anchor_model="y")
    point = dict(zip(fit.models, fit.point()))
    assert point["x"] == np.inf and np.isfinite(point["z"])
    lo, hi = fit.intervals(0.9)
    assert hi[fit.models.index("x")] == np.inf


def test_length_covariate_is_recovered_and_removed_from_ratings():
    # The judge prefers the longer answer; the models are equally good at equal length.
    rng = np.random.default_rng(4)
    a, b, y, x = [], [], [], []
    for _ in range(3000):
        i, j = rng.choice(3, size=2, replace=False)
        diff = rng.uniform(-1, 1)
        p = 1 / (1 + np.exp(-1.5 * diff))
        a.append(f"m{i}"); b.append(f"m{j}"); x.append(diff); y.append(float(rng.random() < p))
    df = bootstrap_bt(a, b, y, rounds=100, seed=0, anchor_model="m0", covariates=np.array(x)[:, None],
                      covariate_names=["length"])
    coef = df.attrs["coefficients"]["length"]
    assert coef["lower"] < 1.5 * 400 / np.log(10) < coef["upper"]
    assert df["rating"].sub(1000).abs().max() < 25


def test_newton_gradient_vanishes_at_the_optimum():
    a, b, y = simulated(n_models=6, n_battles=500, seed=9)
    comp = Comparisons.build(a, b, y)
    w, wy = comp.totals()
    theta = fit_rounds(comp.ia, comp.ib, w, wy, len(comp.models), l2=1e-6)[0]
    d = theta[comp.ia] - theta[comp.ib]
    r = w / (1 + np.exp(-d)) - wy
    grad = np.bincount(comp.ia, r, minlength=6) - np.bincount(comp.ib, r, minlength=6) + 1e-6 * theta
    assert np.abs(grad).max() < 1e-6


battles = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 4), st.sampled_from([0.0, 0.5, 1.0]), st.sampled_from([1.0, 3.0])),
    min_size=3, max_size=40,
).map(lambda rows: [r for r in rows if r[0] != r[1]]).filter(lambda rows: len(rows) >= 2)


def bounded_models(a, b, y, w, anchor):
    """Models with a finite MLE rating (an unbounded one's ridge value depends on where Newton stops)."""
    fit = fit_comparisons(Comparisons.build(a, b, y, weights=w), anchor_model=anchor)
    return {m for m, ok in zip(fit.models, fit.bounded) if ok}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(battles, st.permutations(range(5)))
def test_relabelling_models_changes_nothing(rows, perm):
    a = [f"m{r[0]}" for r in rows]; b = [f"m{r[1]}" for r in rows]
    y = [r[2] for r in rows]; w = [r[3] for r in rows]
    base = fit_bt(a, b, y, w, anchor_model=a[0])
    relabel = {f"m{i}": f"n{perm[i]}" for i in range(5)}
    other = fit_bt([relabel[m] for m in a], [relabel[m] for m in b], y, w, anchor_model=relabel[a[0]])
    bounded = bounded_models(a, b, y, w, a[0])
    assert bounded_models([relabel[m] for m in a], [relabel[m] for m in b], y, w, relabel[a[0]]) == {
        relabel[m] for m in bounded}
    for m in bounded:
        assert other[relabel[m]] == pytest.approx(base[m], abs=1e-3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(battles, st.lists(st.booleans(), min_size=40, max_size=40))
def test_swapping_sides_changes_nothing(rows, swap):
    a = [f"m{r[0]}" for r in rows]; b = [f"m{r[1]}" for r in rows]
    y = [r[2] for r in rows]; w = [r[3] for r in rows]
    base = fit_bt(a, b, y, w, anchor_model=a[0])
    a2 = [bb if s else aa for aa, bb, s in zip(a, b, swap)]
    b2 = [aa if s else bb for aa, bb, s in zip(a, b, swap)]
    y2 = [1 - yy if s else yy for yy, s in zip(y, swap)]
    swapped = fit_bt(a2, b2, y2, w, anchor_model=a[0])
    bounded = bounded_models(a, b, y, w, a[0])
    assert bounded_models(a2, b2, y2, w, a[0]) == bounded
    for m in bounded:
        assert swapped[m] == pytest.approx(base[m], abs=1e-3)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(battles, st.integers(0, 2**31 - 1))
def test_bootstrap_is_seeded_and_intervals_hold_the_point(rows, seed):
    a = [f"m{r[0]}" for r in rows]; b = [f"m{r[1]}" for r in rows]
    y = [r[2] for r in rows]; groups = [i // 2 for i in range(len(rows))]
    one = bootstrap_bt(a, b, y, groups=groups, rounds=40, seed=seed, anchor_model=a[0])
    two = bootstrap_bt(a, b, y, groups=groups, rounds=40, seed=seed, anchor_model=a[0])
    assert one.equals(two)
    assert (one["rank"] >= 1).all() and (one["rank"] <= len(one)).all()
    assert one.loc[a[0], "rating"] == pytest.approx(1000.0)

"""Human and judge leaderboards of the battle models, and their rank correlations with bootstrap intervals."""

import random

import pytest
from scipy import stats
from threadpoolctl import threadpool_limits

from codearena.ratings.bt import fit_bt
from codearena.reward.ratings import leaderboard, rank_correlations

@pytest.fixture(autouse=True)
def one_blas_thread():
    """As in the summary job: many tiny fits are far slower with OpenBLAS threads on a busy machine."""
    with threadpool_limits(1):
        yield


STRENGTH = {"m1": 2.0, "m2": 1.0, "m3": 0.0, "m4": -1.0, "m5": -2.0}


def battles(n=600, seed=0):
    rng = random.Random(seed)
    a, b, y = [], [], []
    for _ in range(n):
        p, q = rng.sample(sorted(STRENGTH), 2)
        win = 1 / (1 + 10 ** ((STRENGTH[q] - STRENGTH[p]) * 100 / 400))
        r = rng.random()
        a.append(p), b.append(q), y.append(1.0 if r < win * 0.9 else 0.5 if r < win * 0.9 + 0.1 else 0.0)
    return a, b, y


def test_leaderboard_recovers_the_order_and_counts_battles():
    a, b, y = battles()
    rows = leaderboard(a, b, y, rounds=50, seed=0, confidence=0.95)
    assert [r["model"] for r in rows] == ["m1", "m2", "m3", "m4", "m5"]
    assert all(r["lower"] <= r["rating"] <= r["upper"] for r in rows)
    assert sum(r["battles"] for r in rows) == 2 * len(y)
    assert leaderboard([], [], [], rounds=10, seed=0, confidence=0.9) == []


def test_a_judge_that_agrees_with_people_correlates_perfectly_and_a_contrarian_negatively():
    a, b, y = battles()
    same = rank_correlations(a, b, y, y, rounds=60, seed=1, confidence=0.95)
    for name in ("spearman", "kendall", "pearson"):
        assert same[name]["value"] == pytest.approx(1.0)
        assert same[name]["lower"] == pytest.approx(1.0) and same[name]["upper"] == pytest.approx(1.0)
    flipped = rank_correlations(a, b, y, [1 - v for v in y], rounds=60, seed=1, confidence=0.95)
    assert flipped["spearman"]["value"] == pytest.approx(-1.0) and flipped["kendall"]["value"] == pytest.approx(-1.0)


def test_point_values_are_scipy_on_the_two_bt_fits_and_the_interval_contains_them():
    a, b, y = battles(300, seed=3)
    rng = random.Random(4)
    noisy = [v if rng.random() < 0.6 else rng.choice([0.0, 0.5, 1.0]) for v in y]
    got = rank_correlations(a, b, y, noisy, rounds=100, seed=2, confidence=0.9)
    human, judge = fit_bt(a, b, y), fit_bt(a, b, noisy)
    models = sorted(human)
    x, z = [human[m] for m in models], [judge[m] for m in models]
    assert got["spearman"]["value"] == pytest.approx(stats.spearmanr(x, z)[0])
    assert got["kendall"]["value"] == pytest.approx(stats.kendalltau(x, z)[0])
    assert got["pearson"]["value"] == pytest.approx(stats.pearsonr(x, z)[0])
    assert got["pearson"]["lower"] <= got["pearson"]["value"] <= got["pearson"]["upper"]
    assert got["pearson"]["lower"] < got["pearson"]["upper"]
    # Seeded: the same call gives the same intervals, whatever ran before.
    assert rank_correlations(a, b, y, noisy, rounds=100, seed=2, confidence=0.9) == got


def test_too_few_models_give_a_note_instead_of_numbers():
    got = rank_correlations(["x", "x"], ["y", "y"], [1.0, 0.0], [1.0, 1.0], rounds=10, seed=0, confidence=0.9)
    assert "needs at least 3 models" in got["note"] and "spearman" not in got

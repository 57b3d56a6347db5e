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

"""Win rate against the baseline, question-level bootstrap, coverage and grouping."""

import numpy as np
import pytest

from codearena.io import ArtifactError, write_jsonl
from codearena.leaderboard import build_leaderboard
from codearena.ratings.winrate import bootstrap, game_outcome

SETTINGS = {"bootstrap_rounds": 500, "seed": 7, "confidence": 0.9, "strong_weight": 3}


def answer(uid, model, status="ok", env="HTML", category="web_design"):
    return {"uid": uid, "model": model, "status": status, "environment": env if status == "ok" else None,
            "category": category, "usage": {"total_tokens": 10}, "cost_usd": 0.001}


def judgment(uid, model, v0, v1, judge="j", baseline="base", category="web_design", skipped=None):
    """v0: verdict with A=baseline; v1: verdict with A=model."""
    return {"uid": uid, "category": category, "judge": judge, "model": model, "baseline": baseline,
            "games": [{"a": baseline, "b": model, "verdict": v0, "skipped": skipped, "error": None if v0 or skipped else "x"},
                      {"a": model, "b": baseline, "verdict": v1, "skipped": skipped, "error": None if v1 or skipped else "x"}]}


def build(tmp_path, judgments, answers, baseline_answers):
    write_jsonl(tmp_path / "j.jsonl", judgments)
    write_jsonl(tmp_path / "m.jsonl", answers)
    write_jsonl(tmp_path / "base.jsonl", baseline_answers)
    return build_leaderboard({"j": {"m": tmp_path / "j.jsonl"}}, {"m": tmp_path / "m.jsonl", "base": tmp_path / "base.jsonl"},
                             "base", SETTINGS)


def test_game_outcome_weights_strong_verdicts_and_inverts_position():
    assert game_outcome("A>>B", True, 3) == (1.0, 3)
    assert game_outcome("A>>B", False, 3) == (0.0, 3)
    assert game_outcome("B>A", False, 3) == (1.0, 1)
    assert game_outcome("A=B", True, 3) == (0.5, 1)


def test_score_matches_upstream_exploded_mean(tmp_path):
    # q1: model strongly better in both orders -> 6 rows of 1; q2: tie + slight loss -> rows 0.5, 0
    js = [judgment("q1", "m", "B>>A", "A>>B"), judgment("q2", "m", "A=B", "B>A")]
    ans = [answer("q1", "m"), answer("q2", "m")]
    lb = build(tmp_path, js, ans, [answer("q1", "base"), answer("q2", "base")])
    rows = {r["model"]: r for r in lb["judges"]["j"]["overall"]}
    exploded = [1] * 6 + [0.5, 0]
    assert rows["m"]["score"] == pytest.approx(100 * np.mean(exploded), abs=0.01)
    assert rows["base"]["score"] == 50.0 and rows["base"]["baseline"]
    assert rows["m"]["wins"] == 2 and rows["m"]["ties"] == 1 and rows["m"]["losses"] == 1


def test_failed_answers_count_as_losses_and_lower_coverage(tmp_path):
    js = [judgment("q1", "m", "B>A", "A>B"), judgment("q2", "m", None, None, skipped="model answer failed")]
    ans = [answer("q1", "m"), answer("q2", "m", status="failed")]
    lb = build(tmp_path, js, ans, [answer("q1", "base"), answer("q2", "base")])
    row = next(r for r in lb["judges"]["j"]["overall"] if r["model"] == "m")
    # q1: two plain wins; q2: a failed answer loses both games strongly (weight 3 each).
    assert row["score"] == pytest.approx(100 * 2 / 8, abs=0.01)
    assert row["coverage"] == 50.0 and row["answers_failed"] == 1


def test_judge_errors_are_excluded_and_counted(tmp_path):
    js = [judgment("q1", "m", "B>A", "A>B"), judgment("q2", "m", None, "B>A")]
    lb = build(tmp_path, js, [answer("q1", "m"), answer("q2", "m")], [answer("q1", "base"), answer("q2", "base")])
    row = next(r for r in lb["judges"]["j"]["overall"] if r["model"] == "m")
    assert row["judge_errors"] == 1
    assert row["score"] == pytest.approx(100 * 2 / 3, abs=0.01)


def test_groups_by_topic_and_environment(tmp_path):
    js = [judgment("q1", "m", "B>A", "A>B", category="web_design"),
          judgment("q2", "m", "A>B", "B>A", category="problem_solving")]
    ans = [answer("q1", "m", env="HTML", category="web_design"),
           answer("q2", "m", env="Python Runner", category="problem_solving")]
    lb = build(tmp_path, js, ans, [answer("q1", "base"), answer("q2", "base")])
    board = lb["judges"]["j"]
    assert set(board["by_topic"]) == {"web_design", "problem_solving"}
    assert next(r for r in board["by_topic"]["web_design"] if r["model"] == "m")["score"] == 100.0
    assert [r["score"] for r in board["by_environment"]["Python Runner"]] == [0.0]
    assert lb["bootstrap"]["rounds"] == 500 and lb["bootstrap"]["seed"] == 7


def test_record_from_another_judge_is_rejected(tmp_path):
    js = [judgment("q1", "m", "B>A", "A>B", judge="other")]
    with pytest.raises(ArtifactError, match="j.jsonl: record uid 'q1' is from judge 'other'"):
        build(tmp_path, js, [answer("q1", "m")], [answer("q1", "base")])


def test_bootstrap_is_seeded_and_resamples_questions():
    rng = np.random.default_rng(1)
    num = rng.integers(0, 3, size=200).astype(float)
    den = np.full(200, 2.0)
    s1, lo1, hi1 = bootstrap(num, den, 300, seed=3, confidence=0.9)
    s2, lo2, hi2 = bootstrap(num, den, 300, seed=3, confidence=0.9)
    assert np.array_equal(s1, s2) and lo1 == lo2 and hi1 == hi2
    point = num.sum() / den.sum()
    assert lo1[0] < point < hi1[0]
    # Resampling whole questions: the interval matches the standard error of per-question means.
    se = np.std(num / den, ddof=1) / np.sqrt(200)
    assert (hi1[0] - lo1[0]) == pytest.approx(2 * 1.645 * se, rel=0.25)


# --- ratings, judges, quality and invariances on the leaderboard ---------------------------------

import json  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from codearena.leaderboard import SCHEMA_VERSION  # noqa: E402

LABELS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"]


def build_many(tmp, verdicts, settings_=None, answers=None, baseline="base"):
    """verdicts[judge][model] = [(uid, v0, v1), ...] -> leaderboard (files written under tmp)."""
    tmp = Path(tmp)
    models = sorted({m for per in verdicts.values() for m in per})
    uids = sorted({u for per in verdicts.values() for rows in per.values() for u, _, _ in rows})
    answers = answers or {}
    answer_files = {}
    for m in models + [baseline]:
        recs = [answers.get((m, u)) or answer(u, m) for u in uids]
        answer_files[m] = tmp / f"answers-{m}.jsonl"
        write_jsonl(answer_files[m], recs)
    judgment_files = {}
    for judge, per in verdicts.items():
        for m, rows in per.items():
            path = tmp / f"{judge}-{m}.jsonl"
            write_jsonl(path, [judgment(u, m, v0, v1, judge=judge, baseline=baseline) for u, v0, v1 in rows])
            judgment_files.setdefault(judge, {})[m] = path
    return build_leaderboard(judgment_files, answer_files, baseline, {**SETTINGS, **(settings_ or {})})


def rows_of(board):
    return {r["model"]: r for r in board["overall"]}


def test_rating_is_the_elo_transform_of_the_win_rate(tmp_path):
    rng = np.random.default_rng(0)
    verdicts = {"j": {"m": [(f"q{i}", LABELS[rng.integers(5)], LABELS[rng.integers(5)]) for i in range(60)]}}
    lb = build_many(tmp_path, verdicts)
    assert lb["version"] == SCHEMA_VERSION == 2
    row = rows_of(lb["judges"]["j"])["m"]
    p = row["score"] / 100
    assert row["rating"] == pytest.approx(1000 + 400 * np.log10(p / (1 - p)), abs=0.2)
    assert row["rating_ci"][0] <= row["rating"] <= row["rating_ci"][1]
    # Same question draws for the score and the rating: the interval ends map onto each other.
    lo = row["ci"][0] / 100
    assert row["rating_ci"][0] == pytest.approx(1000 + 400 * np.log10(lo / (1 - lo)), abs=0.5)
    base = rows_of(lb["judges"]["j"])["base"]
    assert base["rating"] == 1000.0 and base["rating_ci"] == [1000.0, 1000.0]
    assert lb["rating"]["anchor_model"] == "base" and lb["bootstrap"]["quantiles"] == [0.05, 0.95]


def test_judges_side_by_side_and_pooled(tmp_path):
    j1 = [(f"q{i}", "B>A", "A>B") for i in range(10)]  # model wins every game
    j2 = [(f"q{i}", "A>B", "B>A") for i in range(10)]  # model loses every game
    lb = build_many(tmp_path, {"j1": {"m": j1}, "j2": {"m": j2}}, {"pool_judges": True})
    assert rows_of(lb["judges"]["j1"])["m"]["score"] == 100.0
    assert rows_of(lb["judges"]["j2"])["m"]["score"] == 0.0
    pooled = lb["pooled"]
    assert pooled["judges"] == ["j1", "j2"]
    assert rows_of(pooled)["m"]["score"] == 50.0 and rows_of(pooled)["m"]["wins"] == 20
    lb = build_many(tmp_path, {"j1": {"m": j1}, "j2": {"m": j2}})
    assert lb["pooled"] is None


def test_position_consistency_counts_flips(tmp_path):
    rows = [("q1", "B>A", "A>B"),     # model wins in both orders: consistent
            ("q2", "B>A", "A=B"),     # win then tie: flips
            ("q3", "B>>A", "B>A"),    # win then loss: reverses
            ("q4", None, "A>B")]      # a judge error: left out
    q = build_many(tmp_path, {"j": {"m": rows}})["judges"]["j"]["quality"]["position_consistency"]
    assert q["questions"] == 3 and q["flipped"] == 2 and q["reversed"] == 1
    assert q["flip_rate"] == pytest.approx(2 / 3, abs=1e-4)
    # Decisive games: position B won q1 g0, q2 g0, q3 g0 and q3 g1 (B = baseline); A won q1 g1.
    assert q["position_a_win_rate"] == pytest.approx(1 / 5, abs=1e-4)


def test_separability_counts_disjoint_intervals(tmp_path):
    strong = [(f"q{i}", "B>>A", "A>>B") for i in range(30)]
    weak = [(f"q{i}", "A>>B", "B>>A") for i in range(30)]
    mixed = [(f"q{i}", "A=B", "B>A" if i % 2 else "A>B") for i in range(30)]
    lb = build_many(tmp_path, {"j": {"strong": strong, "weak": weak, "mixed": mixed}})
    quality = lb["judges"]["j"]["quality"]
    assert quality["model_pairs"] == 3 and quality["separable_pairs"] == 3 and quality["separability"] == 1.0
    ranks = {r["model"]: r["rank"] for r in lb["judges"]["j"]["overall"]}
    assert ranks["strong"] == 1 and ranks["weak"] == 4


def test_undefeated_model_has_no_finite_rating_and_json_stays_valid(tmp_path):
    lb = build_many(tmp_path, {"j": {"m": [(f"q{i}", "B>A", "A>B") for i in range(8)]}})
    row = rows_of(lb["judges"]["j"])["m"]
    assert row["rating"] is None and row["rating_bounded"] is False and row["rating_ci"][1] is None
    json.dumps(lb, allow_nan=False)  # strict JSON: no NaN or Infinity anywhere


def test_anchor_model_and_rating_come_from_settings(tmp_path):
    rng = np.random.default_rng(1)
    rows = lambda: [(f"q{i}", LABELS[rng.integers(5)], LABELS[rng.integers(5)]) for i in range(40)]  # noqa: E731
    lb = build_many(tmp_path, {"j": {"m1": rows(), "m2": rows()}}, {"anchor_model": "m1", "anchor_rating": 1500})
    r = rows_of(lb["judges"]["j"])
    assert r["m1"]["rating"] == 1500.0 and r["m1"]["rating_ci"] == [1500.0, 1500.0]
    assert r["base"]["rating_ci"][0] < r["base"]["rating_ci"][1]
    with pytest.raises(ArtifactError, match="leaderboard.anchor_model: 'nobody'"):
        build_many(tmp_path, {"j": {"m1": rows()}}, {"anchor_model": "nobody"})


def test_style_control_separates_length_from_quality(tmp_path):
    # The judge prefers the longer answer 4 times in 5, in both orders; the model is as good as the
    # baseline but longer on 3 questions of 4, so its raw win rate is about 65%.
    rng = np.random.default_rng(3)
    rows, answers = [], {}
    for i in range(300):
        longer = i % 4 != 0
        model_wins = rng.random() < (0.8 if longer else 0.2)
        rows.append((f"q{i:03d}", "B>A" if model_wins else "A>B", "A>B" if model_wins else "B>A"))
        # the longer answer is 3000 characters, the shorter 2000: a length covariate of +-0.2
        answers[("m", f"q{i:03d}")] = answer(f"q{i:03d}", "m") | {"answer": "x" * (3000 if longer else 2000)}
        answers[("base", f"q{i:03d}")] = answer(f"q{i:03d}", "base") | {"answer": "x" * (2000 if longer else 3000)}
    lb = build_many(tmp_path, {"j": {"m": rows}}, {"style_control": True}, answers=answers)
    board = lb["judges"]["j"]
    row = rows_of(board)["m"]
    assert row["score"] > 58
    assert board["style_control"]["coefficient_ci"][0] > 0 and board["style_control"]["feature"] == "length"
    assert abs(row["score_sc"] - 50) < 6 and row["rating_sc_ci"][0] < 1000 < row["rating_sc_ci"][1]


def test_bad_judgment_records_name_file_and_record(tmp_path):
    with pytest.raises(ArtifactError, match=r"j-m.jsonl: record uid 'q1' game 0 has verdict 'A>>>B'"):
        build_many(tmp_path, {"j": {"m": [("q1", "A>>>B", "A>B")]}})
    with pytest.raises(ArtifactError, match=r"j-m.jsonl: uid 'q1' has two judgment records"):
        build_many(tmp_path, {"j": {"m": [("q1", "A>B", "A>B"), ("q1", "A>B", "B>A")]}})


verdict_rows = st.lists(st.tuples(st.sampled_from(LABELS + [None]), st.sampled_from(LABELS)), min_size=4, max_size=25)


def _strip(lb):
    lb = dict(lb)
    lb.pop("created")
    return lb


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(verdict_rows, min_size=2, max_size=3))
def test_swapping_the_order_of_games_changes_nothing(per_model):
    verdicts = {"j": {f"m{k}": [(f"q{i:02d}", v0, v1) for i, (v0, v1) in enumerate(rows)]
                      for k, rows in enumerate(per_model)}}
    with tempfile.TemporaryDirectory() as tmp:
        lb = build_many(tmp, verdicts)
        # The same judgments with the two games stored in the other order.
        for path in Path(tmp).glob("j-*.jsonl"):
            recs = [json.loads(line) for line in path.read_text().splitlines()]
            write_jsonl(path, [r | {"games": r["games"][::-1]} for r in recs])
        files = {"j": {p.stem[2:]: p for p in Path(tmp).glob("j-*.jsonl")}}
        answers = {p.stem[8:]: p for p in Path(tmp).glob("answers-*.jsonl")}
        swapped = build_leaderboard(files, answers, "base", SETTINGS)
    assert _strip(swapped) == _strip(lb)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(verdict_rows, min_size=2, max_size=3), st.randoms())
def test_relabelling_models_changes_nothing(per_model, rnd):
    names = [f"m{k}" for k in range(len(per_model))]
    new = names[:]
    rnd.shuffle(new)
    rename = dict(zip(names, [f"x-{n}" for n in new]))
    with tempfile.TemporaryDirectory() as tmp:
        lb = build_many(tmp, {"j": {names[k]: [(f"q{i:02d}", v0, v1) for i, (v0, v1) in enumerate(rows)]
                                    for k, rows in enumerate(per_model)}})
    with tempfile.TemporaryDirectory() as tmp:
        other = build_many(tmp, {"j": {rename[names[k]]: [(f"q{i:02d}", v0, v1) for i, (v0, v1) in enumerate(rows)]
                                       for k, rows in enumerate(per_model)}})
    for model, row in rows_of(lb["judges"]["j"]).items():
        mapped = rows_of(other["judges"]["j"])[rename.get(model, model)]
        assert {k: v for k, v in mapped.items() if k != "model"} == {k: v for k, v in row.items() if k != "model"}
    assert other["judges"]["j"]["quality"] == lb["judges"]["j"]["quality"]

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

"""The `retry` param (codearena.retries): which records count as failed, and when the value changes
(a change makes Snakemake rerun the job). The workflow end to end: tests/test_workflow_llm.py."""

import json

from codearena.retries import failed_answers, failed_battles, failed_games, retry_value

JUDGE_FAILED = "judge call failed: InternalServerError (gave up after 3 attempts)"


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_a_run_with_failures_reruns_once_then_not_again():
    assert retry_value([], None) == {"retry_failed": []}  # a first build: nothing to retry
    first = retry_value(["u2", "u1"], [])  # failures F: the value changes, so the job reruns
    assert first == {"retry_failed": ["u1", "u2"]}
    assert retry_value(["u1"], first["retry_failed"]) == first  # u1 failed again: no new rerun
    assert retry_value([], first["retry_failed"]) == first  # all recovered: nothing reruns either
    assert retry_value(["u1", "u3"], ["u1", "u2"]) == {"retry_failed": ["u1", "u3"]}  # a new failure: rerun


def test_failed_records_are_read_from_each_output(tmp_path):
    answers = write(tmp_path / "a.jsonl", [
        {"uid": "u1", "status": "ok", "error": None},
        {"uid": "u2", "status": "failed", "error": "RateLimitError (gave up after 7 attempts)"},
        {"uid": "u3", "status": "no_code", "error": None, "answer": "not a failed record"},
    ])
    assert failed_answers(answers) == ["u2"]
    games = write(tmp_path / "j.jsonl", [
        {"uid": "u1", "games": [{"verdict": "A>B", "error": None}, {"verdict": None, "error": JUDGE_FAILED}]},
        # a reply without a verdict label is a reply: asking again gives it again
        {"uid": "u2", "games": [{"verdict": None, "error": "no verdict label after 2 re-asks"}, {"verdict": "B>A"}]},
    ])
    assert failed_games(games) == ["u1#1"]
    battles = write(tmp_path / "v.jsonl", [
        {"chat_session_id": "s1", "orders": [{"error": None}, {"error": JUDGE_FAILED}]},
        {"chat_session_id": "s2", "orders": [{"error": None}, {"error": None}]},
    ])
    assert failed_battles(battles) == ["s1"]
    # A missing output (a first build) or a torn line (a killed writer) has no failed record to retry.
    (tmp_path / "torn.jsonl").write_text('{"uid": "u1", "status": "failed"}\n{"uid": "u2", "status": "fa')
    assert failed_answers(tmp_path / "missing.jsonl") == [] and failed_answers(tmp_path / "torn.jsonl") == ["u1"]

"""Judging battles: re-asks, both orders, context-length retries, resume by battle id, the execution judge.

LLM judges run against the local fake OpenAI server (real HTTP through litellm and the response cache).
"""

import json

import pytest

from codearena.config import JudgeSpec
from codearena.llm.cache import ResponseCache
from codearena.reward.journal import Journal
from codearena.reward.judge import combine, run_judge
from codearena.reward.run_settings import RunSettings
from codearena.reward.votes import load_battles, read_battles
from codearena.io import write_jsonl
from fake_llm_server import Fault
from reward_fakes import scripted_judge
from workflow_helpers import REPO

A = '{"Overall": {"winner": "A", "reasoning": "r"}}'
B = '{"Overall": {"winner": "B", "reasoning": "r"}}'
TIE = '{"Overall": {"winner": "Tie", "reasoning": "r"}}'
LLM = JudgeSpec(name="judge", type="llm", model="fake-judge")
EXECUTION = JudgeSpec(name="execution", type="execution")


@pytest.fixture(scope="module")
def demo_battles(tmp_path_factory):
    out = tmp_path_factory.mktemp("votes")
    battles, _ = load_battles(str(REPO / "config/demo/reward"), out)
    write_jsonl(out / "battles.jsonl", battles)
    return read_battles(out / "battles.jsonl")


def run(tmp_path, fake_spec, battles, journal_name="j.journal.jsonl", **settings):
    settings.setdefault("mode", "with_execution")
    return run_judge(LLM, fake_spec("fake-judge", concurrency=4), battles, RunSettings(**settings),
                     Journal(tmp_path / journal_name), ResponseCache(tmp_path / "cache"), log=lambda m: None)


def test_one_bounded_reask_then_an_error_with_every_raw_reply_kept(tmp_path, fake_llm, fake_spec, demo_battles):
    fake_llm.script("fake-judge", ["Model A is better, clearly.", "Still A!", A])
    records = run(tmp_path, fake_spec, demo_battles[:1], max_reasks=1)
    order = records[0]["orders"][0]
    assert records[0]["verdict"] == "error" and order["calls"] == 2 and fake_llm.calls["fake-judge"] == 2
    assert order["raw"] == ["Model A is better, clearly.", "Still A!"]
    assert "no readable verdict in 2 replies" in records[0]["error"]
    reask = fake_llm.requests("fake-judge")[1]["body"]["messages"]
    assert reask[-2] == {"role": "assistant", "content": "Model A is better, clearly."}
    assert "could not be read" in reask[-1]["content"]


def test_a_readable_reask_gives_the_verdict(tmp_path, fake_llm, fake_spec, demo_battles):
    fake_llm.script("fake-judge", ["I prefer B", B])
    records = run(tmp_path, fake_spec, demo_battles[:1], max_reasks=1)
    assert records[0]["verdict"] == "B" and records[0]["orders"][0]["raw"] == ["I prefer B", B]
    assert records[0]["orders"][0]["parsed"] == json.loads(B)


def test_both_orders_give_the_flip_and_a_combined_verdict(tmp_path, fake_llm, fake_spec, demo_battles):
    fake_llm.script("fake-judge", scripted_judge)
    records = run(tmp_path, fake_spec, demo_battles, both_orders=True)
    assert len(records) == 36 and all(len(r["orders"]) == 2 for r in records)
    assert fake_llm.calls["fake-judge"] == 72
    flips = [r for r in records if r["position_flip"]]
    # The scripted judge favours position A when it cannot separate the sides: those battles flip.
    assert flips and all(r["verdict"] == "tie" for r in flips)
    steady = [r for r in records if r["position_flip"] is False]
    assert steady and all(r["verdict"] == r["orders"][0]["verdict"] == r["orders"][1]["verdict"] for r in steady)
    second = fake_llm.requests("fake-judge")  # the BA order shows the dataset's B first
    assert any("<|Assistant A's reply begins|>" in json.dumps(r["body"]) for r in second)


def test_combine_rules():
    assert combine([{"verdict": "A"}, {"verdict": "tie"}]) == ("A", True)
    assert combine([{"verdict": "A"}, {"verdict": "B"}]) == ("tie", True)
    assert combine([{"verdict": "B"}, {"verdict": "B"}]) == ("B", False)
    assert combine([{"verdict": None}, {"verdict": "B"}]) == ("B", None)
    assert combine([{"verdict": None}]) == ("error", None)


def test_context_length_error_rebuilds_the_prompt_with_tighter_limits(tmp_path, fake_llm, fake_spec, demo_battles):
    too_long = Fault("400", message="This model's maximum context length is 128 tokens. Please reduce the length.")
    fake_llm.script("fake-judge", [too_long, too_long, A])
    records = run(tmp_path, fake_spec, demo_battles[:1])
    order = records[0]["orders"][0]
    assert records[0]["verdict"] == "A" and order["shrinks"] == 2
    sizes = [len(json.dumps(r["body"]["messages"])) for r in fake_llm.requests("fake-judge")]
    assert len(sizes) == 3 and sizes[0] >= sizes[1] >= sizes[2]


def test_failed_calls_are_errors_and_only_they_are_judged_again(tmp_path, fake_llm, fake_spec, demo_battles):
    battles = demo_battles[:6]
    fake_llm.script("fake-judge", [A])
    fake_llm.inject("401", model="fake-judge", calls=[2, 5])  # not retryable: those battles fail
    first = run(tmp_path, fake_spec, battles)
    assert sum(r["verdict"] == "error" for r in first) == 2
    assert all("judge call failed" in r["error"] for r in first if r["verdict"] == "error")
    fake_llm.clear_faults()
    calls = fake_llm.calls["fake-judge"]
    second = run(tmp_path, fake_spec, battles)
    assert fake_llm.calls["fake-judge"] == calls + 2  # the 4 successes came from the journal
    assert all(r["verdict"] == "A" for r in second)
    lines = (tmp_path / "j.journal.jsonl").read_text().splitlines()
    assert len(lines) == 8  # 6 + 2 retried: appended, never rewritten


def test_an_order_whose_call_failed_is_judged_again(tmp_path, fake_llm, fake_spec, demo_battles):
    """Both orders: one order's failure leaves the other to decide, and the next run asks it again."""
    battle = demo_battles[:1]
    fake_llm.script("fake-judge", [A])
    fake_llm.inject("401", model="fake-judge", calls=[2])  # not retryable: one order fails
    first = run(tmp_path, fake_spec, battle, both_orders=True)[0]
    failed = [o for o in first["orders"] if o["verdict"] is None]
    assert len(failed) == 1 and "judge call failed" in failed[0]["error"] and first["verdict"] in ("A", "B")
    fake_llm.clear_faults()
    second = run(tmp_path, fake_spec, battle, both_orders=True)[0]
    assert fake_llm.calls["fake-judge"] == 3  # the failed order only: the other came from the cache
    # The judge always picks position A: with both orders heard, that is a flip and a tie.
    assert [o["verdict"] for o in second["orders"]] == ["A", "B"] and second["verdict"] == "tie"


def test_resume_by_battle_id_after_a_crash_and_a_torn_line(tmp_path, fake_llm, fake_spec, demo_battles):
    fake_llm.script("fake-judge", [TIE])
    run(tmp_path, fake_spec, demo_battles[:10])
    journal = tmp_path / "j.journal.jsonl"
    with open(journal, "a") as f:
        f.write('{"chat_session_id": "demo-half-writ')  # the process died mid-line
    assert len(Journal(journal).latest()) == 10
    calls = fake_llm.calls["fake-judge"]
    # A new run (no response cache, so any re-judged battle would call) picks up the 26 others only.
    records = run_judge(LLM, fake_spec("fake-judge"), demo_battles, RunSettings(mode="with_execution"),
                        Journal(journal), ResponseCache(None), log=lambda m: None)
    assert fake_llm.calls["fake-judge"] == calls + 26 and len(records) == 36
    assert all(json.loads(line) for line in journal.read_text().splitlines())  # the torn line was cut


def test_changed_settings_rejudge_through_the_cache(tmp_path, fake_llm, fake_spec, demo_battles):
    fake_llm.script("fake-judge", [A])
    run(tmp_path, fake_spec, demo_battles[:3])
    calls = fake_llm.calls["fake-judge"]
    records = run(tmp_path, fake_spec, demo_battles[:3], mode="without_execution", journal_name="other.jsonl")
    assert fake_llm.calls["fake-judge"] == calls + 3 and {r["mode"] for r in records} == {"without_execution"}
    run(tmp_path, fake_spec, demo_battles[:3], max_reasks=0)  # new settings, same prompts: cache hits only
    assert fake_llm.calls["fake-judge"] == calls + 3


def test_execution_judge_scores_the_evidence_and_has_no_code_only_mode(tmp_path, demo_battles):
    records = run_judge(EXECUTION, None, demo_battles, RunSettings(mode="with_execution"), Journal(tmp_path / "e.jsonl"))
    by_id = {r["chat_session_id"]: r for r in records}
    # A page that renders against one whose script throws: the working side wins.
    pricing = by_id["demo-web-pricing-good-vs-broken"]
    assert pricing["verdict"] == "B" and pricing["model_B"] == "demo-falcon"
    assert "clean run no" in pricing["orders"][0]["raw"][0]
    # Two clean Python runs: a tie.
    assert by_id["demo-sci-pi-good-vs-okay"]["verdict"] == "tie"
    assert {r["verdict"] for r in records} <= {"A", "B", "tie"}
    with pytest.raises(ValueError, match="execution judge"):
        run_judge(EXECUTION, None, demo_battles, RunSettings(mode="without_execution"), Journal(tmp_path / "x.jsonl"))

"""Answer generation on real questions against a real HTTP endpoint: records, failures, reruns, replay."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from codearena.answers import DEFAULT_SYSTEM_PROMPT, generate_answers, load_system_prompt
from codearena.config import ConfigError, ModelSpec
from codearena.environments import ENVIRONMENTS
from codearena.io import read_jsonl, write_jsonl
from codearena.llm.cache import ResponseCache
from codearena.llm.client import MissingAPIKey
from conftest import SHARED_DATA
from fake_llm_server import REFUSAL, Fault

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = (SHARED_DATA or Path("/nonexistent")) / "autocodearena-v0/questions.jsonl"
FIELDS = {
    "uid", "category", "model", "status", "error", "messages", "answer", "code", "environment", "env",
    "language", "dependencies", "usage", "cost_usd", "latency_s", "request_hash", "settings", "tstamp",
}
FAST = {"backoff_base_s": 0.01, "backoff_max_s": 0.05}
PROMPT = "You write code. Answer with one fenced block."


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    if not QUESTIONS.exists():
        pytest.skip(f"{QUESTIONS} not available")
    rows = read_jsonl(QUESTIONS)
    by_category: dict[str, list[dict]] = {}
    for q in rows:
        by_category.setdefault(q["category"], []).append(q)
    # Two questions from each of the six categories, in file order (not sorted by uid).
    return [q for qs in by_category.values() for q in qs[:2]]


def run(spec, questions, cache, **kw):
    logs: list[str] = []
    records = generate_answers(
        spec, questions, system_prompt=PROMPT, cache=cache, log=logs.append, client_options=FAST, **kw
    )
    return records, logs


def user_text(request: dict) -> str:
    return request["body"]["messages"][-1]["content"]


def test_packaged_system_prompt():
    text = load_system_prompt(None)
    assert text == DEFAULT_SYSTEM_PROMPT.read_text(encoding="utf-8")
    for name in ("React", "Vue", "HTML", "Gradio", "Streamlit", "PyGame", "Mermaid", "Python Runner",
                 "JavaScript Runner", "C++", "Go", "Java", "Rust", "/api/placeholder/", "asyncio.run(main())",
                 "default export", "Tailwind", "pip install", "npm install", "standard input"):
        assert name in text, name
    assert "salary" not in text.lower() and "promotion" not in text.lower()


def test_system_prompt_from_file(tmp_path):
    (tmp_path / "p.txt").write_text("custom prompt\n")
    assert load_system_prompt(str(tmp_path / "p.txt")) == "custom prompt\n"
    with pytest.raises(ConfigError, match=r"missing\.txt: generation system prompt file not found"):
        load_system_prompt(str(tmp_path / "missing.txt"))


def test_one_record_per_question_sorted(fake_llm, fake_spec, questions, tmp_path):
    records, logs = run(fake_spec("gen"), questions, ResponseCache(tmp_path))
    assert [r["uid"] for r in records] == sorted(q["uid"] for q in questions)
    by_uid = {q["uid"]: q for q in questions}
    for r in records:
        assert set(r) == FIELDS
        assert r["status"] == "ok" and r["error"] is None and r["model"] == "gen"
        assert r["category"] == by_uid[r["uid"]]["category"]
        assert [m["role"] for m in r["messages"]] == ["system", "user", "assistant"]
        assert r["messages"][1]["content"] == by_uid[r["uid"]]["instruction"]
        assert r["messages"][2]["content"] == r["answer"] and r["code"] in r["answer"]
        assert r["env"] in ("python", "html") and r["environment"] in {e.name for e in ENVIRONMENTS}
        assert r["dependencies"] == {"pip": [], "npm": []}
        assert r["usage"]["completion_tokens"] > 0 and r["latency_s"] > 0 and abs(r["tstamp"] - time.time()) < 600
        assert r["settings"] == fake_spec("gen").settings() and "api_key" not in json.dumps(r["settings"])
    assert fake_llm.calls["gen"] == len(questions)
    assert "12 ok, 0 no_code, 0 failed" in logs[-1]
    json.dumps(records)  # the records are plain JSON


def test_python_answers_run(fake_llm, fake_spec, questions, tmp_path):
    records, _ = run(fake_spec("gen"), questions[:4], ResponseCache(None))
    py = [r for r in records if r["env"] == "python"]
    assert py
    for r in py:
        out = subprocess.run([sys.executable, "-c", r["code"]], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and out.stdout.startswith("answer ")


def test_failed_call_is_a_record_and_no_code_is_kept(fake_llm, fake_spec, questions, tmp_path):
    broken, refused = questions[0], questions[1]

    def reply(request):
        text = request["messages"][-1]["content"]
        if text == broken["instruction"]:
            return Fault("500")
        if text == refused["instruction"]:
            return REFUSAL
        return "Here it is.\n```python\nprint('ok')\n```"

    fake_llm.script("flaky", reply)
    records, logs = run(fake_spec("flaky", max_retries=2), questions, ResponseCache(tmp_path))
    by_uid = {r["uid"]: r for r in records}
    assert len(records) == len(questions)
    failed = by_uid[broken["uid"]]
    assert failed["status"] == "failed" and "500" in failed["error"] and "gave up after 3 attempts" in failed["error"]
    assert failed["answer"] == "" and failed["code"] is None and failed["messages"][2] == {"role": "assistant", "content": ""}
    assert failed["usage"] is None and failed["tstamp"] is None and len(failed["request_hash"]) == 64
    nocode = by_uid[refused["uid"]]
    assert nocode["status"] == "no_code" and nocode["answer"] == REFUSAL and nocode["code"] is None and nocode["env"] is None
    assert Counter(r["status"] for r in records) == {"ok": len(questions) - 2, "failed": 1, "no_code": 1}
    assert any(broken["uid"] in line and "failed" in line for line in logs)
    assert fake_llm.calls["flaky"] == len(questions) - 1 + 3


def test_rerun_repeats_only_what_failed(fake_llm, fake_spec, questions, tmp_path):
    target = questions[3]
    fake_llm.script("m", lambda req: Fault("400") if req["messages"][-1]["content"] == target["instruction"] else "```python\nprint(1)\n```")
    cache = ResponseCache(tmp_path)
    first, _ = run(fake_spec("m"), questions, cache)
    assert [r["uid"] for r in first if r["status"] == "failed"] == [target["uid"]]
    assert fake_llm.calls["m"] == len(questions)  # a 400 is not retried

    fake_llm.script("m", lambda req: "```python\nprint(2)\n```")  # the provider works again
    second, logs = run(fake_spec("m"), questions, cache)
    assert fake_llm.calls["m"] == len(questions) + 1  # only the failed question was asked again
    assert all(r["status"] == "ok" for r in second)
    assert [r for r in second if r["uid"] != target["uid"]] == [r for r in first if r["status"] == "ok"]
    assert f"{len(questions) - 1} from the response cache" in logs[-1]
    # Rebuilt from the cache, the file is the same to the byte (the response's own time and latency
    # are kept with it), so Snakemake's checksums see no change downstream.
    third, logs = run(fake_spec("m"), questions, cache)
    assert json.dumps(third) == json.dumps(second) and fake_llm.calls["m"] == len(questions) + 1
    assert f"{len(questions)} from the response cache" in logs[-1]


CHILD = """
import json, sys
from codearena.answers import generate_answers
from codearena.config import ModelSpec
from codearena.llm.cache import ResponseCache
spec = ModelSpec(name="slow", model="openai/slow", api_base=sys.argv[1], concurrency=1)
qs = [json.loads(line) for line in open(sys.argv[2])]
generate_answers(spec, qs, system_prompt=sys.argv[4], cache=ResponseCache(sys.argv[3]), log=lambda s: None)
print("finished")
"""


def test_killed_run_then_rerun_makes_no_repeated_successful_call(fake_llm, questions, tmp_path):
    """SIGKILL a generating process midway; the rerun asks only for answers that never reached the cache."""
    qfile, cache_dir = tmp_path / "q.jsonl", tmp_path / "cache"
    write_jsonl(qfile, questions)

    def reply(request):
        time.sleep(0.15)
        return "```python\nprint(%r)\n```" % request["messages"][-1]["content"][:20]

    fake_llm.script("slow", reply)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, fake_llm.base_url, str(qfile), str(cache_dir), PROMPT],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(cache_dir.glob("*/*.json"))) < 3:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child stored nothing"
            time.sleep(0.02)
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate()
    stored = len(list(cache_dir.glob("*/*.json")))
    assert 3 <= stored < len(questions)
    calls_before = fake_llm.calls["slow"]

    spec = ModelSpec(name="slow", model="openai/slow", api_base=fake_llm.base_url, concurrency=4)
    records, logs = run(spec, questions, ResponseCache(cache_dir))
    assert all(r["status"] == "ok" for r in records) and f"{stored} from the response cache" in logs[-1]
    assert fake_llm.calls["slow"] - calls_before == len(questions) - stored
    # Each question was answered successfully at most twice overall: once more only if the kill
    # landed while its reply was in flight (never stored), which can happen to one call at most.
    per_question = Counter(user_text(r) for r in fake_llm.requests("slow"))
    assert sum(n - 1 for n in per_question.values()) <= 1


def test_missing_key_stops_the_job_without_calls_but_cached_answers_need_no_key(
    fake_llm, fake_spec, questions, tmp_path, monkeypatch
):
    spec = fake_spec("keyed", api_key_env="CODEARENA_TEST_KEY")
    fake_llm.api_key = "sk-test"
    monkeypatch.delenv("CODEARENA_TEST_KEY", raising=False)
    with pytest.raises(MissingAPIKey, match="CODEARENA_TEST_KEY"):
        run(spec, questions, ResponseCache(tmp_path))
    assert fake_llm.calls["total"] == 0

    monkeypatch.setenv("CODEARENA_TEST_KEY", "sk-test")
    first, _ = run(spec, questions, ResponseCache(tmp_path))
    monkeypatch.delenv("CODEARENA_TEST_KEY")
    again, _ = run(spec, questions, ResponseCache(tmp_path))  # e.g. CI rebuilding from a shipped cache
    assert again == first and fake_llm.calls["keyed"] == len(questions)


def test_replay_model(questions, tmp_path):
    recorded = questions[:-1]
    rec_file = tmp_path / "recorded.jsonl"
    write_jsonl(rec_file, [
        {"uid": q["uid"], "messages": [{"role": "user", "content": q["instruction"]},
                                       {"role": "assistant", "content": {"answer": f"Done.\n```html\n<p>{i}</p>\n```"}}]}
        for i, q in enumerate(recorded)
    ])
    spec = ModelSpec(name="rec", provider="replay", replay=str(rec_file))
    records, logs = run(spec, questions, ResponseCache(tmp_path / "cache"))
    by_uid = {r["uid"]: r for r in records}
    assert [r["uid"] for r in records] == sorted(by_uid)
    for i, q in enumerate(recorded):
        r = by_uid[q["uid"]]
        assert r["status"] == "ok" and r["env"] == "html" and r["code"] == f"<p>{i}</p>"
        assert set(r) == FIELDS and r["settings"] == {"provider": "replay", "replay": str(rec_file)}
    missing = by_uid[questions[-1]["uid"]]
    assert missing["status"] == "failed"
    assert missing["error"] == f"no recorded answer for uid {questions[-1]['uid']} in {rec_file}"
    assert not (tmp_path / "cache").exists()


def test_answers_file_replays_itself(fake_llm, fake_spec, questions, tmp_path):
    records, _ = run(fake_spec("gen"), questions, ResponseCache(None))
    write_jsonl(tmp_path / "gen.jsonl", records)
    spec = ModelSpec(name="gen-replayed", provider="replay", replay=str(tmp_path / "gen.jsonl"))
    replayed, _ = run(spec, questions, ResponseCache(None))
    assert [(r["uid"], r["answer"], r["code"], r["env"]) for r in replayed] == [
        (r["uid"], r["answer"], r["code"], r["env"]) for r in records
    ]


def test_bad_questions_are_rejected(fake_spec, questions, tmp_path):
    with pytest.raises(ValueError, match=f"question {questions[0]['uid']}: duplicate uid"):
        run(fake_spec("gen"), [questions[0], questions[1], questions[0]], ResponseCache(None))
    with pytest.raises(ValueError, match="question #2 has no uid"):
        run(fake_spec("gen"), [questions[0], {"instruction": "x"}], ResponseCache(None))

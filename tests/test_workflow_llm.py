"""End to end through litellm: the workflow against the local fake OpenAI server, with provider faults
and with SIGKILLs.

The server speaks the real chat-completions protocol over HTTP; the workflow's jobs are separate
processes, so every call crosses a real socket, goes through litellm, retries and the response cache.
Executions run Python only (the fake server's HTML answers are judged on their code): the point here
is the provider, and a browser would double the time. Most of a run's time is its jobs starting
(each imports litellm), so the builds here have few models.
"""

import json
import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from codearena.judging.pairs import call_failed
from fake_llm_server import REFUSAL, Fault, FakeLLMServer, default_answer, default_verdict, text_of
from workflow_helpers import (
    REPO, jobs_finished_in, jobs_in, planned_jobs, read_jsonl, snakemake, snakemake_cmd, snakemake_env, write_config,
)

pytestmark = pytest.mark.slow
BASELINE = "fake-base"
JUDGE = "fake-judge"
QUESTIONS = {q["uid"]: q for q in read_jsonl(REPO / "config/demo/questions.jsonl")}
MAX_RETRIES = 2  # so a request is tried 3 times before its record is marked failed
TARGET = "results/leaderboard.json"  # everything that calls the provider (the report adds a job, no call)


def setup_workdir(work: Path, base_url: str, models: list[str], timeout_s: float = 2, **changes) -> Path:
    spec = {"api_base": base_url, "concurrency": 4, "max_retries": MAX_RETRIES, "retry_base_s": 0.05,
            "retry_max_s": 0.3, "timeout_s": timeout_s}
    (work / "models.yaml").write_text(yaml.safe_dump(
        {name: {"model": f"openai/{name}", **spec} for name in models + [BASELINE, JUDGE]}
    ))
    return write_config(
        work / "config.yaml",
        name="fake-server run",
        models_file=str(work / "models.yaml"),
        models=models,
        baseline=BASELINE,
        judges={JUDGE: {"type": "llm", "model": JUDGE, "max_reasks": 1}},
        execution={"environments": ["python"], "timeout_s": 10},
        leaderboard={"bootstrap_rounds": 100},
        **changes,
    )


def request_key(entry: dict) -> str:
    return json.dumps([entry["model"], entry["body"]["messages"]], sort_keys=True)


def delivered(entries: list[dict]) -> Counter:
    """How many times each distinct request (model + messages) got a whole reply."""
    return Counter(request_key(e) for e in entries if e["delivered"])


def user_text(body: dict) -> str:
    return "\n".join(text_of(m["content"]) for m in body["messages"] if m["role"] == "user")


def asks(body: dict, uid: str) -> bool:
    """The request is about question `uid` (its answer, or a judge game on it)."""
    return QUESTIONS[uid]["instruction"] in user_text(body)


def answers(work: Path, model: str) -> dict[str, dict]:
    return {r["uid"]: r for r in read_jsonl(work / f"results/answers/{model}.jsonl")}


def judgments(work: Path, model: str) -> dict[str, dict]:
    return {r["uid"]: r for r in read_jsonl(work / f"results/judgments/{JUDGE}/{model}_vs_{BASELINE}.jsonl")}


def resent(log: list[dict], entry: dict) -> dict | None:
    """The next request with the same model and messages as `entry` (its retry), if any."""
    later = log[log.index(entry) + 1:]
    return next((e for e in later if request_key(e) == request_key(entry)), None)


# --- provider faults --------------------------------------------------------------------------------

CONTESTANTS = ["fake-alpha"]  # one contestant: a run's time is its jobs, and one shows every path
ALWAYS_FAILS = ("fake-alpha", "demo-sci-01")  # this answer fails in every run (a provider that always errs)
RECOVERS = ("fake-alpha", "demo-game-01")  # this answer fails in the first run only: both games are skipped
JUDGE_DOWN_FOR = "demo-prob-01"  # the first run's judge fails every game of this question


def test_faults_complete_the_run_and_a_rerun_retries_exactly_the_failed_records(tmp_path):
    """The demo's 12 questions, a contestant and a baseline, an LLM judge in both orders, with 429s
    (Retry-After), 500s, timeouts, truncated and malformed replies and refusals at set rates, and
    scripted outages: an answer that always fails, one that fails in the first run only, and the
    judge failing both games of one question in the first run."""
    with FakeLLMServer(seed=7) as srv:
        cfg = setup_workdir(tmp_path, srv.base_url, CONTESTANTS)
        first_run = [True]
        outages = [(*ALWAYS_FAILS, True), (*RECOVERS, False), (JUDGE, JUDGE_DOWN_FOR, False)]  # (model, uid, always)

        def scripted(model):
            def reply(body):
                if any(m == model and (always or first_run[0]) and asks(body, uid) for m, uid, always in outages):
                    return Fault("500")
                return default_verdict(body) if model == JUDGE else default_answer(body)
            return reply

        for model in CONTESTANTS + [JUDGE]:
            srv.script(model, scripted(model))
        # Each kind once on a fixed call (so every kind happens whatever order the jobs run in), then
        # at a rate. Refusals only where no outage is scripted: a refusal is a reply, it would end one.
        srv.inject("429", model=BASELINE, calls=[1], retry_after="1")
        srv.inject("slow", model=BASELINE, calls=[2], delay=3.5)  # beyond the model's timeout_s: a timeout
        srv.inject("refusal", model=BASELINE, calls=[3])
        srv.inject("truncated", model=JUDGE, calls=[1])
        srv.inject("malformed", model=JUDGE, calls=[2])
        srv.inject("refusal", model=JUDGE, calls=[3])  # a reply without a verdict label: the judge is re-asked
        srv.inject("429", rate=0.05, retry_after="1")
        srv.inject("500", rate=0.05)
        srv.inject("slow", rate=0.03, delay=3.5)
        srv.inject("truncated", rate=0.04)
        srv.inject("malformed", rate=0.04)
        srv.inject("refusal", model=BASELINE, rate=0.05)

        snakemake(tmp_path, TARGET, configfile=cfg)
        log = srv.requests()
        assert all(srv.faults[k] > 0 for k in ("429", "500", "slow", "truncated", "malformed", "refusal")), srv.faults
        # Every kind of failure is retried (the same request comes again, unless that was the last
        # attempt); the client waits as long as a 429 asks, and gives up on a slow reply (a timeout).
        for kind in ("429", "500", "slow", "truncated", "malformed"):
            assert any(resent(log, e) for e in log if e["outcome"] == kind), kind
        waits = [r["time"] - e["time"] for e in log if e["outcome"] == "429" and (r := resent(log, e))]
        assert min(waits) >= 1.0
        assert not any(e["delivered"] for e in log if e["outcome"] == "slow")

        # Every answer is there: an answer, a refusal (an answer without code), or failed after retries.
        first = {m: answers(tmp_path, m) for m in CONTESTANTS + [BASELINE]}
        for model, recs in first.items():
            assert sorted(recs) == sorted(QUESTIONS)
            for r in recs.values():
                assert r["status"] in ("ok", "no_code", "failed")
                assert (r["status"] == "failed") == (r["error"] is not None)
                if r["status"] == "failed":
                    assert f"gave up after {MAX_RETRIES + 1} attempts" in r["error"] and "\n" not in r["error"]
                if r["answer"] == REFUSAL:
                    assert r["status"] == "no_code"  # a refusal is an answer, not a failure to retry
        failed1 = {m: {u for u, r in recs.items() if r["status"] == "failed"} for m, recs in first.items()}
        assert {ALWAYS_FAILS[1], RECOVERS[1]} <= failed1[ALWAYS_FAILS[0]]
        assert any(r["answer"] == REFUSAL for r in first[BASELINE].values())
        # Every judgment too: each game has a verdict, or is skipped (a side failed), or says why not.
        games1 = {m: judgments(tmp_path, m) for m in CONTESTANTS}
        for model, recs in games1.items():
            assert sorted(recs) == sorted(QUESTIONS)
            for uid, r in recs.items():
                for g in r["games"]:
                    assert (g["verdict"] is not None) + (g["skipped"] is not None) + (g["error"] is not None) == 1
                    if g["skipped"]:
                        assert uid in failed1[model] | failed1[BASELINE]
            assert all(g["skipped"] for g in recs[RECOVERS[1]]["games"])
            # (unless a side's answer failed at random: then there is no game to judge)
            if JUDGE_DOWN_FOR not in failed1[model] | failed1[BASELINE]:
                assert all(call_failed(g) for g in recs[JUDGE_DOWN_FOR]["games"])
        board = json.loads((tmp_path / "results/leaderboard.json").read_text())["judges"][JUDGE]
        assert {r["model"] for r in board["overall"]} == set(CONTESTANTS) | {BASELINE}
        assert max(delivered(log).values()) == 1  # no request answered twice

        # The re-run (the provider has recovered, except for the one answer that always fails) calls
        # exactly for the failed records: each failed answer once (three times for the one that fails
        # again), and the judge for the games whose call failed plus both games of every question
        # whose answer was recovered (skipped before).
        srv.clear_faults()
        first_run[0] = False
        expected_judge_calls = 0
        for model in CONTESTANTS:
            for uid, r in games1[model].items():
                if ALWAYS_FAILS in ((model, uid), (BASELINE, uid)):
                    continue
                if uid in failed1[model] | failed1[BASELINE]:
                    expected_judge_calls += 2
                else:
                    expected_judge_calls += sum(call_failed(g) for g in r["games"])
        expected = {m: len(failed1[m]) for m in failed1 if failed1[m]}
        expected[ALWAYS_FAILS[0]] += MAX_RETRIES
        expected[JUDGE] = expected_judge_calls

        snakemake(tmp_path, TARGET, configfile=cfg)
        rerun = srv.requests()[len(log):]
        assert Counter(e["model"] for e in rerun) == expected
        for model in failed1:
            asked = {user_text(e["body"]) for e in rerun if e["model"] == model}
            assert asked == {QUESTIONS[u]["instruction"] for u in failed1[model]}
        second = {m: answers(tmp_path, m) for m in CONTESTANTS + [BASELINE]}
        assert {(m, u) for m, recs in second.items() for u, r in recs.items() if r["status"] == "failed"} == {ALWAYS_FAILS}
        for model in CONTESTANTS:
            for uid, r in judgments(tmp_path, model).items():
                # A reply without a verdict label is a reply (cached; asking again gives it again).
                assert not any(call_failed(g) for g in r["games"]), (model, uid, r["games"])
                assert all(g["skipped"] for g in r["games"]) == (uid == ALWAYS_FAILS[1] and model == ALWAYS_FAILS[0])
        assert max(delivered(srv.requests()).values()) == 1

        # The retry failed again for one answer: it is not retried forever, and nothing else is pending.
        assert planned_jobs(tmp_path, TARGET, configfile=cfg) == {}


# --- SIGKILL and resume -------------------------------------------------------------------------------

KILL_MODELS = ["fake-alpha"]
KILL_QUESTIONS = 4  # 4 answers for each of two models, then 8 judge games: 16 requests
SEEDS = [11]  # each seed: one build killed three times; ~50 s, so one in CI


def kill_workdir(work: Path, base_url: str) -> Path:
    # A long timeout: a request held at the kill point must not time out and fail before the kill.
    return setup_workdir(work, base_url, KILL_MODELS, timeout_s=60, question_limit=KILL_QUESTIONS)


def content(work: Path) -> dict:
    """What a build produced, without what measures its calls (time and latency of each response)."""
    out = {}
    for model in KILL_MODELS + [BASELINE]:
        out[model] = [{k: v for k, v in r.items() if k not in ("tstamp", "latency_s")}
                      for r in read_jsonl(work / f"results/answers/{model}.jsonl")]
    for model in KILL_MODELS:
        out[f"judged {model}"] = read_jsonl(work / f"results/judgments/{JUDGE}/{model}_vs_{BASELINE}.jsonl")
    board = json.loads((work / "results/leaderboard.json").read_text())
    board.pop("created")
    for stats in board["models"].values():
        stats.pop("mean_latency_s")
    out["leaderboard"] = board
    return out


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def reference(server, tmp_path_factory):
    """One uninterrupted build: its artifacts, its jobs and the requests it made, for every seed."""
    work = tmp_path_factory.mktemp("reference")
    start = len(server.requests())
    run = snakemake(work, TARGET, configfile=kill_workdir(work, server.base_url))
    made = delivered(server.requests()[start:])
    assert max(made.values()) == 1 and len(made) == 2 * KILL_QUESTIONS * (len(KILL_MODELS) + 1)
    return content(work), jobs_in(run), set(made)


def run_until_killed(work: Path, cfg: Path, server: FakeLLMServer, answered: int) -> str:
    """Run the build until the server has answered `answered` more calls and holds the next one,
    then SIGKILL Snakemake and its jobs; returns the run's output."""
    cache = work / "cache/responses"
    in_cache = len(list(cache.glob("*/*.json")))
    log = work / "killed.log"
    server.hold_after(answered)
    try:
        with open(log, "w") as out:
            proc = subprocess.Popen(snakemake_cmd(work, TARGET, configfile=cfg), stdout=out, stderr=subprocess.STDOUT,
                                    env=snakemake_env({"PYTHONUNBUFFERED": "1"}), start_new_session=True)
            deadline = time.monotonic() + 300
            # Wait until every answered call is in the cache, with at least one request held.
            while len(list(cache.glob("*/*.json"))) < in_cache + answered or server.held == 0:
                assert proc.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, "the run did not reach the kill point"
                time.sleep(0.02)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    finally:
        server.release(drop=True)  # the held requests' clients are dead: end them unanswered
    snakemake(work, "--unlock", configfile=cfg)  # a killed Snakemake leaves its lock behind
    return log.read_text()


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_at_random_points_then_resume_gives_the_same_build_and_no_repeated_call(
    server, reference, tmp_path, seed
):
    """One build killed (Snakemake and its jobs, SIGKILL) at three random points, one in each third
    of its provider calls (while answering, around the start of judging, while judging), resumed
    after each kill: each resumed run starts only jobs that had not finished and asks only the
    requests not answered yet, and the build ends as the uninterrupted one, every request answered
    once. The server stops answering at a kill point, so the kill lands while calls wait for the
    provider, not in the microseconds between a reply's arrival and its cache write (a window no
    client can close: the provider has answered, the client is dead)."""
    expected, all_jobs, requests = reference
    last = len(requests) - 1  # the last kill point leaves at least one request to hold
    rng = random.Random(seed)
    kill_points = [rng.randint(band * last // 3 + 1, (band + 1) * last // 3) for band in range(3)]
    cfg = kill_workdir(tmp_path, server.base_url)
    start = len(server.requests())
    finished: list[tuple[str, str]] = []
    answered = 0
    for point in kill_points:
        before = len(server.requests())
        out = run_until_killed(tmp_path, cfg, server, point - answered)
        assert not jobs_in(out) & set(finished), "a finished job ran again"
        finished += jobs_finished_in(out)
        asked = server.requests()[before:]
        assert len(asked) == point - answered and all(e["delivered"] for e in asked)
        answered = point
    resumed = snakemake(tmp_path, TARGET, configfile=cfg)  # profiles/default: --rerun-incomplete
    assert jobs_in(resumed) == all_jobs - set(finished)  # exactly the jobs not finished before
    assert len(finished) == len(set(finished))
    # The last run asks only the requests not answered before its kill, each request is answered once.
    assert len(server.requests()) - start == len(requests)
    made = delivered(server.requests()[start:])
    assert set(made) == requests and max(made.values()) == 1
    assert content(tmp_path) == expected

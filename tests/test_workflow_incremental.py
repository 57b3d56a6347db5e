"""Incremental builds against the fake OpenAI server: exactly the jobs a change needs run, and the
response cache makes the provider calls exactly the new requests.

One build (two models, a baseline, an LLM judge; html and python executions) is made once per module;
each test works on a copy of it (outputs, Snakemake's metadata and the response cache, mtimes kept),
changes one thing and checks the dry run's job list, the real run's job list and the calls the server
counted.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import yaml

from fake_llm_server import FakeLLMServer
from workflow_helpers import (
    REPO, as_user, finished_jobs, give_to, jobs_in, read_jsonl, snakemake, snakemake_cmd, snakemake_env, write_config,
)

pytestmark = pytest.mark.slow
MODELS = ["fake-alpha", "fake-beta"]
BASELINE = "fake-base"
JUDGE = "fake-judge"
ENVS = ["html", "python"]
# Test data written for this test: the fake server answers the first two with an HTML page (judged with
# a screenshot) and the last two with a Python program (judged on its output).
QUESTION_TEXTS = [
    ("inc-web-1", "web_design", "Make a web page with a button that counts clicks."),
    ("inc-web-2", "web_design", "Write an HTML landing page for a bakery."),
    ("inc-py-1", "problem_solving", "Print the first ten prime numbers."),
    ("inc-py-2", "scientific_computing", "Compute the mean of the squares of 1 to 100."),
]
QUESTIONS = len(QUESTION_TEXTS)
TAIL = {("build_leaderboard", ""), ("report", ""), ("leaderboard", "")}


def model_jobs(model):
    """The jobs that build one contestant, from its answers to its judgment."""
    return {("answers", f"model={model}")} | {("execute", f"model={model}, env={env}") for env in ENVS} | {
        ("judge", f"judge={JUDGE}, model={model}, baseline={BASELINE}")
    }


def judge_jobs(models=MODELS):
    return {("judge", f"judge={JUDGE}, model={m}, baseline={BASELINE}") for m in models}


def write_models(work, base_url, **changes):
    models = {
        name: {"model": f"openai/{name}", "api_base": base_url, "concurrency": 4, "max_retries": 8,
               "retry_base_s": 0.05, "retry_max_s": 0.5, "timeout_s": 20, "temperature": 0.0}
        for name in MODELS + ["fake-gamma", BASELINE, JUDGE]
    }
    for name, fields in changes.items():
        models[name].update(fields)
    (work / "models.yaml").write_text(yaml.safe_dump(models))


def write_workflow_config(work, questions, **changes):
    fields = dict(
        name="incremental runs",
        questions=str(questions),
        models_file=str(work / "models.yaml"),
        models=MODELS,
        baseline=BASELINE,
        judges={JUDGE: {"type": "llm", "model": JUDGE, "max_reasks": 1}},
        execution={"environments": ENVS, "timeout_s": 10},
        leaderboard={"bootstrap_rounds": 100},
    )
    fields.update(changes)
    return write_config(work / "config.yaml", **fields)


def request_key(record):
    return json.dumps(record["body"], sort_keys=True)


def has_image(record):
    return any(
        isinstance(m.get("content"), list) and any(p.get("type") == "image_url" for p in m["content"])
        for m in record["body"]["messages"]
    )


def new_calls(srv, before):
    """Calls per model since the snapshot `before` (models without calls left out)."""
    after = srv.calls
    return {m: after[m] - before[m] for m in after if m != "total" and after[m] != before[m]}


def assert_no_repeated_call(srv):
    """No request was answered successfully twice: every rebuild took what it had from the cache."""
    ok = Counter(request_key(r) for r in srv.requests() if r["outcome"] == "ok")
    assert max(ok.values()) == 1


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer() as srv:
        yield srv


@pytest.fixture(scope="module")
def questions(tmp_path_factory):
    """The questions file, at one path for every build (a local questions file is a rule input)."""
    path = tmp_path_factory.mktemp("data") / "questions.jsonl"
    path.write_text("".join(
        json.dumps({"uid": uid, "category": cat, "instruction": text}) + "\n" for uid, cat, text in QUESTION_TEXTS
    ))
    return path


@pytest.fixture(scope="module")
def built(server, questions, tmp_path_factory):
    """The base build; returns its directory and the judge requests it made."""
    work = tmp_path_factory.mktemp("base")
    write_models(work, server.base_url)
    cfg = write_workflow_config(work, questions)
    snakemake(work, "leaderboard", configfile=cfg)
    assert len(read_jsonl(work / "results/questions.jsonl")) == QUESTIONS
    return work, server.requests(JUDGE)


def copy_build(built, server, dest, **model_changes):
    """A copy of the base build whose config and model table live in `dest`."""
    base, _ = built
    work = dest / "work"
    shutil.copytree(base, work, symlinks=True)  # copy2: mtimes are kept, so nothing looks newer
    write_models(work, server.base_url, **model_changes)
    return work


def test_adding_a_model_runs_only_that_model_then_the_leaderboard(built, server, questions, tmp_path):
    work = copy_build(built, server, tmp_path)
    cfg = write_workflow_config(work, questions, models=MODELS + ["fake-gamma"])
    expected = model_jobs("fake-gamma") | TAIL
    assert jobs_in(snakemake(work, "--dry-run", "leaderboard", configfile=cfg)) == expected

    before = server.calls
    run = snakemake(work, "leaderboard", configfile=cfg)
    assert jobs_in(run) == expected and finished_jobs(run) == len(expected)
    # One answer per question for the new model, both orders of every question for its judgment.
    assert new_calls(server, before) == {"fake-gamma": QUESTIONS, JUDGE: 2 * QUESTIONS}
    board = json.loads((work / "results/leaderboard.json").read_text())["judges"][JUDGE]["overall"]
    assert {r["model"] for r in board} == {*MODELS, "fake-gamma", BASELINE}
    assert_no_repeated_call(server)


def test_changing_one_models_temperature_reruns_that_model_only(built, server, questions, tmp_path):
    work = copy_build(built, server, tmp_path, **{"fake-beta": {"temperature": 0.7}})
    cfg = write_workflow_config(work, questions)
    expected = model_jobs("fake-beta") | TAIL
    assert jobs_in(snakemake(work, "--dry-run", "leaderboard", configfile=cfg)) == expected

    before = server.calls
    untouched = (work / "results/answers/fake-alpha.jsonl").stat().st_mtime_ns
    run = snakemake(work, "leaderboard", configfile=cfg)
    assert jobs_in(run) == expected
    # The new temperature makes a new request of every question for fake-beta, and nothing else: the
    # fake server's answers do not depend on the temperature, so the rebuilt executions are the same
    # and so are the judge's requests, which the cache answers.
    assert new_calls(server, before) == {"fake-beta": QUESTIONS}
    assert all(r["body"].get("temperature") == 0.7 for r in server.requests("fake-beta")[-QUESTIONS:])
    assert (work / "results/answers/fake-alpha.jsonl").stat().st_mtime_ns == untouched
    assert_no_repeated_call(server)


def test_judge_changes_rerun_judgments_only_and_call_only_for_changed_requests(built, server, questions, tmp_path):
    work = copy_build(built, server, tmp_path)
    _, base_requests = built
    expected = judge_jobs() | TAIL
    judge = {"type": "llm", "model": JUDGE, "max_reasks": 1}

    # A setting that changes no request: the judgments are rebuilt, every verdict from the cache.
    judge["max_reasks"] = 2
    cfg = write_workflow_config(work, questions, judges={JUDGE: judge})
    assert jobs_in(snakemake(work, "--dry-run", "leaderboard", configfile=cfg)) == expected
    before = server.calls
    assert jobs_in(snakemake(work, "leaderboard", configfile=cfg)) == expected
    assert new_calls(server, before) == {}

    # A setting that changes some requests: without screenshots, only the games that showed one are
    # asked again; the games of two Python programs keep their cached verdicts.
    with_images = {request_key(r) for r in base_requests if r["outcome"] == "ok" and has_image(r)}
    assert 0 < len(with_images) < 2 * QUESTIONS * len(MODELS)
    judge["max_images"] = 0
    cfg = write_workflow_config(work, questions, judges={JUDGE: judge})
    assert jobs_in(snakemake(work, "--dry-run", "leaderboard", configfile=cfg)) == expected
    before = server.calls
    assert jobs_in(snakemake(work, "leaderboard", configfile=cfg)) == expected
    assert new_calls(server, before) == {JUDGE: len(with_images)}
    assert_no_repeated_call(server)
    # A new judge prompt changes every judge request (its hash is a param of the judge rule); what a
    # run then calls, and a run killed half-way, tests/test_workflow_llm.py checks.
    judge["prompt"] = str(write_prompt(work, "Be thorough."))
    cfg = write_workflow_config(work, questions, judges={JUDGE: judge})
    assert jobs_in(snakemake(work, "--dry-run", "leaderboard", configfile=cfg)) == expected


def write_prompt(work, extra):
    prompt = work / "judge_prompt.txt"
    prompt.write_text((REPO / "codearena/prompts/judge_system.txt").read_text() + f"\n{extra}\n")
    return prompt


@pytest.fixture
def shared_tmp():
    """A temporary directory that users other than root may enter (pytest's own are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="codearena-protect-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_protect_outputs_freezes_answers_and_judgments(shared_tmp):
    """protect_outputs (a frozen, published run): a change that would rebuild them stops the build."""
    work = shared_tmp
    fields = dict(models=["demo-alpha"], question_limit=1, execution={"environments": ["python"]},
                  leaderboard={"bootstrap_rounds": 100}, protect_outputs=True)
    cfg = write_config(work / "config.yaml", **fields)
    snakemake(work, "leaderboard", configfile=cfg)
    paid = ["results/answers/demo-alpha.jsonl", "results/judgments/execution/demo-alpha_vs_demo-baseline.jsonl"]
    assert all(not (work / p).stat().st_mode & 0o222 for p in paid)
    assert (work / "results/leaderboard.json").stat().st_mode & 0o200  # the rest stays writable

    cfg = write_config(work / "config.yaml", **{**fields, "question_limit": 2})
    cmd = snakemake_cmd(work, "--dry-run", "leaderboard", configfile=cfg)
    if os.geteuid() == 0:
        # Snakemake's protection is the write permission, which root ignores: ask as an ordinary user.
        give_to(work)
        cmd = as_user(cmd)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=snakemake_env({"HOME": str(work)}), timeout=300)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Write-protected output files" in out, out[-3000:]
    # The first protected output the DAG meets is named (any model's answers, the baseline's included).
    assert re.search(r"affected files:\s+results/(answers|judgments)/", out), out[-3000:]

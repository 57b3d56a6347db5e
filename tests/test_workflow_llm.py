"""End to end through litellm: the workflow against the local fake OpenAI server, with faults.

The server speaks the real chat-completions protocol over HTTP; the workflow's jobs are separate
processes, so every call crosses a real socket, goes through litellm, retries and the response cache.
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
import yaml

from fake_llm_server import FakeLLMServer
from workflow_helpers import REPO, read_jsonl, snakemake, write_config

pytestmark = pytest.mark.slow
MODELS = ["fake-alpha", "fake-beta"]
BASELINE = "fake-base"


def setup_workdir(tmp_path, base_url):
    models = {
        name: {"model": f"openai/{name}", "api_base": base_url, "concurrency": 4, "max_retries": 8,
               "retry_base_s": 0.05, "retry_max_s": 0.5, "timeout_s": 20}
        for name in MODELS + [BASELINE, "fake-judge"]
    }
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(models))
    return write_config(
        tmp_path / "config.yaml",
        name="fake-server run",
        models_file=str(tmp_path / "models.yaml"),
        models=MODELS,
        baseline=BASELINE,
        judges={"fake-judge": {"type": "llm", "model": "fake-judge", "max_reasks": 1}},
        execution={"environments": ["html", "python"], "timeout_s": 10},
        leaderboard={"bootstrap_rounds": 200},
    )


def successes_per_request(srv):
    """How many times each distinct request (model + messages) was answered successfully."""
    counts = Counter()
    for r in srv.requests():
        if r["outcome"] == "ok":
            counts[json.dumps([r["model"], r["body"]["messages"]], sort_keys=True)] += 1
    return counts


def test_full_run_survives_429s_and_500s_and_reruns_make_no_call(tmp_path):
    with FakeLLMServer() as srv:
        cfg = setup_workdir(tmp_path, srv.base_url)
        srv.inject("429", rate=0.2, retry_after="1")
        srv.inject("500", rate=0.15)
        snakemake(tmp_path, "leaderboard", configfile=cfg)
        assert srv.faults["429"] > 0 and srv.faults["500"] > 0
        n_questions = len(read_jsonl(tmp_path / "results/questions.jsonl"))
        for model in MODELS + [BASELINE]:
            answers = read_jsonl(tmp_path / f"results/answers/{model}.jsonl")
            assert len(answers) == n_questions
            assert all(a["status"] == "ok" for a in answers), [a["error"] for a in answers]
        for model in MODELS:
            recs = read_jsonl(tmp_path / f"results/judgments/fake-judge/{model}_vs_{BASELINE}.jsonl")
            assert len(recs) == n_questions
            assert all(g["verdict"] for r in recs for g in r["games"])
        board = json.loads((tmp_path / "results/leaderboard.json").read_text())["judges"]["fake-judge"]
        assert {r["model"] for r in board["overall"]} == set(MODELS) | {BASELINE}
        assert max(successes_per_request(srv).values()) == 1

        # Everything rebuilt from scratch (a lost results dir, a code change): no call is repeated.
        calls = srv.calls["total"]
        snakemake(tmp_path, "leaderboard", "--forceall", configfile=cfg)
        assert srv.calls["total"] == calls


@pytest.mark.parametrize("kill_after_calls", [15, 60])
def test_sigkill_midway_then_resume_repeats_no_call(tmp_path, kill_after_calls):
    with FakeLLMServer() as srv:
        cfg = setup_workdir(tmp_path, srv.base_url)
        srv.inject("slow", rate=1.0, delay=0.05)  # keep the run long enough to be killed in the middle
        cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
               "--configfile", str(cfg), "--cores", "2", "leaderboard"]
        env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}"}
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                start_new_session=True)
        deadline = time.time() + 120
        while srv.calls["total"] < kill_after_calls and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert srv.calls["total"] >= kill_after_calls
        srv.clear_faults()
        snakemake(tmp_path, "--unlock", configfile=cfg)  # a killed Snakemake leaves its lock behind
        snakemake(tmp_path, "leaderboard", "--rerun-incomplete", configfile=cfg)
        assert max(successes_per_request(srv).values()) == 1
        assert (tmp_path / "results/leaderboard.json").exists()

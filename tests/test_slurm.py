"""The demo build on a real one-node SLURM cluster, through profiles/slurm and the slurm executor plugin.

A reduced demo (one contestant and the baseline, two environments) keeps the run short: each SLURM job
starts Snakemake twice and the plugin's status polling backs off by 10 s per check that finds nothing
new, so the time goes with the number of jobs and DAG levels, not with the work.
"""

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from slurm_cluster import ClusterUnavailable, SlurmCluster
from workflow_helpers import REPO, read_jsonl, write_config

pytestmark = pytest.mark.slow
ENVS = ["html", "python"]
MODELS = ["demo-alpha", "demo-baseline"]
# What the test cluster lacks compared with a production one: accounting storage (so job status comes
# from squeue) and a slow poll (the plugin waits 40 s before its first status check by default).
TEST_CLUSTER_FLAGS = [
    "--slurm-status-command", "squeue",
    "--slurm-init-seconds-before-status-checks", "1",
    "--seconds-between-status-checks", "1",
    "--slurm-keep-successful-logs",
]


@pytest.fixture(scope="module")
def cluster():
    try:
        with SlurmCluster() as c:
            yield c
    except ClusterUnavailable as e:
        pytest.skip(str(e))


def run_snakemake_on_slurm(work: Path, cfg: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    """`snakemake --profile profiles/slurm leaderboard`, as a user runs it, plus the test cluster's flags.

    The slurm plugin ignores SIGTERM while it waits for jobs, so a run past the timeout is SIGKILLed
    with its whole process group."""
    cmd = [sys.executable, "-m", "snakemake", "leaderboard", "--snakefile", str(REPO / "Snakefile"),
           "--directory", str(work), "--configfile", str(cfg), "--profile", str(REPO / "profiles/slurm"),
           *TEST_CLUSTER_FLAGS]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"snakemake on SLURM did not finish in {timeout} s:\n{err[-6000:]}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def test_demo_build_runs_through_slurm_with_the_profiles_resources(cluster, tmp_path):
    cfg = write_config(
        tmp_path / "config.yaml",
        models=MODELS[:1],
        execution={"environments": ENVS},
        leaderboard={"bootstrap_rounds": 100},
    )
    proc = run_snakemake_on_slurm(tmp_path, cfg)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"{log[-8000:]}\nslurmctld:\n{cluster.log('slurmctld')[-3000:]}"

    # The build is complete and right.
    board = json.loads((tmp_path / "results/leaderboard.json").read_text())["judges"]["execution"]["overall"]
    assert {r["model"] for r in board} == set(MODELS)
    shots = [s for r in read_jsonl(tmp_path / "results/executions/demo-alpha/html/results.jsonl") for s in r["screenshots"]]
    assert shots and all((tmp_path / "results/executions/demo-alpha/html" / s).is_file() for s in shots)
    assert (tmp_path / "results/report/index.html").is_file()

    # Every LLM-bound and sandbox job went through SLURM, with the resources profiles/slurm gives its
    # rule; the cheap aggregation steps (local rules) did not.
    run_id = re.search(r"SLURM run ID: ([0-9a-f-]+)", log).group(1)
    jobs = {j["comment"]: j for j in cluster.jobs(name=run_id)}
    expected = {f"rule_answers_wildcards_{m}" for m in MODELS}
    expected |= {f"rule_execute_wildcards_{m}_{env}" for m in MODELS for env in ENVS}
    expected |= {f"rule_judge_wildcards_execution_{MODELS[0]}_{MODELS[1]}"}
    assert set(jobs) == expected
    assert all(j["state"] == "COMPLETED" for j in jobs.values()), jobs
    for comment, j in jobs.items():
        if comment.startswith(("rule_answers", "rule_judge")):
            assert (j["partition"], j["cpus"], j["time_limit"]) == ("llm", "1", "12:00:00"), j
        else:
            assert (j["partition"], j["cpus"], j["time_limit"], j["memory"]) == ("sandbox", "2", "2:00:00", "4G"), j
    assert jobs[f"rule_judge_wildcards_execution_{MODELS[0]}_{MODELS[1]}"]["memory"] == "4000M"

    # Each job's log (kept with --slurm-keep-successful-logs) shows its rule ran inside the allocation.
    logs = list((tmp_path / ".snakemake/slurm_logs").rglob("*.log"))
    assert len(logs) == len(expected)
    for path in logs:
        text = path.read_text()
        assert re.search(r"Finished jobid: 0 \(Rule: (answers|execute|judge)\)", text), path
    for rule in ("questions", "build_leaderboard", "report", "leaderboard"):
        assert re.search(rf"^localrule {rule}:$", log, re.MULTILINE), rule

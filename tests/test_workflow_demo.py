"""End to end: the offline demo suite through the real workflow, in a temporary directory."""

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from workflow_helpers import REPO, planned_jobs, read_jsonl, snakemake

pytestmark = pytest.mark.slow
DEMO_MODELS = ["demo-alpha", "demo-beta", "demo-gamma"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    work = tmp_path_factory.mktemp("demo")
    proc = snakemake(work, "leaderboard")
    return work, proc


def test_demo_builds_leaderboard_and_report(demo):
    work, _ = demo
    lb = json.loads((work / "results/leaderboard.json").read_text())
    board = lb["judges"]["execution"]["overall"]
    assert {r["model"] for r in board} == set(DEMO_MODELS) | {"demo-baseline"}
    for row in board:
        assert row["ci"][0] <= row["score"] <= row["ci"][1]
    html = (work / "results/report/index.html").read_text()
    for model in DEMO_MODELS:
        assert model in html
    assert "demo data" in html.lower()


def test_every_question_answered_and_both_orders_judged(demo):
    work, _ = demo
    uids = [q["uid"] for q in read_jsonl(work / "results/questions.jsonl")]
    for model in DEMO_MODELS + ["demo-baseline"]:
        assert [a["uid"] for a in read_jsonl(work / f"results/answers/{model}.jsonl")] == uids
    for model in DEMO_MODELS:
        recs = read_jsonl(work / f"results/judgments/execution/{model}_vs_demo-baseline.jsonl")
        assert [r["uid"] for r in recs] == uids
        for r in recs:
            assert [g["a"] for g in r["games"]] == ["demo-baseline", model]
            assert all(g["verdict"] or g["skipped"] for g in r["games"])


def test_html_answers_have_screenshots(demo):
    work, _ = demo
    shots = 0
    for model in DEMO_MODELS + ["demo-baseline"]:
        for rec in read_jsonl(work / f"results/executions/{model}/html/results.jsonl"):
            base = work / f"results/executions/{model}/html"
            for shot in rec["screenshots"]:
                img = Image.open(base / shot)
                assert img.size[0] > 0
                shots += 1
    assert shots >= 8


def test_second_run_does_nothing(demo):
    work, _ = demo
    assert planned_jobs(work, "leaderboard") == {}


def test_deleting_one_answers_file_rebuilds_only_its_dependents(demo):
    work, _ = demo
    (work / "results/answers/demo-beta.jsonl").unlink()
    jobs = planned_jobs(work, "leaderboard")
    assert jobs == {"answers": 1, "execute": 14, "judge": 1, "build_leaderboard": 1, "report": 1, "leaderboard": 1}
    snakemake(work, "leaderboard")
    assert planned_jobs(work, "leaderboard") == {}

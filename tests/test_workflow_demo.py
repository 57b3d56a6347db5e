"""End to end: the offline demo suite through the real workflow, in a temporary directory."""

import csv
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from report_browser import report_browser, visit, visit_all
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
    assert lb["version"] == 2
    board = lb["judges"]["execution"]["overall"]
    assert {r["model"] for r in board} == set(DEMO_MODELS) | {"demo-baseline"}
    for row in board:
        assert row["ci"][0] <= row["score"] <= row["ci"][1]
        assert row["rating_ci"][0] <= row["rating"] <= row["rating_ci"][1]
    assert lb["judges"]["execution"]["quality"]["position_consistency"]["questions"] > 0
    html = (work / "results/report/index.html").read_text()
    for model in DEMO_MODELS:
        assert model in html
    assert "demo data" in html.lower()


def test_csv_and_latex_come_from_the_same_aggregation(demo):
    work, _ = demo
    lb = json.loads((work / "results/leaderboard.json").read_text())
    rows = list(csv.DictReader((work / "results/leaderboard.csv").open()))
    overall = {r["model"]: r for r in rows if r["group_by"] == "overall"}
    for row in lb["judges"]["execution"]["overall"]:
        assert float(overall[row["model"]]["score"]) == row["score"]
    tex = (work / "results/leaderboard.tex").read_text()
    assert "\\toprule" in tex and "demo-alpha" in tex


def test_report_pages_load_in_chromium(demo):
    work, _ = demo
    site = work / "results/report"
    uids = [q["uid"] for q in read_jsonl(work / "results/questions.jsonl")]
    assert sorted(p.stem for p in (site / "questions").glob("*.html") if p.stem != "index") == sorted(uids)
    assert {p.stem for p in (site / "models").glob("*.html")} == set(DEMO_MODELS) | {"demo-baseline"}
    with report_browser() as page:
        problems = visit_all(page, site)
        assert not {p: v for p, v in problems.items() if v}
        visit(page, site / "index.html")
        shown = page.locator("table.leaderboard tbody tr td.ci").all_inner_texts()
        assert len(shown) == len(DEMO_MODELS) + 1 and all(t.startswith("[") for t in shown)


def test_snakemake_report_includes_the_leaderboard(demo, tmp_path):
    work, _ = demo
    out = tmp_path / "workflow-report.html"
    snakemake(work, "--report", str(out))
    html = out.read_text()
    assert "leaderboard.csv" in html and "The front page of codearena" in html


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


def test_deleting_one_answers_file_plans_only_its_dependents(demo):
    """The plan only: test_workflow_incremental.py runs such rebuilds for real (on a smaller build)."""
    work, _ = demo
    (work / "results/answers/demo-beta.jsonl").unlink()
    jobs = planned_jobs(work, "leaderboard")
    assert jobs == {"answers": 1, "execute": 14, "judge": 1, "build_leaderboard": 1, "report": 1, "leaderboard": 1}

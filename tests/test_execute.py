"""execute_answers end to end: an answers file with mixed environments, run for real."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codearena.execute import execute_answers
from codearena.io import ArtifactError, read_jsonl

pytestmark = pytest.mark.timeout(120)

SETTINGS = {"backend": "local", "timeout_s": 8, "cpu_s": 8, "memory_mb": 1024, "max_processes": 32,
            "file_size_mb": 16, "output_chars": 2000, "viewport": [640, 480], "max_page_height": 960,
            "settle_ms": 200}
ARTIFACT_FIELDS = {"uid", "model", "env", "environment", "status", "exit_code", "stdout", "stderr",
                   "stdout_truncated", "stderr_truncated", "screenshots", "figures", "console",
                   "missing_dependencies", "duration_s", "backend", "code_sha256"}


def answer(uid: str, env: str | None, code: str | None, status: str = "ok") -> dict:
    names = {"python": "Python Runner", "html": "HTML", "react": "React", None: None}
    return {"uid": uid, "category": "demo", "model": "demo-model", "status": status, "error": None,
            "messages": [], "answer": "", "code": code, "environment": names[env], "env": env,
            "language": env, "dependencies": {"pip": [], "npm": []}, "usage": None, "cost_usd": None,
            "latency_s": None, "cached": False, "request_hash": None, "settings": {}, "tstamp": 0.0}


ANSWERS = [
    answer("p2", "python", "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nprint('plotted')"),
    answer("p1", "python", "print('first')"),
    answer("p3", "python", "print('\ud800')"),  # cannot even be written as UTF-8: our failure, not the model's
    answer("p4", "python", "import nonexistent_pkg_xyz"),
    answer("p5", "python", None, status="failed"),
    answer("h1", "html", "<h1 style='color:#0a0'>page</h1><img src='/api/placeholder/100/100'>"),
    answer("r1", "react", "export default function App() { return <div/> }"),
    answer("r2", "react", "export default () => null"),
    answer("n1", None, None, status="no_code"),
]


@pytest.fixture
def answers_file(tmp_path: Path) -> Path:
    path = tmp_path / "answers" / "demo-model.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r) + "\n" for r in ANSWERS), encoding="utf-8")
    return path


def test_python_answers_run_and_one_failure_does_not_stop_the_others(answers_file, tmp_path):
    outdir = tmp_path / "executions" / "demo-model" / "python"
    logged: list[str] = []
    records = execute_answers(answers_file, "python", outdir, SETTINGS, log=logged.append)
    on_disk = read_jsonl(outdir / "results.jsonl")
    assert on_disk == records
    assert [r["uid"] for r in records] == ["p1", "p2", "p3", "p4"]  # sorted; p5 failed upstream
    by_uid = {r["uid"]: r for r in records}
    assert all(ARTIFACT_FIELDS <= set(r) for r in records)
    assert (by_uid["p1"]["status"], by_uid["p1"]["stdout"]) == ("ok", "first\n")
    assert by_uid["p2"]["status"] == "ok" and by_uid["p2"]["figures"] == ["figures/p2_0.png"]
    assert (outdir / by_uid["p2"]["figures"][0]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert by_uid["p3"]["status"] == "sandbox_error" and "UnicodeEncodeError" in by_uid["p3"]["stderr"]
    assert by_uid["p4"]["status"] == "missing_dependency"
    assert by_uid["p4"]["missing_dependencies"] == ["nonexistent-pkg-xyz"]  # PEP 503 canonical name
    assert all(r["model"] == "demo-model" and r["backend"] == "local" for r in records)
    assert any("p3: sandbox_error" in line for line in logged)


def test_html_answers_get_screenshots_and_stale_ones_are_removed(answers_file, tmp_path):
    outdir = tmp_path / "executions" / "demo-model" / "html"
    (outdir / "screenshots").mkdir(parents=True)
    stale = outdir / "screenshots" / "old_0.png"
    stale.write_bytes(b"stale")
    records = execute_answers(answers_file, "html", outdir, SETTINGS, log=lambda _: None)
    assert not stale.exists()
    [record] = records
    assert record["uid"] == "h1" and record["status"] == "ok" and record["environment"] == "HTML"
    assert record["screenshots"] and all((outdir / p).is_file() for p in record["screenshots"])
    assert sorted(p.name for p in (outdir / "screenshots").iterdir()) == \
        sorted(Path(p).name for p in record["screenshots"])


def test_environment_without_a_runner_gets_unsupported_records(answers_file, tmp_path, monkeypatch):
    from codearena import runners

    # Every environment has a runner once all are built: take React's away for this test.
    monkeypatch.setitem(runners.RUNNERS, "react", runners.unsupported)
    monkeypatch.delitem(runners.CHECKS, "react", raising=False)
    outdir = tmp_path / "executions" / "demo-model" / "react"
    records = execute_answers(answers_file, "react", outdir, SETTINGS, log=lambda _: None)
    assert [(r["uid"], r["status"]) for r in records] == [("r1", "unsupported"), ("r2", "unsupported")]
    assert records[0]["stderr"] == "environment not supported by this build: React"
    assert read_jsonl(outdir / "results.jsonl") == records


def test_environment_with_no_answers_writes_an_empty_results_file(answers_file, tmp_path):
    outdir = tmp_path / "executions" / "demo-model" / "rust"
    assert execute_answers(answers_file, "rust", outdir, SETTINGS, log=lambda _: None) == []
    assert (outdir / "results.jsonl").read_text() == ""


def test_bad_input_is_named(answers_file, tmp_path):
    with pytest.raises(ValueError, match="unknown environment 'cobol'"):
        execute_answers(answers_file, "cobol", tmp_path / "out", SETTINGS)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(json.dumps(answer("x", "python", None)) + "\n")  # status ok but no code
    with pytest.raises(ArtifactError, match=r"broken.jsonl: record 1 \(uid x\): status is 'ok' but 'code'"):
        execute_answers(broken, "python", tmp_path / "out", SETTINGS)

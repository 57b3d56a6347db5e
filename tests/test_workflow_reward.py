"""End to end: the `reward` target through the real workflow, offline, and its report in Chromium.

The run uses the default config's demo votes and execution judge plus an LLM judge served by the local
fake OpenAI server (both modes, both orders), whose jobs call it over HTTP.
"""

import json

import pytest
import yaml
from playwright.sync_api import sync_playwright

from codearena.browser import find_chromium
from fake_llm_server import FakeLLMServer
from reward_fakes import scripted_judge
from workflow_helpers import REPO, planned_jobs, read_jsonl, snakemake, write_config

pytestmark = pytest.mark.slow


def open_pages(paths):
    """Load each page from disk in Chromium: {name: (title, console errors, text, heatmap cells, link targets)}."""
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=find_chromium(), args=["--no-sandbox"])
        try:
            for path in paths:
                page = browser.new_page()
                errors = []
                page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                page.goto(path.as_uri())
                out[path.name] = (page.title(), list(errors), page.inner_text("body"),
                                  page.locator("table.cm td.cell").count(), [a.get_attribute("href") for a in page.locator("a").all()])
                page.close()
        finally:
            browser.close()
    return out


def test_default_config_plans_the_reward_target_with_the_execution_judge(tmp_path):
    assert planned_jobs(tmp_path, "reward") == {"reward_votes": 1, "reward_judge": 1, "reward_summary": 1,
                                                "reward_report": 1, "reward": 1}
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    assert list(cfg["judges"]) == ["execution"] and cfg["reward"]["votes"] == "config/demo/reward"


def test_reward_runs_offline_with_the_execution_judge_and_an_llm_judge(tmp_path):
    """The default config's demo votes and execution judge, plus an LLM judge on the fake server."""
    with FakeLLMServer() as srv:
        srv.script("fake-judge", scripted_judge)
        models = {"fake-judge": {"model": "openai/fake-judge", "api_base": srv.base_url, "concurrency": 4,
                                 "max_retries": 3, "retry_base_s": 0.05, "timeout_s": 20}}
        base = yaml.safe_load((REPO / "config/models.yaml").read_text())
        (tmp_path / "models.yaml").write_text(yaml.safe_dump({**base, **models}))
        reward = yaml.safe_load((REPO / "config/config.yaml").read_text())["reward"]
        cfg = write_config(
            tmp_path / "config.yaml", models_file=str(tmp_path / "models.yaml"),
            judges={"fake-judge": {"type": "llm", "model": "fake-judge"}, "execution": {"type": "execution"}},
            reward={**reward, "votes": str(REPO / "config/demo/reward"), "both_orders": True, "bootstrap_rounds": 50},
        )
        snakemake(tmp_path, "reward", configfile=cfg)
        assert srv.calls["fake-judge"] == 36 * 2 * 2  # 36 battles x 2 modes x 2 orders

        verdicts = read_jsonl(tmp_path / "results/reward/verdicts/fake-judge/with_execution.jsonl")
        assert len(verdicts) == 36 and all(r["verdict"] in ("A", "B", "tie") for r in verdicts)
        assert all(len(r["orders"]) == 2 and r["orders"][0]["raw"] for r in verdicts)
        assert not (tmp_path / "results/reward/verdicts/execution/without_execution.jsonl").exists()
        summary = json.loads((tmp_path / "results/reward/fake-judge.json").read_text())
        for mode in ("with_execution", "without_execution"):
            r = summary["modes"][mode]
            assert r["coverage"] == 1.0 and r["position"]["compared"] == 36
            assert r["usage"]["calls"] == 72
        # The scripted judge favours position A when the evidence does not separate the sides.
        assert summary["modes"]["with_execution"]["position"]["flips"] > 0

        execution = json.loads((tmp_path / "results/reward/execution.json").read_text())
        r = execution["modes"]["with_execution"]
        assert list(execution["modes"]) == ["with_execution"]  # the execution judge has no code-only mode
        assert r["battles"] == r["judged"] == 36
        assert 0.4 < r["three_class"]["accuracy"] < 0.9  # a rule judge: far from perfect, far from chance
        assert "demo" in execution["note"].lower()
        assert planned_jobs(tmp_path, "reward", configfile=cfg) == {}

        # Losing a verdict file rebuilds it from the journal: no judge call is repeated.
        lost = tmp_path / "results/reward/verdicts/fake-judge/with_execution.jsonl"
        lost.unlink()
        snakemake(tmp_path, str(lost.relative_to(tmp_path)), configfile=cfg)
        assert srv.calls["fake-judge"] == 144
        assert read_jsonl(lost) == verdicts

    report = tmp_path / "results/report/reward"
    pages = open_pages([report / "index.html", report / "fake-judge.html", report / "execution.html"])
    for name, (title, errors, text, cells, links) in pages.items():
        assert "codearena" in title and errors == [], (name, errors)
        assert "demo data" in text.lower()
        assert all(link.endswith(".html") and (report / link).exists() for link in links)
    index_text = pages["index.html"][2]
    assert "fake-judge" in index_text and "execution" in index_text and "code only" in index_text
    assert pages["fake-judge.html"][3] == 2 * (9 + 16)  # 3- and 4-class heatmaps for both modes side by side
    assert pages["execution.html"][3] == 9 + 16

"""The judge summary (results/reward/{judge}.json) and the report pages built from it."""

import json
import random

import pytest
from threadpoolctl import threadpool_limits

from codearena.io import ArtifactError, write_jsonl
from codearena.reward.report import write_reward_report
from codearena.reward.summary import summarise

EVIL = "<script>alert(1)</script>"
MODELS = ["m-one", "m-two", f"m-{EVIL}", "m-four"]
SETTINGS = {"modes": ["with_execution", "without_execution"], "both_orders": True, "max_reasks": 1,
            "token_limits": {}, "ratings": {"rounds": 20, "seed": 0, "confidence": 0.95},
            "note": "Demo data written for tests <b>bold</b>"}


def records(mode, n=60, seed=0, judge="j"):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.sample(MODELS, 2)
        human = rng.choice(["A", "B", "tie", "both_bad"])
        verdict = "error" if i % 15 == 0 else (human if human in ("A", "B") and rng.random() < 0.7 else rng.choice(["A", "B", "tie"]))
        flip = None if verdict == "error" else rng.random() < 0.2
        out.append({"chat_session_id": f"id{i:03d}", "judge": judge, "mode": mode, "model_A": a, "model_B": b,
                    "category": f"cat-{i % 3}" if i % 7 else EVIL, "human_vote": human, "verdict": verdict,
                    "position_flip": flip, "error": "judge call failed: 401" if verdict == "error" else None,
                    "orders": [{"order": "AB", "calls": 1, "cached": 0, "raw": ["x"], "usage": {"total_tokens": 10},
                                "cost_usd": 0.01}]})
    return out


@pytest.fixture
def summary(tmp_path):
    files = {}
    for seed, mode in enumerate(SETTINGS["modes"]):
        files[mode] = tmp_path / f"{mode}.jsonl"
        write_jsonl(files[mode], records(mode, seed=seed))
    votes = {"source": f"votes {EVIL}", "split": "train", "rows": 62,
             "skipped": [{"row": 1, "chat_session_id": None, "reason": f"no model_A {EVIL}"}]}
    with threadpool_limits(1):
        return summarise({"name": "j", "type": "llm", "model": "fake-judge"}, files, votes, SETTINGS)


def test_summary_holds_coverage_failures_flips_and_ratings_per_mode(summary):
    assert json.loads(json.dumps(summary)) == summary  # plain JSON
    r = summary["modes"]["with_execution"]
    assert r["battles"] == 60 and r["failed"] == 4 and r["coverage"] == pytest.approx(56 / 60)
    assert r["failures"] == {"judge call failed": 4}
    assert r["position"]["compared"] == 56 and 0 < r["position"]["flip_rate"] < 1
    assert r["usage"]["calls"] == 60 and r["usage"]["cost_usd"] == pytest.approx(0.6)
    assert {row["model"] for row in r["ratings"]["human"]} == set(MODELS) and r["ratings"]["battles"] == 56
    assert set(r["ratings"]["correlation"]) >= {"spearman", "kendall", "pearson"}
    assert sum(c["battles"] for c in r["by_category"].values()) == 60
    assert summary["votes"]["skipped_reasons"] == {f"no model_A {EVIL}": 1}
    assert len(summary["human_leaderboard"]) == 4


def test_pages_escape_everything_from_the_data(summary, tmp_path):
    pages = write_reward_report([summary], tmp_path / "report")
    assert [p.name for p in pages] == ["index.html", "j.html"]
    for page in pages:
        html = page.read_text()
        assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>bold</b>" not in html
        assert "demo data" in html.lower()
    judge_page = (tmp_path / "report/j.html").read_text()
    assert "Δ (with − without)" in judge_page and "All (pooled)" in judge_page


def test_verdict_files_that_do_not_fit_are_errors_naming_the_file(tmp_path):
    path = tmp_path / "v.jsonl"
    bad = records("with_execution", n=3)
    bad[1]["verdict"] = "A>B"
    write_jsonl(path, bad)
    with pytest.raises(ArtifactError, match=r"v.jsonl: record 2: unknown label"):
        summarise({"name": "j", "type": "llm"}, {"with_execution": path}, {}, SETTINGS)
    write_jsonl(path, records("with_execution", n=3, judge="other"))
    with pytest.raises(ArtifactError, match="expected j/with_execution"):
        summarise({"name": "j", "type": "llm"}, {"with_execution": path}, {}, SETTINGS)

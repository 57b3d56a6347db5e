"""The demo votes (config/demo/reward): labelled as demo data, and the parquet file matches its sources."""

import io

import datasets
import pytest
import yaml
from PIL import Image

from codearena.judging.images import is_blank
from workflow_helpers import REPO

DEMO = REPO / "config/demo/reward"
PAIRS = (("good", "okay"), ("good", "broken"), ("okay", "broken"))


@pytest.fixture(scope="module")
def source():
    return yaml.safe_load((DEMO / "source/battles.yaml").read_text())


@pytest.fixture(scope="module")
def rows():
    ds = datasets.load_dataset(str(DEMO), split="train")
    return {r["chat_session_id"]: r for r in ds.cast_column("execution_screenshot_A", datasets.Image(decode=False))
            .cast_column("execution_screenshot_B", datasets.Image(decode=False))}


def test_demo_is_labelled_as_demo_data(source):
    assert "this is demo data written for codearena" in (DEMO / "README.md").read_text().lower()
    assert (DEMO / "source/battles.yaml").read_text().startswith("# DEMO DATA written for codearena")
    assert all(m.startswith("demo-") for m in source["models"])


def test_parquet_matches_the_sources(source, rows):
    assert len(rows) == 3 * len(source["tasks"]) == 36
    for task in source["tasks"]:
        for first, second in PAIRS:
            r = rows[f"demo-{task['id']}-{first}-vs-{second}"]
            assert r["instruction"] == task["turns"][0] and r["category_name"] == task["category"]
            sides = {}
            for side in "AB":
                variant = next(v for v in (first, second) if task["models"][v] == r[f"model_{side}"])
                sides[side] = variant
                state = r["states"][f"model_{side}"]
                assert state["messages"][-1] == ["assistant", task["answers"][variant]]
                assert [m[1] for m in state["messages"] if m[0] == "user"] == task["turns"]
            vote = task["votes"][f"{first}-{second}"]
            expected = {sides["A"]: "vote_model_A", sides["B"]: "vote_model_B"}.get(vote, f"vote_{vote}")
            assert r["human_vote"] == expected


def test_evidence_shows_the_planned_quality(source, rows, tmp_path):
    html_tasks = {t["id"] for t in source["tasks"] if "```html" in t["answers"]["good"]}
    assert len(html_tasks) == 8
    for task in source["tasks"]:
        for first, second in PAIRS:
            r = rows[f"demo-{task['id']}-{first}-vs-{second}"]
            for side in "AB":
                variant = first if task["models"][first] == r[f"model_{side}"] else second
                shot, error = r[f"execution_screenshot_{side}"], r[f"execution_error_{side}"]
                if variant == "good":
                    assert not error, (task["id"], variant, error)
                if variant == "broken":
                    assert error, (task["id"], variant)
                if task["id"] in html_tasks:
                    path = tmp_path / "shot.png"
                    path.write_bytes(shot["bytes"])
                    assert Image.open(io.BytesIO(shot["bytes"])).size == (480, 320)
                    if variant == "good":
                        assert is_blank(path) is False
                else:
                    assert shot is None and (r[f"execution_output_{side}"] or error)

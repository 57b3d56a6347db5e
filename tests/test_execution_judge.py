"""The rule-based execution judge on real answer/execution files with real PNG screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from codearena.config import JudgeSpec
from codearena.io import write_jsonl
from codearena.judging.evidence import load_executions
from codearena.judging.execution_judge import judge_pairs_by_execution
from codearena.judging.images import is_blank
from codearena.judging.pairs import build_pairs
from codearena.judging.verdict import parse_verdict, swap

JUDGE = JudgeSpec(name="exec", type="execution")


def screenshot(path: Path, drawn: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (400, 300), (250, 250, 250))
    if drawn:
        ImageDraw.Draw(image).text((10, 10), "Hello", fill="black")  # a few dark pixels are content
    image.save(path)


def side(tmp: Path, model: str, uid: str, spec: dict) -> tuple[dict, dict | None]:
    """An answer record and (optionally) an execution record from a short spec; images written as PNGs."""
    status = spec.get("answer", "ok")
    env = spec.get("env", "html")
    answer = {
        "uid": uid, "category": "web_design", "model": model, "status": status,
        "answer": "" if status == "failed" else "an answer", "code": "<p>hi</p>" if status == "ok" else None,
        "environment": "HTML" if status == "ok" else None, "env": env if status == "ok" else None,
    }
    if "run" not in spec:
        return answer, None
    run = {"uid": uid, "model": model, "env": env, "environment": "HTML", "status": spec["run"],
           "exit_code": spec.get("exit", 0), "stdout": spec.get("stdout", ""), "stderr": "",
           "screenshots": [], "figures": [], "console": spec.get("console", [])}
    for kind in ("screenshots", "figures"):
        for i, image in enumerate(spec.get(kind, [])):
            rel = f"{kind}/{uid}-{i}.png"
            target = tmp / "executions" / model / env / rel
            if image == "broken":
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(b"\x89PNG but not really")
            else:
                screenshot(target, drawn=image == "drawn")
            run[kind].append(rel)
    return answer, run


def judge_case(tmp: Path, model_spec: dict, baseline_spec: dict) -> dict:
    """Write both sides to disk as the pipeline does, load them back, judge; the one record."""
    uid = "u1"
    m_answer, m_run = side(tmp, "m", uid, model_spec)
    b_answer, b_run = side(tmp, "base", uid, baseline_spec)
    write_jsonl(tmp / "answers/m.jsonl", [m_answer])
    write_jsonl(tmp / "answers/base.jsonl", [b_answer])
    execs = {}
    for model, run in (("m", m_run), ("base", b_run)):
        paths = []
        if run is not None:
            path = tmp / "executions" / model / run["env"] / "results.jsonl"
            write_jsonl(path, [run])
            paths.append(path)
        execs[model] = load_executions(paths)
    question = [{"uid": uid, "instruction": "Make a page.", "category": "web_design"}]
    pairs = build_pairs(question, tmp / "answers/m.jsonl", tmp / "answers/base.jsonl", execs["m"], execs["base"])
    (record,) = judge_pairs_by_execution(JUDGE, pairs)
    return record


GOOD = {"run": "ok", "screenshots": ["drawn"]}
BLANK = {"run": "ok", "screenshots": ["blank"]}

CASES = [
    # (model side, baseline side, game-1 verdict with A = model)
    (GOOD, GOOD, "A=B"),
    (GOOD, BLANK, "A>B"),  # same clean run, only the model shows something
    (BLANK, GOOD, "B>A"),
    (GOOD, {"run": "error", "exit": 1, "screenshots": ["blank"]}, "A>>B"),  # clean run + evidence
    (GOOD, {"answer": "no_code"}, "A>>B"),  # three points to none
    (GOOD, {"answer": "ok"}, "A>>B"),  # code never run: code only, one point to three
    (GOOD, {"run": "ok", "console": ["pageerror: ReferenceError: x is not defined"], "screenshots": ["drawn"]}, "A>B"),
    (GOOD, {"run": "ok", "screenshots": ["broken"]}, "A>B"),  # an unreadable screenshot shows nothing
    ({"run": "ok", "env": "python", "exit": 0, "stdout": "42\n"}, GOOD, "A=B"),  # stdout is evidence too
    ({"run": "ok", "env": "python", "figures": ["drawn"]}, BLANK, "A>B"),  # a figure is evidence
    ({"run": "ok", "env": "python", "figures": ["blank"]}, BLANK, "A=B"),
    ({"run": "timeout", "exit": None, "stdout": "partial\n"}, {"answer": "no_code"}, "A>>B"),
    # the environment's fault: only "produced code" is compared
    ({"run": "sandbox_error", "exit": None}, GOOD, "A=B"),
    (GOOD, {"run": "missing_dependency", "exit": 1}, "A=B"),
    ({"answer": "no_code"}, {"run": "unsupported", "exit": None}, "B>A"),
]


@pytest.mark.parametrize("model_spec, baseline_spec, expected", CASES)
def test_execution_judge_table(tmp_path, model_spec, baseline_spec, expected):
    record = judge_case(tmp_path, model_spec, baseline_spec)
    g0, g1 = record["games"]
    assert (g1["a"], g1["b"], g1["verdict"]) == ("m", "base", expected), g1["raw"]
    # position-consistent: game 0 (baseline in A) is the same judgment mirrored
    assert (g0["a"], g0["b"], g0["verdict"]) == ("base", "m", swap(expected)), g0["raw"]
    for game in (g0, g1):
        assert len(game["raw"]) == 1 and parse_verdict(game["raw"][0]) == game["verdict"]
        assert game["error"] is None and game["skipped"] is None and game["request_hashes"] == []
    assert (record["judge"], record["model"], record["baseline"], record["uid"]) == ("exec", "m", "base", "u1")


def test_failed_answers_are_skipped(tmp_path):
    record = judge_case(tmp_path, {"answer": "failed"}, GOOD)
    assert [(g["verdict"], g["skipped"], g["raw"]) for g in record["games"]] == [(None, "model answer failed", [])] * 2


def test_explanation_names_the_points(tmp_path):
    record = judge_case(tmp_path, GOOD, {"run": "error", "exit": 1})
    raw = record["games"][1]["raw"][0]
    assert raw.startswith("A: code yes, clean run yes, evidence yes (screenshot) = 3; B: code yes, clean run no")
    assert "(status error, exit 1)" in raw and raw.endswith("-> [[A>>B]]")


def test_is_blank(tmp_path):
    screenshot(tmp_path / "blank.png", drawn=False)
    screenshot(tmp_path / "drawn.png", drawn=True)
    (tmp_path / "junk.png").write_bytes(b"junk")
    assert is_blank(tmp_path / "blank.png") is True
    assert is_blank(tmp_path / "drawn.png") is False
    assert is_blank(tmp_path / "junk.png") is None
    transparent = tmp_path / "transparent.png"
    Image.new("RGBA", (50, 50), (255, 0, 0, 0)).save(transparent)  # fully transparent: a blank page
    assert is_blank(transparent) is True


def test_wrong_judge_type(tmp_path):
    with pytest.raises(ValueError, match="not 'execution'"):
        judge_pairs_by_execution(JudgeSpec(name="x", type="llm", model="m"), [])

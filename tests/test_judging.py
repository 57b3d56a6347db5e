"""Pairs, execution evidence, judge prompts and the LLM judge end to end against the fake OpenAI server."""

from __future__ import annotations

import base64
import io
import json
import random
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from codearena.config import JudgeSpec
from codearena.io import ArtifactError, write_jsonl
from codearena.judging.evidence import load_executions
from codearena.judging.images import encode_image
from codearena.judging.llm_judge import REASK, judge_pairs
from codearena.judging.pairs import build_pairs
from codearena.judging.prompt import PromptOptions, build_messages, clip, load_judge_prompt, prompt_fingerprint
from codearena.llm.cache import ResponseCache

QUESTIONS = [
    {"uid": "q3", "instruction": "Draw a red square on a web page.", "category": "web_design"},
    {"uid": "q1", "instruction": "Print the first ten primes.", "category": "problem_solving"},
    {"uid": "q2", "instruction": "Sum a list of numbers.", "category": "problem_solving"},
]


def answer(uid: str, model: str, status: str = "ok", text: str | None = None, env: str | None = "python") -> dict:
    has_code = status == "ok"
    environment = {"python": "Python Runner", "html": "HTML"}.get(env) if has_code else None
    return {
        "uid": uid,
        "category": "problem_solving",
        "model": model,
        "status": status,
        "error": "provider said no" if status == "failed" else None,
        "answer": text if text is not None else ("" if status == "failed" else f"{model} answers {uid}.\n```python\nprint(1)\n```"),
        "code": "print(1)" if has_code else None,
        "environment": environment,
        "env": env if has_code else None,
    }


def execution(uid: str, model: str, env: str = "python", **fields) -> dict:
    record = {
        "uid": uid, "model": model, "env": env, "environment": "Python Runner" if env == "python" else "HTML",
        "status": "ok", "exit_code": 0, "stdout": "", "stderr": "", "stdout_truncated": False,
        "stderr_truncated": False, "screenshots": [], "figures": [], "console": [], "missing_dependencies": [],
        "duration_s": 0.5, "backend": "local", "code_sha256": "0" * 64,
    }
    record.update(fields)
    return record


def png(path: Path, size=(320, 200), drawn: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, "white")
    if drawn and min(size) >= 4:
        ImageDraw.Draw(image).rectangle([20, 20, size[0] // 2, size[1] // 2], fill="red")
    image.save(path)
    return path


def write_answers(root: Path, model: str, records: list[dict]) -> Path:
    path = root / "answers" / f"{model}.jsonl"
    write_jsonl(path, records)
    return path


def write_execs(root: Path, model: str, env: str, records: list[dict]) -> Path:
    path = root / "executions" / model / env / "results.jsonl"
    write_jsonl(path, records)
    return path


@pytest.fixture
def results(tmp_path):
    """A results tree for model "m" and baseline "base": answers and executions on disk, with real PNGs."""
    root = tmp_path / "results"
    m_answers = write_answers(root, "m", [
        answer("q1", "m", text="GOOD primes\n```python\nprint(2)\n```"),
        answer("q2", "m"),
        answer("q3", "m", env="html"),
    ])
    b_answers = write_answers(root, "base", [
        answer("q1", "base"),
        answer("q2", "base", status="no_code", text="Use sum()."),
        answer("q3", "base", env="html"),
    ])
    png(root / "executions/m/html/screenshots/q3.png")
    png(root / "executions/base/html/screenshots/q3.png", drawn=False)
    m_execs = [
        write_execs(root, "m", "python", [
            execution("q1", "m", stdout="2 3 5 7 11 13 17 19 23 29\n"),
            execution("q2", "m", status="error", exit_code=1, stderr="Traceback ...\nNameError: name 'x' is not defined"),
        ]),
        write_execs(root, "m", "html", [execution("q3", "m", env="html", screenshots=["screenshots/q3.png"])]),
    ]
    b_execs = [
        write_execs(root, "base", "python", [execution("q1", "base", stdout="2 3 5\n")]),
        write_execs(root, "base", "html", [execution("q3", "base", env="html", screenshots=["screenshots/q3.png"])]),
    ]
    return root, m_answers, b_answers, m_execs, b_execs


def test_load_executions_resolves_the_judges_frames_and_keeps_their_absence(tmp_path):
    path = write_execs(tmp_path, "m", "html", [
        execution("a", "m", env="html", screenshots=["screenshots/a_0.png", "screenshots/a_1.png"],
                  judge_screenshots=["screenshots/a_1.png"]),
        execution("b", "m", env="html", screenshots=["screenshots/b_0.png"]),
    ])
    execs = load_executions([path])
    assert execs["a"]["judge_screenshots"] == [path.parent.resolve() / "screenshots/a_1.png"]
    assert "judge_screenshots" not in execs["b"]


def make_pairs(results):
    root, m_answers, b_answers, m_execs, b_execs = results
    return build_pairs(QUESTIONS, m_answers, b_answers, load_executions(m_execs), load_executions(b_execs))


# -- evidence and pairs ------------------------------------------------------------------------------


def test_load_executions_resolves_image_paths(results):
    root, *_, m_execs, _ = results
    execs = load_executions(m_execs)
    assert sorted(execs) == ["q1", "q2", "q3"]
    shot = execs["q3"]["screenshots"][0]
    assert shot.is_absolute() and shot == (root / "executions/m/html/screenshots/q3.png").resolve()
    assert shot.exists()
    assert execs["q1"]["screenshots"] == [] and execs["q1"]["stdout"].startswith("2 3 5")


def test_load_executions_duplicate_uid_names_both_files(tmp_path):
    first = write_execs(tmp_path, "m", "python", [execution("q1", "m")])
    second = write_execs(tmp_path, "m", "c", [execution("q1", "m", env="c")])
    with pytest.raises(ArtifactError) as e:
        load_executions([first, second])
    assert str(first) in str(e.value) and str(second) in str(e.value) and "q1" in str(e.value)


def test_build_pairs(results):
    pairs = make_pairs(results)
    assert [p.uid for p in pairs] == ["q1", "q2", "q3"]
    q2 = pairs[1]
    assert (q2.model, q2.baseline, q2.category, q2.question) == ("m", "base", "problem_solving", "Sum a list of numbers.")
    assert q2.model_exec["status"] == "error" and q2.baseline_exec is None
    a, b = q2.game_sides(0)
    assert (a.name, b.name) == ("base", "m")
    a, b = q2.game_sides(1)
    assert (a.name, b.name) == ("m", "base")


def test_build_pairs_missing_uid_names_the_file(results):
    root, m_answers, b_answers, *_ = results
    short = write_answers(root, "short", [answer("q1", "short"), answer("q3", "short")])
    with pytest.raises(ArtifactError, match=r"short\.jsonl: no answer record for question uid q2"):
        build_pairs(QUESTIONS, m_answers, short, {}, {})
    with pytest.raises(ArtifactError, match=r"short\.jsonl: no answer record for question uid q2"):
        build_pairs(QUESTIONS, short, b_answers, {}, {})


def test_build_pairs_rejects_swapped_executions(results):
    root, m_answers, b_answers, m_execs, b_execs = results
    with pytest.raises(ArtifactError, match=r"uid q1 is from model 'base', expected 'm'"):
        build_pairs(QUESTIONS, m_answers, b_answers, load_executions(b_execs), load_executions(m_execs))


# -- prompt ----------------------------------------------------------------------------------------


def _texts(messages: list[dict]) -> str:
    return "".join(p["text"] for p in messages[1]["content"] if p["type"] == "text")


def _images(messages: list[dict]) -> list[Image.Image]:
    out = []
    for part in messages[1]["content"]:
        if part["type"] == "image_url":
            header, data = part["image_url"]["url"].split(",", 1)
            assert header in ("data:image/png;base64", "data:image/jpeg;base64")
            out.append(Image.open(io.BytesIO(base64.b64decode(data))))
    return out


def test_messages_have_text_and_image_parts(results):
    q3 = make_pairs(results)[2]
    messages = build_messages(q3, 1, "SYSTEM", PromptOptions())
    assert messages[0] == {"role": "system", "content": "SYSTEM"}
    assert messages[1]["role"] == "user"
    kinds = [p["type"] for p in messages[1]["content"]]
    assert kinds.count("image_url") == 2 and kinds[0] == "text"
    assert all(k1 != k2 or k1 == "image_url" for k1, k2 in zip(kinds, kinds[1:]))  # text parts are merged
    images = _images(messages)
    assert [im.size for im in images] == [(320, 200), (320, 200)]
    # game 1: A is the model (drawn square), B the baseline (blank page)
    assert images[0].getpixel((30, 30))[:3] == (255, 0, 0) and images[1].getpixel((30, 30))[:3] == (255, 255, 255)
    text = _texts(messages)
    assert text.index("Draw a red square") < text.index("Assistant A's answer begins") < text.index("m answers q3")
    assert text.index("m answers q3") < text.index("Assistant B's answer begins") < text.index("base answers q3")
    assert "Screenshot q3.png" in text and str(results[0]) not in text  # file names only, no machine paths
    # game 0 puts the baseline first
    text0 = _texts(build_messages(q3, 0, "SYSTEM", PromptOptions()))
    assert text0.index("base answers q3") < text0.index("m answers q3")


def test_clip_keeps_head_and_tail():
    text = "START\n" + "x" * 10_000 + "\nZeroDivisionError: division by zero"
    out = clip(text, 1000)
    assert out.startswith("START") and out.endswith("ZeroDivisionError: division by zero")
    assert "characters omitted" in out and len(out) < 1100
    assert clip("short", 1000) == "short"


def test_long_stderr_keeps_the_tail_error_and_shows_with_screenshot(tmp_path):
    shot = png(tmp_path / "shot.png")
    log = "npm WARN deprecated something\n" * 2000 + "Error: Cannot find module 'react-dom'"
    pair = _pair(
        tmp_path,
        model_exec=execution("q1", "m", env="html", stdout="", stderr=log, screenshots=[shot]),
        baseline_exec=execution("q1", "base", stdout="ok\n"),
    )
    messages = build_messages(pair, 1, "S", PromptOptions(output_chars=500))
    text = _texts(messages)
    assert "Error: Cannot find module 'react-dom'" in text
    assert "Standard error (shortened: start and end kept)" in text
    assert len(text) < 4000  # 2000 lines of warnings were cut
    assert len(_images(messages)) == 1  # the screenshot is there as well as stderr


def test_answers_without_execution_say_why(tmp_path):
    pairs = [
        (answer("q1", "m", status="no_code", text="Just use sum()."), None, "the answer contains no code block"),
        (answer("q1", "m", env=None), None, "no runnable environment was recognised"),
        (answer("q1", "m"), None, "no execution result for this answer (environment: Python Runner)"),
        (answer("q1", "m"), execution("q1", "m", status="unsupported", exit_code=None), "not supported by the evaluation"),
        (answer("q1", "m"), execution("q1", "m", status="sandbox_error", exit_code=None), "the sandbox itself failed"),
    ]
    for model_answer, model_exec, expected in pairs:
        pair = _pair(tmp_path, model_answer=model_answer, model_exec=model_exec)
        text = _texts(build_messages(pair, 1, "S", PromptOptions()))
        a_part = text[: text.index("Assistant B's answer begins")]
        assert expected in a_part, (model_answer["status"], model_exec)


def test_code_only_mode_hides_execution(results):
    q3 = make_pairs(results)[2]
    messages = build_messages(q3, 0, "S", PromptOptions(with_execution=False))
    assert _images(messages) == []
    text = _texts(messages)
    assert "judged on the answers alone" in text and "Standard output" not in text


def test_image_limit_and_unusable_images(tmp_path):
    shots = [png(tmp_path / f"s{i}.png") for i in range(3)]
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a png at all, just text bytes")
    tiny = png(tmp_path / "tiny.png", size=(2, 2))
    run = execution("q1", "m", env="html", screenshots=[broken, tiny, *shots], figures=[png(tmp_path / "fig.png")])
    pair = _pair(tmp_path, model_exec=run)
    messages = build_messages(pair, 1, "S", PromptOptions(max_images=2))
    assert len(_images(messages)) == 2
    text = _texts(messages)
    assert "broken.png: not shown, unreadable image" in text
    assert "tiny.png: not shown, image too small" in text
    assert "(2 more image(s) not shown)" in text  # s2.png and fig.png


def test_judge_is_shown_the_configured_frames_of_a_web_app(tmp_path):
    load, later, clicked = (png(tmp_path / f"frame{i}.png") for i in range(3))
    run = execution("q1", "m", env="html", screenshots=[load, later, clicked], judge_screenshots=[later, clicked])
    text = _texts(build_messages(_pair(tmp_path, model_exec=run), 1, "S", PromptOptions(max_images=4)))
    assert "frame1.png" in text and "frame2.png" in text and "frame0.png" not in text


def test_encode_image_downscales_and_fits_budget(tmp_path):
    big = png(tmp_path / "big.png", size=(3000, 1200))
    encoded = encode_image(big)
    assert (encoded.width, encoded.height) == (1568, 627) and encoded.data_url.startswith("data:image/png")
    noisy = tmp_path / "noisy.png"
    Image.frombytes("RGB", (800, 800), random.Random(0).randbytes(800 * 800 * 3)).save(noisy)  # PNG ~1.9 MB
    small = encode_image(noisy, max_bytes=60_000)
    raw = base64.b64decode(small.data_url.split(",", 1)[1])
    assert small.data_url.startswith("data:image/jpeg") and len(raw) <= 60_000
    assert encode_image(tmp_path / "missing.png").note == "file not found"


def test_packaged_prompts():
    system = load_judge_prompt()
    for label in ("[[A>>B]]", "[[A>B]]", "[[A=B]]", "[[B>A]]", "[[B>>A]]"):
        assert label in system
    for category in ("web design", "game development", "creative coding", "problem solving",
                     "scientific computing", "diagram creation"):
        assert category in system


def test_custom_prompt_file(tmp_path):
    custom = tmp_path / "judge.txt"
    custom.write_text("Judge fairly. End with [[A>B]] or similar.", encoding="utf-8")
    assert load_judge_prompt(custom).startswith("Judge fairly")
    assert prompt_fingerprint(custom) != prompt_fingerprint(None)
    with pytest.raises(FileNotFoundError, match="nope.txt: judge prompt file not found"):
        load_judge_prompt(tmp_path / "nope.txt")
    (tmp_path / "empty.txt").write_text(" \n")
    with pytest.raises(ValueError, match="empty.txt: judge prompt file is empty"):
        load_judge_prompt(tmp_path / "empty.txt")


def test_template_placeholders_are_checked(results):
    q1 = make_pairs(results)[0]
    with pytest.raises(ValueError, match=r"placeholder \{IMAGES_B\} must appear exactly once"):
        build_messages(q1, 0, "S", PromptOptions(), template="{QUESTION} {ANSWER_A} {IMAGES_A} {ANSWER_B}")


def _pair(tmp_path, model_answer=None, model_exec=None, baseline_answer=None, baseline_exec=None):
    root = tmp_path / f"pair{len(list(tmp_path.iterdir()))}"
    m = write_answers(root, "m", [model_answer or answer("q1", "m")])
    b = write_answers(root, "base", [baseline_answer or answer("q1", "base")])
    question = [{"uid": "q1", "instruction": "Do the task.", "category": "problem_solving"}]
    return build_pairs(question, m, b, {"q1": model_exec} if model_exec else {}, {"q1": baseline_exec} if baseline_exec else {})[0]


# -- the LLM judge end to end ----------------------------------------------------------------------

JUDGE_MODEL = "judge-m"


def _judge_reply(request: dict) -> str:
    """A deterministic judge: prefers the answer containing GOOD; cannot decide on q2 until asked again;
    never gives a label for the web question."""
    messages = request["messages"]
    user = "".join(p.get("text", "") for p in messages[1]["content"] if p.get("type") == "text")
    if "red square" in user:
        return "Both pages look fine to me, I have no preference worth a label."
    if "Sum a list" in user:
        return "[[A=B]]" if messages[-1]["content"] == REASK else "Hard to say."
    a_part = user[: user.index("Assistant B's answer begins")]
    return "Verdict: [[A>B]]" if "GOOD" in a_part else "Verdict: [[B>A]]"


def test_llm_judge_end_to_end(results, fake_llm, fake_spec, tmp_path):
    fake_llm.script(JUDGE_MODEL, _judge_reply)
    judge_model = fake_spec(JUDGE_MODEL, concurrency=3)
    judge = JudgeSpec(name="j", type="llm", model=JUDGE_MODEL, max_reasks=2)
    pairs = make_pairs(results)
    cache = ResponseCache(tmp_path / "cache")
    logged: list[str] = []

    records = judge_pairs(judge, judge_model, pairs, cache, load_judge_prompt(), logged.append)
    assert [r["uid"] for r in records] == ["q1", "q2", "q3"]
    by_uid = {r["uid"]: r for r in records}

    q1 = by_uid["q1"]
    assert (q1["judge"], q1["model"], q1["baseline"], q1["category"]) == ("j", "m", "base", "problem_solving")
    assert (q1["environment"], q1["baseline_environment"]) == ("Python Runner", "Python Runner")
    g0, g1 = q1["games"]
    assert (g0["a"], g0["b"], g0["verdict"]) == ("base", "m", "B>A")  # the GOOD answer wins in both orders
    assert (g1["a"], g1["b"], g1["verdict"]) == ("m", "base", "A>B")
    assert len(g0["raw"]) == 1 and g0["error"] is None and g0["skipped"] is None
    assert len(g0["request_hashes"]) == 1 and g0["usage"]["total_tokens"] > 0

    # q2: the first reply has no label, the re-ask gets one
    for game in by_uid["q2"]["games"]:
        assert game["verdict"] == "A=B" and game["raw"] == ["Hard to say.", "[[A=B]]"]
        assert len(game["request_hashes"]) == 2 and game["error"] is None

    # q3: no label after 1 + max_reasks replies: an error, every reply kept
    for game in by_uid["q3"]["games"]:
        assert game["verdict"] is None and len(game["raw"]) == 3
        assert game["error"] == "no verdict label in 3 replies"

    assert fake_llm.calls[JUDGE_MODEL] == 2 * 1 + 2 * 2 + 2 * 3
    # the screenshots reached the judge as data URLs, and the re-ask carried the judge's own reply
    q3_requests = [r["body"] for r in fake_llm.requests(JUDGE_MODEL) if "red square" in json.dumps(r["body"])]
    first = next(b for b in q3_requests if len(b["messages"]) == 2)
    urls = [p["image_url"]["url"] for p in first["messages"][1]["content"] if p["type"] == "image_url"]
    assert len(urls) == 2 and all(u.startswith("data:image/png;base64,") for u in urls)
    assert (first["temperature"], first["max_tokens"]) == (judge.temperature, judge.max_tokens)
    reask = max(q3_requests, key=lambda b: len(b["messages"]))["messages"]
    assert [m["role"] for m in reask[1:]] == ["user", "assistant", "user", "assistant", "user"]
    assert reask[-1]["content"] == REASK

    # records hold no images, and their prompt hash differs per question
    text = json.dumps(records)
    assert "base64" not in text and "image_url" not in text
    assert len({r["prompt_sha256"] for r in records}) == 3
    assert logged and "12 calls" in logged[0]

    # a second run is served from the cache: same records, no HTTP call
    again = judge_pairs(judge, judge_model, pairs, cache, load_judge_prompt(), logged.append)
    assert again == records
    assert fake_llm.calls[JUDGE_MODEL] == 12
    assert "(12 from cache)" in logged[1]


def test_llm_judge_failed_answer_and_failed_call(tmp_path, fake_llm, fake_spec):
    root = tmp_path / "results"
    questions = [{"uid": u, "instruction": f"Task {u}", "category": "problem_solving"} for u in ("a1", "a2", "a3")]
    m = write_answers(root, "m", [answer("a1", "m", status="failed"), answer("a2", "m", status="failed"), answer("a3", "m")])
    b = write_answers(root, "base", [answer("a1", "base"), answer("a2", "base", status="failed"), answer("a3", "base")])
    pairs = build_pairs(questions, m, b, {}, {})
    fake_llm.script(JUDGE_MODEL, ["[[A>B]]"])
    fake_llm.inject("500", model=JUDGE_MODEL, calls=[1])  # the only call needed (a3 game 0 or 1) fails once
    judge = JudgeSpec(name="j", type="llm", model=JUDGE_MODEL)
    judge_model = fake_spec(JUDGE_MODEL, max_retries=0, concurrency=1)
    cache = ResponseCache(tmp_path / "cache")

    records = judge_pairs(judge, judge_model, pairs, cache, load_judge_prompt(), None)
    by_uid = {r["uid"]: r for r in records}
    assert [g["skipped"] for g in by_uid["a1"]["games"]] == ["model answer failed"] * 2
    assert [g["skipped"] for g in by_uid["a2"]["games"]] == ["both answers failed"] * 2
    assert all(g["verdict"] is None and g["raw"] == [] for r in ("a1", "a2") for g in by_uid[r]["games"])
    a3 = by_uid["a3"]["games"]
    failed = [g for g in a3 if g["error"]]
    assert len(failed) == 1 and failed[0]["error"].startswith("judge call failed: ") and failed[0]["verdict"] is None
    assert [g["verdict"] for g in a3 if not g["error"]] == ["A>B"]
    assert fake_llm.calls[JUDGE_MODEL] == 2

    # the failure was not cached: a rerun repeats exactly that call and fills in the verdict
    again = judge_pairs(judge, judge_model, pairs, cache, load_judge_prompt(), None)
    assert [g["verdict"] for g in {r["uid"]: r for r in again}["a3"]["games"]] == ["A>B", "A>B"]
    assert fake_llm.calls[JUDGE_MODEL] == 3

"""The offline demo suite under config/demo/ (demo data written for codearena, not model output).

`make leaderboard` replays these answers through the whole workflow, so they must have the shape of real
replies and behave as `config/demo/expected.yaml` (and the README's table) say: the HTML pages are
rendered in Chromium and the Python runner scripts are run, each checked against its listed outcome.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from PIL import Image

from codearena.environments import SLUGS
from codearena.extract import extract
from codearena.io import read_jsonl

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "config" / "demo"
MODELS = ("demo-baseline", "demo-alpha", "demo-beta", "demo-gamma")
CATEGORIES = {
    "web": "web_design",
    "game": "game_development",
    "creative": "creative_coding",
    "prob": "problem_solving",
    "sci": "scientific_computing",
    "diag": "diagram_creation",
}
OUTCOMES = {"works", "runtime_error", "syntax_error", "missing_dependency", "timeout", "blank_page", "no_code"}
# Upstream's fence rule (reference section 5.1); shell blocks only carry install commands.
FENCE = re.compile(r"```([\w+#.\-]*)[ \t]*\n?(.*?)```", re.S)
SHELL_TAGS = {"bash", "sh", "shell", "zsh", "console", "powershell", "pwsh"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]
PAGE_ORIGIN = "http://demo.invalid/"

QUESTIONS = read_jsonl(DEMO / "questions.jsonl")
UIDS = [q["uid"] for q in QUESTIONS]
EXPECTED = yaml.safe_load((DEMO / "expected.yaml").read_text(encoding="utf-8"))
ANSWERS = {m: read_jsonl(DEMO / "answers" / f"{m}.jsonl") for m in MODELS}


def _answer(model: str, uid: str) -> str:
    return next(r["answer"] for r in ANSWERS[model] if r["uid"] == uid)


def _cases(*envs: str) -> list:
    """(model, uid, expectation) for every answer whose expected environment is one of `envs`."""
    return [
        pytest.param(model, uid, exp, id=f"{model}/{uid}")
        for model in MODELS
        for uid, exp in sorted(EXPECTED["models"][model]["answers"].items())
        if exp["env"] in envs
    ]


# ---------------------------------------------------------------------------------------------------
# shape of the files


def test_questions_are_twelve_two_per_category():
    assert len(QUESTIONS) == 12
    assert len(set(UIDS)) == 12
    assert UIDS == sorted(UIDS), "questions.jsonl must be sorted by uid (docs/artifacts.md)"
    for q in QUESTIONS:
        assert set(q) == {"uid", "instruction", "category"}, q["uid"]
        assert re.fullmatch(r"demo-[a-z]+-\d\d", q["uid"]), q["uid"]
        assert CATEGORIES[q["uid"].split("-")[1]] == q["category"], q["uid"]
        assert len(q["instruction"]) > 150, f"{q['uid']}: instruction is too short to be a real task"
    assert Counter(q["category"] for q in QUESTIONS) == {c: 2 for c in CATEGORIES.values()}


@pytest.mark.parametrize("model", MODELS)
def test_answer_file_covers_exactly_the_questions(model):
    records = ANSWERS[model]
    assert [r["uid"] for r in records] == UIDS, f"{model}.jsonl: uids differ from questions.jsonl (or unsorted)"
    for r in records:
        assert set(r) == {"uid", "answer"}, f"{model}/{r['uid']}: unexpected keys {sorted(r)}"
        assert isinstance(r["answer"], str) and r["answer"].strip(), f"{model}/{r['uid']}: empty answer"


@pytest.mark.parametrize("model", MODELS)
def test_answers_explain_first_then_one_code_block(model):
    for uid in UIDS:
        text = _answer(model, uid)
        blocks = [(tag.lower(), body) for tag, body in FENCE.findall(text)]
        if EXPECTED["models"][model]["answers"][uid]["outcome"] == "no_code":
            assert "```" not in text, f"{model}/{uid}: the deliberate no-code answer has a fence"
            continue
        code = [b for b in blocks if b[0] not in SHELL_TAGS]
        assert len(code) == 1, f"{model}/{uid}: {len(code)} non-shell code blocks, expected exactly 1"
        assert code[0][0], f"{model}/{uid}: the code block has no language tag"
        assert text[: text.index("```")].strip(), f"{model}/{uid}: the reply must explain before its code"
        for tag, body in blocks:
            if tag in SHELL_TAGS:
                assert re.fullmatch(r"((pip|npm) install [^\n]+\n?)+", body.strip() + "\n"), f"{model}/{uid}: {body!r}"


def test_expected_yaml_is_demo_data_and_complete():
    assert EXPECTED["demo"] is True
    assert set(EXPECTED["models"]) == set(MODELS)
    for model, spec in EXPECTED["models"].items():
        assert spec["role"], model
        assert sorted(spec["answers"]) == UIDS, model
        for uid, exp in spec["answers"].items():
            assert exp["outcome"] in OUTCOMES, f"{model}/{uid}: unknown outcome {exp['outcome']!r}"
            assert (exp["env"] is None) == (exp["outcome"] == "no_code"), f"{model}/{uid}"
            assert exp["env"] is None or exp["env"] in SLUGS, f"{model}/{uid}: unknown env {exp['env']!r}"
            assert exp["outcome"] == "works" or exp.get("note") or exp["outcome"] == "no_code", (
                f"{model}/{uid}: a failing answer needs a note saying why")


def test_readme_table_matches_expected_yaml():
    readme = (DEMO / "README.md").read_text(encoding="utf-8")
    assert "demo data written for codearena" in readme.lower()
    header = "| uid | " + " | ".join(MODELS) + " |"
    assert header in readme, "README table header must list the models in this order"
    table = {}
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0] in UIDS:
            table[cells[0]] = cells[1:]
    assert sorted(table) == UIDS
    for uid, cells in table.items():
        for model, cell in zip(MODELS, cells):
            exp = EXPECTED["models"][model]["answers"][uid]
            assert cell == f"{exp['env'] or 'none'}: {exp['outcome']}", f"README row {uid}, column {model}"


def test_extractor_finds_the_listed_environment():
    for model in MODELS:
        for uid in UIDS:
            found = extract(_answer(model, uid)).environment
            assert (found.slug if found else None) == EXPECTED["models"][model]["answers"][uid]["env"], f"{model}/{uid}"


def test_cdn_notes_match_the_pages():
    for model in MODELS:
        for uid, exp in EXPECTED["models"][model]["answers"].items():
            if exp["env"] != "html":
                continue
            srcs = re.findall(r"<script[^>]+src=\"(https?://[^\"]+)\"", _answer(model, uid))
            listed = exp.get("cdn", [])
            assert len(srcs) == len(listed), f"{model}/{uid}: CDN scripts {srcs} but expected.yaml lists {listed}"


def test_the_suite_spreads_environments_and_quality():
    envs = {m: {u: e["env"] for u, e in EXPECTED["models"][m]["answers"].items()} for m in MODELS}
    both_sides = [u for u in UIDS if all(envs[m][u] in ("html", "python") for m in MODELS)]
    assert len(both_sides) >= 5, both_sides
    used = {env for m in MODELS for env in envs[m].values()}
    assert {"html", "python", "mermaid", "react", "vue", "pygame", "streamlit", "gradio", "javascript"} <= used
    assert used & {"c", "cpp", "rust", "go", "java"}
    works = {m: sum(e["outcome"] == "works" for e in EXPECTED["models"][m]["answers"].values()) for m in MODELS}
    assert works["demo-alpha"] == 12
    assert works["demo-alpha"] > works["demo-baseline"] > works["demo-beta"] > works["demo-gamma"], works
    gamma = Counter(e["outcome"] for e in EXPECTED["models"]["demo-gamma"]["answers"].values())
    assert {"syntax_error", "no_code", "timeout", "blank_page"} <= set(gamma)
    beta = Counter(e["outcome"] for e in EXPECTED["models"]["demo-beta"]["answers"].values())
    assert beta["runtime_error"] >= 2 and beta["missing_dependency"] == 1


# ---------------------------------------------------------------------------------------------------
# Python: the runner scripts run, the app/game scripts compile


def _sandbox_python() -> str:
    """The interpreter the sandbox runs model code with (`make setup` builds it), else this one."""
    sandboxed = REPO / ".venv-sandbox" / "bin" / "python"
    return str(sandboxed) if sandboxed.exists() else sys.executable


@pytest.mark.parametrize(("model", "uid", "exp"), _cases("python"))
def test_python_runner_answer_behaves_as_listed(model, uid, exp, tmp_path):
    code = extract(_answer(model, uid)).code
    (tmp_path / "main.py").write_text(code, encoding="utf-8")
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    cmd = [_sandbox_python(), "main.py"]
    if exp["outcome"] == "timeout":
        with pytest.raises(subprocess.TimeoutExpired):
            subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=3)
        return
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=30)
    where = f"{model}/{uid} ({cmd[0]}): exit {proc.returncode}\n{proc.stderr[-1500:]}"
    if exp["outcome"] == "works":
        assert proc.returncode == 0, where
        assert proc.stdout.strip(), f"{model}/{uid}: a working runner script must print something"
    elif exp["outcome"] == "missing_dependency":
        module = re.search(r"^import (\w+)", code, re.M).group(1)
        probe = f"import importlib.util, sys; sys.exit(importlib.util.find_spec({module!r}) is None)"
        if subprocess.run([cmd[0], "-c", probe]).returncode == 0:
            pytest.skip(f"{module} is installed in {cmd[0]}, so this answer cannot miss it")
        assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr, where
    elif exp["outcome"] == "syntax_error":
        assert proc.returncode != 0 and "SyntaxError" in proc.stderr, where
    else:
        assert exp["outcome"] == "runtime_error", f"{model}/{uid}: {exp['outcome']} is not a runner outcome"
        assert proc.returncode != 0 and "Traceback" in proc.stderr, where
        assert "SyntaxError" not in proc.stderr and "ModuleNotFoundError" not in proc.stderr, where


@pytest.mark.parametrize(("model", "uid", "exp"), _cases("pygame", "streamlit", "gradio"))
def test_python_app_answer_compiles_as_listed(model, uid, exp):
    code = extract(_answer(model, uid)).code
    if exp["outcome"] == "syntax_error":
        with pytest.raises(SyntaxError):
            compile(code, f"{model}/{uid}", "exec")
    else:
        assert exp["outcome"] == "works", f"{model}/{uid}: only works/syntax_error are checked here"
        compile(code, f"{model}/{uid}", "exec")
        if exp["env"] == "pygame":
            assert "async def main" in code and "asyncio.sleep(0)" in code, f"{model}/{uid}: pygbag loop convention"


# ---------------------------------------------------------------------------------------------------
# HTML: rendered offline in Chromium


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def _render(browser, html: str, shot: Path) -> list[str]:
    """Serve `html` from a fake origin (placeholder images answered, everything else refused) and
    screenshot it; returns the page errors."""
    placeholder = ('<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}">'
                   '<rect width="100%" height="100%" fill="#ccc"/></svg>')

    def route(r):
        url = r.request.url
        m = re.match(re.escape(PAGE_ORIGIN) + r"api/placeholder/(\d+)/(\d+)", url)
        if m:
            return r.fulfill(body=placeholder.format(*m.groups()), content_type="image/svg+xml")
        if url == PAGE_ORIGIN + "index.html":
            return r.fulfill(body=html, content_type="text/html; charset=utf-8")
        return r.abort()

    context = browser.new_context(viewport={"width": 1024, "height": 768})
    try:
        context.route("**/*", route)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(PAGE_ORIGIN + "index.html", wait_until="load", timeout=10_000)
        page.wait_for_timeout(300)  # first animation frames
        page.screenshot(path=str(shot))
        return errors
    finally:
        context.close()


HTML_CASES = [c for c in _cases("html") if not c.values[2].get("cdn")]  # CDN pages need the executor's shim


@pytest.mark.parametrize(("model", "uid", "exp"), HTML_CASES)
def test_html_answer_renders_as_listed(browser, model, uid, exp, tmp_path):
    shot = tmp_path / "page.png"
    errors = _render(browser, extract(_answer(model, uid)).code, shot)
    blank = Image.open(shot).convert("RGB").getcolors(1) is not None  # one colour only
    if exp["outcome"] == "works":
        assert not errors, f"{model}/{uid}: page errors {errors}"
        assert not blank, f"{model}/{uid}: a working page rendered blank"
    elif exp["outcome"] == "runtime_error":
        assert errors, f"{model}/{uid}: expected an uncaught page error"
        assert not blank, f"{model}/{uid}: the page should still show its static part"
    else:
        assert exp["outcome"] == "blank_page", f"{model}/{uid}: {exp['outcome']} is not a page outcome"
        assert blank, f"{model}/{uid}: expected a blank page"

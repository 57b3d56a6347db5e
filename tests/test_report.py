"""The static report: self-contained pages, escaping of model output, and a real browser's view."""

import re

import numpy as np
import pytest
from PIL import Image

from codearena.io import write_jsonl
from codearena.leaderboard import build_leaderboard
from codearena.report import failure_reason, load_inputs, slug, write_report
from codearena.report import site as site_module
from report_browser import report_browser, visit, visit_all

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
EVIL = f"Here you go {SCRIPT} and {IMG}"
LABELS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"]
MODELS = ["alpha", "beta<b>bold</b>"]  # a model name that is markup too
BASELINE = "base"


def png(path, colour):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (64, 48), colour).save(path)


@pytest.fixture
def artifacts(tmp_path):
    """A small build: questions, answers, executions with screenshots, judgments, and its leaderboard."""
    rng = np.random.default_rng(0)
    uids = ["q-evil", "q-plain", "q/slash"]
    write_jsonl(tmp_path / "questions.jsonl", [
        {"uid": u, "category": "web_design" if i < 2 else "problem_solving", "instruction": f"Task {i}: {EVIL}"}
        for i, u in enumerate(uids)])
    answers, executions, judgments = {}, {}, {}
    for m in MODELS + [BASELINE]:
        recs = []
        env_dir = tmp_path / "executions" / m / "html"
        ex = []
        for i, u in enumerate(uids):
            evil = m == "alpha" and u == "q-evil"
            recs.append({"uid": u, "model": m, "category": "web_design", "status": "ok", "error": None,
                         "answer": f"Answer of {m}.\n```html\n{EVIL if evil else '<p>hi</p>'}\n```",
                         "code": EVIL if evil else "<p>hi</p>", "language": "html", "environment": "HTML", "env": "html",
                         "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30},
                         "cost_usd": 0.002, "latency_s": 1.5})
            shot = f"screenshots/{i}_0.png"
            png(env_dir / shot, (40 * i, 120, 200))
            ex.append({"uid": u, "model": m, "env": "html", "environment": "HTML",
                       "status": "error" if (m == "alpha" and u == "q-plain") else "ok", "exit_code": None,
                       "stdout": EVIL if evil else "", "stderr": "TypeError: x is undefined" if u == "q-plain" else "",
                       "stdout_truncated": False, "stderr_truncated": False, "screenshots": [shot], "figures": [],
                       "console": [f"pageerror: {SCRIPT}"] if evil else [], "blank_screenshot": False, "notes": [],
                       "missing_dependencies": [], "duration_s": 1.0, "backend": "local", "code_sha256": "0"})
        answers[m] = tmp_path / "answers" / f"{slug(m)}.jsonl"
        write_jsonl(answers[m], recs)
        write_jsonl(env_dir / "results.jsonl", ex)
        executions[m] = [env_dir, tmp_path / "executions" / m / "python"]  # python: never created (no answers)
    for m in MODELS:
        recs = []
        for u in uids:
            v0, v1 = LABELS[rng.integers(5)], LABELS[rng.integers(5)]
            recs.append({"uid": u, "category": "web_design", "judge": "judge", "model": m, "baseline": BASELINE,
                         "games": [{"a": BASELINE, "b": m, "verdict": v0, "raw": [f"I think {IMG} so [[{v0}]]"],
                                    "error": None, "skipped": None, "cost_usd": 0.01},
                                   {"a": m, "b": BASELINE, "verdict": v1, "raw": [f"{SCRIPT} [[{v1}]]"],
                                    "error": None, "skipped": None, "cost_usd": 0.01}]})
        judgments.setdefault("judge", {})[m] = tmp_path / "judgments" / f"{slug(m)}.jsonl"
        write_jsonl(judgments["judge"][m], recs)
    lb = build_leaderboard(judgments, answers, BASELINE, {"bootstrap_rounds": 100, "seed": 0, "confidence": 0.9,
                                                          "strong_weight": 3, "style_control": True})
    lb_path = tmp_path / "leaderboard.json"
    lb_path.write_text(__import__("json").dumps(lb))
    inputs = load_inputs(lb_path, tmp_path / "questions.jsonl", answers, judgments, executions,
                         {"alpha": f"Demo data {SCRIPT}"})
    return tmp_path, inputs, lb


@pytest.fixture
def report(artifacts):
    tmp_path, inputs, lb = artifacts
    out = tmp_path / "report"
    index = write_report(inputs, out)
    assert index == out / "index.html"
    return out, lb


def test_site_is_self_contained(report):
    out, _ = report
    pages = {str(p.relative_to(out)) for p in out.rglob("*.html")}
    assert {"index.html", "questions/index.html", "models/alpha.html", "models/base.html",
            f"models/{slug(MODELS[1])}.html", "questions/q-evil.html", f"questions/{slug('q/slash')}.html"} <= pages
    assert ".hl .k {" in (out / "static/code.css").read_text()  # Pygments styles for highlighted code
    # Screenshots are inside the report (copied or hard-linked), referenced by relative paths.
    shots = list((out / "media").rglob("*.png"))
    assert len(shots) == 9
    page = (out / "questions/q-plain.html").read_text()
    for src in re.findall(r'<img class="shot" src="([^"]+)"', page):
        assert not src.startswith(("/", "file:", "http")) and (out / "questions" / src).resolve().is_file()


def test_model_output_is_escaped_everywhere(report):
    out, _ = report
    for path in out.rglob("*.html"):
        html = path.read_text()
        assert "<script" not in html.lower(), path
        assert "<img src=x" not in html and "<b>bold</b>" not in html, path
    page = (out / "questions/q-evil.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the question, the answer text, stdout, judge reply
    assert page.count("onerror=alert(1)") >= 3


def test_model_page_shows_failures_cost_and_tokens(report):
    out, _ = report
    page = (out / "models/alpha.html").read_text()
    assert "Why executions failed" in page and "TypeError: x is undefined" in page
    assert "0.0060" in page  # three answers at 0.002 USD
    assert "total_tokens" in page and "0.0600 USD" in page  # judging cost: 6 games at 0.01


def test_failure_reason_picks_the_telling_line():
    assert failure_reason({"status": "error", "stderr": "Traceback...\n  File x\nValueError: bad\n"}) == "ValueError: bad"
    assert failure_reason({"status": "compile_error", "stderr": "a.c:1: error: x\nnote: y"}) == "a.c:1: error: x"
    assert failure_reason({"status": "error", "console": ["log: hi", "pageerror: boom"]}) == "pageerror: boom"
    assert failure_reason({"status": "missing_dependency", "missing_dependencies": ["torch"]}) == "missing: torch"
    assert failure_reason({"status": "timeout", "duration_s": 20.1}) == "timed out after 20.1 s"
    assert len(failure_reason({"status": "error", "stderr": "x" * 1000})) == 240


def test_slugs_are_safe_and_distinct():
    assert slug("gpt-4.1") == "gpt-4.1"
    assert "/" not in slug("a/b") and slug("a/b") != slug("a_b") and slug("a/b") != slug("a?b")
    assert not slug("../etc").startswith(".")


def test_failed_render_keeps_the_previous_report(artifacts, monkeypatch):
    tmp_path, inputs, _ = artifacts
    out = tmp_path / "report"
    write_report(inputs, out)
    before = (out / "index.html").read_text()

    def broken(self, uid):
        raise RuntimeError("render failed")

    monkeypatch.setattr(site_module.Site, "question_page", broken)
    with pytest.raises(RuntimeError):
        write_report(inputs, out)
    assert (out / "index.html").read_text() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]


def test_report_in_chromium(report):
    """Every page loads with no console error; the leaderboard shows every model with its interval;
    model output shows as text and nothing runs."""
    out, lb = report
    with report_browser() as page:
        problems = visit_all(page, out)
        assert len(problems) >= 8 and not {p: v for p, v in problems.items() if v}

        assert visit(page, out / "index.html") == []
        board = lb["judges"]["judge"]
        rows = page.locator("section#board-1 table.leaderboard tbody tr")
        assert rows.count() == len(board["overall"]) == len(MODELS) + 1
        for row in board["overall"]:
            tr = page.locator(f'section#board-1 table.leaderboard tr[data-model="{row["model"]}"]')
            assert tr.count() == 1
            assert tr.locator("td.ci").inner_text() == f"[{row['ci'][0]:.1f}, {row['ci'][1]:.1f}]"
            assert tr.locator("td.score").inner_text() == f"{row['score']:.1f}"
        assert page.locator("svg.plot").count() >= 2

        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        assert visit(page, out / "questions/q-evil.html") == []
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        assert page.evaluate("document.querySelectorAll('img[src=\"x\"], img[onerror]').length") == 0
        # the model named beta<b>bold</b> must not have produced a <b> element
        assert page.evaluate("[...document.querySelectorAll('b')].filter(e => e.textContent === 'bold').length") == 0
        text = page.evaluate("document.body.textContent")
        assert SCRIPT in text and IMG in text and MODELS[1] in text
        code = page.locator('.panel[data-model="alpha"] .hl').first.text_content()
        assert EVIL in code
        page.locator('label[for="tab-2"]').click()  # the CSS-only tabs switch without script
        assert page.locator('.panel[data-model="beta<b>bold</b>"]').is_visible()
        assert dialogs == []

        # The checks can fail: a screenshot missing from media/ is reported.
        next((out / "media").rglob("*.png")).unlink()
        assert any(v for v in visit_all(page, out / "questions").values())

"""The arena app end to end: two fake models on the fake LLM server, a visitor in headless Chromium.

Two full battles (send, both answers stream in, both results show, vote), one with web apps in live
previews (clicked, so interactions are recorded) and one with Python programs (one edited and run
again), then the votes in the database, the leaderboard tab and the exported dataset.
"""

from __future__ import annotations

import re
import sqlite3
import time
from urllib.parse import urlsplit

import pytest

from arena_helpers import arena_config, running_arena

pytestmark = pytest.mark.slow

MODELS = ("fake-x", "fake-y")
# Fake model text that would act on the page if it were rendered as HTML.
INJECTION = ('<img src=x onerror="window.__pwned=1"> <style>#send{display:none}</style> '
             '[link](javascript:window.__pwned=2)')


def _answer(model: str):
    def reply(request: dict) -> str:
        user = request["messages"][-1]["content"]
        if "web page" in user:
            extra = INJECTION if model == "fake-x" else "A page."
            return (f"{extra}\n\n```html\n<!DOCTYPE html>\n<html><head><title>{model}</title></head>\n"
                    f"<body><button id=\"go\">Go</button><p id=\"out\">rendered by {model}</p></body></html>\n```\n")
        return f"A program.\n\n```python\nprint('hello from {model}')\n```\n"
    return reply


def _wait_db(db: str, query: str, predicate, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(query).fetchall()
        if predicate(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_two_battles_in_the_browser(fake_llm, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from codearena.browser import find_chromium
    from codearena.cli import main as cli

    fake_llm.chunk_delay_s = 0.02
    for model in MODELS:
        fake_llm.script(model, _answer(model))
    config = arena_config(tmp_path, fake_llm.base_url, MODELS)
    db = str(tmp_path / "arena.db")
    with running_arena(config) as app, sync_playwright() as pw:
        # Outside hosts resolve to nothing, and every request is watched (not intercepted: Playwright's
        # request interception holds back POSTs from the cross-origin preview frame).
        browser = pw.chromium.launch(executable_path=find_chromium(), args=[
            "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        local = (app.url, app.arena.preview.origin, "data:", "blob:")
        outside: list[str] = []  # the app must work without the internet
        page.on("request", lambda request: None if request.url.startswith(local) else outside.append(request.url))
        page.goto(app.url)

        # -- battle 1: web pages, shown live in sandboxed iframes on the preview origin --------------------
        page.fill("#prompt textarea", "Make a web page with a button")
        page.click("#send")
        for side in "ab":
            expect(page.frame_locator(f"#preview-{side} iframe").locator("#out")).to_contain_text(
                "rendered by fake-", timeout=90_000)
        frames = page.locator(".codearena-preview")
        for i in range(2):
            assert frames.nth(i).get_attribute("sandbox") == "allow-scripts"
            src = urlsplit(frames.nth(i).get_attribute("src"))
            assert f"{src.scheme}://{src.netloc}" == app.arena.preview.origin != app.url
            assert len(src.path.split("/")[1]) >= 32  # the unguessable per-run path
        # Model text was shown literally, not applied to the page.
        chats = page.locator("#chat-a").inner_text() + page.locator("#chat-b").inner_text()
        assert "<img src=x onerror=" in chats and "<style>" in chats
        assert page.evaluate("() => window.__pwned") is None
        injected = page.evaluate("""() => [...document.querySelectorAll('#chat-a img, #chat-b img, #chat-a style, #chat-b style')]
            .map(e => e.outerHTML).filter(h => h.includes('src="x"') || h.includes('#send'))""")
        assert injected == []
        page.locator("#chat-a a, #chat-b a").evaluate_all("links => links.forEach(a => a.click())")
        assert page.evaluate("() => window.__pwned") is None
        expect(page.locator("#send")).to_be_visible()
        # Interactions with the live app are recorded for the run.
        page.frame_locator("#preview-a iframe").locator("#go").click()
        clicks = _wait_db(db, "select count(*) from interactions where kind = 'click'", lambda r: r[0][0] >= 1)
        assert clicks[0][0] >= 1
        expect(page.locator("#vote-a")).to_be_visible(timeout=30_000)
        expect(page.locator("#head-a")).to_have_text("Model A")  # names hidden until the vote
        page.click("#vote-a")
        expect(page.locator("#head-a")).to_contain_text(re.compile(r"Model A: fake-[xy]"))
        first_a = page.locator("#head-a").inner_text().split(": ")[1]
        expect(page.locator("#vote-a")).to_be_hidden()

        # -- battle 2: Python programs; the visitor edits A's code and runs it again --------------------
        page.fill("#prompt textarea", "Print a greeting")
        page.click("#send")
        expect(page.locator("#head-a")).to_have_text("Model A", timeout=30_000)  # a new battle: hidden again
        for side in "ab":
            expect(page.locator(f"#output-{side} textarea")).to_have_value(
                re.compile(r"Python Runner · ok[\s\S]*hello from fake-"), timeout=90_000)
        page.get_by_role("tab", name="Code").first.click()
        editor = page.locator("#code-a .cm-content")
        expect(editor).to_contain_text("hello from fake-")
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text("print('edited', 6 * 7)")
        page.click("#rerun-a")
        expect(page.locator("#output-a textarea")).to_have_value(re.compile(r"run 2 · Python Runner · ok[\s\S]*edited 42"),
                                                                timeout=60_000)
        expect(page.locator("#vote-tie")).to_be_visible(timeout=30_000)
        page.click("#vote-tie")
        expect(page.locator("#head-b")).to_contain_text(re.compile(r"Model B: fake-[xy]"))

        # -- the leaderboard tab shows both models with both votes ---------------------------------------
        page.get_by_role("tab", name="Leaderboard").click()
        expect(page.locator("#leaderboard-note")).to_contain_text("2 votes", timeout=30_000)
        table = page.locator("#leaderboard")
        expect(table).to_contain_text("fake-x")
        expect(table).to_contain_text("fake-y")
        browser.close()
        assert outside == []

    # -- the database holds both battles in full ------------------------------------------------------
    with sqlite3.connect(db) as conn:
        votes = conn.execute("select choice, model_a, model_b, turns from votes order by id").fetchall()
        assert [v[0] for v in votes] == ["A", "tie"] and votes[0][1] == first_a
        assert all(sorted(v[1:3]) == list(MODELS) and v[3] == 1 for v in votes)
        answers = conn.execute("select count(*), count(text), count(distinct battle_id) from answers").fetchone()
        assert answers == (4, 4, 2)
        runs = conn.execute("select env, trigger, status, stdout, preview_path is not null from runs order by id").fetchall()
        assert sorted(r[:3] for r in runs) == sorted([("html", "auto", "ok")] * 2 + [("python", "auto", "ok")] * 2
                                                     + [("python", "edit", "ok")])
        assert all(r[4] for r in runs if r[0] == "html") and not any(r[4] for r in runs if r[0] == "python")
        assert any("edited 42" in r[3] for r in runs if r[1] == "edit")
        shots = conn.execute("select count(*) from images join runs on runs.id = images.run_id "
                             "where runs.env = 'html' and images.kind = 'screenshot'").fetchone()[0]
        assert shots >= 2
        settings = conn.execute("select settings_a, system_prompt, backend from battles").fetchall()
        assert all('"model": "openai/fake-' in s[0] and s[1] and s[2] == "local" for s in settings)
    assert all(r["body"].get("stream") for r in fake_llm.requests())  # answers were streamed

    # -- the exported votes load with `datasets` in the bigcodereward schema ---------------------------
    import datasets

    out = tmp_path / "votes"
    assert cli(["export-votes", str(out), "--database", f"sqlite:///{db}"]) == 0
    ds = datasets.load_dataset(str(out), split="train")
    assert ds["human_vote"] == ["vote_model_A", "vote_tie"]
    assert ds[0]["execution_screenshot_A"] is not None and ds[0]["execution_screenshot_A"].size[0] > 100
    python_state = ds[1]["states"]["model_A"]["sandbox_logs_by_round"]["1"]["sandbox_state"]
    # The judge sees the model's own code run, beside the model's answer; the visitor's edit is counted.
    assert "hello from fake-" in python_state["sandbox_output"] and python_state["trigger"] == "auto"
    assert python_state["visitor_edit_runs"] == 1 and "hello from fake-" in ds[1]["execution_output_A"]
    assert ds[1]["states"]["model_B"]["messages"][-1][1].startswith("A program.")

"""The arena's parts on their own: pairing, rate limits, safe rendering, the vote database, the preview
server, the arena config section and the vote export. The whole app is driven in test_arena_app.py."""

from __future__ import annotations

import json
import random
import subprocess
import threading
import uuid
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import pytest

from codearena.arena.limits import RateLimiter
from codearena.arena.pairing import draw_pair
from codearena.arena.preview import PreviewServer, _inject
from codearena.arena.render import iframe, plain, safe_markdown
from codearena.arena.store import ArenaStore, VoteRejected
from codearena.config import ConfigError, load_settings

NOW = datetime.now(timezone.utc)


# -- pairing ----------------------------------------------------------------------------------------
def test_pairs_follow_weights_and_never_repeat_a_model():
    weights = {"a": 3.0, "b": 1.0, "c": 1.0, "off": 0.0}
    rng = random.Random(1)
    draws = [draw_pair(weights, rng) for _ in range(20000)]
    assert all(x != y and "off" not in (x, y) for x, y in draws)
    seen = Counter(m for pair in draws for m in pair)
    # P(a in the pair) = 3/5 + 2 * (1/5 * 3/4) = 0.9; P(b) = P(c) = 0.55.
    assert seen["a"] / len(draws) == pytest.approx(0.9, abs=0.02)
    assert seen["b"] / len(draws) == pytest.approx(0.55, abs=0.02)
    left = Counter(x for x, _ in draws)
    assert left["a"] / seen["a"] == pytest.approx(0.5, abs=0.02)  # sides are shuffled


def test_pair_needs_two_weighted_models():
    with pytest.raises(ValueError, match="two models"):
        draw_pair({"a": 1.0, "b": 0.0}, random.Random(0))


def test_each_visitor_draws_from_its_own_generator():
    from codearena.arena.service import Visitor

    weights = {f"m{i}": 1.0 for i in range(8)}
    one, two = Visitor(), Visitor()
    assert one.rng is not two.rng and one.id != two.id
    assert [draw_pair(weights, one.rng) for _ in range(10)] != [draw_pair(weights, two.rng) for _ in range(10)]


# -- rate limits ------------------------------------------------------------------------------------
def test_rate_limit_per_key_with_a_sliding_window():
    now = [0.0]
    limiter = RateLimiter(2, window_s=60, clock=lambda: now[0])
    assert limiter.take("s1") == 0 and limiter.take("s1") == 0
    assert limiter.take("s1") == pytest.approx(60.0)
    assert limiter.take("s2") == 0  # another session is not affected
    now[0] = 30.0
    assert limiter.take("s1") == pytest.approx(30.0)
    now[0] = 60.5
    assert limiter.take("s1") == 0


# -- rendering --------------------------------------------------------------------------------------
def test_safe_markdown_makes_markup_literal_outside_code():
    text = ("Look: <img src=x onerror=alert(1)> <style>body{display:none}</style> &amp; ![x](http://t/x.png)\n"
            "`<b>inline</b>` stays\n```html\n<script>alert(1)</script>\n```\nafter <b>bold</b>")
    out = safe_markdown(text)
    assert "<img" not in out and "<style>" not in out and "&lt;img src=x" in out and "&amp;amp;" in out
    assert "!\\[x]" in out
    assert "`<b>inline</b>`" in out  # a code span shows its content literally already
    assert "```html\n<script>alert(1)</script>\n```" in out  # so does a code block
    assert out.endswith("after &lt;b>bold&lt;/b>")


def test_safe_markdown_keeps_a_fence_open_until_its_own_closer():
    text = "````md\n```python\nx = '<b>'\n```\n````\n<i>out</i>"
    out = safe_markdown(text)
    assert "x = '<b>'" in out and out.endswith("&lt;i>out&lt;/i>")


def test_iframe_and_plain_escape_what_they_are_given():
    tag = iframe('http://127.0.0.1:1/t/"><script>x</script>')
    assert 'sandbox="allow-scripts"' in tag and "<script>" not in tag
    assert plain("**<b>name</b>**") == "\\*\\*&lt;b&gt;name&lt;/b&gt;\\*\\*"


# -- the vote database ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server for this module's database tests (skipped, with the reason, where none can start)."""
    from postgres_server import postgres_server

    server = postgres_server()
    try:
        url = server.__enter__()
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        pytest.skip(f"no PostgreSQL server: {e}")
    yield url
    server.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, or a fresh database on the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/a.db"
    from sqlalchemy import create_engine, text

    base = request.getfixturevalue("postgres")
    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return f"{base.rsplit('/', 1)[0]}/{name}"


def _battle(store: ArenaStore, bid: str, session: str = "s1", answered: tuple[str, ...] = ("A", "B"),
            turns: int = 1) -> None:
    store.create_battle(battle_id=bid, session_id=session, model_a="m1", model_b="m2", settings_a={"t": 0},
                        settings_b={"t": 1}, system_prompt="sys", backend="local")
    for turn in range(1, turns + 1):
        for side in "AB":
            if turn == turns and side not in answered:
                continue
            store.save_answer(bid, turn=turn, side=side, prompt=f"p{turn}", messages=[], text=f"answer {side}",
                              error=None, code=None, language=None, env=None, dependencies=None, started_at=NOW,
                              finished_at=NOW, latency_s=0.1, first_text_s=0.01, usage=None, cost_usd=None,
                              cached=False, request_hash=None)


def test_vote_rules(db_url):
    store = ArenaStore(db_url)
    _battle(store, "b1")
    _battle(store, "b2", answered=("A",))
    _battle(store, "b3", turns=2, answered=("B",))  # turn 1 answered by both, turn 2 by B only
    with pytest.raises(VoteRejected, match="no such battle"):
        store.record_vote("nope", "s1", "A")
    with pytest.raises(VoteRejected, match="no such battle"):
        store.record_vote("b1", "someone-else", "A")
    with pytest.raises(VoteRejected, match="both models must answer"):
        store.record_vote("b2", "s1", "A")
    with pytest.raises(VoteRejected, match="both models must answer"):
        store.record_vote("b3", "s1", "tie")
    with pytest.raises(VoteRejected, match="unknown choice"):
        store.record_vote("b1", "s1", "left")
    receipt = store.record_vote("b1", "s1", "both_bad")
    assert (receipt.model_a, receipt.model_b, receipt.choice) == ("m1", "m2", "both_bad")
    with pytest.raises(VoteRejected, match="already has a vote"):
        store.record_vote("b1", "s1", "A")
    assert store.vote_outcomes() == [("m1", "m2", "both_bad")]
    assert store.counts()["votes"] == 1
    store.close()


def test_concurrent_votes_on_one_battle_count_once(db_url):
    store = ArenaStore(db_url)
    _battle(store, "b1")
    barrier = threading.Barrier(16)

    def vote(i: int) -> bool:
        barrier.wait()
        try:
            store.record_vote("b1", "s1", "A" if i % 2 else "B")
            return True
        except VoteRejected:
            return False

    with ThreadPoolExecutor(16) as pool:
        accepted = list(pool.map(vote, range(16)))
    assert sum(accepted) == 1 and store.vote_count() == 1
    store.close()


def test_sqlite_runs_in_wal_mode_and_refuses_memory(tmp_path):
    store = ArenaStore(f"sqlite:///{tmp_path}/sub/a.db")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    with pytest.raises(ValueError, match="in-memory"):
        ArenaStore("sqlite://")


# -- the preview server -----------------------------------------------------------------------------
@pytest.fixture
def preview(tmp_path):
    got: list = []
    server = PreviewServer(on_events=lambda run, events: got.append((run, events))).start()
    server.received = got
    yield server
    server.stop()


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_preview_serves_a_site_under_its_token_only(preview, tmp_path):
    site_dir = tmp_path / "site"
    (site_dir / "js").mkdir(parents=True)
    (site_dir / "index.html").write_text("<!DOCTYPE html><html><head><title>t</title></head><body>hi</body></html>")
    (site_dir / "js" / "app.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("secret")
    (site_dir / "link").symlink_to(tmp_path / "secret.txt")
    site = preview.publish(site_dir, "index.html")
    assert len(site.token) >= 32
    status, headers, body = _get(preview.url(site))
    assert status == 200 and b"hi" in body
    assert "sandbox allow-scripts" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    # The capture script goes inside <head>, after the doctype (before it, the page would be in quirks mode).
    assert body.startswith(b"<!DOCTYPE html><html><head><script>") and b"sendBeacon" in body
    status, headers, body = _get(f"{preview.origin}/{site.token}/js/app.js")
    assert status == 200 and body == b"console.log(1)" and headers["Content-Type"].startswith("text/javascript")
    for path in (f"/{site.token}/../secret.txt", f"/{site.token}/%2e%2e/secret.txt", f"/{site.token}/link",
                 "/wrong-token/index.html", "/index.html"):
        assert _get(preview.origin + path)[0] == 404, path
    status, headers, body = _get(f"{preview.origin}/api/placeholder/40/30")
    assert status == 200 and headers["Content-Type"] == "image/svg+xml" and b'width="40"' in body
    preview.withdraw(site.token)
    assert _get(preview.url(site))[0] == 404


def test_preview_events_wait_for_their_run_and_are_cleaned(preview, tmp_path):
    (tmp_path / "index.html").write_text("<p>x</p>")
    site = preview.publish(tmp_path, "index.html")

    def post(body: bytes) -> int:
        req = urllib.request.Request(f"{preview.origin}/{site.token}/__codearena/events", data=body, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    events = [{"kind": "click", "time": "t1", "data": {"x": 3, "y": 4, "target": "<b>" * 400}},
              {"kind": "bogus", "data": {}}, "not an event", {"kind": "keydown", "data": {"key": "a"}}]
    assert post(json.dumps(events).encode()) == 204
    assert preview.received == []  # the run is not stored yet
    preview.attach(site, 42)
    assert post(json.dumps([{"kind": "scroll", "data": {"top": 10}}]).encode()) == 204
    assert post(b"{not json") == 400
    first, second = preview.received
    assert first[0] == 42 and [e["kind"] for e in first[1]] == ["click", "keydown"]
    assert len(first[1][0]["data"]["target"]) == 500
    assert second == (42, [{"kind": "scroll", "time": "", "data": {"top": 10}}])


def test_capture_script_placement():
    script = b"<script>S</script>"
    assert _inject(b"<p>x</p>", script) == b"<script>S</script><p>x</p>"
    assert _inject(b"<!doctype html><p>x</p>", script) == b"<!doctype html><script>S</script><p>x</p>"
    assert _inject(b"<HTML lang=en><body>", script) == b"<HTML lang=en><script>S</script><body>"


# -- the config section -----------------------------------------------------------------------------
def _config(tmp_path, arena: dict, models: dict | None = None) -> dict:
    import yaml

    models = models or {"m1": {"model": "openai/m1", "api_base": "http://127.0.0.1:9/v1"},
                        "m2": {"model": "openai/m2", "api_key_env": "CODEARENA_TEST_NO_SUCH_KEY"},
                        "rec": {"provider": "replay", "replay": str(tmp_path / "r.jsonl")}}
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(models))
    (tmp_path / "r.jsonl").write_text("")
    return {"questions": "q.jsonl", "models_file": str(tmp_path / "models.yaml"), "models": ["m1"],
            "baseline": "m2", "judges": {"execution": {"type": "execution"}}, "arena": arena}


def test_arena_section_errors_name_the_key(tmp_path):
    from codearena.arena.server import check_ready
    from codearena.arena.settings import arena_settings

    def settings(arena):
        return arena_settings(load_settings(_config(tmp_path, arena), "cfg.yaml"))

    with pytest.raises(ConfigError, match=r"cfg.yaml: arena.models: unknown model 'nope'"):
        settings({"models": {"m1": 1, "nope": 1}})
    with pytest.raises(ConfigError, match=r"arena.models.rec: provider 'replay' cannot answer"):
        settings({"models": {"m1": 1, "rec": 1}})
    with pytest.raises(ConfigError, match=r"at least two models need a weight above 0"):
        settings({"models": {"m1": 1, "m2": 0}})
    with pytest.raises(ConfigError, match=r"arena.port"):
        settings({"models": {"m1": 1, "m2": 1}, "port": "high"})
    with pytest.raises(ConfigError, match=r"unknown key arena.colour"):
        settings({"models": {"m1": 1, "m2": 1}, "colour": "red"})
    ok = settings({"models": {"m1": 2, "m2": 1}, "temperature": 0.7})
    assert ok.weights == {"m1": 2.0, "m2": 1.0} and ok.sampling() == {"temperature": 0.7}
    assert ok.section["database"] == "sqlite:///arena/arena.db" and ok.section["rate_limits"]["votes"] == 10
    with pytest.raises(ConfigError, match=r"missing API key: set the environment variable CODEARENA_TEST_NO_SUCH_KEY \(for m2\)"):
        check_ready(ok)
    with pytest.raises(ConfigError, match="no 'arena' section"):
        arena_settings(load_settings({k: v for k, v in _config(tmp_path, {}).items() if k != "arena"}, "cfg.yaml"))


def test_cli_arena_stops_with_one_line_when_keys_are_missing(monkeypatch, capsys):
    from codearena.cli import main

    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    assert main(["arena", "--configfile", "config/config.yaml"]) == 1  # the demo config battles real providers
    assert capsys.readouterr().err == (
        "codearena: config/config.yaml: arena.models: missing API key: set the environment variable OPENAI_API_KEY "
        "(for gpt-4.1); ANTHROPIC_API_KEY (for claude-sonnet-4); GEMINI_API_KEY (for gemini-2.5-flash); "
        "DEEPSEEK_API_KEY (for deepseek-chat-v3.1)\n")


# -- the export -------------------------------------------------------------------------------------
def test_export_writes_the_bigcodereward_schema(db_url, tmp_path):
    import datasets

    from codearena.arena.export import export_votes

    url = db_url
    store = ArenaStore(url)
    _battle(store, "b1", turns=2)
    store.save_run("b1", [("screenshot", _png())], side="A", turn=1, number=1, trigger="auto", code="c1",
                   language="html", env="html", status="ok", stdout="", stderr="", record={"environment": "HTML"},
                   preview_path="/t/index.html", started_at=NOW, duration_s=0.5)
    store.save_run("b1", [], side="A", turn=2, number=2, trigger="auto", code="print(1)", language="python",
                   env="python", status="ok", stdout="1\n", stderr="warn", record={"environment": "Python Runner"},
                   preview_path=None, started_at=NOW, duration_s=0.1)
    run_id = store.save_run("b1", [], side="A", turn=2, number=3, trigger="edit", code="print(2)", language="python",
                            env="python", status="ok", stdout="2\n", stderr="", record={"environment": "Python Runner"},
                            preview_path=None, started_at=NOW, duration_s=0.1)
    store.add_interactions(run_id, [{"kind": "click", "time": "t", "data": {"x": 1, "y": 2, "target": "DIV"}}])
    store.record_vote("b1", "s1", "B")
    _battle(store, "b2")
    store.record_vote("b2", "s1", "tie")
    _battle(store, "b3")  # not voted yet: not exported
    store.close()
    out = tmp_path / "export"
    assert export_votes(url, out) == 2
    ds = datasets.load_dataset(str(out), split="train")
    assert len(ds) == 2
    one, two = ds[0], ds[1]
    assert one["chat_session_id"] == "b1" and one["human_vote"] == "vote_model_B" and two["human_vote"] == "vote_tie"
    assert one["instruction"] == "p1\n\np2" and (one["model_A"], one["model_B"]) == ("m1", "m2")
    assert one["category_name"] is None
    state = one["states"]["model_A"]
    assert state["messages"][-1] == ["assistant", "answer A"] and state["messages"][0] == ["user", "p1"]
    logs = state["sandbox_logs_by_round"]
    assert logs["1"]["sandbox_state"]["screenshot_base64"] and logs["1"]["sandbox_state"]["sandbox_environment"] == "HTML"
    # The model's own code is the evidence; the visitor's edit is counted, its interactions kept.
    assert logs["2"]["sandbox_state"]["sandbox_output"] == "1\n" and logs["2"]["sandbox_state"]["trigger"] == "auto"
    assert logs["2"]["sandbox_state"]["visitor_edit_runs"] == 1 and logs["1"]["sandbox_state"]["visitor_edit_runs"] == 0
    assert logs["2"]["user_interaction_records"][0]["run"] == 3
    assert logs["2"]["user_interaction_records"][0]["type"] == "click"
    assert (logs["2"]["user_interaction_records"][0]["x"], logs["2"]["user_interaction_records"][0]["y"]) == (1.0, 2.0)
    assert one["states"]["model_B"]["sandbox_logs_by_round"]["1"] is None  # side B never ran code
    assert one["execution_output_A"] == "1\n" and one["execution_error_A"] == "warn"
    assert one["execution_screenshot_A"] is None  # the final run (turn 2) is a runner without figures
    assert two["states"]["model_A"]["sandbox_logs_by_round"]["2"] is None
    # Exporting again replaces the dataset as a whole, and `datasets` loads the new one (not a cached copy).
    store = ArenaStore(url)
    store.record_vote("b3", "s1", "A")
    store.close()
    assert export_votes(url, out) == 3 and len(list((out / "data").glob("*.parquet"))) == 1
    assert datasets.load_dataset(str(out), split="train")["chat_session_id"] == ["b1", "b2", "b3"]


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "PNG")
    return buf.getvalue()

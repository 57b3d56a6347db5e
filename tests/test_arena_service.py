"""The arena's logic without the page: failed models, rate limits, per-session battles, expiry.

Real parts: the fake LLM server over HTTP, the SQLite database, the preview server. Answers here
carry no code, so no sandbox is needed (code runs are covered by test_arena_app.py).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import urllib.error
import urllib.request

import pytest

from arena_helpers import arena_config
from codearena.arena.service import Arena, Visitor
from codearena.arena.settings import arena_settings
from codearena.config import load_settings
from fake_llm_server import Fault


@pytest.fixture
def arena(fake_llm, tmp_path):
    for model in ("fake-x", "fake-y"):
        fake_llm.script(model, [f"{model}: no code needed."])
    config = arena_config(tmp_path, fake_llm.base_url, ("fake-x", "fake-y"),
                          rate_limits={"messages": 3, "runs": 5, "votes": 5})
    arena = Arena(arena_settings(load_settings(config, "test-config")))
    yield arena
    arena.close()


def send(arena: Arena, visitor: Visitor, text: str) -> None:
    async def drain():
        async for _ in arena.send(visitor, text):
            pass

    asyncio.run(drain())


def test_a_battle_is_voted_once_and_reveals_the_models(arena, fake_llm, tmp_path):
    visitor = Visitor()
    send(arena, visitor, "hello")
    battle = visitor.battle
    assert battle.answered() and {s.model for s in battle.sides.values()} == {"fake-x", "fake-y"}
    send(arena, visitor, "tell me more")  # a second turn of the same battle, with the history
    assert visitor.battle is battle and battle.turn == 2 and battle.answered()
    for model in ("fake-x", "fake-y"):
        sent = fake_llm.requests(model)[-1]["body"]["messages"]
        assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
        assert sent[2]["content"] == f"{model}: no code needed." and sent[3]["content"] == "tell me more"
    assert visitor.reveal is None
    receipt = arena.vote(visitor, "tie")
    assert receipt is not None and visitor.reveal == (battle.sides["A"].model, battle.sides["B"].model)
    assert arena.vote(visitor, "A") is None and "Your vote on this battle is in" in visitor.notice
    send(arena, visitor, "again")  # the next message starts a new battle with hidden names
    assert visitor.battle.id != battle.id and visitor.reveal is None
    with sqlite3.connect(tmp_path / "arena.db") as conn:
        assert conn.execute("select turns from votes").fetchall() == [(2,)]
        assert conn.execute("select count(*) from battles").fetchone()[0] == 2


def test_a_model_that_fails_makes_the_battle_unvotable(arena, fake_llm, tmp_path):
    fake_llm.script("fake-x", [Fault("401")])  # not retryable: the answer fails at once
    visitor = Visitor()
    send(arena, visitor, "hello")
    failed = [name for name, side in visitor.battle.sides.items() if side.model == "fake-x"]
    assert f"Model {failed[0]} did not answer" in visitor.notice
    assert not visitor.battle.answered()
    assert arena.vote(visitor, "B") is None and "both models must answer" in visitor.notice
    with sqlite3.connect(tmp_path / "arena.db") as conn:
        rows = conn.execute("select side, text is null, error from answers order by side").fetchall()
        assert conn.execute("select count(*) from votes").fetchone()[0] == 0
    assert sorted(r[1] for r in rows) == [0, 1] and any("401" in (r[2] or "") for r in rows)


def test_rate_limits_are_per_session(arena):
    one, two = Visitor(), Visitor()
    for i in range(3):
        send(arena, one, f"message {i}")
    battle_turns = one.battle.turn
    send(arena, one, "one too many")
    assert one.notice.startswith("Too many messages: try again in") and one.battle.turn == battle_turns
    send(arena, two, "hello")  # another visitor is not affected
    assert two.battle.answered() and two.notice == ""


def test_a_visitor_cannot_vote_on_another_visitors_battle(arena):
    owner, intruder = Visitor(), Visitor()
    send(arena, owner, "hello")
    intruder.battle = owner.battle  # as if the battle leaked into another session
    assert arena.vote(intruder, "A") is None and "no such battle in this session" in intruder.notice
    assert arena.vote(owner, "A") is not None


def test_expired_battles_lose_their_previews_and_files(arena, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<p>old</p>")
    published = arena.preview.publish(site, "index.html")
    scratch = arena.runner.ctx.workdir / "oldbattle-A-1"
    scratch.mkdir()
    arena._battles_on_disk["oldbattle"] = (time.monotonic() - 10_000, [published.token])
    arena._expire_old_battles()
    assert not scratch.exists() and "oldbattle" not in arena._battles_on_disk
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(arena.preview.url(published), timeout=10)
    assert gone.value.code == 404

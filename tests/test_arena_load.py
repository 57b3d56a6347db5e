"""Load: 500 votes from 20 concurrent clients, through the app's own HTTP API, each stored exactly once.

The clients (tests/arena_load_clients.py, a separate process) are `gradio_client.Client` sessions
speaking Gradio's queue protocol over HTTP, exactly as the page does. Each plays 25 battles: `/send`
(both fake models answer; short answers without code, so no sandbox run is needed) then one of the
vote endpoints the page's buttons call. This is the real vote path (queue, per-session state, rate
limits, the database transaction), not a shortcut into the store; every fifth battle gets a second
vote, which must be refused. (Concurrent votes on one battle, refused by the database itself, are in
test_arena.py.)
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from arena_helpers import arena_config, running_arena
from arena_load_clients import plan

pytestmark = pytest.mark.slow

CLIENTS, BATTLES = 20, 25
STORED = {"a": "A", "b": "B", "tie": "tie", "both_bad": "both_bad"}
CLIENT_SCRIPT = Path(__file__).resolve().parent / "arena_load_clients.py"


def test_500_votes_from_20_clients_are_stored_exactly_once(fake_llm, tmp_path):
    for model in ("fake-x", "fake-y"):
        fake_llm.script(model, [f"{model} says: no program is needed, the answer is 42."])
    limits = {"messages": 1000, "runs": 1000, "votes": 1000}
    config = arena_config(tmp_path, fake_llm.base_url, ("fake-x", "fake-y"), rate_limits=limits, concurrency=CLIENTS)
    with running_arena(config) as app:
        done = subprocess.run([sys.executable, str(CLIENT_SCRIPT), app.url, "--clients", str(CLIENTS),
                               "--battles", str(BATTLES)], capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        counts = app.arena.store.counts()
    reports = json.loads(done.stdout)

    assert [r["client"] for r in reports] == list(range(CLIENTS))
    assert all("Thank you for your vote" in n for r in reports for n in r["notices"])
    assert all("Your vote on this battle is in" in n for r in reports for n in r["repeats"])  # second votes refused
    assert sum(len(r["repeats"]) for r in reports) == CLIENTS * 5
    assert counts["votes"] == CLIENTS * BATTLES and counts["battles"] == CLIENTS * BATTLES
    with sqlite3.connect(tmp_path / "arena.db") as conn:
        rows = conn.execute("select session_id, battle_id, choice from votes order by id").fetchall()
        answered = conn.execute("select count(*) from answers where text is not null").fetchone()[0]
    assert len({battle for _, battle, _ in rows}) == CLIENTS * BATTLES  # one vote per battle
    assert answered == 2 * CLIENTS * BATTLES
    # Every client's votes, in its order, are one session's votes: none lost, none doubled, none mixed up.
    by_session: dict[str, list[str]] = defaultdict(list)
    for session, _, choice in rows:
        by_session[session].append(choice)
    expected = Counter(tuple(STORED[c] for c in plan(k, BATTLES)) for k in range(CLIENTS))
    assert Counter(tuple(v) for v in by_session.values()) == expected

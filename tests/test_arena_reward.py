"""The arena's exported votes are input the reward stage (BigCodeReward) reads as it reads the hub dataset.

The reward stage lives on its own branch until it is merged; until then this test is skipped (with that
reason), afterwards it checks the contract between the two: every vote becomes a battle, labels,
instruction, answers and execution evidence (the model's own code's run) intact.
"""

from __future__ import annotations

import pytest

from codearena.arena.store import ArenaStore
from test_arena import NOW, _battle, _png


def test_exported_votes_load_as_reward_battles(tmp_path):
    votes = pytest.importorskip("codearena.reward.votes", reason="the reward stage (codearena.reward) is not on this branch")
    from codearena.arena.export import export_votes

    url = f"sqlite:///{tmp_path}/a.db"
    store = ArenaStore(url)
    _battle(store, "b1", turns=2)
    store.save_run("b1", [("screenshot", _png())], side="B", turn=2, number=1, trigger="auto", code="<p>b</p>",
                   language="html", env="html", status="ok", stdout="", stderr="", record={"environment": "HTML"},
                   preview_path=None, started_at=NOW, duration_s=0.2)
    store.save_run("b1", [], side="A", turn=2, number=1, trigger="auto", code="print(1)", language="python",
                   env="python", status="ok", stdout="1\n", stderr="", record={}, preview_path=None, started_at=NOW,
                   duration_s=0.1)
    store.save_run("b1", [], side="A", turn=2, number=2, trigger="edit", code="print(2)", language="python",
                   env="python", status="ok", stdout="2\n", stderr="", record={}, preview_path=None, started_at=NOW,
                   duration_s=0.1)
    store.record_vote("b1", "s1", "both_bad")
    _battle(store, "b2")
    store.record_vote("b2", "s1", "A")
    store.close()
    export_votes(url, tmp_path / "votes")

    battles, summary = votes.load_battles(str(tmp_path / "votes"), tmp_path / "reward")
    assert summary["battles"] == 2 and summary["skipped"] == []
    one, two = battles
    assert (one["chat_session_id"], one["human_vote"], two["human_vote"]) == ("b1", "both_bad", "A")
    assert (one["model_A"], one["model_B"]) == ("m1", "m2")
    assert "p1" in one["instruction"] and "p2" in one["instruction"]  # both turns of the visitor
    assert one["sides"]["A"]["answer"] == "answer A" and one["sides"]["A"]["output"] == "1\n"
    assert one["sides"]["B"]["screenshot"] and (tmp_path / "reward" / one["sides"]["B"]["screenshot"]).is_file()

"""Reading votes in the bigcode/bigcodereward schema: every source kind, the judge input, bad rows."""

import base64
import json

import datasets
import pytest
from PIL import Image

from codearena.reward.states import latest_round_evidence
from codearena.reward.votes import VotesError, load_battles, read_battles
from reward_fakes import png, row, sandbox_round
from workflow_helpers import REPO

DEMO = REPO / "config/demo/reward"


def to_parquet(rows, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_list(rows).to_parquet(str(path))
    return path


def test_demo_votes_load_as_battles_with_all_user_turns_and_screenshots(tmp_path):
    battles, summary = load_battles(str(DEMO), tmp_path)
    assert summary["rows"] == summary["battles"] == len(battles) == 36 and summary["skipped"] == []
    assert [b["chat_session_id"] for b in battles] == sorted(b["chat_session_id"] for b in battles)
    two_turns = [b for b in battles if b["turns"] == 2]
    assert len(two_turns) == 6
    for b in two_turns:
        assert "[User turn 1]" in b["instruction"] and "[User turn 2]" in b["instruction"]
    login = next(b for b in battles if b["chat_session_id"] == "demo-web-login-good-vs-broken")
    assert "show password" in login["instruction"]  # the second turn, absent from the instruction column
    shots = [s["screenshot"] for b in battles for s in b["sides"].values() if s["screenshot"]]
    assert len(shots) == 48  # 8 HTML tasks x 3 battles x 2 sides
    for rel in set(shots):
        with Image.open(tmp_path / rel) as im:
            assert im.size == (480, 320)
    python = next(b for b in battles if b["chat_session_id"] == "demo-sci-pi-good-vs-broken")
    assert all(s["evidence_source"] == "columns" for s in python["sides"].values())
    assert any("NameError" in s["error"] for s in python["sides"].values())
    assert {b["human_vote"] for b in battles} == {"A", "B", "tie", "both_bad"}

    # The written file reads back with absolute screenshot paths.
    path = tmp_path / "battles.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b in battles))
    back = read_battles(path)
    files = [s["screenshot_file"] for b in back for s in b["sides"].values() if s["screenshot_file"]]
    assert files and all(Image.open(f).size == (480, 320) for f in files[:3])


def test_evidence_comes_from_the_latest_round_sorted_as_numbers(tmp_path):
    shot9, shot10 = base64.b64encode(png("red")).decode(), base64.b64encode(png("green")).decode()
    logs = {"2": sandbox_round("two"), "9": sandbox_round("nine", screenshot_b64=shot9),
            "10": sandbox_round("ten", "warning: x", shot10), "11": None, "12": sandbox_round()}
    assert latest_round_evidence(logs)[3] == "round 10"  # "9" > "10" as strings: upstream's bug
    rows = [row("r1", logs_a=logs, logs_b={"1": sandbox_round("only round")})]
    battles, _ = load_battles(str(to_parquet(rows, tmp_path / "votes.parquet")), tmp_path / "out")
    a, b = battles[0]["sides"]["A"], battles[0]["sides"]["B"]
    assert (a["output"], a["error"], a["evidence_source"]) == ("ten", "warning: x", "round 10")
    with Image.open(tmp_path / "out" / a["screenshot"]) as im:
        assert im.getpixel((60, 40)) == (0, 128, 0)  # green: round 10's screenshot, not round 9's
    assert (b["output"], b["screenshot"], b["evidence_source"]) == ("only round", None, "round 1")


def test_flat_columns_win_over_states_and_are_never_mixed_with_a_round(tmp_path):
    logs = {"1": sandbox_round("from states", "state error", base64.b64encode(png()).decode())}
    rows = [row("r1", logs_a=logs, execution_output_A="from columns")]
    battles, _ = load_battles(str(to_parquet(rows, tmp_path / "v.parquet")), tmp_path / "out")
    a = battles[0]["sides"]["A"]
    assert (a["output"], a["error"], a["screenshot"], a["evidence_source"]) == ("from columns", "", None, "columns")


def test_exported_jsonl_with_json_states_and_relative_image_paths(tmp_path):
    src = tmp_path / "export"
    (src / "shots").mkdir(parents=True)
    (src / "shots" / "a.png").write_bytes(png("purple"))
    r = row("x1", vote="leftvote", turns=("first", "second"), replies_a=("r1", "final A"), replies_b=("r1", "final B"),
            instruction="", execution_screenshot_A="shots/a.png")
    r["states"] = json.dumps(r["states"])  # an export may keep states as JSON text
    (src / "votes.jsonl").write_text(json.dumps(r) + "\n")
    battles, _ = load_battles(str(src / "votes.jsonl"), tmp_path / "out")
    b = battles[0]
    assert b["human_vote"] == "A" and b["turns"] == 2
    assert b["sides"]["A"]["answer"] == "final A" and b["sides"]["B"]["answer"] == "final B"
    assert b["sides"]["A"]["screenshot"] and (tmp_path / "out" / b["sides"]["A"]["screenshot"]).exists()


def test_save_to_disk_and_directory_sources(tmp_path):
    rows = [row("a"), row("b", vote="vote_model_B")]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    battles, _ = load_battles(str(tmp_path / "saved"), tmp_path / "out1")
    assert [b["human_vote"] for b in battles] == ["A", "B"]
    to_parquet(rows, tmp_path / "dir" / "data" / "train-00000-of-00001.parquet")
    battles, _ = load_battles(str(tmp_path / "dir"), tmp_path / "out2")
    assert len(battles) == 2


def test_bad_rows_are_skipped_with_reasons_and_limit_takes_the_first_ids(tmp_path):
    rows = [
        row("c"), row("a", vote="Both Bad"), row("b", vote="vote_model_C"), row("", vote="vote_tie"),
        row("a", vote="vote_model_B"), row("d", model_b=""), row("e", vote=None, vote_type="vote_tie"),
        row("f", turns=("",), instruction=""), row("g"),
    ]
    for r in rows:
        r.setdefault("vote_type", None)  # the fallback column, used only when human_vote is empty
    source = str(to_parquet(rows, tmp_path / "v.parquet"))
    battles, summary = load_battles(source, tmp_path / "out")
    assert [b["chat_session_id"] for b in battles] == ["a", "c", "e", "g"]
    assert [b["human_vote"] for b in battles] == ["both_bad", "A", "tie", "A"]
    reasons = {s["row"]: s["reason"] for s in summary["skipped"]}
    assert reasons[3].startswith("human vote 'vote_model_C'")
    assert reasons[4] == "no chat_session_id"
    assert reasons[5] == "duplicate chat_session_id (first seen in row 2)"
    assert reasons[6] == "no model_B"
    assert reasons[8].startswith("no instruction")
    assert summary["rows"] == 9 and summary["battles"] == 4

    battles, _ = load_battles(source, tmp_path / "out2", limit=2)
    assert [b["chat_session_id"] for b in battles] == ["a", "c"]


def test_sources_that_are_not_votes_give_one_clear_error(tmp_path):
    with pytest.raises(VotesError, match="missing column.*human_vote"):
        load_battles(str(to_parquet([{"chat_session_id": "x", "model_A": "a", "model_B": "b", "instruction": "i"}],
                                     tmp_path / "q.parquet")), tmp_path / "o")
    with pytest.raises(VotesError, match="not found"):
        load_battles(str(tmp_path / "missing.parquet"), tmp_path / "o")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"chat_session_id": "x"\n')
    with pytest.raises(VotesError, match="broken.jsonl: cannot load"):
        load_battles(str(broken), tmp_path / "o")
    with pytest.raises(VotesError, match="no usable battle"):
        load_battles(str(to_parquet([row("x", vote="nope")], tmp_path / "n.parquet")), tmp_path / "o")

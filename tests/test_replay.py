"""Recorded answers (the replay provider): three record shapes, and broken files named by file:line."""

from __future__ import annotations

import json

import pytest

from codearena.io import ArtifactError
from codearena.llm.replay import load_replay, replay_for_questions


def write(path, rows) -> str:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_codearena_answer_records(tmp_path):
    f = write(tmp_path / "a.jsonl", [
        {"uid": "u1", "model": "m", "status": "ok", "answer": "text ```python\nprint(1)\n```", "messages": []},
        {"uid": "u2", "model": "m", "status": "no_code", "answer": "I would rather explain.", "messages": []},
        {"uid": "u3", "model": "m", "status": "failed", "answer": "", "error": "HTTP 500"},
    ])
    # A failed record holds no answer: replaying it must not turn a failure into an empty answer.
    assert load_replay(f) == {"u1": "text ```python\nprint(1)\n```", "u2": "I would rather explain."}


def test_upstream_generation_records(tmp_path):
    f = write(tmp_path / "generation.jsonl", [
        {"uid": "u1", "ans_id": "x", "model": "gpt", "messages": [
            {"role": "system", "content": "sys"}, {"role": "user", "content": "q"},
            {"role": "assistant", "content": {"answer": "upstream answer", "thought": "hidden"}}]},
        {"uid": "u2", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "plain string"}]},
        "",
    ])
    assert load_replay(f) == {"u1": "upstream answer", "u2": "plain string"}


def test_minimal_records(tmp_path):
    f = write(tmp_path / "m.jsonl", [{"uid": "u1", "answer": "a"}, {"uid": "u2", "response": "r"}])
    assert load_replay(f) == {"u1": "a", "u2": "r"}


@pytest.mark.parametrize(
    "rows, expected",
    [
        ([{"uid": "u1", "answer": "a"}, '{"uid": "u2", "answer": '], r"bad\.jsonl:2: not valid JSON"),
        ([{"uid": "u1", "answer": "a"}, {"answer": "b"}], r"bad\.jsonl:2: record has no 'uid'"),
        ([{"uid": "u1", "answer": "a"}, "[1]"], r"bad\.jsonl:2: expected a JSON object"),
        (
            [{"uid": "u1", "answer": "a"}, {"uid": "u2", "answer": "b"}, {"uid": "u1", "response": "c"}],
            r"bad\.jsonl:3: duplicate uid 'u1' \(first seen on line 1\)",
        ),
        ([{"uid": "u1", "text": "a"}], r"bad\.jsonl:1: uid u1: no answer"),
        ([{"uid": "u1", "messages": [{"role": "user", "content": "q"}]}], r"bad\.jsonl:1: uid u1: the last message has role 'user'"),
        ([{"uid": "u1", "messages": [{"role": "assistant", "content": {"thought": "t"}}]}], r"bad\.jsonl:1: uid u1: the assistant"),
    ],
)
def test_broken_files_name_file_and_line(tmp_path, rows, expected):
    with pytest.raises(ArtifactError, match=expected):
        load_replay(write(tmp_path / "bad.jsonl", rows))


def test_missing_file(tmp_path):
    with pytest.raises(ArtifactError, match=r"nope\.jsonl: replay file not found"):
        load_replay(tmp_path / "nope.jsonl")


QUESTIONS = [{"uid": "u1", "instruction": "Sort a list.", "category": "c"},
             {"uid": "u2", "instruction": "Draw a cat.", "category": "c"}]


def test_a_recording_is_checked_against_the_questions(tmp_path):
    # Upstream wraps the question in a template (containing it is a match); a missing uid is allowed.
    ok = write(tmp_path / "ok.jsonl", [{"uid": "u1", "messages": [
        {"role": "user", "content": "Task:\n Sort a  list.\nAnswer in one block."},
        {"role": "assistant", "content": "a1"}]}, {"uid": "u9", "answer": "extra"}])
    assert replay_for_questions(ok, QUESTIONS) == {"u1": "a1", "u9": "extra"}
    other = write(tmp_path / "other.jsonl", [{"uid": "x1", "answer": "a"}])
    with pytest.raises(ArtifactError, match=r"other\.jsonl: none of its 1 recorded answers is for one of the 2 questions"):
        replay_for_questions(other, QUESTIONS)
    changed = write(tmp_path / "changed.jsonl", [{"uid": "u1", "answer": "a"}, {"uid": "u2", "messages": [
        {"role": "user", "content": "Draw a dog."}, {"role": "assistant", "content": "a2"}]}])
    with pytest.raises(ArtifactError, match=r"changed\.jsonl:2: uid u2: recorded for a different question"):
        replay_for_questions(changed, QUESTIONS)

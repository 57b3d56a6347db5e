"""The `replay` provider: answers taken from a recorded JSONL file, keyed by uid.

Three record shapes are accepted, so recordings from codearena and from upstream work unchanged:

* codearena answer records (`results/answers/{model}.jsonl`): `{"uid", "answer", "status", ...}`;
  records with status `failed` hold no answer and are skipped;
* upstream AutoCodeArena / arena-hard `generation.jsonl`: `{"uid", "messages": [..., {"role":
  "assistant", "content": {"answer": ...}}]}` (the content may also be a plain string);
* minimal `{"uid", "answer"}` or `{"uid", "response"}`.

`replay_for_questions` also checks that the recording belongs to the questions being answered: a
recording that answers none of them, or whose record for a uid was given a different prompt (the two
shapes that carry `messages` keep the question), is an error naming the file and line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from codearena.io import ArtifactError


def _answer_of(record: dict) -> str | None:
    """The answer text of one record, or None when the record says it has none."""
    if isinstance(record.get("answer"), str):
        return None if record.get("status") == "failed" else record["answer"]
    if isinstance(record.get("response"), str):
        return record["response"]
    messages = record.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[-1], dict):
        last = messages[-1]
        if last.get("role", "assistant") != "assistant":
            raise ValueError(f"the last message has role {last.get('role')!r}, not 'assistant'")
        content = last.get("content")
        if isinstance(content, dict) and isinstance(content.get("answer"), str):
            return content["answer"]
        if isinstance(content, str):
            return content
        raise ValueError("the assistant message content is neither a string nor a dict with 'answer'")
    raise ValueError("no answer: expected 'answer', 'response' or 'messages' ending with the assistant's reply")


def _prompt_of(record: dict) -> str | None:
    """The last user message of a record that keeps its messages (None when it has none as text)."""
    messages = record.get("messages")
    if not isinstance(messages, list):
        return None
    users = [m.get("content") for m in messages if isinstance(m, dict) and m.get("role") == "user"]
    return users[-1] if users and isinstance(users[-1], str) else None


@dataclass(frozen=True)
class Recorded:
    answer: str | None  # None: the record says the call failed
    prompt: str | None  # the question as recorded, when the record keeps it
    line: int


def load_replay(path: str | os.PathLike) -> dict[str, str]:
    """uid -> recorded answer. Broken lines, records without uid and duplicate uids raise ArtifactError (file:line)."""
    return {uid: r.answer for uid, r in _read(Path(path)).items() if r.answer is not None}


def _same_question(instruction: str, prompt: str) -> bool:
    """Upstream recordings may wrap the question in a template: containing it counts as the same."""
    instruction, prompt = " ".join(instruction.split()), " ".join(prompt.split())
    return instruction == prompt or instruction in prompt


def replay_for_questions(path: str | os.PathLike, questions: list[dict]) -> dict[str, str]:
    """`load_replay`, checked against `questions`: a recording of other questions is an ArtifactError.

    A recording may hold more questions than asked (a `question_limit`) or miss some (those get
    failed records naming the file); but one that answers none of the questions, or answers a uid
    with a different prompt, belongs to another benchmark or another version of it."""
    path = Path(path)
    recorded = _read(path)
    if recorded and not any(q["uid"] in recorded for q in questions):
        raise ArtifactError(
            f"{path}: none of its {len(recorded)} recorded answers is for one of the {len(questions)} questions "
            f"(it has uid {next(iter(recorded))!r}, the questions start with {questions[0]['uid']!r}): "
            "a recording of other questions?"
        )
    for q in questions:
        r = recorded.get(q["uid"])
        if r is not None and r.prompt is not None and not _same_question(q["instruction"], r.prompt):
            raise ArtifactError(
                f"{path}:{r.line}: uid {q['uid']}: recorded for a different question "
                f"(recorded prompt {r.prompt[:60]!r}, question {q['instruction'][:60]!r})"
            )
    return {uid: r.answer for uid, r in recorded.items() if r.answer is not None}


def _read(path: Path) -> dict[str, Recorded]:
    answers: dict[str, Recorded] = {}
    first_line: dict[str, int] = {}
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise ArtifactError(f"{path}: replay file not found") from None
    with f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ArtifactError(f"{where}: not valid JSON ({e.msg})") from None
            if not isinstance(record, dict):
                raise ArtifactError(f"{where}: expected a JSON object, got {type(record).__name__}")
            uid = record.get("uid")
            if not isinstance(uid, str) or not uid:
                raise ArtifactError(f"{where}: record has no 'uid'")
            if uid in first_line:
                raise ArtifactError(f"{where}: duplicate uid {uid!r} (first seen on line {first_line[uid]})")
            first_line[uid] = lineno
            try:
                answer = _answer_of(record)
            except ValueError as e:
                raise ArtifactError(f"{where}: uid {uid}: {e}") from None
            answers[uid] = Recorded(answer, _prompt_of(record), lineno)
    return answers

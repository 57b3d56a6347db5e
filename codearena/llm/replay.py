"""The `replay` provider: answers taken from a recorded JSONL file, keyed by uid.

Three record shapes are accepted, so recordings from codearena and from upstream work unchanged:

* codearena answer records (`results/answers/{model}.jsonl`): `{"uid", "answer", "status", ...}`;
  records with status `failed` hold no answer and are skipped;
* upstream AutoCodeArena / arena-hard `generation.jsonl`: `{"uid", "messages": [..., {"role":
  "assistant", "content": {"answer": ...}}]}` (the content may also be a plain string);
* minimal `{"uid", "answer"}` or `{"uid", "response"}`.
"""

from __future__ import annotations

import json
import os
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


def load_replay(path: str | os.PathLike) -> dict[str, str]:
    """uid -> recorded answer. Broken lines, records without uid and duplicate uids raise ArtifactError (file:line)."""
    path = Path(path)
    answers: dict[str, str] = {}
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
            if answer is not None:
                answers[uid] = answer
    return answers

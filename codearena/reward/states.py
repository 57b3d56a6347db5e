"""FastChat-style chat states, as stored in `states.model_A` / `states.model_B` of a votes row.

A state holds `messages` (`[role, content]` pairs, or `{role, content}` objects), `roles` (the user's
and the assistant's role names) and `sandbox_logs_by_round` (round number -> `{sandbox_state: {...},
user_interaction_records: [...]}`, a null round being an absent one). Exports may store any of these as
JSON text; it is parsed here.
"""

from __future__ import annotations

import json
from typing import Any


def maybe_json(value: Any) -> Any:
    """States exported as JSON text are accepted as well as nested structs."""
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _messages(state: dict) -> list[tuple[str, str]]:
    """(role, content) pairs of a FastChat-style state; roles lower-cased."""
    out = []
    for message in maybe_json(state.get("messages")) or []:
        if isinstance(message, dict):
            role, content = message.get("role"), message.get("content")
        elif isinstance(message, (list, tuple)) and len(message) == 2:
            role, content = message
        else:
            continue
        if isinstance(content, list):  # OpenAI-style parts: keep the text
            content = "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
        out.append((str(role or "").lower(), content if isinstance(content, str) else ""))
    return out


def _roles(state: dict) -> tuple[str, str]:
    roles = maybe_json(state.get("roles"))
    if isinstance(roles, (list, tuple)) and len(roles) >= 2 and all(isinstance(r, str) for r in roles[:2]):
        return roles[0].lower(), roles[1].lower()
    return "user", "assistant"


def user_turns(state: dict) -> list[str]:
    user, _ = _roles(state)
    return [c for role, c in _messages(state) if role in (user, "user", "human") and c.strip()]


def final_answer(state: dict) -> str:
    """The last assistant message with text; upstream's last message when no role matches."""
    user, assistant = _roles(state)
    messages = _messages(state)
    for role, content in reversed(messages):
        if role in (assistant, "assistant", "gpt", "model") and role != user and content.strip():
            return content
    return messages[-1][1] if messages and messages[-1][0] not in (user, "user") else ""


def _round_number(key: Any) -> int | None:
    try:
        return int(str(key).strip())
    except ValueError:
        return None


def latest_round_evidence(logs: Any) -> tuple[str, str, Any, str | None]:
    """(output, error, screenshot value, "round N") of the latest round with any evidence.

    Rounds are sorted as numbers; null rounds (absent in parquet) and non-numeric keys are skipped.
    """
    logs = maybe_json(logs)
    if not isinstance(logs, dict):
        return "", "", None, None
    rounds = [(n, maybe_json(v)) for k, v in logs.items() if (n := _round_number(k)) is not None and v]
    for number, log in sorted(rounds, key=lambda r: r[0], reverse=True):
        state = maybe_json(log.get("sandbox_state")) if isinstance(log, dict) else None
        if not isinstance(state, dict):
            continue
        output, error = as_text(state.get("sandbox_output")), as_text(state.get("sandbox_error"))
        shot = state.get("screenshot_base64") or None
        if output.strip() or error.strip() or shot:
            return output, error, shot, f"round {number}"
    return "", "", None, None


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else ""

"""Reading a reward judge's reply: one JSON object `{"Overall": {"winner": "A" | "B" | "Tie", ...}}`.

Strict on purpose (upstream's fallbacks let junk through: a keyword search that read "model a ...
better" as a vote for A, brace counting that broke on braces inside strings, a hidden second model
that rewrote replies). A reply is accepted when

* the whole reply is that JSON object, or
* the whole reply is one fenced code block holding it, or
* its last fenced code block holds it (models often put a sentence before the block).

`winner` is compared without case and surrounding blanks: "A", "B" or "Tie". Anything else gives no
verdict and a one-line reason, which the judge is shown in its single re-ask.
"""

from __future__ import annotations

import json
import re

WINNERS = {"A": "A", "B": "B", "TIE": "tie"}
_FENCE = re.compile(r"```[ \t]*(?:json|JSON)?[ \t]*\n(.*?)\n[ \t]*```", re.DOTALL)

REASK = (
    "Your reply could not be read ({reason}). Reply again with only the JSON object, in exactly this "
    'shape: {{"Overall": {{"winner": "A" or "B" or "Tie", "reasoning": "one paragraph"}}}}'
)


def parse_reply(text: str | None) -> tuple[str | None, dict | None, str | None]:
    """(label "A" / "B" / "tie" or None, the parsed object or None, why it failed or None)."""
    if not text or not text.strip():
        return None, None, "the reply is empty"
    obj, why = _json_object(text.strip())
    if obj is None:
        return None, None, why
    overall = next((v for k, v in obj.items() if k.strip().lower() == "overall"), None)
    if not isinstance(overall, dict):
        return None, obj, 'the object has no "Overall" object'
    winner = next((v for k, v in overall.items() if k.strip().lower() == "winner"), None)
    if not isinstance(winner, str):
        return None, obj, 'the object has no "Overall.winner" text'
    label = WINNERS.get(winner.strip().upper())
    if label is None:
        return None, obj, f'"winner" is {winner!r}, not "A", "B" or "Tie"'
    return label, obj, None


def _json_object(text: str) -> tuple[dict | None, str]:
    candidates = [text]
    blocks = _FENCE.findall(text)
    if blocks:
        candidates.append(blocks[-1].strip())
    for candidate in candidates:
        try:
            value = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value, ""
        return None, f"the JSON is a {type(value).__name__}, not an object"
    return None, "it is not a JSON object, and no fenced code block holds one"

"""Vote labels: every spelling a votes dataset or a judge uses, normalised to four labels.

The human vote of a battle is one of `A` (model A better), `B`, `tie` or `both_bad`. Datasets spell
them differently: `bigcode/bigcodereward` writes `vote_model_A` / `vote_model_B` / `vote_tie` /
`vote_both_bad`, upstream's analysis scripts `vote_left` / `vote_right`, FastChat's arena logs
`leftvote` / `rightvote` / `tievote` / `bothbad_vote`. All of them are accepted (upstream's own
eval and analysis scripts disagreed on the spelling and so never matched a single verdict).

Judges are never offered "both bad", so the headline metrics merge `tie` and `both_bad` into one
class (`MERGED`): the three-class labels are `A`, `B`, `tie`.
"""

from __future__ import annotations

import re

FOUR: tuple[str, ...] = ("A", "B", "tie", "both_bad")
THREE: tuple[str, ...] = ("A", "B", "tie")
ERROR = "error"  # a judge verdict that could not be obtained (never a human label)

_SPELLINGS = {
    "A": ("a", "model_a", "vote_model_a", "vote_a", "vote_left", "leftvote", "left", "left_vote", "a_better"),
    "B": ("b", "model_b", "vote_model_b", "vote_b", "vote_right", "rightvote", "right", "right_vote", "b_better"),
    "tie": ("tie", "vote_tie", "tievote", "tie_vote", "draw", "equal"),
    "both_bad": ("both_bad", "vote_both_bad", "bothbad_vote", "bothbad", "both_bad_vote", "neither"),
}
_LOOKUP = {spelling: label for label, spellings in _SPELLINGS.items() for spelling in spellings}


def normalise_vote(value: object) -> str | None:
    """The label (`A`, `B`, `tie`, `both_bad`) for any known spelling, else None.

    Case, surrounding blanks and the separators ` `, `-`, `_` are ignored (`Both bad`, `vote-tie`).
    """
    if not isinstance(value, str):
        return None
    key = re.sub(r"[\s\-]+", "_", value.strip().lower())
    return _LOOKUP.get(key)


def merge(label: str) -> str:
    """The three-class label: `both_bad` counts as `tie` (a judge is never offered "both bad")."""
    if label not in FOUR:
        raise ValueError(f"not a vote label: {label!r} (expected one of {', '.join(FOUR)})")
    return "tie" if label == "both_bad" else label


def swap(label: str) -> str:
    """The same verdict seen with the two sides exchanged (A <-> B; ties stay)."""
    return {"A": "B", "B": "A"}.get(label, label)


def score_a(label: str) -> float:
    """Model A's share of the win: 1 (A better), 0 (B better), 0.5 (tie or both bad, as in the paper)."""
    return {"A": 1.0, "B": 0.0, "tie": 0.5, "both_bad": 0.5}[label]

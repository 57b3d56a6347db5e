"""Pairwise verdict labels: parsing a judge's reply and turning a label into a score for the model.

A verdict is one of five labels, always written from position A's point of view:

    A>>B  A is much better      A>B  A is slightly better      A=B  tie
    B>A   B is slightly better  B>>A B is much better

Parsing follows upstream (arena-hard / AutoCodeArena): every `[[...]]` label in the reply is found and
the **last** one wins; only if the reply has no `[[...]]` label at all is the single-bracket form
`[A>B]` tried. Unlike upstream, the winning text is validated: mirrored spellings (`A<<B`, `B<A`,
`B=A`, ...) are normalised, and anything else (`[[A>>>B]]`, `[[AB]]`) gives None, so a junk label can
never reach the scores (upstream crashed on those at scoring time).
"""

from __future__ import annotations

import re

LABELS: tuple[str, ...] = ("A>>B", "A>B", "A=B", "B>A", "B>>A")

# Mirrored spellings -> canonical label.
ALIASES: dict[str, str] = {
    "A<<B": "B>>A",
    "A<B": "B>A",
    "B=A": "A=B",
    "B<A": "A>B",
    "B<<A": "A>>B",
}

# Bracketed text made of the label alphabet with at least one comparison sign is a label attempt, so a
# junk last label makes the reply unparsable instead of silently falling back to an earlier one. The
# sign requirement keeps code the judge quotes (`[[a]]`, `x[b]`) from counting as an attempt.
_ATTEMPT = r"\s*([AB\s]*[<>=][AB<>=\s]*)"
_DOUBLE = re.compile(r"\[\[" + _ATTEMPT + r"\]\]", re.IGNORECASE)
_SINGLE = re.compile(r"(?<!\[)\[" + _ATTEMPT + r"\](?!\])", re.IGNORECASE)

# Score of the model for each label when the model sits in position A.
_SCORE_IF_A: dict[str, float] = {"A>>B": 1.0, "A>B": 1.0, "A=B": 0.5, "B>A": 0.0, "B>>A": 0.0}

# The `skipped` values a judgment game carries when no judge call was needed.
SKIPPED_MODEL = "model answer failed"
SKIPPED_BASELINE = "baseline answer failed"
SKIPPED_BOTH = "both answers failed"


def normalise(label: str) -> str | None:
    """The canonical label for `label` (blanks and case ignored), or None if it is not a verdict."""
    compact = re.sub(r"\s+", "", label).upper()
    if compact in LABELS:
        return compact
    return ALIASES.get(compact)


def parse_verdict(text: str | None) -> str | None:
    """The verdict in a judge reply: the last `[[label]]` (else the last `[label]`), or None."""
    if not text:
        return None
    for pattern in (_DOUBLE, _SINGLE):
        found = [m for m in pattern.findall(text) if m.strip()]
        if found:
            return normalise(found[-1])
    return None


def swap(verdict: str) -> str:
    """The same verdict with positions A and B exchanged (A>B becomes B>A)."""
    _check(verdict)
    return normalise(verdict.translate(str.maketrans("AB", "BA")))  # "B=A" is spelled "A=B"


def model_score(verdict: str, model_is_a: bool) -> float:
    """1.0 if the model won the game, 0.5 for a tie, 0.0 if it lost (strength is `is_strong`)."""
    _check(verdict)
    return _SCORE_IF_A[verdict if model_is_a else swap(verdict)]


def is_strong(verdict: str) -> bool:
    """True for A>>B and B>>A, which upstream counts `strong_weight` (3) times."""
    _check(verdict)
    return ">>" in verdict


def skipped_verdict(model_failed: bool, baseline_failed: bool, model_is_a: bool) -> str:
    """The label scoring uses for a game that was skipped because a side has no answer.

    A side whose answer failed (no reply after retries) gave the user nothing, so it loses
    *strongly* to a side that answered: the judge's scale keeps ">>" for an answer that does not do
    the task at all. Two failed sides are a tie. Counting these games (instead of dropping them, as
    upstream did) judges every model on the same questions.
    """
    if model_failed and baseline_failed:
        return "A=B"
    if not (model_failed or baseline_failed):
        raise ValueError("skipped_verdict: neither side failed, the game must be judged")
    model_wins = baseline_failed
    return "A>>B" if model_wins == model_is_a else "B>>A"


def skipped_reason(model_failed: bool, baseline_failed: bool) -> str | None:
    """The `skipped` text for a game, or None when both sides answered and the judge must be asked."""
    if model_failed and baseline_failed:
        return SKIPPED_BOTH
    if model_failed:
        return SKIPPED_MODEL
    if baseline_failed:
        return SKIPPED_BASELINE
    return None


def scoring_verdict(game: dict, model_is_a: bool) -> str | None:
    """The label to score one judgment game with: its verdict, the skipped-game rule, or None (error)."""
    if game.get("verdict") is not None:
        return game["verdict"]
    skipped = game.get("skipped")
    if skipped is None:
        return None
    flags = {
        SKIPPED_MODEL: (True, False),
        SKIPPED_BASELINE: (False, True),
        SKIPPED_BOTH: (True, True),
    }
    if skipped not in flags:
        raise ValueError(f"unknown skipped reason {skipped!r} (expected one of {sorted(flags)})")
    return skipped_verdict(*flags[skipped], model_is_a=model_is_a)


def _check(verdict: str) -> None:
    if verdict not in LABELS:
        raise ValueError(f"not a verdict label: {verdict!r} (expected one of {', '.join(LABELS)})")

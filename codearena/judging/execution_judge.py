"""The execution judge: a rule-based judge that reads only the execution evidence (no LLM, no cost).

It is a reference point for reward studies (how much of an LLM judge's agreement with people could a
simple "did it run and show something" rule already get?), so its rules are fixed and simple:

Each side scores one point per criterion met:
  1. code:     the answer has a code block (answer status "ok" with code);
  2. clean run: the code ran cleanly: execution status "ok", exit code 0 (or none, for web pages),
               and no "pageerror:" message in the browser console;
  3. evidence: the run showed something: non-empty stdout, a screenshot that is not blank (its pixels
               are not all one colour, checked with Pillow), or a readable, non-blank figure.

The side with more points wins: a difference of two or more points is a strong verdict (A>>B), one
point a slight one (A>B), equal points a tie. Criteria 2 and 3 are only compared when both sides' runs
can be blamed on the answers: if either side was not run for a reason that is the environment's fault
(status "unsupported", "sandbox_error" or "missing_dependency"), both sides are scored on criterion 1
only, like the LLM judge's rule that environment failures do not count against an answer.

The verdict depends only on the two sides, never on their positions, so game 1's verdict is always
game 0's with A and B swapped. Games with a failed answer are skipped exactly as in the LLM judge.
`raw` holds one line explaining the points.
"""

from __future__ import annotations

from pathlib import Path

from codearena.config import JudgeSpec, stable_hash
from codearena.judging.images import is_blank
from codearena.judging.pairs import Pair, Side, judgment_record, new_game, skipped_game

RULES_VERSION = 1  # bump when the rules change: it is part of every record's prompt_sha256
ENVIRONMENT_FAULTS = frozenset({"unsupported", "sandbox_error", "missing_dependency"})
CRITERIA = ("code", "clean run", "evidence")


def judge_pairs_by_execution(judge: JudgeSpec, pairs: list[Pair]) -> list[dict]:
    """Judgment records (docs/artifacts.md) for `pairs`, sorted by uid."""
    if judge.type != "execution":
        raise ValueError(f"judge {judge.name!r} has type {judge.type!r}, not 'execution'")
    prompt_sha256 = stable_hash({"execution_judge_rules": RULES_VERSION})
    records = []
    for pair in sorted(pairs, key=lambda p: p.uid):
        games = [_game(pair, game) for game in (0, 1)]
        records.append(judgment_record(pair, judge.name, games, prompt_sha256))
    return records


def criteria(side: Side) -> dict[str, bool]:
    """Which of the three criteria one side meets (see the module docstring)."""
    return _assess(side)[0]


def _assess(side: Side) -> tuple[dict[str, bool], str | None]:
    """(criteria met, what the run showed: "stdout", "screenshot", "figure" or None)."""
    answer, run = side.answer, side.execution or {}
    has_code = answer.get("status") == "ok" and bool(answer.get("code"))
    clean = (
        has_code
        and run.get("status") == "ok"
        and run.get("exit_code") in (0, None)
        and not any(str(line).startswith("pageerror") for line in run.get("console") or [])
    )
    shown = _evidence(run) if has_code else None
    return {"code": has_code, "clean run": clean, "evidence": shown is not None}, shown


def environment_fault(side: Side) -> bool:
    """True if the side's code was not run for a reason that is not the answer's fault."""
    return side.execution is not None and side.execution.get("status") in ENVIRONMENT_FAULTS


def compare(a: Side, b: Side) -> tuple[str, str]:
    """(verdict, explanation) for A against B."""
    (met_a, shown_a), (met_b, shown_b) = _assess(a), _assess(b)
    compared = CRITERIA
    if environment_fault(a) or environment_fault(b):
        compared = ("code",)
    points_a = sum(met_a[c] for c in compared)
    points_b = sum(met_b[c] for c in compared)
    diff = points_a - points_b
    verdict = {2: "A>>B", 1: "A>B", 0: "A=B", -1: "B>A", -2: "B>>A"}[max(-2, min(2, diff))]
    note = " (an environment fault: only 'code' compared)" if compared != CRITERIA else ""
    explanation = (
        f"A: {_describe(met_a, shown_a, a, compared)} = {points_a}; "
        f"B: {_describe(met_b, shown_b, b, compared)} = {points_b}{note} -> [[{verdict}]]"
    )
    return verdict, explanation


def _game(pair: Pair, game: int) -> dict:
    record = skipped_game(pair, game)
    if record is not None:
        return record
    a, b = pair.game_sides(game)
    verdict, explanation = compare(a, b)
    return new_game(pair, game) | {"verdict": verdict, "raw": [explanation]}


def _evidence(run: dict) -> str | None:
    """What the run showed (for the explanation), or None."""
    if (run.get("stdout") or "").strip():
        return "stdout"
    for kind in ("screenshots", "figures"):
        for path in run.get(kind) or []:
            if is_blank(Path(path)) is False:  # None (unreadable) is no evidence either
                return kind[:-1]
    return None


def _describe(met: dict[str, bool], shown: str | None, side: Side, compared: tuple[str, ...]) -> str:
    run = side.execution or {}
    words = []
    for name in compared:
        detail = ""
        if name == "clean run" and not met[name] and side.execution is not None:
            detail = f" (status {run.get('status')}, exit {run.get('exit_code')})"
        elif name == "evidence" and met[name]:
            detail = f" ({shown})"
        words.append(f"{name} {'yes' if met[name] else 'no'}{detail}")
    status = f" [{run['status']}]" if run.get("status") in ENVIRONMENT_FAULTS else ""
    return ", ".join(words) + status

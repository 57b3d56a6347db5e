"""Pairs to judge (a model's and the baseline's answers to one question) and the judgment record shape.

Both judges (LLM and execution) take the same `Pair`s and write the same records
(docs/artifacts.md, `results/judgments/{judge}/{model}_vs_{baseline}.jsonl`). Each pair is played
twice with the positions swapped, to cancel the judge's position bias:
game 0 has A = baseline, B = model; game 1 has A = model, B = baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codearena.io import ArtifactError, read_jsonl
# skipped_verdict lives with the labels; it is re-exported here because scoring reads it with the pairs.
from codearena.judging.verdict import skipped_reason, skipped_verdict  # noqa: F401


@dataclass(frozen=True)
class Side:
    """One answer in one position: who wrote it, the answer record and its execution record (if run)."""

    name: str
    answer: dict
    execution: dict | None

    @property
    def failed(self) -> bool:
        return self.answer.get("status") == "failed"


@dataclass(frozen=True)
class Pair:
    uid: str
    category: str
    question: str
    model: str
    baseline: str
    model_answer: dict
    baseline_answer: dict
    model_exec: dict | None
    baseline_exec: dict | None

    @property
    def model_side(self) -> Side:
        return Side(self.model, self.model_answer, self.model_exec)

    @property
    def baseline_side(self) -> Side:
        return Side(self.baseline, self.baseline_answer, self.baseline_exec)

    def game_sides(self, game: int) -> tuple[Side, Side]:
        """(A, B) of game 0 (baseline first) or game 1 (model first)."""
        if game == 0:
            return self.baseline_side, self.model_side
        if game == 1:
            return self.model_side, self.baseline_side
        raise ValueError(f"game must be 0 or 1, not {game!r}")

    def skipped(self) -> str | None:
        """Why no judge call is needed (a side has no answer), or None."""
        return skipped_reason(self.model_side.failed, self.baseline_side.failed)


def read_answers(path: str | Path) -> tuple[str, dict[str, dict]]:
    """(model name, uid -> answer record) from `results/answers/{model}.jsonl`."""
    path = Path(path)
    by_uid: dict[str, dict] = {}
    names = set()
    for index, record in enumerate(read_jsonl(path), start=1):
        uid = record.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ArtifactError(f"{path}: record {index}: missing 'uid'")
        if uid in by_uid:
            raise ArtifactError(f"{path}: record {index}: uid {uid} appears twice")
        by_uid[uid] = record
        names.add(record.get("model"))
    if len(names) > 1:
        raise ArtifactError(f"{path}: records from several models: {sorted(map(str, names))}")
    name = names.pop() if names else None
    return (name if isinstance(name, str) and name else path.stem), by_uid


def build_pairs(
    questions: list[dict],
    model_answers: str | Path,
    baseline_answers: str | Path,
    model_execs: dict[str, dict],
    baseline_execs: dict[str, dict],
) -> list[Pair]:
    """One pair per question, sorted by uid. Every question must have an answer record on both sides
    (the answers stage writes one even for a failed call), so a missing uid is an error naming the file.
    `*_execs` come from `evidence.load_executions`; an answer that was never run has no entry."""
    model, model_by_uid = read_answers(model_answers)
    baseline, baseline_by_uid = read_answers(baseline_answers)
    pairs = []
    for q in sorted(questions, key=lambda q: q["uid"]):
        uid = q["uid"]
        for path, by_uid in ((model_answers, model_by_uid), (baseline_answers, baseline_by_uid)):
            if uid not in by_uid:
                raise ArtifactError(f"{path}: no answer record for question uid {uid}")
        for name, execs in ((model, model_execs), (baseline, baseline_execs)):
            run_by = (execs.get(uid) or {}).get("model", name)
            if run_by != name:  # e.g. the model's and the baseline's executions passed the wrong way round
                raise ArtifactError(f"execution record for uid {uid} is from model {run_by!r}, expected {name!r}")
        pairs.append(
            Pair(
                uid=uid,
                category=q.get("category", ""),
                question=q["instruction"],
                model=model,
                baseline=baseline,
                model_answer=model_by_uid[uid],
                baseline_answer=baseline_by_uid[uid],
                model_exec=model_execs.get(uid),
                baseline_exec=baseline_execs.get(uid),
            )
        )
    return pairs


# How a game's (or a reward verdict order's) `error` starts when the judge call itself failed, as
# opposed to a reply without a verdict label: only the former is retried (`codearena.retries`).
JUDGE_CALL_FAILED = "judge call failed: "


def call_failed(game: dict) -> bool:
    """The game has no verdict because its judge call failed after the client's retries."""
    error = game.get("error")
    return isinstance(error, str) and error.startswith(JUDGE_CALL_FAILED)


def skipped_game(pair: Pair, game: int) -> dict | None:
    """The record of a game that needs no judge call, or None if the judge must be asked."""
    reason = pair.skipped()
    if reason is None:
        return None
    return new_game(pair, game) | {"skipped": reason}


def new_game(pair: Pair, game: int) -> dict:
    """An empty game record; the judge fills in verdict, raw, error, usage, cost and hashes."""
    a, b = pair.game_sides(game)
    return {
        "a": a.name,
        "b": b.name,
        "verdict": None,
        "raw": [],
        "error": None,
        "skipped": None,
        "usage": None,
        "cost_usd": None,
        "request_hashes": [],
    }


def judgment_record(pair: Pair, judge: str, games: list[dict], prompt_sha256: str) -> dict:
    if len(games) != 2:
        raise ValueError(f"uid {pair.uid}: a judgment has exactly 2 games, got {len(games)}")
    return {
        "uid": pair.uid,
        "category": pair.category,
        "judge": judge,
        "model": pair.model,
        "baseline": pair.baseline,
        "environment": pair.model_answer.get("environment"),
        "baseline_environment": pair.baseline_answer.get("environment"),
        "games": games,
        "prompt_sha256": prompt_sha256,
    }

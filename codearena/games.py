"""Judgment records -> one row per judged game: the single table every score is computed from.

The win rate, the Bradley-Terry fit (with or without the length covariate), the win/tie/loss counts
and the judge's position consistency all read this table, so they can never disagree about which
games were counted.

Columns: judge, model, uid, category, environment (the evaluated model's), answer_status, game (0 or
1), model_is_a, label (the verdict the game is scored with, or None), judged (the judge gave that
label; False for games skipped because a side has no answer), value (the model's score in the game:
1, 0.5, 0; NaN when the judge call failed), weight (strong verdicts count `strong_weight` times; 0
without a verdict), len_model, len_baseline (answer text lengths, for style control).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .io import ArtifactError, read_jsonl
from .judging.verdict import LABELS, scoring_verdict
from .ratings.style import answer_length
from .ratings.winrate import game_outcome

NO_ENV = "(no code)"
COLUMNS = ["judge", "model", "uid", "category", "environment", "answer_status", "game", "model_is_a", "label",
           "judged", "value", "weight", "len_model", "len_baseline"]


def _check_record(rec: dict, judge: str, model: str, baseline: str, source: str) -> None:
    if rec.get("judge") != judge or rec.get("model") != model or rec.get("baseline") != baseline:
        raise ArtifactError(
            f"{source}: record uid {rec.get('uid')!r} is from judge {rec.get('judge')!r}, "
            f"model {rec.get('model')!r}, baseline {rec.get('baseline')!r}; expected "
            f"{judge!r}, {model!r}, {baseline!r}"
        )
    games = rec.get("games")
    if not isinstance(games, list) or len(games) != 2:
        raise ArtifactError(f"{source}: record uid {rec.get('uid')!r} must have exactly 2 games (both orders)")
    for i, g in enumerate(games):
        if {g.get("a"), g.get("b")} != {model, baseline}:
            raise ArtifactError(
                f"{source}: record uid {rec['uid']!r} game {i} seats {g.get('a')!r} and {g.get('b')!r}, "
                f"expected {model!r} and {baseline!r}"
            )
        if g.get("verdict") is not None and g["verdict"] not in LABELS:
            raise ArtifactError(
                f"{source}: record uid {rec['uid']!r} game {i} has verdict {g['verdict']!r}, "
                f"not one of {', '.join(LABELS)}"
            )


def game_rows(records: list[dict], answers: dict[str, dict], baseline_answers: dict[str, dict],
              judge: str, model: str, baseline: str, strong_weight: float, source: str) -> list[tuple]:
    """Rows (in COLUMNS order) for one judgments file."""
    rows = []
    seen: set[str] = set()
    for rec in records:
        _check_record(rec, judge, model, baseline, source)
        uid = rec["uid"]
        if uid in seen:  # it would count that question twice
            raise ArtifactError(f"{source}: uid {uid!r} has two judgment records")
        seen.add(uid)
        ans = answers.get(uid)
        if ans is None:
            raise ArtifactError(f"{source}: uid {uid!r} has no answer record for model {model!r}")
        base = baseline_answers.get(uid) or {}
        category = rec.get("category") or ans.get("category")
        env = ans.get("environment") or NO_ENV
        len_m, len_b = answer_length(ans), answer_length(base)
        for i, game in enumerate(rec["games"]):
            model_is_a = game["a"] == model
            try:
                label = scoring_verdict(game, model_is_a)
            except ValueError as e:
                raise ArtifactError(f"{source}: record uid {uid!r} game {i}: {e}") from None
            if label is None:
                value, weight = np.nan, 0.0
            else:
                value, weight = game_outcome(label, model_is_a, strong_weight)
            rows.append((judge, model, uid, category, env, ans.get("status"), i, model_is_a, label,
                         game.get("verdict") is not None, value, weight, len_m, len_b))
    return rows


def read_games(
    judgment_files: dict[str, dict[str, str | Path]],
    answers: dict[str, dict[str, dict]],
    baseline: str,
    strong_weight: float,
) -> pd.DataFrame:
    """`judgment_files[judge][model]` -> path; `answers[model][uid]` -> answer record (baseline included)."""
    records = {judge: {model: (read_jsonl(path), str(path)) for model, path in files.items()}
               for judge, files in judgment_files.items()}
    return games_table(records, answers, baseline, strong_weight)


def games_table(
    records: dict[str, dict[str, tuple[list[dict], str]]],
    answers: dict[str, dict[str, dict]],
    baseline: str,
    strong_weight: float,
) -> pd.DataFrame:
    """`records[judge][model]` -> (judgment records, where they came from, for error messages)."""
    rows: list[tuple] = []
    for judge, files in records.items():
        for model, (recs, source) in files.items():
            if model not in answers:
                raise ArtifactError(f"{source}: no answers file for model {model!r}")
            rows += game_rows(recs, answers[model], answers.get(baseline, {}), judge, model, baseline,
                              strong_weight, source)
    games = pd.DataFrame.from_records(rows, columns=COLUMNS)
    return games.astype({"value": float, "weight": float, "len_model": float, "len_baseline": float,
                         "game": int, "model_is_a": bool, "judged": bool})


def per_question(games: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, uid): the weighted sums of the win rate and the game counts (judges pooled)."""
    scored = games["value"].notna()
    g = games.assign(
        num=np.where(scored, games["value"] * games["weight"], 0.0),
        den=np.where(scored, games["weight"], 0.0),
        wins=(games["value"] == 1.0).astype(int),
        ties=(games["value"] == 0.5).astype(int),
        losses=(games["value"] == 0.0).astype(int),
        judge_errors=(~scored).astype(int),
    )
    out = g.groupby(["model", "uid"], sort=True).agg(
        num=("num", "sum"), den=("den", "sum"), wins=("wins", "sum"), ties=("ties", "sum"),
        losses=("losses", "sum"), judge_errors=("judge_errors", "sum"), category=("category", "first"),
        environment=("environment", "first"), answer_status=("answer_status", "first"),
        len_model=("len_model", "first"), len_baseline=("len_baseline", "first"),
    )
    return out.reset_index()

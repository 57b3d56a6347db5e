"""`results/reward/{judge}.json`: how well one judge agrees with the people, per mode (docs/reward.md).

Per mode: coverage, four- and three-class metrics overall and per category (overall from pooled
records), position flips when both orders were judged, calls and cost, and the Bradley-Terry
leaderboards of the battle models from the human votes and from the judge's votes on the battles it
judged, with their rank correlations. The human leaderboard over all battles is given once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import codearena
from codearena.io import ArtifactError, read_jsonl
from codearena.reward.labels import ERROR, FOUR, THREE
from codearena.reward.metrics import evaluate
from codearena.reward.ratings import leaderboard, outcomes, rank_correlations

VERSION = 1
_FIELDS = ("chat_session_id", "model_A", "model_B", "human_vote", "verdict", "category")


def read_verdicts(path: str | Path, judge: str, mode: str) -> list[dict]:
    """A verdict file's records, checked: one per battle, for this judge and mode, with known labels."""
    path = Path(path)
    records = read_jsonl(path)
    seen = set()
    for index, r in enumerate(records, start=1):
        where = f"{path}: record {index}"
        missing = [f for f in _FIELDS if f not in r]
        if missing:
            raise ArtifactError(f"{where}: missing {', '.join(missing)}")
        if r.get("judge") != judge or r.get("mode") != mode:
            raise ArtifactError(f"{where}: judge/mode {r.get('judge')}/{r.get('mode')}, expected {judge}/{mode}")
        if r["human_vote"] not in FOUR or (r["verdict"] not in THREE + (ERROR, "both_bad")):
            raise ArtifactError(f"{where}: unknown label (human {r['human_vote']!r}, judge {r['verdict']!r})")
        if r["chat_session_id"] in seen:
            raise ArtifactError(f"{where}: battle {r['chat_session_id']} appears twice")
        seen.add(r["chat_session_id"])
    return records


def _reason(error: str | None) -> str:
    """A failure's kind, for counting: the text before the first detail."""
    if not error:
        return "no verdict"
    return error.split(":")[0].split(" (")[0].strip()


def _usage(records: list[dict]) -> dict:
    orders = [o for r in records for o in r.get("orders") or []]
    costs = [o["cost_usd"] for o in orders if o.get("cost_usd") is not None]
    tokens = Counter()
    for o in orders:
        for k, v in (o.get("usage") or {}).items():
            tokens[k] += v
    return {
        "calls": sum(o.get("calls", 0) for o in orders),
        "cached_calls": sum(o.get("cached", 0) for o in orders),
        "reasked": sum(1 for o in orders if len(o.get("raw") or []) > 1),
        "shrunk_prompts": sum(1 for o in orders if o.get("shrinks")),
        "truncated_texts": sum(1 for o in orders if o.get("truncated_tokens")),
        "cost_usd": sum(costs) if costs else None,
        "tokens": dict(tokens),
    }


def _position(records: list[dict]) -> dict:
    compared = [r for r in records if r.get("position_flip") is not None]
    flips = sum(1 for r in compared if r["position_flip"])
    both = any(len(r.get("orders") or []) == 2 for r in records)
    return {"both_orders": both, "compared": len(compared), "flips": flips,
            "flip_rate": flips / len(compared) if compared else None}


def mode_summary(records: list[dict], ratings: dict) -> dict:
    metrics = evaluate({"human": r["human_vote"], "judge": r["verdict"], "category": r["category"]} for r in records)
    covered = [r for r in records if r["verdict"] != ERROR]
    rounds, seed, confidence = ratings["rounds"], ratings["seed"], ratings["confidence"]
    a, b, y_human = outcomes(covered, "human")
    _, _, y_judge = outcomes(covered, "judge")
    return {
        **metrics,
        "failures": dict(Counter(_reason(r.get("error")) for r in records if r["verdict"] == ERROR)),
        "position": _position(records),
        "usage": _usage(records),
        "ratings": {
            "battles": len(covered),
            "human": leaderboard(a, b, y_human, rounds=rounds, seed=seed, confidence=confidence),
            "judge": leaderboard(a, b, y_judge, rounds=rounds, seed=seed, confidence=confidence),
            "correlation": rank_correlations(a, b, y_human, y_judge, rounds=rounds, seed=seed, confidence=confidence),
        },
    }


def summarise(judge: dict, verdict_files: dict[str, str | Path], votes_summary: dict, settings: dict) -> dict:
    """The judge's summary. `judge`: {name, type, model}; `settings`: {ratings: {rounds, seed,
    confidence}, note, both_orders, max_reasks, limits} as configured."""
    modes = {mode: read_verdicts(path, judge["name"], mode) for mode, path in verdict_files.items()}
    ids = {mode: [r["chat_session_id"] for r in recs] for mode, recs in modes.items()}
    if len({tuple(v) for v in ids.values()}) > 1:
        raise ArtifactError(f"judge {judge['name']}: the verdict files of {', '.join(modes)} cover different battles")
    ratings = settings["ratings"]
    first = next(iter(modes.values()), [])
    a, b, y = outcomes(first, "human")
    skipped = votes_summary.get("skipped") or []
    return {
        "version": VERSION,
        "judge": judge["name"],
        "judge_type": judge["type"],
        "judge_model": judge.get("model"),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "generator": f"codearena {codearena.__version__}",
        "note": settings.get("note"),
        "votes": {
            "source": votes_summary.get("source"),
            "split": votes_summary.get("split"),
            "rows": votes_summary.get("rows"),
            "battles": len(first),
            "skipped": len(skipped),
            "skipped_reasons": dict(Counter(s["reason"].split(" (")[0] for s in skipped)),
        },
        "labels": {"four": list(FOUR), "three": list(THREE)},
        "settings": {k: v for k, v in settings.items() if k != "note"},
        "human_leaderboard": leaderboard(a, b, y, rounds=ratings["rounds"], seed=ratings["seed"],
                                         confidence=ratings["confidence"]),
        "modes": {mode: mode_summary(recs, ratings) for mode, recs in modes.items()},
    }

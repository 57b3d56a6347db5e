"""Build `results/leaderboard.json` from judgments and answers.

For every judge: overall, by topic (question category) and by environment (the evaluated model's
detected environment), each a list of rows sorted by score. Scores are percentages; intervals come
from a seeded bootstrap over questions. A model's failed answers count as losses (see
`codearena.judging` for how games with a failed side are scored); games whose judge call failed are
left out of the score and counted in `judge_errors`.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from . import __version__
from .io import ArtifactError, read_jsonl
from .judging.verdict import scoring_verdict
from .ratings.winrate import bootstrap, game_outcome, score

SCHEMA_VERSION = 1
NO_ENV = "(no code)"


def _question_rows(judgments: list[dict], answers: dict[str, dict], strong_weight: float, source: str) -> list[dict]:
    """One row per question: the model's weighted sums and counts."""
    rows = []
    for rec in judgments:
        uid = rec["uid"]
        ans = answers.get(uid)
        if ans is None:
            raise ArtifactError(f"{source}: uid {uid!r} has no answer record for model {rec['model']!r}")
        num = den = 0.0
        wins = ties = losses = errors = 0
        for game in rec["games"]:
            model_is_a = game["a"] == rec["model"]
            verdict = scoring_verdict(game, model_is_a)
            if verdict is None:
                errors += 1
                continue
            value, weight = game_outcome(verdict, model_is_a, strong_weight)
            num += value * weight
            den += weight
            wins += value == 1.0
            ties += value == 0.5
            losses += value == 0.0
        rows.append({
            "uid": uid,
            "category": rec.get("category") or ans.get("category"),
            "environment": ans.get("environment") or NO_ENV,
            "num": num, "den": den, "wins": wins, "ties": ties, "losses": losses, "judge_errors": errors,
            "answer_status": ans["status"],
        })
    return rows


def _row(model: str, rows: list[dict], lo: float, hi: float) -> dict:
    num = np.array([r["num"] for r in rows])
    den = np.array([r["den"] for r in rows])
    n = len(rows)
    statuses = [r["answer_status"] for r in rows]
    return {
        "model": model,
        "score": round(100 * score(num, den), 2),
        "ci": [round(100 * lo, 2), round(100 * hi, 2)],
        "n_questions": n,
        "wins": sum(r["wins"] for r in rows),
        "ties": sum(r["ties"] for r in rows),
        "losses": sum(r["losses"] for r in rows),
        "judge_errors": sum(r["judge_errors"] for r in rows),
        "answers_failed": statuses.count("failed"),
        "no_code": statuses.count("no_code"),
        "coverage": round(100 * (n - statuses.count("failed")) / n, 2) if n else 0.0,
    }


def _baseline_row(baseline: str, n: int) -> dict:
    return {"model": baseline, "score": 50.0, "ci": [50.0, 50.0], "n_questions": n, "baseline": True}


def _sorted(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: (-r["score"] if r["score"] == r["score"] else float("inf"), r["model"]))


def _model_rows(per_model: dict[str, list[dict]], rounds: int, seed: int, confidence: float) -> list[dict]:
    """Rows for models over the same question set, resampled jointly (same questions per round)."""
    models = [m for m, rows in per_model.items() if rows]
    table = []
    if models:
        uids = sorted({r["uid"] for m in models for r in per_model[m]})
        index = {u: i for i, u in enumerate(uids)}
        num = np.zeros((len(models), len(uids)))
        den = np.zeros((len(models), len(uids)))
        for i, m in enumerate(models):
            for r in per_model[m]:
                num[i, index[r["uid"]]] = r["num"]
                den[i, index[r["uid"]]] = r["den"]
        _, lo, hi = bootstrap(num, den, rounds, seed, confidence)
        table = [_row(m, per_model[m], lo[i], hi[i]) for i, m in enumerate(models)]
    return table


def _table(per_model: dict[str, list[dict]], baseline: str, rounds: int, seed: int, confidence: float) -> list[dict]:
    """Model rows plus the baseline's fixed 50% row, best first."""
    n = max((len(rows) for rows in per_model.values()), default=0)
    return _sorted(_model_rows(per_model, rounds, seed, confidence) + [_baseline_row(baseline, n)])


def _answer_stats(answers: list[dict]) -> dict:
    usage = defaultdict(int)
    cost = 0.0
    has_cost = False
    for a in answers:
        for k, v in (a.get("usage") or {}).items():
            if isinstance(v, (int, float)):
                usage[k] += v
        if a.get("cost_usd") is not None:
            cost += a["cost_usd"]
            has_cost = True
    statuses = [a["status"] for a in answers]
    envs = defaultdict(int)
    for a in answers:
        envs[a.get("environment") or NO_ENV] += 1
    return {
        "questions": len(answers),
        "ok": statuses.count("ok"),
        "no_code": statuses.count("no_code"),
        "failed": statuses.count("failed"),
        "tokens": dict(usage),
        "cost_usd": round(cost, 6) if has_cost else None,
        "environments": dict(sorted(envs.items())),
    }


def build_leaderboard(
    judgment_files: dict[str, dict[str, Path]],
    answer_files: dict[str, Path],
    baseline: str,
    settings: dict,
    name: str = "codearena",
) -> dict:
    """`judgment_files[judge][model]` -> file; `answer_files[model]` covers the models and the baseline."""
    rounds, seed = settings["bootstrap_rounds"], settings["seed"]
    confidence, strong = settings["confidence"], settings["strong_weight"]
    answers = {m: {a["uid"]: a for a in read_jsonl(p)} for m, p in answer_files.items()}
    if baseline not in answers:
        raise ArtifactError(f"no answers file for the baseline {baseline!r}")
    out = {
        "version": SCHEMA_VERSION,
        "generator": f"codearena {__version__}",
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "name": name,
        "baseline": baseline,
        "score": "win rate against the baseline (%), ties 0.5, strong verdicts weighted",
        "strong_weight": strong,
        "bootstrap": {
            "rounds": rounds, "seed": seed, "confidence": confidence,
            "quantiles": [(1 - confidence) / 2, 1 - (1 - confidence) / 2], "unit": "question (both games)",
        },
        "models": {m: _answer_stats(list(a.values())) for m, a in answers.items()},
        "judges": {},
    }
    for judge, files in judgment_files.items():
        per_model: dict[str, list[dict]] = {}
        for model, path in files.items():
            recs = read_jsonl(path)
            for rec in recs:
                if rec.get("judge") != judge or rec.get("model") != model or rec.get("baseline") != baseline:
                    raise ArtifactError(
                        f"{path}: record uid {rec.get('uid')!r} is from judge {rec.get('judge')!r}, "
                        f"model {rec.get('model')!r}, baseline {rec.get('baseline')!r}; expected "
                        f"{judge!r}, {model!r}, {baseline!r}"
                    )
            per_model[model] = _question_rows(recs, answers[model], strong, str(path))
        topics = sorted({r["category"] for rows in per_model.values() for r in rows})
        envs = sorted({r["environment"] for rows in per_model.values() for r in rows})
        by_topic = {
            t: _table({m: [r for r in rows if r["category"] == t] for m, rows in per_model.items()},
                      baseline, rounds, seed, confidence)
            for t in topics
        }
        by_env = {}
        for e in envs:
            # Each model writes different environments, so each is resampled on its own subset.
            rows_e = [
                row
                for m, rows in per_model.items()
                for row in _model_rows({m: [r for r in rows if r["environment"] == e]}, rounds, seed, confidence)
            ]
            by_env[e] = _sorted(rows_e)
        out["judges"][judge] = {
            "overall": _table(per_model, baseline, rounds, seed, confidence),
            "by_topic": by_topic,
            "by_environment": by_env,
        }
    return out

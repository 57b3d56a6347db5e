"""Build `results/leaderboard.json` from judgments and answers (schema: docs/leaderboard.md).

One aggregation feeds everything: `games.games_table` turns the judgment records into one row per
judged game, and every score here (and in the CSV, LaTeX, report and `codearena show`, which only
read the JSON) comes from that table.

For every judge (and, with `pool_judges`, for all judges pooled) a *board* holds:
- the headline score, upstream's win rate against the baseline, overall, by topic and by the
  evaluated model's environment, with a seeded bootstrap over questions (a question's games travel
  together, across every model and judge of the board);
- Bradley-Terry ratings on the Elo scale, anchored at a configured model, bootstrapped with the same
  question draws (optionally with answer length as a covariate: style control);
- rank with confidence, separability and the judge's position consistency.

A model's failed answers count as losses (see `codearena.judging`); games whose judge call failed are
left out of the score and counted in `judge_errors`.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from .games import NO_ENV, games_table, per_question
from .io import ArtifactError, read_jsonl
from .ratings.bt import Comparisons, fit_comparisons, rank_with_confidence
from .ratings.quality import position_consistency, separability
from .ratings.resample import quantiles, unit_counts
from .ratings.style import DESCRIPTION as LENGTH_DESCRIPTION
from .ratings.style import FEATURE as LENGTH_FEATURE
from .ratings.style import length_covariate
from .ratings.winrate import bootstrap_with_counts

SCHEMA_VERSION = 2
DEFAULTS = {
    "bootstrap_rounds": 1000, "seed": 0, "confidence": 0.9, "strong_weight": 3,
    "anchor_model": None, "anchor_rating": 1000.0, "style_control": False, "pool_judges": False,
}
RATING_SCALE, RATING_BASE = 400.0, 10.0


def _num(v: float, digits: int = 2) -> float | None:
    """A JSON-safe number: NaN and +-inf become null (docs/leaderboard.md says what null means)."""
    # + 0.0 turns a rounded -0.0 into 0.0
    return None if v is None or not math.isfinite(v) else round(float(v), digits) + 0.0


def _pct(v: float) -> float | None:
    return _num(100 * v) if v is not None and math.isfinite(v) else None


class _Questions:
    """The (model, question) rows of a board as arrays, so each table is a cheap boolean selection."""

    COUNTS = ("wins", "ties", "losses", "judge_errors")

    def __init__(self, pq: pd.DataFrame):
        self.model_code, models = pd.factorize(pq["model"], sort=True)
        self.uid_code, uids = pd.factorize(pq["uid"], sort=True)
        self.models, self.uids = list(models), list(uids)
        self.values = {c: pq[c].to_numpy(dtype=float) for c in ("num", "den", "len_model", "len_baseline")}
        for c in self.COUNTS:
            self.values[c] = pq[c].to_numpy(dtype=float)
        self.values["failed"] = (pq["answer_status"] == "failed").to_numpy(dtype=float)
        self.values["no_code"] = (pq["answer_status"] == "no_code").to_numpy(dtype=float)
        self.category = pq["category"].to_numpy(dtype=object)
        self.environment = pq["environment"].to_numpy(dtype=object)


class _Table:
    """The questions and models of one table, with the question draws shared by all its statistics."""

    def __init__(self, q: _Questions, mask: np.ndarray | None, settings: dict):
        rows = np.arange(len(q.model_code)) if mask is None else np.flatnonzero(mask)
        self.q, self.rows = q, rows
        model_ids, self.mi = np.unique(q.model_code[rows], return_inverse=True)
        uid_ids, self.qi = np.unique(q.uid_code[rows], return_inverse=True)
        self.models = [q.models[i] for i in model_ids]
        self.n_uids = len(uid_ids)
        self.counts = unit_counts(self.n_uids, settings["bootstrap_rounds"], settings["seed"])
        self.confidence = settings["confidence"]

    def column(self, name: str) -> np.ndarray:
        return self.q.values[name][self.rows]

    def matrix(self, name: str) -> np.ndarray:
        """(models, questions) sums of a column."""
        m, n = len(self.models), self.n_uids
        return np.bincount(self.mi * n + self.qi, weights=self.column(name), minlength=m * n).reshape(m, n)

    def per_model(self, name: str) -> np.ndarray:
        return np.bincount(self.mi, weights=self.column(name), minlength=len(self.models))

    def win_rates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        num, den = self.matrix("num"), self.matrix("den")
        with np.errstate(invalid="ignore", divide="ignore"):
            point = num.sum(axis=1) / den.sum(axis=1)
        _, lo, hi = bootstrap_with_counts(num, den, self.counts, self.confidence)
        return point, lo, hi


def _ranked(rows: list[dict]) -> list[dict]:
    """Best first, each with its rank with confidence (1 + models surely better)."""
    rows = sorted(rows, key=lambda r: (-r["score"] if r["score"] is not None else math.inf, r["model"]))
    lo = pd.Series({r["model"]: r["ci"][0] if r["ci"][0] is not None else -math.inf for r in rows}, dtype=float)
    hi = pd.Series({r["model"]: r["ci"][1] if r["ci"][1] is not None else math.inf for r in rows}, dtype=float)
    ranks = rank_with_confidence(lo, hi) if rows else {}
    for r in rows:
        r["rank"] = int(ranks[r["model"]])
    return rows


def _win_rate_rows(table: _Table) -> list[dict]:
    point, lo, hi = table.win_rates()
    n = np.bincount(table.mi, minlength=len(table.models))
    sums = {c: table.per_model(c) for c in (*_Questions.COUNTS, "failed", "no_code")}
    rows = []
    for i, m in enumerate(table.models):
        failed = int(sums["failed"][i])
        rows.append({
            "model": m,
            "score": _pct(point[i]),
            "ci": [_pct(lo[i]), _pct(hi[i])],
            "n_questions": int(n[i]),
            **{c: int(sums[c][i]) for c in _Questions.COUNTS},
            "answers_failed": failed,
            "no_code": int(sums["no_code"][i]),
            "coverage": round(100 * (n[i] - failed) / n[i], 2) if n[i] else 0.0,
        })
    return rows


def _baseline_row(baseline: str, n: int) -> dict:
    return {"model": baseline, "score": 50.0, "ci": [50.0, 50.0], "n_questions": n, "baseline": True}


def _group_table(q: _Questions, mask: np.ndarray, settings: dict, baseline: str | None) -> list[dict]:
    table = _Table(q, mask, settings)
    rows = _win_rate_rows(table) if table.models else []
    if baseline is not None:
        rows.append(_baseline_row(baseline, table.n_uids))
    return _ranked(rows)


def _fit_ratings(table: _Table, baseline: str, settings: dict, style: bool):
    """Bradley-Terry on the table's (model vs baseline) games, bootstrapped with the table's draws."""
    den = table.column("den")
    keep = den > 0  # a question whose games all lack a verdict says nothing
    covariates = None
    if style:
        covariates = length_covariate(table.column("len_model")[keep], table.column("len_baseline")[keep])[:, None]
    comp = Comparisons.build(
        [table.models[i] for i in table.mi[keep]], [baseline] * int(keep.sum()), table.column("num")[keep] / den[keep],
        weights=den[keep], units=table.qi[keep], n_units=table.n_uids, covariates=covariates,
        covariate_names=[LENGTH_FEATURE] if style else (), models=table.models + [baseline],
    )
    anchor = settings["anchor_model"] or baseline
    try:
        return fit_comparisons(comp, table.counts, scale=RATING_SCALE, base=RATING_BASE, anchor_model=anchor,
                               anchor_rating=settings["anchor_rating"], seed=settings["seed"])
    except ValueError as e:
        raise ArtifactError(f"leaderboard.anchor_model: {e}") from None


def _rating_fields(fit, confidence: float, prefix: str) -> dict[str, dict]:
    point = fit.point()
    lo, hi = fit.intervals(confidence)
    out = {}
    for i, m in enumerate(fit.models):
        out[m] = {
            f"{prefix}": _num(point[i], 1),
            f"{prefix}_ci": [_num(lo[i], 1), _num(hi[i], 1)],
            f"{prefix}_bounded": bool(fit.bounded[i]),
        }
    return out


def _implied_score(rating: float | None, baseline_rating: float | None) -> float | None:
    """Win rate against the baseline implied by two ratings (Elo formula), in %."""
    if rating is None or baseline_rating is None:
        return None
    return _num(100.0 / (1.0 + 10 ** ((baseline_rating - rating) / RATING_SCALE)))


def _board(games: pd.DataFrame, judges: list[str], baseline: str, settings: dict) -> dict:
    q = _Questions(per_question(games))
    table = _Table(q, None, settings)
    rows = _win_rate_rows(table)
    conf = settings["confidence"]
    board: dict = {"judges": judges, "style_control": None}
    if table.models:
        fit = _fit_ratings(table, baseline, settings, style=False)
        ratings = _rating_fields(fit, conf, "rating")
        for r in rows:
            r.update(ratings[r["model"]])
        base_row = _baseline_row(baseline, table.n_uids) | ratings[baseline]
        if settings["style_control"]:
            sc = _fit_ratings(table, baseline, settings, style=True)
            sc_fields = _rating_fields(sc, conf, "rating_sc")
            for r in rows + [base_row]:
                r.update(sc_fields[r["model"]])
            for r in rows:
                r["score_sc"] = _implied_score(r["rating_sc"], base_row["rating_sc"])
            lo, hi = sc.coefficient_intervals(conf)
            board["style_control"] = {
                "feature": LENGTH_FEATURE, "description": LENGTH_DESCRIPTION,
                "coefficient": _num(sc.coefficients[0], 1), "coefficient_ci": [_num(lo[0], 1), _num(hi[0], 1)],
                "unit": "rating points for a covariate of +1 (model answer infinitely longer)",
            }
    else:
        base_row = _baseline_row(baseline, 0)
    board["overall"] = _ranked(rows + [base_row])
    topics = sorted({t for t in q.category if isinstance(t, str)})
    board["by_topic"] = {t: _group_table(q, q.category == t, settings, baseline) for t in topics}
    # The environment is the evaluated model's, so the baseline (whose answer may be in another
    # environment) gets no row here.
    board["by_environment"] = {
        e: _group_table(q, q.environment == e, settings, None) for e in sorted(set(q.environment))
    }
    contestants = [r for r in board["overall"] if not r.get("baseline")]
    lo = [r["ci"][0] if r["ci"][0] is not None else -math.inf for r in contestants]
    hi = [r["ci"][1] if r["ci"][1] is not None else math.inf for r in contestants]
    board["quality"] = separability(lo, hi) | {"position_consistency": _position_consistency(games)}
    return board


def _position_consistency(games: pd.DataFrame) -> dict:
    """Each (judge, model, question)'s two games side by side; only verdicts the judge gave count."""
    judged = games[games["judged"]]
    if judged.empty:
        return position_consistency([], [])
    key = ["judge", "model", "uid"]
    first = judged.loc[judged["game"] == 0, key + ["value", "model_is_a"]]
    second = judged.loc[judged["game"] == 1, key + ["value"]].rename(columns={"value": "value_second"})
    both = first.merge(second, on=key, how="inner")
    return position_consistency(both["value"].to_numpy(), both["value_second"].to_numpy(),
                                both["model_is_a"].to_numpy())


def _answer_stats(answers: list[dict]) -> dict:
    usage: dict[str, int] = defaultdict(int)
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
    envs: dict[str, int] = defaultdict(int)
    for a in answers:
        envs[a.get("environment") or NO_ENV] += 1
    lengths = [len(a.get("answer") or "") for a in answers]
    latencies = [a["latency_s"] for a in answers if isinstance(a.get("latency_s"), (int, float))]
    return {
        "questions": len(answers),
        "ok": statuses.count("ok"),
        "no_code": statuses.count("no_code"),
        "failed": statuses.count("failed"),
        "tokens": dict(usage),
        "cost_usd": round(cost, 6) if has_cost else None,
        "mean_answer_chars": round(float(np.mean(lengths)), 1) if lengths else None,
        "mean_latency_s": round(float(np.mean(latencies)), 3) if latencies else None,
        "environments": dict(sorted(envs.items())),
    }


def leaderboard_settings(settings: dict) -> dict:
    """The `leaderboard:` config with defaults filled in (callers may pass a partial dict)."""
    return DEFAULTS | dict(settings)


def build_leaderboard(
    judgment_files: dict[str, dict[str, Path]],
    answer_files: dict[str, Path],
    baseline: str,
    settings: dict,
    name: str = "codearena",
) -> dict:
    """`judgment_files[judge][model]` -> file; `answer_files[model]` covers the models and the baseline."""
    answers = {m: {a["uid"]: a for a in read_jsonl(p)} for m, p in answer_files.items()}
    records = {judge: {m: (read_jsonl(p), str(p)) for m, p in files.items()} for judge, files in judgment_files.items()}
    return leaderboard_from_records(records, answers, baseline, settings, name)


def leaderboard_from_records(
    records: dict[str, dict[str, tuple[list[dict], str]]],
    answers: dict[str, dict[str, dict]],
    baseline: str,
    settings: dict,
    name: str = "codearena",
) -> dict:
    """The leaderboard from loaded artifacts: `records[judge][model]` -> (judgment records, source name)."""
    settings = leaderboard_settings(settings)
    if baseline not in answers:
        raise ArtifactError(f"no answers file for the baseline {baseline!r}")
    anchor = settings["anchor_model"] or baseline
    contestants = sorted({m for files in records.values() for m in files})
    if anchor != baseline and anchor not in contestants:
        raise ArtifactError(f"leaderboard.anchor_model: {anchor!r} is neither the baseline nor a judged model")
    games = games_table(records, answers, baseline, settings["strong_weight"])
    conf = settings["confidence"]
    out = {
        "version": SCHEMA_VERSION,
        "generator": f"codearena {__version__}",
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "name": name,
        "baseline": baseline,
        "score": "win rate against the baseline (%), ties 0.5, strong verdicts weighted",
        "strong_weight": settings["strong_weight"],
        "bootstrap": {
            "rounds": settings["bootstrap_rounds"], "seed": settings["seed"], "confidence": conf,
            "quantiles": quantiles(conf),
            "unit": "question (both games, every model and judge of a board drawn together)",
        },
        "rating": {
            "method": "Bradley-Terry maximum likelihood; ties and both-bad count half a win; strong verdicts weighted",
            "scale": RATING_SCALE, "base": RATING_BASE, "anchor_model": anchor,
            "anchor_rating": settings["anchor_rating"], "style_control": bool(settings["style_control"]),
        },
        "models": {m: _answer_stats(list(a.values())) for m, a in answers.items()},
        "judges": {},
        "pooled": None,
    }
    judges = list(records)
    for judge in judges:
        out["judges"][judge] = _board(games[games["judge"] == judge], [judge], baseline, settings)
    if settings["pool_judges"] and len(judges) > 1:
        out["pooled"] = _board(games, judges, baseline, settings)
    return out


def boards(lb: dict) -> list[tuple[str, dict]]:
    """(label, board) for every board of a leaderboard: each judge, then the pooled one if present."""
    out = [(judge, board) for judge, board in lb.get("judges", {}).items()]
    if lb.get("pooled"):
        out.append(("pooled: " + " + ".join(lb["pooled"]["judges"]), lb["pooled"]))
    return out


def select_boards(lb: dict, name: str | None = None) -> list[tuple[str, dict]]:
    """The boards called `name` (a judge, or "pooled"); all boards when name is None."""
    return [(label, b) for label, b in boards(lb)
            if name is None or label == name or (name == "pooled" and b is lb.get("pooled"))]

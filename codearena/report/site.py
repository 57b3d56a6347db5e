"""The static report: `index.html` plus one page per model and per question, opened from disk.

Everything is rendered with Jinja2 with autoescaping on; the only HTML marked safe is Pygments'
(which escapes the code it formats). Screenshots and figures are copied (hard-linked when the
filesystem allows) into `media/`, so the directory is self-contained. Pages carry a Content Security
Policy that allows no script at all: even a template bug could not make model output run.

Layout (relative to the report directory):
    index.html                   leaderboards, CI plots, heatmaps by topic and environment
    models/<model>.html          coverage, environments and failure reasons, cost and tokens, verdicts
    questions/index.html         every question with each model's verdicts
    questions/<uid>.html         the baseline's and each model's answer side by side, with the judges' replies
    static/code.css              Pygments styles
    media/<model>/<env>/...      screenshots and figures
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..io import ArtifactError, publish_entries, read_json, read_jsonl, write_text
from ..judging.evidence import load_executions
from ..judging.verdict import is_strong, model_score, scoring_verdict
from ..leaderboard import boards
from . import plots
from .highlight import highlight_code, stylesheet

# The values of the model's game outcome, as shown in verdict cells.
OUTCOME = {1.0: ("W", "win"), 0.5: ("T", "tie"), 0.0: ("L", "loss")}
FAILED_STATUSES = ("error", "timeout", "compile_error", "build_error", "missing_dependency", "unsupported",
                   "sandbox_error")
MAX_REASON = 240
# Documented record fields (docs/artifacts.md) the pages read, with what an absent one means.
ANSWER_DEFAULTS = {"status": None, "error": None, "answer": "", "code": None, "language": None, "environment": None,
                   "usage": None, "cost_usd": None}
EXECUTION_DEFAULTS = {"status": None, "exit_code": None, "stdout": "", "stderr": "", "stdout_truncated": False,
                      "stderr_truncated": False, "console": [], "notes": [], "blank_screenshot": False,
                      "duration_s": None}


@dataclass
class ReportInputs:
    """Everything the report shows, loaded from the build's artifacts."""

    leaderboard: dict
    questions: dict[str, dict] = field(default_factory=dict)
    answers: dict[str, dict[str, dict]] = field(default_factory=dict)  # model -> uid -> answer
    judgments: dict[str, dict[str, dict[str, dict]]] = field(default_factory=dict)  # judge -> model -> uid -> record
    executions: dict[str, dict[str, dict]] = field(default_factory=dict)  # model -> uid -> record (absolute images)
    notes: dict[str, str] = field(default_factory=dict)


def load_inputs(
    leaderboard: str | Path,
    questions: str | Path | None = None,
    answers: dict[str, str | Path] | None = None,
    judgments: dict[str, dict[str, str | Path]] | None = None,
    executions: dict[str, list[str | Path]] | None = None,
    notes: dict[str, str] | None = None,
) -> ReportInputs:
    """Read the artifacts: `answers[model]`, `judgments[judge][model]` files; `executions[model]` env dirs."""
    inputs = ReportInputs(leaderboard=read_json(leaderboard), notes=dict(notes or {}))
    if questions:
        inputs.questions = {q["uid"]: q for q in read_jsonl(questions)}
    for model, path in (answers or {}).items():
        inputs.answers[model] = {a["uid"]: a for a in read_jsonl(path)}
    for judge, files in (judgments or {}).items():
        inputs.judgments[judge] = {m: {r["uid"]: r for r in read_jsonl(p)} for m, p in files.items()}
    for model, dirs in (executions or {}).items():
        files = [Path(d) / "results.jsonl" for d in dirs if (Path(d) / "results.jsonl").is_file()]
        inputs.executions[model] = load_executions(files)
    return inputs


def slug(name: str) -> str:
    """A file name for a model or question id: safe characters, plus a hash when any were replaced."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "x"
    if safe != name:
        safe += "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return safe


def failure_reason(rec: dict) -> str:
    """One line saying why an execution did not succeed."""
    status = rec.get("status")
    if status == "missing_dependency" and rec.get("missing_dependencies"):
        text = "missing: " + ", ".join(rec["missing_dependencies"])
    elif status == "timeout":
        text = f"timed out after {rec.get('duration_s', '?')} s"
    else:
        errors = [c for c in rec.get("console") or [] if c.startswith("pageerror")]
        lines = [ln.strip() for ln in (rec.get("stderr") or "").splitlines() if ln.strip()]
        # A traceback ends with the exception; compiler output starts with the first error.
        if errors:
            text = errors[0]
        elif lines:
            text = lines[-1] if status == "error" else lines[0]
        elif rec.get("notes"):
            text = rec["notes"][0]
        else:
            text = f"exit code {rec.get('exit_code')}"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _outcome(game: dict, model: str) -> dict:
    """The model's result in one game: {letter, word, label, strong, skipped}; label None without a verdict."""
    model_is_a = game.get("a") == model
    label = scoring_verdict(game, model_is_a)
    if label is None:
        return {"letter": "?", "word": "judge error", "label": None, "strong": False, "skipped": None}
    letter, word = OUTCOME[model_score(label, model_is_a)]
    return {"letter": letter, "word": word, "label": label, "strong": is_strong(label),
            "skipped": game.get("skipped")}


class Site:
    """Renders the pages of one report into a directory."""

    def __init__(self, inputs: ReportInputs, outdir: Path):
        self.inputs = inputs
        self.lb = inputs.leaderboard
        self.out = outdir
        self.env = Environment(
            loader=PackageLoader("codearena", "templates"),
            autoescape=select_autoescape(["html", "xml", "css"], default=True),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["num"] = _fmt
        self.env.filters["slug"] = slug
        self.env.globals.update(heat_colour=plots.heat_colour, heat_text=plots.heat_text, lb=self.lb,
                                notes=inputs.notes)
        self.boards = boards(self.lb)
        self.baseline = self.lb["baseline"]
        self.contestants = sorted({m for files in inputs.judgments.values() for m in files}) or sorted(
            {r["model"] for _, b in self.boards for r in b["overall"] if not r.get("baseline")})
        self.media: dict[Path, str] = {}

    # -- helpers ---------------------------------------------------------------------------------
    def render(self, template: str, path: str, **ctx) -> None:
        root = "../" * path.count("/")
        write_text(self.out / path, self.env.get_template(template).render(root=root, **ctx))

    def media_path(self, model: str, image: Path) -> str | None:
        """Copy (or hard-link) an image into media/ once; its path relative to the report root."""
        image = Path(image)
        if image in self.media:
            return self.media[image]
        if not image.is_file():
            return None
        rel = f"media/{slug(model)}/{slug(image.parent.parent.name)}/{slug(image.parent.name)}/{slug(image.name)}"
        dest = self.out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(image, dest)
        except OSError:  # another filesystem, or links not allowed
            shutil.copyfile(image, dest)
        self.media[image] = rel
        return rel

    def side(self, model: str, uid: str) -> dict:
        """One answer as the question page shows it."""
        ans = self.inputs.answers.get(model, {}).get(uid)
        ex = self.inputs.executions.get(model, {}).get(uid)
        ans = None if ans is None else ANSWER_DEFAULTS | ans
        ex = None if ex is None else EXECUTION_DEFAULTS | ex
        images = []
        if ex:
            for kind in ("screenshots", "figures"):
                for img in ex.get(kind) or []:
                    # A missing file is shown as missing rather than dropped.
                    images.append({"src": self.media_path(model, img), "kind": kind[:-1], "name": Path(img).name})
        return {
            "model": model,
            "answer": ans,
            "code_html": highlight_code(ans.get("code"), ans.get("language")) if ans else "",
            "execution": ex,
            "images": images,
            "reason": failure_reason(ex) if ex and ex.get("status") not in ("ok", None) else None,
        }

    def verdicts(self, model: str, uid: str) -> list[dict]:
        """Per judge: the two games with who sat where, the verdict, the model's result and the replies."""
        out = []
        for judge, files in self.inputs.judgments.items():
            rec = files.get(model, {}).get(uid)
            if rec is None:
                continue
            games = []
            for i, g in enumerate(rec["games"]):
                games.append({"index": i, "a": g.get("a"), "b": g.get("b"), "verdict": g.get("verdict"),
                              "raw": g.get("raw") or [], "error": g.get("error"), "skipped": g.get("skipped"),
                              "outcome": _outcome(g, model), "cost_usd": g.get("cost_usd")})
            out.append({"judge": judge, "games": games})
        return out

    # -- pages -----------------------------------------------------------------------------------
    def build(self) -> None:
        write_text(self.out / "static/code.css", stylesheet())
        uids = sorted(self.inputs.questions) or sorted(
            {u for files in self.inputs.judgments.values() for recs in files.values() for u in recs})
        self.index_page()
        for model in self.contestants + [self.baseline]:
            self.model_page(model, uids)
        self.questions_index(uids)
        for uid in uids:
            self.question_page(uid)

    def index_page(self) -> None:
        sections = []
        for label, board in self.boards:
            heat = {}
            for key in ("by_topic", "by_environment"):
                groups = list(board[key])
                cells = {g: {r["model"]: r for r in board[key][g]} for g in groups}
                heat[key] = {"groups": groups, "cells": cells}
            sections.append({
                "label": label, "board": board,
                "plot": plots.forest(board["overall"]),
                "rating_plot": plots.forest(board["overall"], key="rating", ci_key="rating_ci",
                                            reference=self.lb["rating"]["anchor_rating"])
                if any(r.get("rating") is not None for r in board["overall"]) else None,
                "heat": heat,
                "models": [r["model"] for r in board["overall"] if not r.get("baseline")],
            })
        self.render("index.html", "index.html", sections=sections)

    def model_page(self, model: str, uids: list[str]) -> None:
        answers = self.inputs.answers.get(model, {})
        executions = self.inputs.executions.get(model, {})
        env_status: dict[str, Counter] = defaultdict(Counter)
        failures = []
        for uid in uids:
            ans = answers.get(uid)
            ex = executions.get(uid)
            env = (ans or {}).get("environment") or "(no code)"
            if ex:
                env_status[env][ex.get("status")] += 1
                if ex.get("status") != "ok":
                    failures.append({"uid": uid, "env": env, "status": ex.get("status"), "reason": failure_reason(ex)})
            elif ans:
                env_status[env][ans.get("status") if ans.get("status") != "ok" else "not run"] += 1
        statuses = sorted({s for c in env_status.values() for s in c}, key=lambda s: (s != "ok", s))
        rows = []
        for label, board in self.boards:
            row = next((r for r in board["overall"] if r["model"] == model), None)
            if row:
                rows.append({"label": label, "row": row})
        judge_cost: dict[str, float] = {}
        for judge, files in self.inputs.judgments.items():
            costs = [g.get("cost_usd") for rec in files.get(model, {}).values() for g in rec["games"]]
            known = [c for c in costs if isinstance(c, (int, float))]
            if known:  # a rule-based judge costs nothing and records nothing
                judge_cost[judge] = sum(known)
        questions = []
        for uid in uids:
            ans = answers.get(uid)
            questions.append({
                "uid": uid,
                "category": (self.inputs.questions.get(uid) or ans or {}).get("category"),
                "environment": (ans or {}).get("environment"),
                "answer_status": (ans or {}).get("status"),
                "exec_status": (executions.get(uid) or {}).get("status"),
                "verdicts": self.verdicts(model, uid) if model != self.baseline else [],
            })
        self.render("model.html", f"models/{slug(model)}.html", model=model, rows=rows,
                    stats=self.lb["models"].get(model), is_baseline=model == self.baseline,
                    env_status=dict(sorted(env_status.items())), statuses=statuses, failures=failures,
                    judge_cost=judge_cost, questions=questions)

    def questions_index(self, uids: list[str]) -> None:
        rows = []
        for uid in uids:
            q = self.inputs.questions.get(uid, {})
            rows.append({
                "uid": uid, "category": q.get("category"),
                "instruction": _shorten(q.get("instruction") or "", 160),
                "verdicts": {m: self.verdicts(m, uid) for m in self.contestants},
            })
        self.render("questions.html", "questions/index.html", rows=rows, models=self.contestants,
                    judges=list(self.inputs.judgments))

    def question_page(self, uid: str) -> None:
        q = self.inputs.questions.get(uid, {"uid": uid})
        pairs = [{"model": m, "side": self.side(m, uid), "verdicts": self.verdicts(m, uid)}
                 for m in self.contestants]
        self.render("question.html", f"questions/{slug(uid)}.html", question=q, baseline=self.side(self.baseline, uid),
                    pairs=pairs)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fmt(v, digits: int = 1) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, (int, float)):
        return f"{v:.{digits}f}"
    return str(v)


# What the leaderboard report owns in results/report/ (the reward pages live beside it in reward/).
SITE_ENTRIES = ("static", "media", "models", "questions", "index.html")


def write_report(inputs: ReportInputs, outdir: str | Path) -> Path:
    """Render the site into `outdir`; each of SITE_ENTRIES is replaced in one rename, index.html last.
    Returns the path of index.html."""
    outdir = Path(outdir)
    if not isinstance(inputs.leaderboard, dict) or "judges" not in inputs.leaderboard:
        raise ArtifactError("the leaderboard given to the report has no 'judges'")
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{outdir.name}.build.", dir=outdir.parent) as tmp:
        site = Site(inputs, Path(tmp))
        # The BigCodeReward pages are built by their own rule; link them when they are there.
        site.env.globals["reward_link"] = (outdir / "reward" / "index.html").exists()
        site.build()
        for name in SITE_ENTRIES:
            if name != "index.html":
                (Path(tmp) / name).mkdir(exist_ok=True)  # e.g. a run without screenshots still has media/
        publish_entries(tmp, outdir, SITE_ENTRIES)
    return outdir / "index.html"

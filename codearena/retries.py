"""Rerunning outputs that hold failed records: the `retry` param of the answers and judge rules.

A provider call that fails after the client's retries is recorded in the output (an answer with
status `failed`, a judge game whose call failed), so the build completes; but a finished output
triggers no rerun by itself. So these rules carry a param read from their existing output, and
Snakemake's params trigger reruns the job when it differs from the value stored by the job that
built the output (`last`):

    retry = failed   if some failed record is not in `last`   (failures not retried yet)
    retry = last     otherwise                                 (nothing new: no trigger)

Run by run (docs/running.md):

1. a build without failures: retry = [] = last, nothing reruns;
2. a build with failures F: retry = F != last, so the next run reruns the job, which calls the
   provider only for F (every other request is in the response cache); it stores last = F;
3. after that retry, what failed again is a subset of F: retry = last = F, nothing reruns. A
   record is retried once, so a question that always fails (e.g. a prompt the provider rejects)
   does not make every later run do work; `snakemake --forcerun <file>` retries it again;
4. a recovered file has no failures: retry = last = F, nothing reruns (rerunning it would cost no
   call, but would rebuild everything downstream).

`last` is read from Snakemake's metadata (`workflow.persistence.params`), where Snakemake stores each
param's repr; without it (a first build, `--drop-metadata`) retry is the failed records.

A refusal is an answer (status `no_code`), and a judge reply without a verdict label is a reply: both
are in the response cache and asking again gives the same reply, so neither counts as failed here.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, Callable, Iterable

from codearena.judging.pairs import call_failed

KEY = "retry_failed"  # the param is {KEY: [...]}: a shape no other param of the rule has


def retry_value(failed: Iterable[str], last: list[str] | None) -> dict:
    """The param value (see the module doc): the failed records, or `last` when none is new."""
    failed, last = sorted(set(failed)), sorted(last or [])
    return {KEY: failed if not set(failed) <= set(last) else last}


def _records(path: Path, marker: str) -> Iterable[dict]:
    """Records of a JSONL output that mention `marker` (a cheap filter before parsing: this runs for
    every job each time Snakemake builds its DAG). Missing or unreadable files have none: their
    job reruns for other reasons, or fails later with a clear error."""
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if marker in line:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue
                    if isinstance(record, dict):
                        yield record
    except OSError:
        return


def failed_answers(path: str | Path) -> list[str]:
    """uids of the answers whose call failed (`status: failed`)."""
    return sorted(r["uid"] for r in _records(Path(path), '"failed"') if r.get("status") == "failed" and "uid" in r)


def failed_games(path: str | Path) -> list[str]:
    """`uid#game` of the judge games whose call failed (not those without a verdict label)."""
    out = []
    for r in _records(Path(path), "judge call failed"):
        for i, game in enumerate(r.get("games") or []):
            if isinstance(game, dict) and call_failed(game):
                out.append(f"{r.get('uid')}#{i}")
    return sorted(out)


def failed_battles(path: str | Path) -> list[str]:
    """Battle ids of BigCodeReward verdicts with an order whose judge call failed."""
    out = []
    for r in _records(Path(path), "judge call failed"):
        if any(isinstance(o, dict) and call_failed(o) for o in r.get("orders") or []):
            out.append(str(r.get("chat_session_id")))
    return sorted(out)


def stored_value(workflow: Any, path: str) -> list[str] | None:
    """The retry list Snakemake stored for `path` when it was built, or None if it has none."""
    persistence = getattr(workflow, "persistence", None)
    if persistence is None:  # parsing only (e.g. --lint): no DAG, no metadata
        return None
    from snakemake.io import IOFile

    prefix = "{" + repr(KEY) + ":"  # how Snakemake stores the repr of {KEY: [...]}
    for text in persistence.params(IOFile(path)) or []:
        if isinstance(text, str) and text.startswith(prefix):
            try:
                return list(ast.literal_eval(text)[KEY])
            except (ValueError, SyntaxError, KeyError, TypeError):
                return None
    return None


def retry_param(workflow: Any, path: str, failed: Callable[[str], list[str]]) -> dict:
    """The `retry` param of the rule whose output is `path`, from its failed records (`failed(path)`)."""
    return retry_value(failed(path), stored_value(workflow, path))

"""`codearena export-votes`: the arena's votes as a dataset in the `bigcode/bigcodereward` schema.

One row per voted battle (reference/bigcodereward.md section 1.2): `chat_session_id`, `instruction`
(every visitor message, in order, separated by blank lines), `human_vote` (`vote_model_A`,
`vote_model_B`, `vote_tie`, `vote_both_bad`), `model_A`, `model_B`, `category_id`/`category_name`
(null: arena prompts are not classified), the flattened evidence of each side's final run
(`execution_screenshot_X` as an image, `execution_output_X`, `execution_error_X`) and `states`: per side a
FastChat-style state with `messages` as `[role, content]` pairs and `sandbox_logs_by_round` keyed by
turn ("1", "2", ...; a turn without a run is null), each holding the `sandbox_state` of that turn's run
(`sandbox_output`, `sandbox_error`, `screenshot_base64`, the code and environment) and the visitor's
`user_interaction_records` in that turn's previews. The run shown is the last one of the model's own code:
a judge reads it beside the model's answer, so a run of code the visitor edited is not passed off as the
model's (such runs are counted in `visitor_edit_runs`; their interactions are kept).

The output directory is laid out like a Hub dataset (`data/train-*.parquet` and a README card), so
`datasets.load_dataset(<dir>, split="train")` reads it as it reads `bigcode/bigcodereward`.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from .store import ArenaStore, Answer, Battle, Run, Vote

VOTE_LABELS = {"A": "vote_model_A", "B": "vote_model_B", "tie": "vote_tie", "both_bad": "vote_both_bad"}
SHARD_ROWS = 500  # rows held in memory at once (screenshots make rows large)
# No `configs:` block in the card: with one, `datasets` caches a directory's data under a key that
# ignores the files' dates, and a second export to the same place would load as the first (datasets 5.2).
# `data/train-*.parquet` alone makes the split `train`.
CARD = """---
pretty_name: codearena arena votes
---
# codearena arena votes

Human pairwise votes collected by the codearena arena app, in the `bigcode/bigcodereward` schema.
{rows} voted battles, exported {when} from `{database}`.
"""


def _features(rounds: int):
    from datasets import Features, Image, Value

    interaction = {"type": Value("string"), "time": Value("string"), "x": Value("float64"), "y": Value("float64"),
                   "key": Value("string"), "run": Value("int64"), "detail": Value("string")}
    sandbox_state = {
        "sandbox_id": Value("string"), "enabled_round": Value("int64"), "sandbox_run_round": Value("int64"),
        "sandbox_environment": Value("string"), "auto_selected_sandbox_environment": Value("string"),
        "code_language": Value("string"), "code_to_execute": Value("string"), "code_dependencies": Value("string"),
        "sandbox_output": Value("string"), "sandbox_error": Value("string"), "screenshot_base64": Value("string"),
        "execution_status": Value("string"), "trigger": Value("string"), "visitor_edit_runs": Value("int64"),
    }
    log = {"sandbox_state": sandbox_state, "user_interaction_records": [interaction]}
    state = {
        "chat_mode": Value("string"), "chat_session_id": Value("string"), "chat_start_time": Value("string"),
        "conv_id": Value("string"), "model_name": Value("string"), "template_name": Value("string"),
        "system_message": Value("string"), "roles": [Value("string")], "offset": Value("int64"),
        "messages": [[Value("string")]],
        "sandbox_logs_by_round": {str(r): log for r in range(1, rounds + 1)},
    }
    columns = {"chat_session_id": Value("string"), "instruction": Value("string"), "human_vote": Value("string"),
               "model_A": Value("string"), "model_B": Value("string"), "category_id": Value("int64"),
               "category_name": Value("string")}
    for side in ("A", "B"):
        columns |= {f"execution_screenshot_{side}": Image(), f"execution_output_{side}": Value("string"),
                    f"execution_error_{side}": Value("string")}
    columns["states"] = {"model_A": state, "model_B": state}
    return Features(columns)


def _iso(when: datetime | None) -> str:
    if when is None:
        return ""
    return (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).isoformat()


def _shot(run: Run | None) -> bytes | None:
    """The picture a judge should see of a run: its last screenshot, else its first figure."""
    if run is None:
        return None
    shots = [i.png for i in run.images if i.kind == "screenshot"]
    figures = [i.png for i in run.images if i.kind == "figure"]
    return shots[-1] if shots else (figures[0] if figures else None)


def _interactions(runs: list[Run]) -> list[dict]:
    records = []
    for run in runs:
        for event in run.interactions:
            data = dict(event.data or {})
            x, y, key = data.pop("x", None), data.pop("y", None), data.pop("key", None)
            records.append({"type": event.kind, "time": event.client_time or _iso(event.received_at),
                            "x": float(x) if isinstance(x, (int, float)) else None,
                            "y": float(y) if isinstance(y, (int, float)) else None,
                            "key": None if key is None else str(key), "run": run.number,
                            "detail": json.dumps(data, sort_keys=True) if data else None})
    return records


def _state(battle: Battle, side: str, answers: list[Answer], runs: list[Run], rounds: int) -> tuple[dict, Run | None]:
    """The side's FastChat-style state and its final run."""
    mine = sorted((a for a in answers if a.side == side), key=lambda a: a.turn)
    messages = []
    for answer in mine:
        messages.append(["user", answer.prompt])
        if answer.text is not None:
            messages.append(["assistant", answer.text])
    auto_env = {a.turn: a.env for a in mine}
    logs: dict[str, dict | None] = {}
    final: Run | None = None
    for turn in range(1, rounds + 1):
        turn_runs = sorted((r for r in runs if r.side == side and r.turn == turn), key=lambda r: r.number)
        if not turn_runs:
            logs[str(turn)] = None
            continue
        # The evidence is the model's own code's run: the judge reads it beside the model's answer. Runs
        # of the visitor's edits are counted and their interactions kept, but not shown as the answer's.
        own = [r for r in turn_runs if r.trigger == "auto"]
        last = final = own[-1] if own else turn_runs[-1]
        shot = _shot(last)
        logs[str(turn)] = {
            "sandbox_state": {
                "sandbox_id": f"{battle.id}-{side}-{last.number}", "enabled_round": turn,
                "sandbox_run_round": last.number, "sandbox_environment": last.record.get("environment") or last.env,
                "auto_selected_sandbox_environment": auto_env.get(turn), "code_language": last.language,
                "code_to_execute": last.code,
                "code_dependencies": json.dumps(last.record.get("dependencies") or {}, sort_keys=True),
                "sandbox_output": last.stdout, "sandbox_error": last.stderr,
                "screenshot_base64": base64.b64encode(shot).decode() if shot else "",
                "execution_status": last.status, "trigger": last.trigger,
                "visitor_edit_runs": sum(r.trigger == "edit" for r in turn_runs),
            },
            "user_interaction_records": _interactions(turn_runs),
        }
    state = {
        "chat_mode": "battle_anony", "chat_session_id": battle.id, "chat_start_time": _iso(battle.created_at),
        "conv_id": f"{battle.id}-{side}", "model_name": battle.model_a if side == "A" else battle.model_b,
        "template_name": "codearena", "system_message": battle.system_prompt, "roles": ["user", "assistant"],
        "offset": 0, "messages": messages, "sandbox_logs_by_round": logs,
    }
    return state, final


def vote_row(battle: Battle, vote: Vote, answers: list[Answer], runs: list[Run], rounds: int) -> dict:
    """One dataset row for a voted battle (`rounds` is the number of round keys every row carries)."""
    prompts = [a.prompt for a in sorted(answers, key=lambda a: a.turn) if a.side == "A"]
    row = {"chat_session_id": battle.id, "instruction": "\n\n".join(prompts), "human_vote": VOTE_LABELS[vote.choice],
           "model_A": battle.model_a, "model_B": battle.model_b, "category_id": None, "category_name": None}
    states = {}
    for side in ("A", "B"):
        state, final = _state(battle, side, answers, runs, rounds)
        states[f"model_{side}"] = state
        shot = _shot(final)
        row[f"execution_screenshot_{side}"] = {"bytes": shot, "path": None} if shot else None
        row[f"execution_output_{side}"] = final.stdout if final else ""
        row[f"execution_error_{side}"] = final.stderr if final else ""
    row["states"] = states
    return row


def export_votes(database: str, out: str | os.PathLike) -> int:
    """Write every vote of `database` to the dataset directory `out` (replaced as a whole, atomically
    enough: the new export is complete before the old one is removed); returns the number of rows."""
    from datasets import Dataset

    out = Path(out)
    store = ArenaStore(database)
    try:
        votes = store.votes()
        rounds = max([v.turns for v in votes], default=1)
        features = _features(rounds)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            (tmp / "data").mkdir()
            shards = max(1, -(-len(votes) // SHARD_ROWS))
            index = 0

            def flush(rows: list[dict]) -> None:
                nonlocal index
                Dataset.from_list(rows, features=features).to_parquet(
                    str(tmp / "data" / f"train-{index:05d}-of-{shards:05d}.parquet"))
                index += 1

            batch: list[dict] = []
            # Votes cast while exporting wait for the next export (the shard count is fixed above).
            for battle, vote, answers, runs in store.voted_battles(up_to=votes[-1].id if votes else 0):
                batch.append(vote_row(battle, vote, answers, runs, rounds))
                if len(batch) == SHARD_ROWS:
                    flush(batch)
                    batch = []
            if batch or index == 0:
                flush(batch)
            (tmp / "README.md").write_text(CARD.format(rows=len(votes), when=_iso(datetime.now(timezone.utc)),
                                                       database=_redacted(database)), encoding="utf-8")
            old = out.with_name(f".{out.name}.old")
            if out.exists():
                shutil.rmtree(old, ignore_errors=True)
                out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return len(votes)
    finally:
        store.close()


def _redacted(url: str) -> str:
    """The database URL without its password (it goes into the dataset card)."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)

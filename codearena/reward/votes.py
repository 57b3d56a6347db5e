"""Human-voted battles: read a votes dataset in the `bigcode/bigcodereward` schema, normalise each row.

A source is a Hugging Face dataset id (`bigcode/bigcodereward`), a local directory `datasets` can
load (parquet/JSONL files, with or without a dataset card, or a `save_to_disk` directory), or one
`.parquet` / `.jsonl` / `.json` file: votes exported by the arena app load the same way.

Per row (schema: docs/reward.md and the spec's section 1) the judge input is assembled here, once:

* **instruction**: every user turn of the session (`states.model_A.messages`), numbered when there
  are several, so a follow-up request is not lost; the `instruction` column when no turn is found;
* **answer** of each side: its final assistant message (prose and code, as upstream);
* **execution evidence** of each side: output, error text and screenshot. The flattened columns
  `execution_output_X` / `execution_error_X` / `execution_screenshot_X` are used when any of them
  holds something; else the latest sandbox round of `states.model_X.sandbox_logs_by_round` that has
  any evidence, rounds sorted as numbers (upstream sorted the keys as strings, so round 9 beat 10).
  Output, error and screenshot always come from one place, never mixed across rounds.

Screenshots are written once, content-addressed, under `screenshots/` beside the battles file.
A row that cannot be a battle (no id, no recognisable vote, a missing model name, no instruction, an
id seen before) is skipped and listed with its reason; a source that is not a votes dataset at all
(missing columns, unreadable) is a `VotesError` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from codearena.io import ArtifactError, read_jsonl
from codearena.reward.labels import normalise_vote
from codearena.reward.screenshots import present, screenshot_bytes, store_screenshot
from codearena.reward.states import as_text, final_answer, latest_round_evidence, maybe_json, user_turns

SIDES = ("A", "B")
LOCAL_FORMATS = {".parquet": "parquet", ".jsonl": "json", ".json": "json"}


class VotesError(ArtifactError):
    """A votes source that cannot be used; the message names the source (and row)."""


@dataclass
class Selection:
    """Which rows of the source become battles, and why the others do not."""

    rows: list[int] = field(default_factory=list)  # 0-based row indices, in battle-id order
    skipped: list[dict] = field(default_factory=list)  # {"row": 1-based, "chat_session_id", "reason"}
    total: int = 0


# ------------------------------------------------------------------------------------------------
# opening a source


def open_votes(source: str, split: str = "train", base_dirs: Iterable[Path] = ()):
    """The source as a `datasets.Dataset`, images left undecoded (bytes), or a VotesError."""
    import datasets  # slow import; only needed here

    datasets.disable_progress_bars()
    path = _local_path(source, base_dirs)
    try:
        if path is None:
            ds = datasets.load_dataset(source, split=split)
        elif path.is_dir() and ((path / "state.json").exists() or (path / "dataset_dict.json").exists()):
            ds = datasets.load_from_disk(str(path))
            if isinstance(ds, datasets.DatasetDict):
                if split not in ds:
                    raise VotesError(f"{source}: no split {split!r} (has {', '.join(ds)})")
                ds = ds[split]
        elif path.is_dir():
            ds = datasets.load_dataset(str(path), split=split)
        elif path.suffix in LOCAL_FORMATS:
            ds = datasets.load_dataset(LOCAL_FORMATS[path.suffix], data_files=str(path), split="train")
        else:
            raise VotesError(f"{source}: not a votes dataset (expected a directory or a .parquet/.jsonl/.json file)")
    except VotesError:
        raise
    except Exception as e:  # datasets/pyarrow/hub errors come in many types
        where = "local votes" if path is not None else f"Hugging Face dataset (split {split!r})"
        raise VotesError(f"{source}: cannot load the {where}: {type(e).__name__}: {_one_line(e)}") from None
    return _undecoded_images(ds)


def _local_path(source: str, base_dirs: Iterable[Path]) -> Path | None:
    """A local file or directory for `source`, or None if it names a hub dataset."""
    candidates = [Path(source)] + [Path(b) / source for b in base_dirs]
    for p in candidates:
        if p.exists():
            return p
    looks_local = source.startswith((".", "/", "~")) or Path(source).suffix in LOCAL_FORMATS
    if looks_local:
        raise VotesError(f"{source}: votes file or directory not found")
    return None


def _undecoded_images(ds):
    """Image columns as {bytes, path} dicts: screenshots are stored as files, never re-encoded."""
    import datasets

    for name, feature in ds.features.items():
        if isinstance(feature, datasets.Image) and feature.decode:
            ds = ds.cast_column(name, datasets.Image(decode=False))
    return ds


def _one_line(e: BaseException, limit: int = 300) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ------------------------------------------------------------------------------------------------
# choosing rows (a light pass over ids and votes only)

REQUIRED = ("chat_session_id", "model_A", "model_B")


def check_columns(columns: list[str], source: str) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if not any(c in columns for c in ("human_vote", "vote_type")):
        missing.append("human_vote")
    if not any(c in columns for c in ("instruction", "states")):
        missing.append("instruction (or states)")
    if missing:
        raise VotesError(
            f"{source}: not in the bigcode/bigcodereward schema: missing column(s) {', '.join(missing)} "
            f"(has {', '.join(columns) or 'none'})"
        )


def human_vote(row: dict) -> tuple[str | None, Any]:
    """(normalised label or None, the raw value): `human_vote`, else the fallback column `vote_type`."""
    raw = row.get("human_vote")
    if raw in (None, ""):
        raw = row.get("vote_type")
    return normalise_vote(raw), raw


def select_rows(light_rows: Iterable[dict], limit: int | None = None) -> Selection:
    """Rows that can be battles, sorted by battle id (the first `limit`); the rest with reasons.

    `light_rows` carry at least the id, the vote and the model names. A repeated id keeps its first row.
    """
    sel = Selection()
    first_row: dict[str, int] = {}
    for index, row in enumerate(light_rows):
        sel.total += 1
        cid = row.get("chat_session_id")
        reason = None
        label, raw = human_vote(row)
        if not isinstance(cid, str) or not cid.strip():
            reason = "no chat_session_id"
        elif cid in first_row:
            reason = f"duplicate chat_session_id (first seen in row {first_row[cid] + 1})"
        elif label is None:
            reason = f"human vote {raw!r} is not one of A / B / tie / both bad"
        else:
            for side in SIDES:
                name = row.get(f"model_{side}")
                if not isinstance(name, str) or not name.strip():
                    reason = f"no model_{side}"
                    break
        if reason is None:
            first_row[cid] = index
        else:
            sel.skipped.append({"row": index + 1, "chat_session_id": cid if isinstance(cid, str) else None,
                                "reason": reason})
    ordered = sorted(first_row.items())
    if limit:
        ordered = ordered[:limit]
    sel.rows = [index for _, index in ordered]
    return sel


# ------------------------------------------------------------------------------------------------
# one row -> one battle record


def assemble_instruction(row: dict, states: dict) -> tuple[str, str, int]:
    """(instruction, where it came from, number of user turns)."""
    for side in SIDES:
        turns = user_turns(states.get(f"model_{side}") or {})
        if turns:
            if len(turns) == 1:
                return turns[0], "user turn", 1
            text = "\n\n".join(f"[User turn {i}]\n{t}" for i, t in enumerate(turns, start=1))
            return text, f"{len(turns)} user turns", len(turns)
    column = row.get("instruction")
    if isinstance(column, str) and column.strip():
        return column, "instruction column", 1
    return "", "none", 0


def side_evidence(row: dict, states: dict, side: str) -> tuple[str, str, Any, str | None]:
    output, error = as_text(row.get(f"execution_output_{side}")), as_text(row.get(f"execution_error_{side}"))
    shot = row.get(f"execution_screenshot_{side}")
    if output.strip() or error.strip() or present(shot):
        return output, error, shot, "columns"
    state = states.get(f"model_{side}") or {}
    return latest_round_evidence(state.get("sandbox_logs_by_round"))


def battle_record(row: dict, out_dir: Path, source_dir: Path | None) -> dict:
    """The normalised battle (docs/reward.md, `battles.jsonl`) for a row that `select_rows` accepted."""
    states = maybe_json(row.get("states")) or {}
    if not isinstance(states, dict):
        states = {}
    states = {k: (maybe_json(v) if v is not None else {}) for k, v in states.items()}
    instruction, instruction_source, turns = assemble_instruction(row, states)
    label, raw = human_vote(row)
    category = row.get("category_name")
    record = {
        "chat_session_id": row["chat_session_id"],
        "model_A": row["model_A"],
        "model_B": row["model_B"],
        "human_vote": label,
        "human_vote_raw": raw,
        "category": category if isinstance(category, str) and category.strip() else "unknown",
        "category_id": row.get("category_id"),
        "instruction": instruction,
        "instruction_source": instruction_source,
        "turns": turns,
        "sides": {},
    }
    for side in SIDES:
        state = states.get(f"model_{side}") or {}
        output, error, shot, where = side_evidence(row, states, side)
        path, digest, note = store_screenshot(screenshot_bytes(shot, source_dir), out_dir)
        record["sides"][side] = {
            "answer": final_answer(state) if isinstance(state, dict) else "",
            "output": output,
            "error": error,
            "screenshot": path,
            "screenshot_sha256": digest,
            "screenshot_note": note,
            "evidence_source": where,
        }
    return record


def load_battles(
    source: str, out_dir: str | Path, split: str = "train", limit: int | None = None,
    base_dirs: Iterable[Path] = (),
) -> tuple[list[dict], dict]:
    """(battle records sorted by id, summary {source, split, rows, battles, skipped}).

    Screenshots go to `out_dir/screenshots/`. Rows without an instruction are skipped too.
    """
    out_dir = Path(out_dir)
    ds = open_votes(source, split, base_dirs)
    check_columns(list(ds.column_names), source)
    light = [c for c in ("chat_session_id", "human_vote", "vote_type", "model_A", "model_B") if c in ds.column_names]
    selection = select_rows(iter(ds.select_columns(light)), limit)
    local = _local_path(source, base_dirs)
    source_dir = (local if local.is_dir() else local.parent) if local is not None else None
    battles, skipped = [], list(selection.skipped)
    for index, row in zip(selection.rows, iter(ds.select(selection.rows))):
        record = battle_record(row, out_dir, source_dir)
        if not record["instruction"].strip():
            skipped.append({"row": index + 1, "chat_session_id": record["chat_session_id"],
                            "reason": "no instruction (no user turn and an empty instruction column)"})
            continue
        battles.append(record)
    if not battles:
        reasons = sorted({s["reason"].split(" (")[0] for s in skipped})
        raise VotesError(f"{source}: no usable battle in {selection.total} rows ({'; '.join(reasons) or 'empty'})")
    skipped.sort(key=lambda s: s["row"])
    summary = {"source": source, "split": split, "limit": limit, "rows": selection.total,
               "battles": len(battles), "skipped": skipped}
    return battles, summary


def read_battles(path: str | Path) -> list[dict]:
    """Battle records of `battles.jsonl`, screenshot paths made absolute."""
    path = Path(path)
    battles = read_jsonl(path)
    for index, record in enumerate(battles, start=1):
        for key in ("chat_session_id", "model_A", "model_B", "human_vote", "sides"):
            if key not in record:
                raise ArtifactError(f"{path}: record {index}: missing {key!r}")
        for side in SIDES:
            rel = record["sides"][side].get("screenshot")
            record["sides"][side]["screenshot_file"] = str(path.parent / rel) if rel else None
    return battles

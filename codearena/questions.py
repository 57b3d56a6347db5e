"""Benchmark questions: from a local JSON-lines file, or with `datasets` from a hub id or a parquet file.

Every question has the three string fields of `bigcode/autocodearena-v0`: `uid`, `instruction`,
`category`. Problems are reported as `QuestionsError` naming the file and the record.
"""

from __future__ import annotations

import json
from pathlib import Path

REQUIRED_FIELDS = ("uid", "instruction", "category")
LOCAL_FORMATS = {".jsonl": "json", ".json": "json", ".parquet": "parquet"}


class QuestionsError(ValueError):
    """A questions source that cannot be used; the message names the source and record."""


def _read_json_lines(path: Path) -> list[dict]:
    """A local JSON-lines file, read here rather than by datasets: its import costs seconds, and it
    reports a broken line from deep inside pyarrow."""
    if not path.exists():
        raise QuestionsError(f"{path}: questions file not found")
    rows = []
    with open(path, encoding="utf-8") as f:
        # Split on "\n" only: real prompts contain U+2028, which str.splitlines would treat as a break.
        for lineno, line in enumerate(f.read().split("\n"), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise QuestionsError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise QuestionsError(f"{path}:{lineno}: expected a JSON object")
            rows.append(obj)
    return rows


def _load_rows(source: str, split: str) -> list[dict]:
    path = Path(source)
    if path.suffix in LOCAL_FORMATS and LOCAL_FORMATS[path.suffix] == "json":
        return _read_json_lines(path)

    import datasets  # slow import; only needed here

    datasets.disable_progress_bars()
    if path.suffix in LOCAL_FORMATS:
        if not path.exists():
            raise QuestionsError(f"{source}: questions file not found")
        try:
            ds = datasets.load_dataset(LOCAL_FORMATS[path.suffix], data_files=str(path), split="train")
        except Exception as e:  # pyarrow/datasets raise many types for malformed files
            raise QuestionsError(f"{source}: cannot be read as a questions file ({type(e).__name__}: {e})") from None
    else:
        try:
            ds = datasets.load_dataset(source, split=split)
        except Exception as e:
            raise QuestionsError(
                f"{source}: cannot load the Hugging Face dataset (split {split!r}): {type(e).__name__}: {e}"
            ) from None
    missing = [f for f in REQUIRED_FIELDS if f not in ds.column_names]
    if missing:
        raise QuestionsError(f"{source}: missing column(s) {', '.join(missing)} (has {', '.join(ds.column_names)})")
    return ds.to_list()


def validate_questions(rows: list[dict], source: str) -> list[dict]:
    """Check fields and uniqueness; return records with exactly the three fields, sorted by uid."""
    if not rows:
        raise QuestionsError(f"{source}: no questions")
    seen: dict[str, int] = {}
    out = []
    for i, row in enumerate(rows, start=1):
        for field in REQUIRED_FIELDS:
            value = row.get(field)
            if not isinstance(value, str) or not value.strip():
                uid = row.get("uid")
                who = f"record {i}" + (f" (uid {uid!r})" if isinstance(uid, str) else "")
                raise QuestionsError(f"{source}: {who}: missing or empty field {field!r}")
        uid = row["uid"]
        if uid in seen:
            raise QuestionsError(f"{source}: duplicate uid {uid!r} (records {seen[uid]} and {i})")
        seen[uid] = i
        out.append({f: row[f] for f in REQUIRED_FIELDS})
    return sorted(out, key=lambda q: q["uid"])


def load_questions(source: str, split: str = "train", limit: int | None = None) -> list[dict]:
    """Load, validate and optionally cut (first `limit` by uid) the questions of `source`."""
    questions = validate_questions(_load_rows(source, split), source)
    return questions[:limit] if limit else questions

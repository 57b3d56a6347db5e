"""Execution evidence for judging: one model's execution records, keyed by uid.

Each `results/executions/{model}/{env}/results.jsonl` stores screenshot and figure paths relative to
its own directory (so the directory can move); judges need them absolute, resolved here once.
"""

from __future__ import annotations

from pathlib import Path

from codearena.io import ArtifactError, read_jsonl

IMAGE_FIELDS = ("screenshots", "figures")


def load_executions(paths: list[Path]) -> dict[str, dict]:
    """uid -> execution record from one model's `results.jsonl` files, image paths made absolute.

    A uid in two files (or twice in one) is an error naming both places: it would mean an answer
    was run in two environments and the judge could see either.
    """
    records: dict[str, dict] = {}
    origin: dict[str, str] = {}
    for path in map(Path, paths):
        base = path.parent.resolve()
        for index, record in enumerate(read_jsonl(path), start=1):
            where = f"{path}: record {index}"
            uid = record.get("uid")
            if not isinstance(uid, str) or not uid:
                raise ArtifactError(f"{where}: missing 'uid'")
            if uid in records:
                raise ArtifactError(f"execution record for uid {uid} appears twice: {origin[uid]} and {where}")
            resolved = dict(record)
            for name in IMAGE_FIELDS:
                value = record.get(name) or []
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ArtifactError(f"{where}: '{name}' must be a list of paths")
                resolved[name] = [base / v for v in value]
            if "judge_screenshots" in record:  # optional: the frames the judge is shown (web runners)
                value = record["judge_screenshots"]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise ArtifactError(f"{where}: 'judge_screenshots' must be a list of paths")
                resolved["judge_screenshots"] = [base / v for v in value]
            records[uid] = resolved
            origin[uid] = where
    return records

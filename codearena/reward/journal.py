"""An append-only journal of verdict records: what makes a reward run resumable by battle id.

Snakemake deletes a job's declared outputs before it runs the job again, and upstream truncated its
own output on every rerun (keeping old results only in backup files that its loaders then counted
twice). So each finished battle is appended here the moment it is judged, as one JSON line flushed
to disk, and complete lines are never truncated or rewritten: a killed or failed run loses at most the
battle being written, and the next run reads back every record before judging anything.

The journal lives beside the verdict file (`{mode}.journal.jsonl`, not a declared output). Readers
take the *last* record per battle id. A torn last line (the process died mid-write) is ignored; a
broken line elsewhere means the file was edited or damaged and is an error naming the line.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from codearena.io import ArtifactError, WriteError


class Journal:
    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._healed = False  # a torn line can only be left by an earlier process: check once

    def latest(self) -> dict[str, dict]:
        """chat_session_id -> the last record written for it (empty if there is no journal yet)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        lines = text.split("\n")
        torn = not text.endswith("\n")  # the last line was being written when the process died
        records: dict[str, dict] = {}
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                if torn and lineno == len(lines):
                    break
                raise ArtifactError(f"{self.path}:{lineno}: not valid JSON ({e.msg})") from None
            cid = record.get("chat_session_id") if isinstance(record, dict) else None
            if not isinstance(cid, str):
                raise ArtifactError(f"{self.path}:{lineno}: not a verdict record (no chat_session_id)")
            records[cid] = record
        return records

    def append(self, record: dict) -> None:
        """Write one record durably (flushed and fsynced) before returning. Safe across threads."""
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                if not self._healed:
                    self._heal()
                    self._healed = True
                with open(self.path, "a", encoding="utf-8") as f:
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())
            except OSError as e:
                # A full disk may leave part of this line: a torn last line, which readers skip and
                # the next append cuts off (`_heal`), as after a crash.
                self._healed = False
                raise WriteError(self.path, e) from e

    def _heal(self) -> None:
        """Cut a torn last line (a record whose writer died mid-line, never complete, never read) so
        the next record starts on a line of its own; complete lines are never touched."""
        try:
            with open(self.path, "rb+") as f:
                data = f.read()
                if not data or data.endswith(b"\n"):
                    return
                f.truncate(data.rfind(b"\n") + 1)
        except FileNotFoundError:
            return

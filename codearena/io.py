"""Reading and writing artifacts: JSONL records, atomically.

Every artifact is written to a temporary file in the same directory and renamed into place, so a
reader (or a crashed run) never sees half a file. A write that fails (a full disk, a read-only
directory) raises `WriteError` naming the file, leaves the old version in place and no temporary file
behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator


class ArtifactError(ValueError):
    """A file that cannot be read as what it claims to be; the message names the file and line."""


class WriteError(OSError):
    """A file or directory that cannot be written (full disk, read-only or missing permission); the
    message is one line naming it. An OSError, so code that tolerates a failed write still catches it."""

    def __init__(self, path: str | os.PathLike, error: OSError) -> None:
        super().__init__(f"{path}: cannot write ({error.strerror or error})")
        self.errno = error.errno
        self.path = str(path)


@contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or ".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates 0600 files; artifacts are ordinary files for every reader.
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    try:
        with atomic_path(path) as tmp:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())  # a full disk may only show here: before the rename, not after
    except OSError as e:
        raise WriteError(path, e) from e


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any) -> None:
    write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


def write_jsonl(path: str | os.PathLike, records: Iterable[dict]) -> None:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=False) for r in records]
    write_text(path, "".join(line + "\n" for line in lines))


def check_writable(directory: str | os.PathLike) -> None:
    """Create `directory` if needed and a file in it, or raise WriteError: a run stops before any job
    when its outputs could not be written (root ignores permissions but not a read-only mount)."""
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as e:
        raise WriteError(directory, e) from e


def read_text_file(path: str | os.PathLike, what: str) -> str:
    """A text file users edit (a prompt, a template): FileNotFoundError or ValueError naming it and
    saying what it is, when it is missing or empty."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: {what} not found") from None
    if not text.strip():
        raise ValueError(f"{path}: {what} is empty")
    return text


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """Read a JSONL file; a broken line raises ArtifactError naming the file and line number."""
    path = Path(path)
    records = []
    try:
        f = open(path, encoding="utf-8")
    except FileNotFoundError:
        raise ArtifactError(f"{path}: file not found") from None
    with f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                raise ArtifactError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise ArtifactError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
            records.append(obj)
    return records


def read_json(path: str | os.PathLike) -> Any:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ArtifactError(f"{path}: file not found") from None
    except json.JSONDecodeError as e:
        raise ArtifactError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from None


def publish_entries(built: str | os.PathLike, dest: str | os.PathLike, names: Iterable[str]) -> None:
    """Move the entries `names` of directory `built` into `dest`, each replacing its old version in one
    rename (a file or a whole subdirectory); entries of `dest` not named are left alone, so several
    rules can write their own parts of one site."""
    built, dest = Path(built), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    trash = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old.", dir=dest.parent))
    try:
        for name in names:
            src, target = built / name, dest / name
            if not src.exists():
                raise ArtifactError(f"{src}: expected in the built site")
            if target.is_dir() and not target.is_symlink():
                os.replace(target, trash / name)
            os.replace(src, target)
    finally:
        shutil.rmtree(trash, ignore_errors=True)

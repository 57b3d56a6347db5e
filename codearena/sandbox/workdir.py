"""Host-side handling of a sample's work directory after the sample has had it: the program wrote
whatever it liked there (a tree deeper than Python's recursion limit or than PATH_MAX, named pipes,
symlinks to host paths), so nothing here recurses, follows a link or opens a file that is not regular.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections import deque
from pathlib import Path
from typing import Iterator


def remove_tree(path: Path) -> None:
    """`rm -rf path`: coreutils' rm walks a tree of any depth by file descriptor, where shutil.rmtree
    (Python 3.11) raises RecursionError a thousand levels down and would end the whole job."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return
    rm = shutil.which("rm") or "/bin/rm"
    done = subprocess.run([rm, "-rf", "--one-file-system", "--", str(path)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0 and path.exists():
        raise OSError(f"cannot remove {path}: {done.stderr.strip()[-500:]}")


def regular_files(top: Path, *, max_entries: int) -> Iterator[Path]:
    """Regular files under `top`, breadth first, sorted per directory, skipping hidden directories,
    symlinks and special files (a FIFO would block the reader forever); stops after `max_entries`
    directory entries so a million empty files or a very deep tree cost no more than that."""
    queue = deque([Path(top)])
    seen = 0
    while queue:
        directory = queue.popleft()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:  # gone, unreadable, or a path too long to name
            continue
        for entry in entries:
            seen += 1
            if seen > max_entries:
                return
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if stat.S_ISDIR(mode) and not entry.name.startswith("."):
                queue.append(Path(entry.path))
            elif stat.S_ISREG(mode):
                yield Path(entry.path)


def inside(path: Path, top: Path) -> bool:
    """Whether `path`, with every symlink resolved, is `top` or below it (a link may lead out)."""
    real, root = os.path.realpath(path), os.path.realpath(top)
    return real == root or real.startswith(root.rstrip("/") + "/")

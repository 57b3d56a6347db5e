"""A sample's work directory on the host, before and after the sample has had it.

Before: `make_workdir` gives it a size-capped tmpfs of its own (when the orchestrator is root), so a
sample cannot fill the host's disk or its inodes, and its files vanish at once afterwards (deleting
many directories on a disk costs milliseconds each). After: the program wrote whatever it liked there
(a tree deeper than Python's recursion limit or than PATH_MAX, named pipes, symlinks to host paths), so
nothing here recurses, follows a link or opens a file that is not regular.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
from collections import deque
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)
INODES_PER_MB = 64  # a tmpfs work dir of N MB holds N*64 files and directories
_warned = False  # a failed mount is said once per process


def make_workdir(path: Path, size_mb: int | None) -> bool:
    """Create `path` (empty), mounted as a tmpfs of `size_mb` MB when we may mount (root); True if it is
    capped. Without a cap it is a plain directory of the host's disk."""
    path = Path(path)
    path.mkdir(parents=True)
    if not size_mb or os.geteuid() != 0:
        return False
    options = f"size={int(size_mb)}m,nr_inodes={int(size_mb) * INODES_PER_MB},mode=0755,nosuid,nodev"
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "codearena-work", str(path)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        global _warned
        if not _warned:
            _warned = True
            log.warning("work directories are not size-capped (mount tmpfs failed: %s)", done.stderr.strip())
        return False
    return True


def mounts_below(path: Path) -> list[str]:
    """Mount points at or below `path`, deepest first."""
    prefix = str(path).rstrip("/") + "/"
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return []
    points = [line.split()[4].replace("\\040", " ") for line in lines]
    return sorted({p for p in points if p == str(path) or p.startswith(prefix)}, key=len, reverse=True)


def remove_tree(path: Path) -> bool:
    """Unmount a work dir's tmpfs, then `rm -rf path`: coreutils' rm walks a tree of any depth by file
    descriptor, where shutil.rmtree (Python 3.11) raises RecursionError a thousand levels down and would
    end the whole job; `--one-file-system` keeps it out of anything still mounted below. False (and a
    warning) if something is left: scratch space left behind must not cost a job its records."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return True
    if not path.is_symlink():
        for point in mounts_below(Path(os.path.realpath(path))):
            if subprocess.run(["umount", point], stderr=subprocess.DEVNULL).returncode != 0:
                subprocess.run(["umount", "-l", point], stderr=subprocess.DEVNULL)  # busy: detach it
    rm = shutil.which("rm") or "/bin/rm"
    done = subprocess.run([rm, "-rf", "--one-file-system", "--", str(path)], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0 and path.exists():
        log.warning("cannot remove %s: %s", path, done.stderr.strip()[-500:])
        return False
    return True


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

"""A pids (and memory) cgroup per sandboxed run: the process cap that also holds for root, and a memory
cap for the whole run.

RLIMIT_NPROC is not enforced for uid 0, even inside a user namespace, so a fork bomb run by root is
only stopped by `pids.max`. RLIMIT_AS caps each process, not the run: six processes under the limit
hold six times it, and Node's Buffers live outside the heap cap, so the run's memory is capped by the
memory controller as well (no swap), where one is usable. Both hierarchies are handled: cgroup v1
(`/sys/fs/cgroup/pids`, `/sys/fs/cgroup/memory`) and v2 (`/sys/fs/cgroup` with the controllers).
Each run gets `codearena/run-<owner pid>-<owner start>-<id>`; it is emptied (SIGKILL to every member)
and removed afterwards, and runs left by a dead owner are cleaned up by the next run.
"""

from __future__ import annotations

import functools
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PARENT = "codearena"


@dataclass(frozen=True)
class Hierarchy:
    version: int
    base: Path  # our parent cgroup, e.g. /sys/fs/cgroup/pids/codearena


def _write(path: Path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _v1(controller: str) -> Hierarchy | None:
    root = CGROUP_ROOT / controller
    if not (root / "cgroup.procs").exists():
        return None
    base = root / PARENT
    base.mkdir(exist_ok=True)
    return Hierarchy(1, base)


def _v2(controller: str) -> Hierarchy | None:
    root = CGROUP_ROOT
    controllers = root / "cgroup.controllers"
    if not controllers.exists() or controller not in controllers.read_text().split():
        return None
    if controller not in (root / "cgroup.subtree_control").read_text().split():
        _write(root / "cgroup.subtree_control", f"+{controller}")
    base = root / PARENT
    base.mkdir(exist_ok=True)
    # Our parent holds no processes itself, so it may delegate the controller to the run cgroups.
    if controller not in (base / "cgroup.subtree_control").read_text().split():
        _write(base / "cgroup.subtree_control", f"+{controller}")
    return Hierarchy(2, base)


@functools.lru_cache(maxsize=None)
def hierarchy(controller: str = "pids") -> Hierarchy | None:
    """The usable hierarchy of `controller`, or None (not root, read-only cgroupfs, no such controller)."""
    for probe in (_v1, _v2):
        try:
            found = probe(controller)
        except OSError:
            continue
        if found is not None:
            return found
    return None


def _start_time(pid: int) -> str | None:
    """A process's start time (clock ticks after boot): with the pid, it names one process for good."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _owner() -> str:
    """This process, as written into the names of its run cgroups."""
    return f"{os.getpid()}-{_start_time(os.getpid())}"


def _remove_stale(base: Path) -> None:
    """Kill and remove run cgroups whose orchestrator is gone.

    A SIGKILLed orchestrator normally takes its sandboxes with it (PR_SET_PDEATHSIG), but if it dies
    while bwrap is still setting up, bwrap's inner process can be left waiting forever; its cgroup
    names the dead owner, so the next run finds and ends it.
    """
    for child in base.glob("run-*"):
        pid, _, rest = child.name[len("run-"):].partition("-")
        start = rest.rpartition("-")[0]
        if pid.isdigit() and _start_time(int(pid)) == start:
            continue  # its orchestrator is alive
        stale = PidsCgroup.__new__(PidsCgroup)
        stale.path = child
        stale.remove()


class PidsCgroup:
    """One run's cgroup: `open_procs()` gives the fds the child writes its pid to before exec (the pids
    cgroup, and on cgroup v1 the memory cgroup of the same name)."""

    def __init__(self, max_pids: int, memory_mb: int | None = None):
        found = hierarchy()
        if found is None:
            raise OSError("no writable pids cgroup hierarchy")
        _remove_stale(found.base)
        name = f"run-{_owner()}-{uuid.uuid4().hex[:12]}"
        self.path = found.base / name
        self.memory_path: Path | None = None  # where memory.* is set: None when no memory cap is usable
        self.path.mkdir()
        try:
            _write(self.path / "pids.max", str(max_pids))
            if memory_mb is not None:
                self._cap_memory(name, memory_mb * 2**20)
        except OSError:
            self.remove()
            raise

    def _cap_memory(self, name: str, limit: int) -> None:
        memory = hierarchy("memory")
        if memory is None:
            return  # rlimits still cap each process
        if memory.version == 1:
            _remove_stale(memory.base)
            self.memory_path = memory.base / name
            self.memory_path.mkdir()
            _write(self.memory_path / "memory.limit_in_bytes", str(limit))
            no_swap = (self.memory_path / "memory.memsw.limit_in_bytes", str(limit))
        else:
            self.memory_path = self.path
            _write(self.path / "memory.max", str(limit))
            no_swap = (self.path / "memory.swap.max", "0")
        try:  # no swap either (the file is absent when the kernel accounts no swap)
            _write(*no_swap)
        except OSError:
            pass

    def open_procs(self) -> list[int]:
        paths = [self.path] + ([self.memory_path] if self.memory_path not in (None, self.path) else [])
        return [os.open(p / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for p in paths]

    def oom_killed(self) -> bool:
        """Whether the memory cap killed a process of the run."""
        if self.memory_path is None:
            return False
        try:
            if self.memory_path == self.path:  # v2
                events = (self.path / "memory.events").read_text().split()
                return int(events[events.index("oom_kill") + 1]) > 0
            lines = (self.memory_path / "memory.oom_control").read_text().splitlines()
            return int(dict(line.split() for line in lines).get("oom_kill", 0)) > 0
        except (OSError, ValueError, IndexError):
            return False

    def pids(self) -> list[int]:
        try:
            return [int(line) for line in (self.path / "cgroup.procs").read_text().split()]
        except FileNotFoundError:
            return []

    def kill_all(self, timeout_s: float = 5.0) -> bool:
        """SIGKILL every member until the cgroup is empty; False if members remain after timeout_s."""
        kill_file = self.path / "cgroup.kill"  # v2 (Linux 5.14+): atomic, no race with forks
        if kill_file.exists():
            try:
                _write(kill_file, "1")
            except OSError:
                pass
        deadline = time.monotonic() + timeout_s
        while True:
            members = self.pids()
            if not members:
                return True
            if time.monotonic() > deadline:
                return False
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        """Kill what is left and remove the cgroup directories."""
        self.kill_all()
        for path in {self.path, getattr(self, "memory_path", None)} - {None}:
            for _ in range(100):  # the kernel frees a cgroup a moment after its last task is reaped
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)

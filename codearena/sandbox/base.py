"""What every sandbox backend offers: run one command in isolation, with limits, and report how it went.

A backend sees the sample's work directory at the fixed path `WORKDIR` (so paths in tracebacks do not
depend on the host), runs the sandbox Python from `python()`, and finds the files of the repository's
`sandbox/` directory (runner wrappers) under `sandbox_path()`. Backends differ in how they isolate
(bubblewrap, Docker, E2B), not in what runners see.
"""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

WORKDIR = "/sandbox"
SANDBOX_FILES_INSIDE = "/opt/codearena"  # where every backend shows the repository's sandbox/ files


def sandbox_environment(python_dir: str | None, env: dict[str, str] | None) -> dict[str, str]:
    """The whole environment a sample gets (nothing of the host's): the same on every backend."""
    base = {
        "PATH": (f"{python_dir}:" if python_dir else "") + "/usr/local/bin:/usr/bin:/bin",
        "HOME": WORKDIR, "TMPDIR": "/tmp", "LANG": "C.UTF-8",
        "USER": "sandbox", "LOGNAME": "sandbox", "TERM": "dumb",
    }
    base.update(env or {})
    return base


class SandboxError(RuntimeError):
    """The sandbox failed (our fault, not the sample's): records get status `sandbox_error`."""


class SandboxUnavailable(SandboxError):
    """The sandbox cannot run at all on this machine (a missing tool or interpreter); says how to fix it."""


@dataclass(frozen=True)
class Limits:
    wall_s: float = 20
    cpu_s: float = 15
    memory_mb: int = 2048  # the run's memory (every process together, where the backend can cap that)
    max_processes: int = 64
    file_size_mb: int = 64
    output_bytes: int = 4_000_000  # capture cap per stream; beyond it the middle is dropped (flagged)
    address_space_mb: int | None = None  # RLIMIT_AS per process; None: memory_mb (V8 reserves far more)

    @property
    def address_space_bytes(self) -> int:
        return (self.address_space_mb or self.memory_mb) * 2**20

    def prlimit(self, *extra: str) -> list[str]:
        """`prlimit` options for these limits, where a backend sets them inside (docker, e2b)."""
        cpu = max(1, math.ceil(self.cpu_s))
        return ["prlimit", f"--cpu={cpu}:{cpu + 1}", f"--as={self.address_space_bytes}",
                f"--fsize={self.file_size_mb * 2**20}", "--nofile=1024:1024", "--core=0", *extra]

    @classmethod
    def from_settings(cls, settings: dict) -> "Limits":
        """Limits from the config's `execution` section (missing keys keep their defaults)."""
        names = {"timeout_s": "wall_s", "cpu_s": "cpu_s", "memory_mb": "memory_mb",
                 "max_processes": "max_processes", "file_size_mb": "file_size_mb",
                 "output_bytes": "output_bytes"}
        return cls(**{field: settings[key] for key, field in names.items() if key in settings})


@dataclass
class ProcessResult:
    exit_code: int | None  # None when we killed it (timeout)
    stdout: str
    stderr: str
    timed_out: bool
    duration_s: float
    signal: int | None = None  # the signal that ended the program, if any
    output_capped: bool = False


class Server(ABC):
    """A long-running sandboxed app (Streamlit, Gradio, a static server...) that a browser screenshots.

    The app has no network except its own loopback. `url` is where the browser must go; when `netns` is
    set (local and docker backends) the browser must join that network namespace first (a Chromium
    started under `nsenter --net=<netns>`); when it is None (e2b) the URL is reachable from the host.
    """

    url: str
    netns: str | None

    @abstractmethod
    def alive(self) -> bool:
        """Whether the app's process is still running."""

    @abstractmethod
    def stop(self) -> ProcessResult:
        """Stop the whole process tree; return its exit code and the output it wrote (the server log)."""

    @abstractmethod
    def _kill(self) -> None:
        """End the app now (`stop()` collects what it left)."""

    def _bound_life(self, wall_s: float) -> None:
        """The app's whole life is bounded by the wall-clock limit, whatever its caller does: at the
        limit it is killed and `_expired` says so. Also the state `stop()` works with."""
        self._expired = False
        self._result: ProcessResult | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(wall_s, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _expire(self) -> None:
        self._expired = True
        self._kill()


class Backend(ABC):
    name: str
    # Whether this backend installs an answer's missing packages at run time when the config's
    # `execution.install_dependencies` is on (only backends with network can; local cannot).
    installs_dependencies: bool = False

    @abstractmethod
    def run(self, argv: list[str], workdir: Path, *, limits: Limits, env: dict[str, str] | None = None,
            stdin: bytes | None = None, network: bool = False) -> ProcessResult:
        """Run `argv` with `workdir` (host path) mounted read-write at WORKDIR; the rest is read-only."""

    def start(self, argv: list[str], workdir: Path, *, limits: Limits, port: int,
              env: dict[str, str] | None = None) -> Server:
        """Start a long-running app that listens on `port` inside the sandbox; `limits.wall_s` bounds its life."""
        raise SandboxUnavailable(f"the {self.name} backend cannot run server apps")

    def check(self) -> None:
        """Raise SandboxUnavailable (with the fix) if this backend cannot run here."""

    @abstractmethod
    def python(self) -> str:
        """The sandbox Python interpreter, as a path inside the sandbox."""

    def sandbox_path(self, relpath: str) -> str:
        """Where the repository file `sandbox/<relpath>` is seen inside the sandbox."""
        return f"{SANDBOX_FILES_INSIDE}/{relpath.lstrip('/')}"

"""The local backend: bubblewrap on this machine.

Each run gets its own user, pid, ipc, uts and network namespaces (no network at all unless asked for),
a read-only view of the system with unreadable files of /etc masked, a private sized tmpfs /tmp, the
sample's work directory read-write at /sandbox, and an environment built from scratch (no host
variable, no API key gets in). Resources are capped with rlimits (CPU, address space, file size, open
files, no core dumps), a pids cgroup (root ignores RLIMIT_NPROC) and a memory cgroup (all the run's
processes together). The wall-clock limit kills the whole tree: the process group, the cgroup's
members and, through bwrap's pid namespace, every process inside.

Measured on this machine (probe_exec.md section 3): bwrap adds ~4-5 ms per run.
"""

from __future__ import annotations

import atexit
import ctypes
import logging
import math
import os
import resource
import selectors
import shutil
import signal
import stat
import subprocess
import threading
import time
import warnings
from pathlib import Path
from typing import Callable, NamedTuple

from .base import (SANDBOX_FILES_INSIDE, WORKDIR, Backend, Limits, ProcessResult, SandboxError, SandboxUnavailable,
                   Server, sandbox_environment)
from .cgroups import PidsCgroup

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
SANDBOX_FILES = REPO_ROOT / "sandbox"  # runner wrappers, seen read-only inside
BWRAP_MISSING = "bubblewrap (bwrap) is not installed; install it with `apt-get install bubblewrap`"
NOBODY = 65534  # the uid of the fallback when no pids cgroup is usable
KILL_GRACE_S = 2.0  # how long to keep reading after a kill before giving up on the pipes
PR_SET_PDEATHSIG = 1


def sandbox_python() -> Path:
    """The interpreter for untrusted Python: $CODEARENA_SANDBOX_PYTHON or <repo>/.venv-sandbox/bin/python."""
    configured = os.environ.get("CODEARENA_SANDBOX_PYTHON")
    path = Path(configured) if configured else REPO_ROOT / ".venv-sandbox" / "bin" / "python"
    if not path.exists():
        source = "CODEARENA_SANDBOX_PYTHON" if configured else "the sandbox Python"
        raise SandboxUnavailable(f"{source} not found at {path}; run `make setup` to build it "
                                 "(from sandbox/python/requirements.txt)")
    return path.absolute()


def python_binds(python: Path) -> list[Path]:
    """Host directories an interpreter needs: its venv and the installation the venv was made from."""
    python = Path(python).absolute()
    dirs = [Path(os.path.realpath(python)).parent.parent]
    venv = python.parent.parent
    cfg = venv / "pyvenv.cfg"
    if cfg.exists():
        dirs.insert(0, venv)
        for line in cfg.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home" and value.strip():
                home = Path(value.strip())
                dirs.append(home.parent if home.name == "bin" else home)
    kept: list[Path] = []
    for d in dirs:
        if d == Path("/usr") or Path("/usr") in d.parents:
            continue  # the system is bound anyway
        if d not in kept and not any(k in d.parents for k in kept):
            kept.append(d)
    return kept


def _unreadable_in(top: Path) -> list[tuple[Path, bool]]:
    """Entries under `top` that other users may not read: (path, is_dir). Masked inside the sandbox, so
    the sandbox sees what an unprivileged user sees (/etc/shadow, /etc/gshadow, ssh host keys, ...)."""
    found = []
    for root, dirs, files in os.walk(top):
        for name in list(dirs):
            p = Path(root) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode) and not (st.st_mode & stat.S_IROTH and st.st_mode & stat.S_IXOTH):
                found.append((p, True))
                dirs.remove(name)
        for name in files:
            p = Path(root) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode) and not st.st_mode & stat.S_IROTH:
                found.append((p, False))
    return found


class _Capture:
    """Keeps the first and last `cap/2` bytes of a stream; what lies between is counted and dropped."""

    def __init__(self, cap: int):
        self.half = max(cap // 2, 1)
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def feed(self, data: bytes) -> None:
        self.total += len(data)
        room = self.half - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.half:
                del self.tail[: len(self.tail) - self.half]

    @property
    def capped(self) -> bool:
        return self.total > len(self.head) + len(self.tail)

    def text(self) -> str:
        if not self.capped:
            return (bytes(self.head) + bytes(self.tail)).decode("utf-8", errors="replace")
        dropped = self.total - len(self.head) - len(self.tail)
        marker = f"\n[... {dropped} bytes dropped by the sandbox output cap ...]\n"
        return bytes(self.head).decode("utf-8", "replace") + marker + bytes(self.tail).decode("utf-8", "replace")


# Live sandboxes, so that an orchestrator exiting normally (or by an exception) kills them too.
# A SIGKILLed orchestrator is covered by PR_SET_PDEATHSIG on bwrap.
_LIVE: dict[int, PidsCgroup | None] = {}


class Spawned(NamedTuple):
    proc: subprocess.Popen
    cgroup: PidsCgroup | None
    status_fd: int  # bwrap's JSON status (read end)
    start: float  # time.monotonic() just before the fork
_LIVE_LOCK = threading.Lock()


@atexit.register
def _kill_live() -> None:
    with _LIVE_LOCK:
        items = list(_LIVE.items())
    for pgid, cgroup in items:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass
        if cgroup is not None:
            cgroup.remove()


class LocalBackend(Backend):
    name = "local"

    def __init__(self, *, python: str | Path | None = None, bwrap: str | None = None, use_cgroup: bool = True,
                 ro_binds: tuple[str | Path, ...] = (), tmp_mb: int = 256):
        """`python`: the sandbox interpreter (default `sandbox_python()`); `use_cgroup=False` forces the
        fallback (unprivileged uid + RLIMIT_NPROC); `ro_binds`: extra host paths shown read-only at the
        same path (e.g. shared node_modules); `tmp_mb`: size of the private /tmp and of /dev/shm (as the
        docker backend's `tmp_mb`)."""
        self.tmp_mb = int(tmp_mb)
        self._python = Path(python).absolute() if python else None
        self._bwrap = bwrap
        self.use_cgroup = use_cgroup
        self.ro_binds = tuple(Path(p).absolute() for p in ro_binds)
        self._etc_masks: list[tuple[Path, bool]] | None = None
        self._warned = False

    # -- what runners see -------------------------------------------------------------------------
    def python(self) -> str:
        if self._python is None:
            self._python = sandbox_python()
        elif not self._python.exists():
            raise SandboxUnavailable(f"the sandbox Python {self._python} does not exist; run `make setup`")
        return str(self._python)

    def _python_if_any(self) -> Path | None:
        """The sandbox Python if it exists (commands that do not need it run without it)."""
        try:
            return Path(self.python())
        except SandboxUnavailable:
            return None

    def bwrap(self) -> str:
        path = self._bwrap or shutil.which("bwrap")
        if not path or not os.access(path, os.X_OK):
            raise SandboxUnavailable(BWRAP_MISSING)
        return path

    def check(self) -> None:
        self.bwrap()
        self.python()

    # -- the bwrap command line -------------------------------------------------------------------
    def _mounts(self, workdir: Path, network: bool) -> list[str]:
        args = ["--die-with-parent", "--new-session",
                "--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
                "--uid", "1000", "--gid", "1000", "--hostname", "sandbox"]
        if not network:
            args.append("--unshare-net")
        # The tmpfs /tmp comes before every bind: a later tmpfs would hide binds below /tmp (a venv
        # under /tmp then silently resolves to the system Python).
        # Both tmpfs are sized: their pages are RAM that no rlimit of the program counts.
        args += ["--size", str(self.tmp_mb * 2**20), "--tmpfs", "/tmp", "--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            top = Path("/") / name
            if top.is_symlink():
                args += ["--symlink", os.readlink(top), str(top)]
            elif top.is_dir():
                args += ["--ro-bind", str(top), str(top)]
        args += ["--ro-bind", "/etc", "/etc"]
        if self._etc_masks is None:
            self._etc_masks = _unreadable_in(Path("/etc"))
        for path, is_dir in self._etc_masks:
            args += ["--tmpfs", str(path)] if is_dir else ["--ro-bind", "/dev/null", str(path)]
        # /dev itself is a writable tmpfs of bwrap's: read-only, with a sized /dev/shm (POSIX shared memory).
        args += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(self.tmp_mb * 2**20),
                 "--tmpfs", "/dev/shm", "--remount-ro", "/dev"]
        python = self._python_if_any()
        for d in (python_binds(python) if python else []) + list(self.ro_binds):
            args += ["--ro-bind", str(d), str(d)]
        if SANDBOX_FILES.is_dir():
            args += ["--ro-bind", str(SANDBOX_FILES), SANDBOX_FILES_INSIDE]
        args += ["--bind", str(workdir), WORKDIR, "--chdir", WORKDIR]
        args += ["--remount-ro", "/"]  # the root tmpfs bwrap builds; only /sandbox and /tmp stay writable
        return args

    def _environment(self, env: dict[str, str] | None) -> list[str]:
        python = self._python_if_any()
        args = ["--clearenv"]
        for key, value in sandbox_environment(str(python.parent) if python else None, env).items():
            args += ["--setenv", key, value]
        return args

    def command(self, argv: list[str], workdir: Path, env: dict[str, str] | None = None,
                network: bool = False) -> list[str]:
        """The full bwrap argv for `argv` (for logs and debugging)."""
        return [self.bwrap(), *self._mounts(workdir, network), *self._environment(env), "--", *argv]

    # -- running ----------------------------------------------------------------------------------
    def _fallback(self, why: str, workdir: Path) -> int | None:
        """No pids cgroup: cap processes with RLIMIT_NPROC, which root ignores, so run as nobody."""
        if not self._warned:
            self._warned = True
            msg = (f"no usable pids cgroup ({why}); capping processes with RLIMIT_NPROC instead"
                   + (f", running sandboxes as uid {NOBODY} (the sandbox Python must be readable by it)"
                      if os.geteuid() == 0 else " (it counts all processes of this user)"))
            warnings.warn(msg, RuntimeWarning, stacklevel=3)
            log.warning(msg)
        if os.geteuid() != 0:
            return None
        for parent in workdir.parents:
            if not parent.stat().st_mode & stat.S_IXOTH:
                raise SandboxError(f"{parent} is not searchable by uid {NOBODY}, so the sandbox cannot reach the "
                                   f"work directory {workdir}; use a work directory below a 0711/0755 path")
        for root, dirs, files in os.walk(workdir):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(root, name), NOBODY, NOBODY)
        os.chown(workdir, NOBODY, NOBODY)
        return NOBODY

    def spawn(self, argv: list[str], workdir: Path, *, limits: Limits, env: dict[str, str] | None,
              network: bool, stdin: bool = False,
              spawner: Callable[[Callable[[], subprocess.Popen]], subprocess.Popen] | None = None) -> Spawned:
        """Start `argv` in bwrap, in its own cgroup (or as `nobody` without one), registered so that it
        is killed if the orchestrator exits. `spawner` runs the fork (see codearena.sandbox.local_server)."""
        workdir = Path(workdir).resolve()
        if not workdir.is_dir():
            raise SandboxError(f"work directory {workdir} does not exist")
        cmd = self.command(argv, workdir, env, network)
        cgroup: PidsCgroup | None = None
        drop_to: int | None = None
        if self.use_cgroup:
            try:
                cgroup = PidsCgroup(limits.max_processes, limits.memory_mb)
            except OSError as e:
                drop_to = self._fallback(str(e), workdir)
        else:
            drop_to = self._fallback("disabled", workdir)
        cg_fds: list[int] = []
        # bwrap writes {"child-pid": N} here when it has created the sandbox, and {"exit-code": M} only
        # if the command really ran: without it, the sandbox itself failed (a missing bind source, an
        # interpreter that cannot be executed), not the sample.
        status_r, status_w = os.pipe()
        cmd[1:1] = ["--json-status-fd", str(status_w)]
        start = time.monotonic()

        def popen() -> subprocess.Popen:
            return subprocess.Popen(
                cmd, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, pass_fds=[status_w],
                preexec_fn=_preexec(limits, cg_fds, drop_to), env={"PATH": "/usr/bin:/bin"})

        try:
            cg_fds = cgroup.open_procs() if cgroup else []
            proc = spawner(popen) if spawner else popen()
        except OSError as e:
            os.close(status_r)
            if cgroup:
                cgroup.remove()
            raise SandboxError(f"cannot start bwrap: {e}") from e
        finally:
            os.close(status_w)
            for fd in cg_fds:
                os.close(fd)
        with _LIVE_LOCK:
            _LIVE[proc.pid] = cgroup
        return Spawned(proc, cgroup, status_r, start)

    def run(self, argv: list[str], workdir: Path, *, limits: Limits, env: dict[str, str] | None = None,
            stdin: bytes | None = None, network: bool = False) -> ProcessResult:
        proc, cgroup, status_r, start = self.spawn(argv, workdir, limits=limits, env=env, network=network,
                                                   stdin=stdin is not None)
        try:
            out, err, timed_out = _collect(proc, stdin, limits, start, cgroup)
            if not timed_out:  # the pipes closed; the program may still run (it closed them itself)
                try:
                    proc.wait(timeout=max(0.0, start + limits.wall_s - time.monotonic()))
                except subprocess.TimeoutExpired:
                    timed_out = True
        finally:
            if proc.returncode is None:  # not reaped yet, so its process group id is still ours
                _kill_tree(proc.pid, cgroup)
                proc.wait()
            elif cgroup:
                cgroup.kill_all()
            with _LIVE_LOCK:
                _LIVE.pop(proc.pid, None)
            oom = bool(cgroup and cgroup.oom_killed())
            if cgroup:
                cgroup.remove()
            status = _read_available(status_r)
            os.close(status_r)
        duration = time.monotonic() - start
        if not timed_out and b'"exit-code"' not in status:
            raise SandboxError(f"the sandbox could not start the command (bwrap exit {proc.returncode}): "
                               f"{err.text().strip()[-2000:]}")
        rc = proc.returncode
        exit_code: int | None = rc
        sig: int | None = None
        if timed_out:
            exit_code, sig = None, signal.SIGKILL
        elif rc < 0:
            exit_code, sig = None, -rc
        elif rc > 128 and (rc - 128) in signal.valid_signals():
            sig = rc - 128  # bwrap reports a child killed by signal N as 128+N, like a shell
        stderr = err.text()
        if oom:  # as the docker backend says it
            stderr += f"\n[sandbox] killed: out of memory (limit {limits.memory_mb} MB)\n"
        return ProcessResult(exit_code=exit_code, stdout=out.text(), stderr=stderr, timed_out=timed_out,
                             duration_s=round(duration, 3), signal=int(sig) if sig else None,
                             output_capped=out.capped or err.capped)

    def start(self, argv: list[str], workdir: Path, *, limits: Limits, port: int,
              env: dict[str, str] | None = None) -> Server:
        """Start a server app in its own network namespace (see codearena.sandbox.local_server)."""
        from .local_server import start_server

        return start_server(self, argv, workdir, limits=limits, port=port, env=env)


def _preexec(limits: Limits, cg_fds: list[int] | None, drop_to: int | None):
    """Runs in the child between fork and exec: join the cgroup, die with the parent, set rlimits."""
    libc = ctypes.CDLL(None, use_errno=True)
    parent = os.getpid()
    cpu = max(1, math.ceil(limits.cpu_s))
    rlimits = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),  # SIGXCPU at the soft limit, SIGKILL one second later
        (resource.RLIMIT_AS, (limits.address_space_bytes,) * 2),
        (resource.RLIMIT_FSIZE, (limits.file_size_mb * 2**20,) * 2),
        (resource.RLIMIT_NOFILE, (1024, 1024)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if not cg_fds:
        rlimits.append((resource.RLIMIT_NPROC, (limits.max_processes,) * 2))

    def preexec() -> None:
        for fd in cg_fds or ():
            os.write(fd, str(os.getpid()).encode())
        # bwrap outlives a killed parent otherwise (--die-with-parent only covers bwrap's own child).
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:
            os._exit(1)
        for which, value in rlimits:
            resource.setrlimit(which, value)
        if drop_to is not None:
            os.setgroups([])
            os.setgid(drop_to)
            os.setuid(drop_to)

    return preexec


def _read_available(fd: int) -> bytes:
    """What is in a pipe now (its writers are gone or it is empty), without blocking."""
    os.set_blocking(fd, False)
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _kill_tree(pgid: int, cgroup: PidsCgroup | None) -> None:
    """SIGKILL bwrap's child first: it is pid 1 of the sandbox's pid namespace, so the kernel ends every
    process inside, and bwrap (still alive) reaps it instead of leaving an orphan to init. Then the
    process group and whatever is left in the cgroup."""
    try:
        children = Path(f"/proc/{pgid}/task/{pgid}/children").read_text().split()
    except OSError:
        children = []
    for child in children:
        try:
            os.kill(int(child), signal.SIGKILL)
        except OSError:
            pass
    if children:
        time.sleep(0.02)  # let bwrap reap its child
    try:
        os.killpg(pgid, signal.SIGKILL)
    except OSError:
        pass
    if cgroup is not None:
        cgroup.kill_all()


def _collect(proc: subprocess.Popen, stdin: bytes | None, limits: Limits, start: float,
             cgroup: PidsCgroup | None) -> tuple[_Capture, _Capture, bool]:
    """Read stdout and stderr (capped) and feed stdin until the pipes close or the wall clock runs out."""
    out, err = _Capture(limits.output_bytes), _Capture(limits.output_bytes)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, out)
    sel.register(proc.stderr, selectors.EVENT_READ, err)
    pending = memoryview(stdin or b"")
    if proc.stdin is not None:
        os.set_blocking(proc.stdin.fileno(), False)
        if pending:
            sel.register(proc.stdin, selectors.EVENT_WRITE, None)
        else:
            proc.stdin.close()
    deadline = start + limits.wall_s
    timed_out = False
    try:
        while sel.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if timed_out:
                    break  # killed, and the pipes still did not close within the grace period
                timed_out = True
                _kill_tree(proc.pid, cgroup)
                deadline = time.monotonic() + KILL_GRACE_S
                continue
            for key, _ in sel.select(timeout=min(remaining, 0.5)):
                if key.data is None:  # stdin is writable
                    try:
                        written = os.write(key.fd, pending[:65536])
                        pending = pending[written:]
                    except BrokenPipeError:
                        pending = pending[:0]
                    if not pending:
                        sel.unregister(key.fileobj)
                        proc.stdin.close()
                    continue
                data = os.read(key.fd, 65536)
                if data:
                    key.data.feed(data)
                else:
                    sel.unregister(key.fileobj)
    finally:
        sel.close()
        for f in (proc.stdin, proc.stdout, proc.stderr):
            if f is not None and not f.closed:
                f.close()
    return out, err, timed_out

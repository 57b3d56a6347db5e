"""Long-running apps (Streamlit, Gradio, ...) in bubblewrap, each in its own network namespace.

The app gets the same sandbox as `LocalBackend.run` (read-only system, work dir at /sandbox, rlimits,
pids cgroup) and no network but its own loopback, where it listens on 127.0.0.1:<port>. The host
reaches it only by joining that namespace: `Server.netns` is a path to it that stays valid while the
server object lives (an fd we hold open, so a recycled pid cannot point it elsewhere). Output is read
by a thread into head/tail-capped buffers; `stop()` kills the whole tree and returns it.

Processes are spawned from one long-lived thread: PR_SET_PDEATHSIG (which ends the sandbox when the
orchestrator dies) fires when the *thread* that forked the child exits, and a server outlives the
call that started it (a web app may start it from a short-lived worker thread).
"""

from __future__ import annotations

import json
import os
import select
import selectors
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from .base import Limits, ProcessResult, SandboxError, SandboxUnavailable, Server
from .cgroups import PidsCgroup

if TYPE_CHECKING:
    from .local import LocalBackend

START_TIMEOUT_S = 15.0  # for bwrap to set the sandbox up (not for the app to become ready)
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codearena-spawner")


def start_server(backend: "LocalBackend", argv: list[str], workdir: Path, *, limits: Limits, port: int,
                 env: dict[str, str] | None) -> "LocalServer":
    if os.geteuid() != 0:
        raise SandboxUnavailable("server apps on the local backend need root: the browser and the readiness "
                                 "check join the app's network namespace (setns needs CAP_SYS_ADMIN)")
    proc, cgroup, status_r, start = backend.spawn(argv, workdir, limits=limits, env=env, network=False,
                                                  spawner=lambda popen: _SPAWNER.submit(popen).result())
    server = LocalServer(proc, cgroup, port, limits, start, status_r)
    try:
        child = _read_child_pid(status_r, proc)
        try:
            server.attach_netns(child)
        except (OSError, TypeError):  # no sandbox any more: it failed (SandboxError), or the app already ended
            # bwrap itself is still exiting: reap it first, or stop() would take its end for ours (a kill)
            # and not report a sandbox that failed to start.
            try:
                proc.wait(timeout=START_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pass
            server.stop()
    except BaseException:
        server.stop(check=False)
        raise
    return server


def _read_child_pid(fd: int, proc: subprocess.Popen) -> int | None:
    """The sandbox's pid 1 from bwrap's first JSON status line; None if bwrap ended without it."""
    data = b""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and b"\n" not in data:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            chunk = os.read(fd, 1)  # byte by byte: the exit status that may follow is read at stop()
            if not chunk:
                break
            data += chunk
        elif proc.poll() is not None:
            break
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


class LocalServer(Server):
    def __init__(self, proc: subprocess.Popen, cgroup: PidsCgroup | None, port: int, limits: Limits,
                 start: float, status_fd: int):
        from .local import _Capture

        self.url = f"http://127.0.0.1:{port}/"
        self.netns = None
        self._netns_fd: int | None = None
        self._proc, self._cgroup, self._limits, self._start = proc, cgroup, limits, start
        self._status_fd: int | None = status_fd
        self._out, self._err = _Capture(limits.output_bytes), _Capture(limits.output_bytes)
        self._reader = threading.Thread(target=self._read, name="codearena-server-log", daemon=True)
        self._reader.start()
        self._bound_life(limits.wall_s)

    def attach_netns(self, child_pid: int) -> None:
        self._netns_fd = os.open(f"/proc/{child_pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        self.netns = f"/proc/{os.getpid()}/fd/{self._netns_fd}"

    def _read(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._proc.stdout, selectors.EVENT_READ, self._out)
        sel.register(self._proc.stderr, selectors.EVENT_READ, self._err)
        try:
            while sel.get_map():
                for key, _ in sel.select(timeout=0.5):
                    data = os.read(key.fd, 65536)
                    if data:
                        key.data.feed(data)
                    else:
                        sel.unregister(key.fileobj)
        finally:
            sel.close()

    def _kill(self) -> None:
        from .local import _kill_tree

        if self._proc.returncode is None:
            _kill_tree(self._proc.pid, self._cgroup)

    def alive(self) -> bool:
        return self._proc.poll() is None and not self._expired

    def stop(self, check: bool = True) -> ProcessResult:
        """Kill the tree (if still running) and return the log. `exit_code` is the app's own when it
        ended by itself, None when we stopped it; `timed_out` when its wall-clock life ran out.
        SandboxError if the app ended because the sandbox itself failed (unless `check` is False)."""
        from . import local

        with self._lock:
            if self._result is not None:
                return self._result
            self._timer.cancel()
            ended_by_itself = self._proc.poll() is not None and not self._expired
            self._kill()
            self._proc.wait()
            if self._cgroup is not None:
                self._cgroup.kill_all()
            self._reader.join(timeout=local.KILL_GRACE_S)
            for f in (self._proc.stdout, self._proc.stderr):
                if not self._reader.is_alive():
                    f.close()
            with local._LIVE_LOCK:
                local._LIVE.pop(self._proc.pid, None)
            if self._cgroup is not None:
                self._cgroup.remove()
            if self._netns_fd is not None:
                os.close(self._netns_fd)
                self._netns_fd = None
            status = local._read_available(self._status_fd)
            os.close(self._status_fd)
            rc = self._proc.returncode
            exit_code = sig = None
            if ended_by_itself:
                exit_code = rc
                if rc < 0:
                    exit_code, sig = None, -rc
                elif rc > 128 and (rc - 128) in signal.valid_signals():
                    sig = rc - 128  # bwrap reports a child killed by signal N as 128+N
            self._result = ProcessResult(
                exit_code=exit_code, stdout=self._out.text(), stderr=self._err.text(), timed_out=self._expired,
                duration_s=round(time.monotonic() - self._start, 3), signal=sig,
                output_capped=self._out.capped or self._err.capped)
        if check and ended_by_itself and b'"exit-code"' not in status:
            raise SandboxError(f"the sandbox could not start the app (bwrap exit {rc}): "
                               f"{self._result.stderr.strip()[-2000:]}")
        return self._result

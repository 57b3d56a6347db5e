"""The docker backend: one container per run, through the `docker` SDK, from images the project builds.

Each run gets a fresh container of the project's image (`make images`, see `docker_images`) with:
no network (`network_mode="none"`: only a loopback), memory (no swap), CPU and pids limits, a
non-root user, a read-only root file system with a private tmpfs /tmp, all capabilities dropped and
no-new-privileges, an init (tini) as pid 1 so signals and exit codes behave as under bwrap, and the
sample's work directory as the only host path, bound at the same WORKDIR the local backend uses. The
per-process rlimits of the local backend (CPU seconds, address space, file size, open files, no core
dumps) are set inside by `prlimit`, so a program meets the same limits on both backends and records
come out the same. stdout and stderr are read separately from the attach stream (head and tail kept
beyond the cap; the log driver is off, so a chatty program fills no disk), the wall-clock limit
kills the container, and containers are removed by id (never a prune). Containers left by an
orchestrator that died are found by label and removed by id on the next start. The engine must run on
this machine: the work directory is a bind mount, and server apps are reached through the container's
network namespace.

Measured on this machine (probe_docker.md): create+start+wait+remove of a container ~0.3-0.7 s.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import threading
import time
from pathlib import Path
from typing import Any

from .base import (WORKDIR, Backend, Limits, ProcessResult, SandboxError, SandboxUnavailable, Server,
                   sandbox_environment)
from .cgroups import _start_time

PYTHON_INSIDE = "/opt/venv/bin/python"
SANDBOX_UID = 1000  # the image's `sandbox` user; bwrap's --uid in the local backend is the same
LABEL = "org.codearena.sandbox"  # on every container we create: its value names the owner process
KILL_GRACE_S = 2.0
# The settings of container_config() that go to the low-level API's host_config (the high-level
# `containers.create` splits them itself, but leaves StdinOnce off, which stdin's EOF needs).
HOST_CONFIG_KEYS = ("network_mode", "mem_limit", "memswap_limit", "pids_limit", "nano_cpus", "read_only", "init",
                    "tmpfs", "cap_drop", "security_opt", "mounts", "log_config")
EXEC_FAILED = "prlimit: failed to execute"  # prlimit's message when the command itself cannot start
NO_DAEMON_FIX = ("start a Docker daemon (or set DOCKER_HOST / execution.docker.base_url to one); "
                 "on Debian: `apt-get install docker.io` and start `dockerd`")


def _owner() -> str:
    """This process, for the label of its containers: host, pid and start time name it for good."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def _owner_alive(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid, _, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's: not ours to judge
    return _start_time(int(pid)) == start


# Live containers (client, id), so that an orchestrator exiting normally removes them too.
_LIVE: set[tuple[Any, str]] = set()
_LIVE_LOCK = threading.Lock()


@atexit.register
def _remove_live() -> None:
    with _LIVE_LOCK:
        items = list(_LIVE)
    for client, container_id in items:
        _remove(client, container_id)


def _remove(client, container_id: str) -> None:
    """Remove one container by id (killing it first); already gone is fine."""
    import docker.errors

    try:
        client.api.remove_container(container_id, force=True, v=True)
    except docker.errors.NotFound:
        pass
    except docker.errors.APIError as e:
        if "already in progress" not in str(e):
            raise SandboxError(f"cannot remove container {container_id[:12]}: {e}") from e
    with _LIVE_LOCK:
        _LIVE.discard((client, container_id))


def _raw_socket(sock):
    """The real socket under the SDK's attach stream (a SocketIO for unix/tcp, an SSL socket for https)."""
    return getattr(sock, "_sock", sock)


class _Attached:
    """The container's stdin/stdout/stderr through one attach connection: a thread reads the
    multiplexed frames into two capped captures; stdin (if any) is written then half-closed."""

    def __init__(self, client, container_id: str, cap: int, stdin: bytes | None):
        from docker.utils.socket import frames_iter

        from .local import _Capture  # the same head+tail capture as the local backend

        self.out, self.err = _Capture(cap), _Capture(cap)
        params = {"stdout": 1, "stderr": 1, "stream": 1, "stdin": 1 if stdin is not None else 0}
        self._sock = client.api.attach_socket(container_id, params=params)
        self._stdin = stdin
        self._frames = frames_iter(self._sock, False)
        self._reader = threading.Thread(target=self._read, name="codearena-docker-output", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        try:
            for stream, data in self._frames:
                (self.err if stream == 2 else self.out).feed(data)
        except (OSError, ValueError):
            pass  # the connection was closed under us: the container is gone

    def send_stdin(self) -> None:
        if self._stdin is None:
            return
        data, raw = self._stdin, _raw_socket(self._sock)

        def write() -> None:
            try:
                raw.sendall(data)
                raw.shutdown(socket.SHUT_WR)  # EOF for the program (stdin_once)
            except OSError:
                pass  # the program ended without reading it all

        threading.Thread(target=write, name="codearena-docker-stdin", daemon=True).start()

    def finish(self) -> None:
        """Wait for the streams to close (the container ended), then close the connection."""
        self._reader.join(KILL_GRACE_S)
        try:
            _raw_socket(self._sock).shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._reader.join(KILL_GRACE_S)


class DockerBackend(Backend):
    name = "docker"

    def __init__(self, *, image: str | None = None, base_url: str | None = None, cpus: float = 1.0,
                 tmp_mb: int = 256, python: str = PYTHON_INSIDE, network: str = "bridge",
                 api_timeout_s: float = 120):
        """`image`: the sandbox image (default: the project's python image for the current sources,
        see `docker_images.tag`); `base_url`: the daemon (default: DOCKER_HOST or the local socket);
        `cpus`: CPUs per container; `tmp_mb`: size of the tmpfs /tmp; `network`: the docker network of
        runs that ask for one (runtime installs; off by default)."""
        if image is None:
            from .docker_images import tag

            image = tag("python")
        self.image = image
        self.base_url = base_url
        self.cpus = float(cpus)
        self.tmp_mb = int(tmp_mb)
        self._python = python
        self.network = network
        self.api_timeout_s = api_timeout_s
        self._client = None
        self._lock = threading.Lock()

    # -- the engine -------------------------------------------------------------------------------
    def client(self):
        """The SDK client, connected and answering (SandboxUnavailable with the fix otherwise)."""
        with self._lock:
            if self._client is not None:
                return self._client
            try:
                import docker
            except ImportError as e:
                raise SandboxUnavailable("the docker Python SDK is not installed; `pip install docker`") from e
            try:
                if self.base_url:
                    client = docker.DockerClient(base_url=self.base_url, timeout=self.api_timeout_s)
                else:
                    client = docker.from_env(timeout=self.api_timeout_s)
                client.ping()
            except docker.errors.DockerException as e:
                where = self.base_url or os.environ.get("DOCKER_HOST") or "the default socket"
                raise SandboxUnavailable(f"no Docker engine answers at {where} ({e}); {NO_DAEMON_FIX}") from e
            self._remove_stale(client)
            self._client = client
            return client

    @staticmethod
    def _remove_stale(client) -> None:
        """Remove (by id) containers whose orchestrator on this machine is gone."""
        for c in client.api.containers(all=True, filters={"label": LABEL}):
            owner = (c.get("Labels") or {}).get(LABEL, "")
            if not _owner_alive(owner):
                _remove(client, c["Id"])

    def check(self) -> None:
        import docker.errors

        client = self.client()
        try:
            client.api.inspect_image(self.image)
        except docker.errors.ImageNotFound:
            raise SandboxUnavailable(f"the Docker image {self.image} is not there; build it with `make images` "
                                     "(an image built from other sandbox/ sources has another tag)") from None

    # -- what runners see -------------------------------------------------------------------------
    def python(self) -> str:
        return self._python

    # -- the container ----------------------------------------------------------------------------
    @staticmethod
    def _hand_over(workdir: Path) -> str:
        """Who runs inside: the orchestrator's own uid if it is not root, else the image's `sandbox`
        user, which is then given the work directory (root on the host still reads everything in it)."""
        if os.geteuid() != 0:
            return f"{os.getuid()}:{os.getgid()}"
        for root, dirs, files in os.walk(workdir):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(root, name), SANDBOX_UID, SANDBOX_UID)
        os.chown(workdir, SANDBOX_UID, SANDBOX_UID)
        return f"{SANDBOX_UID}:{SANDBOX_UID}"

    def container_config(self, argv: list[str], workdir: Path, limits: Limits, env: dict[str, str] | None,
                         network: bool, stdin: bool, user: str) -> dict:
        """The settings of the container for one run (for logs, tests and debugging)."""
        from docker.types import LogConfig, Mount

        memory = limits.memory_mb * 2**20
        command = [*limits.prlimit(), "--", *argv]
        return dict(
            image=self.image, command=command, user=user, working_dir=WORKDIR,
            environment=sandbox_environment(str(Path(self._python).parent), env), hostname="sandbox",
            network_mode=self.network if network else "none",
            mem_limit=memory, memswap_limit=memory, pids_limit=limits.max_processes,
            nano_cpus=int(self.cpus * 1e9), read_only=True, init=True,
            tmpfs={"/tmp": f"size={self.tmp_mb}m,mode=1777"},
            cap_drop=["ALL"], security_opt=["no-new-privileges"],
            mounts=[Mount(target=WORKDIR, source=str(workdir), type="bind", read_only=False)],
            log_config=LogConfig(type=LogConfig.types.NONE), labels={LABEL: _owner()},
            stdin_open=stdin,  # with detach=False the SDK also sets StdinOnce: EOF when we half-close
        )

    def _create(self, argv: list[str], workdir: Path, limits: Limits, env: dict[str, str] | None,
                network: bool, stdin: bool) -> tuple[Any, str]:
        import docker.errors

        workdir = Path(workdir).resolve()
        if not workdir.is_dir():
            raise SandboxError(f"work directory {workdir} does not exist")
        client = self.client()
        config = self.container_config(argv, workdir, limits, env, network, stdin, self._hand_over(workdir))
        try:
            host = {k: config.pop(k) for k in HOST_CONFIG_KEYS}
            container_id = client.api.create_container(host_config=client.api.create_host_config(**host),
                                                       **config)["Id"]
        except docker.errors.ImageNotFound:
            raise SandboxUnavailable(f"the Docker image {self.image} is not there; build it with `make images`") \
                from None
        except docker.errors.APIError as e:
            raise SandboxError(f"cannot create a container of {self.image}: {e.explanation or e}") from e
        with _LIVE_LOCK:
            _LIVE.add((client, container_id))
        return client, container_id

    def run(self, argv: list[str], workdir: Path, *, limits: Limits, env: dict[str, str] | None = None,
            stdin: bytes | None = None, network: bool = False) -> ProcessResult:
        import docker.errors
        import requests.exceptions

        client, cid = self._create(argv, workdir, limits, env, network, stdin is not None)
        try:
            attached = _Attached(client, cid, limits.output_bytes, stdin)
            start = time.monotonic()
            try:
                client.api.start(cid)
            except docker.errors.APIError as e:
                raise SandboxError(f"cannot start the container: {e.explanation or e}") from e
            attached.send_stdin()
            timed_out = False
            try:
                status = client.api.wait(cid, timeout=limits.wall_s)
            except requests.exceptions.RequestException:  # the wall clock ran out (a read timeout)
                timed_out = True
                _kill(client, cid)
                status = client.api.wait(cid, timeout=30)
            duration = time.monotonic() - start
            attached.finish()
            oom = client.api.inspect_container(cid)["State"].get("OOMKilled", False)
        finally:
            _remove(client, cid)
        rc = int(status.get("StatusCode", -1))
        err = attached.err.text()
        if not timed_out and rc in (126, 127) and err.startswith(EXEC_FAILED):
            raise SandboxError(f"the container could not start the command: {err.strip()[-2000:]}")
        exit_code: int | None = rc
        sig: int | None = None
        if timed_out:
            exit_code, sig = None, int(signal.SIGKILL)
        elif rc > 128 and (rc - 128) in signal.valid_signals():
            sig = rc - 128  # tini reports a child killed by signal N as 128+N, like bwrap
        if oom and not timed_out:
            err += f"\n[sandbox] killed: out of memory (limit {limits.memory_mb} MB)\n"
        return ProcessResult(exit_code=exit_code, stdout=attached.out.text(), stderr=err, timed_out=timed_out,
                             duration_s=round(duration, 3), signal=sig,
                             output_capped=attached.out.capped or attached.err.capped)

    def start(self, argv: list[str], workdir: Path, *, limits: Limits, port: int,
              env: dict[str, str] | None = None) -> Server:
        import docker.errors

        if os.geteuid() != 0:
            raise SandboxUnavailable("server apps on the docker backend need root: the browser joins the "
                                     "container's network namespace (setns needs CAP_SYS_ADMIN)")
        client, cid = self._create(argv, workdir, limits, env, False, False)
        try:
            attached = _Attached(client, cid, limits.output_bytes, None)
            client.api.start(cid)
            pid = client.api.inspect_container(cid)["State"].get("Pid") or 0
            return DockerServer(client, cid, attached, pid, port, limits)
        except docker.errors.APIError as e:
            _remove(client, cid)
            raise SandboxError(f"cannot start the container: {e.explanation or e}") from e
        except BaseException:
            _remove(client, cid)
            raise


def _kill(client, container_id: str) -> None:
    import docker.errors

    try:
        client.api.kill(container_id)
    except docker.errors.APIError:
        pass  # it ended by itself meanwhile


class DockerServer(Server):
    """A server app in its own container; the browser reaches it inside the container's network
    namespace, held open by an fd of ours (a recycled pid cannot point the path elsewhere)."""

    def __init__(self, client, container_id: str, attached: _Attached, pid: int, port: int, limits: Limits):
        self.url = f"http://127.0.0.1:{port}/"
        self._client, self._id, self._attached, self._limits = client, container_id, attached, limits
        self._start = time.monotonic()
        self._netns_fd: int | None = None
        try:
            self._netns_fd = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        except OSError as e:
            raise SandboxUnavailable(f"cannot open the network namespace of container {container_id[:12]} "
                                     f"(pid {pid}): {e}; the Docker engine must run on this machine") from e
        self.netns = f"/proc/{os.getpid()}/fd/{self._netns_fd}"
        self._bound_life(limits.wall_s)

    def _kill(self) -> None:
        _kill(self._client, self._id)

    def alive(self) -> bool:
        import docker.errors

        if self._expired or self._result is not None:
            return False
        try:
            return bool(self._client.api.inspect_container(self._id)["State"].get("Running"))
        except docker.errors.NotFound:
            return False

    def stop(self) -> ProcessResult:
        """Kill the container (if still running) and return its log. `exit_code` is the app's own when
        it ended by itself, None when we stopped it; `timed_out` when its wall-clock life ran out."""
        with self._lock:
            if self._result is not None:
                return self._result
            self._timer.cancel()
            client, cid = self._client, self._id
            try:
                state = client.api.inspect_container(cid)["State"]
                ended_by_itself = not state.get("Running") and not self._expired
                _kill(client, cid)
                status = client.api.wait(cid, timeout=30)
                self._attached.finish()
            finally:
                _remove(client, cid)
                if self._netns_fd is not None:
                    os.close(self._netns_fd)
                    self._netns_fd = None
            exit_code = sig = None
            if ended_by_itself:
                exit_code = int(status.get("StatusCode", -1))
                if exit_code > 128 and (exit_code - 128) in signal.valid_signals():
                    sig = exit_code - 128
            out, err = self._attached.out, self._attached.err
            self._result = ProcessResult(exit_code=exit_code, stdout=out.text(), stderr=err.text(),
                                         timed_out=self._expired, duration_s=round(time.monotonic() - self._start, 3),
                                         signal=sig, output_capped=out.capped or err.capped)
            return self._result

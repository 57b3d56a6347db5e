"""A Docker daemon of our own (tests, benchmarks).

Everything it keeps lives under one directory: exec root, pid file, log, its unix socket and (unless a
`data_root` is given, e.g. a cache kept between test runs, whose images then survive) its data root,
so it never meets the host's daemon or another test run's. It touches no host networking:
no bridge, no iptables rules, no ip_forward (`--bridge=none --iptables=false --ip-forward=false`); its
containers get `network_mode="none"` anyway. Storage is overlay2 (vfs copies the whole image per
container: ~6 s a run). `stop()` removes its containers by id, ends the daemon (SIGTERM, then SIGKILL
to its own process group), unmounts what is left below its directories and deletes what it created
(not a given data root: deleting 1 GB of image layers takes over a minute on a busy disk).

Recipe and figures: ../shared/reference/probe_docker.md (ready in ~0.3-0.8 s on this machine).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .base import SandboxUnavailable
from .workdir import mounts_below

FLAGS = ["--storage-driver=overlay2", "--iptables=false", "--ip6tables=false", "--ip-forward=false",
         "--bridge=none", "--log-level=warn"]
RUN_DOCKER = Path("/var/run/docker")  # dockerd makes <this>/plugins whatever --exec-root says


class PrivateDockerd:
    def __init__(self, root: Path, data_root: Path | None = None):
        self.root = Path(root).absolute()
        self.data_root = Path(data_root).absolute() if data_root else self.root / "data"
        self.socket = self.root / "docker.sock"
        self.base_url = f"unix://{self.socket}"
        self.log_path = self.root / "dockerd.log"
        self.proc: subprocess.Popen | None = None
        self._made: list[Path] = []  # host paths outside root that this daemon created

    def start(self, timeout_s: float = 60) -> float:
        """Start the daemon and wait until it answers; returns the seconds that took."""
        dockerd = shutil.which("dockerd")
        if dockerd is None:
            raise SandboxUnavailable("dockerd is not installed; `apt-get install docker.io` "
                                     "(tools/install-docker-packages.sh does it)")
        if os.geteuid() != 0:
            raise SandboxUnavailable("starting a private dockerd needs root")
        if len(str(self.socket)) > 100:
            raise SandboxUnavailable(f"{self.socket}: too long for a unix socket path")
        self.root.mkdir(parents=True, exist_ok=True)
        self._made = [p for p in (RUN_DOCKER / "plugins", RUN_DOCKER) if not p.exists()]
        cmd = [dockerd, *FLAGS, f"--data-root={self.data_root}", f"--exec-root={self.root / 'exec'}",
               f"--pidfile={self.root / 'dockerd.pid'}", f"--host={self.base_url}"]
        start = time.monotonic()
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        import docker

        while True:
            if self.proc.poll() is not None:
                raise SandboxUnavailable(f"dockerd exited with {self.proc.returncode} at start: {self.log_tail()}")
            try:
                client = docker.DockerClient(base_url=self.base_url, timeout=5)
                client.ping()
                client.close()
                return time.monotonic() - start
            except docker.errors.DockerException:
                pass
            if time.monotonic() - start > timeout_s:
                self.stop()
                raise SandboxUnavailable(f"dockerd did not answer within {timeout_s:g} s: {self.log_tail()}")
            time.sleep(0.1)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def client(self, timeout: float = 120):
        import docker

        return docker.DockerClient(base_url=self.base_url, timeout=timeout)

    def stop(self) -> None:
        """Remove the daemon's containers (by id), stop it, and delete what it made."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                client = self.client(timeout=30)
                for c in client.api.containers(all=True):
                    client.api.remove_container(c["Id"], force=True, v=True)
                client.close()
            except Exception:  # noqa: BLE001  (the daemon is ending anyway; what is left is killed below)
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # dockerd's own group: it and its containerd
                self.proc.wait()
        for point in mounts_below(self.root) + mounts_below(self.data_root):
            subprocess.run(["umount", "-l", point], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)
        for path in self._made:  # only if still empty: another daemon may use them by now
            try:
                path.rmdir()
            except OSError:
                pass
        self._made = []

    def __enter__(self) -> "PrivateDockerd":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

"""A real Docker engine for the tests: our own dockerd, the project's images, stopped afterwards.

`docker_engine` (session scope) installs docker.io and mmdebstrap if missing (tools/
install-docker-packages.sh), starts a private dockerd (socket and exec root under a temp dir; no
bridge, no iptables, no ip_forward), builds the images offline (codearena.sandbox.docker_images),
and at the end removes its containers by id, stops the daemon and deletes its temp dir.

What is slow to redo is kept in <repo>/cache/docker/ (gitignored): the mmdebstrap tarball and the
daemon's data root (`engine/`, so the built images survive: a second run starts in
about a second instead of loading ~1 GB, and nothing has to delete 1 GB of layers at the end). A lock
keeps two sessions from sharing that data root; the second one gets a temporary one. Images of ours
built from older sources are removed from it.

The tests skip, with the reason, only where no engine can be started at all (not root: dockerd needs
it; no dockerd and no apt-get to install it; CODEARENA_SKIP_DOCKER=1). Where it can, a failure to set
it up is a test error, not a skip.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "cache" / "docker"


@dataclass
class Engine:
    base_url: str
    client: object
    timings: dict[str, float] = field(default_factory=dict)


def unavailable_reason() -> str | None:
    """Why no engine can be started here (None: it can, so it must)."""
    if os.environ.get("CODEARENA_SKIP_DOCKER") == "1":
        return "CODEARENA_SKIP_DOCKER=1"
    if os.geteuid() != 0:
        return "starting a private dockerd needs root"
    if shutil.which("dockerd") is None and shutil.which("apt-get") is None:
        return "dockerd is not installed and there is no apt-get to install docker.io"
    return None


@pytest.fixture(scope="session")
def docker_engine(request):
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no Docker engine for the docker backend tests: {reason}")
    from codearena.sandbox import docker_images
    from codearena.sandbox.dockerd import PrivateDockerd

    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")

    def say(line: str) -> None:  # set-up figures go to the terminal, not to a test's captured output
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                reporter.write_line(f"[docker] {line}")

    timings: dict[str, float] = {}
    start = time.monotonic()
    subprocess.run([str(REPO / "tools" / "install-docker-packages.sh")], check=True)
    timings["packages"] = time.monotonic() - start
    CACHE.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        lock = stack.enter_context(open(CACHE / "engine.lock", "w"))
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            data_root = CACHE / "engine"
        except BlockingIOError:
            say("cache/docker/engine is used by another test session: using a temporary data root")
            data_root = None
        root = Path(tempfile.mkdtemp(prefix="cdk-", dir="/tmp"))  # short: a socket path must fit in 108 bytes
        daemon = PrivateDockerd(root, data_root)
        try:
            timings["dockerd"] = daemon.start()
            client = daemon.client()
            for c in client.api.containers(all=True):  # left by a session that was killed
                client.api.remove_container(c["Id"], force=True)
            start = time.monotonic()
            timings.update(docker_images.build(client, ["python"], cache_dir=CACHE, log=say))
            timings["images"] = time.monotonic() - start
            docker_images.remove_stale(client, log=say)
            say("set-up: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
            yield Engine(daemon.base_url, client, timings)
            client.close()
        finally:
            stop = time.monotonic()
            daemon.stop()
            say(f"dockerd stopped and cleaned up in {time.monotonic() - stop:.1f} s")

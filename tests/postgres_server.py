"""A throwaway PostgreSQL server for tests: a fresh cluster in a temporary directory, on a free port.

Uses the Debian `postgresql` package's binaries (tools/install-system-packages.sh installs it). The
server runs as the `postgres` system user when the tests run as root (PostgreSQL refuses root), with
fsync off (nothing here needs to survive a crash) and is stopped, by its own process id, afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def binaries() -> Path | None:
    """The directory holding initdb and postgres, or None if PostgreSQL is not installed."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").is_file() and Path(candidate, "postgres").is_file():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _as_user() -> dict:
    """Popen arguments that run the server as `postgres` when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def postgres_server():
    """Yields an SQLAlchemy URL (psycopg) of an empty database; raises RuntimeError if it cannot start."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    as_user = _as_user()
    root = Path(tempfile.mkdtemp(prefix="codearena-pg-"))
    os.chmod(root, 0o755)
    data, sockets = root / "data", root / "run"
    for d in (data, sockets):
        d.mkdir()
        if as_user:
            os.chown(d, as_user["user"], as_user["group"])
    port = _free_port()
    server = None
    try:
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "arena", "--no-sync",
                        "-E", "UTF8"], check=True, capture_output=True, text=True, timeout=120, cwd=root, **as_user)
        server = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=60"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=root, **as_user)
        url = f"postgresql+psycopg://arena@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start: {server.stderr.read()[-2000:]}")
                time.sleep(0.1)
        yield url
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGINT)  # our own server: a "fast" shutdown (clients are disconnected)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(root, ignore_errors=True)

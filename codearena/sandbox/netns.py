"""Talking to an app that lives in another network namespace (a sandbox's private loopback).

A sandboxed server app listens on 127.0.0.1 inside its own network namespace, which the host cannot
reach. To poll it, a short-lived thread joins that namespace with setns(2), opens the socket and
exits: a socket stays in the namespace it was created in, so the caller uses it from its own thread
while the rest of the process stays in the host's namespace. Joining needs CAP_SYS_ADMIN over the
namespace (root here). The browser joins the same namespace through `nsenter` (codearena.browser).
"""

from __future__ import annotations

import ctypes
import http.client
import os
import socket
import threading
import time
from typing import Callable
from urllib.parse import urlsplit

CLONE_NEWNET = 0x40000000


def _setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if hasattr(os, "setns"):  # Python 3.12+
            os.setns(fd, CLONE_NEWNET)
            return
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def connect(host: str, port: int, *, netns: str | None = None, timeout: float = 2.0) -> socket.socket:
    """A TCP connection to host:port, made inside network namespace `netns` (the host's when None)."""
    if netns is None:
        return socket.create_connection((host, port), timeout=timeout)
    box: dict = {}

    def inside() -> None:
        try:
            _setns(netns)  # this thread only; it ends right after
            box["sock"] = socket.create_connection((host, port), timeout=timeout)
        except BaseException as e:  # noqa: BLE001  (handed to the caller's thread)
            box["error"] = e

    thread = threading.Thread(target=inside, name="codearena-netns", daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if "error" in box:
        raise box["error"]
    if "sock" not in box:
        raise TimeoutError(f"connecting to {host}:{port} in {netns} did not finish")
    return box["sock"]


def http_status(url: str, *, netns: str | None = None, timeout: float = 2.0) -> int | None:
    """The HTTP status of GET `url` (from inside `netns`), or None if nothing answered."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        sock = connect(parts.hostname or "127.0.0.1", port, netns=netns, timeout=timeout)
    except OSError:
        return None
    conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    conn.sock = sock
    try:
        conn.request("GET", parts.path or "/", headers={"Connection": "close"})
        response = conn.getresponse()
        response.read(65536)
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def wait_for_http(url: str, *, netns: str | None, deadline_s: float, alive: Callable[[], bool],
                  interval_s: float = 0.1) -> tuple[str, float]:
    """Poll GET `url` until it answers 2xx/3xx. Returns (outcome, seconds waited), outcome being
    "ready", "exited" (the app died first) or "timeout". No fixed sleep: the first answer ends it."""
    start = time.monotonic()
    while True:
        if not alive():
            return "exited", time.monotonic() - start
        status = http_status(url, netns=netns, timeout=min(2.0, max(0.2, deadline_s)))
        if status is not None and 200 <= status < 400:
            return "ready", time.monotonic() - start
        if time.monotonic() - start >= deadline_s:
            return "timeout", time.monotonic() - start
        time.sleep(interval_s)

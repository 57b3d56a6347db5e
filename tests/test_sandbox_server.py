"""Server apps on the local backend, for real: bubblewrap with a private network namespace, readiness
polled from inside it, a browser that joins it, and a stop that leaves nothing behind."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from codearena.browser import Browser
from codearena.sandbox import Limits, LocalBackend, SandboxError, get_backend
from codearena.sandbox.netns import http_status, wait_for_http

pytestmark = pytest.mark.timeout(120)

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="joining a sandbox's network namespace needs root")


@pytest.fixture(scope="module")
def backend():
    return get_backend("local")


@pytest.fixture
def work(tmp_path):
    d = tmp_path / "work"
    d.mkdir()
    os.chmod(tmp_path, 0o755)
    return d


def free_host_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_server(backend, port: int) -> list[str]:
    return [backend.python(), "-m", "http.server", str(port), "--bind", "127.0.0.1"]


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@needs_root
def test_app_is_reachable_inside_its_namespace_only_and_stop_returns_its_log(backend, work):
    port = free_host_port()  # free on the host, so a refusal there proves the app is not on the host
    (work / "hello.txt").write_text("hi")
    server = backend.start(http_server(backend, port), work, limits=Limits(wall_s=60), port=port)
    try:
        assert server.url == f"http://127.0.0.1:{port}/" and server.netns
        outcome, waited = wait_for_http(server.url + "hello.txt", netns=server.netns, deadline_s=20,
                                        alive=server.alive)
        assert outcome == "ready", outcome
        assert http_status(server.url + "hello.txt", netns=server.netns) == 200
        assert http_status(server.url + "hello.txt", timeout=1) is None  # the host's 127.0.0.1: nothing
        assert server.alive()
    finally:
        result = server.stop()
    assert not server.alive()
    assert result.exit_code is None and not result.timed_out  # stopped by us, not by its own exit
    assert '"GET /hello.txt HTTP/1.1" 200' in result.stderr  # http.server's access log
    assert server.stop() is result  # stopping twice is harmless


@needs_root
def test_stop_kills_the_whole_tree(backend, work):
    marker = f"{time.time_ns() % 10**9}.5"
    port = free_host_port()
    argv = ["/bin/sh", "-c", f"sleep {marker} & exec {backend.python()} -m http.server {port} --bind 127.0.0.1"]
    server = backend.start(argv, work, limits=Limits(wall_s=60), port=port)
    assert wait_for_http(server.url, netns=server.netns, deadline_s=20, alive=server.alive)[0] == "ready"
    assert processes_with(f"sleep\x00{marker}")
    server.stop()
    assert processes_with(f"sleep\x00{marker}") == []


@needs_root
def test_an_app_that_exits_early_is_reported_with_its_output(backend, work):
    argv = [backend.python(), "-c", "import sys; print('starting'); sys.exit('config missing')"]
    server = backend.start(argv, work, limits=Limits(wall_s=30), port=8000)
    outcome, _ = wait_for_http(server.url, netns=server.netns, deadline_s=20, alive=server.alive)
    result = server.stop()
    assert outcome == "exited"
    assert result.exit_code == 1 and result.stdout == "starting\n" and "config missing" in result.stderr


@needs_root
def test_an_app_that_never_answers_times_out_and_its_life_is_bounded(backend, work):
    argv = [backend.python(), "-c", "import time; time.sleep(60)"]
    server = backend.start(argv, work, limits=Limits(wall_s=1.5), port=8000)
    start = time.monotonic()
    outcome, waited = wait_for_http(server.url, netns=server.netns, deadline_s=0.5, alive=server.alive)
    assert outcome == "timeout" and waited >= 0.5
    while server.alive() and time.monotonic() - start < 20:
        time.sleep(0.05)
    assert not server.alive()  # the wall-clock limit ended it, nobody called stop()
    assert server.stop().timed_out


@needs_root
def test_server_survives_the_thread_that_started_it(backend, work):
    """PR_SET_PDEATHSIG fires when the forking *thread* exits; servers are spawned from a long-lived one."""
    port = free_host_port()
    box = {}
    thread = threading.Thread(target=lambda: box.update(server=backend.start(
        http_server(backend, port), work, limits=Limits(wall_s=60), port=port)))
    thread.start()
    thread.join()
    server = box["server"]
    try:
        time.sleep(0.3)
        assert server.alive()
        assert wait_for_http(server.url, netns=server.netns, deadline_s=20, alive=server.alive)[0] == "ready"
    finally:
        server.stop()


@needs_root
def test_a_sandbox_that_cannot_start_is_a_sandbox_error(work, tmp_path):
    """Said by start() or, when bwrap failed only after it reported the sandbox, by stop()."""
    broken = LocalBackend(ro_binds=(tmp_path / "gone",))
    with pytest.raises(SandboxError, match="could not start the app.*gone"):
        server = broken.start(["/bin/true"], work, limits=Limits(wall_s=10), port=8000)
        assert wait_for_http(server.url, netns=server.netns, deadline_s=5, alive=server.alive)[0] == "exited"
        server.stop()


@needs_root
def test_browser_screenshots_an_app_inside_its_namespace(backend, work):
    (work / "index.html").write_text(
        "<html><body style='background:#123456'><h1 style='color:white' id='t'>loading</h1>"
        "<script>setTimeout(() => { document.getElementById('t').textContent = 'ready'; "
        "console.log('rendered'); fetch('https://example.com/x').catch(() => {}); }, 200)</script>"
        "</body></html>")
    server = backend.start(http_server(backend, 8000), work, limits=Limits(wall_s=60), port=8000)
    try:
        assert wait_for_http(server.url, netns=server.netns, deadline_s=20, alive=server.alive)[0] == "ready"
        shots = [work.parent / "s0.png", work.parent / "s1.png"]
        with Browser() as browser:
            page = browser.capture_url(
                server.url, shots, netns=server.netns, viewport=(400, 300), settle_ms=100, deadline_s=20,
                ready_js="() => document.getElementById('t').textContent === 'ready'",
                probe_js="() => [document.getElementById('t').textContent]")
    finally:
        log = server.stop()
    assert page.ready is True and page.probe == ["ready"]
    assert page.screenshots and not page.timed_out
    with Image.open(page.screenshots[0]) as im:
        assert im.size == (400, 300)
        assert im.convert("RGB").getpixel((390, 290)) == (0x12, 0x34, 0x56)
    assert "log: rendered" in page.console
    assert "https://example.com/x" in page.blocked
    assert '"GET / HTTP/1.1" 200' in log.stderr


@needs_root
def test_an_app_that_ends_at_once_is_an_exit_not_a_sandbox_failure(backend, work):
    server = backend.start(["/bin/sh", "-c", "echo bye; exit 7"], work, limits=Limits(wall_s=10), port=8000)
    assert wait_for_http(server.url, netns=server.netns, deadline_s=5, alive=server.alive)[0] == "exited"
    result = server.stop()
    assert (result.exit_code, result.stdout) == (7, "bye\n")

"""The e2b backend through the real `e2b` SDK, against a fake of E2B's cloud at the SDK's HTTP boundary
(tests/fake_e2b_server.py: REST control plane, envd's file API and Connect RPC), and its errors
without a key, without network, with a wrong key or template."""

from __future__ import annotations

import socket
import time

import pytest

from codearena.sandbox import Limits, SandboxError, SandboxUnavailable, get_backend
from codearena.sandbox.base import WORKDIR

from backend_corpus import compare_with_local
from fake_e2b_server import FakeE2B
from sandbox_helpers import py, work  # noqa: F401  (work: the fixture)

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def fake():
    with FakeE2B() as server, pytest.MonkeyPatch.context() as mp:
        for key, value in server.env().items():
            mp.setenv(key, value)
        yield server


@pytest.fixture
def backend(fake):
    b = get_backend("e2b")
    b.check()
    return b


def test_a_run_uploads_runs_as_the_template_user_and_brings_files_back(backend, work, fake):
    (work / "data").mkdir()
    (work / "data" / "input.txt").write_text("from the host")
    before = len(fake.killed)
    r = py(backend, work, """
        import os, sys
        print(os.getuid(), os.getcwd(), sys.prefix, os.environ["HOME"], os.environ["PATH"].split(":")[0])
        print(open("data/input.txt").read())
        os.makedirs("out", exist_ok=True)
        open("out/result.txt", "w").write("made in the sandbox")
        print("to stderr", file=sys.stderr)
        sys.exit(4)
    """)
    assert r.exit_code == 4 and not r.timed_out, r
    assert r.stdout.splitlines() == [f"1000 {WORKDIR} /opt/venv {WORKDIR} /opt/venv/bin", "from the host"]
    assert r.stderr == "to stderr\n"
    assert (work / "out" / "result.txt").read_text() == "made in the sandbox"
    # One sandbox per run, killed afterwards; the calls are the SDK's real ones.
    assert len(fake.killed) == before + 1 and fake.sandboxes == {}
    assert ("POST", "/process.Process/Start") in fake.requests and ("POST", "/files") in fake.requests


def test_stdin_and_the_wall_clock(backend, work):
    r = py(backend, work, "import sys; print(sys.stdin.read()[::-1])", stdin=b"abc")
    assert r.exit_code == 0 and r.stdout == "cba\n", r
    start = time.monotonic()
    r = py(backend, work, "import time; print('sleeping', flush=True); time.sleep(60)", limits=Limits(wall_s=2))
    assert r.timed_out and r.exit_code is None and r.signal == 9, r
    assert r.stdout == "sleeping\n"
    assert time.monotonic() - start < 30


def test_no_internet_and_limits_inside(backend, work):
    r = py(backend, work, """
        import socket
        s = socket.socket()
        s.settimeout(3)
        try:
            s.connect(("1.1.1.1", 80))
        except OSError as e:
            print("refused", e.errno)
        x = bytearray(600 * 2**20)
    """, limits=Limits(wall_s=30, memory_mb=256))
    assert r.stdout == "refused 101\n" and "MemoryError" in r.stderr, r


def test_unsafe_files_are_not_brought_back(backend, work):
    r = py(backend, work, """
        import os
        os.symlink("/etc/shadow", "shadow-link")
        open("fine.txt", "w").write("ok")
    """)
    assert r.exit_code == 0, r
    assert (work / "fine.txt").read_text() == "ok"
    assert not (work / "shadow-link").exists() and not (work / "shadow-link").is_symlink()
    assert "not copied back (unsafe paths): ./shadow-link" in r.stderr


def test_a_command_the_template_lacks_is_a_sandbox_error(backend, work):
    with pytest.raises(SandboxError, match="could not start the command"):
        backend.run(["/usr/bin/no-such-compiler"], work, limits=Limits(wall_s=10))


def test_server_app_gets_the_sandbox_public_url_and_is_stopped(backend, work, fake):
    server = backend.start([backend.python(), "-u", "-m", "http.server", "8000"], work, limits=Limits(wall_s=60),
                           port=8000)
    try:
        assert server.netns is None
        sandbox_id = next(iter(fake.sandboxes))
        assert server.url == f"https://8000-{sandbox_id}.fake.e2b.test/"
        deadline = time.monotonic() + 20
        while server.alive() and time.monotonic() < deadline and "Serving HTTP" not in server._output.out.text():
            time.sleep(0.1)
        assert server.alive()
    finally:
        result = server.stop()
    assert "Serving HTTP on 0.0.0.0 port 8000" in result.stdout
    assert result.exit_code is None and not result.timed_out
    assert fake.sandboxes == {} and not server.alive()


# -- errors, up front ----------------------------------------------------------------------------------

def test_without_a_key_check_fails_before_any_request(monkeypatch, fake):
    monkeypatch.delenv("E2B_API_KEY")
    seen = len(fake.requests)
    with pytest.raises(SandboxUnavailable, match="needs an API key: set E2B_API_KEY"):
        get_backend("e2b").check()
    assert len(fake.requests) == seen


def test_a_wrong_key_is_named(monkeypatch, fake):
    monkeypatch.setenv("E2B_API_KEY", "e2b_" + "1" * 40)
    with pytest.raises(SandboxUnavailable, match="E2B refused the API key"):
        get_backend("e2b").check()


def test_without_network_check_names_the_address(monkeypatch):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("E2B_API_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("E2B_API_KEY", "e2b_" + "2" * 40)
    monkeypatch.setenv("E2B_CONNECTION_RETRIES", "0")
    start = time.monotonic()
    with pytest.raises(SandboxUnavailable, match=f"cannot reach E2B at http://127.0.0.1:{port}"):
        get_backend("e2b").check()
    assert time.monotonic() - start < 60


def test_a_missing_template_says_how_to_build_it(fake):
    with pytest.raises(SandboxUnavailable, match="no template 'not-built'.*sandbox/e2b"):
        get_backend("e2b", template="not-built").check()


# -- the corpus: the same records as on the local backend ---------------------------------------------------

@pytest.mark.slow
def test_python_corpus_gives_the_same_records_on_e2b_and_local(fake, tmp_path):
    assert compare_with_local("python", tmp_path, "e2b", {}) >= 3
    assert fake.sandboxes == {}

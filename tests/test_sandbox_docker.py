"""The docker backend, for real: our own dockerd, the project's images, isolation, limits, clean-up,
server apps, and the same records as the local backend for the corpus it covers. Hostile programs
(limits, network, host files) are in tests/test_attacks.py."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codearena.sandbox import Limits, SandboxError, SandboxUnavailable, get_backend
from codearena.sandbox.base import WORKDIR
from codearena.sandbox.docker import LABEL, DockerBackend

from backend_corpus import compare_with_local, corpus
from docker_fixtures import docker_engine  # noqa: F401  (the session fixture)
from sandbox_helpers import py, work  # noqa: F401  (work: the fixture)

# Set-up on a fresh machine (apt, mmdebstrap, image build) takes minutes; each test is short.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]

# The environments whose programs the docker images run (sandbox/docker/README.md): their corpus must give
# the same records as on the local backend. (HTML renders in the host's browser on every backend: nothing
# of it runs in a container.)
COVERED = ("python", "pygame", "streamlit", "gradio")


@pytest.fixture(scope="module")
def backend(docker_engine) -> DockerBackend:  # noqa: F811
    b = get_backend("docker", base_url=docker_engine.base_url)
    b.check()
    return b


def containers(engine) -> list[dict]:
    return engine.client.api.containers(all=True)


def test_runs_the_image_python_as_an_unprivileged_user_in_the_work_dir(backend, work):
    r = py(backend, work, """
        import os, sys
        print(os.getuid(), os.getgid(), os.getcwd(), sys.prefix, os.environ["HOME"])
        print("to stderr", file=sys.stderr)
        sys.exit(3)
    """)
    assert r.exit_code == 3 and not r.timed_out and r.signal is None, r
    assert r.stdout.split() == ["1000", "1000", WORKDIR, "/opt/venv", WORKDIR]
    assert r.stderr == "to stderr\n"  # the streams stay apart


def test_stdin_reaches_the_program_and_ends_with_eof(backend, work):
    r = py(backend, work, "import sys; data = sys.stdin.read(); print(len(data), data.upper())",
           stdin=b"hello sandbox")
    assert r.exit_code == 0, r
    assert r.stdout == "13 HELLO SANDBOX\n"


def test_read_only_root_private_tmp_and_no_host_files(backend, work, tmp_path):
    secret = tmp_path / "host-secret.txt"
    secret.write_text("not for the sandbox")
    (work / "input.txt").write_text("from the host")
    r = py(backend, work, f"""
        import os
        print(open("input.txt").read())
        for path in ("/etc/passwd-new", "/opt/venv/x", "/usr/x"):
            try:
                open(path, "w")
                print("wrote", path)
            except OSError as e:
                print("denied", e.errno)
        open("/tmp/scratch", "w").write("tmp is writable")
        open("output.txt", "w").write("back to the host")
        print(os.path.exists({str(secret)!r}), os.path.exists({str(Path(__file__).parent)!r}))
        print(os.path.exists("/var/run/docker.sock"))
    """)
    assert r.exit_code == 0, r
    assert r.stdout.splitlines() == ["from the host", "denied 30", "denied 30", "denied 30", "False False", "False"]
    assert (work / "output.txt").read_text() == "back to the host"


def test_wall_clock_timeout_kills_the_container_and_nothing_is_left(backend, work, docker_engine):  # noqa: F811
    start = time.monotonic()
    r = py(backend, work, "import time; print('started', flush=True); time.sleep(120)", limits=Limits(wall_s=2))
    assert r.timed_out and r.exit_code is None and r.signal == 9, r
    assert r.stdout == "started\n"  # output written before the kill is kept
    assert time.monotonic() - start < 30
    assert containers(docker_engine) == []


def test_output_beyond_the_cap_keeps_head_and_tail(backend, work):
    r = py(backend, work, "print('first'); print('x' * 200000); print('last')",
           limits=Limits(wall_s=30, output_bytes=10000))
    assert r.output_capped and r.stdout.startswith("first") and r.stdout.rstrip().endswith("last"), r.stdout[:80]
    assert len(r.stdout) < 11000


def test_a_command_the_image_lacks_is_a_sandbox_error(backend, work):
    with pytest.raises(SandboxError, match="could not start the command"):
        backend.run(["/usr/bin/no-such-compiler", "main.c"], work, limits=Limits(wall_s=10))


def test_a_missing_image_says_how_to_build_it(docker_engine):  # noqa: F811
    b = get_backend("docker", base_url=docker_engine.base_url, image="codearena/sandbox-python:does-not-exist")
    with pytest.raises(SandboxUnavailable, match="make images"):
        b.check()


def test_no_daemon_is_unavailable_with_the_fix(tmp_path):
    b = get_backend("docker", base_url=f"unix://{tmp_path}/none.sock", image="any")
    start = time.monotonic()
    with pytest.raises(SandboxUnavailable, match="no Docker engine answers.*docker.io"):
        b.check()
    assert time.monotonic() - start < 10


def test_containers_of_a_dead_orchestrator_are_removed_by_id(docker_engine, backend):  # noqa: F811
    client = docker_engine.client
    dead = client.api.create_container(backend.image, ["sleep", "60"],
                                       labels={LABEL: f"{socket.gethostname()}:999999999:0"})["Id"]
    other_host = client.api.create_container(backend.image, ["sleep", "60"],
                                             labels={LABEL: "elsewhere:1:0"})["Id"]
    try:
        get_backend("docker", base_url=docker_engine.base_url).client()
        ids = {c["Id"] for c in containers(docker_engine)}
        assert dead not in ids  # its owner is gone
        assert other_host in ids  # another machine's orchestrator is not ours to judge
    finally:
        for cid in (dead, other_host):
            try:
                client.api.remove_container(cid, force=True)
            except Exception:  # noqa: BLE001
                pass


NSENTER_GET = """
import sys, time, urllib.request
deadline = time.monotonic() + 30
while True:
    try:
        print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.1)
"""


def test_server_app_is_reached_inside_its_network_namespace_and_stopped(backend, work, docker_engine):  # noqa: F811
    (work / "index.html").write_text("hello from the container")
    port = 8501
    server = backend.start([backend.python(), "-m", "http.server", str(port), "--bind", "127.0.0.1"], work,
                           limits=Limits(wall_s=60), port=port)
    try:
        assert server.url == f"http://127.0.0.1:{port}/" and server.netns
        # The app listens on the container's own loopback: the host reaches it only inside that namespace.
        got = subprocess.run(["nsenter", f"--net={server.netns}", sys.executable, "-c", NSENTER_GET, server.url],
                             capture_output=True, text=True, timeout=60)
        assert got.returncode == 0, got.stderr
        assert "hello from the container" in got.stdout
        assert server.alive()
    finally:
        result = server.stop()
    assert not server.alive()
    assert result.exit_code is None and not result.timed_out  # we stopped it
    assert "GET / HTTP" in result.stderr  # the server log
    assert containers(docker_engine) == []


def test_server_app_life_is_bounded_by_the_wall_clock(backend, work):
    server = backend.start([backend.python(), "-c", "import time; print('up', flush=True); time.sleep(300)"], work,
                           limits=Limits(wall_s=2), port=8000)
    deadline = time.monotonic() + 30
    while server.alive() and time.monotonic() < deadline:
        time.sleep(0.2)
    result = server.stop()
    assert result.timed_out and result.exit_code is None, result
    assert result.stdout == "up\n"


# -- the corpus: the same records on the docker and the local backend ------------------------------------

@pytest.mark.parametrize("env", COVERED)
def test_corpus_gives_the_same_records_on_docker_and_local(env, docker_engine, tmp_path):  # noqa: F811
    assert corpus(env), f"no corpus for {env} in tests/data/corpus/{env}/"
    assert compare_with_local(env, tmp_path, "docker", {"base_url": docker_engine.base_url}) >= 3
    assert containers(docker_engine) == []

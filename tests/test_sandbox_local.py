"""The bubblewrap backend, for real: isolation, limits and clean-up (needs bwrap and .venv-sandbox).

Hostile programs (fork bomb, memory and disk hogs, host files, API keys, writes outside, daemons...) are
in tests/test_attacks.py, through the real execution job on every backend.
"""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from codearena.sandbox import Limits, LocalBackend, SandboxError, SandboxUnavailable, get_backend, sandbox_python
from codearena.sandbox import cgroups
from codearena.sandbox.base import WORKDIR
from sandbox_helpers import py, work  # noqa: F401  (work: the fixture)

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def backend() -> LocalBackend:
    b = get_backend("local")
    b.check()
    return b


def processes_with(marker: str) -> list[int]:
    """PIDs whose command line contains `marker` (to prove nothing was left running)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if marker in cmdline:
                found.append(int(entry.name))
    return found


def sleeping(marker: str) -> list[int]:
    """PIDs of `sleep <marker>` itself (not of the bwrap whose argv holds it)."""
    found = []
    for pid in processes_with(marker):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes() == f"sleep\0{marker}\0".encode():
                found.append(pid)
        except OSError:
            pass
    return found


def wait_gone(marker: str, timeout: float = 5.0) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_hello_world_runs_the_sandbox_python_as_an_unprivileged_user(backend, work):
    r = py(backend, work, "import os, sys; print('hello', sys.prefix, os.getuid(), os.getcwd())")
    assert r.exit_code == 0 and not r.timed_out, r
    words = r.stdout.split()
    assert words[0] == "hello"
    # The interpreter is the sandbox venv, not the system Python (the /tmp mount-order pitfall).
    assert words[1] == str(Path(backend.python()).parent.parent)
    assert words[2:] == ["1000", WORKDIR]


def test_stdout_stderr_are_separate_and_exit_code_is_kept(backend, work):
    r = backend.run(["/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 7"], work, limits=Limits())
    assert (r.stdout, r.stderr, r.exit_code, r.signal, r.timed_out) == ("to-out\n", "to-err\n", 7, None, False)


def test_stdin_is_fed(backend, work):
    r = py(backend, work, "import sys; print(sys.stdin.read().upper())", stdin=b"abc")
    assert r.stdout == "ABC\n"


def test_output_beyond_the_cap_keeps_head_and_tail(backend, work):
    code = "print('HEAD'); print('x' * 100000); print('TAIL')"
    r = py(backend, work, code, limits=Limits(output_bytes=1000))
    assert r.output_capped and r.exit_code == 0
    assert r.stdout.startswith("HEAD\n") and r.stdout.endswith("TAIL\n")
    assert "bytes dropped" in r.stdout and len(r.stdout) < 1200


def test_timeout_kills_the_whole_tree_including_a_double_forked_daemon(backend, work):
    marker = f"{uuid.uuid4().int % 10**6 + 10**6}"
    code = f"""
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execvp("sleep", ["sleep", "{marker}"])
            os._exit(0)
        print("parent waits", flush=True)
        time.sleep(1000)
    """
    start = time.monotonic()
    r = py(backend, work, code, limits=Limits(wall_s=1.5))
    assert r.timed_out and r.exit_code is None and r.signal == signal.SIGKILL
    assert r.stdout == "parent waits\n"  # output printed before the kill is kept
    assert time.monotonic() - start < 5
    assert wait_gone(marker) == []


@pytest.mark.parametrize("network", [False, True])
def test_no_network_unless_asked(backend, work, network):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    code = f"""
        import socket
        try:
            socket.create_connection(("127.0.0.1", {port}), timeout=3).close()
            print("connected")
        except OSError as e:
            print("refused", type(e).__name__)
        try:
            socket.getaddrinfo("pypi.org", 443)
            print("resolved")
        except OSError as e:
            print("no-dns", type(e).__name__)
    """
    try:
        r = py(backend, work, code, network=network)
    finally:
        listener.close()
    lines = r.stdout.splitlines()
    if network:  # the same code reaches the host: the check below can fail
        assert lines[0] == "connected"
    else:
        assert lines[0].startswith("refused") and lines[1].startswith("no-dns"), r


def test_a_killed_orchestrator_leaves_no_sandbox_behind(backend, tmp_path):
    marker = f"{uuid.uuid4().int % 10**6 + 3 * 10**6}"
    work = tmp_path / "w"
    work.mkdir()
    script = textwrap.dedent(f"""
        from pathlib import Path
        from codearena.sandbox import Limits, get_backend
        get_backend().run(["sleep", "{marker}"], Path("{work}"), limits=Limits(wall_s=60))
    """)
    orchestrator = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    try:
        deadline = time.monotonic() + 10
        while not sleeping(marker) and time.monotonic() < deadline:  # bwrap has set up and exec'd it
            time.sleep(0.05)
        assert sleeping(marker), "the sandboxed sleep never started"
    finally:
        orchestrator.send_signal(signal.SIGKILL)
        orchestrator.wait()
    assert wait_gone(marker) == []  # bwrap and the sleep inside it


def test_the_next_run_ends_sandboxes_whose_orchestrator_died(backend, work):
    """The narrow case PDEATHSIG misses (orchestrator killed while bwrap sets up) is cleaned up later."""
    base = cgroups.hierarchy().base
    stale = base / "run-999999999-0-deadbeef0000"  # an owner that does not exist
    stale.mkdir()
    orphan = subprocess.Popen(["sleep", "4242"], start_new_session=True)
    try:
        (stale / "cgroup.procs").write_text(str(orphan.pid))
        r = backend.run(["true"], work, limits=Limits())
        assert r.exit_code == 0
        assert orphan.wait(timeout=5) == -signal.SIGKILL
        assert not stale.exists()
    finally:
        if orphan.poll() is None:
            orphan.kill()
            orphan.wait()
        if stale.exists():
            stale.rmdir()


def test_venv_under_tmp_is_not_hidden_by_the_tmpfs(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    b = LocalBackend(python=venv / "bin" / "python")
    work = tmp_path / "w"
    work.mkdir()
    r = py(b, work, "import sys; print(sys.prefix)")
    assert r.stdout.strip() == str(venv)


def test_fallback_without_cgroup_runs_as_nobody_and_still_caps_processes():
    b = LocalBackend(python="/usr/bin/python3", use_cgroup=False)  # Debian's python: readable by nobody
    scratch = Path(tempfile.mkdtemp(prefix="codearena-test-"))  # pytest's tmp_path is 0700: nobody can't enter
    scratch.chmod(0o711)
    work = scratch / "w"
    work.mkdir()
    code = """
        import os, time
        n = 0
        for _ in range(200):
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                time.sleep(100)
                os._exit(0)
            n += 1
        print(n, os.getuid())
        open("/sandbox/written", "w").write("ok")
    """
    with pytest.warns(RuntimeWarning, match="RLIMIT_NPROC"):
        r = py(b, work, code, limits=Limits(wall_s=20, max_processes=16))
    assert r.exit_code == 0, r
    count, uid = r.stdout.split()
    assert int(count) < 16 and uid == "1000"
    assert (work / "written").stat().st_uid == 65534
    shutil.rmtree(scratch)


def test_fallback_refuses_a_work_dir_nobody_can_reach(tmp_path):
    tmp_path.chmod(0o700)
    work = tmp_path / "w"
    work.mkdir()
    b = LocalBackend(python="/usr/bin/python3", use_cgroup=False)
    with pytest.warns(RuntimeWarning), pytest.raises(SandboxError, match="not searchable"):
        b.run(["true"], work, limits=Limits())


def test_missing_bwrap_names_the_package(work):
    with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
        LocalBackend(bwrap="/nonexistent/bwrap").run(["true"], work, limits=Limits())


def test_missing_sandbox_python_says_make_setup(monkeypatch, tmp_path):
    monkeypatch.setenv("CODEARENA_SANDBOX_PYTHON", str(tmp_path / "nope" / "python"))
    with pytest.raises(SandboxUnavailable, match="make setup"):
        sandbox_python()
    monkeypatch.delenv("CODEARENA_SANDBOX_PYTHON")
    assert sandbox_python().exists()


def test_commands_that_need_no_python_run_without_it(work, tmp_path):
    b = LocalBackend(python=tmp_path / "missing" / "python")
    with pytest.raises(SandboxUnavailable, match="make setup"):
        b.check()
    r = b.run(["/bin/sh", "-c", "echo $PATH"], work, limits=Limits())
    assert (r.exit_code, r.stdout) == (0, "/usr/local/bin:/usr/bin:/bin\n")


def test_a_sandbox_that_cannot_start_the_command_is_a_sandbox_error(backend, work, tmp_path):
    with pytest.raises(SandboxError, match="could not start the command.*execvp /nonexistent/prog"):
        backend.run(["/nonexistent/prog"], work, limits=Limits())
    broken = LocalBackend(ro_binds=(tmp_path / "gone",))
    with pytest.raises(SandboxError, match="Can't find source path"):
        broken.run(["true"], work, limits=Limits())


def test_unknown_backend_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown sandbox backend 'nope'.*local"):
        get_backend("nope")


def test_limits_from_config_settings():
    limits = Limits.from_settings({"timeout_s": 5, "cpu_s": 3, "memory_mb": 256, "viewport": [1, 2]})
    assert (limits.wall_s, limits.cpu_s, limits.memory_mb, limits.max_processes) == (5, 3, 256, 64)

"""Hostile answers in the sandbox: each attack must be contained, recorded with a clear status, leave the
host as it was, and leave the sandbox working for the next answer (a benign one runs after the attacks).

The attacks are programs under tests/data/attacks/<env>/ (each says in its first lines what it tries);
`{{NAME}}` in them is filled in by the test (the host's listener ports, planted secrets, a marker to
find leftover processes). An attack prints `BREACH: ...` when it gets through a boundary it can see
itself; the host-side checks below catch what it cannot see (a listener that received something, a
planted file that was read or changed, a process that outlived its run, a killed bystander).

All attacks of one environment run as one real `execute_answers` job per backend (zz_benign last), and
the host is checked right after that job. ATTACK_TABLE lists the cases and their expected outcomes;
a gap a backend cannot close is an `xfail(strict=True)` with the reason (SECURITY.md says the same).

Covered elsewhere, not run twice: a page whose script never returns
(test_runners.py::test_html_infinite_loop_still_gives_a_record_within_the_deadline), a timeout that kills a
double-forked daemon (test_sandbox_local.py::test_timeout_kills_the_whole_tree_including_a_double_forked_daemon),
a killed orchestrator (test_sandbox_local.py::test_a_killed_orchestrator_leaves_no_sandbox_behind).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image

from codearena.execute import execute_answers
from codearena.io import write_jsonl
from codearena.sandbox import cgroups
from codearena.sandbox.workdir import remove_tree

from docker_fixtures import docker_engine  # noqa: F401  (the session fixture, shared with test_sandbox_docker)

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[1]
ATTACKS = REPO / "tests" / "data" / "attacks"
# Short limits so that every attack ends fast; apps get enough start-up time for the benign one.
SETTINGS = {"timeout_s": 4, "cpu_s": 2, "memory_mb": 256, "max_processes": 16, "file_size_mb": 8,
            "workdir_mb": 64, "output_bytes": 200_000, "output_chars": 4000, "settle_ms": 200,
            "viewport": [400, 300], "max_page_height": 600}
# Server apps run many threads (the pids cap counts them) and import large libraries (seconds of CPU).
# Pages and apps get a longer page deadline (timeout_s): a popup flood or a busy app still settles in it.
APPS = {"max_processes": 128, "memory_mb": 1024, "cpu_s": 30, "startup_timeout_s": 10, "timeout_s": 6}
ENV_SETTINGS = {"streamlit": APPS, "gradio": APPS, "html": {"timeout_s": 6}}
FAKE_KEY = "sk-codearena-attack-suite-0123456789"
HOST_TARGETS = ("/usr/local/bin/pwned", "/etc/cron.d/pwned", "/root/pwned", "/pwned")  # write_outside's
SECRETS = ("FAKE-SSH-KEY-material", "fake-secret-of-the-orchestrator", "victim-sample-data", "cached-response-body")


@dataclass(frozen=True)
class Attack:
    env: str
    name: str  # tests/data/attacks/<env>/<name>.*
    status: str  # the record's status
    says: str  # a regex the record's stdout + stderr + notes must match: the clear words of the outcome
    backends: tuple[str, ...] = ("local", "docker")
    gaps: dict[str, str] = field(default_factory=dict)  # backend -> why it is not contained there


ATTACK_TABLE = [
    Attack("python", "fork_bomb", "ok", r"fork refused after \d+ children"),
    Attack("python", "memory_hog", "error", r"MemoryError"),
    Attack("python", "memory_hog_processes", "error", r"children killed by signals \[9(, 9)*\]"),
    # Whichever limit comes first on a loaded machine: the CPU seconds or the wall clock.
    Attack("python", "cpu_spin", "timeout", r"\[sandbox\] (CPU time limit of 2 s exceeded|timed out after 4 s)"),
    Attack("python", "infinite_output", "timeout",
           r"\[sandbox\] (CPU time limit of 2 s exceeded|timed out after 4 s).*"
           r"output beyond 200000 bytes per stream was dropped"),
    Attack("python", "disk_fill_one_file", "error", r"File too large"),
    Attack("python", "disk_fill_many_files", "ok", r"wrote \d+ MB in \d+ files \(No space left on device\)"),
    Attack("python", "disk_fill_inodes", "ok",
           r"directory tree 1100 levels deep.*\d+ empty files \(No space left on device\)"),
    # /tmp and /dev/shm are memory: the run's memory cap ends the attack before their size cap does.
    Attack("python", "tmpfs_fill", "error", r"killed: out of memory \(limit 256 MB\)"),
    Attack("python", "sleep_forever", "timeout", r"going to sleep.*\[sandbox\] timed out after 4 s \(wall clock\)"),
    Attack("python", "daemon_escape", "ok", r"daemons started"),
    Attack("python", "network_egress", "ok",
           r"tcp internet .*: blocked.*tcp host loopback .*: blocked.*udp host loopback .*: blocked"
           r".*getaddrinfo pypi.org: blocked"),
    Attack("python", "host_files", "ok", r"denied /etc/shadow"),
    Attack("python", "env_keys", "ok", r"own environment: \[.*looked at \d+ /proc entries"),
    Attack("python", "write_outside", "ok", r"(denied .*){9}wrote the private /tmp"),
    Attack("python", "signals", "error", r"\[sandbox\] killed by signal SIGKILL"),
    Attack("python", "output_links", "ok", r"planted"),
    Attack("javascript", "buffer_hog", "error", r"killed: out of memory \(limit 256 MB\)", backends=("local",)),
    # The host's Chromium renders pages on every backend (no sandboxed process): run once.
    Attack("html", "navigate_away", "ok", r"navigation to http://127.0.0.1:\d+/form was cancelled \(no network\)"
           r".*Not allowed to load local resource: file://", backends=("local",)),
    Attack("html", "popups", "ok", r"a popup was closed", backends=("local",)),
    Attack("html", "network_exfil", "ok", r"request\(s\) blocked \(no network\)", backends=("local",)),
    # A script that never finishes is also how live dashboards are written: screenshots are taken anyway.
    Attack("streamlit", "never_ready", "ok", r"the app did not say it was ready within"),
    Attack("gradio", "never_ready", "timeout", r"the app did not answer HTTP on port 7860 within 10 s; it was stopped"),
]


def _params():
    for attack in ATTACK_TABLE:
        for backend in attack.backends:
            marks = [pytest.mark.xfail(strict=True, reason=attack.gaps[backend])] if backend in attack.gaps else []
            yield pytest.param(backend, attack, marks=marks, id=f"{backend}-{attack.env}-{attack.name}")


# -- the host around the jobs --------------------------------------------------------------------------

def processes_with(marker: str) -> list[str]:
    """Command lines of host processes that mention `marker` (leftovers of an attack)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline:
                found.append(cmdline.strip())
    return found


def wait_gone(marker: str, timeout: float = 10.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while (left := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@dataclass
class Host:
    """What the attacks aim at, planted outside /tmp (the sandboxes' /tmp is private anyway, so a
    target there would prove nothing): a home with an SSH key, another job's sample, a response cache."""

    root: Path
    home: Path
    cache_file: Path
    victim_file: Path
    images: Path
    bystander: subprocess.Popen
    snapshot: dict[Path, bytes] = field(default_factory=dict)

    @classmethod
    def plant(cls) -> "Host":
        root = Path(tempfile.mkdtemp(prefix="codearena-attacks-", dir="/var/tmp"))
        home = root / "home"
        (home / ".ssh").mkdir(parents=True)
        (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN OPENSSH PRIVATE KEY-----\n{SECRETS[0]}\n")
        (home / "secret.txt").write_text(SECRETS[1])
        (home / ".bashrc").write_text("# the orchestrator's shell\n")
        victim = root / "codearena-exec-victim" / "sample"
        victim.mkdir(parents=True)
        (victim / "secret.txt").write_text(SECRETS[2])
        cache = root / "cache" / "responses" / "ab"
        cache.mkdir(parents=True)
        (cache / "abcd.json").write_text(SECRETS[3])
        images = root / "images"
        images.mkdir()
        Image.new("RGB", (20, 20), "red").save(images / "host.png")
        bystander = subprocess.Popen(["sleep", "3600"], start_new_session=True)
        host = cls(root, home, cache / "abcd.json", victim / "secret.txt", images, bystander)
        host.snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
        host.snapshot[REPO / "config" / "config.yaml"] = (REPO / "config" / "config.yaml").read_bytes()
        return host

    def changes(self) -> list[str]:
        """Planted or project files that changed, and the files the attacks try to create (the host's
        own Chromium keeps caches in $HOME: new files there are not by themselves an attack's)."""
        changed = [str(p) for p, data in self.snapshot.items() if not p.is_file() or p.read_bytes() != data]
        pwned = [*self.root.glob("**/pwned*"), *(REPO / "config").glob("pwned*"), *Path("/tmp").glob("pwned-*"),
                 *(p for p in map(Path, HOST_TARGETS) if p.exists())]
        return changed + [str(p) for p in pwned]

    def remove(self) -> None:
        self.bystander.kill()
        self.bystander.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class Listeners:
    """A TCP and a UDP service on the host's loopback: an attack must not reach either."""

    def __init__(self):
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(16)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", 0))
        self.tcp_port, self.udp_port = self.tcp.getsockname()[1], self.udp.getsockname()[1]

    def received(self) -> list[str]:
        got = []
        for sock, what in ((self.tcp, "tcp connection"), (self.udp, "udp datagram")):
            sock.setblocking(False)
            try:
                got.append(f"{what}: {sock.accept()[1] if sock is self.tcp else sock.recvfrom(512)}")
            except BlockingIOError:
                pass
        return got

    def close(self) -> None:
        self.tcp.close()
        self.udp.close()


def internet_ip() -> str:
    """An address on the internet (resolved on the host: the sandbox must not even get that far)."""
    try:
        return socket.gethostbyname("pypi.org")
    except OSError:
        return "1.1.1.1"


@dataclass
class Job:
    records: dict[str, dict]  # attack name -> record
    outdir: Path
    marker: str
    survivors: list[str]
    received: list[str]
    host_changes: list[str]
    cgroups_left: list[str]  # run cgroups (pids, memory) of this process that were not removed
    seconds: float


@pytest.fixture(scope="module")
def host():
    planted = Host.plant()
    old_home, old_key = os.environ.get("HOME"), os.environ.get("OPENAI_API_KEY")
    os.environ["HOME"], os.environ["OPENAI_API_KEY"] = str(planted.home), FAKE_KEY  # the runner's env
    try:
        yield planted
    finally:
        for key, value in (("HOME", old_home), ("OPENAI_API_KEY", old_key)):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        planted.remove()


@pytest.fixture(scope="module")
def jobs(request, host, tmp_path_factory):
    """(backend, env) -> Job: that environment's attacks and benign answers, run once per backend."""
    done: dict[tuple[str, str], Job] = {}

    def get(backend: str, env: str) -> Job:
        if (backend, env) in done:
            return done[backend, env]
        settings = dict(SETTINGS, **ENV_SETTINGS.get(env, {}))
        if backend == "docker":
            settings["docker"] = {"base_url": request.getfixturevalue("docker_engine").base_url}
        root = tmp_path_factory.mktemp(f"attacks-{backend}-{env}")
        marker = f"{uuid.uuid4().int % 10**6 + 947 * 10**6}"  # a number `sleep` accepts: found in cmdlines
        listeners = Listeners()
        values = {
            "MAX_PROCESSES": SETTINGS["max_processes"], "MEMORY_MB": SETTINGS["memory_mb"],
            "FILE_SIZE_MB": SETTINGS["file_size_mb"], "WORKDIR_MB": SETTINGS["workdir_mb"], "MARKER": marker,
            "INTERNET_IP": internet_ip(), "HOST_TCP_PORT": listeners.tcp_port, "HOST_UDP_PORT": listeners.udp_port,
            "HOME": host.home, "REPO": REPO, "CACHE_FILE": host.cache_file, "VICTIM_FILE": host.victim_file,
            "VICTIM_GLOB": f"{host.root}/codearena-exec-*/*/*", "OUTDIR": root / "out", "ORCH_PID": os.getpid(),
            "BYSTANDER_PID": host.bystander.pid, "HOST_IMAGE_DIR": host.images,
        }
        answers = []
        for path in sorted((ATTACKS / env).iterdir()):
            code = re.sub(r"\{\{(\w+)\}\}", lambda m: str(values[m.group(1)]), path.read_text())
            answers.append({"uid": f"{env}-{path.stem}", "model": "attacks", "env": env, "status": "ok", "code": code})
        write_jsonl(root / "answers.jsonl", answers)
        start = time.monotonic()
        try:
            records = execute_answers(root / "answers.jsonl", env, root / "out", settings, backend=backend,
                                      log=lambda line: None)
        finally:
            seconds = time.monotonic() - start
            received = listeners.received()
            listeners.close()
        cgroups_left = [str(p) for name in ("pids", "memory") if (tree := cgroups.hierarchy(name))
                        for p in tree.base.glob(f"run-{os.getpid()}-*")]
        changes = host.changes() + [str(p) for p in (root / "out").glob("pwned*")]
        done[backend, env] = Job({r["uid"].removeprefix(f"{env}-"): r for r in records}, root / "out", marker,
                                 wait_gone(marker), received, changes, cgroups_left, seconds)
        return done[backend, env]

    return get


def record_text(record: dict) -> str:
    return "\n".join([record["stdout"], record["stderr"], *record["notes"], *record["console"]])


# -- the cases --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("backend, attack", list(_params()))
def test_attack_is_contained_and_recorded(backend, attack, jobs, host):
    job = jobs(backend, attack.env)
    record = job.records[attack.name]
    text = record_text(record)

    # What the attack saw itself, then what the record says.
    assert "BREACH" not in text, text[-3000:]
    assert (record["status"], record["backend"]) == (attack.status, backend), text[-3000:]
    assert re.search(attack.says, text, re.S), text[-3000:]
    # The host: no process outlived the job, no service was reached, nothing planted was read or changed,
    # the bystander lives, and no secret (nor the runner's API key) reached the record.
    assert job.survivors == [] and job.received == [] and job.host_changes == [] and job.cgroups_left == []
    assert host.bystander.poll() is None
    leaked = [s for s in (*SECRETS, FAKE_KEY) if s in text]
    assert leaked == [], leaked
    # The next answer of the same job ran as usual.
    benign = job.records["zz_benign"]
    assert benign["status"] == "ok", record_text(benign)[-2000:]
    assert benign["figures"] or benign["screenshots"] or "sum of squares" in benign["stdout"]
    if attack.env == "python":  # its image is collected (after the attacks on the collection)
        assert benign["figures"] == ["figures/python-zz_benign_0.png"]
    CHECKS.get(attack.name, lambda *a: None)(record, job, host)


def _output_links(record: dict, job: Job, host: Host) -> None:
    # The host image the attack linked into its outputs was not collected.
    assert record["figures"] == [] and not list((job.outdir / "figures").glob("python-output_links*"))


def _fork_bomb(record: dict, job: Job, host: Host) -> None:
    children = int(re.search(r"fork refused after (\d+) children", record["stdout"]).group(1))
    assert 0 < children < SETTINGS["max_processes"]


def _env_keys(record: dict, job: Job, host: Host) -> None:
    names = set(re.search(r"own environment: (\[.*?\])", record["stdout"]).group(1).strip("[]").replace("'", "")
                .replace(" ", "").split(","))
    assert not {n for n in names if "KEY" in n or "TOKEN" in n or "SECRET" in n}, names


def _host_files(record: dict, job: Job, host: Host) -> None:
    assert "denied /etc/shadow" in record["stdout"]
    listed = "\n".join(line for line in record["stdout"].splitlines() if line.startswith("listed"))
    for name in ("id_rsa", "secret.txt", "config.yaml", "abcd.json", "codearena-exec-victim"):
        assert name not in listed, listed


def _screenshot_kept(record: dict, job: Job, host: Host) -> None:
    assert record["screenshots"] and not record["blank_screenshot"]


CHECKS = {"output_links": _output_links, "fork_bomb": _fork_bomb, "env_keys": _env_keys, "host_files": _host_files,
          "navigate_away": _screenshot_kept, "popups": _screenshot_kept, "network_exfil": _screenshot_kept,
          "never_ready": lambda record, job, host: None}


def test_a_tree_deeper_than_the_recursion_limit_is_removed():
    """What the job does with a sample dir it could not mount (not root): `rm -rf`, where shutil.rmtree
    raised RecursionError and lost the job's records. Built on /dev/shm: deleting 1100 directories on
    a disk mounted with `discard` takes seconds."""
    top = Path(tempfile.mkdtemp(prefix="codearena-deep-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    fd = os.open(top, os.O_RDONLY)
    for _ in range(1100):  # by file descriptor: the path soon exceeds what one system call accepts
        os.mkdir("d", dir_fd=fd)
        next_fd = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = next_fd
    os.close(fd)
    if sys.version_info < (3, 13):  # shutil.rmtree walks iteratively from 3.13 on
        with pytest.raises(RecursionError):
            shutil.rmtree(top)
    remove_tree(top)
    assert not top.exists()


def test_every_attack_file_is_in_the_table():
    files = {(p.parent.name, p.stem) for p in ATTACKS.glob("*/*") if not p.stem.startswith("zz_")}
    assert files == {(a.env, a.name) for a in ATTACK_TABLE}
    assert len(ATTACK_TABLE) >= 20

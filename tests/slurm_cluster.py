"""A real one-node SLURM cluster for tests: munged, slurmctld and slurmd from Debian's packages.

    with SlurmCluster() as cluster:      # needs root; installs the packages when missing
        ... sbatch / snakemake --executor slurm ...
        cluster.jobs()                   # squeue's view, finished jobs included

Measured recipe: ../shared/reference/probe_snakemake_slurm.md. What it relies on:
- slurm.conf must be at /etc/slurm/slurm.conf: the slurm executor plugin's nested `srun` drops
  SLURM_CONF from the environment. The file is ours only while the cluster runs (a marker line says so)
  and is removed before the daemons stop: with a slurm.conf but no slurmctld, every Snakemake start
  (the slurm plugin asks `scontrol` at import) waits ~10 s for the controller.
- Everything else lives in a temporary directory: munged runs with its own socket, key copy, pid and
  log files (slurm.conf's AuthInfo points auth and credentials at that socket), and so do the SLURM
  daemons' pid, state and log files. The daemons get free ports.
- No accounting storage (no slurmdbd): `sacct` fails, so Snakemake must use
  `--slurm-status-command squeue`, which sees finished jobs for MinJobAge seconds.
- Daemons are stopped by the PIDs they wrote, never by name; a file lock keeps two test runs on this
  machine from sharing /etc/slurm/slurm.conf.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLURM_CONF = Path("/etc/slurm/slurm.conf")
MARKER = "# Written by codearena tests/slurm_cluster.py for a test cluster; removed when it stops."
LOCK = Path("/tmp/codearena-slurm-cluster.lock")
# Partitions named as in profiles/slurm: LLM-bound jobs and sandbox jobs go to different ones.
PARTITIONS = ("sandbox", "llm")


class ClusterUnavailable(RuntimeError):
    """This machine cannot run the test cluster (not root, or a real SLURM config is in place)."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie (daemons are not our children to reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class SlurmCluster:
    def __init__(self, cpus: int | None = None) -> None:
        # More CPUs than the machine has (slurmd accepts them with config_overrides): the test's jobs
        # mostly wait (Python start-up, polling), so running them side by side shortens the run.
        self.cpus = cpus or 4 * (os.cpu_count() or 1)
        self.dir: Path | None = None
        self._lock = None
        self._wrote_conf = False

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> "SlurmCluster":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if os.geteuid() != 0:
            raise ClusterUnavailable("starting a SLURM cluster needs root (munged and slurmd run as root)")
        if shutil.which("slurmctld") is None or shutil.which("munged") is None:
            subprocess.run([str(REPO / "tools/install-slurm.sh")], check=True)
        self._lock = open(LOCK, "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)  # another test run's cluster: wait until it stops
        if SLURM_CONF.exists() and MARKER not in SLURM_CONF.read_text():
            raise ClusterUnavailable(f"{SLURM_CONF} exists and is not ours: this machine has a real SLURM set-up")
        self.dir = Path(tempfile.mkdtemp(prefix="codearena-slurm-"))
        self.dir.chmod(0o755)  # munged refuses a socket directory that others cannot enter
        for sub in ("run", "log", "spool/slurmd", "spool/slurmctld"):
            (self.dir / sub).mkdir(parents=True)
        self._start_munged()
        self._write_conf()
        subprocess.run(["slurmctld"], check=True)
        subprocess.run(["slurmd", "-N", "localhost"], check=True)  # NodeName=localhost, not the hostname
        self._wait_idle()

    def stop(self) -> None:
        """Cancel our jobs, remove our slurm.conf, stop the daemons by PID and delete the temp dir."""
        if self.dir is not None:
            ctld = _read_pid(self.dir / "run/slurmctld.pid")
            if ctld is not None and _running(ctld):
                # Jobs run under slurmstepd, which outlives slurmd: end them through the controller.
                subprocess.run(["scancel", "--user", "root"], capture_output=True, timeout=30)
                self._wait_no_running_jobs()
            if self._wrote_conf and SLURM_CONF.exists() and MARKER in SLURM_CONF.read_text():
                SLURM_CONF.unlink()
            for name in ("run/slurmd.pid", "run/slurmctld.pid", "munged.pid"):
                self._kill(self.dir / name)
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None

    # -- queries ---------------------------------------------------------------------------------
    def jobs(self, name: str | None = None) -> list[dict]:
        """Jobs squeue knows, finished ones included (for MinJobAge): id, name, partition, state, cpus,
        memory, time limit and comment (the slurm plugin writes rule and wildcards there)."""
        fields = ("id", "name", "partition", "state", "cpus", "memory", "time_limit", "comment")
        cmd = ["squeue", "--states=all", "--noheader", "--format=%i|%j|%P|%T|%C|%m|%l|%k"]
        if name:
            cmd.append(f"--name={name}")
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout
        return [dict(zip(fields, line.split("|"))) for line in out.splitlines() if line.strip()]

    def log(self, daemon: str) -> str:
        path = self.dir / "log" / f"{daemon}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- internals -------------------------------------------------------------------------------
    def _start_munged(self) -> None:
        private = self.dir / "munge"
        private.mkdir(mode=0o700)
        # munged as root insists on a root-owned key; the packaged one belongs to the munge user.
        shutil.copyfile("/etc/munge/munge.key", private / "munge.key")
        (private / "munge.key").chmod(0o600)
        subprocess.run([
            "munged", f"--socket={self.socket}", f"--key-file={private / 'munge.key'}",
            f"--pid-file={self.dir / 'munged.pid'}", f"--log-file={private / 'munged.log'}",
            f"--seed-file={private / 'munged.seed'}",
        ], check=True)

    @property
    def socket(self) -> Path:
        return self.dir / "munge.socket"

    def _write_conf(self) -> None:
        d = self.dir
        with open("/proc/meminfo") as f:
            mem_mb = int(next(line for line in f if line.startswith("MemTotal")).split()[1]) // 1024
        partitions = "\n".join(
            f"PartitionName={p} Nodes=ALL Default={'YES' if i == 0 else 'NO'} MaxTime=INFINITE State=UP"
            for i, p in enumerate(PARTITIONS)
        )
        SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
        SLURM_CONF.write_text(f"""{MARKER}
ClusterName=codearena-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.socket}
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
# CPUs only: memory is not consumed, so jobs without --mem do not take the whole node.
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
# Finished jobs stay visible to squeue (the status command without accounting) this long.
MinJobAge=300
InactiveLimit=0
KillWait=10
Waittime=0
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
SlurmctldPidFile={d}/run/slurmctld.pid
SlurmdPidFile={d}/run/slurmd.pid
StateSaveLocation={d}/spool/slurmctld
SlurmdSpoolDir={d}/spool/slurmd
SlurmctldLogFile={d}/log/slurmctld.log
SlurmdLogFile={d}/log/slurmd.log
NodeName=localhost CPUs={self.cpus} RealMemory={mem_mb - 1024} State=UNKNOWN
{partitions}
""")
        self._wrote_conf = True

    def _wait_idle(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        state = ""
        while time.time() < deadline:
            proc = subprocess.run(["sinfo", "--noheader", "--format=%T"], capture_output=True, text=True)
            state = proc.stdout.split()
            if state and all(s == "idle" for s in state):
                return
            time.sleep(0.3)
        raise RuntimeError(f"the SLURM node did not become idle (sinfo: {state}):\n{self.log('slurmd')[-2000:]}")

    def _wait_no_running_jobs(self, timeout: float = 30) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if not any(j["state"] in ("RUNNING", "PENDING", "COMPLETING") for j in self.jobs()):
                    return
            except (subprocess.SubprocessError, OSError):
                return
            time.sleep(0.5)

    @staticmethod
    def _kill(pid_file: Path, timeout: float = 15) -> None:
        """Stop the daemon whose PID `pid_file` holds, if that PID still runs that daemon."""
        pid = _read_pid(pid_file)
        if pid is None or not _running(pid):
            return
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            return
        if comm != pid_file.name.removesuffix(".pid"):
            return  # the daemon is gone and its PID was reused by another process
        os.kill(pid, signal.SIGTERM)
        deadline = time.time() + timeout
        while time.time() < deadline and _running(pid):
            time.sleep(0.1)
        if _running(pid):
            os.kill(pid, signal.SIGKILL)

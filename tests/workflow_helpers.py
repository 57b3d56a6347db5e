"""Run the real Snakemake workflow in a temporary directory (used by the end-to-end tests)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def snakemake_cmd(workdir: Path, *args: str, configfile: Path | None | bool = None) -> list[str]:
    """The command line of `snakemake()`; `configfile=False` passes none (the workflow reads the working
    directory's config/config.yaml)."""
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir)]
    if configfile is not False:
        cmd += ["--configfile", str(configfile or REPO / "config/config.yaml")]
    return [*cmd, "--cores", "2", "--scheduler", "greedy", *args]


def snakemake_env(env: dict | None = None) -> dict:
    full_env = dict(os.environ)
    # Job scripts run with the `python` on PATH: make it this interpreter's.
    full_env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full_env.get('PATH', '')}"
    full_env.update(env or {})
    return full_env


NOBODY = 65534  # an ordinary user: root ignores write permissions, so tests about them run as this one


def give_to(path: Path, uid: int = NOBODY) -> None:
    """Hand a directory tree to another user."""
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.lchown(name, uid, uid)


def as_user(cmd: list[str], uid: int = NOBODY) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--", *cmd]


def snakemake(workdir: Path, *args: str, configfile: Path | None | bool = None, env: dict | None = None,
              timeout: float = 900, check: bool = True) -> subprocess.CompletedProcess:
    """`snakemake` on the repository's Snakefile with `workdir` as working directory."""
    cmd = snakemake_cmd(workdir, *args, configfile=configfile)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=snakemake_env(env))
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-6000:]}")
    return proc


def planned_jobs(workdir: Path, *args: str, configfile: Path | None = None) -> dict[str, int]:
    """Rule -> job count of a dry run ({} when there is nothing to do)."""
    proc = snakemake(workdir, "--dry-run", *args, configfile=configfile)
    out = proc.stdout + proc.stderr
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:", 1)[1]
    counts = {}
    for line in table.splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def write_config(path: Path, base: Path | None = None, **changes) -> Path:
    """A copy of a config (default: the demo) with top-level keys changed."""
    cfg = yaml.safe_load((base or REPO / "config/config.yaml").read_text())
    cfg.update(changes)
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]


_JOB_HEADER = re.compile(r"^(?:local)?rule (\w+):$")


def _announced(text: str) -> list[tuple[str, str, str]]:
    """(rule, wildcards, jobid) of every job announced in Snakemake's output."""
    jobs = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _JOB_HEADER.match(line.strip())
        if not m:
            continue
        wildcards, jobid = "", ""
        for detail in lines[i + 1:]:
            if not detail.startswith("    "):
                break
            if detail.strip().startswith("wildcards: "):
                wildcards = detail.strip().removeprefix("wildcards: ")
            if detail.strip().startswith("jobid: "):
                jobid = detail.strip().removeprefix("jobid: ")
        jobs.append((m.group(1), wildcards, jobid))
    return jobs


def jobs_in(run: subprocess.CompletedProcess | str) -> set[tuple[str, str]]:
    """(rule, wildcards) of every job Snakemake announced (in a run, or in a run's output): the plan of a
    dry run, or the jobs a real run started. Wildcards read as Snakemake prints them ("model=m, env=html"),
    "" for a rule without any."""
    text = run if isinstance(run, str) else run.stdout + run.stderr
    return {(rule, wildcards) for rule, wildcards, _ in _announced(text)}


def jobs_finished_in(text: str) -> set[tuple[str, str]]:
    """(rule, wildcards) of the jobs a run's output reports finished (e.g. the log of a killed run)."""
    done = set(re.findall(r"^Finished jobid: (\d+) \(Rule: \w+\)$", text, re.MULTILINE))
    return {(rule, wildcards) for rule, wildcards, jobid in _announced(text) if jobid in done}


def finished_jobs(proc: subprocess.CompletedProcess) -> int:
    """How many jobs a real run finished."""
    return len(re.findall(r"^Finished jobid: \d+ \(Rule: \w+\)$", proc.stdout + proc.stderr, re.MULTILINE))

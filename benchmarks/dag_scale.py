"""How the workflow's DAG scales: prints figures, asserts nothing.

1. The dry-run time of a 100-model x 14-environment build (1,400 executions; ~1,600 jobs).
2. The jobs planned after adding one model to a complete 20-model build (expected: that model's
   answers, 14 executions and one judgment per judge, then the leaderboard and the report).

The models are synthetic replay models (a recorded answers file each, written here from the demo's
questions), so nothing calls a provider. For (2) the 20-model build is made "complete" without running
it: every output is written as a placeholder and `snakemake --touch` records it as up to date, which is
all a dry run looks at.

    .venv/bin/python benchmarks/dag_scale.py [--models 100] [--base-models 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codearena.environments import SLUGS  # noqa: E402

QUESTIONS = REPO / "config/demo/questions.jsonl"
BASELINE = "synthetic-base"
JUDGE = "execution"


def model_names(n: int) -> list[str]:
    return [f"synthetic-{i:03d}" for i in range(n)]


def write_setup(work: Path, n_models: int) -> Path:
    """Replay recordings, a model table and a config for `n_models` contestants; returns the config."""
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    replay_dir = work / "replay"
    replay_dir.mkdir(exist_ok=True)
    models = {}
    for name in model_names(n_models) + [BASELINE]:
        path = replay_dir / f"{name}.jsonl"
        if not path.exists():
            path.write_text("".join(
                json.dumps({"uid": q["uid"], "answer": f"```python\nprint({name!r}, {q['uid']!r})\n```"}) + "\n"
                for q in questions
            ))
        models[name] = {"provider": "replay", "replay": str(path), "note": "synthetic, for benchmarks/dag_scale.py"}
    (work / "models.yaml").write_text(yaml.safe_dump(models))
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())
    config.update(
        name=f"dag scale ({n_models} synthetic models)",
        questions=str(QUESTIONS),
        models_file=str(work / "models.yaml"),
        models=model_names(n_models),
        baseline=BASELINE,
        judges={JUDGE: {"type": "execution"}},
    )
    config["execution"]["environments"] = list(SLUGS)
    path = work / f"config-{n_models}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def snakemake(work: Path, config: Path, *args: str) -> tuple[float, float, str]:
    """Run snakemake on the repository's Snakefile; returns (wall seconds, CPU seconds, output).

    CPU time (user + system) is printed beside wall time: on a machine shared with other work it is
    the steadier figure."""
    cmd = [sys.executable, "-m", "snakemake", "leaderboard", "--snakefile", str(REPO / "Snakefile"),
           "--directory", str(work), "--configfile", str(config), "--cores", "1", *args]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    cpu_before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"snakemake failed:\n{proc.stderr[-4000:]}")
    return wall, _children_cpu() - cpu_before, proc.stdout + proc.stderr


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def job_stats(output: str) -> dict[str, int]:
    if "Nothing to be done" in output:
        return {}
    table = output.split("Job stats:", 1)[1]
    stats = {}
    for line in table.splitlines()[3:]:
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not m:
            break
        if m.group(1) != "total":
            stats[m.group(1)] = int(m.group(2))
    return stats


def write_placeholders(work: Path, n_models: int) -> None:
    """Every output of the build (layout: docs/artifacts.md), as an empty file or directory."""
    results = work / "results"
    files = [results / "questions.jsonl", results / "leaderboard.json", results / "report/index.html"]
    for m in model_names(n_models) + [BASELINE]:
        files.append(results / f"answers/{m}.jsonl")
        for env in SLUGS:
            (results / f"executions/{m}/{env}").mkdir(parents=True, exist_ok=True)
    files += [results / f"judgments/{JUDGE}/{m}_vs_{BASELINE}.jsonl" for m in model_names(n_models)]
    for f in files:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.touch()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", type=int, default=100)
    parser.add_argument("--base-models", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="codearena-dag-") as tmp:
        work = Path(tmp) / "big"
        work.mkdir()
        config = write_setup(work, args.models)
        walls, cpus, stats = [], [], {}
        for _ in range(args.repeat):
            wall, cpu, out = snakemake(work, config, "--dry-run")
            walls.append(wall)
            cpus.append(cpu)
            stats = job_stats(out)
        print(f"dry run, {args.models} models x {len(SLUGS)} environments: {sum(stats.values())} jobs "
              f"({stats.get('execute', 0)} executions): wall {min(walls):.2f} s best / "
              f"{statistics.median(walls):.2f} s median of {args.repeat}, CPU {statistics.median(cpus):.2f} s")
        cpu_before, start = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, "-m", "snakemake", "--version"], capture_output=True, check=True)
        print(f"  for scale, `snakemake --version` alone: wall {time.perf_counter() - start:.2f} s, "
              f"CPU {_children_cpu() - cpu_before:.2f} s")

        work = Path(tmp) / "incremental"
        work.mkdir()
        base = write_setup(work, args.base_models)
        write_placeholders(work, args.base_models)
        snakemake(work, base, "--touch")
        _, _, out = snakemake(work, base, "--dry-run")
        before = job_stats(out)
        print(f"complete {args.base_models}-model build: {sum(before.values())} jobs planned")
        bigger = write_setup(work, args.base_models + 1)
        wall, cpu, out = snakemake(work, bigger, "--dry-run")
        after = job_stats(out)
        per_rule = ", ".join(f"{rule} {n}" for rule, n in after.items())
        print(f"after adding one model: {sum(after.values())} jobs ({per_rule}); "
              f"dry run wall {wall:.2f} s, CPU {cpu:.2f} s")


if __name__ == "__main__":
    main()

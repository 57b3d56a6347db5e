"""Time execution per environment on this machine: median seconds per sample, warm.

    python benchmarks/execution_speed.py [ENV ...] [--repeat N]

For each environment with a test corpus (tests/data/corpus/<env>/), the answers expected to be `ok`
run through the real runner on the local backend, in one job context per environment (as a workflow
job has: one browser, caches kept). The first run of each answer warms caches and is not counted;
then each runs N more times. Prints one line per environment: samples timed, median and max seconds
per sample (the runner's own `duration_s` and the wall time of `run_sample`, which adds the
screenshot copies and browser start-up shared by the job).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from codearena.extract import extract  # noqa: E402
from codearena.runners import RunContext, Sample, check, run_sample  # noqa: E402
from codearena.sandbox import get_backend  # noqa: E402

CORPUS = REPO / "tests" / "data" / "corpus"
SETTINGS = {"timeout_s": 20, "settle_ms": 600}


def good_answers(env: str) -> list[tuple[str, str]]:
    expected = yaml.safe_load((CORPUS / env / "expected.yaml").read_text(encoding="utf-8"))
    return [(case, extract((CORPUS / env / f"{case}.md").read_text(encoding="utf-8")).code)
            for case, exp in sorted(expected.items()) if exp.get("status") == "ok"]


def bench(env: str, repeat: int, scratch: Path) -> tuple[int, list[float], list[float], list[str]]:
    ctx = RunContext(workdir=scratch / env / "work", outdir=scratch / env / "out", backend=get_backend("local"),
                     settings=dict(SETTINGS))
    ctx.workdir.mkdir(parents=True)
    runner_s, wall_s, problems = [], [], []
    try:
        check(env, ctx)
        answers = good_answers(env)
        for round_ in range(repeat + 1):
            for case, code in answers:
                start = time.monotonic()
                record = run_sample(Sample(uid=f"{case}-{round_}", model="bench", env=env, code=code), ctx)
                elapsed = time.monotonic() - start
                if record["status"] != "ok":
                    problems.append(f"{case}: {record['status']}")
                if round_:  # round 0 warms up
                    runner_s.append(record["duration_s"])
                    wall_s.append(elapsed)
    finally:
        ctx.close()
    return len(answers), runner_s, wall_s, problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="*", help="environments (default: every corpus directory)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per answer after the warm-up")
    args = parser.parse_args()
    envs = args.envs or sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").exists())
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.repeat} timed runs per answer")
    print(f"{'environment':<12} {'answers':>7} {'median s':>9} {'max s':>7} {'median wall s':>14}")
    with tempfile.TemporaryDirectory(prefix="codearena-bench-") as scratch:
        os.chmod(scratch, 0o711)
        for env in envs:
            n, runner_s, wall_s, problems = bench(env, args.repeat, Path(scratch))
            if not runner_s:
                print(f"{env:<12} {n:>7}  (no answer expected to be ok)")
                continue
            print(f"{env:<12} {n:>7} {statistics.median(runner_s):>9.2f} {max(runner_s):>7.2f} "
                  f"{statistics.median(wall_s):>14.2f}" + (f"  NOT OK: {'; '.join(problems[:3])}" if problems else ""))


if __name__ == "__main__":
    main()

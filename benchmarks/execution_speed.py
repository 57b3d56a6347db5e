"""Execution speed per environment on this machine: median seconds per sample, warm.

For every environment registered in `codearena.runners.RUNNERS`, the working entries (status `ok`) of
its corpus (tests/data/corpus/<env>/) are run with `run_sample` in one job context: a warm-up pass
(browser started, caches filled), then `--rounds` timed passes. Prints one row per environment.

    .venv/bin/python benchmarks/execution_speed.py [--rounds 3] [--env react --env vue] [--backend local]

Targets (issue 3): React and Vue under 3 s per sample, HTML under 1 s, on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import backend_corpus  # noqa: E402  (tests/backend_corpus.py: the <case>.md + expected.yaml corpora)
import corpus  # noqa: E402  (tests/corpus.py: the manifest.yaml corpora)

from codearena.extract import extract  # noqa: E402

from codearena.runners import RUNNERS, RunContext, Sample, run_sample, unsupported  # noqa: E402
from codearena.sandbox import get_backend  # noqa: E402

TARGETS = {"html": 1.0, "react": 3.0, "vue": 3.0}


def corpus_environments() -> set[str]:
    return set(corpus.environments()) | {p.parent.name for p in backend_corpus.CORPUS.glob("*/expected.yaml")}


def working_samples(env: str) -> list[Sample]:
    """The corpus entries of `env` expected to run fine, in either corpus format."""
    if env in corpus.environments():
        return [Sample(uid=e.uid, model="bench", env=env, code=e.code(), language=e.language)
                for e in corpus.load(env) if e.status == "ok"]
    samples = []
    for case, answer, expected in backend_corpus.corpus(env):
        if expected["status"] == "ok":
            found = extract(answer)
            samples.append(Sample(uid=f"{env}-{case}", model="bench", env=env, code=found.code,
                                  language=found.language, dependencies=found.dependencies))
    return samples


def time_environment(env: str, rounds: int, backend: str, settings: dict) -> tuple[list[float], int, list[str]]:
    """Per-sample seconds over `rounds` warm passes, the number of samples, and unexpected statuses."""
    samples = working_samples(env)
    times: list[float] = []
    unexpected: list[str] = []
    with tempfile.TemporaryDirectory(prefix="codearena-bench-") as scratch:
        ctx = RunContext(workdir=Path(scratch) / "work", outdir=Path(scratch) / "out",
                         backend=get_backend(backend), settings=settings)
        ctx.workdir.mkdir()
        try:
            for round_ in range(rounds + 1):  # round 0 warms up
                for sample in samples:
                    start = time.perf_counter()
                    record = run_sample(sample, ctx)
                    elapsed = time.perf_counter() - start
                    if round_:
                        times.append(elapsed)
                    if record["status"] != "ok":
                        unexpected.append(f"{sample.uid}: {record['status']}")
        finally:
            ctx.close()
    return times, len(samples), sorted(set(unexpected))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed passes over each corpus (default 3)")
    parser.add_argument("--env", action="append", help="only these environments (repeatable)")
    parser.add_argument("--backend", default="local")
    args = parser.parse_args(argv)
    settings = dict(corpus.SETTINGS, timeout_s=20, cpu_s=20)
    with_corpus = corpus_environments()
    envs = args.env or list(RUNNERS)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other work on the machine slows every figure)")
    print(f"{'environment':<12} {'samples':>7} {'median s':>9} {'min s':>7} {'max s':>7} {'target':>7}  note")
    for env in envs:
        if RUNNERS.get(env, unsupported) is unsupported:
            print(f"{env:<12} {'-':>7} {'-':>9} {'-':>7} {'-':>7} {'':>7}  no runner in this build")
            continue
        if env not in with_corpus:
            print(f"{env:<12} {'-':>7} {'-':>9} {'-':>7} {'-':>7} {'':>7}  no corpus (tests/data/corpus/{env}/)")
            continue
        times, n, unexpected = time_environment(env, args.rounds, args.backend, settings)
        if not times:
            print(f"{env:<12} {n:>7} {'-':>9} {'-':>7} {'-':>7} {'':>7}  no working corpus entry")
            continue
        target = TARGETS.get(env)
        median = statistics.median(times)
        note = "" if target is None else ("meets target" if median < target else "SLOWER THAN TARGET")
        if unexpected:
            note += ("; " if note else "") + "unexpected: " + ", ".join(unexpected)
        print(f"{env:<12} {n:>7} {median:>9.2f} {min(times):>7.2f} {max(times):>7.2f} "
              f"{(f'<{target:g}' if target else ''):>7}  {note}", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

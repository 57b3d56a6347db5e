"""How many votes per second the arena takes through its HTTP API, and how long sends and votes take.

Starts the app on this machine with two fake models (tests/fake_llm_server.py: short answers without
code, so the figures are the app's own cost, not a provider's or a sandbox's), drives it with
concurrent gradio_client sessions in a separate process (tests/arena_load_clients.py) and prints the
figures. Usage: .venv/bin/python benchmarks/arena_votes.py [--clients 20] [--battles 25]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))
os.environ.setdefault("LITELLM_OFFLINE_MODE", "true")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from arena_helpers import arena_config, running_arena  # noqa: E402
from fake_llm_server import FakeLLMServer  # noqa: E402


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--battles", type=int, default=25, help="battles (one vote each) per client")
    args = ap.parse_args()
    limits = {"messages": 10_000, "runs": 10_000, "votes": 10_000}
    with FakeLLMServer() as llm, tempfile.TemporaryDirectory(prefix="arena-bench-") as tmp:
        for model in ("fake-x", "fake-y"):
            llm.script(model, [f"{model} says: the answer is 42."])
        config = arena_config(Path(tmp), llm.base_url, ("fake-x", "fake-y"), rate_limits=limits,
                              concurrency=args.clients)
        with running_arena(config) as app:
            started, cpu = time.monotonic(), cpu_s()
            done = subprocess.run([sys.executable, str(TESTS / "arena_load_clients.py"), app.url, "--clients",
                                   str(args.clients), "--battles", str(args.battles)],
                                  capture_output=True, text=True, check=True)
            wall, app_cpu = time.monotonic() - started, cpu_s() - cpu
            stored = app.arena.store.vote_count()
    reports = json.loads(done.stdout)
    sends = [s for r in reports for s in r["send_s"]]
    votes = [s for r in reports for s in r["vote_s"]]
    battles = args.clients * args.battles
    print(f"clients {args.clients}, battles {battles}, votes stored {stored} (cores: {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f})")
    print(f"wall {wall:.1f} s: {battles / wall:.1f} battles (send + vote) per second")
    print(f"send: median {statistics.median(sends) * 1000:.0f} ms, p90 {statistics.quantiles(sends, n=10)[-1] * 1000:.0f} ms")
    print(f"vote: median {statistics.median(votes) * 1000:.0f} ms, p90 {statistics.quantiles(votes, n=10)[-1] * 1000:.0f} ms")
    print(f"app CPU per battle: {app_cpu / battles * 1000:.0f} ms")


if __name__ == "__main__":
    main()

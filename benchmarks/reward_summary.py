"""Time the BigCodeReward summary at the real dataset's size and print the figures.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/reward_summary.py [--battles 4731] [--rounds 1000]

Synthetic verdict files for one LLM judge in both modes: 4,731 battles (the size of bigcode/bigcodereward)
between 10 models in 6 categories, human votes from a Bradley-Terry model, a judge that agrees 60% of
the time and fails on 1% of the battles. Prints the time of the metrics, the leaderboards and the rank
correlations with their bootstrap (the summary job sets OPENBLAS_NUM_THREADS=1 as well).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from codearena.io import write_jsonl
from codearena.reward.metrics import evaluate
from codearena.reward.ratings import leaderboard, outcomes, rank_correlations
from codearena.reward.summary import summarise

CATEGORIES = ["web_design", "problem_solving", "game_development", "scientific_computing", "creative_coding",
              "diagram_creation"]


def verdicts(n: int, mode: str, seed: int) -> list[dict]:
    rng = random.Random(seed)
    strength = {f"model-{i}": rng.gauss(0, 1) for i in range(10)}
    out = []
    for i in range(n):
        a, b = rng.sample(sorted(strength), 2)
        p = 1 / (1 + 10 ** (strength[b] - strength[a]))
        r = rng.random()
        human = "tie" if r < 0.12 else "both_bad" if r < 0.2 else ("A" if rng.random() < p else "B")
        judge = "error" if rng.random() < 0.01 else human if rng.random() < 0.6 and human != "both_bad" \
            else rng.choice(["A", "B", "tie"])
        out.append({"chat_session_id": f"b{i:05d}", "judge": "bench", "mode": mode, "model_A": a, "model_B": b,
                    "category": rng.choice(CATEGORIES), "human_vote": human, "verdict": judge,
                    "position_flip": None, "error": "judge call failed" if judge == "error" else None, "orders": []})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--battles", type=int, default=4731)
    ap.add_argument("--rounds", type=int, default=1000)
    args = ap.parse_args()
    records = verdicts(args.battles, "with_execution", 0)
    covered = [r for r in records if r["verdict"] != "error"]
    a, b, yh = outcomes(covered, "human")
    _, _, yj = outcomes(covered, "judge")

    t = time.perf_counter()
    evaluate({"human": r["human_vote"], "judge": r["verdict"], "category": r["category"]} for r in records)
    print(f"metrics (4 + 3 classes, 6 categories), {args.battles} battles: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    leaderboard(a, b, yh, rounds=args.rounds, seed=0, confidence=0.95)
    print(f"one leaderboard, {args.rounds} bootstrap rounds: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    rank_correlations(a, b, yh, yj, rounds=args.rounds, seed=0, confidence=0.95)
    print(f"rank correlations, {args.rounds} bootstrap rounds: {time.perf_counter() - t:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for seed, mode in enumerate(("with_execution", "without_execution")):
            files[mode] = Path(tmp) / f"{mode}.jsonl"
            write_jsonl(files[mode], verdicts(args.battles, mode, 0) if seed == 0 else
                        [{**r, "mode": mode} for r in verdicts(args.battles, mode, 0)])
        t = time.perf_counter()
        summarise({"name": "bench", "type": "llm", "model": "bench"}, files, {"skipped": []},
                  {"ratings": {"rounds": args.rounds, "seed": 0, "confidence": 0.95}, "note": None})
        print(f"whole summary of one judge (2 modes): {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()

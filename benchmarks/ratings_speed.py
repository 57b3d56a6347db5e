"""Time the leaderboard ratings: 30 models x 600 questions x 2 orders, 1000 bootstrap rounds.

    .venv/bin/python benchmarks/ratings_speed.py [--models 30] [--questions 600] [--rounds 1000] [--repeat 3]

Synthetic judgments (seeded): each model has a latent strength, each game a verdict drawn from the
five labels with a position bias. Prints, best of --repeat runs:
- `bt bootstrap`: the Bradley-Terry fit plus 1000 question-level bootstrap fits of one board;
- `leaderboard`: everything `build_leaderboard` computes from loaded records (games table, win rates
  and ratings with intervals overall, by topic and by environment, quality metrics);
- the same two with style control (answer length as a covariate).
Wall and CPU time are printed, and the load average: other work on the machine slows the wall time.
Target: under 2 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from codearena.games import games_table, per_question
from codearena.leaderboard import _fit_ratings, _Questions, _Table, leaderboard_from_records, leaderboard_settings

LABELS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"]
TOPICS = ["web_design", "game_development", "creative_coding", "scientific_computing", "problem_solving",
          "diagram_creation"]
ENVS = ["HTML", "React", "Python Runner", "PyGame", "Streamlit", "Gradio", "Vue", "Mermaid", "C++ Runner"]


def synthetic(n_models: int, n_questions: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    baseline = "baseline"
    models = [f"model-{i:02d}" for i in range(n_models)]
    strength = dict(zip(models, rng.normal(0, 0.8, n_models)))
    uids = [f"q{i:04d}" for i in range(n_questions)]
    topic = {u: TOPICS[i % len(TOPICS)] for i, u in enumerate(uids)}
    answers = {}
    for m in models + [baseline]:
        answers[m] = {u: {"uid": u, "model": m, "status": "ok", "category": topic[u],
                          "environment": ENVS[rng.integers(len(ENVS))], "answer": "x" * int(rng.integers(200, 4000)),
                          "usage": {"total_tokens": 1000}, "cost_usd": 0.01}
                      for u in uids}
    records = {}
    for m in models:
        recs = []
        for u in uids:
            games = []
            for a, b in [(baseline, m), (m, baseline)]:
                # log-odds that A wins: the strength difference plus a small first-position bias
                d = (strength[a] if a != baseline else 0.0) - (strength[b] if b != baseline else 0.0) + 0.2
                p = 1 / (1 + np.exp(-d))
                probs = np.array([0.25 * p, 0.55 * p, 0.2, 0.55 * (1 - p), 0.25 * (1 - p)])
                verdict = LABELS[rng.choice(5, p=probs / probs.sum())]
                games.append({"a": a, "b": b, "verdict": verdict, "skipped": None, "error": None})
            recs.append({"uid": u, "category": topic[u], "judge": "judge", "model": m, "baseline": baseline,
                         "games": games})
        records[m] = (recs, f"<synthetic {m}>")
    return {"judge": records}, answers, baseline


def best_of(repeat: int, fn) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest run; CPU time also counts BLAS threads and says less about load."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=30)
    parser.add_argument("--questions", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    records, answers, baseline = synthetic(args.models, args.questions)
    base = {"bootstrap_rounds": args.rounds, "seed": 0, "confidence": 0.95}
    print(f"{args.models} models x {args.questions} questions x 2 orders, {args.rounds} bootstrap rounds, "
          f"{os.cpu_count()} CPUs")
    for style in (False, True):
        settings = leaderboard_settings(base | {"style_control": style})
        games = games_table(records, answers, baseline, settings["strong_weight"])
        questions = _Questions(per_question(games))

        def bt_only():
            _fit_ratings(_Table(questions, None, settings), baseline, settings, style=style)

        bt_wall, bt_cpu = best_of(args.repeat, bt_only)
        lb_wall, lb_cpu = best_of(args.repeat, lambda: leaderboard_from_records(records, answers, baseline, settings))
        tag = "with style control" if style else "plain"
        print(f"{tag:>18}: bt bootstrap {bt_wall:.3f} s (cpu {bt_cpu:.3f} s)   "
              f"leaderboard {lb_wall:.3f} s (cpu {lb_cpu:.3f} s)")
    print(f"load average: {' '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()

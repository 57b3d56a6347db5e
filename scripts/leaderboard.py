"""Rule `build_leaderboard`: scores with bootstrap intervals, overall, by topic and by environment."""

from codearena.io import write_json
from codearena.leaderboard import build_leaderboard
from codearena.workflow import job

with job(snakemake, "leaderboard") as log:
    p = snakemake.params
    judgments = {
        judge: {m: f"results/judgments/{judge}/{m}_vs_{p.baseline}.jsonl" for m in p.contestants}
        for judge in p.judges
    }
    answers = {f.rsplit("/", 1)[-1].removesuffix(".jsonl"): f for f in snakemake.input.answers}
    board = build_leaderboard(judgments, answers, p.baseline, dict(p.settings), name=p.name)
    write_json(snakemake.output[0], board)
    log(f"leaderboard for {len(p.contestants)} models and {len(p.judges)} judge(s) written")

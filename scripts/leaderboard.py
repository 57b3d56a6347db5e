"""Rule `build_leaderboard`: scores, ratings and intervals -> leaderboard.json, then CSV and LaTeX from it."""

from codearena.exports import leaderboard_csv, leaderboard_latex
from codearena.io import write_json, write_text
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
    # One aggregation: the CSV and the LaTeX table are renderings of this dict.
    write_json(snakemake.output.json, board)
    write_text(snakemake.output.csv, leaderboard_csv(board))
    write_text(snakemake.output.tex, leaderboard_latex(board))
    log(f"leaderboard for {len(p.contestants)} models and {len(p.judges)} judge(s) written")

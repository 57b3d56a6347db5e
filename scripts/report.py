"""Rule `report`: render the static HTML report (leaderboard, model and question pages) from the artifacts."""

from pathlib import Path

from codearena.report import load_inputs, write_report
from codearena.workflow import job, settings_from_snakemake

with job(snakemake, "report") as log:
    settings = settings_from_snakemake(snakemake)
    notes = dict(snakemake.params.notes)
    baseline = settings.baseline
    judgments = {
        judge: {m: f"results/judgments/{judge}/{m}_vs_{baseline}.jsonl" for m in settings.contestants}
        for judge in settings.judges
    }
    answers = {m: f"results/answers/{m}.jsonl" for m in settings.answer_models}
    executions = {m: [d for d in snakemake.input.executions if Path(d).parent.name == m] for m in settings.answer_models}
    inputs = load_inputs(snakemake.input.leaderboard, snakemake.input.questions, answers, judgments, executions, notes)
    out = write_report(inputs, Path(snakemake.output.index).parent)
    log(f"report written to {out}")

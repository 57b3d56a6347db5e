"""Rule `report`: render the static HTML report from the leaderboard."""

from pathlib import Path

from codearena.io import read_json
from codearena.report import write_report
from codearena.workflow import job, settings_from_snakemake

with job(snakemake, "report") as log:
    settings = settings_from_snakemake(snakemake)
    notes = {m: settings.models[m].note for m in settings.answer_models if settings.models[m].note}
    out = write_report(read_json(snakemake.input.leaderboard), Path(snakemake.output[0]).parent, notes)
    log(f"report written to {out}")

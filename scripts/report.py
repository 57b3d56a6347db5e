"""Rule `report`: render the static HTML report from the leaderboard."""

from pathlib import Path

from codearena.io import read_json
from codearena.report import write_report
from codearena.workflow import job

with job(snakemake, "report") as log:
    notes = dict(snakemake.params.notes)
    out = write_report(read_json(snakemake.input.leaderboard), Path(snakemake.output[0]).parent, notes)
    log(f"report written to {out}")

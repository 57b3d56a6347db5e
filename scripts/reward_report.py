"""Rule `reward_report`: the BigCodeReward pages of the static report."""

from pathlib import Path

from codearena.io import read_json
from codearena.reward.report import write_reward_report
from codearena.workflow import job

with job(snakemake, "reward_report") as log:
    pages = write_reward_report([read_json(p) for p in snakemake.input.summaries], Path(snakemake.output.index).parent)
    log(f"{len(pages)} reward report pages written to {Path(snakemake.output.index).parent}")

"""Rule `reward_summary`: one judge's agreement with the human votes -> results/reward/{judge}.json."""

import os

# Thousands of tiny Bradley-Terry fits: OpenBLAS threads make each one 5-20x slower on a busy machine.
# Set before numpy is imported (the script preamble does not import it).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from codearena.io import read_json, write_json
from codearena.reward.summary import summarise
from codearena.reward.settings import summary_settings
from codearena.workflow import job, settings_from_snakemake

with job(snakemake, "reward_summary") as log:
    settings = settings_from_snakemake(snakemake)
    spec = settings.judges[snakemake.wildcards.judge]
    files = dict(zip(snakemake.params.modes, snakemake.input.verdicts))
    summary = summarise({"name": spec.name, "type": spec.type, "model": spec.model}, files,
                        read_json(snakemake.input.votes_summary), summary_settings(settings))
    write_json(snakemake.output[0], summary)
    for mode, r in summary["modes"].items():
        acc = r["three_class"]["accuracy"]
        log(f"{spec.name} / {mode}: {r['judged']} of {r['battles']} judged, "
            f"3-class accuracy {'-' if acc is None else f'{100 * acc:.1f}%'}")

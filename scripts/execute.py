"""Rule `execute`: run one model's answers of one environment in the sandbox."""

from pathlib import Path

from codearena.execute import execute_answers
from codearena.workflow import job, settings_from_snakemake

with job(snakemake, "execute") as log:
    execution = settings_from_snakemake(snakemake).config["execution"]
    execute_answers(
        Path(snakemake.input.answers),
        snakemake.wildcards.env,
        Path(snakemake.output[0]),
        execution,
        backend=execution["backend"],
        log=log,
    )

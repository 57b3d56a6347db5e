"""Rule `arena`: serve the arena app until interrupted (the config's `arena` section)."""

from codearena.arena.server import start
from codearena.workflow import REPO_ROOT, job, settings_from_snakemake

with job(snakemake, "arena"):
    start(settings_from_snakemake(snakemake), base_dirs=[REPO_ROOT])

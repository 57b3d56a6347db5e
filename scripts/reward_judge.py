"""Rule `reward_judge`: every battle judged by one judge in one mode, resumable through a journal."""

from pathlib import Path

from codearena.io import write_jsonl
from codearena.llm.cache import ResponseCache
from codearena.reward.journal import Journal
from codearena.reward.judge import run_judge
from codearena.reward.settings import run_settings
from codearena.reward.votes import read_battles
from codearena.workflow import REPO_ROOT, job, settings_from_snakemake

with job(snakemake, "reward_judge") as log:
    settings = settings_from_snakemake(snakemake)
    judge = settings.judges[snakemake.wildcards.judge]
    out = Path(snakemake.output[0])
    records = run_judge(
        judge,
        settings.models[judge.model] if judge.type == "llm" else None,
        read_battles(snakemake.input.battles),
        run_settings(settings, snakemake.wildcards.mode, [REPO_ROOT]),
        # Beside the output but not an output: Snakemake deletes outputs before a rerun, never this.
        Journal(out.with_name(out.stem + ".journal.jsonl")),
        ResponseCache(settings.config["cache_dir"]) if judge.type == "llm" else None,
        log,
    )
    write_jsonl(out, records)

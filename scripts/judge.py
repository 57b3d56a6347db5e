"""Rule `judge`: both orders of every question, model against baseline, by one judge."""

from pathlib import Path

from codearena.io import read_jsonl, write_jsonl
from codearena.judging.evidence import load_executions
from codearena.judging.execution_judge import judge_pairs_by_execution
from codearena.judging.pairs import build_pairs
from codearena.workflow import job, job_concurrency, judge_prompt_path, settings_from_snakemake


def executions(dirs):
    return load_executions([Path(d) / "results.jsonl" for d in dirs])


with job(snakemake, "judge") as log:
    settings = settings_from_snakemake(snakemake)
    judge = settings.judges[snakemake.wildcards.judge]
    inp = snakemake.input
    pairs = build_pairs(
        read_jsonl(inp.questions),
        inp.answers,
        inp.baseline_answers,
        executions(inp.executions),
        executions(inp.baseline_executions),
    )
    if judge.type == "execution":
        records = judge_pairs_by_execution(judge, pairs)
    else:
        # Imported here: litellm takes seconds to import, which the execution judge does not need
        # (it matters on a cluster, where every job starts afresh).
        from codearena.judging.llm_judge import judge_pairs
        from codearena.judging.prompt import load_judge_prompt
        from codearena.llm.cache import ResponseCache

        records = judge_pairs(
            judge,
            job_concurrency(settings.models[judge.model], snakemake),  # the api_calls granted
            pairs,
            ResponseCache(settings.config["cache_dir"]),
            load_judge_prompt(judge_prompt_path(judge.prompt)),
            log,
        )
    write_jsonl(snakemake.output[0], records)
    log(f"{len(records)} questions judged by {judge.name}")

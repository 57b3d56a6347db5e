"""Rule `answers`: one record per question for one model (calls go through the response cache)."""

from codearena.answers import generate_answers, load_system_prompt
from codearena.io import read_jsonl, write_jsonl
from codearena.llm.cache import ResponseCache
from codearena.workflow import generation_prompt_path, job, job_concurrency, settings_from_snakemake

with job(snakemake, "answers") as log:
    settings = settings_from_snakemake(snakemake)
    spec = job_concurrency(settings.models[snakemake.wildcards.model], snakemake)  # api_calls granted
    records = generate_answers(
        spec,
        read_jsonl(snakemake.input.questions),
        system_prompt=load_system_prompt(generation_prompt_path(settings)),
        cache=ResponseCache(settings.config["cache_dir"]),
        log=log,
    )
    write_jsonl(snakemake.output[0], records)

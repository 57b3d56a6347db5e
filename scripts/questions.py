"""Rule `questions`: load, validate and normalise the benchmark questions."""

from pathlib import Path

from codearena.config import resolve_path
from codearena.io import write_jsonl
from codearena.questions import load_questions
from codearena.workflow import REPO_ROOT, job

with job(snakemake, "questions") as log:
    p = snakemake.params
    source = p.source
    if Path(source).suffix in (".jsonl", ".json", ".parquet"):
        source = str(resolve_path(source, [REPO_ROOT]))
    questions = load_questions(source, split=p.split, limit=p.limit)
    write_jsonl(snakemake.output[0], questions)
    log(f"{len(questions)} questions from {source}")

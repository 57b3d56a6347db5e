"""Rule `questions`: load, validate and normalise the benchmark questions."""

from codearena.io import write_jsonl
from codearena.questions import load_questions
from codearena.workflow import job

with job(snakemake, "questions") as log:
    p = snakemake.params
    # A local file is the rule's input; a Hugging Face dataset id is a param.
    source = snakemake.input.source[0] if snakemake.input.source else p.dataset
    questions = load_questions(source, split=p.split, limit=p.limit)
    write_jsonl(snakemake.output[0], questions)
    log(f"{len(questions)} questions from {source}")

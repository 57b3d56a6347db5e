# Questions -> one answers file per model (every question gets a record).


rule questions:
    input:
        # A local questions file (a dataset id is only a param): editing it rebuilds the questions.
        source=questions_inputs(SETTINGS),
    output:
        "results/questions.jsonl",
    params:
        dataset=questions_dataset(SETTINGS),
        split=config["questions_split"],
        limit=config["question_limit"],
    log:
        "logs/questions.log",
    localrule: True
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/questions.py"


rule answers:
    input:
        questions="results/questions.jsonl",
        replay=lambda wc: replay_inputs(SETTINGS, wc.model),
    output:
        paid("results/answers/{model}.jsonl"),
    params:
        # Only what changes an answer: editing concurrency or timeouts reruns nothing.
        settings=lambda wc: answers_params(SETTINGS, wc.model),
        # The failed answers of the existing file: a plain rerun retries them once (docs/running.md).
        retry=lambda wc: answers_retry(workflow, SETTINGS, wc.model),
    log:
        "logs/answers/{model}.log",
    resources:
        # The requests this job keeps in flight (its model's concurrency; 0 for a replay): the global
        # limit (profiles/default) caps the sum over all running jobs.
        api_calls=lambda wc: api_calls(SETTINGS.models[wc.model]),
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/answers.py"

# Questions -> one answers file per model (every question gets a record).


rule questions:
    output:
        "results/questions.jsonl",
    params:
        source=config["questions"],
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
        "results/answers/{model}.jsonl",
    params:
        # Only what changes an answer: editing concurrency or timeouts reruns nothing.
        settings=lambda wc: answers_params(SETTINGS, wc.model),
    log:
        "logs/answers/{model}.log",
    resources:
        api_calls=1,
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/answers.py"

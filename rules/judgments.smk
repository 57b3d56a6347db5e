# Answers + executions of a model and of the baseline -> one judgments file per (judge, model).


wildcard_constraints:
    baseline=re.escape(BASELINE),


rule judge:
    input:
        questions="results/questions.jsonl",
        answers="results/answers/{model}.jsonl",
        baseline_answers="results/answers/{baseline}.jsonl",
        executions=lambda wc: execution_dirs(wc.model),
        baseline_executions=lambda wc: execution_dirs(wc.baseline),
    output:
        paid("results/judgments/{judge}/{model}_vs_{baseline}.jsonl"),
    params:
        settings=lambda wc: judge_params(SETTINGS, wc.judge),
        # Games of the existing file whose judge call failed: a plain rerun retries them once.
        retry=lambda wc: judge_retry(workflow, SETTINGS, wc.judge, wc.model, wc.baseline),
    log:
        "logs/judgments/{judge}/{model}_vs_{baseline}.log",
    resources:
        # The judge model's concurrency; 0 for the execution judge, which calls no provider.
        api_calls=lambda wc: api_calls(
            SETTINGS.models.get(SETTINGS.judges[wc.judge].model or "")
        ),
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/judge.py"

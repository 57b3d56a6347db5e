# Answers -> one execution directory per (model, environment): results.jsonl plus screenshots.


rule execute:
    input:
        answers="results/answers/{model}.jsonl",
    output:
        directory("results/executions/{model}/{env}"),
    params:
        execution={
            k: v for k, v in config["execution"].items() if k not in ("environments",)
        },
    log:
        "logs/executions/{model}/{env}.log",
    threads: 1
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/execute.py"

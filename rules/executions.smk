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
    resources:
        # One sample at a time under the sandbox's memory limit, next to this job's own process and,
        # for web environments, a headless browser. Cluster profiles set their own value.
        mem_mb=config["execution"]["memory_mb"] + 1024,
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/execute.py"

# The arena app: `snakemake arena` serves it until interrupted (Ctrl-C). Never part of `all`: it does
# not finish. While it runs Snakemake holds its lock on this directory; `codearena arena` starts the same
# app without Snakemake (and without the lock). Settings: the config's `arena` section.


rule arena:
    log:
        "logs/arena.log",
    localrule: True
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/arena.py"

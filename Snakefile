# codearena: AutoCodeArena as a Snakemake build.
#   snakemake --cores all leaderboard                       # offline demo suite (config/config.yaml)
#   snakemake --cores 16 leaderboard --configfile config/autocodearena-v0.yaml
#   snakemake --cores all reward                            # judges vs human votes (BigCodeReward)
import sys

from snakemake.utils import min_version

from codearena.config import ConfigError, read_config_file

min_version("9.0")


# The demo config is the default only: a --configfile replaces it instead of being merged into it
# (merging would leak the demo's judges and models into a real benchmark run).
if not workflow.overwrite_configfiles:
    # Read it first: Snakemake's own error for malformed YAML names neither the file nor the line.
    # (A --configfile is read by Snakemake before this file runs: its errors cannot be caught here.)
    try:
        read_config_file("config/config.yaml")
    except ConfigError as e:
        sys.exit(f"codearena: {e}")

    configfile: "config/config.yaml"


include: "rules/common.smk"


# `snakemake --report report.html` describes the workflow with this and includes the leaderboard.
report: "report/workflow.rst"


# Every artifact is listed, not only the last ones: Snakemake does not rebuild a deleted
# intermediate file whose consumers are up to date, and users expect it back.
rule leaderboard:
    input:
        "results/leaderboard.json",
        "results/leaderboard.csv",
        "results/leaderboard.tex",
        "results/report/index.html",
        all_answers(),
        all_executions(),
        all_judgments(),
    default_target: True
    localrule: True


rule all:
    input:
        rules.leaderboard.input,
        reward_targets(),


include: "rules/answers.smk"
include: "rules/executions.smk"
include: "rules/judgments.smk"
include: "rules/leaderboard.smk"
include: "rules/reward.smk"
include: "rules/arena.smk"

# Shared set-up: validate the configuration and derive names, settings and input functions.
import os
import sys
import re
from pathlib import Path

from codearena import environments
from codearena.config import ConfigError, load_settings, stable_hash
from codearena.io import WriteError, check_writable
from codearena.reward import settings as reward_settings
from codearena.workflow import (
    answers_params,
    answers_retry,
    api_calls,
    config_source,
    judge_params,
    judge_retry,
    questions_dataset,
    questions_inputs,
    replay_inputs,
    report_params,
    reward_judge_retry,
)

try:
    SETTINGS = load_settings(
        config, config_source(workflow), base_dirs=[Path(workflow.basedir)]
    )
except ConfigError as e:
    sys.exit(f"codearena: {e}")

BASELINE = SETTINGS.baseline
CONTESTANTS = SETTINGS.contestants
ANSWER_MODELS = SETTINGS.answer_models
JUDGES = SETTINGS.judges
ENVS = config["execution"]["environments"]


wildcard_constraints:
    model="[^/]+",
    judge="[^/]+",
    env="|".join(environments.SLUGS),


onstart:
    # Stop before any provider call when a key is missing (a dry run does not get here).
    missing = {}
    for model, var in SETTINGS.missing_keys():
        missing.setdefault(var, []).append(model)
    if missing:
        names = "; ".join(f"{var} (for {', '.join(m)})" for var, m in missing.items())
        sys.exit(f"codearena: missing API key: set the environment variable {names}")
    # An unwritable output directory (a read-only mount) would otherwise stop the first job with a
    # traceback from Snakemake itself, which deletes a job's old outputs before running it.
    for directory in ("results", "logs", config["cache_dir"]):
        try:
            check_writable(directory)
        except WriteError as e:
            sys.exit(f"codearena: {e}")


def execution_dirs(model):
    return [f"results/executions/{model}/{env}" for env in ENVS]


def judgment_files(judge):
    return [
        f"results/judgments/{judge}/{model}_vs_{BASELINE}.jsonl" for model in CONTESTANTS
    ]


def all_answers():
    return [f"results/answers/{model}.jsonl" for model in ANSWER_MODELS]


def all_executions():
    return [d for model in ANSWER_MODELS for d in execution_dirs(model)]


def all_judgments():
    return [f for judge in JUDGES for f in judgment_files(judge)]


def paid(path):
    """An output that cost provider calls: write-protected when the config asks for a frozen run.

    Off by default: Snakemake refuses to rebuild a protected file, so changing a model's temperature
    would stop the build instead of rerunning that model. The response cache is what keeps the money:
    it holds every successful response, so rebuilding an answers or judgments file repeats no call.
    """
    return protected(path) if config["protect_outputs"] else path


# --- BigCodeReward (rules/reward.smk) ---
try:
    REWARD_JUDGES = reward_settings.reward_judges(SETTINGS)
except ConfigError as e:
    sys.exit(f"codearena: {e}")
REWARD = config["reward"]


def reward_modes(judge):
    return reward_settings.judge_modes(SETTINGS, judge)


def reward_verdicts(judge):
    return [f"results/reward/verdicts/{judge}/{mode}.jsonl" for mode in reward_modes(judge)]


def reward_votes_inputs(wildcards):
    """A local votes source is an input (editing it rebuilds); a hub dataset id is not a file."""
    path = Path(REWARD["votes"])
    if not path.exists():
        path = Path(workflow.basedir) / REWARD["votes"]
    if path.is_file():
        return [str(path)]
    if path.is_dir():
        return sorted(str(p) for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return []


def reward_targets():
    summaries = [f"results/reward/{judge}.json" for judge in REWARD_JUDGES]
    verdicts = [f for judge in REWARD_JUDGES for f in reward_verdicts(judge)]
    return summaries + verdicts + ["results/report/reward/index.html"]

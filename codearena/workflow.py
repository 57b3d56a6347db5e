"""Glue between the Snakefile/scripts and the package: params, settings and logging for rules.

Rule `params:` hold only what changes an artifact (so editing e.g. concurrency reruns nothing);
scripts rebuild the full settings from `snakemake.config`.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from .config import ModelSpec, Settings, load_settings, resolve_path, stable_hash

REPO_ROOT = Path(__file__).resolve().parent.parent


def config_source(workflow: Any) -> str:
    """The config file(s) the user gave, for error messages."""
    files = list(workflow.overwrite_configfiles or []) or list(getattr(workflow, "configfiles", []))
    return ", ".join(str(f) for f in files) or "config"


def generation_prompt_path(settings: Settings) -> str | None:
    path = settings.config["generation"]["system_prompt"]
    return str(resolve_path(path, [REPO_ROOT])) if path else None


def answers_params(settings: Settings, model: str) -> dict:
    """Everything that changes one model's answers: its settings and the system prompt."""
    from .answers import load_system_prompt

    prompt = load_system_prompt(generation_prompt_path(settings))
    return {"model": settings.models[model].settings(), "system_prompt_sha256": stable_hash(prompt)}


def replay_inputs(settings: Settings, model: str) -> list[str]:
    """A replay model's recording is an input: editing it reruns that model."""
    spec = settings.models[model]
    return [spec.replay] if spec.provider == "replay" and spec.replay else []


def judge_params(settings: Settings, judge: str) -> dict:
    """Everything that changes a judge's verdicts: its settings, prompt and (for LLM judges) model."""
    from .judging.prompt import prompt_fingerprint

    spec = settings.judges[judge]
    out = {"judge": spec.settings()}
    if spec.type == "llm":
        out["model"] = settings.models[spec.model].settings()
        out["prompt_sha256"] = prompt_fingerprint(judge_prompt_path(spec.prompt))
    return out


def answers_retry(workflow: Any, settings: Settings, model: str) -> dict:
    """The answers rule's `retry` param: failed answers of the existing file (codearena.retries);
    none for a replay model (asking a recording again gives the same result)."""
    from . import retries

    if settings.models[model].provider == "replay":
        return retries.retry_value([], None)
    return retries.retry_param(workflow, f"results/answers/{model}.jsonl", retries.failed_answers)


def judge_retry(workflow: Any, settings: Settings, judge: str, model: str, baseline: str) -> dict:
    """The judge rule's `retry` param: games whose judge call failed (none for the execution judge)."""
    from . import retries

    if settings.judges[judge].type != "llm":
        return retries.retry_value([], None)
    path = f"results/judgments/{judge}/{model}_vs_{baseline}.jsonl"
    return retries.retry_param(workflow, path, retries.failed_games)


def reward_judge_retry(workflow: Any, settings: Settings, judge: str, mode: str) -> dict:
    """The reward_judge rule's `retry` param: battles with an order whose judge call failed."""
    from . import retries

    if settings.judges[judge].type != "llm":
        return retries.retry_value([], None)
    path = f"results/reward/verdicts/{judge}/{mode}.jsonl"
    return retries.retry_param(workflow, path, retries.failed_battles)


def questions_inputs(settings: Settings) -> list[str]:
    """A local questions file is an input: editing it rebuilds the questions (a dataset id is a param)."""
    from .questions import LOCAL_FORMATS

    source = settings.config["questions"]
    return [str(resolve_path(source, [REPO_ROOT]))] if Path(source).suffix in LOCAL_FORMATS else []


def questions_dataset(settings: Settings) -> str | None:
    """The Hugging Face dataset id of the questions, or None when they come from a local file (an input)."""
    return None if questions_inputs(settings) else settings.config["questions"]


def report_params(settings: Settings) -> dict:
    """What the report shows beyond its inputs: the models' notes from the model table."""
    return {m: settings.models[m].note for m in settings.answer_models if settings.models[m].note}


def api_calls(spec: ModelSpec | None) -> int:
    """A job's claim on the global `api_calls` resource: the requests it keeps in flight at most
    (its model's `concurrency`; 0 for a job that calls no provider)."""
    return spec.concurrency if spec is not None and spec.provider == "litellm" else 0


def job_concurrency(spec: ModelSpec, smk: Any) -> ModelSpec:
    """`spec` with its concurrency held to what the scheduler granted this job in `api_calls`.

    Snakemake lowers a job's claim to the global limit (`--resources api_calls=N`, set in
    profiles/default) when the claim is above it; the job then keeps only that many requests in flight.
    Concurrency is not part of any cache key or param, so this changes no artifact.
    """
    granted = getattr(smk.resources, "api_calls", None)
    if isinstance(granted, int) and 0 < granted < spec.concurrency:
        return replace(spec, concurrency=granted)
    return spec


def judge_prompt_path(path: str | None) -> str | None:
    """A configured judge prompt file, looked up like other config paths."""
    return str(resolve_path(path, [REPO_ROOT])) if path else None


def settings_from_snakemake(smk: Any) -> Settings:
    """Rebuild validated settings inside a `script:` job."""
    return load_settings(dict(smk.config), "config", base_dirs=[REPO_ROOT])


def job_logger(smk: Any, name: str) -> Callable[[str], None]:
    """Log to the rule's `log:` file (and stderr); returns a print-like function."""
    logger = logging.getLogger(f"codearena.{name}")
    logger.setLevel(logging.INFO)
    logger.propagate = False  # the root logger gets the same handlers below; don't print twice
    logger.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    if smk.log:
        fh = logging.FileHandler(str(smk.log[0]), mode="w", encoding="utf-8")
        fh.setFormatter(fmt)
        logger.addHandler(fh)
    sh = logging.StreamHandler(sys.stderr)
    sh.setFormatter(fmt)
    logger.addHandler(sh)
    # Library warnings (litellm, playwright) go to the same log.
    logging.getLogger().handlers[:] = logger.handlers
    return logger.info


def _user_errors() -> tuple[type[BaseException], ...]:
    """Errors that describe bad input or an unavailable service: one line, no traceback."""
    from .config import ConfigError
    from .io import ArtifactError, WriteError
    from .questions import QuestionsError
    from .sandbox.base import SandboxUnavailable

    errors = (ConfigError, ArtifactError, QuestionsError, SandboxUnavailable, WriteError)
    # A CallFailed comes only from a loaded client: importing it here would import litellm (seconds).
    client = sys.modules.get("codearena.llm.client")
    return errors + (client.CallFailed,) if client else errors


@contextmanager
def job(smk: Any, name: str) -> Iterator[Callable[[str], None]]:
    """Run a rule's script body: yields a logger; a known error ends the job with one clear line."""
    log = job_logger(smk, name)
    try:
        yield log
    except _user_errors() as e:
        message = f"codearena: {e}"
        for handler in logging.getLogger(f"codearena.{name}").handlers:
            if isinstance(handler, logging.FileHandler):
                handler.stream.write(message + "\n")
                handler.flush()
        print(message, file=sys.stderr)  # Snakemake shows the job's stderr: one line, no traceback
        sys.exit(1)

"""Glue between the Snakefile/scripts and the package: params, settings and logging for rules.

Rule `params:` hold only what changes an artifact (so editing e.g. concurrency reruns nothing);
scripts rebuild the full settings from `snakemake.config`.
"""

from __future__ import annotations

import logging
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

from .config import Settings, load_settings, resolve_path, stable_hash

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
    from .io import ArtifactError
    from .llm.client import CallFailed
    from .questions import QuestionsError
    from .sandbox.base import SandboxUnavailable

    return (ConfigError, ArtifactError, QuestionsError, CallFailed, SandboxUnavailable)


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

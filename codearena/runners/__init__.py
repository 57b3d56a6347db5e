"""Runners: one per environment, each turning a sample into an execution record (docs/artifacts.md).

`RUNNERS[slug](sample, ctx)` runs one sample; `CHECKS[slug](ctx)` fails early (with the fix) when the
environment's tools are missing. An environment without a runner in this build still gets a record,
with status `unsupported`. To add an environment: write `runners/<slug>.py` with `run` (and `check`)
and register it below.
"""

from __future__ import annotations

import time
import traceback
from typing import Callable

from codearena import environments

from . import html, python
from . import c, cpp, go, java, rust  # compiled languages (runners/compiled.py)
from . import gradio, pygame, streamlit  # apps and games
from . import javascript, mermaid, react, vue
from .common import RunContext, Sample, new_record

Runner = Callable[[Sample, RunContext], dict]


def unsupported(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    record["status"] = "unsupported"
    record["stderr"] = f"environment not supported by this build: {record['environment']}"
    return record


# One row per environment: slug -> (run, check).
_TABLE: dict[str, tuple[Runner, Callable[[RunContext], None]]] = {
    "python": (python.run, python.check),
    "html": (html.run, html.check),
    "c": (c.run, c.check),
    "cpp": (cpp.run, cpp.check),
    "java": (java.run, java.check),
    "go": (go.run, go.check),
    "rust": (rust.run, rust.check),
    "pygame": (pygame.run, pygame.check),
    "streamlit": (streamlit.run, streamlit.check),
    "gradio": (gradio.run, gradio.check),
    "react": (react.run, react.check),
    "vue": (vue.run, vue.check),
    "mermaid": (mermaid.run, mermaid.check),
    "javascript": (javascript.run, javascript.check),
}

RUNNERS: dict[str, Runner] = {slug: unsupported for slug in environments.SLUGS}
RUNNERS.update({slug: run for slug, (run, _) in _TABLE.items()})
CHECKS: dict[str, Callable[[RunContext], None]] = {slug: chk for slug, (_, chk) in _TABLE.items()}


def check(env: str, ctx: RunContext) -> None:
    """Raise SandboxUnavailable if environment `env` cannot run here (no-op for unsupported ones)."""
    checker = CHECKS.get(env)
    if checker is not None:
        checker(ctx)


def run_sample(sample: Sample, ctx: RunContext) -> dict:
    """Run one sample; never raises: a failure of ours becomes a `sandbox_error` record."""
    runner = RUNNERS.get(sample.env, unsupported)
    start = time.monotonic()
    try:
        record = runner(sample, ctx)
        if record["missing_dependencies"] and ctx.setting("install_dependencies", False) \
                and not ctx.backend.installs_dependencies:
            record["notes"].append(f"execution.install_dependencies is on, but the {ctx.backend.name} backend "
                                   "has no network: missing dependencies cannot be installed at run time")
        return record
    except Exception as e:  # noqa: BLE001  (one sample must not stop the job)
        record = new_record(sample, ctx)
        record["status"] = "sandbox_error"
        record["stderr"] = f"{type(e).__name__}: {e}"
        record["notes"] = [traceback.format_exc(limit=5)]
        record["duration_s"] = round(time.monotonic() - start, 3)
        return record


__all__ = ["RUNNERS", "CHECKS", "Runner", "RunContext", "Sample", "check", "run_sample", "unsupported"]

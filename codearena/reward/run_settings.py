"""What one (judge, mode) run is: its settings and the hash of everything that changes its verdicts.

Kept apart from `judge` so that the Snakefile (which needs these at parse time) does not import litellm.
"""

from __future__ import annotations

from dataclasses import dataclass

from codearena.config import JudgeSpec, ModelSpec
from codearena.judging.execution_judge import RULES_VERSION
from codearena.reward.prompt import MODES, Limits, prompt_fingerprint, system_prompt, user_template

RECORD_VERSION = 1


@dataclass(frozen=True)
class RunSettings:
    """How one (judge, mode) run judges: everything here changes its verdicts."""

    mode: str
    both_orders: bool = False
    max_reasks: int = 1
    limits: Limits = Limits()
    system_prompt_path: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r} (expected one of {', '.join(MODES)})")


def judge_settings(judge: JudgeSpec, model: ModelSpec | None, run: RunSettings) -> dict:
    """What determines a (judge, mode)'s verdicts; hashed into every record's `input_sha256`."""
    if judge.type == "execution":
        return {"type": "execution", "rules_version": RULES_VERSION, "mode": run.mode, "record_version": RECORD_VERSION}
    system = system_prompt(run.mode, run.system_prompt_path)
    return {
        "type": "llm",
        "model": model.settings() if model else None,
        "temperature": judge.temperature,
        "max_tokens": judge.max_tokens,
        "mode": run.mode,
        "both_orders": run.both_orders,
        "max_reasks": run.max_reasks,
        "prompt_sha256": prompt_fingerprint(system, user_template(), run.limits),
        "record_version": RECORD_VERSION,
    }

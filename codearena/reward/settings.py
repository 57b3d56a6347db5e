"""The `reward:` section of the workflow config: which judges run in which modes, with what settings.

Judges are the ones defined under `judges:` (LLM judges and the execution judge), picked by name
(`reward.judges`, default: all of them). The execution judge reads only execution evidence, so it
runs in the with-execution mode only.
"""

from __future__ import annotations

from codearena.config import ConfigError, Settings, resolve_path
from codearena.reward.run_settings import RunSettings, judge_settings
from codearena.reward.prompt import Limits
from codearena.reward.report import RESERVED_PAGES


def reward_config(settings: Settings) -> dict:
    return settings.config["reward"]


def reward_judges(settings: Settings) -> list[str]:
    """The judges to score, validated against `judges:` and the configured modes."""
    cfg = reward_config(settings)
    names = cfg["judges"] if cfg["judges"] is not None else list(settings.config["judges"])
    for name in names:
        if name not in settings.config["judges"]:
            raise ConfigError(f"{settings.source}: reward.judges: unknown judge {name!r} (not under judges:)")
        if name in RESERVED_PAGES:
            raise ConfigError(f"{settings.source}: reward.judges: the name {name!r} is reserved for a report page")
        if not judge_modes(settings, name):
            raise ConfigError(
                f"{settings.source}: reward.judges: {name!r} is an execution judge, which has only the "
                f"with_execution mode, but reward.modes is {cfg['modes']}"
            )
    return list(names)


def judge_modes(settings: Settings, judge: str) -> list[str]:
    modes = reward_config(settings)["modes"]
    if settings.judges[judge].type == "execution":
        return [m for m in modes if m == "with_execution"]
    return list(modes)


def run_settings(settings: Settings, mode: str, base_dirs=()) -> RunSettings:
    cfg = reward_config(settings)
    limits = Limits(**cfg["token_limits"], image_max_side=cfg["image_max_side"])
    prompt = cfg["prompts"].get(mode)
    return RunSettings(
        mode=mode,
        both_orders=cfg["both_orders"],
        max_reasks=cfg["max_reasks"],
        limits=limits,
        system_prompt_path=str(resolve_path(prompt, list(base_dirs))) if prompt else None,
    )


def judge_params(settings: Settings, judge: str, mode: str, base_dirs=()) -> dict:
    """Rule params of one (judge, mode): everything that changes its verdicts (prompt texts hashed)."""
    spec = settings.judges[judge]
    model = settings.models[spec.model] if spec.type == "llm" else None
    return judge_settings(spec, model, run_settings(settings, mode, base_dirs))


def summary_settings(settings: Settings) -> dict:
    """What the summary of a judge records about how it was produced (and the ratings settings)."""
    cfg = reward_config(settings)
    return {
        "modes": list(cfg["modes"]),
        "both_orders": cfg["both_orders"],
        "max_reasks": cfg["max_reasks"],
        "token_limits": dict(cfg["token_limits"]),
        "ratings": {"rounds": cfg["bootstrap_rounds"], "seed": cfg["seed"], "confidence": cfg["confidence"]},
        "note": cfg["note"],
    }

"""The arena's settings: the `arena` section of the workflow config, checked against the model table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codearena.config import ConfigError, ModelSpec, Settings, resolve_path


@dataclass(frozen=True)
class ArenaSettings:
    models: dict[str, ModelSpec]  # the battling models, in config order
    weights: dict[str, float]
    section: dict  # the validated `arena` section (defaults filled in): database, port, rate_limits, ...
    execution: dict  # the config's `execution` section: backend and limits of code runs
    system_prompt_path: str | None
    cache_dir: str | None  # the response cache, when `arena.use_cache` is on
    source: str

    @property
    def backend(self) -> str:
        return self.execution.get("backend", "local")

    def sampling(self) -> dict:
        """Overrides of the models' own sampling settings (empty when the section sets none)."""
        return {k: self.section[k] for k in ("temperature", "max_tokens") if self.section.get(k) is not None}

    def missing_keys(self) -> list[tuple[str, str]]:
        return [(name, spec.missing_key()) for name, spec in self.models.items() if spec.missing_key()]


def arena_settings(settings: Settings, base_dirs: list[Path] | None = None) -> ArenaSettings:
    """The arena settings of a validated workflow config; ConfigError naming the key if they do not hold."""
    section = settings.config.get("arena")
    where = settings.source
    if section is None:
        raise ConfigError(f"{where}: no 'arena' section (it lists the models that battle; see "
                          "config/schemas/config.schema.yaml)")
    models: dict[str, ModelSpec] = {}
    for name, weight in section["models"].items():
        spec = settings.models.get(name)
        if spec is None:
            raise ConfigError(f"{where}: arena.models: unknown model {name!r} (not in {settings.config['models_file']})")
        if spec.provider != "litellm":
            raise ConfigError(f"{where}: arena.models.{name}: provider {spec.provider!r} cannot answer new "
                              "prompts; the arena needs litellm models")
        models[name] = spec
    weights = {name: float(w) for name, w in section["models"].items()}
    if sum(1 for w in weights.values() if w > 0) < 2:
        raise ConfigError(f"{where}: arena.models: at least two models need a weight above 0")
    prompt = section.get("system_prompt") or settings.config.get("generation", {}).get("system_prompt")
    if prompt:
        prompt = str(resolve_path(prompt, base_dirs or []))
    return ArenaSettings(models=models, weights=weights, section=section, execution=settings.config.get("execution", {}),
                         system_prompt_path=prompt,
                         cache_dir=settings.config.get("cache_dir") if section.get("use_cache") else None,
                         source=where)

"""Configuration: validate config.yaml and models.yaml against their JSON schemas and build specs.

Errors are `ConfigError`s with one line that names the file and the key, e.g.
`config/config.yaml: execution.timeout_s: 'abc' is not of type 'number'`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "config" / "schemas"
EXECUTION_JUDGE = "execution"


class ConfigError(ValueError):
    """A configuration problem; the message is one line naming the file and key."""


def _extend_with_defaults(validator_class):
    """A validator that fills in schema defaults while it validates (the jsonschema FAQ recipe)."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_Validator = _extend_with_defaults(jsonschema.Draft202012Validator)


def load_schema(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _describe(error: jsonschema.ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        keys = ", ".join(f"{where + '.' if where else ''}{k}" for k in extra)
        return f"unknown key {keys}" if len(extra) == 1 else f"unknown keys {keys}"
    if error.validator == "required":
        return f"{where + ': ' if where else ''}{error.message}"
    return f"{where or '(top level)'}: {error.message}"


def validate(instance: Any, schema_name: str, source: str) -> Any:
    """Validate `instance` in place (filling defaults); raise ConfigError naming `source` and the key."""
    schema = load_schema(schema_name)
    errors = sorted(_Validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if errors:
        best = jsonschema.exceptions.best_match(errors)
        raise ConfigError(f"{source}: {_describe(best)}")
    return instance


def read_yaml(path: str | os.PathLike) -> Any:
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{path}{line}: malformed YAML ({problem})") from None


def read_config_file(path: str | os.PathLike) -> dict:
    """A workflow config file: YAML with keys at the top level, or a ConfigError naming the file."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected keys at the top level, found a {type(data).__name__}")
    return data


def resolve_path(path: str, base_dirs: list[Path]) -> Path:
    """A relative path is looked up in the working directory first, then in each of `base_dirs`."""
    p = Path(path)
    if p.is_absolute() or p.exists():
        return p
    for base in base_dirs:
        candidate = base / p
        if candidate.exists():
            return candidate
    return p


@dataclass(frozen=True)
class ModelSpec:
    """How to call one model. `settings()` is everything that changes its answers."""

    name: str
    provider: str = "litellm"
    model: str | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    temperature: float | None = 0.0
    max_tokens: int | None = 8192
    concurrency: int = 8
    timeout_s: float = 600
    max_retries: int = 6
    retry_base_s: float = 2.0
    retry_max_s: float = 60.0
    extra: dict = field(default_factory=dict)
    replay: str | None = None
    note: str | None = None

    def settings(self) -> dict:
        """The settings that determine a response (no key, no concurrency): hashed into cache keys."""
        if self.provider == "replay":
            return {"provider": "replay", "replay": self.replay}
        return {
            "provider": self.provider,
            "model": self.model,
            "api_base": self.api_base,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "extra": self.extra,
        }

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None

    def missing_key(self) -> str | None:
        """The name of the environment variable this model needs but that is not set, if any."""
        if self.provider == "litellm" and self.api_key_env and not os.environ.get(self.api_key_env):
            return self.api_key_env
        return None


@dataclass(frozen=True)
class JudgeSpec:
    name: str
    type: str
    model: str | None = None
    temperature: float = 0.0
    max_tokens: int = 4096
    max_reasks: int = 2
    with_execution: bool = True
    output_chars: int = 4000
    max_images: int = 2
    prompt: str | None = None

    def settings(self) -> dict:
        d = dict(self.__dict__)
        d.pop("name")
        return d


def load_models(path: str | os.PathLike, base_dirs: list[Path] | None = None) -> dict[str, ModelSpec]:
    """Read and validate the model table; replay paths are resolved like other config paths."""
    raw = read_yaml(path)
    validate(raw, "models.schema.yaml", str(path))
    models = {}
    for name, entry in raw.items():
        if entry["provider"] == "litellm" and not entry.get("model"):
            raise ConfigError(f"{path}: {name}: provider litellm needs 'model' (a litellm model id)")
        if entry["provider"] == "replay":
            if not entry.get("replay"):
                raise ConfigError(f"{path}: {name}: provider replay needs 'replay' (a recorded answers file)")
            entry["replay"] = str(resolve_path(entry["replay"], base_dirs or []))
        models[name] = ModelSpec(name=name, **entry)
    return models


@dataclass
class Settings:
    """The validated workflow configuration with its model table resolved."""

    config: dict
    models: dict[str, ModelSpec]
    source: str

    @property
    def contestants(self) -> list[str]:
        return list(self.config["models"])

    @property
    def baseline(self) -> str:
        return self.config["baseline"]

    @property
    def answer_models(self) -> list[str]:
        """Every model whose answers are generated: the contestants plus the baseline."""
        names = list(self.config["models"])
        if self.baseline not in names:
            names.append(self.baseline)
        return names

    @property
    def judges(self) -> dict[str, JudgeSpec]:
        return {name: JudgeSpec(name=name, **spec) for name, spec in self.config["judges"].items()}

    def llm_models_in_use(self) -> list[ModelSpec]:
        names = self.answer_models + [j.model for j in self.judges.values() if j.type == "llm"]
        seen, specs = set(), []
        for n in names:
            if n not in seen:
                seen.add(n)
                specs.append(self.models[n])
        return specs

    def missing_keys(self) -> list[tuple[str, str]]:
        """(model name, environment variable) for every model in use whose key is not set."""
        out = []
        for spec in self.llm_models_in_use():
            var = spec.missing_key()
            if var:
                out.append((spec.name, var))
        return out


def load_settings(config: dict, source: str, base_dirs: list[Path] | None = None) -> Settings:
    """Validate a workflow config (already parsed) and the model table it points to."""
    config = validate(config, "config.schema.yaml", source)
    base_dirs = base_dirs or []
    models_path = resolve_path(config["models_file"], base_dirs)
    models = load_models(models_path, base_dirs)
    for key, names in (("models", config["models"]), ("baseline", [config["baseline"]])):
        for n in names:
            if n not in models:
                raise ConfigError(f"{source}: {key}: unknown model {n!r} (not in {models_path})")
    if config["baseline"] in config["models"]:
        raise ConfigError(f"{source}: baseline {config['baseline']!r} is also listed under models")
    for jname, j in config["judges"].items():
        if j["type"] == "llm":
            if not j.get("model"):
                raise ConfigError(f"{source}: judges.{jname}: type llm needs 'model'")
            if j["model"] not in models:
                raise ConfigError(f"{source}: judges.{jname}.model: unknown model {j['model']!r} (not in {models_path})")
        elif j.get("model"):
            raise ConfigError(f"{source}: judges.{jname}: the execution judge takes no 'model'")
    anchor = config["leaderboard"].get("anchor_model")
    if anchor is not None and anchor != config["baseline"] and anchor not in config["models"]:
        raise ConfigError(f"{source}: leaderboard.anchor_model: {anchor!r} is neither the baseline nor in models")
    return Settings(config=config, models=models, source=source)


def stable_hash(obj: Any) -> str:
    """sha256 of a canonical JSON encoding: the same settings always give the same hash."""
    data = json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()

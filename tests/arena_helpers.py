"""Starting the arena app for tests: fake models on the fake LLM server, a temporary database."""

from __future__ import annotations

import contextlib
from pathlib import Path

import yaml

from codearena.config import load_settings


def arena_config(tmp_path: Path, base_url: str, models: tuple[str, ...], **arena: object) -> dict:
    """A workflow config whose `arena` section battles `models` (served by the fake server at `base_url`)."""
    table = {name: {"model": f"openai/{name}", "api_base": base_url, "timeout_s": 30, "max_retries": 1,
                    "retry_base_s": 0.05, "retry_max_s": 0.1} for name in models}
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(table))
    section = {"models": {name: 1 for name in models}, "database": f"sqlite:///{tmp_path}/arena.db",
               "workdir": str(tmp_path / "work"), "port": 0, "preview_port": 0, **arena}
    return {"questions": "unused.jsonl", "models_file": str(tmp_path / "models.yaml"), "models": [models[0]],
            "baseline": models[1], "judges": {"execution": {"type": "execution"}},
            "execution": {"timeout_s": 20, "settle_ms": 200}, "arena": section}


@contextlib.contextmanager
def running_arena(config: dict):
    """The app, started in this process (background threads) and stopped afterwards."""
    from codearena.arena.server import start

    running = start(load_settings(config, "test-config"), block=False, quiet=True)
    try:
        yield running
    finally:
        running.close()

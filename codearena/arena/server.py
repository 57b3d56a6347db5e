"""Starting the arena: from a workflow config (the CLI, the Snakemake rule) to a running app."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from pathlib import Path

from codearena.config import ConfigError, Settings

from .settings import ArenaSettings, arena_settings



@dataclass
class RunningArena:
    arena: object  # service.Arena
    blocks: object  # gradio.Blocks
    url: str

    def close(self) -> None:
        self.blocks.close()
        self.arena.close()


def check_ready(settings: ArenaSettings) -> None:
    """Stop before anything starts when a battling model's API key is missing (naming the variables)."""
    missing: dict[str, list[str]] = {}
    for model, var in settings.missing_keys():
        missing.setdefault(var, []).append(model)
    if missing:
        names = "; ".join(f"{var} (for {', '.join(models)})" for var, models in missing.items())
        raise ConfigError(f"{settings.source}: arena.models: missing API key: set the environment variable {names}")


def start(settings: Settings | ArenaSettings, *, base_dirs: list[Path] | None = None, block: bool = True,
          quiet: bool = False) -> RunningArena:
    """Start the app (and its preview server); with `block` serve until interrupted, then stop."""
    if isinstance(settings, Settings):
        settings = arena_settings(settings, base_dirs)
    check_ready(settings)  # before the imports: gradio and litellm take seconds to load
    from .app import build, launch
    from .service import Arena

    arena = Arena(settings)
    try:
        blocks = build(arena)
        url = launch(arena, blocks, quiet=quiet)
    except BaseException:
        arena.close()
        raise
    running = RunningArena(arena=arena, blocks=blocks, url=url)
    main = block and threading.current_thread() is threading.main_thread()
    if main:
        # SIGTERM (Snakemake stopping the job, `kill`) ends the app like Ctrl-C: sandboxes, the browser and
        # the database are closed, not abandoned.
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        if not quiet:
            print(f"codearena arena: {url} (live previews from {arena.preview.origin}; "
                  f"votes in {settings.section['database']})", flush=True)
        if block:
            blocks.block_thread()
    finally:
        if main:
            _ignore_signals()
        if block:
            running.close()
    return running


def _interrupt(signum, frame) -> None:
    # Ctrl-C reaches Snakemake and this job at once, then Snakemake sends the job SIGTERM: the signals
    # after the first must not cut the clean-up short (a half-closed server leaves threads that keep
    # the process alive).
    _ignore_signals()
    raise KeyboardInterrupt


def _ignore_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

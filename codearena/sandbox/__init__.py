"""Sandboxes that run model-written code: pick a backend by name.

    backend = get_backend("local")
    result = backend.run([backend.python(), "main.py"], workdir, limits=Limits(wall_s=10))

Backends: `local` (bubblewrap). Docker and E2B backends plug in here with the same interface.
"""

from __future__ import annotations

from typing import Callable

from .base import WORKDIR, Backend, Limits, ProcessResult, SandboxError, SandboxUnavailable
from .local import LocalBackend, sandbox_python

BACKENDS: dict[str, Callable[..., Backend]] = {
    "local": LocalBackend,
}


def get_backend(name: str = "local", **options) -> Backend:
    """A backend instance by name; `options` go to its constructor."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown sandbox backend {name!r} (known: {', '.join(sorted(BACKENDS))})") from None
    return factory(**options)


__all__ = ["WORKDIR", "Backend", "Limits", "ProcessResult", "SandboxError", "SandboxUnavailable",
           "LocalBackend", "sandbox_python", "get_backend", "BACKENDS"]

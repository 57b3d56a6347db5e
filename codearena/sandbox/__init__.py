"""Sandboxes that run model-written code: pick a backend by name.

    backend = get_backend("local")
    result = backend.run([backend.python(), "main.py"], workdir, limits=Limits(wall_s=10))

Backends: `local` (bubblewrap), `docker` (a container per run, `sandbox/docker/`) and `e2b` (E2B's cloud
sandboxes, `sandbox/e2b/`); the last two import their SDKs only when chosen.
"""

from __future__ import annotations

from typing import Callable

from .base import WORKDIR, Backend, Limits, ProcessResult, SandboxError, SandboxUnavailable
from .local import LocalBackend, sandbox_python


def _docker(**options) -> Backend:
    from .docker import DockerBackend

    return DockerBackend(**options)


def _e2b(**options) -> Backend:
    from .e2b import E2BBackend

    return E2BBackend(**options)


BACKENDS: dict[str, Callable[..., Backend]] = {
    "local": LocalBackend,
    "docker": _docker,
    "e2b": _e2b,
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

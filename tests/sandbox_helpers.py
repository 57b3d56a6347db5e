"""What the backend tests (local, docker, e2b) share: a fresh work directory and a Python one-liner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codearena.sandbox import Limits


@pytest.fixture
def work(tmp_path: Path) -> Path:
    d = tmp_path / "work"
    d.mkdir()
    return d


def py(backend, work: Path, code: str, limits: Limits = Limits(wall_s=30), **kw):
    """Run `code` (dedented) with the backend's Python in `work`."""
    return backend.run([backend.python(), "-c", textwrap.dedent(code)], work, limits=limits, **kw)

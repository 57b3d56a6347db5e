"""Shared fixtures: a fake OpenAI-compatible endpoint and model specs that point at it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# litellm must never reach the internet from the test suite (cost map, beta headers, ...): set both
# switches before anything imports litellm.
os.environ["LITELLM_OFFLINE_MODE"] = "true"
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

# The checkout's package and this directory's helpers are importable even without `pip install -e .`.
TESTS_DIR = Path(__file__).resolve().parent
for _p in (TESTS_DIR.parent, TESTS_DIR):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from fake_llm_server import FakeLLMServer  # noqa: E402

REPO = TESTS_DIR.parent


def _shared_data_dir() -> Path | None:
    """The real data shipped beside the checkout (`../shared/data`); read in place, never copied."""
    for candidate in (REPO.parent / "shared" / "data", Path("/work/shared/data")):
        if candidate.is_dir():
            return candidate
    return None


SHARED_DATA = _shared_data_dir()


@pytest.fixture
def shared_data() -> Path:
    """Path of `../shared/data`; tests that need it are skipped where it is not present."""
    if SHARED_DATA is None:
        pytest.skip("../shared/data is not present beside this checkout")
    return SHARED_DATA


@pytest.fixture
def fake_llm():
    """A running FakeLLMServer on a free port (stopped after the test); `fake_llm.base_url` ends in /v1."""
    with FakeLLMServer() as srv:
        yield srv


@pytest.fixture
def fake_spec(fake_llm):
    """Make a ModelSpec that calls `fake_llm` as model `name` (fast retries, no key needed)."""
    from codearena.config import ModelSpec

    def make(name: str = "fake-model", **overrides) -> ModelSpec:
        fields = dict(name=name, model=f"openai/{name}", api_base=fake_llm.base_url, timeout_s=10, max_retries=3)
        fields.update(overrides)
        return ModelSpec(**fields)

    return make

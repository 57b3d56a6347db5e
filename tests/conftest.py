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


# `make test` runs the suite on two pytest-xdist workers. A test module is one unit of work, so its
# module fixtures (the demo build, a fake server) are built once; the modules that use the private
# dockerd and its images (a session fixture that takes minutes to build) form one unit, so only one
# worker builds them. The longest units start first (measured: a few minutes each), then the other
# end-to-end tests (marked slow), so a long unit does not end up last, alone on one worker. (xdist's
# own `--dist loadgroup` marks do not work with pytest >= 9.2: it rewrites a node id attribute that
# pytest no longer reads.)
DOCKER_MODULES = ("tests/test_sandbox_docker.py", "tests/test_attacks.py")
LONGEST_UNITS = ("docker", "tests/test_workflow_llm.py", "tests/test_workflow_incremental.py",
                 "tests/test_workflow_demo.py", "tests/test_slurm.py", "tests/test_arena_load.py",
                 "tests/test_workflow_reward.py")


def _unit(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0]
    return "docker" if module in DOCKER_MODULES else module


def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class ModuleUnits(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return ModuleUnits(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        unit = _unit(item.nodeid)
        if unit in LONGEST_UNITS:
            return LONGEST_UNITS.index(unit)
        return len(LONGEST_UNITS) + (0 if item.get_closest_marker("slow") else 1)

    items.sort(key=rank)  # stable: the order within a module is kept

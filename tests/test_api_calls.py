"""The global `api_calls` resource: each LLM-bound job claims its model's concurrency, Snakemake holds the
sum over running jobs to the limit (profiles/default, or --resources), and a job keeps no more requests
in flight than it was granted."""

import re
from types import SimpleNamespace

import pytest
import yaml

from codearena.config import ModelSpec
from codearena.workflow import api_calls, job_concurrency
from workflow_helpers import snakemake, write_config


def planned_api_calls(proc) -> dict[str, int]:
    """(rule, wildcards) -> the api_calls a dry run printed for that job (0 when none)."""
    claims, rule, wildcards = {}, None, ""
    for line in (proc.stdout + proc.stderr).splitlines():
        if m := re.match(r"^(?:local)?rule (\w+):$", line.strip()):
            rule, wildcards = m.group(1), ""
        elif line.strip().startswith("wildcards: "):
            wildcards = line.strip().removeprefix("wildcards: ")
        elif line.strip().startswith("resources: ") and rule:
            m = re.search(r"\bapi_calls=(\d+)", line)
            claims[f"{rule} {wildcards}".strip()] = int(m.group(1)) if m else 0
    return claims


@pytest.fixture
def llm_config(tmp_path):
    models = {
        "m-small": {"model": "openai/m-small", "api_base": "http://127.0.0.1:9/v1", "concurrency": 4},
        "m-base": {"model": "openai/m-base", "api_base": "http://127.0.0.1:9/v1", "concurrency": 6},
        "m-judge": {"model": "openai/m-judge", "api_base": "http://127.0.0.1:9/v1", "concurrency": 48},
    }
    (tmp_path / "models.yaml").write_text(yaml.safe_dump(models))
    return write_config(
        tmp_path / "config.yaml", models_file=str(tmp_path / "models.yaml"), models=["m-small"], baseline="m-base",
        judges={"m-judge": {"type": "llm", "model": "m-judge"}, "execution": {"type": "execution"}},
        execution={"environments": ["python"]},
    )


def test_llm_jobs_claim_their_models_concurrency_held_to_the_profiles_limit(tmp_path, llm_config):
    claims = planned_api_calls(snakemake(tmp_path, "--dry-run", "leaderboard", configfile=llm_config))
    assert claims["answers model=m-small"] == 4
    assert claims["answers model=m-base"] == 6
    assert claims["judge judge=m-judge, model=m-small, baseline=m-base"] == 32  # 48, held to profiles/default
    assert claims["judge judge=execution, model=m-small, baseline=m-base"] == 0
    assert claims["execute model=m-small, env=python"] == 0


def test_a_lower_limit_on_the_command_line_holds_every_claim(tmp_path, llm_config):
    proc = snakemake(tmp_path, "--dry-run", "leaderboard", "--resources", "api_calls=5", configfile=llm_config)
    claims = planned_api_calls(proc)
    assert claims["answers model=m-small"] == 4
    assert claims["answers model=m-base"] == 5
    assert claims["judge judge=m-judge, model=m-small, baseline=m-base"] == 5


def test_replay_models_claim_nothing(tmp_path):
    cfg = write_config(tmp_path / "config.yaml", execution={"environments": ["python"]})
    claims = planned_api_calls(snakemake(tmp_path, "--dry-run", "leaderboard", configfile=cfg))
    assert claims["answers model=demo-alpha"] == 0


def test_a_job_keeps_no_more_requests_in_flight_than_it_was_granted():
    spec = ModelSpec(name="m", model="openai/m", concurrency=16)
    granted = lambda n: SimpleNamespace(resources=SimpleNamespace(api_calls=n))  # noqa: E731 (snakemake's job object)
    assert job_concurrency(spec, granted(8)).concurrency == 8
    assert job_concurrency(spec, granted(16)).concurrency == 16
    assert job_concurrency(spec, granted(0)) is spec  # no claim: nothing to hold it to
    assert job_concurrency(spec, SimpleNamespace(resources=SimpleNamespace())) is spec
    assert job_concurrency(spec, granted(8)).settings() == spec.settings()  # no cache key changes
    assert api_calls(spec) == 16
    assert api_calls(ModelSpec(name="r", provider="replay", replay="x.jsonl")) == 0
    assert api_calls(None) == 0

"""A bad config, a missing key and a malformed questions file each stop the workflow with one clear line."""

import pytest
import yaml

from workflow_helpers import snakemake, write_config

pytestmark = pytest.mark.slow


def error_lines(proc):
    return [line for line in (proc.stdout + proc.stderr).splitlines() if line.startswith("codearena: ")]


def test_bad_config_names_the_key(tmp_path):
    cfg = write_config(tmp_path / "c.yaml", execution={"timout_s": 3})
    proc = snakemake(tmp_path, "leaderboard", configfile=cfg, check=False)
    assert proc.returncode != 0
    assert error_lines(proc) == [f"codearena: {cfg}: unknown key execution.timout_s"]


def test_missing_key_stops_before_any_job(tmp_path, monkeypatch):
    monkeypatch.delenv("CODEARENA_TEST_KEY", raising=False)
    (tmp_path / "models.yaml").write_text(yaml.safe_dump({
        "paid": {"model": "openai/gpt-x", "api_key_env": "CODEARENA_TEST_KEY"},
        "base": {"model": "openai/gpt-y", "api_key_env": "CODEARENA_TEST_KEY"},
    }))
    cfg = write_config(tmp_path / "c.yaml", models_file=str(tmp_path / "models.yaml"), models=["paid"], baseline="base")
    proc = snakemake(tmp_path, "leaderboard", configfile=cfg, check=False)
    assert proc.returncode != 0
    assert error_lines(proc) == [
        "codearena: missing API key: set the environment variable CODEARENA_TEST_KEY (for paid, base)"
    ]
    assert not (tmp_path / "results").exists()


def test_malformed_questions_file_names_the_line(tmp_path):
    q = tmp_path / "q.jsonl"
    q.write_text('{"uid": "a", "instruction": "x", "category": "c"}\n{"uid": "b", "instruction": \n')
    cfg = write_config(tmp_path / "c.yaml", questions=str(q))
    proc = snakemake(tmp_path, "leaderboard", configfile=cfg, check=False)
    assert proc.returncode != 0
    assert error_lines(proc) == [f"codearena: {q}:2: not valid JSON (Expecting value)"]

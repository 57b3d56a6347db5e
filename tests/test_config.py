"""Config validation: every mistake is one line naming the file and the key."""

from pathlib import Path

import pytest
import yaml

from codearena.config import ConfigError, load_settings, read_config_file, read_yaml

REPO = Path(__file__).resolve().parent.parent


def demo_config() -> dict:
    return yaml.safe_load((REPO / "config/config.yaml").read_text())


def settings(cfg: dict):
    return load_settings(cfg, "cfg.yaml", base_dirs=[REPO])


def test_demo_config_is_valid_and_filled_with_defaults():
    s = settings(demo_config())
    assert s.baseline == "demo-baseline"
    assert s.config["execution"]["environments"][0] == "html"
    assert s.config["leaderboard"]["strong_weight"] == 3
    assert s.judges["execution"].type == "execution"
    assert s.answer_models == ["demo-alpha", "demo-beta", "demo-gamma", "demo-baseline"]


def test_real_benchmark_config_is_valid():
    cfg = yaml.safe_load((REPO / "config/autocodearena-v0.yaml").read_text())
    s = settings(cfg)
    assert s.baseline == "gpt-4.1"
    assert s.judges["claude-3-7-sonnet"].model not in s.contestants  # the judge is not a contestant


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda c: c["execution"].update(timeout_s="abc"), "cfg.yaml: execution.timeout_s: 'abc' is not of type 'number'"),
        (lambda c: c["execution"].update(timout_s=3), "cfg.yaml: unknown key execution.timout_s"),
        (lambda c: c.update(modles=["x"]), "cfg.yaml: unknown key modles"),
        (lambda c: c.pop("baseline"), "cfg.yaml: 'baseline' is a required property"),
        (lambda c: c.update(models=["demo-alpha", "nope"]), "cfg.yaml: models: unknown model 'nope'"),
        (lambda c: c.update(baseline="nope"), "cfg.yaml: baseline: unknown model 'nope'"),
        (lambda c: c.update(baseline="demo-alpha"), "cfg.yaml: baseline 'demo-alpha' is also listed under models"),
        (lambda c: c["judges"].update(j={"type": "llm", "model": "nope"}), "cfg.yaml: judges.j.model: unknown model 'nope'"),
        (lambda c: c["judges"].update(j={"type": "llm"}), "cfg.yaml: judges.j: type llm needs 'model'"),
        (lambda c: c["execution"].update(environments=["cobol"]), "cfg.yaml: execution.environments.0: 'cobol' is not one of"),
    ],
)
def test_bad_config_gives_one_clear_line(mutate, message):
    cfg = demo_config()
    mutate(cfg)
    with pytest.raises(ConfigError) as e:
        settings(cfg)
    assert str(e.value).startswith(message)
    assert "\n" not in str(e.value)


def test_malformed_yaml_names_file_and_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("models: [a, b\nbaseline: c\n")
    with pytest.raises(ConfigError, match=r"bad.yaml:\d+: malformed YAML"):
        read_yaml(p)


def test_a_config_file_has_keys_at_the_top_level(tmp_path):
    p = tmp_path / "list.yaml"
    p.write_text("- models\n- baseline\n")
    with pytest.raises(ConfigError, match=r"list.yaml: expected keys at the top level, found a list"):
        read_config_file(p)


def test_models_file_errors(tmp_path):
    p = tmp_path / "models.yaml"
    p.write_text("m1:\n  provider: litellm\n")
    cfg = demo_config()
    cfg["models_file"] = str(p)
    cfg["models"], cfg["baseline"] = ["m1"], "m1"
    with pytest.raises(ConfigError, match="models.yaml: m1: provider litellm needs 'model'"):
        settings(cfg)
    p.write_text("m1:\n  model: openai/x\n  temprature: 1\n")
    with pytest.raises(ConfigError, match="models.yaml: unknown key m1.temprature"):
        settings(cfg)


def test_missing_key_names_the_variable(monkeypatch):
    cfg = yaml.safe_load((REPO / "config/autocodearena-v0.yaml").read_text())
    for var in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY", "DEEPSEEK_API_KEY", "OPENROUTER_API_KEY"):
        monkeypatch.setenv(var, "x")
    monkeypatch.delenv("GEMINI_API_KEY")
    missing = settings(cfg).missing_keys()
    assert missing == [("gemini-2.5-pro", "GEMINI_API_KEY"), ("gemini-2.5-flash", "GEMINI_API_KEY")]

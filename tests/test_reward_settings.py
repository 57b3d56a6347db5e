"""The `reward:` config section: defaults, judges and modes, one-line errors."""

from pathlib import Path

import pytest
import yaml

from codearena.config import ConfigError, load_settings
from codearena.reward import settings as rs

REPO = Path(__file__).resolve().parent.parent


def load(**reward):
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    cfg["judges"]["llm-judge"] = {"type": "llm", "model": "gpt-4o-mini"}
    cfg["reward"] = {**cfg["reward"], **reward}
    return load_settings(cfg, "cfg.yaml", base_dirs=[REPO])


def test_defaults_fill_in_and_the_execution_judge_has_only_the_execution_mode():
    s = load()
    cfg = rs.reward_config(s)
    assert cfg["token_limits"] == {"instruction": 2000, "answer": 6000, "output": 1000, "error": 1000}
    assert cfg["modes"] == ["with_execution", "without_execution"] and cfg["max_reasks"] == 1
    assert rs.reward_judges(s) == ["execution", "llm-judge"]
    assert rs.judge_modes(s, "execution") == ["with_execution"]
    assert rs.judge_modes(s, "llm-judge") == ["with_execution", "without_execution"]
    run = rs.run_settings(s, "without_execution")
    assert run.limits.answer == 6000 and run.limits.image_max_side == 1024 and not run.both_orders


def test_judge_params_change_with_what_changes_verdicts():
    base = rs.judge_params(load(), "llm-judge", "with_execution")
    assert rs.judge_params(load(both_orders=True), "llm-judge", "with_execution") != base
    assert rs.judge_params(load(token_limits={"answer": 100}), "llm-judge", "with_execution") != base
    assert rs.judge_params(load(), "llm-judge", "without_execution") != base
    assert rs.judge_params(load(bootstrap_rounds=10), "llm-judge", "with_execution") == base  # ratings only
    assert rs.judge_params(load(both_orders=True), "execution", "with_execution") == \
        rs.judge_params(load(), "execution", "with_execution")  # the rule judge is symmetric


@pytest.mark.parametrize("reward, message", [
    ({"judges": ["nope"]}, "cfg.yaml: reward.judges: unknown judge 'nope' (not under judges:)"),
    ({"judges": ["execution"], "modes": ["without_execution"]}, "only the with_execution mode"),
])
def test_bad_judge_choices_are_one_line_errors(reward, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rs.reward_judges(load(**reward))


@pytest.mark.parametrize("reward, message", [
    ({"modes": ["both"]}, "reward.modes.0: 'both' is not one of"),
    ({"limits": 3}, "unknown key reward.limits"),
    ({"token_limits": {"answer": 10}}, "reward.token_limits.answer: 10 is less than the minimum of 50"),
])
def test_schema_errors_name_the_key(reward, message):
    with pytest.raises(ConfigError, match=message):
        load(**reward)

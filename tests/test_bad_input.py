"""Bad input stops the workflow with one clear line and loses nothing.

Each case runs the real workflow on a copy of one small build (one question, a contestant and the
baseline from the demo's recordings, Python executions, the execution judge) with one thing wrong, and
checks: a non-zero exit, exactly one `codearena: ...` line, naming the file, key or record, no Python
traceback, and the build's files as they were. A job that Snakemake runs has its own old outputs
removed by Snakemake before it starts (they no longer match its inputs): those, and only those, may
be gone afterwards; nothing is ever left half-written. Most cases fail while the workflow is parsed
(`--dry-run`); the others run the one job that reads the bad input.
"""

import errno
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from workflow_helpers import (
    REPO, as_user, give_to, read_jsonl, snakemake, snakemake_cmd, snakemake_env, write_config,
)

pytestmark = pytest.mark.slow
FIELDS = dict(models=["demo-alpha"], question_limit=1, execution={"environments": ["python"]},
              leaderboard={"bootstrap_rounds": 100})
LEADERBOARD = "results/leaderboard.json"
ANSWERS = "results/answers/demo-alpha.jsonl"
JUDGMENTS = "results/judgments/execution/demo-alpha_vs_demo-baseline.jsonl"


def shared_dir() -> Path:
    """A temporary directory other users may enter (pytest's own are private to root)."""
    path = Path(tempfile.mkdtemp(prefix="codearena-bad-input-"))
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def built():
    path = shared_dir()
    snakemake(path, LEADERBOARD, configfile=write_config(path / "config.yaml", **FIELDS))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def work(built):
    """A copy of the build (outputs, Snakemake's metadata, mtimes kept) with its config."""
    path = shared_dir() / "work"
    shutil.copytree(built, path, symlinks=True)
    yield path
    shutil.rmtree(path.parent, ignore_errors=True)


def files(work: Path) -> dict[str, bytes]:
    """Every file of the build's outputs and response cache, by path."""
    return {str(p.relative_to(work)): p.read_bytes()
            for d in ("results", "cache") for p in (work / d).rglob("*") if p.is_file()}


def config(work: Path, **changes) -> Path:
    return write_config(work / "config.yaml", **{**FIELDS, **changes})


def fails(work: Path, *args: str, configfile: Path | bool, removed: set[str] = frozenset(),
          as_nobody: bool = False) -> str:
    """Run the workflow, check the failure as the module says, return the `codearena:` line."""
    before = files(work)
    cmd = snakemake_cmd(work, *args, configfile=configfile)
    if as_nobody:
        cmd = as_user(cmd)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=snakemake_env({"HOME": str(work)}))
    out = proc.stdout + proc.stderr
    lines = [line for line in out.splitlines() if line.startswith("codearena: ")]
    assert proc.returncode != 0 and len(lines) == 1 and "Traceback" not in out, out[-4000:]
    after = files(work)
    assert {p for p in before if after.get(p) != before[p]} == set(removed)
    assert not set(removed) & set(after), "an output was altered, not removed"
    assert set(after) <= set(before), "a new file (a temporary one?) was left behind"
    return lines[0]


# --- the configuration: stops while the workflow is parsed ---------------------------------------------

@pytest.mark.parametrize("changes, message", [
    pytest.param({"execution": {"environments": ["python"], "timeout_s": "ten"}},
                 "{cfg}: execution.timeout_s: 'ten' is not of type 'number'", id="wrong-type"),
    pytest.param({"execution": {"environments": ["python"], "timout_s": 3}},
                 "{cfg}: unknown key execution.timout_s", id="unknown-key"),
    pytest.param({"models": ["demo-alpha", "gpt-nope"]},
                 "{cfg}: models: unknown model 'gpt-nope' (not in {models})", id="unknown-model"),
    pytest.param({"judges": {"execution": {"type": "execution"}}, "reward": {"judges": ["gpt-judge"]}},
                 "{cfg}: reward.judges: unknown judge 'gpt-judge' (not under judges:)", id="unknown-judge"),
    pytest.param({"judges": {"gpt-judge": {"type": "llm", "model": "gpt-nope"}}},
                 "{cfg}: judges.gpt-judge.model: unknown model 'gpt-nope' (not in {models})", id="judge-unknown-model"),
    pytest.param({"baseline": "demo-zeta"},
                 "{cfg}: baseline: unknown model 'demo-zeta' (not in {models})", id="baseline-not-a-model"),
])
def test_bad_config_names_the_key(work, changes, message):
    cfg = config(work, **changes)
    line = fails(work, "--dry-run", LEADERBOARD, configfile=cfg)
    assert line == "codearena: " + message.format(cfg=cfg, models=REPO / "config/models.yaml")


def test_malformed_yaml_config_names_the_file_and_line(work):
    # The workflow's own config (no --configfile): Snakemake reads a --configfile before the workflow
    # runs, and its message for malformed YAML names neither the file nor the line.
    (work / "config").mkdir()
    (work / "config/config.yaml").write_text("name: demo\nmodels: [demo-alpha\nbaseline: demo-baseline\n")
    line = fails(work, "--dry-run", LEADERBOARD, configfile=False)
    assert line.startswith("codearena: config/config.yaml:3: malformed YAML (")


def test_malformed_yaml_model_table_names_the_file_and_line(work):
    models = work / "models.yaml"
    models.write_text("demo-alpha:\n  provider: replay\n  replay: [unclosed\n")
    line = fails(work, "--dry-run", LEADERBOARD, configfile=config(work, models_file=str(models)))
    assert line.startswith(f"codearena: {models}:4: malformed YAML (")


def test_missing_api_key_stops_before_any_job(work, monkeypatch):
    monkeypatch.delenv("CODEARENA_TEST_KEY", raising=False)
    table = yaml.safe_load((REPO / "config/models.yaml").read_text())
    table["paid"] = {"model": "openai/gpt-x", "api_key_env": "CODEARENA_TEST_KEY"}
    (work / "models.yaml").write_text(yaml.safe_dump(table))
    cfg = config(work, models_file=str(work / "models.yaml"), models=["demo-alpha", "paid"])
    line = fails(work, LEADERBOARD, configfile=cfg)
    assert line == "codearena: missing API key: set the environment variable CODEARENA_TEST_KEY (for paid)"
    assert not (work / "logs/answers/paid.log").exists()  # no job started


# --- input files: the job that reads them stops --------------------------------------------------------

GOOD = {"uid": "demo-creative-01", "instruction": "Draw a circle.", "category": "creative_coding"}


@pytest.mark.parametrize("lines, message", [
    pytest.param([json.dumps(GOOD), '{"uid": "q2", "instruction": '], "{q}:2: not valid JSON (Expecting value)",
                 id="broken-line"),
    pytest.param([json.dumps(GOOD), json.dumps(GOOD)], "{q}: duplicate uid 'demo-creative-01' (records 1 and 2)",
                 id="duplicate-uid"),
    pytest.param([json.dumps(GOOD), json.dumps({"uid": "q2", "category": "c"})],
                 "{q}: record 2 (uid 'q2'): missing or empty field 'instruction'", id="missing-field"),
])
def test_bad_questions_file_names_the_record(work, lines, message):
    q = work / "questions.jsonl"
    q.write_text("".join(line + "\n" for line in lines))
    line = fails(work, "results/questions.jsonl", configfile=config(work, questions=str(q)),
                 removed={"results/questions.jsonl"})
    assert line == "codearena: " + message.format(q=q)


def test_recorded_answers_of_other_questions_name_the_file_and_record(work):
    """A recording whose uid matches but whose question differs (another version of the benchmark)."""
    recording = work / "recorded.jsonl"
    recording.write_text(json.dumps({"uid": "demo-creative-01", "messages": [
        {"role": "user", "content": "Write a haiku about the sea."},
        {"role": "assistant", "content": {"answer": "```python\nprint('waves')\n```"}},
    ]}) + "\n")
    table = yaml.safe_load((REPO / "config/models.yaml").read_text())
    table["demo-alpha"]["replay"] = str(recording)
    (work / "models.yaml").write_text(yaml.safe_dump(table))
    line = fails(work, ANSWERS, configfile=config(work, models_file=str(work / "models.yaml")), removed={ANSWERS})
    assert line.startswith(f"codearena: {recording}:1: uid demo-creative-01: recorded for a different question "
                           "(recorded prompt 'Write a haiku about the sea.', question 'Make a generative art")


def test_judgments_of_another_judge_are_refused_by_the_leaderboard(work):
    """Another judge's verdicts put where the leaderboard reads this judge's."""
    path = work / JUDGMENTS
    path.write_text("".join(json.dumps({**r, "judge": "gpt-judge"}) + "\n" for r in read_jsonl(path)))
    line = fails(work, LEADERBOARD, configfile=config(work),
                 removed={LEADERBOARD, "results/leaderboard.csv", "results/leaderboard.tex"})
    assert line == (
        f"codearena: {JUDGMENTS}: record uid 'demo-creative-01' is from judge 'gpt-judge', model 'demo-alpha', "
        "baseline 'demo-baseline'; expected 'execution', 'demo-alpha', 'demo-baseline'"
    )


# --- where the outputs go ---------------------------------------------------------------------------------

def test_unwritable_results_dir_stops_before_any_job(work):
    cfg = config(work, leaderboard={"bootstrap_rounds": 200})  # the leaderboard must be rebuilt
    (work / "results").chmod(0o555)
    if os.geteuid() == 0:  # root ignores permissions: the build goes to an ordinary user
        give_to(work)
    line = fails(work, LEADERBOARD, configfile=cfg, as_nobody=os.geteuid() == 0)
    assert line == "codearena: results: cannot write (Permission denied)"


def test_full_disk_during_a_write_keeps_the_old_files_and_no_temp_file(work):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    results, saved = work / "results", work / "results.saved"
    results.rename(saved)
    results.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(results)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        shutil.copytree(saved, results, symlinks=True, dirs_exist_ok=True)  # copy2: mtimes kept
        with open(results / "filler", "wb") as f:  # fill the disk
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError as e:
                assert e.errno == errno.ENOSPC
        # A new model: its answers job is the first to write, to a full disk.
        line = fails(work, LEADERBOARD, configfile=config(work, models=["demo-alpha", "demo-beta"]))
        assert line == "codearena: results/answers/demo-beta.jsonl: cannot write (No space left on device)"
    finally:
        subprocess.run(["umount", "--lazy", str(results)], check=True)

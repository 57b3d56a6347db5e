"""The test corpus of the PyGame, Streamlit, Gradio, C, C++, Java, Go and Rust environments, run for real.

Each `tests/data/corpus/<env>/<case>.md` is a whole answer (explanation plus fenced block), written for
codearena as test data; `expected.yaml` beside it gives each case's outcome on the local backend:
`status`, whether `screenshots` are kept (and then that they are not blank), and optionally
`stdout_contains`, `stderr_contains`, `missing` (missing_dependencies) and `settings` (execution
settings for that case, e.g. a short timeout). The answer goes through the extractor first, which
must find the directory's environment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from codearena.extract import extract
from codearena.runners import RunContext, Sample, check, run_sample
from codearena.runners.common import is_blank
from codearena.sandbox import get_backend

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
ENVIRONMENTS = ("pygame", "streamlit", "gradio", "c", "cpp", "java", "go", "rust")
SETTINGS = {"timeout_s": 15, "cpu_s": 15, "output_chars": 4000, "viewport": [800, 600], "max_page_height": 1200,
            "settle_ms": 300, "startup_timeout_s": 45, "compile_timeout_s": 60}
KEYS = {"status", "screenshots", "stdout_contains", "stderr_contains", "missing", "settings"}


def _cases() -> list:
    cases = []
    for env in ENVIRONMENTS:
        expected = yaml.safe_load((CORPUS / env / "expected.yaml").read_text(encoding="utf-8"))
        answers = sorted(p.stem for p in (CORPUS / env).glob("*.md"))
        assert sorted(expected) == answers, f"{env}/expected.yaml and the .md files name different cases"
        for case in answers:
            cases.append(pytest.param(env, case, expected[case], id=f"{env}/{case}"))
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def contexts(tmp_path_factory):
    """One job context per environment (as the workflow has), checked once, closed at the end."""
    made: dict[str, RunContext] = {}

    def get(env: str) -> RunContext:
        if env not in made:
            root = tmp_path_factory.mktemp(f"corpus-{env}")
            ctx = RunContext(workdir=root / "work", outdir=root / "out", backend=get_backend("local"),
                             settings=dict(SETTINGS))
            ctx.workdir.mkdir()
            check(env, ctx)
            made[env] = ctx
        return made[env]

    yield get
    for ctx in made.values():
        ctx.close()


def test_every_environment_has_good_and_failing_cases():
    by_env: dict[str, set[str]] = {}
    for param in CASES:
        env, _, expected = param.values
        assert set(expected) <= KEYS, f"{env}: unknown keys {set(expected) - KEYS}"
        by_env.setdefault(env, set()).add(expected["status"])
    for env in ENVIRONMENTS:
        statuses = by_env.get(env, set())
        assert "ok" in statuses and len(statuses) >= 3, f"{env}: corpus covers only {sorted(statuses)}"


@pytest.mark.parametrize(("env", "case", "expected"), CASES)
def test_corpus_answer_runs_as_expected(env, case, expected, contexts):
    answer = (CORPUS / env / f"{case}.md").read_text(encoding="utf-8")
    extraction = extract(answer)
    assert extraction.environment is not None and extraction.environment.slug == env, \
        f"{env}/{case}: the extractor found {extraction.environment}"
    ctx = contexts(env)
    old = dict(ctx.settings)
    ctx.settings.update(expected.get("settings") or {})
    try:
        record = run_sample(Sample(uid=f"{env}-{case}", model="corpus", env=env, code=extraction.code), ctx)
    finally:
        ctx.settings.clear()
        ctx.settings.update(old)
    where = f"{env}/{case}: status {record['status']}\nstdout: {record['stdout'][-1500:]}\n" \
            f"stderr: {record['stderr'][-2500:]}\nnotes: {record['notes']}"
    assert record["status"] == expected["status"], where
    if expected["screenshots"]:
        assert record["screenshots"], where
        assert not all(is_blank(ctx.outdir / shot) for shot in record["screenshots"]), where
    else:
        assert record["screenshots"] == [], where
    for stream in ("stdout", "stderr"):
        if f"{stream}_contains" in expected:
            assert expected[f"{stream}_contains"] in record[stream], where
    if "missing" in expected:
        assert record["missing_dependencies"] == expected["missing"], where
    assert record["duration_s"] > 0

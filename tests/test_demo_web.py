"""The demo suite's browser and Node answers (config/demo/, demo data written for codearena) through the
real runners: React, Vue, Mermaid, the JavaScript runner, and the HTML pages that need vendored CDN
libraries each end as config/demo/expected.yaml says."""

from __future__ import annotations

import pytest

from codearena.extract import extract
from codearena.runners import RunContext, Sample, run_sample
from codearena.runners.common import is_blank
from codearena.sandbox import get_backend
from test_demo_data import ANSWERS, EXPECTED, MODELS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
# What each listed outcome must be as an execution status, per environment.
STATUS = {"works": "ok", "syntax_error": "build_error", "runtime_error": "error", "blank_page": "error"}
CASES = [
    pytest.param(model, uid, exp, id=f"{model}/{uid}")
    for model in MODELS
    for uid, exp in sorted(EXPECTED["models"][model]["answers"].items())
    if exp["env"] in ("react", "vue", "mermaid", "javascript") or (exp["env"] == "html" and exp.get("cdn"))
]


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo-web")
    context = RunContext(workdir=root / "work", outdir=root / "out", backend=get_backend("local"),
                         settings={"timeout_s": 15, "settle_ms": 400})
    context.workdir.mkdir()
    yield context
    context.close()


@pytest.mark.parametrize(("model", "uid", "exp"), CASES)
def test_demo_answer_runs_as_listed(ctx, model, uid, exp):
    answer = next(r["answer"] for r in ANSWERS[model] if r["uid"] == uid)
    found = extract(answer)
    sample = Sample(uid=f"{model}-{uid}", model=model, env=found.environment.slug, code=found.code,
                    language=found.language)
    record = run_sample(sample, ctx)
    assert record["status"] == STATUS[exp["outcome"]], record["stderr"][-1500:]
    if exp["env"] == "javascript":
        assert record["exit_code"] == 0 and record["stdout"].strip()
    elif exp["outcome"] == "works":
        shots = [ctx.outdir / p for p in record["screenshots"]]
        assert shots and not is_blank(shots[-1])
        assert not [c for c in record["console"] if c.startswith(("pageerror", "requestblocked"))], record["console"]

"""Run a corpus environment (tests/data/corpus/<env>/) on the local backend and on another one, and check
that the records agree: same outcome, exit code, stdout, missing dependencies, last stderr line, number
of figures and whether there are screenshots, each as expected.yaml says."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from codearena.execute import execute_answers
from codearena.extract import extract

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
SETTINGS = {"timeout_s": 30, "cpu_s": 30, "output_chars": 4000, "viewport": [800, 600], "max_page_height": 1200,
            "settle_ms": 300}
COMPARED = ("status", "exit_code", "stdout", "missing_dependencies", "stdout_truncated", "stderr_truncated",
            "blank_screenshot")


def corpus(env: str) -> list[tuple[str, str, dict]]:
    """(case, answer text, expected) of environment `env`; empty if it has no corpus here."""
    directory = CORPUS / env
    if not (directory / "expected.yaml").is_file():
        return []
    expected = yaml.safe_load((directory / "expected.yaml").read_text(encoding="utf-8"))
    return [(case, (directory / f"{case}.md").read_text(encoding="utf-8"), expected[case]) for case in sorted(expected)]


def _write_answers(path: Path, env: str, cases: list[tuple[str, str, dict]]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for case, answer, _ in cases:
            extraction = extract(answer)
            assert extraction.environment is not None and extraction.environment.slug == env, case
            f.write(json.dumps({"uid": f"{env}-{case}", "model": "corpus", "env": env, "status": "ok",
                                "code": extraction.code}) + "\n")


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?")


def _last_line(text: str) -> str:
    """The last line of stderr (where errors end), with log timestamps masked (server apps log them)."""
    lines = [line for line in text.splitlines() if line.strip()]
    return TIMESTAMP.sub("<time>", lines[-1]) if lines else ""


def compare_with_local(env: str, tmp_path: Path, backend: str, options: dict) -> int:
    """Run `env`'s corpus through execute_answers on local and on `backend` (its options as the config's
    execution.<backend>); assert the records agree. Returns the number of cases compared."""
    cases = corpus(env)
    # execute_answers takes one settings per job: cases with their own settings get their own job.
    groups: dict[str, list] = {}
    for case in cases:
        groups.setdefault(json.dumps(case[2].get("settings") or {}, sort_keys=True), []).append(case)
    for n, (key, group) in enumerate(sorted(groups.items())):
        answers = tmp_path / f"{env}-answers{n}.jsonl"
        _write_answers(answers, env, group)
        settings = dict(SETTINGS, **json.loads(key))
        local = execute_answers(answers, env, tmp_path / f"{env}-local{n}", dict(settings), backend="local",
                                log=lambda _: None)
        other = execute_answers(answers, env, tmp_path / f"{env}-{backend}{n}", dict(settings, **{backend: options}),
                                backend=backend, log=lambda _: None)
        assert len(local) == len(other) == len(group)
        for (case, _, expected), a, b in zip(group, local, other):
            where = f"{env}/{case}:\nlocal:    {a}\n{backend}: {b}"
            assert a["backend"] == "local" and b["backend"] == backend, where
            assert b["status"] == expected["status"], where
            for field in COMPARED:
                assert a[field] == b[field], f"{field} differs for {where}"
            assert _last_line(a["stderr"]) == _last_line(b["stderr"]), where
            # Figures come from the program, one per plot; how many frames of a live app are kept depends
            # on timing (identical frames are dropped), so screenshots are compared as there or not.
            assert len(a["figures"]) == len(b["figures"]) and bool(a["screenshots"]) == bool(b["screenshots"]), where
            if "figures" in expected:
                assert bool(b["figures"]) == expected["figures"], where
            for stream in ("stdout", "stderr"):
                if f"{stream}_contains" in expected:
                    assert expected[f"{stream}_contains"] in b[stream], where
            if "missing" in expected:
                assert b["missing_dependencies"] == expected["missing"], where
    return len(cases)

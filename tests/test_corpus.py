"""Every corpus entry (tests/data/corpus/<env>/) through the real execute_answers, outcome checked.

One execution job per (backend, environment), shared by that environment's entries. Backends other
than `local` add themselves to BACKENDS with a skip where their engine cannot run.
"""

from __future__ import annotations

import pytest

import corpus

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BACKENDS = ["local"]
ENTRIES = corpus.load()


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """(backend, env) -> (uid -> record, execution directory), each job run once."""
    cache: dict[tuple[str, str], tuple[dict, object]] = {}

    def get(backend: str, env: str):
        if (backend, env) not in cache:
            work = tmp_path_factory.mktemp(f"corpus-{backend}-{env}")
            cache[backend, env] = corpus.run(env, ENTRIES, work, backend=backend)
        return cache[backend, env]

    return get


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.uid)
def test_corpus_entry_has_its_expected_outcome(entry, backend, executed):
    records, outdir = executed(backend, entry.env)
    assert corpus.problems(entry, records.get(entry.uid), outdir) == []


@pytest.mark.parametrize("env", corpus.environments())
def test_each_environment_has_working_and_failing_answers(env):
    statuses = [e.status for e in corpus.load(env)]
    assert len(statuses) >= 3, f"{env}: at least 3 corpus answers"
    assert "ok" in statuses and any(s != "ok" for s in statuses), f"{env}: good and broken answers"


def test_a_malformed_manifest_entry_is_named(tmp_path, monkeypatch):
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "manifest.yaml").write_text("entries:\n  - file: page.html\n    status: ok\n    colour_: red\n")
    (tmp_path / "html" / "page.html").write_text("<h1>x</h1>")
    monkeypatch.setattr(corpus, "CORPUS", tmp_path)
    with pytest.raises(ValueError, match=r"html/manifest.yaml: entry 1: needs file and status"):
        corpus.load()

"""Questions load from local JSONL (read directly) or parquet (through `datasets`); bad files name the
file and record."""

import json
from pathlib import Path

import pytest
from conftest import SHARED_DATA

from codearena.questions import QuestionsError, load_questions

REAL = (SHARED_DATA or Path("/nonexistent")) / "autocodearena-v0/questions.jsonl"
REPO = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(not REAL.exists(), reason="shared data not present")
def test_real_autocodearena_questions():
    qs = load_questions(str(REAL))
    assert len(qs) == 600
    assert {q["category"] for q in qs} == {
        "web_design", "game_development", "creative_coding",
        "problem_solving", "scientific_computing", "diagram_creation",
    }
    assert [q["uid"] for q in qs] == sorted(q["uid"] for q in qs)
    assert all(set(q) == {"uid", "instruction", "category"} for q in qs)
    assert len(load_questions(str(REAL), limit=25)) == 25


def test_line_separator_inside_a_prompt_stays_in_the_prompt(tmp_path):
    # Arena-Hard prompts hold U+2028; str.splitlines() would cut such a record in two.
    p = tmp_path / "q.jsonl"
    row = {"uid": "a", "instruction": "first\u2028second", "category": "c"}
    p.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load_questions(str(p)) == [row]


def test_parquet_and_jsonl_agree(tmp_path):
    import datasets

    rows = [{"uid": f"q{i}", "instruction": f"do {i}", "category": "problem_solving"} for i in range(5)]
    jl = tmp_path / "q.jsonl"
    jl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    pq = tmp_path / "q.parquet"
    datasets.Dataset.from_list(rows).to_parquet(str(pq))
    assert load_questions(str(jl)) == load_questions(str(pq)) == rows


def write(tmp_path, lines):
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.mark.parametrize(
    "lines, message",
    [
        (['{"uid": "a", "instruction": "x", "category": "c"}', '{"uid": "b", "instr'], r"q.jsonl:2: not valid JSON"),
        (['{"uid": "a", "instruction": "x", "category": "c"}', '{"uid": "a", "instruction": "y", "category": "c"}'],
         r"q.jsonl: duplicate uid 'a' \(records 1 and 2\)"),
        (['{"uid": "a", "instruction": "", "category": "c"}'], r"q.jsonl: record 1 \(uid 'a'\): missing or empty field 'instruction'"),
        (['{"uid": "a", "instruction": "x", "category": "c"}', '{"uid": "b", "category": "c"}'],
         r"q.jsonl: record 2 \(uid 'b'\): missing or empty field 'instruction'"),
    ],
)
def test_malformed_questions(tmp_path, lines, message):
    with pytest.raises(QuestionsError, match=message):
        load_questions(str(write(tmp_path, lines)))


def test_parquet_without_a_field_names_the_column(tmp_path):
    import datasets

    pq = tmp_path / "q.parquet"
    datasets.Dataset.from_list([{"uid": "a", "category": "c"}]).to_parquet(str(pq))
    with pytest.raises(QuestionsError, match=r"q.parquet: missing column\(s\) instruction \(has uid, category\)"):
        load_questions(str(pq))


def test_missing_file():
    with pytest.raises(QuestionsError, match="nope.jsonl: questions file not found"):
        load_questions("nope.jsonl")

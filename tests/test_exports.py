"""CSV, LaTeX and `codearena show`: renderings of the one leaderboard JSON."""

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from codearena.cli import main
from codearena.exports import latex_escape, latex_table, leaderboard_csv, leaderboard_latex
from codearena.io import write_json, write_jsonl
from codearena.leaderboard import build_leaderboard

ODD = "gpt_4&co%#1"  # a model name full of LaTeX specials
LABELS = ["A>>B", "A>B", "A=B", "B>A", "B>>A"]
TOPICS = ["web_design", "problem_solving"]
ENVS = ["HTML", "Python Runner", "React"]


@pytest.fixture
def leaderboard(tmp_path):
    rng = np.random.default_rng(0)
    models = ["alpha", ODD]
    answer_files, judgments = {}, {}
    for m in models + ["base"]:
        recs = []
        for i in range(24):
            recs.append({"uid": f"q{i:02d}", "model": m, "status": "ok", "category": TOPICS[i % 2],
                         "environment": ENVS[i % (2 if m == "alpha" else 3)], "answer": "x" * 100, "usage": None, "cost_usd": None})
        answer_files[m] = tmp_path / f"a{len(answer_files)}.jsonl"
        write_jsonl(answer_files[m], recs)
    for judge in ("judge-1", "judge-2"):
        for k, m in enumerate(models):
            recs = []
            for i in range(24):
                v = LABELS[min(4, max(0, int(rng.integers(5)) - k))]
                recs.append({"uid": f"q{i:02d}", "category": TOPICS[i % 2], "judge": judge, "model": m, "baseline": "base",
                             "games": [{"a": "base", "b": m, "verdict": v}, {"a": m, "b": "base", "verdict": LABELS[4 - LABELS.index(v)]}]})
            path = tmp_path / f"{judge}-{k}.jsonl"
            write_jsonl(path, recs)
            judgments.setdefault(judge, {})[m] = path
    settings = {"bootstrap_rounds": 200, "seed": 1, "confidence": 0.9, "strong_weight": 3, "pool_judges": True}
    lb = build_leaderboard(judgments, answer_files, "base", settings, name="test & demo")
    path = tmp_path / "leaderboard.json"
    write_json(path, lb)
    return lb, path


def test_csv_holds_the_json_numbers(leaderboard):
    lb, _ = leaderboard
    df = pd.read_csv(io.StringIO(leaderboard_csv(lb)))
    assert set(df["board"]) == {"judge-1", "judge-2", "pooled: judge-1 + judge-2"}
    assert set(df["group_by"]) == {"overall", "topic", "environment"}
    overall = df[(df["board"] == "judge-1") & (df["group_by"] == "overall")].set_index("model")
    for row in lb["judges"]["judge-1"]["overall"]:
        got = overall.loc[row["model"]]
        assert got["score"] == row["score"] and got["ci_lower"] == row["ci"][0] and got["ci_upper"] == row["ci"][1]
        assert got["rating"] == row["rating"] and got["rank"] == row["rank"]
    topic = df[(df["board"] == "judge-2") & (df["group_by"] == "topic") & (df["group"] == "web_design")]
    assert set(topic["model"]) == {"alpha", ODD, "base"}


def test_latex_is_booktabs_with_intervals_and_escaped_names(leaderboard):
    lb, _ = leaderboard
    tex = latex_table(lb, "topic", board="judge-1")
    assert tex.count("\\begin{table}") == 1 and "\\toprule" in tex and "\\midrule" in tex and "\\bottomrule" in tex
    assert "gpt\\_4\\&co\\%\\#1" in tex and ODD not in tex
    assert "web\\_design" in tex and "test & demo" not in tex
    body = tex.split("\\midrule")[1].split("\\bottomrule")[0].strip().splitlines()
    assert len(body) == 2  # the two models; the baseline is named in the caption instead
    for line in body:
        # rank & model & one cell per topic & overall: no unescaped & inside names
        assert line.count(" & ") == 2 + len(TOPICS)
        assert re.search(r"\d+\.\d \{\\scriptsize \[\d+\.\d, \d+\.\d\]\}", line)
    row = next(r for r in lb["judges"]["judge-1"]["overall"] if r["model"] == "alpha")
    alpha = next(line for line in body if "alpha" in line)
    assert alpha.rstrip(" \\").endswith(f"{row['score']:.1f} {{\\scriptsize [{row['ci'][0]:.1f}, {row['ci'][1]:.1f}]}}")
    env = latex_table(lb, "env", board="judge-1")
    assert all(e in env for e in ENVS)
    alpha = next(line for line in env.splitlines() if line.startswith("1 & alpha") or " & alpha & " in line)
    assert alpha.count("--") == 1  # alpha never answered in React
    full = leaderboard_latex(lb)
    assert full.count("\\begin{table}") == 6  # 3 boards x (topic, environment)


def test_latex_escape_covers_every_special():
    assert latex_escape(r"a_b&c%d$e#f{g}h~i^j\k<l>") == (
        r"a\_b\&c\%d\$e\#f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k\textless{}l\textgreater{}")


def test_show_prints_tables_json_and_latex(leaderboard, capsys):
    _, path = leaderboard
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert "judge judge-1" in out and "pooled: judge-1 + judge-2" in out and ODD in out and "separability" in out
    assert main(["show", str(path), "--by", "topic", "--judge", "judge-2"]) == 0
    out = capsys.readouterr().out
    assert "## topic: web_design" in out and "## overall" in out and "judge-1," not in out
    assert main(["show", str(path), "--json", "--by", "env"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["judge-1"]) == set(ENVS) | {"Overall"}
    assert main(["show", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 2
    assert main(["show", str(path), "--latex", "--by", "env", "--judge", "judge-1"]) == 0
    assert capsys.readouterr().out.count("\\begin{tabular}") == 1


def test_show_errors_name_the_file(leaderboard, tmp_path, capsys):
    _, path = leaderboard
    assert main(["show", str(path), "--judge", "nobody"]) == 1
    assert "no judge 'nobody'" in capsys.readouterr().err
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"version": 1, "judges": {}}))
    assert main(["show", str(old)]) == 1
    assert f"{old}: leaderboard version 1" in capsys.readouterr().err
    assert main(["show", str(tmp_path / "missing.json")]) == 1
    assert "file not found" in capsys.readouterr().err

"""The leaderboard in other shapes: CSV, a booktabs LaTeX table, and plain text for the terminal.

All of them are rendered from the leaderboard JSON (`codearena.leaderboard`), never recomputed, so a
number in a paper table is the number in the report.
"""

from __future__ import annotations

import csv
import io
import re

from .leaderboard import boards, select_boards

GROUPINGS = {"topic": "by_topic", "env": "by_environment"}
CSV_COLUMNS = [
    "board", "judges", "group_by", "group", "rank", "model", "baseline", "score", "ci_lower", "ci_upper",
    "rating", "rating_lower", "rating_upper", "rating_sc", "rating_sc_lower", "rating_sc_upper", "score_sc",
    "n_questions", "wins", "ties", "losses", "judge_errors", "answers_failed", "no_code", "coverage",
]

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))


def latex_escape(text: object) -> str:
    """Text safe to put in a LaTeX document (model and topic names contain `_`, `&`, ...)."""
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group()], str(text))


def _rows(lb: dict):
    """(board label, judges, group_by, group, row) for every row of every table."""
    for label, board in boards(lb):
        judges = "+".join(board["judges"])
        for row in board["overall"]:
            yield label, judges, "overall", "", row
        for group_by, key in (("topic", "by_topic"), ("environment", "by_environment")):
            for group, rows in board[key].items():
                for row in rows:
                    yield label, judges, group_by, group, row


def _ci(row: dict, key: str, i: int):
    ci = row.get(key)
    return "" if not ci or ci[i] is None else ci[i]


def leaderboard_csv(lb: dict) -> str:
    """One row per (board, table, model), long format (pandas.read_csv-friendly)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for label, judges, group_by, group, row in _rows(lb):
        out = {k: row.get(k, "") for k in CSV_COLUMNS}
        out.update({
            "board": label, "judges": judges, "group_by": group_by, "group": group,
            "baseline": bool(row.get("baseline", False)),
            "ci_lower": _ci(row, "ci", 0), "ci_upper": _ci(row, "ci", 1),
            "rating_lower": _ci(row, "rating_ci", 0), "rating_upper": _ci(row, "rating_ci", 1),
            "rating_sc_lower": _ci(row, "rating_sc_ci", 0), "rating_sc_upper": _ci(row, "rating_sc_ci", 1),
        })
        writer.writerow({k: ("" if v is None else v) for k, v in out.items()})
    return buf.getvalue()


def _fmt(v: float | None, digits: int = 1) -> str:
    return "--" if v is None else f"{v:.{digits}f}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "board"


def latex_table(lb: dict, by: str = "topic", board: str | None = None) -> str:
    """A booktabs table per board: models x groups (topics or environments) + Overall, with intervals.

    Needs `\\usepackage{booktabs,graphicx}`. The baseline is left out (it is 50 by construction) and
    named in the caption.
    """
    key = GROUPINGS[by]
    conf = round(100 * lb["bootstrap"]["confidence"])
    parts = []
    for label, b in select_boards(lb, board):
        groups = list(b[key])
        cells: dict[str, dict[str, dict]] = {}
        for g in groups:
            for row in b[key][g]:
                cells.setdefault(row["model"], {})[g] = row
        models = [r for r in b["overall"] if not r.get("baseline")]
        what = "topic" if by == "topic" else "environment of the evaluated answer"
        caption = (
            f"Win rate (\\%) against the baseline {latex_escape(lb['baseline'])} by {what}, judge "
            f"{latex_escape(label)}, with {conf}\\% bootstrap intervals over questions "
            f"({lb['bootstrap']['rounds']} rounds, seed {lb['bootstrap']['seed']}). "
            f"Rank: 1 + the number of models whose interval lies entirely above."
        )
        lines = [
            "\\begin{table}[t]",
            "\\centering",
            f"\\caption{{{caption}}}",
            f"\\label{{tab:codearena-{by}-{_slug(label)}}}",
            "\\resizebox{\\linewidth}{!}{%",
            "\\begin{tabular}{rl" + "c" * len(groups) + "c}",
            "\\toprule",
            " & ".join(["Rank", "Model"] + [latex_escape(g) for g in groups] + ["Overall"]) + " \\\\",
            "\\midrule",
        ]
        for row in models:
            vals = []
            for g in groups + [None]:
                r = row if g is None else cells.get(row["model"], {}).get(g)
                if r is None or r["score"] is None:
                    vals.append("--")
                else:
                    vals.append(f"{_fmt(r['score'])} {{\\scriptsize [{_fmt(r['ci'][0])}, {_fmt(r['ci'][1])}]}}")
            lines.append(" & ".join([str(row["rank"]), latex_escape(row["model"])] + vals) + " \\\\")
        lines += ["\\bottomrule", "\\end{tabular}}", "\\end{table}", ""]
        parts.append("\n".join(lines))
    return "\n".join(parts)


def leaderboard_latex(lb: dict) -> str:
    """Every board by topic and by environment (the file `results/leaderboard.tex`)."""
    header = (f"% {lb['name']}: generated by {lb['generator']} on {lb['created']} from results/leaderboard.json.\n"
              "% Needs \\usepackage{booktabs,graphicx}.\n\n")
    return header + latex_table(lb, "topic") + "\n" + latex_table(lb, "env")


def _text_table(rows: list[dict], with_rating: bool) -> list[str]:
    head = f"{'rank':>4}  {'model':<34} {'score':>6}  {'interval':<15}"
    if with_rating:
        head += f" {'rating':>7}  {'interval':<15}"
    head += f" {'W/T/L':>11} {'coverage':>8}"
    out = [head]
    for r in rows:
        line = f"{r['rank']:>4}  {r['model'][:34]:<34} {_fmt(r['score']):>6}  " \
               f"{'[' + _fmt(r['ci'][0]) + ', ' + _fmt(r['ci'][1]) + ']':<15}"
        if with_rating:
            ci = r.get("rating_ci") or [None, None]
            line += f" {_fmt(r.get('rating'), 0):>7}  {'[' + _fmt(ci[0], 0) + ', ' + _fmt(ci[1], 0) + ']':<15}"
        wtl = "" if r.get("baseline") else f"{r['wins']}/{r['ties']}/{r['losses']}"
        cov = "baseline" if r.get("baseline") else _fmt(r.get("coverage"))
        out.append(line + f" {wtl:>11} {cov:>8}")
    return out


def leaderboard_text(lb: dict, by: str | None = None, board: str | None = None) -> str:
    """What `codearena show` prints: per board, the groups (with --by) and then the overall table."""
    conf = round(100 * lb["bootstrap"]["confidence"])
    out = []
    for label, b in select_boards(lb, board):
        out.append(f"# {lb['name']}: judge {label}, baseline {lb['baseline']} "
                   f"({conf}% intervals, {lb['bootstrap']['rounds']} bootstrap rounds over questions)")
        if by:
            for group, rows in b[GROUPINGS[by]].items():
                out += ["", f"## {by}: {group}"] + _text_table(rows, with_rating=False)
            out += ["", "## overall"]
        out += _text_table(b["overall"], with_rating=True)
        q = b["quality"]
        pc = q["position_consistency"]
        sep = "n/a" if q["separability"] is None else f"{100 * q['separability']:.1f}%"
        flips = "n/a" if pc["flip_rate"] is None else f"{100 * pc['flip_rate']:.1f}% of {pc['questions']}"
        out.append(f"separability {sep} ({q['separable_pairs']}/{q['model_pairs']} pairs); "
                   f"verdict flips with the order: {flips}")
        if b.get("style_control"):
            sc = b["style_control"]
            out.append(f"style control ({sc['feature']}): coefficient {_fmt(sc['coefficient'])} "
                       f"[{_fmt(sc['coefficient_ci'][0])}, {_fmt(sc['coefficient_ci'][1])}] rating points")
        out.append("")
    return "\n".join(out)

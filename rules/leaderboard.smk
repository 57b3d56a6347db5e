# Judgments -> leaderboard.json (+ CSV and LaTeX from the same aggregation) -> the static HTML report.


rule build_leaderboard:
    input:
        judgments=all_judgments(),
        answers=all_answers(),
    output:
        json="results/leaderboard.json",
        csv=report(
            "results/leaderboard.csv",
            caption="../report/leaderboard.rst",
            category="Leaderboard",
        ),
        tex="results/leaderboard.tex",
    params:
        judges=list(JUDGES),
        contestants=CONTESTANTS,
        baseline=BASELINE,
        settings=config["leaderboard"],
        name=config["name"],
    log:
        "logs/leaderboard.log",
    localrule: True
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/leaderboard.py"


# The report: pages and copied screenshots under results/report/; index.html is the entry point that
# targets ask for. The reward pages (rules/reward.smk) sit beside these outputs in results/report/reward/.
rule report:
    input:
        leaderboard="results/leaderboard.json",
        questions="results/questions.jsonl",
        answers=all_answers(),
        judgments=all_judgments(),
        executions=all_executions(),
    output:
        static=directory("results/report/static"),
        media=directory("results/report/media"),
        models=directory("results/report/models"),
        questions=directory("results/report/questions"),
        index=report(
            "results/report/index.html",
            caption="../report/report.rst",
            category="Leaderboard",
        ),
    params:
        # The models' notes (from the model table) are shown in the report.
        notes=report_params(SETTINGS),
    log:
        "logs/report.log",
    localrule: True
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/report.py"

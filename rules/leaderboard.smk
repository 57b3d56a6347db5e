# Judgments -> leaderboard.json -> the static HTML report.


rule build_leaderboard:
    input:
        judgments=all_judgments(),
        answers=all_answers(),
    output:
        "results/leaderboard.json",
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


rule report:
    input:
        leaderboard="results/leaderboard.json",
        questions="results/questions.jsonl",
        answers=all_answers(),
        judgments=all_judgments(),
        executions=all_executions(),
    output:
        "results/report/index.html",
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

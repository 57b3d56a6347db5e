# BigCodeReward: human-voted battles -> verdicts per (judge, mode) -> results/reward/{judge}.json -> report pages.


rule reward:
    input:
        reward_targets(),
    localrule: True


rule reward_votes:
    input:
        reward_votes_inputs,
    output:
        battles="results/reward/votes/battles.jsonl",
        summary="results/reward/votes/summary.json",
        screenshots=directory("results/reward/votes/screenshots"),
    params:
        source=REWARD["votes"],
        split=REWARD["split"],
        limit=REWARD["limit"],
    log:
        "logs/reward/votes.log",
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/reward_votes.py"


rule reward_judge:
    input:
        battles="results/reward/votes/battles.jsonl",
        screenshots="results/reward/votes/screenshots",
    output:
        "results/reward/verdicts/{judge}/{mode}.jsonl",
    params:
        settings=lambda wc: reward_settings.judge_params(SETTINGS, wc.judge, wc.mode, [Path(workflow.basedir)]),
        # Battles of the existing file whose judge call failed: a plain rerun retries them once.
        retry=lambda wc: reward_judge_retry(workflow, SETTINGS, wc.judge, wc.mode),
    wildcard_constraints:
        judge="|".join(re.escape(j) for j in REWARD_JUDGES) or "^$",
        mode="with_execution|without_execution",
    log:
        "logs/reward/{judge}/{mode}.log",
    resources:
        api_calls=1,
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/reward_judge.py"


rule reward_summary:
    input:
        verdicts=lambda wc: reward_verdicts(wc.judge),
        votes_summary="results/reward/votes/summary.json",
    output:
        "results/reward/{judge}.json",
    params:
        modes=lambda wc: reward_modes(wc.judge),
        settings=reward_settings.summary_settings(SETTINGS),
    wildcard_constraints:
        judge="|".join(re.escape(j) for j in REWARD_JUDGES) or "^$",
    log:
        "logs/reward/{judge}.log",
    localrule: True
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/reward_summary.py"


rule reward_report:
    input:
        summaries=[f"results/reward/{judge}.json" for judge in REWARD_JUDGES],
    output:
        index="results/report/reward/index.html",
        pages=[f"results/report/reward/{judge}.html" for judge in REWARD_JUDGES],
    log:
        "logs/reward/report.log",
    localrule: True
    conda:
        "../envs/codearena.yaml"
    script:
        "../scripts/reward_report.py"

# BigCodeReward: human-voted battles -> verdicts per (judge, mode) -> results/reward/{judge}.json -> report pages.
from codearena.reward import settings as reward_settings

try:
    REWARD_JUDGES = reward_settings.reward_judges(SETTINGS)
except ConfigError as e:
    sys.exit(f"codearena: {e}")
REWARD = config["reward"]


def reward_modes(judge):
    return reward_settings.judge_modes(SETTINGS, judge)


def reward_verdicts(judge):
    return [f"results/reward/verdicts/{judge}/{mode}.jsonl" for mode in reward_modes(judge)]


def reward_votes_inputs(wildcards):
    """A local votes source is an input (editing it rebuilds); a hub dataset id is not a file."""
    path = Path(REWARD["votes"])
    if not path.exists():
        path = Path(workflow.basedir) / REWARD["votes"]
    if path.is_file():
        return [str(path)]
    if path.is_dir():
        return sorted(str(p) for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    return []


def reward_targets():
    summaries = [f"results/reward/{judge}.json" for judge in REWARD_JUDGES]
    verdicts = [f for judge in REWARD_JUDGES for f in reward_verdicts(judge)]
    return summaries + verdicts + ["results/report/reward/index.html"]


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

"""BigCodeReward: how well a judge agrees with human votes, with and without execution evidence.

- `votes` (with `states`, `screenshots`): a votes dataset in the `bigcode/bigcodereward` schema ->
  normalised battles (the judge input);
- `labels`: vote spellings -> A / B / tie / both_bad, and the merged three classes;
- `tokens`, `prompt`, `parse`: token-aware judge messages and the strict A / B / Tie reply format;
- `judge`, `run_settings`, `journal`: one verdict record per (battle, judge, mode), resumable by battle id;
- `metrics`: judge-vs-human classification metrics, overall figures from pooled records;
- `ratings`: Bradley-Terry leaderboards from human and judge votes, rank correlations with intervals;
- `summary`, `report`: `results/reward/{judge}.json` and the report pages;
- `settings`: the `reward:` section of the workflow config.

Formats: docs/reward.md.
"""

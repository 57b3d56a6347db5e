"""Rule `reward_votes`: a votes dataset -> normalised battles (judge input) plus screenshots."""

from pathlib import Path

from codearena.io import write_json, write_jsonl
from codearena.reward.votes import load_battles
from codearena.workflow import REPO_ROOT, job

with job(snakemake, "reward_votes") as log:
    p = snakemake.params
    out = Path(snakemake.output.battles)
    battles, summary = load_battles(p.source, out.parent, split=p.split, limit=p.limit, base_dirs=[REPO_ROOT])
    write_jsonl(out, battles)
    write_json(snakemake.output.summary, summary)
    log(f"{summary['rows']} rows read from {p.source}: {len(battles)} battles, {len(summary['skipped'])} rows skipped")
    for s in summary["skipped"][:20]:
        log(f"skipped row {s['row']} ({s['chat_session_id']}): {s['reason']}")

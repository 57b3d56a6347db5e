"""The `codearena` command."""

from __future__ import annotations

import argparse
import json
import sys

from .io import ArtifactError, read_json


def _show(args: argparse.Namespace) -> int:
    from .exports import GROUPINGS, latex_table, leaderboard_text
    from .leaderboard import SCHEMA_VERSION, boards, select_boards

    lb = read_json(args.leaderboard)
    if lb.get("version") != SCHEMA_VERSION:
        raise ArtifactError(f"{args.leaderboard}: leaderboard version {lb.get('version')!r}, this codearena "
                            f"reads version {SCHEMA_VERSION}; rebuild it with `snakemake leaderboard`")
    if not select_boards(lb, args.judge):
        have = [label for label, _ in boards(lb)] + (["pooled"] if lb.get("pooled") else [])
        raise ArtifactError(f"{args.leaderboard}: no judge {args.judge!r} (have: {', '.join(have)})")
    if args.json:
        if args.by:
            out = {label: b[GROUPINGS[args.by]] | {"Overall": b["overall"]} for label, b in select_boards(lb, args.judge)}
        elif args.judge:
            out = dict(select_boards(lb, args.judge))
        else:
            out = lb
        print(json.dumps(out, indent=2, ensure_ascii=False))
    elif args.latex:
        print(latex_table(lb, args.by or "topic", board=args.judge))
    else:
        print(leaderboard_text(lb, by=args.by, board=args.judge))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codearena", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print the leaderboard")
    show.add_argument("leaderboard", nargs="?", default="results/leaderboard.json")
    show.add_argument("--by", choices=["topic", "env"], help="also show one table per topic or environment")
    out = show.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON (the leaderboard, the --judge board, or the --by tables)")
    out.add_argument("--latex", action="store_true", help="print a booktabs table (by topic unless --by env)")
    show.add_argument("--judge", help="only this judge's board ('pooled' for the pooled one)")
    show.set_defaults(func=_show)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ArtifactError as e:
        print(f"codearena: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

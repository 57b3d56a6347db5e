"""The `codearena` command."""

from __future__ import annotations

import argparse
import json
import sys

from .io import ArtifactError, read_json


def _show(args: argparse.Namespace) -> int:
    lb = read_json(args.leaderboard)
    if args.json:
        print(json.dumps(lb, indent=2, ensure_ascii=False))
        return 0
    for judge, board in lb["judges"].items():
        print(f"# {lb['name']} — judge {judge}, baseline {lb['baseline']}")
        print(f"{'model':<32} {'score':>7} {'interval':>17} {'coverage':>9}")
        for row in board["overall"]:
            cov = f"{row['coverage']:.1f}" if "coverage" in row else ""
            print(f"{row['model']:<32} {row['score']:>7.1f} [{row['ci'][0]:>6.1f}, {row['ci'][1]:>6.1f}] {cov:>9}")
        print()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="codearena", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print the leaderboard")
    show.add_argument("leaderboard", nargs="?", default="results/leaderboard.json")
    show.add_argument("--json", action="store_true", help="print the leaderboard JSON")
    show.set_defaults(func=_show)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ArtifactError as e:
        print(f"codearena: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

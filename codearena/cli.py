"""The `codearena` command."""

from __future__ import annotations

import argparse
import json
import sys

from pathlib import Path

from .config import ConfigError
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


def _settings(configfile: str):
    """The validated workflow config at `configfile` (relative paths also looked up in the checkout)."""
    from pathlib import Path

    from .config import load_settings, read_yaml

    repo = Path(__file__).resolve().parent.parent
    return load_settings(read_yaml(configfile) or {}, configfile, base_dirs=[repo])


def _arena(args: argparse.Namespace) -> int:
    from .arena.server import start

    settings = _settings(args.configfile)
    section = settings.config.get("arena")
    if isinstance(section, dict):  # command-line overrides of the arena section
        for key in ("host", "port", "database"):
            if getattr(args, key) is not None:
                section[key] = getattr(args, key)
    start(settings, base_dirs=[Path(args.configfile).resolve().parent])
    return 0


def _export_votes(args: argparse.Namespace) -> int:
    from .arena.export import export_votes

    database = args.database
    if database is None:
        arena = _settings(args.configfile).config.get("arena") or {}
        database = arena.get("database")
        if database is None:
            raise ConfigError(f"{args.configfile}: no 'arena' section: pass --database URL")
    rows = export_votes(database, args.out)
    print(f"{rows} votes written to {args.out} (load with datasets.load_dataset({str(args.out)!r}, split='train'))")
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

    arena = sub.add_parser("arena", help="start the arena app (two anonymous models, live code, votes)")
    arena.add_argument("--configfile", default="config/config.yaml", help="workflow config with an 'arena' section")
    arena.add_argument("--host", default=None, help="override arena.host")
    arena.add_argument("--port", type=int, default=None, help="override arena.port (0: a free port)")
    arena.add_argument("--database", default=None, help="override arena.database (an SQLAlchemy URL)")
    arena.set_defaults(func=_arena)

    export = sub.add_parser("export-votes", help="write the arena's votes as a dataset (bigcode/bigcodereward schema)")
    export.add_argument("out", help="output directory (replaced); load it with datasets.load_dataset(out)")
    export.add_argument("--configfile", default="config/config.yaml", help="workflow config naming arena.database")
    export.add_argument("--database", default=None, help="SQLAlchemy URL of the vote database (instead of the config)")
    export.set_defaults(func=_export_votes)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (ArtifactError, ConfigError) as e:
        print(f"codearena: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

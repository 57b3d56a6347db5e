"""The execution corpus: answers written for codearena's tests, each with the outcome its run must have.

`tests/data/corpus/<env>/manifest.yaml` lists the entries of one environment (format: the corpus
README). `run()` puts them through the real `execute_answers` on a backend; `problems()` compares one
record with its entry. Used by tests/test_corpus.py (every backend) and benchmarks/execution_speed.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"
KEYS = {"file", "language", "status", "screenshot", "colour", "stdout", "stderr", "missing", "docker", "note"}
# Short limits: the corpus's endless programs must not make the suite slow.
SETTINGS = {"timeout_s": 6, "cpu_s": 6, "build_timeout_s": 60, "output_chars": 4000, "viewport": [1024, 768],
            "max_page_height": 2000, "settle_ms": 400}
COLOUR_TOLERANCE = 24  # per channel: antialiasing and colour management shift pixels a little


@dataclass(frozen=True)
class Entry:
    env: str
    file: str
    status: str
    language: str | None = None
    screenshot: bool = False
    colour: str | None = None
    stdout: str | None = None
    stderr: str | None = None
    missing: list[str] = field(default_factory=list)
    docker: bool = True
    note: str = ""

    @property
    def uid(self) -> str:
        return f"{self.env}-{Path(self.file).stem}"

    def code(self) -> str:
        return (CORPUS / self.env / self.file).read_text(encoding="utf-8")


def environments() -> list[str]:
    return sorted(p.parent.name for p in CORPUS.glob("*/manifest.yaml"))


def load(env: str | None = None) -> list[Entry]:
    """The entries of one environment (or all), in manifest order; a malformed entry is an error naming it."""
    entries: list[Entry] = []
    for name in [env] if env else environments():
        manifest = CORPUS / name / "manifest.yaml"
        data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
        for i, raw in enumerate(data.get("entries") or [], start=1):
            where = f"{manifest}: entry {i}"
            if not isinstance(raw, dict) or not {"file", "status"} <= set(raw) or set(raw) - KEYS:
                raise ValueError(f"{where}: needs file and status, and only the keys {sorted(KEYS)}")
            if not (CORPUS / name / raw["file"]).is_file():
                raise ValueError(f"{where}: {raw['file']} does not exist")
            entries.append(Entry(env=name, **raw))
    return entries


def write_answers(entries: list[Entry], path: Path, model: str = "corpus") -> Path:
    """An answers file (docs/artifacts.md) holding the entries, as if `model` had written them."""
    lines = [json.dumps({"uid": e.uid, "model": model, "status": "ok", "env": e.env, "code": e.code(),
                         "language": e.language, "dependencies": {"pip": [], "npm": []}})
             for e in sorted(entries, key=lambda e: e.uid)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(env: str, entries: list[Entry], workdir: Path, backend: str = "local",
        settings: dict | None = None) -> tuple[dict[str, dict], Path]:
    """Execute the entries of `env` with `execute_answers`: (uid -> record, the execution directory)."""
    from codearena.execute import execute_answers

    workdir.mkdir(parents=True, exist_ok=True)
    answers = write_answers([e for e in entries if e.env == env], workdir / "corpus.jsonl")
    outdir = workdir / "executions" / env
    records = execute_answers(answers, env, outdir, dict(SETTINGS, **(settings or {})), backend=backend,
                              log=lambda _msg: None)
    return {r["uid"]: r for r in records}, outdir


def _has_colour(png: Path, colour: str) -> bool:
    from PIL import Image

    want = tuple(int(colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    with Image.open(png) as im:
        rgb = im.convert("RGB")
        colours = rgb.getcolors(rgb.width * rgb.height) or []
    return any(all(abs(c - w) <= COLOUR_TOLERANCE for c, w in zip(pixel, want)) for _, pixel in colours)


def problems(entry: Entry, record: dict | None, outdir: Path) -> list[str]:
    """How `record` differs from what `entry` expects (empty when it matches)."""
    from codearena.runners.common import is_blank

    if record is None:
        return [f"{entry.uid}: no execution record"]
    found: list[str] = []
    context = f"stderr: {record.get('stderr', '')[-1500:]!r}; notes: {record.get('notes')}"
    if record["status"] != entry.status:
        found.append(f"status {record['status']!r}, expected {entry.status!r} ({context})")
    shots = [outdir / p for p in record.get("screenshots") or []]
    if entry.screenshot:
        if not shots:
            found.append("no screenshot")
        elif all(is_blank(p) for p in shots):
            found.append("every screenshot is blank")
        elif entry.colour and not any(_has_colour(p, entry.colour) for p in shots):
            found.append(f"no pixel near {entry.colour} in {[p.name for p in shots]}")
    for stream in ("stdout", "stderr"):
        expected = getattr(entry, stream)
        if expected and expected not in record.get(stream, ""):
            found.append(f"{stream} lacks {expected!r}: {record.get(stream, '')[-1500:]!r}")
    if entry.missing and record.get("missing_dependencies") != entry.missing:
        found.append(f"missing_dependencies {record.get('missing_dependencies')}, expected {entry.missing}")
    return found

"""Stage 2: run one model's answers of one environment, writing results/executions/{model}/{env}/.

`results.jsonl` has one record per answer of that environment with code (status `ok` in the answers
file), sorted by uid; screenshots/ and figures/ hold the PNGs its records name. A sample that fails
in our sandbox gets status `sandbox_error` and the others still run; a sandbox that cannot run at all
(no bwrap, no sandbox Python, no Chromium) stops the job before the first sample with the fix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

from codearena import environments
from codearena.io import ArtifactError, read_jsonl, write_jsonl
from codearena.runners import RunContext, Sample, check, run_sample
from codearena.runners.common import file_stem
from codearena.sandbox import get_backend
from codearena.sandbox.workdir import remove_tree

IMAGE_DIRS = ("screenshots", "figures")


def select_samples(answers_path: Path, env: str) -> list[Sample]:
    """The answers of environment `env` that have code; a malformed record is an error naming it."""
    samples: list[Sample] = []
    seen: dict[str, int] = {}
    for index, record in enumerate(read_jsonl(answers_path), start=1):
        if record.get("env") != env or record.get("status") != "ok":
            continue
        where = f"{answers_path}: record {index}"
        uid = record.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ArtifactError(f"{where}: missing 'uid'")
        if uid in seen:
            raise ArtifactError(f"{where}: uid {uid} already appears in record {seen[uid]}")
        if not isinstance(record.get("code"), str):
            raise ArtifactError(f"{where} (uid {uid}): status is 'ok' but 'code' is not a string")
        seen[uid] = index
        samples.append(Sample.from_answer(record, model=answers_path.stem))
    return sorted(samples, key=lambda s: s.uid)


def execute_answers(answers_path: Path, env: str, outdir: Path, settings: dict, *, backend: str = "local",
                    log: Callable[[str], None] = print) -> list[dict]:
    """Run every answer of `env` in `answers_path` and write `outdir/results.jsonl`; returns the records."""
    if env not in environments.BY_SLUG:
        raise ValueError(f"unknown environment {env!r} (known: {', '.join(environments.SLUGS)})")
    answers_path, outdir = Path(answers_path), Path(outdir)
    samples = select_samples(answers_path, env)
    outdir.mkdir(parents=True, exist_ok=True)
    for name in IMAGE_DIRS:  # images of a previous run must not survive next to the new records
        shutil.rmtree(outdir / name, ignore_errors=True)
        (outdir / name).mkdir()
    records: list[dict] = []
    scratch = tempfile.mkdtemp(prefix="codearena-exec-")
    try:
        os.chmod(scratch, 0o711)  # searchable, for the sandbox's fallback user (see sandbox.local)
        # The backend's own options (execution.docker, execution.e2b) go to its constructor.
        options = settings.get(backend) or {}
        ctx = RunContext(workdir=Path(scratch), outdir=outdir, backend=get_backend(backend, **options),
                         settings=settings)
        try:
            if samples:
                check(env, ctx)
            log(f"{answers_path.name}: {len(samples)} answer(s) for environment {env}")
            start = time.monotonic()
            for i, sample in enumerate(samples, start=1):
                record = run_sample(sample, ctx)
                records.append(record)
                remove_tree(Path(scratch) / file_stem(sample.uid))  # its disk and inodes, free for the next
                log(f"[{i}/{len(samples)}] {sample.uid}: {record['status']} ({record['duration_s']:.2f} s)")
            log(f"done in {time.monotonic() - start:.1f} s")
        finally:
            ctx.close()
    finally:
        remove_tree(Path(scratch))  # what the samples left: any depth (shutil.rmtree would raise)
    write_jsonl(outdir / "results.jsonl", records)
    return records

"""Running battle code: the benchmark's runner table and sandbox backend, one shared job context.

A battle run is a `Sample` like any benchmark answer (uid `{battle}-{side}-{n}`), run with
`codearena.runners.run_sample` in the configured backend, so every environment the build supports
works here without changes. The context (scratch directory, output directory, browser, per-job caches)
is shared by all runs of the app: Chromium starts once, not per run.

What a run leaves behind for the page: the execution record, its images (screenshots and figures,
moved to `images/` where the page's gallery may read them), and, for web environments, the directory
to serve as the live preview (the sample's scratch directory, which holds the page the runner
rendered). Both are removed with `remove()` when the battle expires; the database keeps the images.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from codearena import environments
from codearena.runners import RunContext, Sample, run_sample
from codearena.runners.common import file_stem
from codearena.sandbox import get_backend
from codearena.sandbox.workdir import remove_tree

from .store import utcnow

# Where a web environment's page is, inside the sample's scratch directory, in order of preference:
# the page itself (HTML-like runners), a built site (Vite builds), a pygbag build.
PREVIEW_ENTRIES = ("index.html", "dist/index.html", "build/web/index.html")


@dataclass
class RunOutcome:
    record: dict  # the execution record (docs/artifacts.md)
    images: list[tuple[str, Path]]  # ("screenshot" | "figure", PNG file under `CodeRunner.images`), in display order
    site: Path | None  # directory to serve as the live preview
    entry: str | None  # the page inside `site`
    started_at: datetime


def preview_entry(site: Path) -> str | None:
    for entry in PREVIEW_ENTRIES:
        if (site / entry).is_file():
            return entry
    return None


class CodeRunner:
    """Runs samples in the configured backend, at most `parallel` at once; thread-safe."""

    def __init__(self, workdir: Path, settings: dict, *, backend: str = "local", parallel: int = 2) -> None:
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        # A fresh private tree per app process: stale files of an earlier process are never served.
        self.root = Path(tempfile.mkdtemp(prefix="run-", dir=workdir))
        self.root.chmod(0o711)  # searchable for the local sandbox's fallback user
        for name in ("work", "out", "images"):
            (self.root / name).mkdir(mode=0o711)
        self.images = self.root / "images"
        # A backend's own options live in the execution section under its name (as for the benchmark's runs).
        self.ctx = RunContext(workdir=self.root / "work", outdir=self.root / "out",
                              backend=get_backend(backend, **(settings.get(backend) or {})), settings=settings)
        self._slots = threading.Semaphore(parallel)
        self._browser_lock = threading.Lock()

    def run(self, sample: Sample) -> RunOutcome:
        started = utcnow()
        with self._slots:
            self._start_browser()
            record = run_sample(sample, self.ctx)
        images = self._take_images(record)
        site, entry = None, None
        env = environments.BY_SLUG.get(sample.env)
        if env is not None and env.kind == "web":
            candidate = self.ctx.workdir / file_stem(sample.uid)
            entry = preview_entry(candidate) if candidate.is_dir() else None
            site = candidate if entry else None
        return RunOutcome(record=record, images=images, site=site, entry=entry, started_at=started)

    def _start_browser(self) -> None:
        """Start the shared Chromium before runners ask for it, one thread at a time (RunContext.browser()
        is not thread-safe). A failure is left for the runner that needs it to report."""
        with self._browser_lock:
            try:
                self.ctx.browser()
            except Exception:  # noqa: BLE001  (reported by the runner as a sandbox_error record)
                pass

    def _take_images(self, record: dict) -> list[tuple[str, Path]]:
        images = []
        for kind, key in (("screenshot", "screenshots"), ("figure", "figures")):
            for rel in record.get(key) or []:
                path = self.ctx.outdir / rel
                # `{uid stem}_{i}.png` in both directories: the kind keeps a screenshot and a figure apart.
                kept = self.images / f"{path.stem}.{kind}{path.suffix}"
                try:
                    path.replace(kept)
                except OSError:
                    continue
                images.append((kind, kept))
        return images

    def remove(self, uid_prefix: str) -> None:
        """Delete the scratch directories and images of every sample whose uid starts with `uid_prefix`."""
        for path in self.ctx.workdir.glob(f"{uid_prefix}*"):
            remove_tree(path)
        for path in self.images.glob(f"{uid_prefix}*"):
            path.unlink(missing_ok=True)

    def close(self) -> None:
        self.ctx.close()
        remove_tree(self.root)

"""What all runners share: the sample and job context, the execution record, truncation, images."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codearena import environments
from codearena.sandbox import Backend, Limits, ProcessResult, SandboxError, SandboxUnavailable
from codearena.sandbox.workdir import make_workdir, remove_tree

if TYPE_CHECKING:
    from codearena.browser import Browser

MAX_IMAGE_PIXELS = 50_000_000  # figures larger than this are not decoded (decompression bombs)
DEFAULT_WORKDIR_MB = 1024  # execution.workdir_mb: what one sample may write (files, build caches)


@dataclass
class Sample:
    uid: str
    model: str
    env: str
    code: str
    language: str | None = None
    dependencies: dict = field(default_factory=dict)

    @classmethod
    def from_answer(cls, record: dict, model: str | None = None) -> "Sample":
        """A sample from a `results/answers/{model}.jsonl` record."""
        return cls(uid=record["uid"], model=record.get("model") or model or "", env=record["env"],
                   code=record["code"], language=record.get("language"),
                   dependencies=record.get("dependencies") or {})


@dataclass
class RunContext:
    """One job's shared state: scratch space, output directory, sandbox, settings, browser."""

    workdir: Path  # scratch space; each sample gets a fresh subdirectory
    outdir: Path  # results/executions/{model}/{env}/: screenshots/ and figures/ go here
    backend: Backend
    settings: dict  # the config's `execution` section
    cache: dict = field(default_factory=dict)  # per-job state of runners (e.g. a font cache)
    _browser: "Browser | None" = field(default=None, repr=False)
    _mounted: list[Path] = field(default_factory=list, repr=False)  # size-capped sample dirs, unmounted at close

    def browser(self) -> "Browser":
        """The job's browser, started on first use and shared by its samples."""
        if self._browser is None:
            from codearena.browser import Browser

            self._browser = Browser()
            self._browser.start()
        return self._browser

    def limits(self) -> Limits:
        return Limits.from_settings(self.settings)

    def setting(self, key: str, default: Any) -> Any:
        return self.settings.get(key, default)

    def close(self) -> None:
        """Stop the browser, and remove the sample dirs that are tmpfs mounts (a mount outlives the
        process that made it)."""
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        while self._mounted:
            remove_tree(self._mounted.pop())


def file_stem(uid: str) -> str:
    """A file-name-safe version of a uid (a hash suffix keeps rewritten uids distinct)."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", uid)[:80]
    if safe != uid:
        safe += "-" + hashlib.sha256(uid.encode()).hexdigest()[:8]
    return safe


def sample_dir(ctx: RunContext, sample: Sample) -> Path:
    """A fresh, empty scratch directory for one sample, capped at `execution.workdir_mb` (see
    codearena.sandbox.workdir)."""
    path = ctx.workdir / file_stem(sample.uid)
    remove_tree(path)
    if make_workdir(path, ctx.setting("workdir_mb", DEFAULT_WORKDIR_MB)) and path not in ctx._mounted:
        ctx._mounted.append(path)
    return path


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """Keep the head and the tail of `text` (errors are usually at the end); True if cut."""
    if len(text) <= limit:
        return text, False
    head = limit // 2
    tail = limit - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[-tail:]}", True


def new_record(sample: Sample, ctx: RunContext) -> dict:
    """An execution record (docs/artifacts.md) with every field at its neutral value."""
    env = environments.BY_SLUG.get(sample.env)
    return {
        "uid": sample.uid,
        "model": sample.model,
        "env": sample.env,
        "environment": env.name if env else sample.env,
        "status": "sandbox_error",
        "exit_code": None,
        "stdout": "",
        "stderr": "",
        "stdout_truncated": False,
        "stderr_truncated": False,
        "screenshots": [],
        "figures": [],
        "console": [],
        "missing_dependencies": [],
        "duration_s": 0.0,
        "backend": ctx.backend.name,
        "code_sha256": hashlib.sha256(sample.code.encode("utf-8", "surrogatepass")).hexdigest(),
        "blank_screenshot": False,
        "notes": [],
    }


def set_output(record: dict, stdout: str, stderr: str, ctx: RunContext) -> None:
    limit = int(ctx.setting("output_chars", 20000))
    record["stdout"], record["stdout_truncated"] = truncate(stdout, limit)
    record["stderr"], record["stderr_truncated"] = truncate(stderr, limit)


def is_blank(png: Path) -> bool:
    """True if the image is a single colour (a page that rendered nothing)."""
    from PIL import Image

    with Image.open(png) as im:
        extrema = im.convert("RGB").getextrema()
    return all(lo == hi for lo, hi in extrema)


def save_as_png(src: Path, dest: Path) -> bool:
    """Copy an image the program wrote to `dest` as PNG (first frame); False if it is not a readable image
    (or not a regular file: a named pipe would block the reader, a symlink may lead to a host file)."""
    from PIL import Image

    try:
        if not stat.S_ISREG(os.lstat(src).st_mode):
            return False
        with Image.open(src) as im:  # reads the header only
            if im.width * im.height > MAX_IMAGE_PIXELS:
                return False
            dest.parent.mkdir(parents=True, exist_ok=True)
            if im.format == "PNG":
                im.verify()
                shutil.copyfile(src, dest)
            else:
                im.seek(0)
                im.convert("RGBA" if "A" in im.getbands() else "RGB").save(dest, "PNG")
        return True
    except Exception:  # noqa: BLE001  (anything a broken or hostile file can raise)
        dest.unlink(missing_ok=True)
        return False


def tail(text: str, limit: int) -> str:
    """The last `limit` characters of `text` (server logs: the error is at the end, the banner at the start)."""
    if len(text) <= limit:
        return text
    return f"[... {len(text) - limit} characters omitted ...]\n{text[-limit:]}"


def exit_status(result: ProcessResult, limits: Limits) -> tuple[str, str]:
    """Status of a finished program (`ok`, `error` or `timeout`) and the sandbox's words on how it
    ended, to append to its stderr ("" when it simply exited)."""
    if result.timed_out:
        return "timeout", f"\n[sandbox] timed out after {limits.wall_s:g} s (wall clock); the program was killed\n"
    if result.signal == signal.SIGXCPU:
        return "timeout", f"\n[sandbox] CPU time limit of {limits.cpu_s:g} s exceeded; the program was killed\n"
    if result.exit_code == 0:
        return "ok", ""
    if result.signal:
        return "error", f"\n[sandbox] killed by signal {signal.Signals(result.signal).name}\n"
    return "error", ""


def missing_lines(names: list[str]) -> str:
    """What the judge reads about dependencies the sandbox lacks ("missing dependency: X" each)."""
    return "".join(f"\n[sandbox] missing dependency: {name}" for name in names) + ("\n" if names else "")


def require_python_modules(ctx: RunContext, *modules: str) -> None:
    """Fail before the first sample (with the fix) if the sandbox Python lacks an environment's own
    library; looked up without importing it (importing gradio takes seconds), once per job."""
    key = "python-modules:" + ",".join(modules)
    if ctx.cache.get(key):
        return
    ctx.backend.check()
    probe = ("import importlib.util, sys; "
             f"missing = [m for m in {list(modules)!r} if importlib.util.find_spec(m) is None]; "
             "print(' '.join(missing)); sys.exit(1 if missing else 0)")
    work = ctx.workdir / "_check_python_modules"
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = ctx.backend.run([ctx.backend.python(), "-c", probe], work, limits=Limits(wall_s=60, cpu_s=60))
    except SandboxError as e:
        raise SandboxUnavailable(f"the sandbox Python cannot run: {e}") from e
    if result.exit_code != 0:
        missing = result.stdout.strip() or result.stderr.strip()[-300:]
        raise SandboxUnavailable(f"the sandbox Python lacks {missing}; rebuild it with `make setup` "
                                 "(from sandbox/python/requirements.txt)")
    ctx.cache[key] = True

"""Server apps (Streamlit, Gradio): start the app in the sandbox, wait until it answers HTTP, take
screenshots in a browser that shares its network, stop it, and keep its log.

The backend starts the app with no network but its own loopback (`Backend.start`); readiness is
polled over HTTP from inside that network (`execution.startup_timeout_s` at most, no fixed sleep);
the browser then waits until the page says it has rendered (the app's `ready_js`) and takes `SHOTS`
screenshots `execution.settle_ms` apart. The outcome:

* `ok`: the app answered, rendered, and neither crashed nor raised;
* `error`: it exited before answering, died while being screenshotted, printed a Python traceback,
  or showed an error in the page (`errors_js`);
* `missing_dependency`: the same, caused by an import the sandbox lacks;
* `timeout`: it did not answer HTTP in time, or the page did not finish within `execution.timeout_s`.

A failed app keeps no screenshot (an error page would pass for the app): the judge gets the tail of
its log and the errors instead.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from typing import Callable

from codearena.sandbox import Backend, ProcessResult
from codearena.sandbox.netns import wait_for_http

from . import python
from .common import (RunContext, Sample, file_stem, is_blank, missing_lines, new_record, require_python_modules,
                     sample_dir, tail)

SHOTS = 3  # once rendered, then `settle_ms` apart (identical frames are dropped)
TRACEBACK = re.compile(r"^Traceback \(most recent call last\):", re.M)


@dataclass(frozen=True)
class App:
    argv: Callable[[Backend], list[str]]  # the command, given the backend (its Python, wrapper paths)
    port: int  # where it listens on the sandbox's loopback
    health_path: str = "/"  # polled until it answers 2xx/3xx
    env: dict[str, str] = field(default_factory=dict)
    ready_js: str | None = None  # true once the page has rendered
    errors_js: str | None = None  # -> list of error texts the page shows


def run_app(app: App, sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    work = sample_dir(ctx, sample)
    (work / "app.py").write_text(sample.code, encoding="utf-8")
    backend, limits = ctx.backend, ctx.limits()
    startup_s = float(ctx.setting("startup_timeout_s", 30))
    capture_s = float(ctx.setting("timeout_s", 20))
    # The app's whole life: starting, the capture, and a margin for the browser to launch.
    life = replace(limits, wall_s=startup_s + capture_s + 15)
    stem = file_stem(sample.uid)
    shots = [ctx.outdir / "screenshots" / f"{stem}_{i}.png" for i in range(SHOTS)]

    start = time.monotonic()
    server = backend.start(app.argv(backend), work, limits=life, port=app.port, env=app.env)
    page = None
    died_during_capture = False
    try:
        outcome, waited = wait_for_http(server.url.rstrip("/") + app.health_path, netns=server.netns,
                                        deadline_s=startup_s, alive=server.alive)
        if outcome == "ready":
            record["notes"].append(f"the app answered HTTP after {waited:.1f} s")
            page = ctx.browser().capture_url(
                server.url, shots, netns=server.netns, viewport=tuple(ctx.setting("viewport", [1024, 768])),
                max_page_height=int(ctx.setting("max_page_height", 3072)),
                settle_ms=int(ctx.setting("settle_ms", 600)), deadline_s=capture_s,
                ready_js=app.ready_js, probe_js=app.errors_js)
            died_during_capture = not server.alive()
    finally:
        log = server.stop()
    record["duration_s"] = round(time.monotonic() - start, 3)

    page_errors = _page_errors(page)
    text = log.stdout + "\n" + log.stderr + "\n" + "\n".join(page_errors)
    missing = python.missing_distributions(text)
    words: list[str] = []
    if outcome == "exited":
        status = "error"
        words.append(f"[sandbox] the app exited{_how(log)} before it answered HTTP on port {app.port}")
    elif outcome == "timeout":
        status = "timeout"
        words.append(f"[sandbox] the app did not answer HTTP on port {app.port} within {startup_s:g} s; it was stopped")
    elif died_during_capture:
        status = "error"
        words.append(f"[sandbox] the app exited{_how(log)} while it was being screenshotted")
    elif page_errors or TRACEBACK.search(log.stdout + log.stderr):
        status = "error"
        where = "the log and the page errors" if page_errors else "the log"
        words.append(f"[sandbox] the app raised an exception (see {where})")
    elif page.timed_out:
        status = "timeout"
    elif page.crashed or not page.screenshots:
        status = "error"
    else:
        status = "ok"
    if status == "error" and missing:
        status = "missing_dependency"
    record["status"] = status
    record["missing_dependencies"] = missing
    record["exit_code"] = log.exit_code

    if page is not None:
        record["console"] = page.console
        record["notes"].extend(page.notes)
        if status == "ok":
            record["screenshots"] = [p.relative_to(ctx.outdir).as_posix() for p in page.screenshots]
            record["blank_screenshot"] = is_blank(page.screenshots[-1])
        else:
            for path in page.screenshots:
                path.unlink(missing_ok=True)
            if page.screenshots:
                record["notes"].append("screenshots of the failed app were discarded (they would show an error page)")
    _set_log(record, log, page_errors, words, missing, ctx)
    return record


def _page_errors(page) -> list[str]:
    if page is None or not isinstance(page.probe, list):
        return []
    return [str(e)[:4000] for e in page.probe if e]


def _how(log: ProcessResult) -> str:
    if log.exit_code is not None:
        return f" with code {log.exit_code}"
    if log.signal:
        return f" (signal {log.signal})"
    return ""


def _set_log(record: dict, log: ProcessResult, page_errors: list[str], words: list[str], missing: list[str],
             ctx: RunContext) -> None:
    """stdout/stderr: the tails of the server's streams (the banner is at the start, errors at the
    end), then the errors the page showed and the sandbox's words."""
    limit = int(ctx.setting("output_chars", 20000))
    stderr = log.stderr.rstrip()
    if page_errors:
        stderr += "\n[page] " + "\n[page] ".join(page_errors)
    if words:
        stderr += "\n" + "\n".join(words)
    stderr += missing_lines(missing)
    record["stdout"], record["stdout_truncated"] = tail(log.stdout, limit), len(log.stdout) > limit
    record["stderr"], record["stderr_truncated"] = tail(stderr.lstrip("\n"), limit), len(stderr) > limit


def check(ctx: RunContext, module: str) -> None:
    """The sandbox and its `module`, Chromium, and nsenter (the browser joins the app's network namespace)."""
    import shutil

    from codearena.browser import find_chromium
    from codearena.sandbox import SandboxUnavailable

    require_python_modules(ctx, module)
    find_chromium()
    if shutil.which("nsenter") is None:
        raise SandboxUnavailable("nsenter not found (the browser joins the app's network namespace with it); "
                                 "install it with `apt-get install util-linux`")

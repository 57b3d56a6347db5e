"""A headless Chromium (Playwright) that renders untrusted pages offline and screenshots them.

One `Browser` per job, reused across samples; each `capture()` gets a fresh context (no state shared
between samples). Pages are served from a fake origin, `https://sandbox.local/` (a secure context, so
crypto.subtle and friends work), by fulfilling requests from the sample's directory. Nothing else
leaves the browser:

* `/api/placeholder/W/H` (the generation prompt recommends it) and common placeholder services get a
  generated grey SVG of that size;
* other URLs go through `offline` (vendored copies of CDN libraries, `codearena.cdn`: URL -> local
  file); what it does not know is aborted at once and reported (`requestblocked: URL`);
* navigation of the page away from the origin is cancelled (answered 204, the page stays), popups
  are closed, dialogs dismissed, websockets refused, service workers blocked; Chromium's own DNS
  resolves nothing, and WebRTC gets no UDP socket (STUN to a host service was seen to get through).

Pages stuck in a script loop are rescued with CDP `Runtime.terminateExecution` so a screenshot can
still be taken, and every capture has a hard deadline. Playwright runs on an asyncio loop in a
background thread, so `capture()` can be called from any thread and always returns in time.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote, urlsplit

from codearena import cdn
from codearena.sandbox.base import SandboxError, SandboxUnavailable

log = logging.getLogger(__name__)

ORIGIN = "https://sandbox.local/"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # requests we fulfil never reach DNS; nothing else resolves
    # WebRTC's UDP (STUN, ICE) bypasses request routing: with no proxy this policy leaves it no socket.
    "--webrtc-ip-handling-policy=disable_non_proxied_udp",
]
MAX_CONSOLE = 200  # console entries kept per page (a page can log in a loop)
MAX_CONSOLE_CHARS = 2000
HEIGHT_JS = "() => Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, " \
            "document.body ? document.body.scrollHeight : 0)"
PLACEHOLDER_PATH = re.compile(r"^/api/placeholder/(\d+)(?:/(\d+))?")
PLACEHOLDER_SERVICES = re.compile(
    r"^https?://(?:via\.placeholder\.com|placehold\.co|placehold\.it|dummyimage\.com|placekitten\.com|"
    r"picsum\.photos)/(?:id/\d+/)?(\d+)(?:[x/](\d+))?")

# Exact URL -> local file, consulted before codearena.cdn's matcher (which serves the libraries of
# sandbox/web/vendor/ for the URL forms of the common CDNs).
VENDORED: dict[str, Path] = {}
# Clicked by a frame's `click`: the first visible one of these, else the centre of the viewport.
CLICK_TARGETS = ("canvas", "button:not([disabled])", "[role=button]", "input[type=button]", "input[type=submit]")
CLICK_JS = """(selectors) => {
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect(), s = getComputedStyle(el);
      if (r.width >= 4 && r.height >= 4 && r.bottom > 0 && r.right > 0 && r.top < innerHeight
          && r.left < innerWidth && s.visibility !== "hidden" && s.display !== "none") {
        const label = (el.innerText || el.value || "").trim().slice(0, 40);
        return {x: r.left + r.width / 2, y: r.top + r.height / 2,
                what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (label ? ` "${label}"` : "")};
      }
    }
  }
  return {x: innerWidth / 2, y: innerHeight / 2, what: "the centre of the page"};
}"""

Offline = Callable[[str], "tuple[Path | bytes, str] | None"]


def vendored_file(url: str) -> tuple[Path | bytes, str] | None:
    """The local copy of a CDN URL and its content type: VENDORED (exact URL, then without query or
    fragment), then the vendored libraries (`codearena.cdn`); None if there is none."""
    exact = VENDORED.get(url) or VENDORED.get(url.split("#")[0].split("?")[0])
    if exact is not None:
        return exact, cdn.content_type(Path(exact))
    return cdn.offline_response(url)


@dataclass(frozen=True)
class Frame:
    """One screenshot of a page: `wait_ms` after the previous one (after the load event for the first),
    preceded by an optional click on the page's main control and/or a key press. `judge`: whether the
    judge is shown it (all frames are stored)."""

    wait_ms: int = 0
    click: bool = False
    key: str | None = None  # a Playwright key name: "Space", "ArrowRight", "Enter", ...
    judge: bool = True

    @classmethod
    def from_setting(cls, value: dict, where: str = "execution.frames") -> "Frame":
        if not isinstance(value, dict) or set(value) - {"wait_ms", "click", "key", "judge"}:
            raise ValueError(f"{where}: each frame is a mapping with keys wait_ms, click, key, judge; got {value!r}")
        return cls(wait_ms=int(value.get("wait_ms", 0)), click=bool(value.get("click", False)),
                   key=value.get("key") or None, judge=bool(value.get("judge", True)))


def frames_from_settings(settings: dict) -> list[Frame]:
    """The frames of `execution.frames`; without it, one at load and one `settle_ms` later."""
    configured = settings.get("frames")
    if configured:
        return [Frame.from_setting(v, f"execution.frames[{i}]") for i, v in enumerate(configured)]
    return [Frame(0), Frame(int(settings.get("settle_ms", 600)))]


def find_chromium() -> str:
    """Chromium's path: $CODEARENA_CHROMIUM, else chromium on PATH."""
    configured = os.environ.get("CODEARENA_CHROMIUM")
    path = configured or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path or not os.access(path, os.X_OK):
        raise SandboxUnavailable("Chromium not found; install it with `apt-get install chromium` "
                                 "(or set CODEARENA_CHROMIUM)")
    return path


def placeholder_svg(width: int, height: int) -> bytes:
    width, height = max(1, min(width, 4096)), max(1, min(height, 4096))
    size = max(10, min(width, height) // 6)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="#d1d5db"/>'
            f'<text x="50%" y="50%" dominant-baseline="middle" text-anchor="middle" fill="#6b7280" '
            f'font-family="sans-serif" font-size="{size}">{width}\u00d7{height}</text></svg>').encode()


@dataclass
class PageResult:
    screenshots: list[Path] = field(default_factory=list)  # written, in capture order (repeats dropped)
    judge_screenshots: list[Path] = field(default_factory=list)  # the subset for the judge (Frame.judge)
    console: list[str] = field(default_factory=list)  # "type: text", "pageerror: ...", "requestblocked: URL"
    errors: list[str] = field(default_factory=list)  # uncaught page errors
    blocked: list[str] = field(default_factory=list)  # URLs refused (not local, not vendored)
    placeholders: list[str] = field(default_factory=list)  # URLs answered with a generated image
    vendored: list[str] = field(default_factory=list)  # CDN URLs answered with a local copy
    notes: list[str] = field(default_factory=list)  # what happened to the page: slow load, loop stopped, popups
    loaded: bool = False  # the load event fired in time
    terminated: bool = False  # a running script had to be stopped to take a screenshot
    timed_out: bool = False  # the hard deadline was hit
    crashed: bool = False  # the renderer died
    ready: bool | None = None  # capture_url with ready_js: whether the app said it was ready in time
    probe: object = None  # capture_url with probe_js: what it returned after the last screenshot
    _dropped: int = 0

    def add_console(self, text: str) -> None:
        if len(self.console) < MAX_CONSOLE:
            self.console.append(text[:MAX_CONSOLE_CHARS])
        else:
            self._dropped += 1

    def finish(self) -> None:
        if self._dropped:
            self.console.append(f"[{self._dropped} more console messages dropped]")
            self._dropped = 0


def _site_file(site: Path, url_path: str) -> Path | None:
    """The file under `site` a URL path names (index.html for directories); None if outside or missing."""
    rel = unquote(url_path).lstrip("/")
    target = (site / rel).resolve()
    root = site.resolve()
    if target != root and root not in target.parents:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


class Browser:
    """Headless Chromium for one job. Use as a context manager or call `close()`."""

    def __init__(self, executable_path: str | None = None, args: Sequence[str] = CHROMIUM_ARGS):
        self.executable_path = executable_path
        self.args = list(args)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._pw = None
        self._browser = None
        self._lock = threading.Lock()  # one capture at a time (2 cores: concurrency does not pay)

    # -- lifecycle --------------------------------------------------------------------------------
    def __enter__(self) -> "Browser":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start (or restart after a crash) Chromium; SandboxError if it cannot be launched."""
        self._start_loop()
        try:
            self._call(self._launch(), timeout=60)
        except Exception as e:
            raise SandboxError(f"cannot start Chromium ({self.executable_path}): {type(e).__name__}: {e}") from e

    def _start_loop(self) -> None:
        if self._loop is None:
            self.executable_path = self.executable_path or find_chromium()
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, name="codearena-browser", daemon=True)
            self._thread.start()

    def close(self) -> None:
        if self._loop is None:
            return
        try:
            self._call(self._shutdown(), timeout=30)
            self._call(_cancel_pending(), timeout=10)
        except Exception as e:  # closing must not hide the job's result
            log.warning("closing the browser: %s", e)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
        self._loop = self._thread = None

    def _call(self, coro, timeout: float):
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            future.cancel()  # stop the coroutine on the loop too
            raise

    async def _launch(self) -> None:
        if self._browser is not None and self._browser.is_connected():
            return
        from playwright.async_api import async_playwright

        if self._pw is None:
            self._pw = await async_playwright().start()
        self._browser = await self._pw.chromium.launch(
            executable_path=self.executable_path, args=self.args, headless=True, timeout=30_000)

    async def _shutdown(self) -> None:
        if self._browser is not None:
            try:
                await asyncio.wait_for(self._browser.close(), 10)
            except Exception as e:
                log.warning("browser.close: %s", e)
            self._browser = None
        if self._pw is not None:
            await self._pw.stop()
            self._pw = None

    def _restart(self) -> None:
        """After a capture overran even its grace period: start from a fresh browser."""
        try:
            self._call(self._shutdown(), timeout=20)
        except Exception as e:
            log.warning("restarting the browser: %s", e)
            self._browser = self._pw = None

    # -- capturing --------------------------------------------------------------------------------
    def capture(self, site: Path, shots: Sequence[Path], *, entry: str = "index.html",
                viewport: tuple[int, int] = (1024, 768), max_page_height: int = 3072, settle_ms: int = 600,
                deadline_s: float = 20.0, offline: Offline | None = vendored_file,
                frames: Sequence[Frame] | None = None, ready: str | None = None,
                ready_timeout_s: float = 5.0) -> PageResult:
        """Load `site/entry` and take len(shots) screenshots: as `frames` say (one per frame), else at
        load and then one every `settle_ms`. A frame identical to the one before is not kept. `ready`: a
        JS expression the first frame waits for (up to `ready_timeout_s`), e.g. an async render done.

        Returns within about `deadline_s` whatever the page does. Raises SandboxError if the browser
        itself fails (our fault, not the page's).
        """
        result = PageResult()
        with self._lock:
            self.start()
            if frames is None:
                frames = [Frame(0)] + [Frame(settle_ms)] * (len(shots) - 1)
            if len(frames) != len(shots):
                raise ValueError(f"{len(shots)} screenshot paths for {len(frames)} frames")
            job = _Capture(self._browser, Path(site), entry, [Path(s) for s in shots], viewport,
                           max_page_height, list(frames), deadline_s, offline, result, ready, ready_timeout_s)
            try:
                self._call(job.run(), timeout=deadline_s + 20)
            except TimeoutError:  # (concurrent.futures.TimeoutError is TimeoutError on 3.11)
                result.timed_out = True
                result.notes.append("the browser did not answer; restarted it")
                self._restart()
            except Exception as e:  # the page's own failures are handled inside; this is ours
                if self._browser is None or not self._browser.is_connected():
                    self._restart()
                raise SandboxError(f"the browser failed: {type(e).__name__}: {e}") from e
        result.finish()
        return result

    def capture_url(self, url: str, shots: Sequence[Path], *, netns: str | None = None,
                    viewport: tuple[int, int] = (1024, 768), max_page_height: int = 3072, settle_ms: int = 600,
                    deadline_s: float = 20.0, offline: Callable[[str], Path | None] | None = vendored_file,
                    ready_js: str | None = None, probe_js: str | None = None) -> PageResult:
        """Screenshot a live app at `url` (a sandboxed server): len(shots) screenshots, at load (after
        `ready_js` returns true, if given) and then one every `settle_ms`.

        The app's own origin (pages, scripts, websockets) is reached; every other URL is handled as in
        `capture`. With `netns`, Chromium runs inside that network namespace (started through
        `nsenter --net=<netns>`), where the app's 127.0.0.1 is. Each call launches its own Chromium
        (~0.15 s). `probe_js` is evaluated after the last screenshot (e.g. to read the app's error
        boxes) and its value stored in `PageResult.probe`.
        """
        result = PageResult()
        host = urlsplit(url).hostname or ""
        rules = f"MAP * ~NOTFOUND, EXCLUDE {host}" + (", EXCLUDE localhost" if host == "127.0.0.1" else "")
        args = [a for a in self.args if not a.startswith("--host-resolver-rules=")]
        args.append(f"--host-resolver-rules={rules}")
        with self._lock:
            self._start_loop()
            job = _AppCapture(None, url, [Path(s) for s in shots], viewport, max_page_height, settle_ms, deadline_s,
                              offline, result, ready_js, probe_js)
            try:
                self._call(self._capture_with_own_browser(job, args, netns), timeout=deadline_s + 40)
            except TimeoutError:
                result.timed_out = True
                result.notes.append("the browser did not answer")
            except SandboxError:
                raise
            except Exception as e:
                raise SandboxError(f"the browser failed: {type(e).__name__}: {e}") from e
        result.finish()
        return result

    async def _capture_with_own_browser(self, job: "_AppCapture", args: list[str], netns: str | None) -> None:
        if self._pw is None:  # the driver only: this job launches its own browser
            from playwright.async_api import async_playwright

            self._pw = await async_playwright().start()
        executable, env = self.executable_path, None
        if netns is not None:
            executable = _netns_wrapper()
            env = dict(os.environ, CODEARENA_NETNS=netns, CODEARENA_CHROMIUM_BIN=self.executable_path)
        try:
            browser = await self._pw.chromium.launch(executable_path=executable, args=args, env=env,
                                                     headless=True, timeout=30_000)
        except Exception as e:
            raise SandboxError(f"cannot start Chromium{' in ' + netns if netns else ''}: "
                               f"{type(e).__name__}: {str(e).splitlines()[0]}") from e
        job.browser = browser
        try:
            await job.run()
        finally:
            try:
                await asyncio.wait_for(browser.close(), 10)
            except Exception as e:
                log.warning("closing the app's browser: %s", e)


_NETNS_WRAPPER = """#!/bin/sh
# Chromium inside a sandboxed app's network namespace (written by codearena.browser).
exec nsenter --net="$CODEARENA_NETNS" -- "$CODEARENA_CHROMIUM_BIN" "$@"
"""
_wrapper_dir: str | None = None


def _netns_wrapper() -> str:
    """The launcher Playwright starts instead of Chromium for capture_url(netns=...): a script, since
    nsenter's own options must come before the program and Playwright puts its flags first."""
    global _wrapper_dir
    if shutil.which("nsenter") is None:
        raise SandboxUnavailable("nsenter not found; install it with `apt-get install util-linux`")
    if _wrapper_dir is None or not os.path.exists(os.path.join(_wrapper_dir, "chromium-netns")):
        _wrapper_dir = tempfile.mkdtemp(prefix="codearena-chromium-")
        atexit.register(shutil.rmtree, _wrapper_dir, True)
        path = os.path.join(_wrapper_dir, "chromium-netns")
        with open(path, "w") as f:
            f.write(_NETNS_WRAPPER)
        os.chmod(path, 0o755)
    return os.path.join(_wrapper_dir, "chromium-netns")


async def _cancel_pending() -> None:
    """End handler tasks Playwright left behind, so the loop closes without 'Task was destroyed'."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class _Capture:
    """One page's visit, run on the browser's loop."""

    def __init__(self, browser, site, entry, shots, viewport, max_page_height, frames, deadline_s, offline,
                 result: PageResult, ready: str | None = None, ready_timeout_s: float = 5.0):
        self.browser, self.site, self.entry, self.shots = browser, site, entry, shots
        self.width, self.height = int(viewport[0]), int(viewport[1])
        self.max_page_height, self.frames, self.deadline_s = max_page_height, frames, deadline_s
        self.offline, self.res = offline, result
        self.ready, self.ready_timeout_s = ready, ready_timeout_s
        self.context = None
        self.page = None
        self.navigation_cancelled = asyncio.Event()

    async def run(self) -> None:
        from playwright.async_api import Error as PlaywrightError

        try:
            await asyncio.wait_for(self._visit(), self.deadline_s)
        except asyncio.TimeoutError:
            self.res.timed_out = True
            self.res.notes.append(f"the page did not finish within the {self.deadline_s:g} s deadline")
        finally:
            if self.context is not None:
                try:
                    await asyncio.wait_for(self.context.close(), 10)
                except (PlaywrightError, asyncio.TimeoutError) as e:
                    self.res.notes.append(f"closing the page: {e}")

    async def _visit(self) -> None:
        from playwright.async_api import Error as PlaywrightError

        res = self.res
        self.context = await self.browser.new_context(
            viewport={"width": self.width, "height": self.height}, device_scale_factor=1,
            service_workers="block", accept_downloads=False)
        await self.context.route("**/*", self._route)
        await self.context.route_web_socket(self.blocked_websockets, self._websocket)
        page = self.page = await self.context.new_page()
        page.on("console", lambda m: res.add_console(f"{m.type}: {m.text}"))
        page.on("pageerror", self._pageerror)
        page.on("dialog", self._dialog)
        page.on("popup", self._popup)
        page.on("crash", self._crash)
        cdp = await self.context.new_cdp_session(page)

        load_s = round(min(10.0, max(1.0, self.deadline_s / 3)), 1)
        try:
            # Wait for the load event of the document that is there, not of a navigation the page
            # started itself (goto(wait_until="load") would wait for that one, which we cancel).
            await page.goto(self.start_url, wait_until="commit", timeout=load_s * 1000)
            res.loaded = await self._wait_for_load(page, load_s)
        except PlaywrightError as e:
            first = str(e).splitlines()[0]
            res.notes.append(f"the page did not load within {load_s:g} s ({first})")
        await self._after_load(page)
        if self.ready and res.loaded:
            try:
                await page.wait_for_function(self.ready, timeout=self.ready_timeout_s * 1000)
            except (PlaywrightError, asyncio.TimeoutError) as e:
                res.notes.append(f"the page was not ready within {self.ready_timeout_s:g} s ({str(e).splitlines()[0][:200]})")
        for i, (path, frame) in enumerate(zip(self.shots, self.frames)):
            if res.crashed:
                break
            if frame.click or frame.key:
                await self._act(page, frame, i)
            if frame.wait_ms:
                await asyncio.sleep(frame.wait_ms / 1000)
            if res.crashed:
                break
            shown = None
            if await self._screenshot(page, cdp, path) and len(res.screenshots) > 0 \
                    and path.read_bytes() == res.screenshots[-1].read_bytes():
                path.unlink()  # nothing changed since the last capture: that one stands for this frame
                shown = res.screenshots[-1]
            elif path.exists():
                res.screenshots.append(path)
                shown = path
            if frame.judge and shown is not None and shown not in res.judge_screenshots:
                res.judge_screenshots.append(shown)
        await self._after_shots(page)

    # -- what a subclass may change (_AppCapture: a live app instead of files) ----------------------
    start_url = property(lambda self: ORIGIN + self.entry)
    blocked_websockets = re.compile(".*")

    async def _after_load(self, page) -> None:
        """Called once the page loaded (or failed to), before the first screenshot."""

    async def _after_shots(self, page) -> None:
        """Called after the last screenshot, while the page is still open."""

    async def _act(self, page, frame: Frame, index: int) -> None:
        """A frame's scripted input; a page too busy to answer is noted, not fatal."""
        from playwright.async_api import Error as PlaywrightError

        try:
            if frame.click:
                target = await asyncio.wait_for(page.evaluate(CLICK_JS, list(CLICK_TARGETS)), 1.5)
                await asyncio.wait_for(page.mouse.click(target["x"], target["y"]), 2)
                self.res.notes.append(f"frame {index + 1}: clicked {target['what']}")
            if frame.key:
                await asyncio.wait_for(page.keyboard.press(frame.key), 2)
                self.res.notes.append(f"frame {index + 1}: pressed {frame.key}")
        except (PlaywrightError, asyncio.TimeoutError, KeyError, TypeError) as e:
            self.res.notes.append(f"frame {index + 1}: the scripted input failed ({str(e).splitlines()[0][:200]})")

    async def _wait_for_load(self, page, timeout_s: float) -> bool:
        """Wait for the load event. A navigation the page starts while loading stops that load, and once
        we cancel the navigation no load event comes, so a cancelled navigation also ends the wait."""
        load = asyncio.ensure_future(page.wait_for_load_state("load", timeout=timeout_s * 1000))
        cancelled = asyncio.ensure_future(self.navigation_cancelled.wait())
        try:
            await asyncio.wait({load, cancelled}, return_when=asyncio.FIRST_COMPLETED)
            if not load.done():
                await asyncio.wait({load}, timeout=0.3)  # a short grace: it may still load
            if load.done() and load.exception() is not None:
                raise load.exception()
            return load.done()
        finally:
            for future in (load, cancelled):
                if not future.done():
                    future.cancel()

    async def _screenshot(self, page, cdp, path: Path) -> bool:
        """Screenshot (page height capped); if a script hogs the page, stop it and try again."""
        from playwright.async_api import Error as PlaywrightError

        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                height = await asyncio.wait_for(page.evaluate(HEIGHT_JS), 1.5)
                height = max(self.height, min(int(height or 0), self.max_page_height))
                await page.screenshot(path=str(path), full_page=True, timeout=3000,
                                      clip={"x": 0, "y": 0, "width": self.width, "height": height})
                return True
            except (PlaywrightError, asyncio.TimeoutError, TypeError, ValueError):
                if page.is_closed() or self.res.crashed:
                    return False
                if not self.res.terminated:
                    self.res.notes.append("a script kept the page busy; it was stopped "
                                          "(Runtime.terminateExecution) to take the screenshot")
                self.res.terminated = True
                try:
                    await asyncio.wait_for(cdp.send("Runtime.terminateExecution"), 2)
                except (PlaywrightError, asyncio.TimeoutError):
                    pass
        return False

    # -- event handlers ---------------------------------------------------------------------------
    async def _route(self, route, request) -> None:
        from playwright.async_api import Error as PlaywrightError

        url, res = request.url, self.res
        try:
            if url.startswith(ORIGIN):
                path = urlsplit(url).path
                match = PLACEHOLDER_PATH.match(path)
                if match:
                    return await self._placeholder(route, url, match)
                file = _site_file(self.site, path)
                if file is None:
                    return await route.fulfill(status=404, body="not found")
                return await route.fulfill(path=str(file))
            match = PLACEHOLDER_SERVICES.match(url)
            if match:
                return await self._placeholder(route, url, match)
            local = self.offline(url) if self.offline else None
            if local is not None:
                body, content_type = local
                # CORS: module scripts and fonts from another origin are only used with this header.
                headers = {"Access-Control-Allow-Origin": "*", "Content-Type": content_type}
                res.vendored.append(url)
                if isinstance(body, bytes):
                    return await route.fulfill(status=200, headers=headers, body=body)
                return await route.fulfill(status=200, headers=headers, path=str(body))
            if request.is_navigation_request():
                res.notes.append(f"navigation to {url} was cancelled (no network)")
                if self.page is not None and request.frame == self.page.main_frame:
                    self.navigation_cancelled.set()
                return await route.fulfill(status=204)  # a 204 cancels the navigation; the page stays
            res.blocked.append(url)
            res.add_console(f"requestblocked: {url}")
            await route.abort("blockedbyclient")
        except PlaywrightError:
            pass  # the page went away while we answered

    async def _placeholder(self, route, url: str, match: re.Match) -> None:
        width = int(match.group(1))
        height = int(match.group(2) or width)
        self.res.placeholders.append(url)
        await route.fulfill(status=200, content_type="image/svg+xml", body=placeholder_svg(width, height))

    async def _websocket(self, ws) -> None:
        self.res.blocked.append(ws.url)
        self.res.add_console(f"requestblocked: {ws.url}")
        await ws.close(code=1008, reason="no network in the sandbox")

    def _pageerror(self, error) -> None:
        name = getattr(error, "name", "") or "Error"
        message = getattr(error, "message", "") or str(error)
        text = f"{name}: {message}" if name and not message.startswith(name) else message
        self.res.errors.append(text)
        self.res.add_console(f"pageerror: {text}")

    async def _dialog(self, dialog) -> None:
        self.res.add_console(f"dialog: {dialog.type}: {dialog.message}")
        try:
            await dialog.dismiss()
        except Exception:
            pass

    async def _popup(self, popup) -> None:
        self.res.notes.append(f"a popup was closed ({popup.url})")
        try:
            await popup.close()
        except Exception:
            pass

    def _crash(self, page) -> None:
        self.res.crashed = True
        self.res.notes.append("the page crashed (renderer died)")


class _AppCapture(_Capture):
    """A visit to a live app: its origin is served by the app itself, the rest as in `_Capture`."""

    def __init__(self, browser, url, shots, viewport, max_page_height, settle_ms, deadline_s, offline,
                 result: PageResult, ready_js: str | None, probe_js: str | None):
        frames = [Frame(0)] + [Frame(settle_ms)] * (len(shots) - 1)
        super().__init__(browser, None, "", shots, viewport, max_page_height, frames, deadline_s, offline, result)
        parts = urlsplit(url)
        self.url, self.app_origin = url, f"{parts.scheme}://{parts.netloc}/"
        self.ready_js, self.probe_js = ready_js, probe_js
        # The app's own websockets (Streamlit talks through one) go through untouched.
        self.blocked_websockets = re.compile(r"^(?!wss?://" + re.escape(parts.netloc) + "/)")

    start_url = property(lambda self: self.url)

    async def _route(self, route, request) -> None:
        from playwright.async_api import Error as PlaywrightError

        url = request.url
        try:
            if url.startswith(self.app_origin):
                match = PLACEHOLDER_PATH.match(urlsplit(url).path)
                if match:
                    return await self._placeholder(route, url, match)
                return await route.continue_()
            if url.startswith(ORIGIN):
                return await route.abort("blockedbyclient")
        except PlaywrightError:
            return
        await super()._route(route, request)

    async def _after_load(self, page) -> None:
        from playwright.async_api import Error as PlaywrightError

        if not self.ready_js:
            return
        wait_s = max(1.0, self.deadline_s / 2)
        try:
            await page.wait_for_function(self.ready_js, timeout=wait_s * 1000, polling=100)
            self.res.ready = True
        except PlaywrightError:
            self.res.ready = False
            self.res.notes.append(f"the app did not say it was ready within {wait_s:g} s; screenshots taken anyway")

    async def _after_shots(self, page) -> None:
        from playwright.async_api import Error as PlaywrightError

        if not self.probe_js or self.res.crashed:
            return
        try:
            self.res.probe = await asyncio.wait_for(page.evaluate(self.probe_js), 3)
        except (PlaywrightError, asyncio.TimeoutError) as e:
            self.res.notes.append(f"could not read the page after the screenshots: {str(e).splitlines()[0]}")

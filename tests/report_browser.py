"""Open a rendered report from disk in headless Chromium and record what went wrong on each page."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import sync_playwright

from codearena.browser import CHROMIUM_ARGS, find_chromium


@contextmanager
def report_browser():
    """A Playwright page in Debian's Chromium (never `playwright install`), offline."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def visit(page, path: Path) -> list[str]:
    """Load one page from disk; every console error, page error, failed request and dialog it caused."""
    problems: list[str] = []
    handlers = {
        "console": lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None,
        "pageerror": lambda e: problems.append(f"pageerror: {e}"),
        "requestfailed": lambda r: problems.append(f"requestfailed: {r.url}"),
        "dialog": lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()),
    }
    for event, fn in handlers.items():
        page.on(event, fn)
    try:
        # networkidle: lazy images below the fold finish loading before the next page is opened
        page.goto(path.resolve().as_uri(), wait_until="networkidle")
        page.wait_for_timeout(50)  # let late errors (image decoding, timers) arrive
    finally:
        for event, fn in handlers.items():
            page.remove_listener(event, fn)
    return problems


def visit_all(page, report_dir: Path) -> dict[str, list[str]]:
    """Every HTML page of the report -> its problems (an empty list when the page is clean)."""
    return {str(p.relative_to(report_dir)): visit(page, p) for p in sorted(report_dir.rglob("*.html"))}

"""Streamlit: `streamlit run` on the sandbox's loopback, screenshotted once the script has run.

Readiness is Streamlit's health endpoint; the page is rendered once the app element reports that the
script is no longer running (`data-test-script-state`). An exception in the script shows up in the
page (`stException`) and in the log (plain tracebacks: rich formatting off): the app is then `error`.
"""

from __future__ import annotations

from codearena.sandbox import WORKDIR

from . import apps, python
from .common import RunContext, Sample

PORT = 8501  # Streamlit's default; every app has its own network namespace, so ports never clash

APP = apps.App(
    argv=lambda backend: [
        backend.python(), "-m", "streamlit", "run", f"{WORKDIR}/app.py",
        "--server.port", str(PORT), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
        "--browser.gatherUsageStats", "false", "--global.developmentMode", "false",
        "--logger.enableRich", "false",
    ],
    port=PORT,
    health_path="/_stcore/health",
    env=dict(python.ENV),
    ready_js="() => { const app = document.querySelector('[data-testid=stApp]');"
             " return !!app && app.dataset.testScriptState === 'notRunning'; }",
    errors_js="() => [...document.querySelectorAll('[data-testid=stException]')].map(e => e.innerText)",
)


def check(ctx: RunContext) -> None:
    apps.check(ctx, "streamlit")


def run(sample: Sample, ctx: RunContext) -> dict:
    return apps.run_app(APP, sample, ctx)

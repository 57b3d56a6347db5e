"""Gradio: the app runs through sandbox/python/run_gradio.py on the sandbox's loopback.

The port and address come from GRADIO_SERVER_PORT/GRADIO_SERVER_NAME, and the wrapper pins them in
`launch()` whatever arguments the app passes (the source is never rewritten); an app that defines a
Blocks/Interface but never launches it is launched by the wrapper. Analytics and the Hugging Face hub
are off (no network anyway). Ready when `/` answers and the page has rendered its layout.
"""

from __future__ import annotations

from codearena.sandbox import WORKDIR

from . import apps, python
from .common import RunContext, Sample

PORT = 7860  # Gradio's default; every app has its own network namespace, so ports never clash
WRAPPER = "python/run_gradio.py"

APP = apps.App(
    argv=lambda backend: [backend.python(), backend.sandbox_path(WRAPPER), f"{WORKDIR}/app.py"],
    port=PORT,
    health_path="/",
    env=dict(python.ENV, GRADIO_SERVER_NAME="127.0.0.1", GRADIO_SERVER_PORT=str(PORT),
             GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1", GRADIO_SSR_MODE="False"),
    ready_js="() => !!document.querySelector('gradio-app main.contain')",
)


def check(ctx: RunContext) -> None:
    apps.check(ctx, "gradio")


def run(sample: Sample, ctx: RunContext) -> dict:
    return apps.run_app(APP, sample, ctx)

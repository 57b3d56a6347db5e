"""Mermaid: the diagram is rendered by the vendored mermaid in a page of ours, then screenshotted.

Upstream's wrapper called `mermaid.initialize` from a classic script while `mermaid` was only imported
in a module script (spec weakness 21), so its settings were ignored. Here one module script imports
mermaid (from its CDN URL, answered by the vendored copy), initialises it, checks the syntax with
`mermaid.parse` and renders. A syntax error is status `error` with mermaid's own message in stderr
(the page shows the message too), not a blank "success".
"""

from __future__ import annotations

import html
import json

from codearena import cdn
from codearena.browser import find_chromium
from codearena.sandbox import SandboxUnavailable

from .common import RunContext, Sample, new_record, sample_dir, set_output
from .web import render

MERMAID_URL = "https://cdn.jsdelivr.net/npm/mermaid@11/dist/mermaid.esm.min.mjs"
ERROR_PREFIX = "codearena-mermaid-error: "
READY = "document.body && document.body.dataset.mermaid !== undefined"
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
  body {{ margin: 0; padding: 24px; background: #ffffff; font-family: sans-serif; }}
  #diagram svg {{ max-width: 100%; height: auto; }}
  #error {{ color: #b91c1c; white-space: pre-wrap; font-size: 16px; }}
</style>
</head>
<body>
<div id="diagram"></div>
<pre id="error"></pre>
<script type="application/json" id="source">{source}</script>
<script type="module">
import mermaid from "{url}";
const source = JSON.parse(document.getElementById("source").textContent);
mermaid.initialize({{ startOnLoad: false, theme: "default", securityLevel: "strict" }});
try {{
  await mermaid.parse(source);  // throws mermaid's own message on a syntax error
  const {{ svg }} = await mermaid.render("codearena-diagram", source);
  document.getElementById("diagram").innerHTML = svg;
  document.body.dataset.mermaid = "rendered";
}} catch (error) {{
  const message = (error && (error.message || error.str)) || String(error);
  document.getElementById("error").textContent = "Mermaid could not render this diagram:\\n" + message;
  console.error("{marker}" + message);
  document.body.dataset.mermaid = "error";
}}
</script>
</body>
</html>
"""


def check(ctx: RunContext) -> None:
    find_chromium()
    if cdn.local_file(MERMAID_URL) is None:
        raise SandboxUnavailable("the vendored mermaid is not installed (sandbox/web/vendor); run `make setup`")


def page(code: str) -> str:
    """The wrapper page for a diagram (the source travels as JSON, so nothing in it is parsed as HTML)."""
    source = json.dumps(code).replace("</", "<\\/")
    return PAGE.format(title=html.escape("diagram"), source=source, url=MERMAID_URL, marker=ERROR_PREFIX)


def run(sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    site = sample_dir(ctx, sample)
    (site / "index.html").write_text(page(sample.code), encoding="utf-8")
    render(sample, ctx, record, site, ready=READY)
    marker = f"error: {ERROR_PREFIX}"
    errors = [line[len(marker):] for line in record["console"] if line.startswith(marker)]
    if errors and record["status"] != "timeout":
        record["status"] = "error"
        set_output(record, "", f"Mermaid syntax error: {errors[0]}\n{record['stderr']}".rstrip("\n"), ctx)
    return record

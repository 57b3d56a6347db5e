"""The static HTML report (`results/report/`): Jinja2 templates with autoescaping, no server, no network.

`load_inputs` reads the build's artifacts, `write_report` renders the site; see `site` for the layout.
"""

from .site import ReportInputs, failure_reason, load_inputs, slug, write_report

__all__ = ["ReportInputs", "failure_reason", "load_inputs", "slug", "write_report"]

"""Syntax highlighting of answer code with Pygments, at build time, styled by a static CSS file.

Pygments' HtmlFormatter escapes the code it formats, so model output stays text; the result is the
only HTML the report marks safe besides the templates themselves.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

CSS_CLASS = "hl"
STYLE = "default"
# Very long code is shown plain: highlighting it costs time and makes pages heavy for no reader.
MAX_HIGHLIGHT_CHARS = 200_000
# Our language names (codearena.extract) -> Pygments lexer aliases.
LEXERS = {
    "python": "python", "html": "html", "javascript": "javascript", "typescript": "typescript",
    "jsx": "jsx", "tsx": "tsx", "react": "jsx", "vue": "html", "c": "c", "cpp": "cpp", "java": "java",
    "go": "go", "golang": "go", "rust": "rust", "css": "css", "json": "json", "bash": "bash", "sh": "bash",
    "shell": "bash", "mermaid": "text",
}
_FORMATTER = HtmlFormatter(cssclass=CSS_CLASS, wrapcode=True)


def stylesheet() -> str:
    """The CSS for highlighted code (written once to the report's static/ directory)."""
    return HtmlFormatter(style=STYLE, cssclass=CSS_CLASS).get_style_defs(f".{CSS_CLASS}")


def _lexer(language: str | None):
    name = LEXERS.get((language or "").lower(), (language or "text").lower())
    try:
        return get_lexer_by_name(name, stripnl=False)
    except ClassNotFound:
        return get_lexer_by_name("text", stripnl=False)


def highlight_code(code: str | None, language: str | None) -> Markup:
    """Highlighted HTML for `code` (escaped plain text when it is very long or has no lexer)."""
    if not code:
        return Markup("")
    if len(code) > MAX_HIGHLIGHT_CHARS:
        return Markup(f'<div class="{CSS_CLASS}"><pre><code>') + escape(code) + Markup("</code></pre></div>")
    return Markup(highlight(code, _lexer(language), _FORMATTER))

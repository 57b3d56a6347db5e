"""Showing model output on the app page without letting it inject markup.

Model text is Markdown and is rendered as such (code blocks, lists), but raw HTML in it is escaped
before Gradio's renderer sees it (Gradio's sanitizer runs as well), and Markdown images are defused:
an answer must not be able to restyle the page, add elements to it, or load images into it. Code
blocks and code spans are left alone because Markdown already shows their content literally.
Everything else the app shows from models or their programs goes into text components or into the
sandboxed preview iframe.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def _escape_prose(line: str) -> str:
    """Escape `&` and `<` (enough to stop every tag and entity) and `![` (images), outside code spans."""
    out, pos = [], 0
    for span in _CODE_SPAN.finditer(line):
        out.append(_escape_text(line[pos:span.start()]))
        out.append(span.group(0))
        pos = span.end()
    out.append(_escape_text(line[pos:]))
    return "".join(out)


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("![", "!\\[")


def safe_markdown(text: str) -> str:
    """`text` with every HTML tag, entity and image outside code blocks and spans made literal."""
    lines = text.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None:
            if match:
                fence = match.group(1)
                continue
            lines[i] = _escape_prose(line)
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = None
    return "\n".join(lines)


def iframe(url: str, height: int = 520) -> str:
    """The live preview: a sandboxed iframe (scripts only: no same-origin access, no top navigation,
    no popups, no forms) on the preview server's origin."""
    return (f'<iframe class="codearena-preview" sandbox="allow-scripts" referrerpolicy="no-referrer" '
            f'src="{html.escape(url, quote=True)}" style="width:100%;height:{int(height)}px;border:1px solid #d1d5db;'
            f'border-radius:6px;background:#fff" title="live preview"></iframe>')


def plain(text: str) -> str:
    """Text for a Markdown component, shown literally (model names, error messages)."""
    return html.escape(text, quote=False).replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_") \
        .replace("`", "\\`").replace("[", "\\[").replace("#", "\\#")

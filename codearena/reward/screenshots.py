"""Screenshots of a votes row: whatever form the dataset stores them in, as image files on disk.

Images arrive as a `datasets` Image value (`{bytes, path}`), raw bytes, a PIL image, a data URL, base64
text or a file path. They are checked with Pillow and stored once under `screenshots/`, named by the
sha256 of their bytes, so a screenshot shared by many battles (or sitting in both the flattened columns
and the states) is written once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from codearena.io import write_bytes

SCREENSHOT_DIR = "screenshots"


def screenshot_bytes(value: Any, base_dir: Path | None) -> bytes | None:
    """Image bytes from a datasets Image value ({bytes, path}), raw bytes, a PIL image, a data URL,
    base64 text or a file path (relative paths resolved against the source's directory)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        if value.get("bytes"):
            return bytes(value["bytes"])
        return screenshot_bytes(value.get("path"), base_dir)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, Image.Image):
        buf = io.BytesIO()
        value.save(buf, format="PNG")
        return buf.getvalue()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("data:") and "," in text:
            text = text.split(",", 1)[1]
        for candidate in ([Path(text)] + ([base_dir / text] if base_dir else [])) if len(text) < 4096 else []:
            try:
                if candidate.is_file():
                    return candidate.read_bytes()
            except OSError:
                pass
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
    return None


def store_screenshot(data: bytes | None, out_dir: Path) -> tuple[str | None, str | None, str | None]:
    """(relative path, sha256, note). Unreadable bytes are not stored; the note says so."""
    if not data:
        return None, None, None
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
            fmt = (im.format or "png").lower()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None, None, "the screenshot could not be read as an image"
    digest = hashlib.sha256(data).hexdigest()
    ext = {"jpeg": "jpg"}.get(fmt, fmt)
    rel = f"{SCREENSHOT_DIR}/{digest[:2]}/{digest}.{ext}"
    target = out_dir / rel
    if not target.exists():
        write_bytes(target, data)
    return rel, digest, None


def present(value: Any) -> bool:
    """An image value that holds something (datasets stores a missing image as None or {None, None})."""
    if isinstance(value, dict):
        return bool(value.get("bytes") or value.get("path"))
    return value is not None and value != "" and value != b""

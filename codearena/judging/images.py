"""Screenshots and figures as data URLs for a judge prompt.

Providers downscale large images anyway (Anthropic to 1568 px on the long side) and bill by pixel, so
images are shrunk here first, then re-encoded to fit a byte budget: PNG if it fits (sharp text), else
JPEG at falling quality, then smaller sizes. A file that cannot be used is skipped with a note the
prompt shows instead, so the judge knows an image existed.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

MAX_SIDE = 1568
MAX_BYTES = 1_000_000  # encoded bytes before base64; well under every provider's per-image limit
MIN_SIDE = 8  # smaller images carry nothing a judge could see
_JPEG_QUALITIES = (90, 80, 70, 60, 50, 40)
_MIN_SHRUNK_SIDE = 128


@dataclass(frozen=True)
class EncodedImage:
    """Either `data_url` (with its size) or `note` saying why the file was skipped."""

    path: Path
    data_url: str | None = None
    width: int = 0
    height: int = 0
    note: str | None = None


def encode_image(path: str | Path, max_side: int = MAX_SIDE, max_bytes: int = MAX_BYTES) -> EncodedImage:
    """Load an image file, fit it into `max_side` x `max_side` and `max_bytes`, return a data URL."""
    path = Path(path)
    try:
        with Image.open(path) as im:
            im.seek(0)  # the first frame of an animation
            im.load()
            image = im.copy()
    except FileNotFoundError:
        return EncodedImage(path, note="file not found")
    except (UnidentifiedImageError, OSError, ValueError) as e:
        return EncodedImage(path, note=f"unreadable image ({type(e).__name__})")
    if min(image.size) < MIN_SIDE:
        return EncodedImage(path, note=f"image too small ({image.width}x{image.height} px)")
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)

    data = _encode(image, "PNG")
    if len(data) <= max_bytes:
        return _result(path, image, data, "png")
    flat = _flatten(image)
    while True:
        for quality in _JPEG_QUALITIES:
            data = _encode(flat, "JPEG", quality=quality)
            if len(data) <= max_bytes:
                return _result(path, flat, data, "jpeg")
        if max(flat.size) * 0.75 < _MIN_SHRUNK_SIDE:
            return EncodedImage(path, note=f"cannot fit the image into {max_bytes} bytes")
        flat = flat.resize((max(1, int(flat.width * 0.75)), max(1, int(flat.height * 0.75))), Image.Resampling.LANCZOS)


def _encode(image: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    if fmt == "PNG":
        image.save(buf, format="PNG", optimize=True)
    else:
        image.save(buf, format="JPEG", optimize=True, **options)
    return buf.getvalue()


def _flatten(image: Image.Image) -> Image.Image:
    """JPEG has no alpha: composite transparent images onto white (what a browser page shows)."""
    if image.mode == "RGBA":
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def _result(path: Path, image: Image.Image, data: bytes, subtype: str) -> EncodedImage:
    url = f"data:image/{subtype};base64," + base64.b64encode(data).decode("ascii")
    return EncodedImage(path, data_url=url, width=image.width, height=image.height)


def is_blank(path: str | Path, tolerance: int = 8) -> bool | None:
    """True if every pixel has (nearly) one colour, e.g. a page that rendered nothing; None if unreadable.

    Uniformity is checked per channel on the flattened image (min and max within `tolerance`), so a
    single line of text on a white page already counts as content.
    """
    try:
        with Image.open(path) as im:
            im.seek(0)
            im.load()
            flat = _flatten(im.convert("RGBA") if im.mode not in ("RGB", "RGBA") else im.copy())
    except (FileNotFoundError, UnidentifiedImageError, OSError, ValueError):
        return None
    return all(high - low <= tolerance for low, high in flat.getextrema())

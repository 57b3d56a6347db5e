"""Building the content of a multimodal chat message: text and image parts (OpenAI format, which
litellm translates for every provider)."""

from __future__ import annotations


def text_part(text: str) -> dict:
    return {"type": "text", "text": text}


def image_part(data_url: str) -> dict:
    return {"type": "image_url", "image_url": {"url": data_url}}


def merge_parts(parts: list[dict]) -> list[dict]:
    """Join neighbouring text parts and drop empty ones (fewer, larger parts for the provider)."""
    merged: list[dict] = []
    for part in parts:
        if part["type"] == "text":
            if not part["text"]:
                continue
            if merged and merged[-1]["type"] == "text":
                merged[-1] = text_part(merged[-1]["text"] + part["text"])
                continue
        merged.append(part)
    return merged

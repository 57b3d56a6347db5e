"""A content-addressed cache of provider responses, on disk.

One JSON file per key at `root/ab/abcdef….json` (the key is a sha256 of the request). Files are written
to a temporary name in the same directory and renamed into place, so concurrent jobs, killed runs and
shared (NFS) filesystems never leave a half-written entry under a key. Only successful responses are
stored, so a rerun repeats exactly the calls that failed. litellm's own disk cache was removed in 1.109,
hence this module.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from codearena.config import stable_hash
from codearena.io import write_text

log = logging.getLogger(__name__)

# Bump when the request canonicalisation changes: old entries then stop matching instead of lying.
KEY_VERSION = 1


class ResponseCache:
    """Get and put response dicts by request key. `root=None` gives a disabled cache (always a miss)."""

    def __init__(self, root: str | os.PathLike | None) -> None:
        self.root = Path(root) if root is not None else None
        self.corrupt = 0  # entries found unreadable in this process (each one also logged)

    @property
    def enabled(self) -> bool:
        return self.root is not None

    @staticmethod
    def key(request: dict) -> str:
        """sha256 of the canonical JSON of the request (model id, api_base, messages, sampling, extra)."""
        return stable_hash({"cache_key_version": KEY_VERSION, **request})

    def path(self, key: str) -> Path:
        if self.root is None:
            raise ValueError("the response cache is disabled (root is None)")
        if len(key) < 3 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        """The stored value, or None on a miss. A corrupt entry counts as a miss and is logged."""
        if self.root is None:
            return None
        path = self.path(key)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as e:
            return self._bad(path, f"unreadable ({e.strerror or e})")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as e:
            return self._bad(path, f"not valid JSON ({e.msg})")
        if not isinstance(value, dict):
            return self._bad(path, f"expected a JSON object, got {type(value).__name__}")
        if value.get("key", key) != key:
            return self._bad(path, f"holds key {value.get('key')!r}")
        return value

    def put(self, key: str, value: dict) -> None:
        """Store `value` (a JSON-serialisable dict) under `key`; the last writer wins, atomically."""
        if self.root is None:
            return
        text = json.dumps({**value, "key": key}, ensure_ascii=False, sort_keys=True)
        write_text(self.path(key), text + "\n")

    def _bad(self, path: Path, why: str) -> None:
        self.corrupt += 1
        log.warning("response cache: ignoring corrupt entry %s: %s (it will be recomputed)", path, why)
        return None

"""Per-session rate limits: at most `limit` actions of a kind per sliding window."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Callable


class RateLimiter:
    """`take(key)` records an action and returns 0, or returns the seconds to wait (nothing recorded)."""

    def __init__(self, limit: int, window_s: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1:
            raise ValueError("a rate limit needs limit >= 1")
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        now = self.clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) >= self.limit:
                return round(events[0] + self.window_s - now, 1) or 0.1
            events.append(now)
            if len(self._events) > 10_000:  # forget idle sessions so memory stays bounded
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window_s}
            return 0.0

    def forget(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)

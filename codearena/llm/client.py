"""Calling a model through litellm: response cache, bounded concurrency, our own retries.

litellm's retries are turned off (`num_retries=0`) because they neither honour Retry-After on every
provider nor stop on errors that cannot heal; the loop here does both, with exponential backoff and
jitter, and gives up with a one-line `CallFailed` after `spec.max_retries` retries.

`stream()` is the same call with the provider streaming (the arena app shows answers as they are
written); it shares the retries and the cache key with `complete()`, so a streamed answer is a cache
hit for a later `complete()` of the same request and the other way round.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Awaitable, Callable

import codearena  # noqa: F401  (sets litellm's offline switches before litellm is imported)
import litellm
import openai

from codearena.config import ModelSpec
from codearena.llm.cache import ResponseCache

log = logging.getLogger(__name__)
litellm.suppress_debug_info = True  # no "Give Feedback / Get Help" banner on every failed call

# A local OpenAI-compatible server (vLLM, Ollama, the test server) needs no key, but litellm's OpenAI
# client refuses to send a request without one.
NO_KEY = "sk-no-key-required"

# Statuses worth another try: timeouts, conflicts, rate limits and server-side failures.
RETRY_STATUSES = {408, 409, 425, 429}
RETRY_AFTER_MAX_S = 600.0

_counts: dict[str, Counter] = defaultdict(Counter)


def call_counts() -> dict:
    """Per model name: provider calls made in this process, cache hits, retries and final failures."""
    return {name: dict(c) for name, c in _counts.items()}


@dataclass
class Completion:
    text: str
    usage: dict | None
    cost_usd: float | None
    latency_s: float
    cached: bool
    request_hash: str
    provider_model: str | None
    attempts: int  # provider calls made for this completion (0 when it came from the cache)
    first_text_s: float | None = None  # streamed calls: seconds until the first text arrived
    # Unix time the provider's response arrived; a cache hit gives the original call's time (as it
    # gives its latency), so a record rebuilt from the cache is the same as the first one.
    tstamp: float | None = None


# Receives the whole text so far (not the delta) each time a streamed chunk arrives; "" when an attempt
# starts over after a retryable failure.
OnText = Callable[[str], Awaitable[None] | None]


class CallFailed(Exception):
    """The call gave no answer after the retries allowed; `reason` is one line."""

    def __init__(self, reason: str, attempts: int = 0, request_hash: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.request_hash = request_hash  # the response-cache key of the request that failed


class MissingAPIKey(CallFailed):
    """The model's API key environment variable is not set (found before any call was made)."""

    def __init__(self, model: str, variable: str) -> None:
        super().__init__(f"model {model}: environment variable {variable} is not set (it holds the API key)", 0)
        self.variable = variable


class _BadResponse(Exception):
    """A 200 reply without usable text (no choices, empty content): retried like a server error."""


async def _emit(on_text: OnText, text: str) -> None:
    result = on_text(text)
    if asyncio.iscoroutine(result):
        await result


def _one_line(e: BaseException, limit: int = 300) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _status(e: BaseException) -> int | None:
    status = getattr(e, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(e: BaseException) -> bool:
    """Rate limits, timeouts, connection errors, 5xx and malformed replies heal; auth/bad request/not found don't."""
    if isinstance(e, (_BadResponse, asyncio.TimeoutError, openai.APIConnectionError, openai.APIResponseValidationError)):
        return True
    status = _status(e)
    return status is not None and (status in RETRY_STATUSES or status >= 500)


def retry_after_s(e: BaseException, now: float | None = None) -> float | None:
    """The wait a 429/503 reply asks for: `retry-after-ms`, or `Retry-After` in seconds or as an HTTP date."""
    response = getattr(e, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _usage(resp) -> dict | None:
    usage = getattr(resp, "usage", None)
    if usage is None:
        return None
    out = {k: getattr(usage, k, None) for k in ("prompt_tokens", "completion_tokens", "total_tokens")}
    return out if any(v is not None for v in out.values()) else None


def _cost(resp) -> float | None:
    """litellm's estimate; None for models it has no price for (custom endpoints)."""
    cost = (getattr(resp, "_hidden_params", None) or {}).get("response_cost")
    if cost is None:
        try:
            cost = litellm.completion_cost(completion_response=resp)
        except Exception:  # litellm raises a variety of errors for unpriced models
            return None
    return float(cost) if cost else None


def _text(resp) -> str:
    choices = getattr(resp, "choices", None)
    if not choices:
        raise _BadResponse("the reply has no choices")
    content = getattr(getattr(choices[0], "message", None), "content", None)
    if not isinstance(content, str) or not content.strip():
        raise _BadResponse("the reply has empty content")
    return content


class LLMClient:
    """One model: `await complete(messages)` returns a Completion or raises CallFailed."""

    def __init__(
        self,
        spec: ModelSpec,
        cache: ResponseCache,
        *,
        concurrency: int | None = None,
        backoff_base_s: float | None = None,
        backoff_max_s: float | None = None,
    ) -> None:
        if spec.provider != "litellm":
            raise ValueError(f"model {spec.name}: provider {spec.provider!r} is not called through litellm")
        self.spec = spec
        self.cache = cache
        self.concurrency = concurrency or spec.concurrency
        self.backoff_base_s = spec.retry_base_s if backoff_base_s is None else backoff_base_s
        self.backoff_max_s = spec.retry_max_s if backoff_max_s is None else backoff_max_s
        self._semaphore: asyncio.Semaphore | None = None  # made inside the running loop
        self._loop: asyncio.AbstractEventLoop | None = None

    def request(self, messages: list[dict], **overrides) -> dict:
        """Everything that determines the response: hashed into the cache key (never the key itself)."""
        sampling = {"temperature": self.spec.temperature, "max_tokens": self.spec.max_tokens, **overrides}
        return {
            "model": self.spec.model,
            "api_base": self.spec.api_base,
            "messages": messages,
            "sampling": {k: v for k, v in sampling.items() if v is not None},
            "extra": self.spec.extra,
        }

    def backoff_s(self, attempt: int) -> float:
        """Exponential backoff with jitter (half to full of base * 2**(attempt-1), capped)."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return ceiling * random.uniform(0.5, 1.0)

    async def complete(self, messages: list[dict], **overrides) -> Completion:
        return await self._complete(messages, overrides, None)

    async def stream(self, messages: list[dict], on_text: OnText, **overrides) -> Completion:
        """`complete()`, with the provider streaming: `on_text(text so far)` runs as chunks arrive (once,
        with the whole text, on a cache hit). The Completion is the same as `complete()` would give."""
        return await self._complete(messages, overrides, on_text)

    def _stream_options(self) -> dict:
        """Ask for the usage chunk where the provider supports it (litellm counts tokens otherwise)."""
        try:
            model, provider, _, _ = litellm.get_llm_provider(self.spec.model, api_base=self.spec.api_base)
            supported = litellm.get_supported_openai_params(model=model, custom_llm_provider=provider) or []
        except Exception:  # an unknown provider: stream without the option rather than fail
            return {}
        return {"stream_options": {"include_usage": True}} if "stream_options" in supported else {}

    async def _streamed(self, kwargs: dict, on_text: OnText, started: float) -> tuple[object, float | None]:
        """One streamed attempt: the rebuilt full response and the seconds until the first text."""
        await _emit(on_text, "")
        response = await litellm.acompletion(**kwargs, stream=True, **self._stream_options())
        chunks, text, first = [], "", None
        async for chunk in response:
            chunks.append(chunk)
            choices = getattr(chunk, "choices", None) or []
            delta = getattr(getattr(choices[0], "delta", None), "content", None) if choices else None
            if delta:
                if first is None:
                    first = time.monotonic() - started
                text += delta
                await _emit(on_text, text)
        full = litellm.stream_chunk_builder(chunks, messages=kwargs["messages"]) if chunks else None
        if full is None:
            raise _BadResponse("the stream ended without any chunk")
        return full, first

    async def _complete(self, messages: list[dict], overrides: dict, on_text: OnText | None) -> Completion:
        request = self.request(messages, **overrides)
        key = ResponseCache.key(request)
        counts = _counts[self.spec.name]
        hit = self.cache.get(key)
        if hit is not None and not isinstance(hit.get("text"), str):
            log.warning("response cache: entry %s has no text; calling the provider again", key)
            hit = None
        if hit is not None:
            counts["cache_hits"] += 1
            if on_text is not None:
                await _emit(on_text, hit["text"])
            return _from_entry(hit, key, cached=True, attempts=0)
        missing = self.spec.missing_key()
        if missing:
            raise MissingAPIKey(self.spec.name, missing)
        api_key = self.spec.api_key() or (NO_KEY if self.spec.api_base and not self.spec.api_key_env else None)
        kwargs = dict(
            model=self.spec.model,
            messages=messages,
            api_base=self.spec.api_base,
            api_key=api_key,
            timeout=self.spec.timeout_s,
            num_retries=0,
            # Explicit sampling settings win over the same names in `extra` instead of clashing.
            **{**self.spec.extra, **request["sampling"]},
        )
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._loop is not loop:  # a semaphore belongs to one event loop
            self._semaphore, self._loop = asyncio.Semaphore(self.concurrency), loop
        attempts = 0
        while True:
            attempts += 1
            try:
                async with self._semaphore:  # the slot is held for the call only, not for the backoff
                    counts["calls"] += 1
                    started = time.monotonic()
                    first_text = None
                    if on_text is None:
                        resp = await litellm.acompletion(**kwargs)
                    else:
                        resp, first_text = await self._streamed(kwargs, on_text, started)
                    latency = time.monotonic() - started
                text = _text(resp)
            except Exception as e:  # classified below; anything unknown is not retried
                last = f"{type(e).__name__}: {_one_line(e)}"
                if not is_retryable(e):
                    counts["failed"] += 1
                    raise CallFailed(f"{last} (not retryable)", attempts, key) from e
                if attempts > self.spec.max_retries:
                    counts["failed"] += 1
                    raise CallFailed(f"{last} (gave up after {attempts} attempts)", attempts, key) from e
                wait = retry_after_s(e) if _status(e) in (429, 503) else None
                if wait is not None:
                    wait = min(wait, RETRY_AFTER_MAX_S)
                else:
                    wait = self.backoff_s(attempts)
                counts["retries"] += 1
                await asyncio.sleep(wait)
                continue
            entry = _entry(
                text=text,
                usage=_usage(resp),
                cost_usd=_cost(resp),
                latency_s=round(latency, 4),
                provider_model=getattr(resp, "model", None),
                model=self.spec.model,
                tstamp=round(time.time(), 3),
            )
            self._store(key, entry)
            completion = _from_entry(entry, key, cached=False, attempts=attempts)
            completion.first_text_s = None if first_text is None else round(first_text, 4)
            return completion

    def _store(self, key: str, entry: dict) -> None:
        """Cache a success. A cache that cannot be written costs a rerun later, not this answer."""
        try:
            self.cache.put(key, entry)
        except OSError as e:
            log.warning("response cache: could not store %s for model %s: %s", key, self.spec.name, e)


def _entry(**fields) -> dict:
    """A cache entry as the cache gives it back (JSON, keys sorted), so that a fresh completion and a
    later cache hit of it carry equal values down to the order of the usage keys."""
    return json.loads(json.dumps(fields, sort_keys=True))


def _from_entry(entry: dict, key: str, *, cached: bool, attempts: int) -> Completion:
    return Completion(
        text=entry["text"],
        usage=entry.get("usage"),
        cost_usd=entry.get("cost_usd"),
        latency_s=entry.get("latency_s") or 0.0,
        cached=cached,
        request_hash=key,
        provider_model=entry.get("provider_model"),
        attempts=attempts,
        tstamp=entry.get("tstamp"),
    )

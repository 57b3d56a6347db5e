"""LLMClient.stream against the fake server speaking OpenAI's server-sent events."""

from __future__ import annotations

import asyncio

import pytest

from codearena.llm.cache import ResponseCache
from codearena.llm.client import CallFailed, LLMClient

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "print the first primes"}]
FAST = {"backoff_base_s": 0.01, "backoff_max_s": 0.05}


def stream(client: LLMClient, **overrides):
    seen: list[str] = []
    completion = asyncio.run(client.stream(MESSAGES, seen.append, **overrides))
    return completion, seen


def test_stream_delivers_growing_text_and_the_same_completion(fake_llm, fake_spec, tmp_path):
    fake_llm.script("m1", ["one two three four five six seven eight nine ten eleven twelve"])
    completion, seen = stream(LLMClient(fake_spec("m1"), ResponseCache(tmp_path)))
    assert completion.text == "one two three four five six seven eight nine ten eleven twelve"
    assert seen[0] == "" and seen[-1] == completion.text and len(seen) >= 4  # several chunks, growing
    assert all(later.startswith(earlier) for earlier, later in zip(seen, seen[1:]))
    body = fake_llm.requests("m1")[0]["body"]
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert completion.usage == {"prompt_tokens": 6, "completion_tokens": 12, "total_tokens": 18}
    assert completion.first_text_s is not None and completion.first_text_s <= completion.latency_s


def test_stream_and_complete_share_the_cache(fake_llm, fake_spec, tmp_path):
    spec = fake_spec("m1")
    streamed, _ = stream(LLMClient(spec, ResponseCache(tmp_path)))
    again = asyncio.run(LLMClient(spec, ResponseCache(tmp_path)).complete(MESSAGES))
    assert again.cached and again.text == streamed.text and fake_llm.calls["m1"] == 1
    cached, seen = stream(LLMClient(spec, ResponseCache(tmp_path)))
    assert cached.cached and seen == [streamed.text] and fake_llm.calls["m1"] == 1


def test_stream_retries_and_gives_up_like_complete(fake_llm, fake_spec, tmp_path):
    fake_llm.inject("500", model="m1", calls=[1])
    completion, seen = stream(LLMClient(fake_spec("m1"), ResponseCache(tmp_path), **FAST))
    assert completion.attempts == 2 and seen[-1] == completion.text
    fake_llm.inject("401", model="m2", calls=[1])
    with pytest.raises(CallFailed, match="not retryable"):
        stream(LLMClient(fake_spec("m2"), ResponseCache(None), **FAST))

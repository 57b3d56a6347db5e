"""LLMClient against a real HTTP server: cache, retries, Retry-After, non-retryable errors, missing keys.

Also checks the fake server itself (CLI mode, faults), since every LLM test relies on it.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from codearena.llm.cache import ResponseCache
from codearena.llm.client import CallFailed, LLMClient, MissingAPIKey, call_counts, retry_after_s
from fake_llm_server import Fault

TESTS = Path(__file__).resolve().parent
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "print the first primes"}]
FAST = {"backoff_base_s": 0.01, "backoff_max_s": 0.05}


def complete(client: LLMClient, messages=MESSAGES, **overrides):
    return asyncio.run(client.complete(messages, **overrides))


def test_completion_fields_and_request_sent(fake_llm, fake_spec, tmp_path):
    spec = fake_spec("m1", temperature=0.3, max_tokens=50, extra={"top_p": 0.5})
    c = complete(LLMClient(spec, ResponseCache(tmp_path)))
    assert "```python" in c.text and c.cached is False and c.attempts == 1
    assert c.usage["prompt_tokens"] > 0 and c.usage["total_tokens"] == c.usage["prompt_tokens"] + c.usage["completion_tokens"]
    assert c.provider_model == "m1" and c.latency_s > 0 and len(c.request_hash) == 64
    body = fake_llm.requests("m1")[0]["body"]
    assert body["temperature"] == 0.3 and body["max_tokens"] == 50 and body["top_p"] == 0.5
    assert body["messages"] == MESSAGES


def test_cache_hit_makes_no_http_call(fake_llm, fake_spec, tmp_path):
    spec = fake_spec("m1")
    first = complete(LLMClient(spec, ResponseCache(tmp_path)))
    assert fake_llm.calls["m1"] == 1
    again = complete(LLMClient(spec, ResponseCache(tmp_path)))  # a new client, as in a rerun
    assert fake_llm.calls["m1"] == 1
    assert again.cached and again.attempts == 0 and again.text == first.text
    assert again.request_hash == first.request_hash and again.usage == first.usage
    # Judge-style overrides are part of the key: a different temperature is a different request.
    other = complete(LLMClient(spec, ResponseCache(tmp_path)), temperature=0.9)
    assert not other.cached and fake_llm.calls["m1"] == 2
    assert fake_llm.requests("m1")[-1]["body"]["temperature"] == 0.9
    assert call_counts()["m1"]["cache_hits"] >= 1


def test_429_retry_after_seconds_is_honoured(fake_llm, fake_spec, tmp_path):
    fake_llm.inject("429", model="m1", calls=[1], retry_after=1)
    client = LLMClient(fake_spec("m1"), ResponseCache(tmp_path), **FAST)
    started = time.monotonic()
    c = complete(client)
    waited = time.monotonic() - started
    assert c.attempts == 2 and fake_llm.calls["m1"] == 2 and fake_llm.faults["429"] == 1
    assert 1.0 <= waited < 3.0  # the backoff alone would have waited ~0.01 s


def test_503_retry_after_http_date_is_honoured(fake_llm, fake_spec, tmp_path):
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: waits 1-2 s
    fake_llm.inject("503", model="m1", calls=[1], retry_after=when)
    started = time.monotonic()
    c = complete(LLMClient(fake_spec("m1"), ResponseCache(tmp_path), **FAST))
    assert c.attempts == 2 and 0.9 <= time.monotonic() - started < 4.0


def test_retry_after_parsing_on_litellm_exceptions():
    import httpx
    import litellm

    def err(headers):
        resp = httpx.Response(429, headers=headers, request=httpx.Request("POST", "http://x/v1/chat/completions"))
        return litellm.RateLimitError("slow down", llm_provider="openai", model="m", response=resp)

    assert retry_after_s(err({"retry-after": "7"})) == 7.0
    assert retry_after_s(err({"retry-after": "0.25"})) == 0.25
    assert retry_after_s(err({"retry-after-ms": "1500", "retry-after": "9"})) == 1.5
    now = time.time()
    assert 29 <= retry_after_s(err({"retry-after": email.utils.formatdate(now + 30, usegmt=True)}), now=now) <= 30
    assert retry_after_s(err({"retry-after": "soon"})) is None
    assert retry_after_s(err({})) is None


@pytest.mark.parametrize("kind", ["500", "503", "malformed", "truncated", "empty"])
def test_transient_failures_are_retried(fake_llm, fake_spec, tmp_path, kind):
    fake_llm.inject(kind, model="m1", calls=[1, 2])
    c = complete(LLMClient(fake_spec("m1", max_retries=3), ResponseCache(tmp_path), **FAST))
    assert c.attempts == 3 and fake_llm.calls["m1"] == 3 and fake_llm.faults[kind] == 2
    assert "```" in c.text


def test_timeout_is_retried(fake_llm, fake_spec, tmp_path):
    fake_llm.inject("slow", model="m1", calls=[1], delay=2.5)
    c = complete(LLMClient(fake_spec("m1", timeout_s=1.0), ResponseCache(tmp_path), **FAST))
    assert c.attempts == 2 and fake_llm.calls["m1"] == 2


@pytest.mark.parametrize("kind", ["400", "401", "403", "404"])
def test_non_retryable_errors_fail_at_once(fake_llm, fake_spec, tmp_path, kind):
    fake_llm.inject(kind, model="m1", calls=[1])
    cache = ResponseCache(tmp_path)
    with pytest.raises(CallFailed) as info:
        complete(LLMClient(fake_spec("m1", max_retries=5), cache, **FAST))
    assert info.value.attempts == 1 and fake_llm.calls["m1"] == 1
    assert "not retryable" in info.value.reason and "\n" not in info.value.reason
    assert not list(tmp_path.iterdir())  # failures are never cached


def test_gives_up_after_max_retries(fake_llm, fake_spec, tmp_path):
    fake_llm.inject("500", model="m1", rate=1.0)
    with pytest.raises(CallFailed) as info:
        complete(LLMClient(fake_spec("m1", max_retries=2), ResponseCache(tmp_path), **FAST))
    assert info.value.attempts == 3 and fake_llm.calls["m1"] == 3
    assert "gave up after 3 attempts" in info.value.reason
    assert not list(tmp_path.iterdir())


def test_missing_key_names_the_variable_and_makes_no_call(fake_llm, fake_spec, tmp_path, monkeypatch):
    monkeypatch.delenv("CODEARENA_TEST_KEY", raising=False)
    spec = fake_spec("m1", api_key_env="CODEARENA_TEST_KEY")
    with pytest.raises(MissingAPIKey) as info:
        complete(LLMClient(spec, ResponseCache(tmp_path)))
    assert "CODEARENA_TEST_KEY" in str(info.value) and info.value.variable == "CODEARENA_TEST_KEY"
    assert fake_llm.calls["total"] == 0


def test_key_is_sent_as_bearer_token(fake_llm, fake_spec, tmp_path, monkeypatch):
    fake_llm.api_key = "sk-right"
    monkeypatch.setenv("CODEARENA_TEST_KEY", "sk-right")
    c = complete(LLMClient(fake_spec("m1", api_key_env="CODEARENA_TEST_KEY"), ResponseCache(tmp_path)))
    assert c.attempts == 1
    monkeypatch.setenv("CODEARENA_TEST_KEY", "sk-wrong")
    with pytest.raises(CallFailed, match="not retryable"):  # 401 from the server
        complete(LLMClient(fake_spec("m1", api_key_env="CODEARENA_TEST_KEY"), ResponseCache(None)))


def test_concurrency_is_bounded(fake_llm, fake_spec, tmp_path):
    lock, state = threading.Lock(), {"now": 0, "peak": 0}

    def slow_reply(request):
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return "```python\nprint(%d)\n```" % len(request["messages"][-1]["content"])

    fake_llm.script("m1", slow_reply)
    client = LLMClient(fake_spec("m1"), ResponseCache(tmp_path), concurrency=2)

    async def many():
        msgs = [[{"role": "user", "content": "x" * (i + 1)}] for i in range(6)]
        return await asyncio.gather(*(client.complete(m) for m in msgs))

    results = asyncio.run(many())
    assert [r.text for r in results] == ["```python\nprint(%d)\n```" % (i + 1) for i in range(6)]
    assert state["peak"] == 2


def test_multimodal_messages(fake_llm, fake_spec, tmp_path):
    png = "data:image/png;base64," + "iVBORw0KGgo" * 50
    messages = [
        {"role": "system", "content": "Judge. End with [[A>>B]], [[A>B]], [[A=B]], [[B>A]] or [[B>>A]]."},
        {"role": "user", "content": [
            {"type": "text", "text": "Assistant A's Answer: short"},
            {"type": "image_url", "image_url": {"url": png}},
            {"type": "text", "text": "Assistant B's Answer: a much longer answer " + "with detail " * 20},
        ]},
    ]
    c = complete(LLMClient(fake_spec("judge"), ResponseCache(tmp_path)), messages, max_tokens=64)
    assert c.text.rstrip().endswith("[[B>>A]]")
    sent = fake_llm.requests("judge")[0]["body"]["messages"][1]["content"]
    assert sent[1]["image_url"]["url"] == png
    assert complete(LLMClient(fake_spec("judge"), ResponseCache(tmp_path)), messages, max_tokens=64).cached


def test_scripted_replies_and_refusal(fake_llm, fake_spec, tmp_path):
    fake_llm.script("m1", [Fault("429", retry_after=0), "first", "second"])
    fake_llm.inject("refusal", model="m1", calls=[4])
    client = LLMClient(fake_spec("m1"), ResponseCache(None), **FAST)
    texts = [complete(client, [{"role": "user", "content": str(i)}]).text for i in range(3)]
    assert texts == ["first", "second", "I'm sorry, but I can't help with that request."]
    assert fake_llm.calls["m1"] == 4 and fake_llm.faults == {"429": 1, "refusal": 1}


def _post(url: str, body: dict):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status, dict(resp.headers), json.loads(resp.read())


def test_fake_server_cli_mode():
    proc = subprocess.Popen(
        [sys.executable, str(TESTS / "fake_llm_server.py"), "--port", "0", "--rate-429", "1", "--retry-after", "3"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        port = int(proc.stdout.readline())
        base = f"http://127.0.0.1:{port}/v1"
        with urllib.request.urlopen(base + "/models", timeout=5) as resp:
            assert json.loads(resp.read())["object"] == "list"
        with pytest.raises(urllib.error.HTTPError) as info:
            _post(base + "/chat/completions", {"model": "x", "messages": [{"role": "user", "content": "hi"}]})
        assert info.value.code == 429 and info.value.headers["Retry-After"] == "3"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "served 1 calls" in err


def test_fake_server_default_answers_are_deterministic(fake_llm):
    url = fake_llm.base_url + "/chat/completions"
    page = {"model": "x", "messages": [{"role": "user", "content": "Make a landing page for a bakery"}]}
    prog = {"model": "x", "messages": [{"role": "user", "content": "Compute the 10th Fibonacci number"}]}
    a, b = _post(url, page)[2], _post(url, page)[2]
    assert a["choices"][0]["message"]["content"] == b["choices"][0]["message"]["content"]
    assert "```html" in a["choices"][0]["message"]["content"]
    assert "```python" in _post(url, prog)[2]["choices"][0]["message"]["content"]
    assert a["usage"]["total_tokens"] == a["usage"]["prompt_tokens"] + a["usage"]["completion_tokens"]

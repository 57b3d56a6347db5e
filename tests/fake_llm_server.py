"""A fake OpenAI-compatible chat-completions server for tests and the offline demo.

Real HTTP (stdlib `ThreadingHTTPServer`), so litellm, timeouts, retries and connection pooling are
exercised exactly as with a provider. Use it in-process:

    with FakeLLMServer() as srv:
        srv.script("judge", ["[[A>B]]"])            # fixed replies, in order (the last one repeats)
        srv.inject("429", model="m", calls=[1, 2], retry_after=1)
        ... litellm.acompletion(model="openai/m", api_base=srv.base_url, api_key="sk-fake", ...)
        srv.calls["m"], srv.faults["429"]

or as a process: `python tests/fake_llm_server.py --port 0 [--rate-429 0.1 ...]` prints the port on
its first stdout line and serves until SIGTERM/SIGINT.

Replies are scripted per model (the request's `model` field). Unscripted models answer
deterministically: a judge request (system prompt mentions `[[A>>B]]`) gets a verdict line, any other
request a short explanation plus one fenced block (HTML for web-ish questions, Python otherwise).

Faults: "429", "500", "503" (status codes; 429/503 carry Retry-After when given), any other status code
("400", "401", "404", ...), "slow" (reply after `delay` seconds), "malformed" (200 with a body that is
not JSON), "truncated" (Content-Length larger than the body, then the connection closes), "empty"
(200 with no choices), "refusal" (a normal reply whose text declines). A fault fires on exact call
numbers (1-based, counted per model when `model` is given, else over all calls) or at a rate.

Every logged request says whether a reply was `delivered` (a whole 200 completion written to a client
still connected): a "slow" reply the client gave up on is not. `hold_after(n)` makes the server stop
answering after n more calls (later requests wait, as if the provider hung) until `release()`;
`release(drop=True)` ends the held requests without a reply (their client was killed meanwhile).

A request with `"stream": true` gets the reply as server-sent events (`chat.completion.chunk` objects,
a few words each, then `data: [DONE]`), with a final usage chunk when `stream_options.include_usage`
is set, as OpenAI does; `chunk_delay_s` spaces the chunks out so a client can be seen streaming.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import select
import signal
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterable

VERDICTS = ("A>>B", "A>B", "A=B", "B>A", "B>>A")
REFUSAL = "I'm sorry, but I can't help with that request."
STATUS_FAULTS = {"429": 429, "500": 500, "503": 503}


@dataclass
class Fault:
    """One injected failure. Put it in a model's reply list, or register it with `inject()`."""

    kind: str
    retry_after: str | float | None = None  # seconds, or an HTTP date string
    delay: float = 0.0  # for "slow"
    message: str | None = None  # the error message of a status fault (default "injected <status>")

    def __post_init__(self) -> None:
        known = {"slow", "malformed", "truncated", "empty", "refusal"}
        if self.kind not in known and not re.fullmatch(r"[1-5]\d\d", self.kind):
            raise ValueError(f"unknown fault kind {self.kind!r} (a status code or one of {sorted(known)})")


@dataclass
class _Rule:
    fault: Fault
    model: str | None
    calls: frozenset[int] | None
    rate: float


Reply = str | Fault
Script = Callable[[dict], Reply] | list[Reply]


def text_of(content) -> str:
    """The text of a message content (a string, or a list of parts in the multimodal form)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return ""


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def default_answer(request: dict) -> str:
    """A deterministic answer with one working fenced block, chosen from the user's text."""
    messages = request.get("messages", [])
    user = text_of(messages[-1].get("content")) if messages else ""
    model = str(request.get("model", "model"))
    tag = _digest(model + "\n" + user)
    if re.search(r"\b(html|web ?page|website|landing page|css|button|browser)\b", user, re.IGNORECASE):
        return (
            "Here is a self-contained page that shows the result.\n\n"
            "```html\n<!DOCTYPE html>\n<html>\n<head><title>Demo</title>\n"
            "<style>body{font-family:sans-serif;background:#1e293b;color:#f8fafc;padding:2rem}</style>\n"
            "</head>\n<body>\n"
            f"<h1>Answer {tag}</h1>\n<p id=\"out\"></p>\n"
            f"<script>document.getElementById('out').textContent = 'rendered by {model}';</script>\n"
            "</body>\n</html>\n```\n"
        )
    return (
        "The program below computes a small result and prints it.\n\n"
        "```python\n"
        "def main():\n"
        f"    values = [int(c, 16) for c in '{tag}']\n"
        f"    print('answer {tag}:', sum(values))\n\n\n"
        "if __name__ == '__main__':\n    main()\n```\n"
    )


def default_verdict(request: dict) -> str:
    """A deterministic judge reply: the longer answer wins, so swapping positions mirrors the verdict."""
    messages = request.get("messages", [])
    user = "\n".join(text_of(m.get("content")) for m in messages if m.get("role") == "user")
    a_at, b_at = user.find("Assistant A"), user.find("Assistant B")
    if 0 <= a_at < b_at:
        len_a, len_b = len(user[a_at:b_at]), len(user[b_at:])
        if abs(len_a - len_b) <= 20:
            label = "A=B"
        elif len_a > len_b:
            label = "A>>B" if len_a > 2 * len_b else "A>B"
        else:
            label = "B>>A" if len_b > 2 * len_a else "B>A"
    else:
        label = VERDICTS[int(_digest(user), 16) % len(VERDICTS)]
    return f"Both answers were compared on their output and code.\n\nMy final verdict is: [[{label}]]"


def is_judge_request(request: dict) -> bool:
    return any(m.get("role") == "system" and "[[A>>B]]" in text_of(m.get("content")) for m in request.get("messages", []))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default of 5 resets connections under 32 concurrent clients
    allow_reuse_address = True


class FakeLLMServer:
    """An OpenAI chat-completions endpoint on 127.0.0.1 with scripted replies and fault injection."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        scripts: dict[str, Script] | None = None,
        seed: int = 0,
        api_key: str | None = None,
        chunk_delay_s: float = 0.0,
    ) -> None:
        self._lock = threading.Lock()
        self.chunk_delay_s = chunk_delay_s  # pause between streamed chunks
        self._scripts: dict[str, Script] = dict(scripts or {})
        self._positions: Counter = Counter()  # next index into each list script
        self._rules: list[_Rule] = []
        self._rng = random.Random(seed)
        self._calls: Counter = Counter()
        self._faults: Counter = Counter()
        self._log: list[dict] = []
        self._gate = threading.Condition()  # hold_after()/release()
        self._hold_after: int | None = None
        self._admitted = 0
        self._held = 0
        self._generation = 0
        self._drop = False
        self.api_key = api_key
        self._httpd = _Server((host, port), self._handler_class())
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://{self._httpd.server_address[0]}:{self.port}/v1"

    def start(self) -> "FakeLLMServer":
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-llm", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> "FakeLLMServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- configuration (safe while serving) ------------------------------------------------------
    def script(self, model: str, replies: Script) -> None:
        """Replies for `model`: a callable(request) -> text | Fault, or a list used in order (the last repeats)."""
        with self._lock:
            self._scripts[model] = replies if callable(replies) else list(replies)
            self._positions[model] = 0

    def inject(
        self,
        kind: str,
        *,
        model: str | None = None,
        calls: Iterable[int] | None = None,
        rate: float = 0.0,
        retry_after: str | float | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make `kind` happen on call numbers `calls` (1-based, per model if `model`) or at `rate`."""
        if calls is None and not rate:
            raise ValueError("inject() needs calls=[...] or rate>0")
        rule = _Rule(Fault(kind, retry_after, delay), model, frozenset(calls) if calls is not None else None, rate)
        with self._lock:
            self._rules.append(rule)

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()

    def hold_after(self, n: int) -> None:
        """Answer `n` more calls, then hold every further request (unanswered) until `release()`."""
        with self._gate:
            self._hold_after, self._admitted = n, 0

    def release(self, drop: bool = False) -> None:
        """Answer requests again; with `drop`, the held ones are closed without a reply."""
        with self._gate:
            self._hold_after, self._drop = None, drop
            self._generation += 1
            self._gate.notify_all()

    @property
    def held(self) -> int:
        """Requests waiting for `release()`."""
        with self._gate:
            return self._held

    def _admit(self) -> bool:
        """Wait while held; False if the request was dropped by `release(drop=True)`."""
        with self._gate:
            generation = self._generation
            if self._hold_after is not None and self._admitted >= self._hold_after:
                self._held += 1
                while self._generation == generation:
                    self._gate.wait()
                self._held -= 1
                if self._drop:
                    return False
            self._admitted += 1
            return True

    # -- observation -----------------------------------------------------------------------------
    @property
    def calls(self) -> Counter:
        """Chat-completion requests received, per model, plus the key "total" (a snapshot)."""
        with self._lock:
            snap = Counter(self._calls)
        snap["total"] = sum(v for k, v in snap.items() if k != "total")
        return snap

    @property
    def faults(self) -> Counter:
        """Faults served, per kind (a snapshot)."""
        with self._lock:
            return Counter(self._faults)

    def requests(self, model: str | None = None) -> list[dict]:
        """Every chat-completion request received (model, call number, outcome, delivered, arrival time,
        parsed body), in order."""
        with self._lock:
            return [dict(r) for r in self._log if model is None or r["model"] == model]

    # -- request handling ------------------------------------------------------------------------
    def _decide(self, body: dict) -> tuple[int, Fault | None, str | None]:
        """Count the call and pick its outcome: (call number, fault or None, reply text or None)."""
        model = str(body.get("model", ""))
        with self._lock:
            self._calls[model] += 1
            n_model = self._calls[model]
            n_total = sum(self._calls.values())
            fault = None
            for rule in self._rules:
                if rule.model is not None and rule.model != model:
                    continue
                n = n_model if rule.model is not None else n_total
                if (rule.calls is not None and n in rule.calls) or (rule.rate and self._rng.random() < rule.rate):
                    fault = rule.fault
                    break
            if fault is not None and fault.kind != "slow":
                return n_model, fault, None  # the script is not consumed: the reply is still owed
            script = self._scripts.get(model)
            reply: Reply | None = None
            if isinstance(script, list) and script:
                i = min(self._positions[model], len(script) - 1)
                self._positions[model] += 1
                reply = script[i]
        if callable(script):
            reply = script(body)
        if reply is None:
            reply = default_verdict(body) if is_judge_request(body) else default_answer(body)
        if isinstance(reply, Fault):  # scripted fault; a scripted "slow" still owes a default reply
            default = default_verdict(body) if is_judge_request(body) else default_answer(body)
            return n_model, reply, default if reply.kind == "slow" else None
        return n_model, fault, reply

    def _record(self, model: str, n: int, outcome: str, body: dict) -> dict:
        entry = {"model": model, "call": n, "outcome": outcome, "delivered": False, "time": time.time(), "body": body}
        with self._lock:
            self._log.append(entry)
            if outcome != "ok":
                self._faults[outcome] += 1
        return entry

    def _delivered(self, entry: dict) -> None:
        with self._lock:
            entry["delivered"] = True

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as providers do
            disable_nagle_algorithm = True  # else headers and body wait ~40 ms for a delayed ACK

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, payload: bytes, headers: dict | None = None, length: int | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload) if length is None else length))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def _error(self, status: int, message: str, headers: dict | None = None) -> None:
                err = {"error": {"message": message, "type": "fake_error", "code": str(status)}}
                self._send(status, json.dumps(err).encode(), headers)

            def do_GET(self) -> None:
                if self.path.rstrip("/") != "/v1/models":
                    return self._error(404, f"no route {self.path}")
                with server._lock:
                    names = sorted(set(server._scripts) | {k for k in server._calls})
                data = [{"id": n, "object": "model", "created": 0, "owned_by": "fake"} for n in names]
                self._send(200, json.dumps({"object": "list", "data": data}).encode())

            def _client_gone(self) -> bool:
                """The client closed the connection (e.g. it timed out while a slow reply waited)."""
                try:
                    readable, _, _ = select.select([self.connection], [], [], 0)
                    return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if not server._admit():
                    self.close_connection = True  # dropped while held: no reply at all
                    return
                if self.path.rstrip("/") != "/v1/chat/completions":
                    return self._error(404, f"no route {self.path}")
                if server.api_key and self.headers.get("Authorization") != f"Bearer {server.api_key}":
                    return self._error(401, "invalid api key")
                try:
                    body = json.loads(raw)
                    assert isinstance(body, dict) and isinstance(body.get("messages"), list)
                except (ValueError, AssertionError):
                    return self._error(400, "body must be a JSON object with a messages list")
                model = str(body.get("model", ""))
                n, fault, text = server._decide(body)
                entry = server._record(model, n, fault.kind if fault else "ok", body)
                if fault is None:
                    return self._reply(body, text, entry)
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                    if self._client_gone():
                        self.close_connection = True  # a timeout on the client's side: nothing delivered
                        return
                    return self._reply(body, text, entry)
                self._fault(fault, body, entry)

            def _reply(self, body: dict, text: str, entry: dict) -> None:
                prompt_words = sum(len(text_of(m.get("content")).split()) for m in body["messages"])
                completion_words = len(text.split())
                if body.get("stream"):
                    usage = {"prompt_tokens": prompt_words, "completion_tokens": completion_words,
                             "total_tokens": prompt_words + completion_words}
                    return self._stream(body, text, usage, entry)
                resp = {
                    "id": "chatcmpl-" + _digest(text + str(time.time_ns())),
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model"),
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                    "usage": {
                        "prompt_tokens": prompt_words,
                        "completion_tokens": completion_words,
                        "total_tokens": prompt_words + completion_words,
                    },
                }
                try:
                    self._send(200, json.dumps(resp).encode())
                    self.wfile.flush()
                except OSError:
                    self.close_connection = True
                    return
                server._delivered(entry)

            def _stream(self, body: dict, text: str, usage: dict, entry: dict) -> None:
                """The reply as server-sent events; the connection closes after `[DONE]` (no length)."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                base = {"id": "chatcmpl-" + _digest(text + str(time.time_ns())), "object": "chat.completion.chunk",
                        "created": int(time.time()), "model": body.get("model")}
                pieces = re.findall(r"\S*\s*", text)[:-1] or [text]
                pieces = ["".join(pieces[i:i + 4]) for i in range(0, len(pieces), 4)]  # ~4 words a chunk
                deltas = [{"role": "assistant", "content": ""}] + [{"content": p} for p in pieces]
                events = [{**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas]
                events.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
                if (body.get("stream_options") or {}).get("include_usage"):
                    events.append({**base, "choices": [], "usage": usage})
                try:
                    for i, event in enumerate(events):
                        if i and server.chunk_delay_s:
                            time.sleep(server.chunk_delay_s)
                        self.wfile.write(b"data: " + json.dumps(event).encode() + b"\n\n")
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client stopped reading
                server._delivered(entry)

            def _fault(self, fault: Fault, body: dict, entry: dict) -> None:
                if fault.kind == "refusal":
                    return self._reply(body, REFUSAL, entry)
                if fault.kind == "malformed":
                    return self._send(200, b'{"id": "chatcmpl-x", "choices": [{"message": ')
                if fault.kind == "empty":
                    resp = {"id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": body.get("model"), "choices": []}
                    return self._send(200, json.dumps(resp).encode())
                if fault.kind == "truncated":
                    payload = b'{"id": "chatcmpl-x", "object": "chat.completion", "choices": [{"index": 0, "mess'
                    self._send(200, payload, length=len(payload) + 500)
                    self.close_connection = True
                    return
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else None
                self._error(int(fault.kind), fault.message or f"injected {fault.kind}", headers)

        return Handler


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Fake OpenAI chat-completions server (prints its port).")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--api-key", default=None, help="require this bearer token (else any)")
    for kind in ("429", "500", "503", "malformed", "truncated", "empty", "refusal", "slow"):
        ap.add_argument(f"--rate-{kind}", type=float, default=0.0, help=f"fraction of calls that get {kind}")
    ap.add_argument("--retry-after", default=None, help="Retry-After value sent with 429/503")
    ap.add_argument("--delay", type=float, default=1.0, help="seconds a 'slow' reply waits")
    args = ap.parse_args(argv)

    srv = FakeLLMServer(args.host, args.port, seed=args.seed, api_key=args.api_key)
    for kind in ("429", "500", "503", "malformed", "truncated", "empty", "refusal", "slow"):
        rate = getattr(args, f"rate_{kind}")
        if rate:
            retry_after = args.retry_after if kind in ("429", "503") else None
            srv.inject(kind, rate=rate, retry_after=retry_after, delay=args.delay)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with srv:
        print(srv.port, flush=True)
        stop.wait()
    print(f"served {srv.calls['total']} calls; faults: {dict(srv.faults)}", file=sys.stderr)


if __name__ == "__main__":
    main()

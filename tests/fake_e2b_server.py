"""A fake of E2B's cloud at the SDK's HTTP boundary: its control plane and the sandboxes' envd in one
local HTTP server, speaking the protocol the `e2b` SDK speaks.

* control plane (E2B_API_URL), JSON, `X-API-KEY` checked: `POST /v2/sandboxes` (create from a known
  template), `GET /v2/sandboxes` (list), `DELETE /sandboxes/{id}` (kill);
* envd (E2B_SANDBOX_URL; the sandbox is named by the `E2b-Sandbox-Id` header, the `X-Access-Token`
  that creation returned is checked): `GET /health`, `POST /files` (octet-stream upload) and `GET /files`
  (download), and the Connect RPC service `process.Process` (Start as a server stream, SendInput,
  CloseStdin, SendSignal, List), served by the connectrpc WSGI application generated in the SDK itself,
  so messages and envelopes are the real ones.

Each sandbox is a directory laid out like the template (sandbox/e2b/): its /sandbox, /tmp and
/home/user, the sandbox Python at /opt/venv and the repository's sandbox/ files at /opt/codearena.
Commands really run there, in bubblewrap as uid 1000 with no network (the template's user), so the
backend's command lines, uploads and downloads are exercised for real. Test helper, not a sandbox.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from connectrpc.code import Code
from connectrpc.errors import ConnectError
from e2b.envd.process import process_connect, process_pb
from protobuf import Oneof

from codearena.sandbox.local import python_binds, sandbox_python

REPO = Path(__file__).resolve().parents[1]
ENVD_VERSION = "0.5.7"  # octet-stream uploads, stdin and close_stdin, default user
PATHS = {"/sandbox": "sandbox", "/tmp": "tmp", "/home/user": "home"}  # sandbox path -> directory in its root


class _Quiet(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Limited:
    """`wsgi.input` that ends at Content-Length (wsgiref hands over the raw socket, and connectrpc
    reads request bodies to their end)."""

    def __init__(self, stream, length: int):
        self.stream, self.left = stream, length

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.stream.read(n)
        self.left -= len(data)
        return data


class _Chunked:
    """`wsgi.input` of a chunked request (the SDK streams RPC requests): wsgiref does not decode it."""

    def __init__(self, stream):
        self.stream, self.buffer, self.done = stream, b"", False

    def read(self, n: int = -1) -> bytes:
        while not self.done and (n is None or n < 0 or len(self.buffer) < n):
            size = int(self.stream.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.stream.readline() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                self.done = True
                break
            self.buffer += self.stream.read(size)
            self.stream.readline()  # the CRLF after each chunk
        if n is None or n < 0:
            n = len(self.buffer)
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data


class FakeSandbox:
    def __init__(self, template: str, root: Path, internet: bool):
        self.id = "sbx" + uuid.uuid4().hex[:12]
        self.template = template
        self.token = secrets.token_hex(16)
        self.root = root
        self.internet = internet
        self.processes: dict[int, subprocess.Popen] = {}
        self.configs: dict[int, process_pb.ProcessConfig] = {}
        for d in PATHS.values():
            (root / d).mkdir(parents=True)

    def host_path(self, path: str) -> Path | None:
        """Where a sandbox path lives in this fake (None: outside the writable part)."""
        path = os.path.normpath(path)
        for inside, d in PATHS.items():
            if path == inside or path.startswith(inside + "/"):
                return self.root / d / os.path.relpath(path, inside)
        return None

    def bwrap(self, config: process_pb.ProcessConfig) -> list[str]:
        args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-user", "--unshare-pid", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--uid", "1000", "--gid", "1000", "--hostname", "e2b"]
        if not self.internet:
            args.append("--unshare-net")
        args += ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc", "--proc", "/proc", "--dev", "/dev"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64"):
            top = Path("/") / name
            if top.is_symlink():
                args += ["--symlink", os.readlink(top), str(top)]
            elif top.is_dir():
                args += ["--ro-bind", str(top), str(top)]
        for inside, d in PATHS.items():
            args += ["--bind", str(self.root / d), inside]
        python = sandbox_python()
        for d in python_binds(python):
            args += ["--ro-bind", str(d), str(d)]
        args += ["--ro-bind", str(python.parent.parent), "/opt/venv",
                 "--ro-bind", str(REPO / "sandbox"), "/opt/codearena"]
        args += ["--chdir", config.cwd if config.has_field("cwd") and config.cwd else "/home/user", "--clearenv"]
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/user", "USER": "user", "LOGNAME": "user"}
        env.update(dict(config.envs))
        for key, value in env.items():
            args += ["--setenv", key, value]
        return args + ["--", config.cmd, *config.args]

    def kill_all(self) -> None:
        for proc in list(self.processes.values()):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                proc.wait()


class _Process(process_connect.ProcessSync):
    """The process.Process service of one fake: which sandbox a call is for comes from its headers.
    Calls the backend does not use (Connect, Update, StreamInput) answer UNIMPLEMENTED, as inherited."""

    def __init__(self, fake: "FakeE2B"):
        self.fake = fake

    def _sandbox(self, ctx) -> FakeSandbox:
        sandbox_id = ctx.request_headers.get("e2b-sandbox-id", "")
        sandbox = self.fake.sandboxes.get(sandbox_id)
        if sandbox is None:
            raise ConnectError(Code.NOT_FOUND, f"sandbox {sandbox_id} not found")
        return sandbox

    @staticmethod
    def _event(**kw) -> process_pb.StartResponse:
        (field, value), = kw.items()
        return process_pb.StartResponse(event=process_pb.ProcessEvent(event=Oneof(field, value)))

    def start(self, request, ctx):
        sandbox = self._sandbox(ctx)
        config = request.process
        proc = subprocess.Popen(sandbox.bwrap(config), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.PIPE if request.stdin else subprocess.DEVNULL, start_new_session=True)
        sandbox.processes[proc.pid] = proc
        sandbox.configs[proc.pid] = config
        yield self._event(start=process_pb.ProcessEvent.StartEvent(pid=proc.pid))
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
        sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
        try:
            while sel.get_map():
                for key, _ in sel.select(timeout=1):
                    data = os.read(key.fd, 65536)
                    if not data:
                        sel.unregister(key.fileobj)
                        continue
                    yield self._event(data=process_pb.ProcessEvent.DataEvent(output=Oneof(key.data, data)))
            rc = proc.wait()
        finally:
            sel.close()
            proc.stdout.close()
            proc.stderr.close()
            sandbox.configs.pop(proc.pid, None)
        if rc < 0:  # as envd (Go's ProcessState): a signal gives exit code -1
            end = process_pb.ProcessEvent.EndEvent(exit_code=-1, exited=False,
                                                   status=f"signal: {signal.Signals(-rc).name.lower()[3:]}")
        else:
            end = process_pb.ProcessEvent.EndEvent(exit_code=rc, exited=True, status=f"exit status {rc}")
        yield self._event(end=end)

    def _proc(self, sandbox: FakeSandbox, selector) -> subprocess.Popen:
        match selector.selector if selector is not None else None:
            case Oneof(field="pid", value=pid) if pid in sandbox.processes:
                return sandbox.processes[pid]
        raise ConnectError(Code.NOT_FOUND, "process not found")

    def send_input(self, request, ctx):
        proc = self._proc(self._sandbox(ctx), request.process)
        match request.input.input if request.input is not None else None:
            case Oneof(field="stdin", value=data):
                if proc.stdin is None or proc.stdin.closed:
                    raise ConnectError(Code.FAILED_PRECONDITION, "stdin is closed")
                try:
                    proc.stdin.write(data)
                    proc.stdin.flush()
                except BrokenPipeError:
                    pass
        return process_pb.SendInputResponse()

    def close_stdin(self, request, ctx):
        proc = self._proc(self._sandbox(ctx), request.process)
        if proc.stdin is not None and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except BrokenPipeError:
                pass
        return process_pb.CloseStdinResponse()

    def send_signal(self, request, ctx):
        proc = self._proc(self._sandbox(ctx), request.process)
        sig = signal.SIGKILL if int(request.signal) == 9 else signal.SIGTERM
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            pass
        return process_pb.SendSignalResponse()

    def list(self, request, ctx):
        sandbox = self._sandbox(ctx)
        return process_pb.ListResponse(processes=[
            process_pb.ProcessInfo(config=config, pid=pid) for pid, config in sandbox.configs.items()])


class FakeE2B:
    def __init__(self, *, api_key: str = "e2b_" + "0" * 40, templates: tuple[str, ...] = ("codearena-sandbox",)):
        self.api_key = api_key
        self.templates = set(templates)
        self.sandboxes: dict[str, FakeSandbox] = {}
        self.killed: list[str] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self._dir: Path | None = None  # the sandboxes' directories, made on __enter__
        self._process_app = process_connect.ProcessWSGIApplication(_Process(self))
        self._server = make_server("127.0.0.1", 0, self._app, server_class=_Server, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread: threading.Thread | None = None

    def env(self) -> dict[str, str]:
        """The environment that points the SDK here."""
        return {"E2B_API_URL": self.url, "E2B_SANDBOX_URL": self.url, "E2B_API_KEY": self.api_key}

    def __enter__(self) -> "FakeE2B":
        self._dir = Path(tempfile.mkdtemp(prefix="fake-e2b-"))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        for sandbox in self.sandboxes.values():
            sandbox.kill_all()
        shutil.rmtree(self._dir, ignore_errors=True)

    # -- HTTP ---------------------------------------------------------------------------------------
    @staticmethod
    def _json(start_response, status: str, body) -> list[bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        headers = [("Content-Length", str(len(data)))]
        if body is not None:
            headers.append(("Content-Type", "application/json"))
        start_response(status, headers)
        return [data]

    def _app(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
        self.requests.append((method, path))
        if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            environ["wsgi.input"] = _Chunked(environ["wsgi.input"])
        else:
            environ["wsgi.input"] = _Limited(environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0))
        sandbox_id = environ.get("HTTP_E2B_SANDBOX_ID")
        if sandbox_id is not None:
            return self._envd(sandbox_id, environ, start_response)
        if environ.get("HTTP_X_API_KEY") != self.api_key:
            return self._json(start_response, "401 Unauthorized", {"code": 401, "message": "Invalid API key"})
        if method == "POST" and path == "/v2/sandboxes":
            return self._create(json.loads(environ["wsgi.input"].read() or b"{}"), start_response)
        if method == "GET" and path == "/v2/sandboxes":
            return self._json(start_response, "200 OK", [])
        if method == "DELETE" and (m := re.fullmatch(r"/sandboxes/([\w-]+)", path)):
            sandbox = self.sandboxes.pop(m.group(1), None)
            if sandbox is None:
                return self._json(start_response, "404 Not Found", {"code": 404, "message": "sandbox not found"})
            sandbox.kill_all()
            shutil.rmtree(sandbox.root, ignore_errors=True)
            self.killed.append(sandbox.id)
            return self._json(start_response, "204 No Content", None)
        return self._json(start_response, "404 Not Found", {"code": 404, "message": f"no route {method} {path}"})

    def _create(self, body: dict, start_response):
        template = body.get("templateID")
        if template not in self.templates:
            return self._json(start_response, "404 Not Found",
                              {"code": 404, "message": f"template '{template}' not found"})
        root = self._dir / uuid.uuid4().hex[:8]
        sandbox = FakeSandbox(template, root, internet=body.get("allow_internet_access", True) is not False)
        self.sandboxes[sandbox.id] = sandbox
        return self._json(start_response, "201 Created", {
            "templateID": template, "sandboxID": sandbox.id, "clientID": "fake", "envdVersion": ENVD_VERSION,
            "envdAccessToken": sandbox.token, "domain": "fake.e2b.test"})

    def _envd(self, sandbox_id: str, environ, start_response):
        sandbox = self.sandboxes.get(sandbox_id)
        if sandbox is None:
            return self._json(start_response, "502 Bad Gateway",
                              {"code": 502, "message": f"The sandbox {sandbox_id} was not found"})
        if environ.get("HTTP_X_ACCESS_TOKEN") != sandbox.token:
            return self._json(start_response, "401 Unauthorized", {"code": 401, "message": "invalid access token"})
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/health":
            return self._json(start_response, "204 No Content", None)
        if path.startswith("/process.Process/"):
            return self._process_app(environ, start_response)
        if path == "/files":
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            target = sandbox.host_path(query.get("path", ""))
            if target is None:
                return self._json(start_response, "403 Forbidden",
                                  {"code": 403, "message": f"{query.get('path')}: read-only file system"})
            if method == "POST":
                if not environ.get("CONTENT_TYPE", "").startswith("application/octet-stream"):
                    return self._json(start_response, "400 Bad Request",
                                      {"code": 400, "message": "this fake takes octet-stream uploads only"})
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(environ["wsgi.input"].read())
                return self._json(start_response, "200 OK",
                                  [{"name": target.name, "type": "file", "path": query["path"]}])
            if method == "GET":
                if not target.is_file():
                    return self._json(start_response, "404 Not Found",
                                      {"code": 404, "message": f"path '{query['path']}' does not exist"})
                data = target.read_bytes()
                start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                          ("Content-Length", str(len(data)))])
                return [data]
        return self._json(start_response, "404 Not Found", {"code": 404, "message": f"no route {method} {path}"})

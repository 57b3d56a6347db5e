"""The e2b backend: the same interface on E2B's cloud sandboxes, through the `e2b` SDK.

Each run gets a fresh sandbox of the project's template (sandbox/e2b/: the docker image's layout, so
runners see the same paths: /opt/venv/bin/python, /opt/codearena/<runner files>, work dir /sandbox),
created without internet access. The work directory goes up as one tar archive and comes back the
same way (three requests instead of one per file). The program runs as the template's user under
`env -i` (the environment is exactly the one given, as with bwrap's --clearenv: the SDK's login
shell would reset PATH), `timeout -s KILL` (the wall clock, inside the sandbox) and `prlimit` (the
local backend's rlimits, plus RLIMIT_NPROC for the process cap: there is no pids cgroup to set). The
sandbox is killed afterwards, and its own lifetime (wall clock plus a margin) ends it if we cannot.

Errors are made clear up front: `check()` fails without E2B_API_KEY, when E2B cannot be reached
(the SDK raises transport errors that are not e2b exceptions, e.g. httpx.ConnectError) and when the
template does not exist. A server app's `url` is the sandbox's public host for its port (E2B's proxy);
`netns` is None: the browser reaches it over the internet.

The SDK reads E2B_API_URL / E2B_SANDBOX_URL / E2B_DOMAIN; tests point them at tests/fake_e2b_server.py.
"""

from __future__ import annotations

import io
import logging
import math
import os
import shlex
import signal
import tarfile
import threading
import time
from pathlib import Path

from .base import (WORKDIR, Backend, Limits, ProcessResult, SandboxError, SandboxUnavailable, Server,
                   sandbox_environment)

log = logging.getLogger(__name__)

PYTHON_INSIDE = "/opt/venv/bin/python"
USER = "user"  # the template's default user (E2B's convention)
IN_TAR = "/tmp/codearena-in.tar"
OUT_TAR = "/tmp/codearena-out.tar"
LIFE_MARGIN_S = 60  # the sandbox outlives its command by this much, then E2B ends it
MAX_DOWNLOAD_MB = 256  # the work directory is not copied back beyond this (a program can fill a disk)
KEY_FIX = "set E2B_API_KEY (https://e2b.dev/dashboard?tab=keys) or choose another execution.backend"


def _transport_error(e: BaseException) -> bool:
    """The SDK's own exceptions are e2b.exceptions.*; a network failure surfaces as a transport error
    of httpx or pyqwest (or the builtin ConnectionError/TimeoutError) instead."""
    names = {cls.__module__.split(".")[0] for cls in type(e).__mro__}
    return bool(names & {"httpx", "httpcore", "pyqwest"}) or isinstance(e, OSError)


def _tar_dir(path: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for child in sorted(path.iterdir()):
            tar.add(child, arcname=child.name)
    return buf.getvalue()


def _untar_into(data: bytes, dest: Path) -> list[str]:
    """Unpack what the program left in the work dir; members tarfile's `data` filter refuses (absolute
    paths, `..`, links leaving dest, devices) are skipped and named."""
    skipped = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
        for member in tar:
            if member.name in (".", "./"):
                continue
            try:
                tar.extract(member, dest, filter="data")
            except (tarfile.FilterError, OSError) as e:
                skipped.append(f"{member.name} ({type(e).__name__})")
    return skipped


class _Output:
    """stdout/stderr as they arrive, capped like the other backends (head and tail kept)."""

    def __init__(self, cap: int):
        from .local import _Capture

        self.out, self.err = _Capture(cap), _Capture(cap)

    def on_stdout(self, text: str) -> None:
        self.out.feed(text.encode("utf-8", "surrogateescape"))

    def on_stderr(self, text: str) -> None:
        self.err.feed(text.encode("utf-8", "surrogateescape"))


class E2BBackend(Backend):
    name = "e2b"

    def __init__(self, *, template: str = "codearena-sandbox", domain: str | None = None,
                 request_timeout_s: float = 60, api_key: str | None = None, python: str = PYTHON_INSIDE):
        """`template`: the E2B template built from sandbox/e2b/; `domain`: E2B's domain (default
        E2B_DOMAIN or e2b.app); `api_key`: default E2B_API_KEY."""
        self.template = template
        self.domain = domain
        self.request_timeout_s = request_timeout_s
        self._api_key = api_key
        self._python = python

    # -- connection -------------------------------------------------------------------------------
    def _sdk(self):
        try:
            import e2b
        except ImportError as e:
            raise SandboxUnavailable("the e2b SDK is not installed; `pip install 'codearena[e2b]'`") from e
        return e2b

    def _opts(self) -> dict:
        key = self._api_key or os.environ.get("E2B_API_KEY")
        if not key:
            raise SandboxUnavailable(f"the e2b backend needs an API key: {KEY_FIX}")
        opts = {"api_key": key, "request_timeout": self.request_timeout_s}
        if self.domain:
            opts["domain"] = self.domain
        return opts

    def api_url(self) -> str:
        e2b = self._sdk()
        return e2b.ConnectionConfig(domain=self.domain).api_url  # E2B_API_URL, else https://api.<domain>

    def _fail(self, e: BaseException, doing: str) -> SandboxError:
        """One clear error for whatever the SDK raised while `doing`."""
        e2b = self._sdk()
        if isinstance(e, e2b.AuthenticationException):
            return SandboxUnavailable(f"E2B refused the API key while {doing}: {e}; {KEY_FIX}")
        if _transport_error(e):
            return SandboxUnavailable(f"cannot reach E2B at {self.api_url()} while {doing} "
                                      f"({type(e).__name__}: {e}); check the network (or E2B_DOMAIN / E2B_API_URL)")
        not_found = isinstance(e, e2b.NotFoundException) or getattr(e, "status_code", None) == 404
        if not_found and "creating" in doing:  # the API answers an unknown template with a plain 404
            return SandboxUnavailable(f"E2B has no template {self.template!r} ({e}); build it from sandbox/e2b/ "
                                      "(`e2b template create`, see sandbox/e2b/README.md) or set execution.e2b.template")
        return SandboxError(f"E2B failed while {doing}: {type(e).__name__}: {e}")

    def check(self) -> None:
        """No key, no network, no template: each fails here, before the first sample, with the fix."""
        e2b = self._sdk()
        opts = self._opts()
        try:
            e2b.Sandbox.list(limit=1, **opts).next_items()
        except Exception as e:  # noqa: BLE001  (network failures are not e2b exceptions)
            raise self._fail(e, "listing sandboxes") from e
        sandbox = self._create(limits=Limits(wall_s=10), network=False)
        self._kill(sandbox)

    def _create(self, *, limits: Limits, network: bool):
        e2b = self._sdk()
        try:
            return e2b.Sandbox.create(template=self.template, timeout=math.ceil(limits.wall_s) + LIFE_MARGIN_S,
                                      allow_internet_access=network, metadata={"app": "codearena"}, **self._opts())
        except SandboxUnavailable:
            raise
        except Exception as e:  # noqa: BLE001
            raise self._fail(e, f"creating a sandbox of template {self.template!r}") from e

    @staticmethod
    def _kill(sandbox) -> None:
        try:
            sandbox.kill()
        except Exception as e:  # noqa: BLE001  (its lifetime ends it anyway)
            log.warning("could not kill E2B sandbox %s: %s", getattr(sandbox, "sandbox_id", "?"), e)

    # -- what runners see -------------------------------------------------------------------------
    def python(self) -> str:
        return self._python

    # -- commands ---------------------------------------------------------------------------------
    def command(self, argv: list[str], limits: Limits, env: dict[str, str] | None, wall: bool = True) -> str:
        """The shell command for `argv` in the sandbox: clean environment, wall clock, rlimits."""
        environment = sandbox_environment(str(Path(self._python).parent), env)
        words = ["env", "-i", *(f"{k}={v}" for k, v in environment.items())]
        if wall:
            words += ["timeout", "-s", "KILL", f"{limits.wall_s:g}"]
        words += [*limits.prlimit(f"--nproc={limits.max_processes}"), "--", *argv]
        return shlex.join(words)

    def _shell(self, sandbox, cmd: str, doing: str) -> str:
        """A set-up command of ours (not the sample's); its failure is a SandboxError."""
        e2b = self._sdk()
        try:
            return sandbox.commands.run(cmd, user=USER, timeout=120).stdout
        except e2b.CommandExitException as e:
            raise SandboxError(f"E2B: {doing} failed (exit {e.exit_code}): {e.stderr.strip()[-2000:]}") from e
        except Exception as e:  # noqa: BLE001
            raise self._fail(e, doing) from e

    def _upload(self, sandbox, workdir: Path) -> None:
        try:
            sandbox.files.write(IN_TAR, _tar_dir(workdir), user=USER, use_octet_stream=True)
        except Exception as e:  # noqa: BLE001
            raise self._fail(e, "uploading the work directory") from e
        self._shell(sandbox, f"mkdir -p {WORKDIR} && tar -xf {IN_TAR} -C {WORKDIR} && rm -f {IN_TAR}",
                    "unpacking the work directory")

    def _download(self, sandbox, workdir: Path) -> list[str]:
        """Bring the work directory back; returns notes for stderr (what was not brought back)."""
        size = self._shell(sandbox, f"tar -cf {OUT_TAR} -C {WORKDIR} . && stat -c %s {OUT_TAR}",
                           "packing the work directory")
        if int(size.split()[-1]) > MAX_DOWNLOAD_MB * 2**20:
            return [f"[sandbox] the work directory grew beyond {MAX_DOWNLOAD_MB} MB; its files were not copied back"]
        try:
            data = sandbox.files.read(OUT_TAR, format="bytes", user=USER)
        except Exception as e:  # noqa: BLE001
            raise self._fail(e, "downloading the work directory") from e
        skipped = _untar_into(bytes(data), workdir)
        return [f"[sandbox] not copied back (unsafe paths): {', '.join(skipped[:10])}"] if skipped else []

    def run(self, argv: list[str], workdir: Path, *, limits: Limits, env: dict[str, str] | None = None,
            stdin: bytes | None = None, network: bool = False) -> ProcessResult:
        e2b = self._sdk()
        workdir = Path(workdir).resolve()
        if not workdir.is_dir():
            raise SandboxError(f"work directory {workdir} does not exist")
        sandbox = self._create(limits=limits, network=network)
        try:
            self._upload(sandbox, workdir)
            output = _Output(limits.output_bytes)
            start = time.monotonic()
            try:
                handle = sandbox.commands.run(self.command(argv, limits, env), background=True, user=USER,
                                              cwd=WORKDIR, stdin=stdin is not None, timeout=limits.wall_s + 30,
                                              retain_output=False)
                if stdin is not None:
                    handle.send_stdin(stdin)
                    handle.close_stdin()
                rc = handle.wait(on_stdout=output.on_stdout, on_stderr=output.on_stderr).exit_code
            except e2b.CommandExitException as e:
                rc = e.exit_code
            except Exception as e:  # noqa: BLE001
                raise self._fail(e, "running the command") from e
            duration = time.monotonic() - start
            notes = self._download(sandbox, workdir)
        finally:
            self._kill(sandbox)
        # `timeout -s KILL` ends the program and itself: a killed command (-1) or 137 after the wall clock.
        timed_out = rc in (-1, 124, 137) and duration >= limits.wall_s * 0.98
        err = output.err.text() + "".join(f"\n{n}\n" for n in notes)
        if not timed_out and rc in (126, 127) and "prlimit: failed to execute" in err:
            raise SandboxError(f"the sandbox could not start the command: {err.strip()[-2000:]}")
        exit_code: int | None = rc
        sig: int | None = None
        if timed_out:
            exit_code, sig = None, int(signal.SIGKILL)
        elif rc > 128 and (rc - 128) in signal.valid_signals():
            sig = rc - 128
        return ProcessResult(exit_code=exit_code, stdout=output.out.text(), stderr=err, timed_out=timed_out,
                             duration_s=round(duration, 3), signal=sig,
                             output_capped=output.out.capped or output.err.capped)

    def start(self, argv: list[str], workdir: Path, *, limits: Limits, port: int,
              env: dict[str, str] | None = None) -> Server:
        workdir = Path(workdir).resolve()
        if not workdir.is_dir():
            raise SandboxError(f"work directory {workdir} does not exist")
        sandbox = self._create(limits=limits, network=False)
        try:
            self._upload(sandbox, workdir)
            output = _Output(limits.output_bytes)
            handle = sandbox.commands.run(self.command(argv, limits, env, wall=False), background=True, user=USER,
                                          cwd=WORKDIR, timeout=0, retain_output=False)
            return E2BServer(self, sandbox, handle, output, port, limits)
        except SandboxError:
            self._kill(sandbox)
            raise
        except Exception as e:  # noqa: BLE001
            self._kill(sandbox)
            raise self._fail(e, "starting the app") from e


class E2BServer(Server):
    """An app in its own E2B sandbox, reached at the sandbox's public host for `port`."""

    def __init__(self, backend: E2BBackend, sandbox, handle, output: _Output, port: int, limits: Limits):
        self.url = f"https://{sandbox.get_host(port)}/"
        self.netns = None
        self._backend, self._sandbox, self._handle, self._output = backend, sandbox, handle, output
        self._start = time.monotonic()
        self._rc: int | None = None
        self._ended = threading.Event()
        self._reader = threading.Thread(target=self._read, name="codearena-e2b-output", daemon=True)
        self._reader.start()
        self._bound_life(limits.wall_s)

    def _read(self) -> None:
        e2b = self._backend._sdk()
        try:
            self._rc = self._handle.wait(on_stdout=self._output.on_stdout, on_stderr=self._output.on_stderr).exit_code
        except e2b.CommandExitException as e:
            self._rc = e.exit_code
        except Exception as e:  # noqa: BLE001  (the stream ended with the sandbox)
            log.debug("E2B app stream ended: %s", e)
        finally:
            self._ended.set()

    def _kill(self) -> None:
        try:
            self._handle.kill()
        except Exception as e:  # noqa: BLE001  (killing the sandbox below ends it anyway)
            log.debug("could not kill the E2B app: %s", e)

    def alive(self) -> bool:
        return not self._ended.is_set() and not self._expired and self._result is None

    def stop(self) -> ProcessResult:
        with self._lock:
            if self._result is not None:
                return self._result
            self._timer.cancel()
            ended_by_itself = self._ended.is_set() and not self._expired
            self._kill()
            self._ended.wait(10)
            self._backend._kill(self._sandbox)
            self._reader.join(5)
            exit_code = sig = None
            if ended_by_itself and self._rc is not None:
                exit_code = self._rc
                if exit_code > 128 and (exit_code - 128) in signal.valid_signals():
                    sig = exit_code - 128
            out, err = self._output.out, self._output.err
            self._result = ProcessResult(exit_code=exit_code, stdout=out.text(), stderr=err.text(),
                                         timed_out=self._expired, duration_s=round(time.monotonic() - self._start, 3),
                                         signal=sig, output_capped=out.capped or err.capped)
            return self._result

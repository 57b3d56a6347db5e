"""The pieces of the PyGame/Streamlit/Gradio and compiled-language runners that the corpus does not
pin down one by one: how compiler output names a missing library, Java file and class names, the
status of a finished program, readiness polling, and the checks that stop a job before its first
sample with the fix."""

from __future__ import annotations

import http.server
import signal
import threading

import pytest

from codearena.runners import RunContext, Sample, run_sample
from codearena.runners import c, go, java, rust
from codearena.runners.common import exit_status, require_python_modules, tail
from codearena.runners.compiled import Language, check, missing_libraries
from codearena.sandbox import Limits, ProcessResult, SandboxUnavailable, get_backend
from codearena.sandbox.netns import wait_for_http

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def ctx(tmp_path):
    context = RunContext(workdir=tmp_path / "work", outdir=tmp_path / "out", backend=get_backend("local"),
                         settings={"timeout_s": 10})
    context.workdir.mkdir()
    tmp_path.chmod(0o755)
    yield context
    context.close()


@pytest.mark.parametrize(("lang", "output", "expected"), [
    (rust.LANGUAGE, "error[E0432]: unresolved import `rand`\n  use of undeclared crate or module `rand`", ["rand"]),
    (rust.LANGUAGE, "error[E0463]: can't find crate for `serde`", ["serde"]),
    (rust.LANGUAGE, "use of unresolved module or unlinked crate `regex`\nunlinked crate `regex`", ["regex"]),
    (rust.LANGUAGE, "use of undeclared crate or module `std`", []),  # not a library
    (go.LANGUAGE, "main.go:4:2: no required module provides package github.com/a/b: go.mod file not found",
     ["github.com/a/b"]),
    (go.LANGUAGE, "main.go:3:8: package golang.org/x/exp/slices is not in GOROOT", ["golang.org/x/exp/slices"]),
    (java.LANGUAGE, "A.java:1: error: package org.json does not exist", ["org.json"]),
    (java.LANGUAGE, "A.java:1: error: package java.utils does not exist", []),  # a typo, not a library
    (c.LANGUAGE, "main.c:1:10: fatal error: SDL2/SDL.h: No such file or directory", ["SDL2/SDL.h"]),
    (c.LANGUAGE, "main.c:3:5: error: expected ';' before 'return'", []),
])
def test_compiler_output_names_the_missing_library(lang, output, expected):
    assert missing_libraries(lang, output) == expected


def test_java_file_is_named_after_the_public_class_and_main_is_run_by_its_full_name():
    code = "package com.shop;\npublic final class Cart {}\nclass Main { public static void main(String[] a) {} }\n"
    assert java.source_name(code) == "Cart.java"
    assert java.main_class(code) == "com.shop.Main"
    plain = "class Solver { public static void main(String[] a) {} }"
    assert (java.source_name(plain), java.main_class(plain)) == ("Solver.java", "Solver")


def test_jvm_heap_fits_the_memory_limit():
    assert "-Xmx256m" in java.jvm_flags(Limits(memory_mb=512))
    assert "-Xmx1024m" in java.jvm_flags(Limits(memory_mb=8192))


@pytest.mark.parametrize(("result", "status", "words"), [
    (ProcessResult(0, "", "", False, 1.0), "ok", ""),
    (ProcessResult(2, "", "", False, 1.0), "error", ""),
    (ProcessResult(139, "", "", False, 1.0, signal=signal.SIGSEGV), "error", "killed by signal SIGSEGV"),
    (ProcessResult(None, "", "", True, 5.0, signal=signal.SIGKILL), "timeout", "timed out after 5 s"),
    (ProcessResult(152, "", "", False, 3.0, signal=signal.SIGXCPU), "timeout", "CPU time limit of 3 s"),
])
def test_exit_status(result, status, words):
    got_status, got_words = exit_status(result, Limits(wall_s=5, cpu_s=3))
    assert got_status == status and words in got_words and (words or got_words == "")


def test_tail_keeps_the_end():
    assert tail("abc", 5) == "abc"
    text = "banner\n" * 100 + "Traceback: the error"
    cut = tail(text, 20)
    assert cut.endswith("Traceback: the error") and cut.startswith("[... ")
    assert "banner\nbanner\nbanner" not in cut


def test_wait_for_http_ready_exited_and_timeout():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert wait_for_http(url, netns=None, deadline_s=5, alive=lambda: True)[0] == "ready"
        assert wait_for_http(url, netns=None, deadline_s=5, alive=lambda: False)[0] == "exited"
    finally:
        server.shutdown()
        server.server_close()
    outcome, waited = wait_for_http(url, netns=None, deadline_s=0.3, alive=lambda: True)
    assert outcome == "timeout" and waited >= 0.3


def test_a_missing_toolchain_stops_the_job_with_the_fix(ctx):
    lang = Language(slug="fortran", packages="gfortran", source=lambda code: "main.f90",
                    compile=lambda source, limits: [], run=lambda source, code, limits: [],
                    version=["gfortran-that-is-not-installed", "--version"])
    with pytest.raises(SandboxUnavailable, match=r"apt-get install gfortran"):
        check(lang, ctx)


def test_a_sandbox_python_without_the_library_stops_the_job_with_the_fix(ctx):
    require_python_modules(ctx, "pygame")  # installed: passes
    with pytest.raises(SandboxUnavailable, match=r"lacks no_such_module_xyz; rebuild it with `make setup`"):
        require_python_modules(ctx, "pygame", "no_such_module_xyz")


def test_install_switch_on_the_local_backend_says_it_cannot(ctx):
    ctx.settings["install_dependencies"] = True
    record = run_sample(Sample(uid="u", model="m", env="python", code="import cv2\n"), ctx)
    assert record["status"] == "missing_dependency"
    assert "missing dependency: opencv-python" in record["stderr"]
    assert any("local backend has no network" in n for n in record["notes"])
    ctx.settings["install_dependencies"] = False
    record = run_sample(Sample(uid="u", model="m", env="python", code="import cv2\n"), ctx)
    assert not any("no network" in n for n in record["notes"])

"""Compiled languages (C, C++, Java, Go, Rust): compile, then run, both inside the sandbox.

Each language module describes itself with a `Language` (file name, compile and run commands, how its
compiler names a missing library) and gets its `run`/`check` from `runner()`. The two steps have
separate limits: `execution.compile_timeout_s` bounds compilation, `execution.timeout_s` the program.
A failed compilation is `compile_error` (or `missing_dependency` when the compiler says a library,
crate, package or header is missing) with the compiler's output; a compilation that runs out of time
is `timeout`. The toolchains are Debian's, under /usr, so the sandbox sees them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable

from codearena.sandbox import WORKDIR, Limits, SandboxError, SandboxUnavailable

from .common import RunContext, Sample, exit_status, missing_lines, new_record, sample_dir, set_output

DEFAULT_COMPILE_TIMEOUT_S = 60
MAX_WARNING_CHARS = 2000


@dataclass(frozen=True)
class Language:
    slug: str
    packages: str  # Debian packages that provide the toolchain (for the fix message)
    source: Callable[[str], str]  # code -> file name in the work dir
    compile: Callable[[str, Limits], list[str]]  # source file, limits of the run -> compiler argv
    run: Callable[[str, str, Limits], list[str]]  # source file, code, limits -> program argv
    version: list[str]  # a command that works when the toolchain is there
    missing: tuple[re.Pattern, ...] = ()  # compiler output -> group(1) is a missing library
    ignore_missing: frozenset[str] = frozenset()  # names those patterns catch that are not libraries
    env: dict[str, str] = field(default_factory=dict)


def compile_limits(ctx: RunContext) -> Limits:
    """The program's limits with the compile timeout as wall-clock and CPU budget (compilers are not
    the sample's code, but they run in the same sandbox)."""
    limits = ctx.limits()
    budget = float(ctx.setting("compile_timeout_s", DEFAULT_COMPILE_TIMEOUT_S))
    return replace(limits, wall_s=budget, cpu_s=budget)


def missing_libraries(lang: Language, output: str) -> list[str]:
    found: list[str] = []
    for pattern in lang.missing:
        for name in pattern.findall(output):
            if name not in found and name not in lang.ignore_missing:
                found.append(name)
    return found


def check(lang: Language, ctx: RunContext) -> None:
    """Run the toolchain's version command in the sandbox once per job; fail with the fix if it is not there."""
    key = f"toolchain:{lang.slug}"
    if ctx.cache.get(key):
        return
    ctx.backend.check()
    fix = f"install it with `apt-get install {lang.packages}` (tools/install-system-packages.sh does)"
    work = ctx.workdir / f"_check_{lang.slug}"
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = ctx.backend.run(lang.version, work, limits=Limits(wall_s=60, cpu_s=60), env=lang.env)
    except SandboxError as e:
        raise SandboxUnavailable(f"{lang.slug}: `{lang.version[0]}` cannot run in the {ctx.backend.name} "
                                 f"sandbox ({str(e)[:300]}); {fix}") from e
    if result.exit_code != 0:
        raise SandboxUnavailable(f"{lang.slug}: `{' '.join(lang.version)}` failed in the {ctx.backend.name} sandbox "
                                 f"(exit {result.exit_code}): {(result.stderr or result.stdout).strip()[-300:]}; {fix}")
    version = (result.stdout + result.stderr).strip()
    ctx.cache[key] = version.splitlines()[0] if version else True  # e.g. "rustc 1.96.0 (...)"


def run(lang: Language, sample: Sample, ctx: RunContext) -> dict:
    record = new_record(sample, ctx)
    work = sample_dir(ctx, sample)
    source = lang.source(sample.code)
    (work / source).write_text(sample.code, encoding="utf-8")
    backend, limits, budget = ctx.backend, ctx.limits(), compile_limits(ctx)

    built = backend.run(lang.compile(source, limits), work, limits=budget, env=lang.env)
    record["duration_s"] = built.duration_s
    compiler_output = (built.stdout + ("\n" if built.stdout and built.stderr else "") + built.stderr)
    if built.timed_out or built.exit_code != 0:
        record["exit_code"] = built.exit_code
        missing = missing_libraries(lang, compiler_output)
        if built.timed_out or built.signal:
            status, words = exit_status(built, budget)
            record["status"] = "timeout" if status == "timeout" else "compile_error"
            compiler_output += words.replace("the program", "the compiler")
        else:
            record["status"] = "missing_dependency" if missing else "compile_error"
            record["missing_dependencies"] = missing
            compiler_output += missing_lines(missing)
        set_output(record, "", compiler_output, ctx)
        record["notes"].append("compilation failed: the program did not run")
        return record
    if compiler_output.strip():
        record["notes"].append("compiler warnings: " + compiler_output.strip()[:MAX_WARNING_CHARS])

    result = backend.run(lang.run(source, sample.code, limits), work, limits=limits, env=lang.env)
    status, words = exit_status(result, limits)
    record["status"] = status
    record["exit_code"] = result.exit_code
    record["duration_s"] = round(built.duration_s + result.duration_s, 3)
    if result.output_capped:
        record["notes"].append(f"output beyond {limits.output_bytes} bytes per stream was dropped")
    set_output(record, result.stdout, result.stderr + words, ctx)
    return record


def runner(lang: Language) -> tuple[Callable[[Sample, RunContext], dict], Callable[[RunContext], None]]:
    """(run, check) for the runner table."""
    return (lambda sample, ctx: run(lang, sample, ctx)), (lambda ctx: check(lang, ctx))


def program(_source: str, _code: str, _limits: Limits) -> list[str]:
    """The compiled binary, for the languages that build one."""
    return [f"{WORKDIR}/program"]

"""Java Runner: javac, then java, on the class that holds `main` (`codearena.extract.java_class_name`;
the file is named after it). The JVM reserves more address space than the sandbox's memory limit
allows by default, so heap, code cache and class space are sized to fit within it."""

from __future__ import annotations

import re

from codearena.extract import java_class_name
from codearena.sandbox import Limits

from . import compiled

PACKAGE = re.compile(r"^\s*package\s+([\w.]+)\s*;", re.M)
# At the start of a line: a top-level type (nested ones are indented).
PUBLIC_TYPE = re.compile(
    r"^public\s+(?:(?:final|abstract|sealed|strictfp)\s+)*(?:class|interface|enum|record)\s+(\w+)", re.M)


def jvm_flags(limits: Limits) -> list[str]:
    heap = max(64, min(1024, limits.memory_mb // 2))
    return [f"-Xmx{heap}m", "-Xss8m", "-XX:ReservedCodeCacheSize=64m", "-XX:CompressedClassSpaceSize=128m",
            "-XX:+UseSerialGC", "-XX:-UsePerfData"]


def main_class(code: str) -> str:
    """What `java` runs: the class with `main`, qualified by the file's package."""
    package = PACKAGE.search(code)
    name = java_class_name(code)
    return f"{package.group(1)}.{name}" if package else name


def source_name(code: str) -> str:
    """javac wants a public top-level type in a file of its name, even when `main` is in another class."""
    public = PUBLIC_TYPE.search(code)
    return f"{public.group(1) if public else java_class_name(code)}.java"


LANGUAGE = compiled.Language(
    slug="java", packages="default-jdk-headless", source=source_name,
    # -J: flags for the JVM that runs javac; C1 only, since javac runs once.
    compile=lambda source, limits: ["javac", *(f"-J{f}" for f in jvm_flags(limits)), "-J-XX:TieredStopAtLevel=1",
                                    "-encoding", "UTF-8", "-d", ".", source],
    run=lambda source, code, limits: ["java", *jvm_flags(limits), "-cp", ".", main_class(code)],
    version=["javac", "-J-Xmx64m", "-J-XX:CompressedClassSpaceSize=64m", "-J-XX:ReservedCodeCacheSize=32m", "-version"],
    missing=(re.compile(r"error: package (?!java\.|javax\.|jdk\.)([\w.]+) does not exist"),),
)
run, check = compiled.runner(LANGUAGE)

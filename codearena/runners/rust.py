"""Rust Runner: rustc (edition 2021, optimised), then the program. No cargo: only the standard
library is there, so a crate the code uses (`rand`, `serde`) is a missing dependency."""

from __future__ import annotations

import re

from . import compiled

LANGUAGE = compiled.Language(
    slug="rust", packages="rustc-web", source=lambda code: "main.rs",
    compile=lambda source, limits: ["rustc", "--edition", "2021", "-O", "-o", "program", source],
    run=compiled.program, version=["rustc", "--version"],
    missing=(
        re.compile(r"can't find crate for `(\w+)`"),
        re.compile(r"use of undeclared crate or module `(\w+)`"),
        re.compile(r"unlinked crate `(\w+)`"),
    ),
    ignore_missing=frozenset({"std", "core", "alloc", "crate", "self", "super"}),
)
run, check = compiled.runner(LANGUAGE)

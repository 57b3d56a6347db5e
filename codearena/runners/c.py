"""C Runner: gcc (C17 with GNU extensions, -O2, -lm), then the program."""

from __future__ import annotations

import re

from . import compiled

HEADER = re.compile(r"fatal error: ([\w./+-]+\.h(?:pp)?): No such file or directory")

LANGUAGE = compiled.Language(
    slug="c", packages="gcc", source=lambda code: "main.c",
    # -lm last: the linker resolves libraries after the objects that need them (math.h users).
    compile=lambda source, limits: ["gcc", "-std=gnu17", "-O2", "-o", "program", source, "-lm"],
    run=compiled.program, version=["gcc", "--version"], missing=(HEADER,),
)
run, check = compiled.runner(LANGUAGE)

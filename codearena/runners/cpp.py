"""C++ Runner: g++ (C++20 with GNU extensions, -O2), then the program."""

from __future__ import annotations

from . import c, compiled

LANGUAGE = compiled.Language(
    slug="cpp", packages="g++", source=lambda code: "main.cpp",
    compile=lambda source, limits: ["g++", "-std=gnu++20", "-O2", "-o", "program", source],
    run=compiled.program, version=["g++", "--version"], missing=(c.HEADER,),
)
run, check = compiled.runner(LANGUAGE)

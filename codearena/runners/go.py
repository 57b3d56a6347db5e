"""Golang Runner: `go build`, then the program. Standard library only (no module proxy, no network):
an import of another module is a missing dependency. Go's caches live in the work directory."""

from __future__ import annotations

import re

from codearena.sandbox import WORKDIR

from . import compiled

LANGUAGE = compiled.Language(
    slug="go", packages="golang-go", source=lambda code: "main.go",
    compile=lambda source, limits: ["go", "build", "-o", "program", source],
    run=compiled.program, version=["go", "version"],
    missing=(
        re.compile(r"no required module provides package ([\w./-]+)"),
        re.compile(r"cannot find module providing package ([\w./-]+)"),
        re.compile(r"package ([\w./-]+) is not in (?:GOROOT|std)"),
    ),
    env={
        "HOME": WORKDIR, "GOPATH": f"{WORKDIR}/.cache/go", "GOCACHE": f"{WORKDIR}/.cache/go-build",
        "GOPROXY": "off", "GOTOOLCHAIN": "local", "GOTELEMETRY": "off", "GOFLAGS": "-buildvcs=false",
        "CGO_ENABLED": "0",  # a static binary, without calling gcc
    },
)
run, check = compiled.runner(LANGUAGE)

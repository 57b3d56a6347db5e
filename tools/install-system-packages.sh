#!/usr/bin/env bash
# The Debian packages codearena needs (installed when missing; a no-op when all are there).
set -euo pipefail

packages=(
  chromium              # screenshots of web answers, driven by Playwright
  bubblewrap            # the local sandbox
  fonts-liberation      # pages render with real fonts
  fonts-dejavu-core
  gcc                   # C Runner (and the linker rustc uses)
  g++                   # C++ Runner
  default-jdk-headless  # Java Runner (javac, java)
  golang-go             # Golang Runner
  rustc-web             # Rust Runner: Debian 12's current rustc (the `rustc` package is 1.63, too old
                        # for let-else and friends), under /usr, so the sandbox sees it
  util-linux            # nsenter: the browser joins a sandboxed app's network namespace
  postgresql            # tests run the arena's vote database on a throwaway PostgreSQL server too
)
exec "$(dirname "$0")/apt-install-missing.sh" "${packages[@]}"

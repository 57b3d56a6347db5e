#!/usr/bin/env bash
# Install the Debian packages codearena needs, if any is missing (a no-op when all are there).
set -euo pipefail

packages=(
  chromium            # screenshots of web answers, driven by Playwright
  bubblewrap          # the local sandbox
  fonts-liberation    # pages render with real fonts
  fonts-dejavu-core
  gcc                 # C Runner (and the linker rustc uses)
  g++                 # C++ Runner
  default-jdk-headless  # Java Runner (javac, java)
  golang-go           # Golang Runner
  rustc-web           # Rust Runner: Debian 12's current rustc (1.9x; the `rustc` package is 1.63, too old
                      # for let-else and friends), under /usr, so the sandbox sees it
  util-linux          # nsenter: the browser joins a sandboxed app's network namespace
  postgresql          # tests run the arena's vote database on a throwaway PostgreSQL server too
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "error: these packages are missing and installing them needs root: ${missing[*]}" >&2
  echo "       run: apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null

#!/usr/bin/env bash
# Install what the docker backend and its tests need, if missing (a no-op when all are there):
# docker.io (dockerd, containerd, runc, docker-init) and mmdebstrap (the base image, built offline).
# The daemon is not started here: `make images` uses the one DOCKER_HOST points at, and the tests
# start their own (codearena/sandbox/dockerd.py).
set -euo pipefail

packages=(docker.io mmdebstrap)

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
# Installing docker.io must not start the system's daemon (it would add a bridge and iptables rules; the
# tests run their own): policy-rc.d exit 101 is Debian's "do not start services" (removed afterwards).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}" >/dev/null

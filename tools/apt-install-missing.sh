#!/usr/bin/env bash
# apt-install-missing.sh PACKAGE...: install the Debian packages that are not installed yet (a no-op
# when all are). Services that packages bring (dockerd, postgresql, ...) are not started: codearena's
# tests start their own, private ones.
set -euo pipefail

missing=()
for p in "$@"; do
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
# policy-rc.d exit 101 is Debian's "do not start services" (ours is removed afterwards).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# Another apt run on the machine may hold the dpkg lock for a while: wait for it instead of failing.
apt=(apt-get -o DPkg::Lock::Timeout=600)
"${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  "${apt[@]}" update -q >/dev/null
  "${apt[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

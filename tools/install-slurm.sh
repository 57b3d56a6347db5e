#!/usr/bin/env bash
# Install the Debian packages of a one-node SLURM cluster (for the SLURM test), if any is missing.
# A no-op when all are there. The packages start no service (the test starts and stops the daemons).
set -euo pipefail

packages=(slurm-wlm slurmctld slurmd slurm-client munge)

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
# Another apt run on the same machine holds the dpkg lock for a while: wait for it instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=300)
apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
  apt-get "${apt_opts[@]}" update -q >/dev/null
  apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

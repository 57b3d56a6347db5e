#!/usr/bin/env bash
# The Debian packages of a one-node SLURM cluster (for the SLURM test), if missing. No service is
# started: the test starts and stops the daemons.
exec "$(dirname "$0")/apt-install-missing.sh" slurm-wlm slurmctld slurmd slurm-client munge

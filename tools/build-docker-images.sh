#!/usr/bin/env bash
# `make images`: build the docker backend's sandbox images in the Docker daemon DOCKER_HOST points at
# (default: /var/run/docker.sock). No registry is used: the base image comes from mmdebstrap and
# `docker import`, the others are built FROM it (sandbox/docker/*.Dockerfile). Images that are already
# there for the current sources are not built again; the mmdebstrap tarball is kept in cache/docker/.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-docker-packages.sh
exec "${VENV:-.venv}/bin/python" -m codearena.sandbox.docker_images --cache cache/docker "$@"

#!/usr/bin/env bash
# What the docker backend and its tests need, if missing: docker.io (dockerd, containerd, runc,
# docker-init) and mmdebstrap (the base image, built offline). The daemon is not started here: `make
# images` uses the one DOCKER_HOST points at, and the tests start their own (codearena/sandbox/dockerd.py).
exec "$(dirname "$0")/apt-install-missing.sh" docker.io mmdebstrap

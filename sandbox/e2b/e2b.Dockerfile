# E2B template of the e2b backend (codearena/sandbox/e2b.py): the same layout as the docker backend's
# python image (sandbox/docker/python.Dockerfile), so runners see the same paths on every backend:
#   /opt/venv            the sandbox Python with sandbox/python/requirements.txt (same pins)
#   /opt/codearena/      the runner wrappers of sandbox/python/
#   /sandbox             the work directory (world-writable: E2B adds its `user` after this build)
# The build context is the repository's sandbox/ directory (see README.md). E2B's builder has network,
# so packages come from Debian and PyPI directly.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv util-linux coreutils tar ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY python/requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
COPY python/ /opt/codearena/python/
RUN mkdir -p /sandbox && chmod 1777 /sandbox

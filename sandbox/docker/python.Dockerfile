# The Python sandbox image: the base system, the Python packages of the local sandbox
# (sandbox/python/requirements.txt, same pins) in /opt/venv, and the runner wrappers of sandbox/python/
# in /opt/codearena/python/. Built by `make images` (codearena/sandbox/docker_images.py) without network:
# the wheels are downloaded on the host beforehand and come in through the build context.
ARG BASE
FROM ${BASE}
COPY wheels/ /tmp/wheels/
COPY sandbox/python/requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-index --find-links /tmp/wheels --no-cache-dir --disable-pip-version-check \
        --quiet -r /tmp/requirements.txt \
 && rm -rf /tmp/wheels /tmp/requirements.txt
COPY sandbox/python/ /opt/codearena/python/
ENV PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin
USER 1000:1000
WORKDIR /sandbox

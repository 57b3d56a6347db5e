# The two commands of the README do all set-up on a fresh Debian machine:
#   make leaderboard   build the offline demo leaderboard and report
#   make test          run the test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
SANDBOX_VENV ?= .venv-sandbox
CORES ?= all

.PHONY: leaderboard test setup system clean web

leaderboard: setup
	$(VENV)/bin/snakemake --cores $(CORES) leaderboard
	@echo
	@echo "Leaderboard: $(CURDIR)/results/leaderboard.json"
	@echo "Report:      $(CURDIR)/results/report/index.html"

# Two pytest-xdist workers: much of the suite waits on subprocesses, servers and timeouts, so two keep
# both cores busy (tests/conftest.py keeps a module's tests together on one worker).
TEST_WORKERS ?= 2

test: setup
	$(VENV)/bin/python -m pytest -n $(TEST_WORKERS)

# Everything that is missing, and nothing that is already there. The parts are independent (apt, two
# virtualenvs, npm trees), so they install side by side: most of the time is spent downloading.
setup:
	@$(MAKE) --no-print-directory --jobs=4 --output-sync=target system $(VENV)/.installed $(SANDBOX_VENV)/.installed web

system:
	@tools/install-system-packages.sh

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $@

# The interpreter that runs model-written Python inside the sandbox (kept apart from the project's).
$(SANDBOX_VENV)/.installed: sandbox/python/requirements.txt
	$(PYTHON) -m venv $(SANDBOX_VENV)
	$(SANDBOX_VENV)/bin/pip install --quiet --upgrade pip
	$(SANDBOX_VENV)/bin/pip install --quiet -r sandbox/python/requirements.txt
	touch $@

# The npm trees of the browser environments (sandbox/web/README.md): the vendored CDN libraries and the
# React and Vue templates, each installed once from its committed lockfile (Vite 8 needs Node >= 20.19).
WEB_TREES := vendor react vue
web: $(foreach t,$(WEB_TREES),sandbox/web/$(t)/node_modules/.installed)

sandbox/web/%/node_modules/.installed: sandbox/web/%/package.json sandbox/web/%/package-lock.json
	@node -e 'const [a, b] = process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error("error: sandbox/web needs Node >= 20.19, found " + process.version); process.exit(1); }'
	cd sandbox/web/$* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf results logs .snakemake

# The docker backend's sandbox images (execution.backend: docker), built in the Docker daemon that
# DOCKER_HOST points at, from sandbox/docker/ (no registry: mmdebstrap + docker import, then FROM it).
.PHONY: images
images: $(VENV)/.installed
	@tools/build-docker-images.sh

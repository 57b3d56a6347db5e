"""`snakemake arena`: a target of its own (never part of `all`) that serves the app until stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml

from arena_helpers import arena_config
from workflow_helpers import REPO

pytestmark = pytest.mark.slow


# Ctrl-C signals Snakemake and its job together; a second signal soon after (Snakemake's own SIGTERM to
# the job, a second Ctrl-C) must not cut the job's clean-up short and leave it hanging.
@pytest.mark.parametrize("then_sigterm", [False, True], ids=["ctrl-c", "ctrl-c-then-sigterm"])
def test_snakemake_arena_serves_until_interrupted(fake_llm, tmp_path, then_sigterm):
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(arena_config(tmp_path, fake_llm.base_url, ("fake-x", "fake-y"))))
    env = dict(os.environ, PATH=f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path),
         "--configfile", str(config), "--cores", "1", "arena"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True)
    seen: list[str] = []
    try:
        deadline = time.monotonic() + 120
        url = None
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
            seen.append(line)
            match = re.search(r"codearena arena: (http://\S+) \(live previews from (http://\S+);", line)
            if match:
                url, preview = match.groups()
        assert url, "".join(seen[-40:])
        with urllib.request.urlopen(url, timeout=30) as page:
            assert page.status == 200 and b"codearena arena" in page.read()
        assert (tmp_path / "arena.db").is_file()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals Snakemake and its job
        if then_sigterm:
            time.sleep(0.05)
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            rest, _ = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # do not leave a hung app behind the test
            raise
    for server in (url, preview):  # the app and its preview server are gone with the job
        with pytest.raises(OSError):
            urllib.request.urlopen(server, timeout=5)
    assert "Traceback" not in rest, rest[-3000:]

# Attack: read secrets of the host: an SSH key and a secret file in the orchestrator's home, /etc/shadow,
# the project's config and response cache, and the files of another job's samples.
import glob
import os

TARGETS = [
    "{{HOME}}/.ssh/id_rsa",
    "{{HOME}}/secret.txt",
    "/root/.ssh/id_rsa",
    "/etc/shadow",
    "{{REPO}}/config/config.yaml",
    "{{REPO}}/config/models.yaml",
    "{{CACHE_FILE}}",
    "{{VICTIM_FILE}}",
]
TARGETS += glob.glob("/tmp/codearena-exec-*/*/*") + glob.glob("{{VICTIM_GLOB}}")
for path in TARGETS:
    try:
        with open(path, "rb") as f:
            data = f.read(4096)
    except OSError as e:
        print(f"denied {path} ({e.strerror})")
        continue
    if path == "/etc/shadow" and not data:
        print(f"denied {path} (masked: empty)")
        continue
    print(f"BREACH: read {len(data)} bytes of {path}: {data[:80]!r}")
# Listing a directory shows what is there; the test checks that no planted name shows up.
for directory in ("{{HOME}}", "{{HOME}}/.ssh", "{{REPO}}", "{{REPO}}/config", os.path.dirname("{{VICTIM_FILE}}"),
                  os.path.dirname("{{CACHE_FILE}}"), "/root"):
    try:
        print(f"listed {directory}: {sorted(os.listdir(directory))[:20]}")
    except OSError as e:
        print(f"denied listing {directory} ({e.strerror})")

# Attack: write outside the work directory: the orchestrator's home, the project, the results, the
# system, and the host's /tmp (which the sandbox may only see as its own private /tmp).
import os

TARGETS = [
    "{{HOME}}/.bashrc",
    "{{HOME}}/pwned",
    "{{REPO}}/config/pwned.yaml",
    "{{OUTDIR}}/pwned",
    "/usr/local/bin/pwned",
    "/etc/cron.d/pwned",
    "/root/pwned",
    "/sandbox/../pwned",
    "/opt/codearena/pwned",
]
for path in TARGETS:
    try:
        with open(path, "a") as f:
            f.write("pwned\n")
        print(f"BREACH: wrote {path}")
    except OSError as e:
        print(f"denied {path} ({e.strerror})")
# Only the sandbox's own /tmp: the host's must not change (the test checks).
with open("/tmp/pwned-{{MARKER}}", "w") as f:
    f.write("in the sandbox's private /tmp\n")
print("wrote the private /tmp", flush=True)

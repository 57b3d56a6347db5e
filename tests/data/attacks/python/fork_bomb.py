# Attack: a fork bomb. Every process forks as fast as it can, then the children exec `sleep` (so they can
# be found on the host afterwards); the sandbox's process cap must stop the growth.
import os
import sys

CAP = int("{{MAX_PROCESSES}}")
created = 0
for _ in range(20 * CAP):  # far beyond the cap
    try:
        pid = os.fork()
    except OSError as e:
        print(f"fork refused after {created} children: {e.strerror}", flush=True)
        break
    if pid == 0:
        try:
            os.fork()  # the bomb: every child forks too
        except OSError:
            pass
        os.execvp("sleep", ["sleep", "{{MARKER}}"])
    created += 1
if created >= CAP:
    print(f"BREACH: {created} children with a process cap of {CAP}")
sys.exit(0)  # leaves every child behind: the sandbox must end them

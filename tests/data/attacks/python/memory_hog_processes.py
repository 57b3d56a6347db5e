# Attack: the memory limit per process is not the sample's limit: six processes each take a share that
# fits the per-process limit and hold it at the same time (together far more than the sample may use).
import os
import sys
import time

LIMIT_MB = int("{{MEMORY_MB}}")
SHARE_MB = LIMIT_MB // 2
children = []
r, w = os.pipe()
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        os.close(r)
        held = bytearray(SHARE_MB * 2**20)  # zero-filled: really touched
        os.write(w, b"x")
        time.sleep(1)  # hold it while the others take theirs
        os._exit(0)
    children.append(pid)
os.close(w)
holding = 0
deadline = time.monotonic() + 10
while time.monotonic() < deadline and os.read(r, 1):
    holding += 1
    if holding == len(children):
        break
killed = []
for pid in children:
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        killed.append(os.WTERMSIG(status))
print(f"{holding} processes held {SHARE_MB} MB each at the same time ({holding * SHARE_MB} MB)", flush=True)
if holding * SHARE_MB > LIMIT_MB * 1.25:
    print(f"BREACH: {holding * SHARE_MB} MB held with a memory limit of {LIMIT_MB} MB")
if killed:
    sys.exit(f"children killed by signals {sorted(killed)}")

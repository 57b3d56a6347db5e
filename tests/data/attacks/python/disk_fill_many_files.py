# Attack: fill the disk with many files, each just under the file-size limit.
import os

FILE_MB = max(1, int("{{FILE_SIZE_MB}}") - 1)
CAP_MB = int("{{WORKDIR_MB}}")
block = b"\0" * (FILE_MB * 2**20)
written = 0
error = "reached the ceiling"
try:
    while written < 4096:
        with open(f"fill-{written}.bin", "wb") as f:
            f.write(block)
        written += FILE_MB
        if written > 2 * CAP_MB:  # far past the cap: proven, and no need to fill the host's disk further
            print(f"BREACH: {written} MB written with a work-directory cap of {CAP_MB} MB", flush=True)
            break
except OSError as e:
    error = e.strerror
print(f"wrote {written} MB in {written // FILE_MB} files ({error})", flush=True)

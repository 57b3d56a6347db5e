# Attack: memory-backed file systems hold data outside every process's address space: fill /tmp and
# /dev/shm (many files, each under the file-size limit) and see how much the host lets through.
import os

FILE_MB = max(1, int("{{FILE_SIZE_MB}}") - 1)
CEILING_MB = 1024  # stop here: far beyond any sane cap
block = b"\0" * (FILE_MB * 2**20)
for place in ("/tmp", "/dev/shm", "/dev"):
    written = 0
    error = "reached the ceiling"
    try:
        os.makedirs(f"{place}/fill", exist_ok=True)
        while written < CEILING_MB:
            with open(f"{place}/fill/{written}", "wb") as f:
                f.write(block)
            written += FILE_MB
    except OSError as e:
        error = e.strerror
    print(f"{place}: wrote {written} MB ({error})", flush=True)
    if written >= 512:
        print(f"BREACH: {written} MB of RAM taken through {place}")
    try:
        for name in os.listdir(f"{place}/fill"):
            os.unlink(f"{place}/fill/{name}")
    except OSError:
        pass

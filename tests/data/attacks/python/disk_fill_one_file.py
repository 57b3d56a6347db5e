# Attack: fill the disk with one file that never stops growing.
import os

LIMIT_MB = int("{{FILE_SIZE_MB}}")
block = b"\0" * 2**20
try:
    with open("big.bin", "wb") as f:
        for _ in range(64 * 1024):
            f.write(block)
            f.flush()
finally:
    size = os.path.getsize("big.bin") // 2**20
    print(f"big.bin: {size} MB", flush=True)
    if size > LIMIT_MB:
        print(f"BREACH: one file of {size} MB with a file-size limit of {LIMIT_MB} MB")

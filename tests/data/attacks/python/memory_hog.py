# Attack: take memory until something stops it (one process, zero-filled so the pages are real).
LIMIT_MB = int("{{MEMORY_MB}}")
chunks = []
total = 0
try:
    while total < 1024:
        chunks.append(bytearray(32 * 2**20))
        total += 32
finally:
    print(f"held {total} MB", flush=True)
    if total > LIMIT_MB:
        print(f"BREACH: held {total} MB with a memory limit of {LIMIT_MB} MB")

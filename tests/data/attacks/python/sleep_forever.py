# Attack: never end, without using any CPU.
import time

print("going to sleep", flush=True)
time.sleep(10**6)

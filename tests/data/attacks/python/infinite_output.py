# Attack: write to stdout and stderr forever (the host must not keep it all, nor hang on it).
import sys

line = "y" * 1023 + "\n"
while True:
    sys.stdout.write(line * 64)
    sys.stderr.write(line * 16)

# Attack: spin on the CPU forever.
while True:
    pass

# Attack on the host's collection of outputs: make the figure directory a link to a host directory of
# images, link an image to a host file, and leave a named pipe with an image name (a host that opens
# it waits forever for a writer).
import os

os.makedirs(".codearena", exist_ok=True)
os.symlink("{{HOST_IMAGE_DIR}}", ".codearena/out")
os.symlink("{{HOST_IMAGE_DIR}}/host.png", "linked.png")
os.mkfifo("trap.png")
os.mkdir("pictures")
os.mkfifo("pictures/plot.png")
print("planted", flush=True)

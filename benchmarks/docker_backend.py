"""Time the docker backend on this machine and print the figures (needs root: it starts its own dockerd).

    .venv/bin/python benchmarks/docker_backend.py [--fresh] [--no-rootfs-cache] [--repeat N]

Prints: dockerd start-up, image set-up (mmdebstrap, docker import, image build; or nothing when the
images are already there), and the warm per-sample time (median of N) of a bare `python -c pass` and
of Python Runner samples from tests/data/corpus/python on the docker backend next to the local one.
`--fresh` uses a temporary data root (a cold daemon: images are built, as in CI on a fresh machine);
`--no-rootfs-cache` also redoes mmdebstrap instead of reusing cache/docker/base-*.rootfs.tar.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from codearena.extract import extract  # noqa: E402
from codearena.runners import RunContext, Sample, run_sample  # noqa: E402
from codearena.sandbox import Limits, get_backend  # noqa: E402
from codearena.sandbox import docker_images  # noqa: E402
from codearena.sandbox.dockerd import PrivateDockerd  # noqa: E402

CACHE = REPO / "cache" / "docker"
CASES = ("prime_sieve", "sales_chart", "average_of_nothing")


def median_time(fn, repeat: int) -> float:
    fn()  # warm-up (font cache, page cache, the image's layers)
    times = []
    for _ in range(repeat):
        start = time.monotonic()
        fn()
        times.append(time.monotonic() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="a temporary data root: build the images from scratch")
    parser.add_argument("--no-rootfs-cache", action="store_true", help="redo mmdebstrap (no cached rootfs tarball)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="cdk-bench-", dir="/tmp"))
    daemon = PrivateDockerd(root, None if args.fresh else CACHE / "engine")
    print(f"dockerd start:          {daemon.start():6.2f} s")
    try:
        client = daemon.client()
        cache = None if args.no_rootfs_cache else CACHE
        start = time.monotonic()
        timings = docker_images.build(client, ["python"], cache_dir=cache, log=lambda line: None)
        for step, seconds in timings.items():
            print(f"image {step:17s} {seconds:6.1f} s")
        print(f"images total:           {time.monotonic() - start:6.1f} s")

        docker = get_backend("docker", base_url=daemon.base_url)
        local = get_backend("local")
        with tempfile.TemporaryDirectory(prefix="cdk-bench-work-") as tmp:
            work = Path(tmp)
            work.chmod(0o711)  # bwrap's user namespace must be able to reach the work dirs (as in execute.py)
            for name, backend in (("local", local), ("docker", docker)):
                bare = median_time(lambda: backend.run([backend.python(), "-c", "pass"], work,
                                                       limits=Limits(wall_s=60)), args.repeat)
                print(f"{name:6s} python -c pass:  {bare:6.3f} s (median of {args.repeat})")
            corpus = REPO / "tests" / "data" / "corpus" / "python"
            for case in CASES:
                code = extract((corpus / f"{case}.md").read_text()).code
                line = f"sample {case:20s}"
                for name, backend in (("local", local), ("docker", docker)):
                    out = work / f"out-{name}"
                    (work / f"scratch-{name}").mkdir(exist_ok=True)
                    ctx = RunContext(workdir=work / f"scratch-{name}", outdir=out, backend=backend,
                                     settings={"timeout_s": 60, "cpu_s": 60})
                    statuses = set()

                    def once() -> None:
                        record = run_sample(Sample(case, "bench", "python", code), ctx)
                        statuses.add(record["status"] + (f": {record['stderr'][:300]}"
                                                         if record["status"] == "sandbox_error" else ""))

                    try:
                        seconds = median_time(once, args.repeat)
                    finally:
                        ctx.close()
                    line += f"  {name} {seconds:6.3f} s ({'/'.join(sorted(statuses))})"
                print(line + f"  (median of {args.repeat})")
        client.close()
    finally:
        start = time.monotonic()
        daemon.stop()
        print(f"dockerd stop+clean-up:  {time.monotonic() - start:6.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The docker backend's images, built by the project without any registry: `make images`.

* `base`: a Debian bookworm root file system made by `mmdebstrap` (packages: sandbox/docker/base.packages)
  and `docker import`ed, with a `sandbox` user (uid 1000) and an empty /sandbox;
* `python`: `FROM` base (sandbox/docker/python.Dockerfile), the sandbox's Python packages
  (sandbox/python/requirements.txt) and runner wrappers. The build has no network: the wheels are
  downloaded on the host (`pip download`, which uses the host's pip configuration and cache) and sent in
  the build context.

Tags are content addresses: `codearena/sandbox-<name>:<digest>`, the digest covering the Dockerfile,
the files copied in and the parent's digest. An image built from other sources has another tag, so the
backend never runs stale runner files, and an image that is already there is not built again.

With a cache directory, the mmdebstrap tarball (and, with `save=True`, a `docker save` of each image)
is kept there: a second build on a fresh daemon imports (or loads) instead of redoing it.

    python -m codearena.sandbox.docker_images [--cache DIR] [--save] [NAME ...]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .base import SandboxError, SandboxUnavailable

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO_ROOT / "sandbox" / "docker"
SUITE = "bookworm"
PYTHON_VERSION = "3.11"  # bookworm's python3: the wheels are chosen for it
GLIBC_MINOR = 36  # bookworm's glibc 2.36: the newest manylinux wheels the image can load
REPOSITORY = "codearena/sandbox-"
LABEL_DIGEST = "org.codearena.digest"
# The sandbox user of every image (same uid as bwrap's --uid in the local backend) and its work dir.
USER_HOOKS = [
    "--customize-hook=echo 'sandbox:x:1000:1000:sandbox:/sandbox:/usr/sbin/nologin' >> \"$1/etc/passwd\"",
    "--customize-hook=echo 'sandbox:x:1000:' >> \"$1/etc/group\"",
    "--customize-hook=mkdir -p -m 0755 \"$1/sandbox\"",
]
MMDEBSTRAP_OPTIONS = [
    "--variant=minbase", "--format=tar", "--dpkgopt=force-unsafe-io", "--aptopt=Acquire::Retries \"3\"",
    "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*", "--dpkgopt=path-exclude=/usr/share/info/*",
    *USER_HOOKS,
]


class ImageBuildError(SandboxError):
    """An image could not be built; the message holds the tail of the build log."""


@dataclass(frozen=True)
class ImageSpec:
    name: str
    parent: str | None  # the image it is built FROM (None: the mmdebstrap base)
    dockerfile: str | None = None  # under sandbox/docker/
    files: tuple[str, ...] = ()  # repository paths (files or directories) sent in the build context
    wheels: str | None = None  # a requirements file whose wheels go into the context's wheels/


IMAGES: dict[str, ImageSpec] = {
    "base": ImageSpec("base", None, files=("sandbox/docker/base.packages",)),
    "python": ImageSpec("python", "base", "python.Dockerfile", files=("sandbox/python",),
                        wheels="sandbox/python/requirements.txt"),
}


def _files(paths: Iterable[str]) -> list[Path]:
    """Every file under `paths` (repository-relative), sorted; caches and bytecode are left out."""
    found: list[Path] = []
    for rel in paths:
        path = REPO_ROOT / rel
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for p in sorted(path.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
                    found.append(p)
        else:
            raise SandboxError(f"{path}: listed in codearena.sandbox.docker_images but missing")
    return sorted(found)


def base_packages() -> list[str]:
    path = DOCKER_DIR / "base.packages"
    return [word for line in path.read_text().splitlines() for word in line.split("#")[0].split()]


def digest(name: str) -> str:
    """The content address of image `name`: everything its build reads from the repository."""
    spec = IMAGES[name]
    h = hashlib.sha256(f"codearena image {name}\n".encode())
    if spec.parent:
        h.update(f"parent {digest(spec.parent)}\n".encode())
    else:
        h.update(f"mmdebstrap {SUITE} {MMDEBSTRAP_OPTIONS}\n".encode())
    if spec.dockerfile:
        h.update((DOCKER_DIR / spec.dockerfile).read_bytes())
    for path in _files(spec.files):
        data = path.read_bytes()
        h.update(f"{path.relative_to(REPO_ROOT).as_posix()} {len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()[:16]


def tag(name: str) -> str:
    """The tag of image `name` for the current sources, e.g. `codearena/sandbox-python:1a2b...`."""
    return f"{REPOSITORY}{name}:{digest(name)}"


def _exists(client, ref: str) -> bool:
    import docker.errors

    try:
        client.api.inspect_image(ref)
        return True
    except docker.errors.ImageNotFound:
        return False


def _atomic_write(dest: Path, write: Callable[[Path], None]) -> None:
    """Write `dest` through a temporary file beside it, so a killed build leaves no half file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.stem}.{os.getpid()}.tmp{dest.suffix}")  # same suffix: mmdebstrap reads it
    try:
        write(tmp)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def _run(cmd: list[str], what: str) -> None:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise ImageBuildError(f"{what} failed (exit {proc.returncode}): {' '.join(cmd[:3])} ...\n"
                              f"{proc.stdout[-3000:]}")


def mmdebstrap_rootfs(dest: Path) -> None:
    """The base root file system as a tarball (Debian's mirror through apt; no registry)."""
    if shutil.which("mmdebstrap") is None:
        raise SandboxUnavailable("mmdebstrap is not installed; `apt-get install mmdebstrap` "
                                 "(tools/install-docker-packages.sh does it)")
    mirror = os.environ.get("CODEARENA_DEBIAN_MIRROR")  # default: deb.debian.org with updates and security

    def write(tmp: Path) -> None:
        cmd = ["mmdebstrap", *MMDEBSTRAP_OPTIONS, f"--include={','.join(base_packages())}", SUITE, str(tmp)]
        _run(cmd + ([mirror] if mirror else []), "mmdebstrap")

    _atomic_write(dest, write)


def download_wheels(requirements: Path, dest: Path) -> None:
    """The wheels of `requirements` for the image's Python and glibc, into `dest` (pip's own cache and
    the host's pip configuration apply; only this step needs the network)."""
    machine = platform.machine()
    # pip does not widen an explicit --platform to older manylinux tags: list every tag glibc 2.36 loads.
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(GLIBC_MINOR, 16, -1)]
    platforms += [f"manylinux2014_{machine}", f"manylinux2010_{machine}", f"manylinux1_{machine}"]
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
           "--only-binary=:all:", f"--python-version={PYTHON_VERSION}", "--implementation=cp",
           *(f"--platform={p}" for p in platforms), "--dest", str(dest), "-r", str(requirements)]
    _run(cmd, f"downloading the wheels of {requirements.relative_to(REPO_ROOT)}")


def _import_base(client, tarball: Path, ref: str, log: Callable[[str], None]) -> None:
    repository, _, version = ref.rpartition(":")
    client.api.import_image_from_file(str(tarball), repository=repository, tag=version,
                                      changes=[f"LABEL {LABEL_DIGEST}={version}", 'CMD ["python3"]'])
    if not _exists(client, ref):
        raise ImageBuildError(f"docker import of {tarball} did not create {ref}")
    log(f"imported {ref} from {tarball.name}")


def _context(spec: ImageSpec, ctx: Path) -> None:
    """The build context of `spec`: Dockerfile, the listed repository files and exactly the wheels of
    its requirements (pip's own cache makes a second download fast; no stale wheel is sent)."""
    shutil.copyfile(DOCKER_DIR / spec.dockerfile, ctx / "Dockerfile")
    for path in _files(spec.files):
        dest = ctx / path.relative_to(REPO_ROOT)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    if spec.wheels:
        download_wheels(REPO_ROOT / spec.wheels, ctx / "wheels")


def _docker_build(client, spec: ImageSpec, ref: str, ctx: Path, log: Callable[[str], None]) -> None:
    import docker.errors

    lines: list[str] = []
    start = time.monotonic()
    try:
        for chunk in client.api.build(path=str(ctx), tag=ref, buildargs={"BASE": tag(spec.parent)}, rm=True,
                                      forcerm=True, network_mode="none", decode=True,
                                      labels={LABEL_DIGEST: ref.rpartition(":")[2]}):
            if "stream" in chunk:
                for line in chunk["stream"].splitlines():
                    lines.append(line)
                    if line.startswith("Step "):
                        log(f"  {time.monotonic() - start:6.1f} s  {line[:100]}")
            if "error" in chunk:
                raise ImageBuildError(f"building {ref} failed: {chunk['error'].strip()}\n" + "\n".join(lines[-40:]))
    except docker.errors.APIError as e:
        raise ImageBuildError(f"building {ref} failed: {e.explanation or e}\n" + "\n".join(lines[-40:])) from e
    if not _exists(client, ref):
        raise ImageBuildError(f"building {ref} finished without the image\n" + "\n".join(lines[-40:]))
    log(f"built {ref}")


def _save(client, ref: str, dest: Path) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            for chunk in client.api.get_image(ref):
                f.write(chunk)

    _atomic_write(dest, write)


def build(client, names: Iterable[str] = ("python",), *, cache_dir: Path | None = None, save: bool = False,
          log: Callable[[str], None] = print) -> dict[str, float]:
    """Make sure the images `names` (and their parents) exist in the daemon of `client`; returns the
    seconds each step took (keys like `base:mmdebstrap`, `python:build`)."""
    timings: dict[str, float] = {}
    done: set[str] = set()

    def ensure(name: str) -> None:
        if name in done:
            return
        spec = IMAGES[name]
        done.add(name)
        ref = tag(name)
        if _exists(client, ref):
            log(f"{ref} is there")
            return
        version = ref.rpartition(":")[2]
        saved = cache_dir / f"{name}-{version}.image.tar" if cache_dir else None
        if saved is not None and saved.is_file():  # it holds the parents' layers too
            start = time.monotonic()
            with open(saved, "rb") as f:
                client.api.load_image(f)
            timings[f"{name}:load"] = time.monotonic() - start
            if _exists(client, ref):
                log(f"loaded {ref} from {saved}")
                return
        if spec.parent:
            ensure(spec.parent)
        start = time.monotonic()
        if spec.parent is None:
            rootfs = cache_dir / f"{name}-{version}.rootfs.tar" if cache_dir else None
            with tempfile.TemporaryDirectory(prefix="codearena-rootfs-") as tmp:
                if rootfs is None or not rootfs.is_file():
                    rootfs = rootfs or Path(tmp) / "rootfs.tar"
                    log(f"mmdebstrap {SUITE} -> {rootfs} ...")
                    mmdebstrap_rootfs(rootfs)
                    timings[f"{name}:mmdebstrap"] = time.monotonic() - start
                    start = time.monotonic()
                _import_base(client, rootfs, ref, log)
            timings[f"{name}:import"] = time.monotonic() - start
        else:
            with tempfile.TemporaryDirectory(prefix="codearena-build-") as tmp:
                ctx = Path(tmp)
                _context(spec, ctx)
                timings[f"{name}:context"] = time.monotonic() - start
                start = time.monotonic()
                log(f"building {ref} ...")
                _docker_build(client, spec, ref, ctx, log)
            timings[f"{name}:build"] = time.monotonic() - start
        if saved is not None and save and name in wanted:  # a parent's layers are in its child's tarball
            start = time.monotonic()
            _save(client, ref, saved)
            timings[f"{name}:save"] = time.monotonic() - start

    wanted = list(names)
    for name in wanted:
        if name not in IMAGES:
            raise ValueError(f"unknown image {name!r} (known: {', '.join(IMAGES)})")
    for name in wanted:
        ensure(name)
    return timings


def remove_stale(client, log: Callable[[str], None] = print) -> list[str]:
    """Remove (by tag) our images built from older sources: `codearena/sandbox-*` tags that are not
    the current one. Children before parents, so each removal frees its layers."""
    current = {tag(name) for name in IMAGES}
    order = {name: depth for depth, name in enumerate(_by_depth())}
    stale = []
    for image in client.api.images():
        for ref in image.get("RepoTags") or []:
            if ref.startswith(REPOSITORY) and ref not in current:
                stale.append(ref)
    stale.sort(key=lambda ref: -order.get(ref[len(REPOSITORY):].rpartition(":")[0], 0))
    for ref in stale:
        try:
            client.api.remove_image(ref)
            log(f"removed the stale image {ref}")
        except Exception as e:  # noqa: BLE001  (still used by a container: left for next time)
            log(f"kept the stale image {ref}: {e}")
    return stale


def _by_depth() -> list[str]:
    """Image names, parents before children."""
    ordered: list[str] = []

    def visit(name: str) -> None:
        if name not in ordered:
            if IMAGES[name].parent:
                visit(IMAGES[name].parent)
            ordered.append(name)

    for name in IMAGES:
        visit(name)
    return ordered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the docker backend's sandbox images (no registry).")
    parser.add_argument("names", nargs="*", default=["python"], help=f"images ({', '.join(IMAGES)}); default python")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the mmdebstrap tarball here (e.g. cache/docker)")
    parser.add_argument("--save", action="store_true", help="also keep a `docker save` of each image in --cache")
    parser.add_argument("--base-url", default=None, help="the Docker daemon (default: DOCKER_HOST)")
    parser.add_argument("--remove-stale", action="store_true",
                        help="remove our images built from older sources (codearena/sandbox-* with another tag)")
    args = parser.parse_args(argv)
    from .docker import DockerBackend

    client = DockerBackend(image="unused", base_url=args.base_url).client()
    start = time.monotonic()
    timings = build(client, args.names, cache_dir=args.cache, save=args.save)
    if args.remove_stale:
        remove_stale(client)
    for step, seconds in timings.items():
        print(f"{step:24s} {seconds:7.1f} s")
    print(f"{'total':24s} {time.monotonic() - start:7.1f} s")
    for name in args.names:
        print(f"image {name}: {tag(name)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SandboxError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)

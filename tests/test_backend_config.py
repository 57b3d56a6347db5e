"""What needs no engine: image tags follow their sources, the config chooses and configures a backend,
and execute_answers hands the backend its options."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from codearena.config import ConfigError, load_settings
from codearena.sandbox import SandboxUnavailable, docker_images, get_backend
from codearena.sandbox.docker import DockerBackend

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the files the images are built from, which docker_images then reads."""
    for rel in ("sandbox/docker", "sandbox/python"):
        shutil.copytree(REPO / rel, tmp_path / rel, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(docker_images, "REPO_ROOT", tmp_path)
    monkeypatch.setattr(docker_images, "DOCKER_DIR", tmp_path / "sandbox" / "docker")
    return tmp_path


def test_image_tags_are_content_addresses(repo_copy):
    base, python = docker_images.tag("base"), docker_images.tag("python")
    assert base.startswith("codearena/sandbox-base:") and python.startswith("codearena/sandbox-python:")
    (repo_copy / "sandbox/python/__pycache__").mkdir()
    (repo_copy / "sandbox/python/__pycache__/x.pyc").write_bytes(b"cache")
    assert docker_images.tag("python") == python  # bytecode caches are not sources

    wrapper = repo_copy / "sandbox/python/run_python.py"
    wrapper.write_text(wrapper.read_text() + "\n# changed\n")
    assert docker_images.tag("python") != python and docker_images.tag("base") == base

    packages = repo_copy / "sandbox/docker/base.packages"
    packages.write_text(packages.read_text() + "tzdata\n")
    assert docker_images.base_packages()[-1] == "tzdata"
    changed_base = docker_images.tag("base")
    assert changed_base != base
    assert docker_images.tag("python") != python  # a new parent makes a new child


def test_a_listed_source_that_is_missing_is_named(repo_copy):
    shutil.rmtree(repo_copy / "sandbox/python")
    with pytest.raises(Exception, match="sandbox/python: listed in codearena.sandbox.docker_images but missing"):
        docker_images.tag("python")


def test_the_backend_uses_the_image_of_the_current_sources():
    assert DockerBackend().image == docker_images.tag("python")
    assert DockerBackend(image="mine:1").image == "mine:1"


def _config(**execution) -> dict:
    cfg = yaml.safe_load((REPO / "config/config.yaml").read_text())
    cfg["execution"].update(execution)
    return cfg


def test_config_chooses_a_backend_and_its_options():
    s = load_settings(_config(backend="docker", docker={"image": "img:1", "cpus": 2}), "cfg.yaml", base_dirs=[REPO])
    assert s.config["execution"]["docker"] == {"image": "img:1", "base_url": None, "cpus": 2, "tmp_mb": 256}
    assert "e2b" not in s.config["execution"]  # a backend's options are only filled in when given
    s = load_settings(_config(backend="e2b", e2b={}), "cfg.yaml", base_dirs=[REPO])
    assert s.config["execution"]["e2b"]["template"] == "codearena-sandbox"


@pytest.mark.parametrize("execution, message", [
    ({"backend": "podman"}, "cfg.yaml: execution.backend: 'podman' is not one of"),
    ({"docker": {"imgae": "x"}}, "cfg.yaml: unknown key execution.docker.imgae"),
    ({"docker": {"cpus": 0}}, "cfg.yaml: execution.docker.cpus: 0 is less than or equal to the minimum of 0"),
])
def test_bad_backend_config_is_one_clear_line(execution, message):
    with pytest.raises(ConfigError) as e:
        load_settings(_config(**execution), "cfg.yaml", base_dirs=[REPO])
    assert str(e.value).startswith(message)


def test_execute_answers_gives_the_backend_its_options(tmp_path):
    from codearena.execute import execute_answers

    answers = tmp_path / "answers.jsonl"
    answers.write_text('{"uid": "q1", "env": "python", "status": "ok", "code": "print(1)"}\n')
    # A daemon that is not there: the job stops before the first sample, naming where it looked.
    with pytest.raises(SandboxUnavailable, match=f"no Docker engine answers at unix://{tmp_path}/no.sock"):
        execute_answers(answers, "python", tmp_path / "out", {"docker": {"base_url": f"unix://{tmp_path}/no.sock"}},
                        backend="docker", log=lambda _: None)


def test_unknown_backend_is_named():
    with pytest.raises(ValueError, match="unknown sandbox backend 'podman' \\(known: docker, e2b, local\\)"):
        get_backend("podman")

"""The execution environments an answer can target.

One row per environment. `name` is the upstream display string stored in records (kept for
compatibility with AutoCodeArena files), `slug` is the path-safe id used in
`results/executions/{model}/{env}/` and in config files.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Environment:
    slug: str
    name: str
    kind: str  # "web" (judged from screenshots) or "runner" (judged from stdout/stderr)


ENVIRONMENTS: tuple[Environment, ...] = (
    Environment("html", "HTML", "web"),
    Environment("react", "React", "web"),
    Environment("vue", "Vue", "web"),
    Environment("gradio", "Gradio", "web"),
    Environment("streamlit", "Streamlit", "web"),
    Environment("pygame", "PyGame", "web"),
    Environment("mermaid", "Mermaid", "web"),
    Environment("python", "Python Runner", "runner"),
    Environment("javascript", "Javascript Runner", "runner"),
    Environment("c", "C Runner", "runner"),
    Environment("cpp", "C++ Runner", "runner"),
    Environment("java", "Java Runner", "runner"),
    Environment("go", "Golang Runner", "runner"),
    Environment("rust", "Rust Runner", "runner"),
)

BY_SLUG: dict[str, Environment] = {e.slug: e for e in ENVIRONMENTS}
BY_NAME: dict[str, Environment] = {e.name: e for e in ENVIRONMENTS}
SLUGS: tuple[str, ...] = tuple(e.slug for e in ENVIRONMENTS)


def get(slug_or_name: str) -> Environment:
    """Look an environment up by slug ("python") or display name ("Python Runner")."""
    env = BY_SLUG.get(slug_or_name) or BY_NAME.get(slug_or_name)
    if env is None:
        known = ", ".join(SLUGS)
        raise KeyError(f"unknown environment {slug_or_name!r} (known: {known})")
    return env

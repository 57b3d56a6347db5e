"""Drawing the two models of a battle, Chatbot-Arena style.

The first model is drawn with probability proportional to its weight, its rival from the others by
weight, and the two are shown in random order. Each visitor session draws with its own generator
(seeded from the OS), so one visitor's draws never decide another's; upstream drew one pair per
process, so every visitor of a running app battled the same two models.
"""

from __future__ import annotations

import random
import secrets


def new_rng() -> random.Random:
    return random.Random(secrets.randbits(128))


def draw_pair(weights: dict[str, float], rng: random.Random) -> tuple[str, str]:
    """(model_a, model_b), two different models; raises ValueError with fewer than two weighted models."""
    names = [n for n, w in weights.items() if w > 0]
    if len(names) < 2:
        raise ValueError("at least two models need a weight above 0")
    first = rng.choices(names, weights=[weights[n] for n in names])[0]
    others = [n for n in names if n != first]
    second = rng.choices(others, weights=[weights[n] for n in others])[0]
    return (first, second) if rng.random() < 0.5 else (second, first)

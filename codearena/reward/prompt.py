"""The reward judge's messages for one battle: a system prompt (per mode) and one user message.

The user message follows `prompts/reward_user.txt`: the user's request (all turns), then each side's
final reply and, with execution, its output, error text and screenshot. Differences from upstream:
limits are in tokens (`tokens.truncate`, head and tail kept) instead of characters; error text is
shown (upstream dropped it, though it is the strongest sign of a failure); the placeholders are
filled in a single pass, so a literal `{ANSWER_B}` inside a user's text stays as it is; screenshots
are sent with their true MIME type (`judging.images`).

`order` "AB" shows the dataset's model A as assistant A; "BA" swaps the sides (for the second
order of a both-orders run), so a judge's "A" in that order means the dataset's model B.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from codearena.config import stable_hash
from codearena.io import read_text_file
from codearena.judging.images import encode_image
from codearena.llm.parts import image_part, merge_parts, text_part
from codearena.reward.tokens import ENCODING, truncate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
SYSTEM_PROMPTS = {
    "with_execution": PROMPTS_DIR / "reward_with_execution.txt",
    "without_execution": PROMPTS_DIR / "reward_without_execution.txt",
}
USER_TEMPLATE = PROMPTS_DIR / "reward_user.txt"
MODES = tuple(SYSTEM_PROMPTS)
ORDERS = ("AB", "BA")
_SLOTS = ("INSTRUCTION", "ANSWER_A", "EVIDENCE_A", "ANSWER_B", "EVIDENCE_B")
_SLOT_RE = re.compile(r"\{(" + "|".join(_SLOTS) + r")\}(\n?)")


@dataclass(frozen=True)
class Limits:
    """Token budgets per text (cl100k tokens) and the image size sent to the judge."""

    instruction: int = 2000
    answer: int = 6000
    output: int = 1000
    error: int = 1000
    image_max_side: int = 1024
    image_max_bytes: int = 1_000_000

    def shrunk(self, factor: float) -> "Limits":
        """Tighter text budgets after a provider said the prompt is too long."""
        return replace(self, **{k: max(50, int(getattr(self, k) * factor))
                                for k in ("instruction", "answer", "output", "error")})

    def settings(self) -> dict:
        return {**asdict(self), "tokenizer": ENCODING}


def system_prompt(mode: str, path: str | Path | None = None) -> str:
    if mode not in SYSTEM_PROMPTS:
        raise ValueError(f"unknown mode {mode!r} (expected one of {', '.join(MODES)})")
    return read_text_file(path or SYSTEM_PROMPTS[mode], f"reward judge prompt ({mode})")


def user_template(path: str | Path = USER_TEMPLATE) -> str:
    text = read_text_file(path, "reward judge user template")
    found = [m.group(1) for m in _SLOT_RE.finditer(text)]
    for slot in _SLOTS:
        if found.count(slot) != 1:
            raise ValueError(f"{path}: placeholder {{{slot}}} must appear exactly once (found {found.count(slot)})")
    return text


def prompt_fingerprint(system: str, template: str, limits: Limits) -> str:
    return stable_hash({"system": system, "user_template": template, "limits": limits.settings()})


@dataclass
class Built:
    messages: list[dict]
    truncated_tokens: int  # tokens left out of all texts together
    images: int  # screenshots attached


def build_messages(battle: dict, mode: str, order: str, system: str, template: str, limits: Limits) -> Built:
    """[system, user] messages for `battle` (a `battles.jsonl` record from `votes.read_battles`)."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    shown = ("A", "B") if order == "AB" else ("B", "A")
    counter = {"omitted": 0, "images": 0}

    def cut(text: str, budget: int) -> str:
        result, omitted = truncate(text or "", budget)
        counter["omitted"] += omitted
        return result

    values: dict[str, list[dict]] = {"INSTRUCTION": [text_part(cut(battle["instruction"], limits.instruction))]}
    for label, side in zip(("A", "B"), shown):
        data = battle["sides"][side]
        answer = cut(data.get("answer") or "", limits.answer)
        values[f"ANSWER_{label}"] = [text_part(answer if answer.strip() else "[this assistant's reply is empty]")]
        values[f"EVIDENCE_{label}"] = (
            _evidence(label, data, limits, cut, counter) if mode == "with_execution" else []
        )
    parts: list[dict] = []
    pos = 0
    for m in _SLOT_RE.finditer(template):
        parts.append(text_part(template[pos : m.start()]))
        filling = values[m.group(1)]
        if filling:  # an empty slot takes its line break with it
            parts.extend(filling)
            parts.append(text_part(m.group(2)))
        pos = m.end()
    parts.append(text_part(template[pos:]))
    messages = [{"role": "system", "content": system}, {"role": "user", "content": merge_parts(parts)}]
    return Built(messages, counter["omitted"], counter["images"])


def _evidence(label: str, data: dict, limits: Limits, cut, counter: dict) -> list[dict]:
    output, error = data.get("output") or "", data.get("error") or ""
    shot = data.get("screenshot_file")
    lines = [f"<|{label}: execution results begin|>"]
    if not (output.strip() or error.strip() or shot or data.get("screenshot_note")):
        lines.append("Nothing was recorded: the code was not run, or its run printed nothing and showed nothing.")
    else:
        lines.append("Output:\n" + (cut(output, limits.output) if output.strip() else "(none)"))
        lines.append("Error text:\n" + (cut(error, limits.error) if error.strip() else "(none)"))
    parts = [text_part("\n".join(lines) + "\n")]
    if shot:
        image = encode_image(shot, limits.image_max_side, limits.image_max_bytes)
        if image.data_url:
            parts += [text_part("Screenshot:\n"), image_part(image.data_url), text_part("\n")]
            counter["images"] += 1
        else:
            parts.append(text_part(f"Screenshot: not shown, {image.note}\n"))
    elif data.get("screenshot_note"):
        parts.append(text_part(f"Screenshot: not shown, {data['screenshot_note']}\n"))
    elif output.strip() or error.strip():
        parts.append(text_part("Screenshot: none\n"))
    parts.append(text_part(f"<|{label}: execution results end|>"))
    return parts

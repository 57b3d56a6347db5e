"""The judge's messages for one game: a system prompt and one user message of text and image parts.

The user message follows `prompts/judge_user.txt`: the question, then each answer with its full
response, its execution evidence and its screenshots/figures. Differences from upstream (items 27-30
of the spec's weaknesses): stdout/stderr keep head *and tail* (build and runtime errors are at the
end), stderr is shown whenever it is not empty, and an answer that was not run says why instead of
showing nothing. Image files are named by file name only, so the prompt (and its cache key) does not
depend on where the results directory lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from codearena.config import JudgeSpec, stable_hash
from codearena.io import read_text_file
from codearena.judging.images import MAX_BYTES, MAX_SIDE, encode_image
from codearena.judging.pairs import Pair, Side
from codearena.llm.parts import image_part, merge_parts, text_part

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
SYSTEM_PROMPT = PROMPTS_DIR / "judge_system.txt"
USER_TEMPLATE = PROMPTS_DIR / "judge_user.txt"
_SLOTS = ("QUESTION", "ANSWER_A", "IMAGES_A", "ANSWER_B", "IMAGES_B")
_SLOT_RE = re.compile(r"\{(" + "|".join(_SLOTS) + r")\}(\n?)")

# What each execution status means, in the judge's terms (statuses: docs/artifacts.md).
_STATUS = {
    "ok": "ok, it ran without an error",
    "error": "error, the program exited with an error or a page error stopped rendering",
    "timeout": "timeout, the program was stopped at the time limit (a long-running app or game may be fine)",
    "compile_error": "compile error",
    "build_error": "build error, the app could not be built",
    "missing_dependency": "not run, a package the code needs is not available in the sandbox (an environment limit)",
    "unsupported": "not run, this environment is not supported by the evaluation (not the answer's fault)",
    "sandbox_error": "not run, the sandbox itself failed (not the answer's fault)",
}


@dataclass(frozen=True)
class PromptOptions:
    with_execution: bool = True
    output_chars: int = 4000
    max_images: int = 2
    max_image_side: int = MAX_SIDE
    max_image_bytes: int = MAX_BYTES

    @classmethod
    def from_judge(cls, judge: JudgeSpec) -> "PromptOptions":
        return cls(with_execution=judge.with_execution, output_chars=judge.output_chars, max_images=judge.max_images)


def load_judge_prompt(path: str | Path | None = None) -> str:
    """The judge system prompt: `path` if given, else the packaged one."""
    return read_text_file(Path(path) if path else SYSTEM_PROMPT, "judge prompt file")


def prompt_fingerprint(path: str | Path | None = None) -> str:
    """sha256 of the judge system prompt and the user template: a rule param, so editing either reruns judging."""
    return stable_hash({"system": load_judge_prompt(path), "user_template": read_template()})


def read_template(path: str | Path = USER_TEMPLATE) -> str:
    text = Path(path).read_text(encoding="utf-8")
    check_template(text, str(path))
    return text


def check_template(template: str, source: str = "judge user template") -> None:
    found = [m.group(1) for m in _SLOT_RE.finditer(template)]
    for slot in _SLOTS:
        if found.count(slot) != 1:
            raise ValueError(f"{source}: placeholder {{{slot}}} must appear exactly once (found {found.count(slot)})")


def clip(text: str, limit: int) -> str:
    """`text` cut to about `limit` characters keeping its head and its tail (where errors are)."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 5
    tail = limit - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[len(text) - tail:]}"


def build_messages(pair: Pair, game: int, system_prompt: str, options: PromptOptions, template: str | None = None) -> list[dict]:
    """[system, user] messages for game 0 (A = baseline) or game 1 (A = model) of `pair`."""
    a, b = pair.game_sides(game)
    return build_comparison(pair.question, a, b, system_prompt, options, template)


def build_comparison(
    question: str, a: Side, b: Side, system_prompt: str, options: PromptOptions, template: str | None = None
) -> list[dict]:
    template = template if template is not None else read_template()
    check_template(template)
    values: dict[str, list[dict]] = {
        "QUESTION": [text_part(question)],
        "ANSWER_A": [text_part(answer_text(a, "A", options))],
        "ANSWER_B": [text_part(answer_text(b, "B", options))],
        "IMAGES_A": image_parts(a, "A", options),
        "IMAGES_B": image_parts(b, "B", options),
    }
    parts: list[dict] = []
    pos = 0
    for m in _SLOT_RE.finditer(template):
        parts.append(text_part(template[pos : m.start()]))
        filling = values[m.group(1)]
        if filling:  # an empty slot takes its line break with it, leaving no blank line behind
            parts.extend(filling)
            parts.append(text_part(m.group(2)))
        pos = m.end()
    parts.append(text_part(template[pos:]))
    return [{"role": "system", "content": system_prompt}, {"role": "user", "content": merge_parts(parts)}]


def answer_text(side: Side, label: str, options: PromptOptions) -> str:
    """The response block and (with execution) the execution block of one answer."""
    response = side.answer.get("answer") or ""
    blocks = [_block(f"{label}: response", response if response.strip() else "[the assistant's reply is empty]")]
    if options.with_execution:
        blocks.append(_block(f"{label}: execution", execution_text(side, options)))
    else:
        blocks.append(_block(f"{label}: execution", "Not shown: this comparison is judged on the answers alone."))
    return "\n\n".join(blocks)


def execution_text(side: Side, options: PromptOptions) -> str:
    """What happened when the answer's code ran, or why it was not run."""
    answer, run = side.answer, side.execution
    environment = answer.get("environment") or (run or {}).get("environment")
    if answer.get("status") == "failed":
        return "Not executed: there is no answer (the request to the assistant failed)."
    if answer.get("status") == "no_code" or not answer.get("code"):
        return "Not executed: the answer contains no code block."
    if not environment:
        return "Not executed: no runnable environment was recognised for this code."
    if run is None:
        return f"Not executed: there is no execution result for this answer (environment: {environment})."

    status = run.get("status", "?")
    lines = [f"Environment: {environment}", f"Status: {_STATUS.get(status, status)}"]
    if run.get("exit_code") is not None:
        lines.append(f"Exit code: {run['exit_code']}")
    if run.get("missing_dependencies"):
        lines.append("Missing packages: " + ", ".join(run["missing_dependencies"]))
    for name, key in (("Standard output", "stdout"), ("Standard error", "stderr")):
        text = run.get(key) or ""
        if not text.strip():
            lines.append(f"{name}: (empty)")
            continue
        shortened = len(text) > options.output_chars or run.get(f"{key}_truncated")
        note = " (shortened: start and end kept)" if shortened else ""
        lines.append(f"{name}{note}:\n{clip(text, options.output_chars)}")
    console = "\n".join(run.get("console") or [])
    if console.strip():
        lines.append(f"Browser console:\n{clip(console, options.output_chars)}")
    return "\n".join(lines)


def image_parts(side: Side, label: str, options: PromptOptions) -> list[dict]:
    """Up to `max_images` screenshots then figures, each preceded by a caption; notes for skipped files."""
    run = side.execution
    if not options.with_execution or run is None:
        return []
    # Web runners name the frames the judge sees (execution.frames[].judge); otherwise every screenshot.
    shots = run.get("judge_screenshots")
    files = [("Screenshot", Path(p)) for p in (run.get("screenshots") if shots is None else shots) or []]
    files += [("Figure", Path(p)) for p in run.get("figures") or []]
    parts: list[dict] = [text_part(f"<|{label}: screenshots and figures begin|>\n")]
    shown = 0
    for index, (kind, path) in enumerate(files):
        if shown == options.max_images:
            parts.append(text_part(f"({len(files) - index} more image(s) not shown)\n"))
            break
        image = encode_image(path, options.max_image_side, options.max_image_bytes)
        if image.data_url is None:
            parts.append(text_part(f"{kind} {path.name}: not shown, {image.note}\n"))
            continue
        parts.append(text_part(f"{kind} {path.name}:\n"))
        parts.append(image_part(image.data_url))
        parts.append(text_part("\n"))
        shown += 1
    if not files:
        parts.append(text_part("None: the run produced no screenshot or figure.\n"))
    parts.append(text_part(f"<|{label}: screenshots and figures end|>"))
    return parts


def _block(name: str, body: str) -> str:
    return f"<|{name} begins|>\n{body}\n<|{name} ends|>"

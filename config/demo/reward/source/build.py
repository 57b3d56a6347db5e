"""Build the BigCodeReward demo votes (DEMO DATA written for codearena) from `battles.yaml`.

    .venv/bin/python config/demo/reward/source/build.py

Every reply is run once to record its execution evidence the way the arena records it: HTML pages
are rendered in headless Chromium (a screenshot, and page errors as the error text), Python programs
are run with this interpreter (stdout as output, stderr as error text; they use only the standard
library). The rows are written in the `bigcode/bigcodereward` schema (flattened `execution_*`
columns and FastChat-style `states` with `sandbox_logs_by_round`) to `../data/train-00000-of-00001.parquet`.
Screenshots are small palette PNGs, to keep the file small.
"""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys
import tempfile
from pathlib import Path

import datasets
import yaml
from PIL import Image

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[3]
sys.path.insert(0, str(REPO))

from codearena.browser import Browser  # noqa: E402
from codearena.extract import extract  # noqa: E402

OUT = HERE.parent / "data" / "train-00000-of-00001.parquet"
PAIRS = (("good", "okay"), ("good", "broken"), ("okay", "broken"))
VIEWPORT = (480, 320)
ROUNDS = ("1", "2")
START_TIME = "2025-02-20 12:00:00"

_STATE = {
    "auto_selected_sandbox_environment": datasets.Value("string"),
    "code_dependencies": datasets.Sequence(datasets.Sequence(datasets.Value("string"))),
    "code_language": datasets.Value("string"),
    "code_to_execute": datasets.Value("string"),
    "conv_id": datasets.Value("string"),
    "enable_sandbox": datasets.Value("bool"),
    "enabled_round": datasets.Value("int64"),
    "execution_success": datasets.Value("bool"),
    "sandbox_environment": datasets.Value("string"),
    "sandbox_error": datasets.Value("string"),
    "sandbox_id": datasets.Value("string"),
    "sandbox_output": datasets.Value("string"),
    "sandbox_run_round": datasets.Value("int64"),
    "screenshot_base64": datasets.Value("string"),
    "screenshot_path": datasets.Value("string"),
}
_INTERACTION = [{"type": datasets.Value("string"), "time": datasets.Value("string"),
                 "x": datasets.Value("float64"), "y": datasets.Value("float64")}]
_ROUND = {"enabled_round": datasets.Value("int64"), "sandbox_run_round": datasets.Value("int64"),
          "sandbox_state": _STATE, "user_interaction_records": _INTERACTION}
_CHAT_STATE = {
    "chat_mode": datasets.Value("string"),
    "chat_session_id": datasets.Value("string"),
    "chat_start_time": datasets.Value("string"),
    "conv_id": datasets.Value("string"),
    "messages": datasets.Sequence(datasets.Sequence(datasets.Value("string"))),
    "model_name": datasets.Value("string"),
    "offset": datasets.Value("int64"),
    "roles": datasets.Sequence(datasets.Value("string")),
    "sandbox_logs_by_round": {r: _ROUND for r in ROUNDS},
    "system_message": datasets.Value("string"),
    "template_name": datasets.Value("string"),
    "total_rounds": datasets.Value("int64"),
}
FEATURES = datasets.Features({
    "chat_session_id": datasets.Value("string"),
    "instruction": datasets.Value("string"),
    "human_vote": datasets.Value("string"),
    "model_A": datasets.Value("string"),
    "model_B": datasets.Value("string"),
    "category_id": datasets.Value("int64"),
    "category_name": datasets.Value("string"),
    "execution_screenshot_A": datasets.Image(),
    "execution_output_A": datasets.Value("string"),
    "execution_error_A": datasets.Value("string"),
    "execution_screenshot_B": datasets.Image(),
    "execution_output_B": datasets.Value("string"),
    "execution_error_B": datasets.Value("string"),
    "states": {"model_A": _CHAT_STATE, "model_B": _CHAT_STATE},
})


def small_png(path: Path) -> bytes:
    """A palette PNG of the screenshot: a few KB instead of tens."""
    with Image.open(path) as im:
        image = im.convert("RGB")
    buf = io.BytesIO()
    image.quantize(colors=48, method=Image.Quantize.MEDIANCUT).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


class Runner:
    """Runs each distinct reply once: {code, language, environment, output, error, screenshot}."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.done: dict[str, dict] = {}

    def run(self, reply: str) -> dict:
        key = hashlib.sha256(reply.encode()).hexdigest()
        if key not in self.done:
            self.done[key] = self._run(reply)
        return self.done[key]

    def _run(self, reply: str) -> dict:
        found = extract(reply)
        env = found.environment.slug if found.environment else None
        result = {"code": found.code, "language": found.language, "environment": found.environment.name if found.environment else None,
                  "output": "", "error": "", "screenshot": None}
        with tempfile.TemporaryDirectory(prefix="reward-demo-") as tmp:
            tmp = Path(tmp)
            if env == "html":
                (tmp / "index.html").write_text(found.code, encoding="utf-8")
                shot = tmp / "shot.png"
                page = self.browser.capture(tmp, [shot], viewport=VIEWPORT, max_page_height=VIEWPORT[1], settle_ms=300)
                result["error"] = "\n".join(line for line in page.console if line.startswith("pageerror"))
                result["screenshot"] = small_png(page.screenshots[0]) if page.screenshots else None
            elif env == "python":
                (tmp / "main.py").write_text(found.code, encoding="utf-8")
                proc = subprocess.run([sys.executable, "-I", "main.py"], cwd=tmp, capture_output=True, text=True, timeout=60)
                result["output"] = proc.stdout
                # Tracebacks name the temporary directory; the arena's sandbox path reads better and is stable.
                result["error"] = proc.stderr.replace(str(tmp), "/home/user")
            else:
                raise SystemExit(f"unexpected environment {env!r} for a demo reply:\n{reply[:200]}")
        return result


def sandbox_round(evidence: dict, conv_id: str, number: int, clicks: bool) -> dict:
    shot = evidence["screenshot"]
    return {
        "enabled_round": number,
        "sandbox_run_round": number,
        "sandbox_state": {
            "auto_selected_sandbox_environment": evidence["environment"],
            "code_dependencies": [[], []],
            "code_language": evidence["language"],
            "code_to_execute": evidence["code"],
            "conv_id": conv_id,
            "enable_sandbox": True,
            "enabled_round": number,
            "execution_success": not evidence["error"],
            "sandbox_environment": evidence["environment"],
            "sandbox_error": evidence["error"],
            "sandbox_id": hashlib.sha256(f"{conv_id}/{number}".encode()).hexdigest()[:20],
            "sandbox_output": evidence["output"],
            "sandbox_run_round": number,
            "screenshot_base64": base64.b64encode(shot).decode("ascii") if shot else None,
            "screenshot_path": None,
        },
        "user_interaction_records": (
            [{"type": "click", "time": "2025-02-20T12:01:05", "x": 210.0, "y": 140.0}] if clicks and shot else []
        ),
    }


def chat_state(task: dict, replies: list[str], model: str, session: str, side: str, runner: Runner) -> dict:
    conv_id = hashlib.sha256(f"{session}/{side}".encode()).hexdigest()[:32]
    messages, logs = [], {r: None for r in ROUNDS}
    for number, (turn, reply) in enumerate(zip(task["turns"], replies), start=1):
        messages += [["user", turn], ["assistant", reply]]
        logs[str(number)] = sandbox_round(runner.run(reply), conv_id, number, task["category"] == "game_development")
    return {
        "chat_mode": "battle_anony",
        "chat_session_id": session,
        "chat_start_time": START_TIME,
        "conv_id": conv_id,
        "messages": messages,
        "model_name": model,
        "offset": 0,
        "roles": ["user", "assistant"],
        "sandbox_logs_by_round": logs,
        "system_message": "",
        "template_name": "demo",
        "total_rounds": len(task["turns"]),
    }


def vote_label(choice: str, left: str, right: str) -> str:
    if choice in ("tie", "both_bad"):
        return f"vote_{choice}"
    if choice == left:
        return "vote_model_A"
    if choice == right:
        return "vote_model_B"
    raise SystemExit(f"vote {choice!r} names neither {left!r} nor {right!r}")


def build_rows(spec: dict, runner: Runner) -> list[dict]:
    rows, index = [], 0
    for task in spec["tasks"]:
        if len(task["turns"]) > len(ROUNDS):
            raise SystemExit(f"{task['id']}: at most {len(ROUNDS)} turns")
        for first, second in PAIRS:
            # Alternate who sits on the left, so the votes are not all for model A.
            left, right = (first, second) if index % 2 == 0 else (second, first)
            index += 1
            session = f"demo-{task['id']}-{first}-vs-{second}"
            row = {
                "chat_session_id": session,
                "instruction": task["turns"][0],
                "human_vote": vote_label(task["votes"][f"{first}-{second}"], left, right),
                "model_A": task["models"][left],
                "model_B": task["models"][right],
                "category_id": spec["categories"][task["category"]],
                "category_name": task["category"],
                "states": {},
            }
            for side, variant in (("A", left), ("B", right)):
                replies = ([task["first_reply"]] if len(task["turns"]) == 2 else []) + [task["answers"][variant]]
                final = runner.run(replies[-1])
                row[f"execution_screenshot_{side}"] = {"bytes": final["screenshot"], "path": None} if final["screenshot"] else None
                row[f"execution_output_{side}"] = final["output"]
                row[f"execution_error_{side}"] = final["error"]
                row["states"][f"model_{side}"] = chat_state(task, replies, task["models"][variant], session, side, runner)
            rows.append(row)
    return rows


def main() -> None:
    spec = yaml.safe_load((HERE / "battles.yaml").read_text(encoding="utf-8"))
    with Browser() as browser:
        rows = build_rows(spec, Runner(browser))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    datasets.Dataset.from_list(rows, features=FEATURES).to_parquet(str(OUT))
    print(f"{len(rows)} battles written to {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()

"""Votes in the bigcode/bigcodereward schema and a scripted reward judge, for the reward tests."""

from __future__ import annotations

import io
import json
import re

from PIL import Image, ImageDraw

from fake_llm_server import text_of


def png(colour: str = "navy", text: str = "hello", size=(120, 80)) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, size[0] - 10, size[1] - 10], fill=colour)
    draw.text((15, 15), text, fill="white")
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def sandbox_round(output="", error="", screenshot_b64=None):
    return {"sandbox_state": {"sandbox_output": output, "sandbox_error": error, "screenshot_base64": screenshot_b64},
            "user_interaction_records": []}


def chat_state(turns, replies, logs=None, model="m"):
    messages = []
    for turn, reply in zip(turns, replies):
        messages += [["user", turn], ["assistant", reply]]
    return {"messages": messages, "roles": ["user", "assistant"], "model_name": model,
            "sandbox_logs_by_round": logs or {"1": sandbox_round()}}


def row(cid, vote="vote_model_A", model_a="m1", model_b="m2", category="web_design", turns=("Make a page",),
        replies_a=("```html\n<p>a</p>\n```",), replies_b=("```html\n<p>b</p>\n```",), instruction=None,
        logs_a=None, logs_b=None, **columns):
    """One hub-schema row; `columns` sets execution_* columns (absent ones are empty)."""
    out = {
        "chat_session_id": cid,
        "instruction": turns[0] if instruction is None else instruction,
        "human_vote": vote,
        "model_A": model_a,
        "model_B": model_b,
        "category_id": 1,
        "category_name": category,
        "states": {"model_A": chat_state(turns, replies_a, logs_a, model_a),
                   "model_B": chat_state(turns, replies_b, logs_b, model_b)},
    }
    for side in "AB":
        out[f"execution_output_{side}"] = ""
        out[f"execution_error_{side}"] = ""
        out[f"execution_screenshot_{side}"] = None
    out.update(columns)
    return out


_WINNER = re.compile(r"<\|(A|B): execution results begin\|>(.*?)<\|\1: execution results end\|>", re.DOTALL)


def scripted_judge(request: dict) -> str:
    """A deterministic reward judge: the side without error text wins; a draw goes to position A
    (a judge with a position bias, so both-orders runs see flips). Code-only: the longer reply wins."""
    user = "\n".join(text_of(m.get("content")) for m in request["messages"] if m.get("role") == "user")
    evidence = dict((side, body) for side, body in _WINNER.findall(user))
    if evidence:
        failed = {side: "Error text:\n(none)" not in body for side, body in evidence.items()}
        if failed["A"] != failed["B"]:
            winner = "B" if failed["A"] else "A"
        else:
            winner = "A"
    else:
        a = user.split("<|Assistant A's reply begins|>")[1].split("<|Assistant A's reply ends|>")[0]
        b = user.split("<|Assistant B's reply begins|>")[1].split("<|Assistant B's reply ends|>")[0]
        winner = "A" if len(a) > len(b) + 20 else "B" if len(b) > len(a) + 20 else "Tie"
    return json.dumps({"Overall": {"winner": winner, "reasoning": "scripted test judge"}})

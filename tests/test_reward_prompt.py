"""The reward judge's input: token-aware limits, single-pass templating, modes and orders; reply parsing."""

import os
from pathlib import Path

import pytest

from codearena.reward.parse import parse_reply
from codearena.reward.prompt import Limits, build_messages, system_prompt, user_template
from codearena.reward.tokens import count_tokens, encoding, truncate
from reward_fakes import png


def test_tokenizer_is_the_copy_bundled_with_litellm():
    enc = encoding()
    assert enc.name == "cl100k_base"
    cache = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    assert "litellm" in cache.parts and any(cache.iterdir())  # never downloaded: read from the wheel
    assert count_tokens("hello world") == 2
    assert count_tokens("say <|endoftext|> here") > 3  # special-token text counts as text, no error


@pytest.mark.parametrize("text", ["word " * 5000, "x" * 30000, "数据" * 3000, "\n".join(map(str, range(5000)))])
def test_truncation_keeps_head_and_tail_within_the_token_budget(text):
    out, omitted = truncate(text, 200)
    assert omitted > 0 and count_tokens(out) <= 200 + 20  # the marker costs a few tokens
    head, tail = out.split("\n[... ")
    assert text.startswith(head[:20]) and text.endswith(tail.split(" omitted ...]\n")[1][-20:])
    assert f"{omitted} tokens omitted" in out


def test_short_text_is_unchanged_and_dense_text_is_cut_where_characters_would_not():
    assert truncate("short text", 100) == ("short text", 0)
    # 4000 characters of base64-like text are ~3000 tokens: a 4000-character budget would pass it whole.
    dense = "".join(chr(65 + (i * 7919) % 57) for i in range(4000))
    assert count_tokens(dense) > 1000
    assert truncate(dense, 1000)[1] > 0


def battle(tmp_path, instruction="Make a page", answer_a="Answer A", answer_b="Answer B"):
    shot = tmp_path / "a.png"
    shot.write_bytes(png())
    return {
        "chat_session_id": "b1", "instruction": instruction,
        "sides": {
            "A": {"answer": answer_a, "output": "printed A", "error": "", "screenshot_file": str(shot)},
            "B": {"answer": answer_b, "output": "", "error": "Traceback: boom", "screenshot_file": None},
        },
    }


def user_text(messages):
    return "".join(p.get("text", "") for p in messages[1]["content"] if p["type"] == "text")


def test_with_execution_shows_output_error_and_screenshot_with_its_true_mime_type(tmp_path):
    built = build_messages(battle(tmp_path), "with_execution", "AB", system_prompt("with_execution"), user_template(), Limits())
    parts = built.messages[1]["content"]
    images = [p for p in parts if p["type"] == "image_url"]
    assert built.images == len(images) == 1 and images[0]["image_url"]["url"].startswith("data:image/png;base64,")
    text = user_text(built.messages)
    assert text.index("Answer A") < text.index("printed A") < text.index("Answer B") < text.index("Traceback: boom")
    assert built.messages[0]["role"] == "system" and "JSON" in built.messages[0]["content"]


def test_code_only_mode_shows_no_evidence_and_the_second_order_swaps_the_sides(tmp_path):
    b = battle(tmp_path)
    built = build_messages(b, "without_execution", "BA", system_prompt("without_execution"), user_template(), Limits())
    text = user_text(built.messages)
    assert built.images == 0 and "printed A" not in text and "Traceback" not in text
    assert text.index("Answer B") < text.index("Answer A")  # B's reply sits in position A
    assert "execution results" not in text


def test_placeholders_in_user_text_are_not_substituted(tmp_path):
    b = battle(tmp_path, instruction="Print {ANSWER_B} and {EVIDENCE_A} literally", answer_a="uses {INSTRUCTION}")
    text = user_text(build_messages(b, "with_execution", "AB", system_prompt("with_execution"), user_template(),
                                    Limits()).messages)
    assert "Print {ANSWER_B} and {EVIDENCE_A} literally" in text and "uses {INSTRUCTION}" in text


def test_long_texts_are_cut_to_their_token_budgets(tmp_path):
    b = battle(tmp_path, instruction="ask " * 3000, answer_a="code " * 9000)
    b["sides"]["B"]["error"] = "trace line\n" * 4000 + "ValueError: the real cause"
    limits = Limits(instruction=100, answer=300, output=50, error=80)
    built = build_messages(b, "with_execution", "AB", system_prompt("with_execution"), user_template(), limits)
    text = user_text(built.messages)
    assert built.truncated_tokens > 10000
    assert count_tokens(text) < 100 + 2 * 300 + 2 * 50 + 2 * 80 + 400  # budgets plus the template
    assert "ValueError: the real cause" in text  # the tail of a log is kept


@pytest.mark.parametrize("reply,label", [
    ('{"Overall": {"winner": "A", "reasoning": "r"}}', "A"),
    ('{"Overall": {"winner": " tie ", "reasoning": "r"}}', "tie"),
    ('```json\n{"Overall": {"winner": "B", "reasoning": "r"}}\n```', "B"),
    ('After comparing both:\n\n```json\n{"Overall": {"winner": "Tie", "reasoning": "r {x}"}}\n```\n', "tie"),
    ('{"overall": {"Winner": "b"}}', "B"),
])
def test_replies_in_the_asked_shape_are_read(reply, label):
    assert parse_reply(reply)[0] == label


@pytest.mark.parametrize("reply,why", [
    ("", "empty"),
    ("Model A is better.", "not a JSON object"),
    ('{"Overall": {"winner": "A"} trailing', "not a JSON object"),
    ('{"winner": "A"}', 'no "Overall"'),
    ('{"Overall": "A"}', 'no "Overall"'),
    ('{"Overall": {"winner": "both bad"}}', "not \"A\", \"B\" or \"Tie\""),
    ('["A"]', "not an object"),
    ('Text {"Overall": {"winner": "A"}} text', "not a JSON object"),
])
def test_anything_else_gets_no_verdict_and_a_reason(reply, why):
    label, _, reason = parse_reply(reply)
    assert label is None and why in reason

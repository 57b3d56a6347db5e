"""Token-aware truncation of judge inputs, offline.

Limits are in tokens, not characters: a character budget lets dense text (minified code, base64,
CJK) blow through a model's context window while wasting it on sparse prose. Tokens are counted with
OpenAI's `cl100k_base` encoding through tiktoken, whose data file litellm bundles in its wheel (and
points tiktoken at when imported), so counting never needs the network. Other providers' tokenizers
differ by some 10-20%; the limits are budgets for a prompt, not exact fits, and a provider's
context-length error makes the judge retry with tighter limits.

Long text keeps its head and its tail (build and runtime errors are at the end of a log, the final
code at the end of an answer) around a marker saying how many tokens were left out.
"""

from __future__ import annotations

from functools import lru_cache

ENCODING = "cl100k_base"


@lru_cache(maxsize=1)
def encoding():
    # Importing litellm's module sets TIKTOKEN_CACHE_DIR to the copies bundled with litellm.
    from litellm.litellm_core_utils.default_encoding import encoding as bundled

    if bundled.name != ENCODING:  # litellm changed its default: load ours from the same directory
        import tiktoken

        return tiktoken.get_encoding(ENCODING)
    return bundled


def _encode(text: str) -> list[int]:
    # Model and user text may contain special-token strings such as "<|endoftext|>": count them as text.
    return encoding().encode(text, disallowed_special=())


def count_tokens(text: str) -> int:
    return len(_encode(text)) if text else 0


def truncate(text: str, max_tokens: int, head_share: float = 0.4) -> tuple[str, int]:
    """(`text` cut to about `max_tokens` tokens keeping head and tail, tokens left out).

    The marker itself is a dozen tokens on top of the budget. A budget of 0 drops the text entirely.
    """
    if max_tokens < 0:
        raise ValueError(f"max_tokens must be >= 0, not {max_tokens}")
    if not text:
        return text, 0
    tokens = _encode(text)
    if len(tokens) <= max_tokens:
        return text, 0
    omitted = len(tokens) - max_tokens
    if max_tokens == 0:
        return f"[... all {omitted} tokens omitted ...]", omitted
    head = int(max_tokens * head_share)
    tail = max_tokens - head
    enc = encoding()
    start = enc.decode(tokens[:head])
    end = enc.decode(tokens[len(tokens) - tail:])
    return f"{start}\n[... {omitted} tokens omitted ...]\n{end}", omitted

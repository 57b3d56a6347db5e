"""The LLM judge: each pair is shown to a judge model twice (positions swapped), through the response cache.

A reply without a readable label is not stored as a silent null (upstream never retried those): the
judge is asked again, up to `judge.max_reasks` times, with its own reply and a short request for the
label appended. Each re-ask is an ordinary call, so it is cached too and a rerun costs nothing. Only
if every reply is unreadable, or a call fails after the client's retries, is the game recorded with
`verdict: null` and an `error`; all replies are kept in `raw`. Failed calls are not cached, so
rerunning the rule retries exactly those games.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Callable

from codearena.config import JudgeSpec, ModelSpec, stable_hash
from codearena.judging.pairs import JUDGE_CALL_FAILED, Pair, judgment_record, new_game, skipped_game
from codearena.judging.prompt import PromptOptions, build_messages, read_template
from codearena.judging.verdict import LABELS, parse_verdict
from codearena.llm.cache import ResponseCache
from codearena.llm.client import CallFailed, LLMClient

REASK = (
    "I could not find your verdict. Reply with exactly one of these labels and nothing else: "
    + ", ".join(f"[[{label}]]" for label in LABELS)
    + "."
)

Log = logging.Logger | Callable[[str], object] | None


def judge_pairs(
    judge: JudgeSpec, judge_model: ModelSpec, pairs: list[Pair], cache: ResponseCache, prompt_text: str, log: Log = None
) -> list[dict]:
    """Judgment records (docs/artifacts.md) for `pairs`, sorted by uid; all games run in one event loop
    with at most `judge_model.concurrency` calls in flight. `prompt_text` is the judge system prompt."""
    if judge.type != "llm":
        raise ValueError(f"judge {judge.name!r} has type {judge.type!r}, not 'llm'")
    records = asyncio.run(_judge_all(judge, judge_model, pairs, cache, prompt_text, _logger(log)))
    return sorted(records, key=lambda r: r["uid"])


async def _judge_all(
    judge: JudgeSpec, judge_model: ModelSpec, pairs: list[Pair], cache: ResponseCache, prompt_text: str, log
) -> list[dict]:
    client = LLMClient(judge_model, cache)
    options = PromptOptions.from_judge(judge)
    template = read_template()
    limit = asyncio.Semaphore(judge_model.concurrency)
    stats = {"calls": 0, "cached": 0}

    async def one_game(pair: Pair, game: int) -> tuple[dict, str]:
        record = skipped_game(pair, game)
        if record is not None:
            return record, stable_hash({"skipped": record["skipped"]})
        # Messages (with base64 images) are built only once a call slot is free, so at most
        # `concurrency` games' images are in memory at a time.
        async with limit:
            messages = await asyncio.to_thread(build_messages, pair, game, prompt_text, options, template)
            digest = stable_hash(messages)
            record = await _play(client, judge, messages, new_game(pair, game), stats)
        return record, digest

    games = await asyncio.gather(*(one_game(p, g) for p in pairs for g in (0, 1)))
    settings = {"judge": _judge_settings(judge), "judge_model": judge_model.settings()}
    records = []
    for i, pair in enumerate(pairs):
        (g0, h0), (g1, h1) = games[2 * i], games[2 * i + 1]
        records.append(judgment_record(pair, judge.name, [g0, g1], stable_hash({"games": [h0, h1], **settings})))

    errors = sum(g["error"] is not None for g, _ in games)
    skipped = sum(g["skipped"] is not None for g, _ in games)
    log(
        f"judge {judge.name} ({judge_model.name}): {len(games)} games, {stats['calls']} calls "
        f"({stats['cached']} from cache), {skipped} skipped, {errors} without verdict"
    )
    return records


async def _play(client: LLMClient, judge: JudgeSpec, messages: list[dict], record: dict, stats: dict) -> dict:
    """Ask the judge, re-asking for a label up to `judge.max_reasks` times; fill in `record`."""
    usages, costs = [], []
    for attempt in range(judge.max_reasks + 1):
        try:
            completion = await client.complete(messages, temperature=judge.temperature, max_tokens=judge.max_tokens)
        except CallFailed as e:
            record["error"] = JUDGE_CALL_FAILED + (getattr(e, "reason", None) or str(e))
            break
        stats["calls"] += 1
        stats["cached"] += bool(completion.cached)
        text = completion.text or ""
        record["raw"].append(text)
        record["request_hashes"].append(completion.request_hash)
        usages.append(completion.usage)
        costs.append(completion.cost_usd)
        verdict = parse_verdict(text)
        if verdict is not None:
            record["verdict"] = verdict
            break
        if attempt < judge.max_reasks:
            messages = messages + [{"role": "assistant", "content": text}, {"role": "user", "content": REASK}]
    else:
        record["error"] = f"no verdict label in {len(record['raw'])} replies"
    record["usage"] = _sum_usage(usages)
    record["cost_usd"] = sum(c for c in costs if c is not None) if any(c is not None for c in costs) else None
    return record


def _sum_usage(usages: list[dict | None]) -> dict | None:
    present = [u for u in usages if u]
    if not present:
        return None
    total: dict[str, int] = {}
    for usage in present:
        for key, value in usage.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                total[key] = total.get(key, 0) + value
    return total


def _judge_settings(judge: JudgeSpec) -> dict:
    """Judge settings that shape its verdicts; the prompt file's location is left out (its text is hashed)."""
    settings = judge.settings()
    settings.pop("prompt", None)
    return settings


def _logger(log: Log) -> Callable[[str], object]:
    if log is None:
        return logging.getLogger(__name__).info
    if isinstance(log, logging.Logger):
        return log.info
    return log

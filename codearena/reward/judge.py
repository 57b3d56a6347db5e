"""Judging human-voted battles: one flat verdict record per (battle, judge, mode).

Two kinds of judge, configured under `judges:` as for the leaderboard:

* an **LLM judge** answers A, B or Tie as a JSON object (`parse`); an unreadable reply gets one
  bounded re-ask (`max_reasks`) with the reason, then the battle is recorded as an error with every
  raw reply kept. A provider's context-length error rebuilds the prompt with halved token budgets
  (twice at most; upstream parsed that error as if it were the judge's reply). Calls go through the shared
  response cache, so a rerun repeats no successful call. No other model is ever asked.
* the **execution judge** (`judging.execution_judge`, no LLM) compares the two sides' execution
  evidence with its fixed rules: the no-LLM baseline. It only has a with-execution mode.

With `both_orders` each battle is also judged with the sides swapped; the record's verdict then
combines the orders (A = 1, tie = 1/2, B = 0 for the dataset's model A, averaged: above 1/2 is A,
below is B, exactly 1/2 a tie), and `position_flip` says whether the two orders disagreed. If one
order fails, the other decides alone and no flip is counted.

Records are appended to a `Journal` as they finish and reused on the next run when the battle's
judge input and the judge settings are unchanged (`input_sha256`), the verdict is not an error and
no order's judge call failed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

import litellm

from codearena.config import JudgeSpec, ModelSpec, stable_hash
from codearena.extract import extract
from codearena.judging.execution_judge import RULES_VERSION, compare
from codearena.judging.llm_judge import _sum_usage  # the same usage totals as the leaderboard judge
from codearena.judging.pairs import JUDGE_CALL_FAILED, Side, call_failed
from codearena.llm.cache import ResponseCache
from codearena.llm.client import CallFailed, LLMClient, MissingAPIKey
from codearena.reward.journal import Journal
from codearena.reward.labels import ERROR, score_a, swap
from codearena.reward.parse import REASK, parse_reply
from codearena.reward.prompt import build_messages, prompt_fingerprint, system_prompt, user_template
from codearena.reward.run_settings import RECORD_VERSION, RunSettings, judge_settings

MAX_SHRINKS = 2  # prompt rebuilds with halved budgets after a context-length error
_EXECUTION_LABEL = {"A>>B": "A", "A>B": "A", "A=B": "tie", "B>A": "B", "B>>A": "B"}

Log = Callable[[str], object]


def battle_fingerprint(battle: dict) -> dict:
    """The part of a battle a judge sees (never the human vote, the category or the model names)."""
    return {
        "instruction": battle["instruction"],
        "sides": {
            side: {k: data.get(k) for k in ("answer", "output", "error", "screenshot_sha256", "screenshot_note")}
            for side, data in battle["sides"].items()
        },
    }


def _meta(battle: dict, judge: JudgeSpec, run: RunSettings) -> dict:
    """Fields copied from the battle (refreshed on reuse: they are not the judge's output)."""
    return {
        "chat_session_id": battle["chat_session_id"],
        "judge": judge.name,
        "judge_type": judge.type,
        "judge_model": judge.model,
        "mode": run.mode,
        "model_A": battle["model_A"],
        "model_B": battle["model_B"],
        "category": battle.get("category") or "unknown",
        "human_vote": battle["human_vote"],
    }


def combine(orders: list[dict]) -> tuple[str, bool | None]:
    """(verdict for the dataset's sides, position flip or None) from the orders' verdicts."""
    verdicts = [o["verdict"] for o in orders if o.get("verdict")]
    if not verdicts:
        return ERROR, None
    mean = sum(score_a(v) for v in verdicts) / len(verdicts)
    verdict = "A" if mean > 0.5 else "B" if mean < 0.5 else "tie"
    flip = verdicts[0] != verdicts[1] if len(verdicts) == 2 else None
    return verdict, flip


def run_judge(
    judge: JudgeSpec,
    model: ModelSpec | None,
    battles: list[dict],
    run: RunSettings,
    journal: Journal,
    cache: ResponseCache | None = None,
    log: Log | None = None,
) -> list[dict]:
    """Verdict records for every battle, sorted by id: reused from the journal or judged now."""
    log = log or logging.getLogger(__name__).info
    if judge.type == "execution" and run.mode != "with_execution":
        raise ValueError(f"judge {judge.name!r}: the execution judge reads only execution evidence; "
                         f"mode {run.mode!r} does not apply")
    if judge.type == "llm" and (model is None or cache is None):
        raise ValueError(f"judge {judge.name!r}: an LLM judge needs its model and the response cache")
    settings_sha = stable_hash(judge_settings(judge, model, run))
    done = journal.latest()
    records: dict[str, dict] = {}
    todo: list[tuple[dict, str]] = []
    for battle in battles:
        input_sha = stable_hash({"battle": battle_fingerprint(battle), "settings": settings_sha})
        old = done.get(battle["chat_session_id"])
        if old and old.get("input_sha256") == input_sha and old.get("verdict") != ERROR and not _call_failed(old):
            records[battle["chat_session_id"]] = {**old, **_meta(battle, judge, run)}
        else:
            todo.append((battle, input_sha))
    log(f"{judge.name} / {run.mode}: {len(battles)} battles, {len(records)} already judged, {len(todo)} to judge")

    if judge.type == "execution":
        for battle, input_sha in todo:
            record = _execution_record(battle, judge, run, input_sha)
            journal.append(record)
            records[battle["chat_session_id"]] = record
    else:
        for record in asyncio.run(_judge_llm(judge, model, todo, run, journal, cache, log)):
            records[record["chat_session_id"]] = record
    errors = sum(r["verdict"] == ERROR for r in records.values())
    log(f"{judge.name} / {run.mode}: done, {errors} battle(s) without a verdict")
    return [records[cid] for cid in sorted(records)]


# ------------------------------------------------------------------------------------------------
# the execution judge


def _execution_side(battle: dict, side: str) -> Side:
    data = battle["sides"][side]
    found = extract(data.get("answer") or "")
    answer = {
        "status": "ok" if found.code else "no_code",
        "code": found.code,
        "environment": found.environment.name if found.environment else None,
    }
    shot = data.get("screenshot_file")
    if not ((data.get("output") or "").strip() or (data.get("error") or "").strip() or shot):
        return Side(battle[f"model_{side}"], answer, None)  # nothing recorded: not run
    execution = {
        # The dataset has no exit status: error text is what marks a failed run.
        "status": "error" if (data.get("error") or "").strip() else "ok",
        "exit_code": None,
        "stdout": data.get("output") or "",
        "stderr": data.get("error") or "",
        "screenshots": [shot] if shot else [],
        "figures": [],
        "console": [],
    }
    return Side(battle[f"model_{side}"], answer, execution)


def _execution_record(battle: dict, judge: JudgeSpec, run: RunSettings, input_sha: str) -> dict:
    label, explanation = compare(_execution_side(battle, "A"), _execution_side(battle, "B"))
    order = _new_order("AB") | {"verdict": _EXECUTION_LABEL[label], "winner": label, "raw": [explanation]}
    return _record(battle, judge, run, [order], input_sha, prompt_sha=stable_hash({"execution_judge_rules": RULES_VERSION}))


# ------------------------------------------------------------------------------------------------
# the LLM judge


def _new_order(order: str) -> dict:
    return {"order": order, "verdict": None, "winner": None, "raw": [], "parsed": None, "error": None,
            "truncated_tokens": 0, "images": 0, "shrinks": 0, "request_hashes": [], "usage": None,
            "cost_usd": None, "calls": 0, "cached": 0}


def _record(battle: dict, judge: JudgeSpec, run: RunSettings, orders: list[dict], input_sha: str, prompt_sha: str) -> dict:
    verdict, flip = combine(orders)
    errors = [o["error"] for o in orders if o.get("error")]
    return {
        **_meta(battle, judge, run),
        "verdict": verdict,
        "position_flip": flip,
        "error": "; ".join(errors) if verdict == ERROR else None,
        "orders": orders,
        "input_sha256": input_sha,
        "prompt_sha256": prompt_sha,
        "version": RECORD_VERSION,
        "tstamp": time.time(),
    }


def _call_failed(record: dict) -> bool:
    """An order's judge call failed (the other may have decided): judged again, as failed answers
    and judge games are (only the failed call reaches the provider; the rest is cached)."""
    return any(isinstance(o, dict) and call_failed(o) for o in record.get("orders") or [])


async def _judge_llm(judge, model, todo, run: RunSettings, journal: Journal, cache, log) -> list[dict]:
    client = LLMClient(model, cache)
    system = system_prompt(run.mode, run.system_prompt_path)
    template = user_template()
    prompt_sha = prompt_fingerprint(system, template, run.limits)
    limit = asyncio.Semaphore(model.concurrency)
    orders = ("AB", "BA") if run.both_orders else ("AB",)
    finished: list[dict] = []

    async def one(battle: dict, order: str) -> dict:
        async with limit:  # messages (with images) are built only once a call slot is free
            return await _play(client, judge, battle, order, run, system, template)

    async def battle_task(battle: dict, input_sha: str) -> None:
        results = await asyncio.gather(*(one(battle, o) for o in orders))
        record = _record(battle, judge, run, list(results), input_sha, prompt_sha)
        await asyncio.to_thread(journal.append, record)
        finished.append(record)
        if len(finished) % 50 == 0:
            log(f"{judge.name} / {run.mode}: {len(finished)} of {len(todo)} judged")

    await asyncio.gather(*(battle_task(b, sha) for b, sha in todo))
    return finished


async def _play(client: LLMClient, judge: JudgeSpec, battle: dict, order: str, run: RunSettings,
                system: str, template: str) -> dict:
    result = _new_order(order)
    for shrink in range(MAX_SHRINKS + 1):
        limits = run.limits if shrink == 0 else run.limits.shrunk(0.5**shrink)
        built = await asyncio.to_thread(build_messages, battle, run.mode, order, system, template, limits)
        result.update(truncated_tokens=built.truncated_tokens, images=built.images, shrinks=shrink)
        try:
            await _ask(client, judge, built.messages, run.max_reasks, result)
        except CallFailed as e:
            if isinstance(e, MissingAPIKey):
                raise
            if isinstance(e.__cause__, litellm.ContextWindowExceededError) and shrink < MAX_SHRINKS:
                continue
            result["error"] = JUDGE_CALL_FAILED + e.reason
        break
    if result["verdict"] is not None and order == "BA":
        result["verdict"] = swap(result["verdict"])  # back to the dataset's sides
    return result


async def _ask(client: LLMClient, judge: JudgeSpec, messages: list[dict], max_reasks: int, result: dict) -> None:
    """Ask, and re-ask up to `max_reasks` times while the reply is unreadable; fill in `result`."""
    usages, costs = [], []
    why = ""
    try:
        for attempt in range(max_reasks + 1):
            completion = await client.complete(messages, temperature=judge.temperature, max_tokens=judge.max_tokens)
            result["calls"] += 1
            result["cached"] += bool(completion.cached)
            result["raw"].append(completion.text)
            result["request_hashes"].append(completion.request_hash)
            usages.append(completion.usage)
            costs.append(completion.cost_usd)
            label, parsed, why = parse_reply(completion.text)
            result["parsed"] = parsed
            if label is not None:
                result["verdict"], result["winner"] = label, parsed_winner(parsed)
                return
            messages = messages + [
                {"role": "assistant", "content": completion.text},
                {"role": "user", "content": REASK.format(reason=why)},
            ]
        result["error"] = f"no readable verdict in {len(result['raw'])} replies (last: {why})"
    finally:
        result["usage"] = _sum_usage(usages)
        priced = [c for c in costs if c is not None]
        result["cost_usd"] = sum(priced) if priced else None


def parsed_winner(parsed: dict) -> str | None:
    overall = next((v for k, v in parsed.items() if k.strip().lower() == "overall"), {})
    return next((v for k, v in overall.items() if k.strip().lower() == "winner"), None)

"""Stage 1: every question answered by one model, one record per question (docs/artifacts.md).

A question whose call fails after the client's retries still gets a record (status `failed`, with the
error), an answer without a code block gets status `no_code` (a refusal is an answer: the model
declined, which is scored; it is not a failure to retry): nothing is dropped, so every model is
scored on the same questions. Successful calls are in the response cache, so rerunning after a crash
or with failures repeats only the calls that did not succeed (`codearena.retries` makes the workflow
rerun a file that holds failed records).

A record depends only on the request and its cached response (its time and latency are the original
call's), so rebuilding an answers file from the cache gives the same bytes.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Callable

from codearena.config import ConfigError, ModelSpec
from codearena.extract import extract
from codearena.io import read_text_file
from codearena.llm.cache import ResponseCache

Log = Callable[[str], None]
DEFAULT_SYSTEM_PROMPT = Path(__file__).resolve().parent / "prompts" / "generation_system.txt"


def load_system_prompt(path: str | None) -> str:
    """The generation system prompt: the file at `path`, or the packaged one for None."""
    try:
        return read_text_file(Path(path) if path else DEFAULT_SYSTEM_PROMPT, "generation system prompt file")
    except (FileNotFoundError, ValueError) as e:
        raise ConfigError(str(e)) from None


def _checked(questions: list[dict]) -> list[dict]:
    """Questions sorted by uid; a question without uid/instruction or a repeated uid is an error."""
    seen: set[str] = set()
    for i, q in enumerate(questions):
        uid = q.get("uid")
        if not isinstance(uid, str) or not uid:
            raise ValueError(f"question #{i + 1} has no uid")
        if not isinstance(q.get("instruction"), str):
            raise ValueError(f"question {uid}: no instruction")
        if uid in seen:
            raise ValueError(f"question {uid}: duplicate uid")
        seen.add(uid)
    return sorted(questions, key=lambda q: q["uid"])


def _dependencies(deps: dict | None) -> dict:
    """`{"pip": [...], "npm": [...]}`, always both keys (the extractor's dict, copied)."""
    deps = deps or {}
    return {"pip": list(deps.get("pip") or []), "npm": list(deps.get("npm") or [])}


def make_record(
    spec: ModelSpec,
    question: dict,
    messages: list[dict],
    answer: str | None,
    *,
    error: str | None = None,
    usage: dict | None = None,
    cost_usd: float | None = None,
    latency_s: float | None = None,
    request_hash: str | None = None,
    tstamp: float | None = None,
) -> dict:
    """One answers record; `answer=None` means the call failed (`error` says why). `tstamp` is the time
    the response arrived (None for a failed call or a recorded answer)."""
    fields = {"code": None, "environment": None, "env": None, "language": None, "dependencies": _dependencies(None)}
    if answer is None:
        status = "failed"
    else:
        try:
            ex = extract(answer)
        except Exception as e:
            raise RuntimeError(f"model {spec.name}, uid {question['uid']}: code extraction failed: {e}") from e
        if ex.code:
            status = "ok"
            env = ex.environment
            fields = {
                "code": ex.code,
                "environment": env.name if env else None,
                "env": env.slug if env else None,
                "language": ex.language,
                "dependencies": _dependencies(ex.dependencies),
            }
        else:
            status = "no_code"
    return {
        "uid": question["uid"],
        "category": question.get("category", ""),
        "model": spec.name,
        "status": status,
        "error": error if answer is None else None,
        "messages": [*messages, {"role": "assistant", "content": answer or ""}],
        "answer": answer or "",
        **fields,
        "usage": usage,
        "cost_usd": cost_usd,
        "latency_s": latency_s,
        "request_hash": request_hash,
        "settings": spec.settings(),
        "tstamp": tstamp,
    }


def _messages(system_prompt: str, question: dict) -> list[dict]:
    return [{"role": "system", "content": system_prompt}, {"role": "user", "content": question["instruction"]}]


def _summary(spec: ModelSpec, records: list[dict], cached: set[str] = frozenset()) -> str:
    """One log line; `cached` holds the uids answered from the response cache in this run (a fact of
    the run, so it is logged, not stored in the records)."""
    by_status = {s: sum(r["status"] == s for r in records) for s in ("ok", "no_code", "failed")}
    cost = sum(r["cost_usd"] or 0.0 for r in records if r["uid"] not in cached)
    cached = len(cached)
    return (
        f"{spec.name}: {len(records)} records: {by_status['ok']} ok, {by_status['no_code']} no_code, "
        f"{by_status['failed']} failed; {cached} from the response cache; cost of new calls ${cost:.4f}"
    )


def _replay_answers(spec: ModelSpec, questions: list[dict], system_prompt: str) -> list[dict]:
    from codearena.llm.replay import replay_for_questions

    recorded = replay_for_questions(spec.replay, questions)
    records = []
    for q in questions:
        answer = recorded.get(q["uid"])
        error = None if answer is not None else f"no recorded answer for uid {q['uid']} in {spec.replay}"
        records.append(make_record(spec, q, _messages(system_prompt, q), answer, error=error))
    return records


async def agenerate_answers(
    spec: ModelSpec,
    questions: list[dict],
    *,
    system_prompt: str,
    cache: ResponseCache,
    log: Log = print,
    client_options: dict | None = None,
) -> list[dict]:
    """`generate_answers` for callers that already run an event loop."""
    questions = _checked(questions)
    if spec.provider == "replay":
        records = _replay_answers(spec, questions, system_prompt)
        log(_summary(spec, records))
        return records

    # Imported only when calling a provider: litellm takes seconds to import, which a replay job (the
    # demo, or any job on a cluster, where every job starts a fresh interpreter) need not pay.
    from codearena.llm.client import CallFailed, LLMClient, MissingAPIKey

    client = LLMClient(spec, cache, **(client_options or {}))
    total, done, step = len(questions), 0, max(1, len(questions) // 10)
    failed = 0
    from_cache: set[str] = set()

    async def answer(q: dict) -> dict:
        nonlocal done, failed
        messages = _messages(system_prompt, q)
        try:
            c = await client.complete(messages)
        except MissingAPIKey:
            raise  # a configuration problem, not this question's result: stop the job
        except CallFailed as e:
            failed += 1
            record = make_record(spec, q, messages, None, error=e.reason, request_hash=e.request_hash)
            log(f"{spec.name}: uid {q['uid']} failed: {e.reason}")
        else:
            if c.cached:
                from_cache.add(q["uid"])
            record = make_record(
                spec, q, messages, c.text, usage=c.usage, cost_usd=c.cost_usd, latency_s=c.latency_s,
                request_hash=c.request_hash, tstamp=c.tstamp,
            )
        done += 1
        if done % step == 0 or done == total:
            log(f"{spec.name}: {done}/{total} answered ({failed} failed)")
        return record

    results = await asyncio.gather(*(answer(q) for q in questions), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        # Every success is already in the cache, so raising loses no paid-for work.
        raise next((e for e in errors if isinstance(e, MissingAPIKey)), errors[0])
    log(_summary(spec, results, from_cache))
    return results


def generate_answers(
    spec: ModelSpec,
    questions: list[dict],
    *,
    system_prompt: str,
    cache: ResponseCache,
    log: Log = print,
    client_options: dict | None = None,
) -> list[dict]:
    """One record per question, sorted by uid (schema: docs/artifacts.md `results/answers/{model}.jsonl`).

    Calls run on one event loop with the model's concurrency; `client_options` go to `LLMClient`
    (concurrency, backoff_base_s, backoff_max_s). A missing API key raises `MissingAPIKey`.
    """
    return asyncio.run(
        agenerate_answers(spec, questions, system_prompt=system_prompt, cache=cache, log=log, client_options=client_options)
    )

"""The arena's logic, apart from the page: battles, generation, code runs, votes, the leaderboard.

One `Arena` per process holds what is shared (model clients, database, code runner, preview server,
rate limits). Everything about one visitor lives in a `Visitor` object that Gradio keeps per browser
session (`gr.State`), so nothing passes between visitors: each has its own pair of models, drawn with
its own random generator, and its own battle.

The page calls `send`, `rerun`, `vote` and `new_battle`; `send` and `rerun` are async generators that
yield whenever the visitor should see progress (streamed text, a finished run).
"""

from __future__ import annotations

import asyncio
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from codearena.answers import load_system_prompt
from codearena.extract import extract
from codearena.llm.cache import ResponseCache
from codearena.runners import Sample

from .execution import CodeRunner
from .limits import RateLimiter
from .pairing import draw_pair, new_rng
from .preview import PreviewServer
from .settings import ArenaSettings
from .store import SIDES, ArenaStore, VoteReceipt, VoteRejected, utcnow

UPDATE_INTERVAL_S = 0.1  # streamed text reaches the page at most ten times a second


@dataclass
class RunView:
    """What the page shows of a side's latest run."""

    number: int
    trigger: str
    status: str
    environment: str
    duration_s: float
    stdout: str
    stderr: str
    images: list[str]  # PNG files, in display order
    preview_url: str | None


@dataclass
class Side:
    model: str
    messages: list[dict] = field(default_factory=list)  # the conversation, without the system prompt
    draft: str = ""  # the answer of the current turn as it streams in
    error: str | None = None  # why the current turn has no answer
    answered: int = 0  # the last turn this side answered
    code: str | None = None
    language: str | None = None
    env: str | None = None
    dependencies: dict = field(default_factory=dict)
    code_version: int = 0  # bumped when `code` changes, so the page refreshes its editor only then
    runs: int = 0
    run: RunView | None = None
    running: bool = False


@dataclass
class Battle:
    id: str
    sides: dict[str, Side]
    turn: int = 0
    generating: bool = False
    vote: str | None = None  # the accepted vote

    def busy(self) -> bool:
        return self.generating or any(s.running for s in self.sides.values())

    def answered(self) -> bool:
        return self.turn > 0 and all(s.answered == self.turn for s in self.sides.values())


@dataclass
class Visitor:
    """One browser session."""

    id: str = field(default_factory=lambda: secrets.token_hex(16))
    rng: random.Random = field(default_factory=new_rng)
    battle: Battle | None = None
    notice: str = ""  # one line for the status bar
    reveal: tuple[str, str] | None = None  # (model_a, model_b) after a vote
    drawn: dict = field(default_factory=dict)  # page bookkeeping: what the page shows now, by component


class Arena:
    def __init__(self, settings: ArenaSettings) -> None:
        from codearena.llm.client import LLMClient  # imports litellm (~2 s): only when an arena starts

        self.settings = settings
        section = settings.section
        self.system_prompt = load_system_prompt(settings.system_prompt_path)
        cache = ResponseCache(settings.cache_dir)
        self.clients = {name: LLMClient(spec, cache) for name, spec in settings.models.items()}
        self.store = ArenaStore(section["database"])
        self.runner = CodeRunner(Path(section["workdir"]), settings.execution, backend=settings.backend,
                                 parallel=section["parallel_runs"])
        self.preview = PreviewServer(section["preview_host"], section["preview_port"],
                                     public_url=section.get("preview_url"),
                                     on_events=self.store.add_interactions).start()
        limits = section["rate_limits"]
        self.limits = {kind: RateLimiter(limits[kind]) for kind in ("messages", "runs", "votes")}
        self._battles_on_disk: dict[str, tuple[float, list[str]]] = {}  # battle id -> (created, preview tokens)
        self._disk_lock = threading.Lock()
        self._board: tuple[int, object] | None = None  # (vote count, leaderboard) of the last computation
        self._board_lock = threading.Lock()

    def close(self) -> None:
        self.preview.stop()
        self.runner.close()
        self.store.close()

    # -- battles ----------------------------------------------------------------------------------
    def new_battle(self, visitor: Visitor) -> None:
        """Forget the current battle (kept in the database as it is); the next message starts a new one."""
        visitor.battle, visitor.reveal, visitor.notice = None, None, ""

    def _new_battle(self, visitor: Visitor) -> Battle:
        model_a, model_b = draw_pair(self.settings.weights, visitor.rng)
        battle = Battle(id=secrets.token_hex(16), sides={"A": Side(model_a), "B": Side(model_b)})
        visitor.battle, visitor.reveal = battle, None
        return battle

    def _store_battle(self, visitor: Visitor, battle: Battle) -> None:
        model_a, model_b = battle.sides["A"].model, battle.sides["B"].model
        sampling = self.settings.sampling()
        self.store.create_battle(
            battle_id=battle.id, session_id=visitor.id, model_a=model_a, model_b=model_b,
            settings_a={**self.settings.models[model_a].settings(), **sampling},
            settings_b={**self.settings.models[model_b].settings(), **sampling},
            system_prompt=self.system_prompt, backend=self.settings.backend)
        self._expire_old_battles()
        with self._disk_lock:
            self._battles_on_disk[battle.id] = (time.monotonic(), [])

    async def send(self, visitor: Visitor, prompt: str):
        """A visitor message: both models answer (streamed), then each answer's code runs."""
        prompt = (prompt or "").strip()
        section = self.settings.section
        battle = visitor.battle
        if not prompt:
            visitor.notice = "Type a coding request first."
            return
        if len(prompt) > section["max_prompt_chars"]:
            visitor.notice = f"The message is too long (at most {section['max_prompt_chars']} characters)."
            return
        if battle is not None and battle.busy():
            visitor.notice = "Wait until both answers and their runs are finished."
            return
        if battle is not None and battle.vote is None and battle.turn >= section["max_turns"]:
            visitor.notice = f"This battle has reached {section['max_turns']} messages: vote, or start a new battle."
            return
        wait = self.limits["messages"].take(visitor.id)
        if wait:
            visitor.notice = f"Too many messages: try again in {wait:g} s."
            return
        if battle is None or battle.vote is not None:
            battle = self._new_battle(visitor)
            battle.generating = True  # busy from here on: a second message meanwhile is refused
            try:
                await asyncio.to_thread(self._store_battle, visitor, battle)
            except BaseException:
                visitor.battle = None
                raise
        battle.turn += 1
        battle.generating = True
        visitor.notice = ""
        changed = asyncio.Event()
        tasks = [asyncio.create_task(self._answer_and_run(battle, side, prompt, changed)) for side in SIDES]
        try:
            async for _ in _updates(tasks, changed):
                yield
            for task in tasks:
                task.result()  # our own failures (database, runner) surface here
        finally:
            battle.generating = False
            for side in battle.sides.values():
                side.running = False
        failed = [name for name, side in battle.sides.items() if side.answered != battle.turn]
        if failed:
            visitor.notice = (f"Model {' and '.join(failed)} did not answer; this battle cannot be voted on. "
                              "Start a new battle.")
        yield

    async def _answer_and_run(self, battle: Battle, name: str, prompt: str, changed: asyncio.Event) -> None:
        side = battle.sides[name]
        side.messages.append({"role": "user", "content": prompt})
        side.draft, side.error = "", None
        turn = battle.turn
        messages = [{"role": "system", "content": self.system_prompt}, *side.messages]

        def on_text(text: str) -> None:
            side.draft = text
            changed.set()

        from codearena.llm.client import CallFailed

        started = utcnow()
        completion, error = None, None
        try:
            completion = await self.clients[side.model].stream(messages, on_text, **self.settings.sampling())
        except CallFailed as e:
            error = e.reason
        fields = dict(turn=turn, side=name, prompt=prompt, messages=messages, started_at=started,
                      finished_at=utcnow(), text=None, error=error, code=None, language=None, env=None,
                      dependencies=None, latency_s=None, first_text_s=None, usage=None, cost_usd=None,
                      cached=False, request_hash=None)
        if completion is not None:
            found = extract(completion.text)
            fields.update(text=completion.text, code=found.code, language=found.language,
                          env=found.environment.slug if found.environment else None,
                          dependencies=found.dependencies, latency_s=completion.latency_s,
                          first_text_s=completion.first_text_s, usage=completion.usage,
                          cost_usd=completion.cost_usd, cached=completion.cached,
                          request_hash=completion.request_hash)
        await asyncio.to_thread(self.store.save_answer, battle.id, **fields)
        if completion is None:
            side.error = error
            changed.set()
            return
        side.messages.append({"role": "assistant", "content": completion.text})
        side.draft = completion.text
        side.answered = turn
        side.code, side.language, side.env = fields["code"], fields["language"], fields["env"]
        side.dependencies = fields["dependencies"] or {}
        side.code_version += 1
        changed.set()
        if side.code and side.env:
            await self._run(battle, name, "auto", changed)
        else:
            side.run = None
            changed.set()

    async def _run(self, battle: Battle, name: str, trigger: str, changed: asyncio.Event | None = None) -> None:
        side = battle.sides[name]
        side.runs += 1
        number = side.runs
        side.running = True
        if changed:
            changed.set()
        try:
            sample = Sample(uid=f"{battle.id}-{name}-{number}", model=side.model, env=side.env, code=side.code,
                            language=side.language, dependencies=side.dependencies)
            outcome = await asyncio.to_thread(self.runner.run, sample)
            record = outcome.record
            site = self.preview.publish(outcome.site, outcome.entry) if outcome.site else None
            if site is not None:
                with self._disk_lock:
                    if battle.id in self._battles_on_disk:
                        self._battles_on_disk[battle.id][1].append(site.token)
            images = await asyncio.to_thread(lambda: [(kind, path.read_bytes()) for kind, path in outcome.images])
            run_id = await asyncio.to_thread(
                self.store.save_run, battle.id, images, side=name, turn=side.answered, number=number,
                trigger=trigger, code=side.code, language=side.language, env=side.env, status=record["status"],
                stdout=record["stdout"], stderr=record["stderr"], record=record,
                preview_path=f"/{site.token}/{site.entry}" if site else None, started_at=outcome.started_at,
                duration_s=record.get("duration_s") or 0.0)
            if site is not None:
                self.preview.attach(site, run_id)
            side.run = RunView(number=number, trigger=trigger, status=record["status"],
                               environment=record.get("environment") or side.env, duration_s=record.get("duration_s") or 0.0,
                               stdout=record["stdout"], stderr=record["stderr"],
                               images=[str(path) for _, path in outcome.images],
                               preview_url=self.preview.url(site) if site else None)
        finally:
            side.running = False
            if changed:
                changed.set()

    async def rerun(self, visitor: Visitor, name: str, code: str):
        """Run the visitor's edited code of one side (the environment is detected again)."""
        battle = visitor.battle
        if battle is None or battle.sides[name].answered == 0:
            visitor.notice = "There is no answer to run yet."
            return
        side = battle.sides[name]
        if battle.busy():
            visitor.notice = "Wait until the answers and their runs are finished."
            return
        if not (code or "").strip():
            visitor.notice = "The code is empty."
            return
        wait = self.limits["runs"].take(visitor.id)
        if wait:
            visitor.notice = f"Too many runs: try again in {wait:g} s."
            return
        # Detect the environment as if the code were an answer's block, tagged with the answer's language
        # (the fence is longer than any backtick line inside the code).
        fence = "`" * max(3, max((len(r) for r in code.split("\n") if set(r.strip()) == {"`"}), default=0) + 1)
        found = extract(f"{fence}{side.language or ''}\n{code}\n{fence}")
        if found.environment is not None:
            side.env, side.language = found.environment.slug, found.language
            side.dependencies = found.dependencies
        if not side.env:
            visitor.notice = "No environment can run this code."
            return
        if code != side.code:
            side.code = code
            side.code_version += 1
        visitor.notice = ""
        changed = asyncio.Event()
        task = asyncio.create_task(self._run(battle, name, "edit", changed))
        async for _ in _updates([task], changed):
            yield
        task.result()
        yield

    def vote(self, visitor: Visitor, choice: str) -> VoteReceipt | None:
        """Record the visitor's vote on the current battle; the names are revealed on success."""
        battle = visitor.battle
        if battle is None:
            visitor.notice = "Start a battle first: send a coding request."
            return None
        if battle.vote is not None:
            visitor.notice = "Your vote on this battle is in; send a new request to start the next battle."
            return None
        if battle.busy():
            visitor.notice = "Wait until both answers and their runs are finished."
            return None
        wait = self.limits["votes"].take(visitor.id)
        if wait:
            visitor.notice = f"Too many votes: try again in {wait:g} s."
            return None
        try:
            receipt = self.store.record_vote(battle.id, visitor.id, choice)
        except VoteRejected as e:
            visitor.notice = f"Vote not counted: {e}."
            return None
        battle.vote = choice
        visitor.reveal = (receipt.model_a, receipt.model_b)
        visitor.notice = "Thank you for your vote! Send a new request to start the next battle."
        return receipt

    # -- leaderboard ------------------------------------------------------------------------------
    def leaderboard(self):
        """Bradley-Terry ratings with bootstrap intervals from every vote (a DataFrame; recomputed only
        when there are new votes)."""
        import pandas as pd

        from codearena.ratings.bt import bootstrap_bt

        with self._board_lock:
            outcomes = self.store.vote_outcomes()
            if self._board is not None and self._board[0] == len(outcomes):
                return self._board[1]
            opts = self.settings.section["leaderboard"]
            interval = f"{opts['confidence'] * 100:g}% interval"
            if not outcomes:
                board = pd.DataFrame(columns=["Rank", "Model", "Rating", interval, "Votes"])
            else:
                a, b, choice = zip(*outcomes)
                y = [{"A": 1.0, "B": 0.0}.get(c, 0.5) for c in choice]  # tie and both bad: half a win each
                fit = bootstrap_bt(a, b, y, rounds=opts["bootstrap_rounds"], seed=opts["seed"],
                                   confidence=opts["confidence"])
                counts = pd.Series(list(a) + list(b)).value_counts()
                board = pd.DataFrame({
                    "Rank": fit["rank"].astype(int).values,
                    "Model": fit.index,
                    "Rating": fit["rating"].round(0).astype(int).values,
                    interval: [f"{lo:.0f} to {hi:.0f}" for lo, hi in zip(fit["lower"], fit["upper"])],
                    "Votes": [int(counts[m]) for m in fit.index],
                })
            self._board = (len(outcomes), board)
            return board

    # -- housekeeping -----------------------------------------------------------------------------
    def _expire_old_battles(self) -> None:
        """Withdraw the previews and delete the scratch files of battles older than `preview_ttl_s`."""
        cutoff = time.monotonic() - self.settings.section["preview_ttl_s"]
        with self._disk_lock:
            old = [(bid, tokens) for bid, (created, tokens) in self._battles_on_disk.items() if created < cutoff]
            for bid, _ in old:
                del self._battles_on_disk[bid]
        for bid, tokens in old:
            for token in tokens:
                self.preview.withdraw(token)
            self.runner.remove(f"{bid}-")


async def _updates(tasks: list[asyncio.Task], changed: asyncio.Event):
    """Yield when the page should be redrawn while `tasks` run: after `changed` is set, at most once per
    UPDATE_INTERVAL_S (changes in between are drawn together); returns when every task is done."""
    last = 0.0
    while True:
        pending = [t for t in tasks if not t.done()]
        if not pending:
            return
        waiter = asyncio.create_task(changed.wait())
        await asyncio.wait([waiter, *pending], return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        changed.clear()
        delay = last + UPDATE_INTERVAL_S - time.monotonic()
        if delay > 0:
            await asyncio.wait(pending, timeout=delay)
        if all(t.done() for t in tasks):
            return
        last = time.monotonic()
        yield


__all__ = ["Arena", "Battle", "Side", "Visitor", "RunView", "VoteRejected"]

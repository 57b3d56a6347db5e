"""The arena's database: battles, their answers, code runs, screenshots, interactions and votes.

Any SQLAlchemy URL works; SQLite is the default. SQLite runs in WAL mode (readers never wait for the
writer) and every write transaction starts with `BEGIN IMMEDIATE`, so two writers queue on the
database lock (up to `busy_timeout`) instead of failing halfway when one upgrades its read lock.
On PostgreSQL the unique index on `votes.battle_id` keeps a battle to one vote when two transactions
pass the checks at the same moment.

A vote is one transaction: the battle must exist, belong to the voter's session, have no vote yet,
and both sides must have answered the latest turn; then the vote row is inserted. Everything else
about a battle is written as it happens (not at vote time), so battles nobody voted on are kept too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import (JSON, Boolean, DateTime, Float, ForeignKey, LargeBinary, String, Text,
                        UniqueConstraint, create_engine, event, func, select)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload, sessionmaker


SIDES = ("A", "B")
CHOICES = ("A", "B", "tie", "both_bad")
SQLITE_BUSY_TIMEOUT_S = 60  # a writer waits this long for the lock before giving up
READ_ONLY = "codearena_read_only"  # execution option of the engine that reads


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, list: JSON, datetime: DateTime(timezone=True)}


class Battle(Base):
    """Two anonymous models answering one visitor; A is the left side, B the right."""

    __tablename__ = "battles"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    model_a: Mapped[str] = mapped_column(String(200))
    model_b: Mapped[str] = mapped_column(String(200))
    settings_a: Mapped[dict]  # ModelSpec.settings() plus the arena's sampling overrides
    settings_b: Mapped[dict]
    system_prompt: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(40))  # sandbox backend the code ran in
    answers: Mapped[list["Answer"]] = relationship(back_populates="battle", order_by="Answer.id")
    runs: Mapped[list["Run"]] = relationship(back_populates="battle", order_by="Run.id")
    vote: Mapped["Vote | None"] = relationship(back_populates="battle")


class Answer(Base):
    """One model's reply in one turn (a failed call is a row too, with `error` and no `text`)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("battle_id", "turn", "side"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    battle_id: Mapped[str] = mapped_column(ForeignKey("battles.id"), index=True)
    turn: Mapped[int]  # 1, 2, ...
    side: Mapped[str] = mapped_column(String(1))
    prompt: Mapped[str] = mapped_column(Text)  # the visitor's message of this turn
    messages: Mapped[list]  # exactly what the model was sent (system prompt and history included)
    text: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(40))
    env: Mapped[str | None] = mapped_column(String(40))
    dependencies: Mapped[dict | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime]
    latency_s: Mapped[float | None] = mapped_column(Float)
    first_text_s: Mapped[float | None] = mapped_column(Float)
    usage: Mapped[dict | None]
    cost_usd: Mapped[float | None] = mapped_column(Float)
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    request_hash: Mapped[str | None] = mapped_column(String(64))
    battle: Mapped[Battle] = relationship(back_populates="answers")


class Run(Base):
    """One execution of one side's code: automatic after an answer, or after the visitor edited it."""

    __tablename__ = "runs"
    __table_args__ = (UniqueConstraint("battle_id", "side", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    battle_id: Mapped[str] = mapped_column(ForeignKey("battles.id"), index=True)
    side: Mapped[str] = mapped_column(String(1))
    turn: Mapped[int]  # the turn whose answer the code came from
    number: Mapped[int]  # 1, 2, ... per side
    trigger: Mapped[str] = mapped_column(String(10))  # "auto" or "edit"
    code: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(40))
    env: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    stdout: Mapped[str] = mapped_column(Text, default="")
    stderr: Mapped[str] = mapped_column(Text, default="")
    record: Mapped[dict]  # the full execution record (docs/artifacts.md)
    preview_path: Mapped[str | None] = mapped_column(String(200))  # the live preview's URL path, if any
    started_at: Mapped[datetime]
    duration_s: Mapped[float] = mapped_column(Float)
    battle: Mapped[Battle] = relationship(back_populates="runs")
    images: Mapped[list["Image"]] = relationship(back_populates="run", order_by="Image.position")
    interactions: Mapped[list["Interaction"]] = relationship(back_populates="run", order_by="Interaction.id")


class Image(Base):
    """A PNG a run produced: a screenshot of a web app, or a figure of a runner program."""

    __tablename__ = "images"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "screenshot" or "figure"
    position: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    png: Mapped[bytes] = mapped_column(LargeBinary)
    run: Mapped[Run] = relationship(back_populates="images")


class Interaction(Base):
    """What the visitor did in a live preview (load, click, keydown, scroll, resize, error)."""

    __tablename__ = "interactions"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_time: Mapped[str | None] = mapped_column(String(40))  # as the page reported it
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict]
    run: Mapped[Run] = relationship(back_populates="interactions")


class Vote(Base):
    __tablename__ = "votes"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    battle_id: Mapped[str] = mapped_column(ForeignKey("battles.id"), unique=True)
    session_id: Mapped[str] = mapped_column(String(64))
    choice: Mapped[str] = mapped_column(String(10))  # "A", "B", "tie", "both_bad"
    model_a: Mapped[str] = mapped_column(String(200))  # copied from the battle: the leaderboard reads votes only
    model_b: Mapped[str] = mapped_column(String(200))
    turns: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    battle: Mapped[Battle] = relationship(back_populates="vote")


class VoteRejected(ValueError):
    """The vote breaks a rule (unknown battle, not this session's, already voted, not answered yet)."""


@dataclass(frozen=True)
class VoteReceipt:
    vote_id: int
    battle_id: str
    choice: str
    model_a: str
    model_b: str


def _sqlite_setup(engine: Engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for every transaction (the SQLAlchemy
    recipe for pysqlite: turn off the driver's own transaction handling and emit BEGIN ourselves)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        # Readers take no lock (WAL gives them a snapshot); writers take the write lock up front.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """An engine for `url`; a relative SQLite path is relative to the working directory (its folder is made)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if not database or database == ":memory:":
            raise ValueError(f"arena.database: {url!r}: an in-memory SQLite database would lose every vote; "
                             "give a file path, e.g. sqlite:///arena/arena.db")
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        _sqlite_setup(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _png_rows(images: list[tuple[str, bytes]]) -> list[Image]:
    return [Image(kind=kind, position=i, sha256=hashlib.sha256(png).hexdigest(), png=png)
            for i, (kind, png) in enumerate(images)]


class ArenaStore:
    """All reads and writes of the arena; safe to share between threads (one SQLAlchemy session each call)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # -- writes -----------------------------------------------------------------------------------
    def create_battle(self, *, battle_id: str, session_id: str, model_a: str, model_b: str, settings_a: dict,
                      settings_b: dict, system_prompt: str, backend: str) -> None:
        with self._session.begin() as s:
            s.add(Battle(id=battle_id, session_id=session_id, model_a=model_a, model_b=model_b,
                         settings_a=settings_a, settings_b=settings_b, system_prompt=system_prompt,
                         backend=backend))

    def save_answer(self, battle_id: str, **fields: Any) -> int:
        with self._session.begin() as s:
            row = Answer(battle_id=battle_id, **fields)
            s.add(row)
            s.flush()
            return row.id

    def save_run(self, battle_id: str, images: list[tuple[str, bytes]], **fields: Any) -> int:
        """A run with its images ((kind, png bytes) in display order), in one transaction."""
        with self._session.begin() as s:
            row = Run(battle_id=battle_id, images=_png_rows(images), **fields)
            s.add(row)
            s.flush()
            return row.id

    def add_interactions(self, run_id: int, events: list[dict]) -> int:
        """Store events `{kind, time, data}` of one run's preview; returns how many were stored."""
        rows = [Interaction(run_id=run_id, kind=str(e.get("kind", ""))[:20], client_time=str(e.get("time", ""))[:40],
                            data=e.get("data") if isinstance(e.get("data"), dict) else {}) for e in events]
        if not rows:
            return 0
        with self._session.begin() as s:
            s.add_all(rows)
        return len(rows)

    def record_vote(self, battle_id: str, session_id: str, choice: str) -> VoteReceipt:
        """Accept one vote (one transaction) or raise VoteRejected saying why."""
        if choice not in CHOICES:
            raise VoteRejected(f"unknown choice {choice!r} (one of {', '.join(CHOICES)})")
        try:
            with self._session.begin() as s:
                battle = s.get(Battle, battle_id)
                if battle is None or battle.session_id != session_id:
                    raise VoteRejected("no such battle in this session")
                if s.scalar(select(Vote.id).where(Vote.battle_id == battle_id)) is not None:
                    raise VoteRejected("this battle already has a vote")
                turns = s.scalar(select(func.max(Answer.turn)).where(Answer.battle_id == battle_id))
                answered = set() if turns is None else set(s.scalars(
                    select(Answer.side).where(Answer.battle_id == battle_id, Answer.turn == turns,
                                              Answer.text.is_not(None))))
                if answered != set(SIDES):
                    raise VoteRejected("both models must answer before a vote")
                vote = Vote(battle_id=battle_id, session_id=session_id, choice=choice, model_a=battle.model_a,
                            model_b=battle.model_b, turns=turns)
                s.add(vote)
                s.flush()
                return VoteReceipt(vote.id, battle_id, choice, battle.model_a, battle.model_b)
        except IntegrityError:  # another transaction inserted this battle's vote first (PostgreSQL)
            raise VoteRejected("this battle already has a vote") from None

    # -- reads ------------------------------------------------------------------------------------
    def vote_count(self) -> int:
        with self._read() as s:
            return s.scalar(select(func.count(Vote.id))) or 0

    def vote_outcomes(self) -> list[tuple[str, str, str]]:
        """(model_a, model_b, choice) of every vote, oldest first."""
        with self._read() as s:
            return [tuple(r) for r in s.execute(select(Vote.model_a, Vote.model_b, Vote.choice).order_by(Vote.id))]

    def votes(self) -> list[Vote]:
        with self._read() as s:
            return list(s.scalars(select(Vote).order_by(Vote.id)))

    def voted_battles(self, up_to: int | None = None) -> Iterator[tuple[Battle, Vote, list[Answer], list[Run]]]:
        """Every voted battle (votes with id <= `up_to`) with its answers and runs (images and interactions
        loaded), by vote order, a hundred at a time."""
        with self._read() as s:
            query = (select(Vote).order_by(Vote.id).execution_options(yield_per=100)
                     .options(selectinload(Vote.battle).selectinload(Battle.answers),
                              selectinload(Vote.battle).selectinload(Battle.runs).selectinload(Run.images),
                              selectinload(Vote.battle).selectinload(Battle.runs).selectinload(Run.interactions)))
            if up_to is not None:
                query = query.where(Vote.id <= up_to)
            for vote in s.scalars(query):
                yield vote.battle, vote, list(vote.battle.answers), list(vote.battle.runs)

    def counts(self) -> dict[str, int]:
        """Rows per table (for logs and tests)."""
        with self._read() as s:
            return {model.__tablename__: s.scalar(select(func.count()).select_from(model)) or 0
                    for model in (Battle, Answer, Run, Image, Interaction, Vote)}

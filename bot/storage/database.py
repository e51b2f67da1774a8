"""The bot's SQLite database: one aiosqlite connection, migrated on open, with repositories.

Usage::

    async with Database.open(path) as db:
        await db.answers.record(...)

or ``db = await Database.connect(path)`` ... ``await db.close()``.

Connection settings and why: WAL so readers (a backup, the sqlite3 shell) never block the bot;
``synchronous=NORMAL`` which is durable enough under WAL and much faster; foreign keys ON
(SQLite's default is OFF per connection); a 5 s busy timeout so a brief lock from another
process waits instead of failing; ``isolation_level=None`` so transactions are explicit
(see ``_sql.py`` and ``migrator.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage._sql import Sql
from bot.storage.answers import AnswerRepository
from bot.storage.coaching import CoachingRepository
from bot.storage.daily_runs import DailyRunRepository
from bot.storage.guilds import GuildRepository
from bot.storage.members import MemberRepository
from bot.storage.migrator import DEFAULT_MIGRATIONS_DIR, migrate
from bot.storage.mock_sessions import MockSessionRepository
from bot.storage.posts import PostRepository
from bot.storage.progress import ProgressRepository
from bot.storage.reviews import ReviewRepository
from bot.storage.schedules import ScheduleRepository

DEFAULT_PATH = Path("data/interview.db")
BUSY_TIMEOUT_SECONDS = 5.0


class Database:
    """Owns the connection; repositories are attributes (``db.answers``, ``db.reviews``, ...)."""

    def __init__(self, conn: aiosqlite.Connection, path: Path, schema_version: int) -> None:
        self._conn = conn
        self.path = path
        self.schema_version = schema_version
        sql = Sql(conn)
        self.guilds = GuildRepository(sql)
        self.posts = PostRepository(sql)
        self.answers = AnswerRepository(sql)
        self.coaching = CoachingRepository(sql)
        self.reviews = ReviewRepository(sql)
        self.progress = ProgressRepository(sql, self.reviews)
        self.schedules = ScheduleRepository(sql)
        self.daily_runs = DailyRunRepository(sql)
        self.members = MemberRepository(sql)
        self.mock_sessions = MockSessionRepository(sql)

    @classmethod
    async def connect(
        cls, path: Path | str = DEFAULT_PATH, *, migrations_dir: Path = DEFAULT_MIGRATIONS_DIR
    ) -> Database:
        """Open (creating the parent folder and file if needed), configure and migrate."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            await conn.execute("PRAGMA foreign_keys = ON")
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
            if row is None or str(row[0]).lower() != "wal":
                raise RuntimeError(f"could not enable WAL on {path} (journal_mode={row[0] if row else None})")
            await conn.execute("PRAGMA synchronous = NORMAL")
            version = await migrate(conn, migrations_dir)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path, version)

    @classmethod
    @asynccontextmanager
    async def open(
        cls, path: Path | str = DEFAULT_PATH, *, migrations_dir: Path = DEFAULT_MIGRATIONS_DIR
    ) -> AsyncIterator[Database]:
        db = await cls.connect(path, migrations_dir=migrations_dir)
        try:
            yield db
        finally:
            await db.close()

    async def close(self) -> None:
        await self._conn.close()

    async def health(self) -> bool:
        """Cheap liveness probe: the connection's worker thread answers a query."""
        async with self._conn.execute("SELECT 1") as cursor:
            row = await cursor.fetchone()
        return row is not None and row[0] == 1

    async def integrity_check(self) -> list[str]:
        """SQLite's own consistency check; ``["ok"]`` when the file is sound."""
        async with self._conn.execute("PRAGMA integrity_check") as cursor:
            rows = await cursor.fetchall()
        return [str(row[0]) for row in rows]

    async def backup(self, dest_path: Path | str) -> Path:
        """Consistent online copy via SQLite's backup API, safe while the bot keeps writing.

        The destination file is overwritten; it must not be the live database itself.
        """
        dest = Path(dest_path)
        if dest.resolve() == self.path.resolve():  # noqa: ASYNC240 - no I/O beyond a stat
            raise ValueError("backup destination is the live database")
        dest.parent.mkdir(parents=True, exist_ok=True)
        # The backup runs on aiosqlite's worker thread, so the target may not be thread-bound.
        target = sqlite3.connect(dest, check_same_thread=False)
        try:
            await self._conn.backup(target)
        finally:
            target.close()
        return dest

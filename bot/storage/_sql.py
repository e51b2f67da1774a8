"""A thin layer over one aiosqlite connection: reads, and serialised write transactions.

The connection runs with ``isolation_level=None`` so Python's sqlite3 module never opens or
commits transactions behind our back; every write goes through :meth:`Sql.transaction`, which
issues ``BEGIN IMMEDIATE`` (take the write lock up front, so a busy database fails at BEGIN and
not half-way through) and COMMIT or ROLLBACK itself.

All coroutines of the bot share this one connection, so an ``asyncio.Lock`` keeps two write
transactions from interleaving their statements. Reads do not take the lock; they may observe
another coroutine's not-yet-committed writes, which is harmless for this bot's queries.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import aiosqlite

Params = Sequence[Any]


@dataclass(frozen=True, slots=True)
class WriteResult:
    rowcount: int
    lastrowid: int | None


class Sql:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._write_lock = asyncio.Lock()

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Params = ()) -> WriteResult:
        """Run one statement on the raw connection (callers hold a transaction)."""
        async with self._conn.execute(sql, params) as cursor:
            return WriteResult(cursor.rowcount, cursor.lastrowid)

    async def write(self, sql: str, params: Params = ()) -> WriteResult:
        """A single write statement in its own transaction."""
        async with self.transaction():
            return await self.execute(sql, params)

    async def _begin_immediate(self) -> None:
        try:
            await _begin(self._conn)
        except BaseException:
            await rollback_quietly(self._conn)  # a cancelled BEGIN may still run on the worker
            raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Sql]:
        """Serialise writers; commit on success, roll back on any exception (incl. cancellation).

        Not re-entrant: a repository method that is inside a transaction must call
        ``execute``/``fetch*`` directly, never another method that opens one.
        """
        async with self._write_lock:
            await self._begin_immediate()
            try:
                yield self
            except BaseException:
                await rollback_quietly(self._conn)
                raise
            await self._conn.execute("COMMIT")


BEGIN_ATTEMPTS = 5


async def _begin(conn: aiosqlite.Connection) -> None:
    """BEGIN IMMEDIATE, retried briefly on SQLITE_BUSY.

    The busy timeout covers ordinary lock waits, but SQLite returns BUSY without calling the busy
    handler in a few WAL situations (another connection recovering or checkpointing the WAL
    index). Those windows are milliseconds long, so a short backoff is enough.
    """
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            await conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if attempt == BEGIN_ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.05 * (attempt + 1))


async def rollback_quietly(conn: aiosqlite.Connection) -> None:
    """ROLLBACK, tolerating "no transaction is active".

    Issued unconditionally rather than after checking ``in_transaction``: when a BEGIN was
    cancelled while queued on aiosqlite's worker thread it still runs later, and the worker's
    FIFO order guarantees this ROLLBACK runs after it. SQLite may also have rolled back on
    its own (e.g. disk full), which makes our ROLLBACK fail harmlessly.
    """
    with suppress(sqlite3.OperationalError):
        await conn.execute("ROLLBACK")

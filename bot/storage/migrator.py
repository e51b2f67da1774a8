"""Numbered SQL migrations, each applied atomically together with ``PRAGMA user_version``.

Why statements are split and run one by one instead of ``executescript``: ``executescript``
COMMITs any open transaction before it starts, so it cannot be part of our
``BEGIN IMMEDIATE ... COMMIT``; and if a script with its own BEGIN fails half-way it leaves the
transaction open. Splitting uses :func:`sqlite3.complete_statement` at every ``;`` - SQLite's own
tokenizer decides where a statement ends, so semicolons inside string literals, comments and
``CREATE TRIGGER ... BEGIN ...; END;`` bodies are handled correctly, unlike a naive ``split(';')``.
Each statement then runs with ``execute`` inside one transaction that also sets
``user_version``; on any error we ROLLBACK explicitly and raise :class:`MigrationError` naming
the file, so the database is left exactly at the previous version.

Migration files must not contain BEGIN/COMMIT/ROLLBACK/END themselves (they are refused) and
cannot change ``PRAGMA foreign_keys`` (a no-op inside a transaction; use
``PRAGMA defer_foreign_keys = ON`` for table rebuilds).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.storage._sql import rollback_quietly

DEFAULT_MIGRATIONS_DIR = Path(__file__).with_name("migrations")

_FILE_NAME = re.compile(r"^(\d+)_[A-Za-z0-9_\-]+\.sql$")
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE)


class MigrationError(RuntimeError):
    """A migration could not be loaded or applied; the database is unchanged by it."""


class DatabaseTooNewError(MigrationError):
    """The database was migrated by a newer version of the bot than this one."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def split_statements(script: str) -> tuple[str, ...]:
    """Split a SQL script into complete statements using SQLite's own notion of completeness."""
    statements: list[str] = []
    start = 0
    pos = script.find(";")
    while pos != -1:
        candidate = script[start : pos + 1]
        if sqlite3.complete_statement(candidate):
            if _strip_leading_comments(candidate).strip(" \t\r\n;"):
                statements.append(candidate.strip())
            start = pos + 1
        pos = script.find(";", pos + 1)
    tail = _strip_leading_comments(script[start:]).strip()
    if tail:
        statements.append(tail)
    return tuple(statements)


def _strip_leading_comments(sql: str) -> str:
    match = _LEADING_COMMENTS.match(sql)
    return sql[match.end() :] if match else sql


def load_migrations(directory: Path = DEFAULT_MIGRATIONS_DIR) -> tuple[Migration, ...]:
    """Read ``NNNN_name.sql`` files; versions must be exactly 1..N with no gaps or duplicates."""
    found: dict[int, Path] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise MigrationError(f"migration file name {path.name!r} is not NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migrations with version {version}: {found[version].name}, {path.name}")
        found[version] = path
    expected = list(range(1, len(found) + 1))
    if sorted(found) != expected:
        raise MigrationError(f"migration versions must be 1..{len(found)} without gaps, got {sorted(found)}")
    migrations: list[Migration] = []
    for version in expected:
        path = found[version]
        statements = split_statements(path.read_text(encoding="utf-8"))
        for statement in statements:
            if _TRANSACTION_CONTROL.match(_strip_leading_comments(statement)):
                raise MigrationError(
                    f"migration {path.name} must not control transactions: {statement[:40]!r}"
                )
        migrations.append(Migration(version, path.name, statements))
    return tuple(migrations)


async def user_version(conn: aiosqlite.Connection) -> int:
    async with conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row is not None else 0


async def migrate(conn: aiosqlite.Connection, directory: Path = DEFAULT_MIGRATIONS_DIR) -> int:
    """Bring the database up to the newest migration in ``directory``; return the final version.

    The connection must be in autocommit mode (``isolation_level=None``).
    """
    migrations = load_migrations(directory)
    known = len(migrations)
    current = await user_version(conn)
    if current > known:
        raise DatabaseTooNewError(
            f"database schema version {current} is newer than this code knows ({known}); "
            "upgrade the bot or restore a backup"
        )
    for migration in migrations[current:]:
        await _apply(conn, migration)
    return await user_version(conn)


async def _apply(conn: aiosqlite.Connection, migration: Migration) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        if await user_version(conn) >= migration.version:
            await conn.execute("COMMIT")
            return
        for statement in migration.statements:
            await conn.execute(statement)
        # PRAGMA takes no bound parameters; the version is an int we produced ourselves.
        await conn.execute(f"PRAGMA user_version = {int(migration.version)}")
        await conn.execute("COMMIT")
    except BaseException as exc:
        await rollback_quietly(conn)
        if isinstance(exc, sqlite3.Error):
            raise MigrationError(f"migration {migration.name} failed and was rolled back: {exc}") from exc
        raise

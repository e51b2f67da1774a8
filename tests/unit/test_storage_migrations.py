"""Database opening, migrations and connection settings, on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import Database, DatabaseTooNewError, MigrationError
from bot.storage.migrator import (
    DEFAULT_MIGRATIONS_DIR,
    load_migrations,
    migrate,
    split_statements,
    user_version,
)

NOW = datetime(2026, 11, 26, 3, 33, tzinfo=UTC)


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _user_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_fresh_database_is_migrated_to_latest_and_parent_folder_created(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "data" / "interview.db"
    async with Database.open(path) as db:
        assert db.schema_version == len(load_migrations()) >= 1
        assert await db.health() is True
    assert _user_version(path) == len(load_migrations())
    assert {"answers", "reviews", "review_scores", "daily_runs", "members", "answer_red_flags"} <= _tables(
        path
    )


async def test_reopen_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    async with Database.open(path) as db:
        await db.guilds.set_pack(1, "senior-devops", NOW)
    async with Database.open(path) as db:
        settings = await db.guilds.get(1)
        assert settings is not None and settings.pack_id == "senior-devops"
        assert db.schema_version == len(load_migrations())


async def _scalar(db: Database, sql: str) -> object:
    async with db._conn.execute(sql) as cur:
        row = await cur.fetchone()
    assert row is not None
    return row[0]


async def test_wal_foreign_keys_and_busy_timeout_are_on(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "db.sqlite") as db:
        assert await _scalar(db, "PRAGMA journal_mode") == "wal"
        assert await _scalar(db, "PRAGMA foreign_keys") == 1
        assert await _scalar(db, "PRAGMA busy_timeout") == 5000


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "db.sqlite") as db:
        with pytest.raises(sqlite3.IntegrityError):
            await db.coaching.save(
                999,
                score=50,
                coverage=None,
                pointers_total=0,
                pointers_covered=0,
                red_flags=[],
                star=None,
                now=NOW,
            )
        assert await db.coaching.get(999) is None


def _write(directory: Path, name: str, text: str) -> None:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(text, encoding="utf-8")


async def test_failing_migration_rolls_back_entirely_and_names_the_file(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    _write(migrations, "0001_base.sql", "CREATE TABLE kept (id INTEGER PRIMARY KEY);")
    _write(
        migrations,
        "0002_broken.sql",
        "CREATE TABLE half (id INTEGER PRIMARY KEY);\nINSERT INTO kept (id) VALUES (1);\nTHIS IS NOT SQL;",
    )
    path = tmp_path / "db.sqlite"
    with pytest.raises(MigrationError, match=r"0002_broken\.sql"):
        await Database.connect(path, migrations_dir=migrations)
    assert _user_version(path) == 1
    assert "half" not in _tables(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM kept").fetchone()[0] == 0

    # Fixing the file lets the next start finish the upgrade.
    _write(migrations, "0002_broken.sql", "CREATE TABLE half (id INTEGER PRIMARY KEY);")
    async with Database.open(path, migrations_dir=migrations) as db:
        assert db.schema_version == 2
    assert "half" in _tables(path)


async def test_failed_migration_leaves_the_connection_usable_and_out_of_transaction(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    _write(migrations, "0001_base.sql", "CREATE TABLE kept (id INTEGER PRIMARY KEY);")
    _write(migrations, "0002_broken.sql", "CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);")
    conn = await aiosqlite.connect(tmp_path / "db.sqlite", isolation_level=None)
    try:
        with pytest.raises(MigrationError, match=r"0002_broken\.sql.*nowhere"):
            await migrate(conn, migrations)
        assert conn.in_transaction is False  # explicit ROLLBACK, not left for close() to clean up
        assert await user_version(conn) == 1
        async with conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'") as cur:
            assert await cur.fetchone() is None
    finally:
        await conn.close()


async def test_database_newer_than_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(DatabaseTooNewError, match="99"):
        await Database.connect(path)
    assert _user_version(path) == 99


def test_migration_files_must_be_numbered_without_gaps(tmp_path: Path) -> None:
    _write(tmp_path, "0001_a.sql", "SELECT 1;")
    _write(tmp_path, "0003_c.sql", "SELECT 1;")
    with pytest.raises(MigrationError, match="without gaps"):
        load_migrations(tmp_path)


def test_migrations_may_not_control_transactions(tmp_path: Path) -> None:
    _write(tmp_path, "0001_a.sql", "-- sneaky\nCOMMIT;\nCREATE TABLE t (id INTEGER);")
    with pytest.raises(MigrationError, match="control transactions"):
        load_migrations(tmp_path)


def test_split_statements_respects_strings_comments_and_triggers() -> None:
    script = (
        "-- header; with a semicolon\n"
        "CREATE TABLE t (v TEXT DEFAULT 'a;b');\n"
        "/* block; comment */\n"
        "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET v = 'x;y'; SELECT 1; END;\n"
        "INSERT INTO t (v) VALUES ('last')"
    )
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[0].endswith("DEFAULT 'a;b');")
    assert "SELECT 1; END;" in statements[1]
    assert statements[2] == "INSERT INTO t (v) VALUES ('last')"


def test_shipped_initial_migration_parses() -> None:
    migrations = load_migrations(DEFAULT_MIGRATIONS_DIR)
    assert migrations[0].version == 1
    assert any("CREATE TABLE daily_runs" in s for s in migrations[0].statements)


async def test_backup_is_a_consistent_readable_copy(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "live.db") as db:
        await db.guilds.set_anonymous_reviews(7, True, NOW)
        dest = await db.backup(tmp_path / "backups" / "copy.db")
        with pytest.raises(ValueError, match="live database"):
            await db.backup(tmp_path / "live.db")
    with sqlite3.connect(dest) as conn:
        assert conn.execute("SELECT anonymous_reviews FROM guild_settings WHERE guild_id = 7").fetchone() == (
            1,
        )
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(load_migrations())


async def test_naive_datetimes_are_rejected(tmp_path: Path) -> None:
    async with Database.open(tmp_path / "db.sqlite") as db:
        with pytest.raises(ValueError, match="naive"):
            await db.guilds.ensure(1, datetime(2026, 1, 1))


async def test_timestamps_round_trip_as_aware_utc(tmp_path: Path) -> None:
    from datetime import timedelta, timezone

    local = datetime(2026, 11, 26, 5, 33, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    async with Database.open(tmp_path / "db.sqlite") as db:
        settings = await db.guilds.ensure(1, local)
        assert settings.created_at == local
        assert settings.created_at.tzinfo is UTC
        stored = await _scalar(db, "SELECT created_at FROM guild_settings")
        assert stored == "2026-11-26T03:33:00.123456+00:00"

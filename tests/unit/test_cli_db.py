import argparse
from pathlib import Path

from bot.cli.db import db_command
from bot.config import Settings


async def test_check_and_backup_refuse_a_missing_database_instead_of_creating_one(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(token="", database_path=tmp_path / "typo.db")
    for command in ("check", "backup"):
        args = argparse.Namespace(db_command=command, destination=str(tmp_path / "b.db"))
        assert await db_command(args, settings) == 2
    assert not (tmp_path / "typo.db").exists()
    assert "no database at" in capsys.readouterr().err


async def test_migrate_then_check_then_backup(tmp_path: Path) -> None:
    settings = Settings(token="", database_path=tmp_path / "bot.db")
    assert await db_command(argparse.Namespace(db_command="migrate"), settings) == 0
    assert await db_command(argparse.Namespace(db_command="check"), settings) == 0
    backup = tmp_path / "copy.db"
    assert await db_command(argparse.Namespace(db_command="backup", destination=str(backup)), settings) == 0
    assert backup.stat().st_size > 0

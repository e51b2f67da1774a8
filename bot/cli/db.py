"""`python -m bot db ...`: migrate, check and back up the SQLite database from the shell."""

from __future__ import annotations

import argparse
import sys

from bot.config import Settings
from bot.storage import Database, MigrationError


async def db_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_command in ("check", "backup") and not settings.database_path.is_file():
        print(f"error: no database at {settings.database_path} (check DATABASE_PATH)", file=sys.stderr)
        return 2
    try:
        async with Database.open(settings.database_path) as db:
            if args.db_command == "migrate":
                print(f"{settings.database_path}: schema version {db.schema_version}")
                return 0
            if args.db_command == "check":
                problems = await db.integrity_check()
                healthy = problems == ["ok"] and await db.health()
                print(
                    f"{settings.database_path}: schema version {db.schema_version}, integrity {problems[0]}"
                )
                for problem in problems[1:]:
                    print(f"  {problem}")
                return 0 if healthy else 1
            if args.db_command == "backup":
                dest = await db.backup(args.destination)
                print(f"backed up {settings.database_path} to {dest}")
                return 0
    except MigrationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    raise AssertionError(f"unknown db command {args.db_command!r}")

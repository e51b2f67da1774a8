"""`python -m bot`: the one entry point.

Subcommands:
  run                      connect to Discord and serve (needs DISCORD_TOKEN)
  content validate [PATH]  check content packs the way the bot does at start-up
  content train [--check]  fit (or check) a pack's learned readers from the labelled answers
  coach                    coach an answer offline (a JSON contract other tools rely on)
  mock                     a mock interview in the terminal
  db migrate|backup|check  operate the SQLite database
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import Settings, SettingsError

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="interview-bot: mock interviews on Discord."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("run", help="run the bot (needs DISCORD_TOKEN)")

    content = sub.add_parser("content", help="work with content packs")
    content_sub = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    validate = content_sub.add_parser("validate", help="validate a pack file or a folder of packs")
    validate.add_argument("path", nargs="?", help="pack file or folder (default: CONTENT_DIR or ./content)")
    learn = content_sub.add_parser(
        "train", help="fit a pack's learned readers (flags, STAR, pointers) from labelled answers"
    )
    learn.add_argument("--pack", default="content/senior-devops.yaml", help="the pack file")
    learn.add_argument("--examples", default="tests/eval", help="labelled YAML file or folder (tune split)")
    learn.add_argument("--check", action="store_true", help="only check the committed model is up to date")

    coach = sub.add_parser("coach", help="coach an answer without Discord")
    coach.add_argument("--question", required=True, help="question id or its exact text")
    coach.add_argument("--answer-file", required=True, help="file with the answer, or - for standard input")
    coach.add_argument("--format", choices=("text", "json"), default="text")

    mock = sub.add_parser("mock", help="a mock interview in the terminal, coached after every answer")
    mock.add_argument("--count", type=int, default=3, help="how many questions (default 3)")
    mock.add_argument("--category", help="only this category, e.g. Behavioural")
    mock.add_argument("--minutes", type=float, default=4.0, help="time budget per answer (default 4)")
    mock.add_argument("--seed", type=int, help="repeatable question choice")

    db = sub.add_parser("db", help="operate the database")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("migrate", help="create the database or bring it to the latest schema")
    db_sub.add_parser("check", help="show the schema version and run SQLite's integrity check")
    backup = db_sub.add_parser("backup", help="copy the live database safely (online backup API)")
    backup.add_argument("destination", help="path of the backup file to write")
    return parser


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-8s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("discord.http").setLevel(max(logging.getLevelName(level), logging.INFO))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env(require_token=args.command == "run")
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level)

    if args.command == "content" and args.content_command == "train":
        from bot.cli.train import train_command

        return train_command(args.pack, args.examples, args.check, sys.stdout)
    if args.command == "content":
        from bot.cli.content import validate_command

        return validate_command(args.path or str(settings.content_dir), sys.stdout)
    if args.command == "coach":
        from bot.cli.coach import coach_command

        return coach_command(
            question=args.question,
            answer_file=args.answer_file,
            fmt=args.format,
            content_dir=str(settings.content_dir),
            stdin=sys.stdin,
            out=sys.stdout,
            err=sys.stderr,
        )
    if args.command == "mock":
        from bot.cli.mock import mock_command

        return mock_command(
            count=args.count,
            category=args.category,
            minutes=args.minutes,
            seed=args.seed,
            content_dir=str(settings.content_dir),
            stdin=sys.stdin,
            out=sys.stdout,
            err=sys.stderr,
        )
    if args.command == "db":
        from bot.cli.db import db_command

        return asyncio.run(db_command(args, settings))
    from bot.runner import run

    try:
        return asyncio.run(run(settings))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

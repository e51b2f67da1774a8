"""The layering the README promises, checked: a pure domain, SQL only in storage, loadable cogs."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted((BOT / "domain").rglob("*.py")), ids=lambda p: p.name)
def test_domain_imports_neither_discord_nor_sqlite_nor_other_layers(path: Path) -> None:
    forbidden = ("discord", "aiosqlite", "sqlite3", "bot.storage", "bot.cogs", "aiohttp")
    bad = [m for m in imported_modules(path) if m.split(".")[0] in forbidden or m.startswith(forbidden)]
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_sql_lives_only_in_storage() -> None:
    offenders = []
    for path in BOT.rglob("*.py"):
        if (BOT / "storage") in path.parents:
            continue
        mods = imported_modules(path)
        if any(m.split(".")[0] in ("aiosqlite", "sqlite3") for m in mods):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders


async def test_every_extension_loads_and_command_names_are_unique(tmp_path: Path) -> None:
    from bot.client import EXTENSIONS, InterviewBot
    from bot.config import Settings
    from bot.domain.packs import load_library
    from bot.storage import Database

    async with Database.open(tmp_path / "db.sqlite") as db:
        bot = InterviewBot(
            settings=Settings(token="x"), db=db, library=load_library(ROOT / "content"), sync_commands=False
        )
        try:
            for extension in EXTENSIONS:
                await bot.load_extension(extension)
            names = [(c.name, type(c).__name__) for c in bot.tree.get_commands()]
            assert len(names) == len(set(names))
            assert {"question", "answer", "progress", "prep"} <= {n for n, _ in names}
        finally:
            await bot.close()

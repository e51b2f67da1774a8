"""Option helpers shared by commands: category lookup and autocomplete choices."""

from __future__ import annotations

from discord import app_commands

from bot.cogs import render
from bot.domain.errors import UserFacingError
from bot.domain.packs import Library
from bot.domain.schedule import timezone_choices


def categories(library: Library) -> list[str]:
    return sorted({q.category for q in library.all_questions})


def resolve_category(library: Library, category: str | None) -> str | None:
    """The pack's spelling of a category typed by a member (case-insensitive), or a polite error."""
    if not category or not category.strip():
        return None
    known = categories(library)
    for name in known:
        if name.casefold() == category.strip().casefold():
            return name
    typed = render.clip(category, 60)
    raise UserFacingError(f"There is no category {typed!r}. Choose one of: {', '.join(known)}.")


def category_choices(library: Library, current: str) -> list[app_commands.Choice[str]]:
    needle = current.casefold()
    return [app_commands.Choice(name=c, value=c) for c in categories(library) if needle in c.casefold()][:25]


def zone_choices(current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=name, value=name) for name in timezone_choices(current)]

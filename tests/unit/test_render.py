"""Embeds stay within Discord's limits whatever the pack or the member writes."""

from pathlib import Path

import discord
import pytest

from bot.cogs import render
from bot.domain.coaching_types import CoachingReport, FlagResult, PointerResult, StarResult
from bot.domain.packs import load_library

LIBRARY = load_library(Path(__file__).resolve().parents[2] / "content")


def test_clip_cuts_at_a_word_and_marks_it() -> None:
    assert render.clip("short", 10) == "short"
    clipped = render.clip("one two three four five six", 12)
    assert clipped == "one two…" and len(clipped) <= 12


@pytest.mark.parametrize("question", LIBRARY.all_questions, ids=lambda q: q.id)
def test_every_thread_name_fits_and_question_embed_is_valid(question) -> None:  # type: ignore[no-untyped-def]
    name = render.thread_name(question)
    assert 1 <= len(name) <= 100
    pack = LIBRARY.pack_of(question.id)
    assert pack is not None
    embed = render.question_embed(question, pack)
    assert len(embed) <= 6000 and len(embed.title or "") <= 256


def test_quote_escapes_mentions_and_markdown() -> None:
    quoted = render.quote("@everyone look at **this** <@123>")
    assert "@everyone" not in quoted.replace("@\u200beveryone", "")
    assert "\\*\\*this\\*\\*" in quoted


def test_coaching_embed_fits_even_with_huge_evidence() -> None:
    question = LIBRARY.question("incident-leadership")
    assert question is not None
    pack = LIBRARY.pack_of(question.id)
    assert pack is not None
    long = "word " * 2000
    report = CoachingReport(
        question_id=question.id,
        question_text=question.text,
        category=question.category,
        pointers=tuple(PointerResult(p.text, True, long) for p in question.pointers),
        red_flags=tuple(FlagResult(f"f{i}", long, "global", long) for i in range(10)),
        star=StarResult(True, False, True, False, False),
        score=42,
        summary=long,
    )
    embed = render.coaching_embed(report, question, pack)
    assert isinstance(embed, discord.Embed)
    assert len(embed) <= 6000
    assert all(len(f.value or "") <= 1024 for f in embed.fields)
    assert len(embed.fields) <= 25


def test_prep_embed_fits_for_every_pack() -> None:
    for pack in LIBRARY.packs:
        assert len(render.prep_embed(pack)) <= 6000


def test_code_block_cannot_be_broken_out_of() -> None:
    block = render.code_block("a ``` b", 100)
    assert block.count("```") == 2

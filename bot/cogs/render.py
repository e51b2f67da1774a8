"""Embeds and text the cogs send, built from domain objects.

Everything here respects Discord's limits (embed description 4,096, field value 1,024, 6,000 in
total, thread names 100) by trimming at word boundaries, so a long pack entry or answer can never
make a request fail. Member text is escaped so it cannot break formatting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import discord

from bot.domain.coaching_types import CoachingReport
from bot.domain.model import Pack, Question

BRAND_COLOUR = discord.Colour.blurple()
GOOD = "\N{WHITE HEAVY CHECK MARK}"
MISS = "\N{CROSS MARK}"
FLAG = "\N{TRIANGULAR FLAG ON POST}"
THREAD_NAME_LIMIT = 100
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
EMBED_TOTAL_LIMIT = 6000


def clip(text: str, limit: int) -> str:
    """Trim to `limit` characters at a word boundary, marking the cut with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-—") + "…"


def thread_name(question: Question) -> str:
    """Discord thread names are 1-100 characters; many seed questions are longer."""
    return clip(question.text, THREAD_NAME_LIMIT) or question.id


def quote(text: str, limit: int = 180) -> str:
    """A member's sentence shown as evidence: escaped, trimmed and quoted."""
    cleaned = discord.utils.escape_markdown(discord.utils.escape_mentions(" ".join(text.split())))
    return f"“{clip(cleaned, limit)}”"


def code_block(text: str, limit: int) -> str:
    """Member text returned verbatim (e.g. so a failed submission is not lost), safe inside ``` fences."""
    body = text.replace("```", "`\u200b``")
    if len(body) > limit:
        body = body[: limit - 1] + "…"
    return f"```\n{body}\n```"


def bullet_lines(lines: Iterable[str], limit: int = FIELD_LIMIT) -> str:
    """Join lines into a field value, dropping whole lines (with a note) rather than cutting one."""
    out: list[str] = []
    used = 0
    items = list(lines)
    for index, line in enumerate(items):
        extra = len(line) + (1 if out else 0)
        remaining = len(items) - index
        if used + extra > limit - 20 and remaining > 0:
            out.append(f"…and {remaining} more")
            break
        out.append(line)
        used += extra
    return "\n".join(out)[:limit] or "—"


def question_embed(question: Question, pack: Pack) -> discord.Embed:
    """The question as posted: no pointers yet, so members answer before they see the checklist."""
    embed = discord.Embed(
        title=clip(question.text, 256),
        description=clip(question.text, DESCRIPTION_LIMIT) if len(question.text) > 256 else None,
        colour=BRAND_COLOUR,
    )
    embed.add_field(name="Category", value=question.category, inline=True)
    embed.add_field(name="Pack", value=clip(pack.title, FIELD_LIMIT), inline=True)
    embed.add_field(name="Why this comes up", value=clip(question.why, FIELD_LIMIT), inline=False)
    embed.set_footer(text=f"Answer in the thread, or use /answer for a long answer · id: {question.id}")
    return embed


def thread_intro(question: Question) -> str:
    return (
        "Answer here: send your answer as a message, or use **/answer** for a long answer "
        "(up to 4,000 characters). After you answer, press **Coach me** to see which prep pointers "
        "you covered and which red flags showed."
    )


def coaching_embed(report: CoachingReport, question: Question, pack: Pack) -> discord.Embed:
    """Ephemeral coaching: pointers covered/missed with evidence, red flags with evidence, STAR."""
    embed = discord.Embed(
        title=f"Coaching · score {report.score}/100",
        description=clip(report.summary, 512),
        colour=_score_colour(report.score),
    )
    if report.pointers:
        lines = []
        for pointer in report.pointers:
            if pointer.covered:
                evidence = f"\n  ↳ {quote(pointer.evidence, 150)}" if pointer.evidence else ""
                lines.append(f"{GOOD} {clip(pointer.text, 160)}{evidence}")
            else:
                advice = pointer.advice or pointer.text
                lines.append(f"{MISS} {clip(pointer.text, 160)}\n  ↳ Add: {clip(advice, 160)}")
        covered = sum(p.covered for p in report.pointers)
        _add_long_field(embed, f"Prep pointers ({covered}/{len(report.pointers)} covered)", lines)
    else:
        embed.add_field(name="Why this comes up", value=clip(question.why, FIELD_LIMIT), inline=False)
    if report.red_flags:
        flag_lines = [
            f"{FLAG} {clip(flag.text, 160)}\n  ↳ {quote(flag.evidence, 150)}" for flag in report.red_flags
        ]
        _add_long_field(embed, f"Red flags shown ({len(report.red_flags)})", flag_lines)
    else:
        embed.add_field(name="Red flags shown", value="None found.", inline=False)
    if report.star is not None:
        star = report.star
        parts = [
            f"{GOOD if star.situation else MISS} Situation",
            f"{GOOD if star.task else MISS} Task",
            f"{GOOD if star.action else MISS} Action",
            f"{GOOD if star.result else MISS} Result",
            f"{GOOD if star.quantified_result else MISS} Result quantified",
        ]
        embed.add_field(name="STAR structure", value=" · ".join(parts), inline=False)
    if not report.pointers:
        embed.add_field(
            name="What hiring managers screen for",
            value=bullet_lines(f"• {clip(item, 200)}" for item in pack.screening),
            inline=False,
        )
    embed.set_footer(text="Only you can see this. Coaching is a checklist, not a verdict.")
    return fit(embed)


def prep_embed(pack: Pack) -> discord.Embed:
    embed = discord.Embed(title=f"{pack.title}: interview prep", colour=BRAND_COLOUR)
    embed.description = clip(pack.about, 1500)
    embed.add_field(
        name="Typical stages", value=bullet_lines(f"{i}. {s}" for i, s in enumerate(pack.stages, 1))
    )
    embed.add_field(name="Common formats", value=bullet_lines(f"• {s}" for s in pack.formats))
    embed.add_field(
        name="What hiring managers screen for",
        value=bullet_lines(f"• {s}" for s in pack.screening),
        inline=False,
    )
    embed.add_field(
        name="Red flags to avoid",
        value=bullet_lines(f"{FLAG} {flag.text}" for flag in pack.red_flags),
        inline=False,
    )
    embed.set_footer(text=f"{len(pack.questions)} questions · /question to practise one")
    return fit(embed)


def answer_card_text(member: discord.abc.User, *, edited: bool = False, reviewable: bool = True) -> str:
    """Private answers have no Review button, so their card does not mention one."""
    verb = "updated" if edited else "recorded"
    if not reviewable:
        return f"Answer by {member.mention} {verb}. Press **Coach me** for private feedback."
    return (
        f"Answer by {member.mention} {verb}. "
        "Press **Coach me** for private feedback, or **Review** to score it."
    )


def _add_long_field(embed: discord.Embed, name: str, lines: Sequence[str]) -> None:
    """Split a long list over several fields so no line is cut mid-sentence."""
    chunk: list[str] = []
    size = 0
    first = True
    for line in lines:
        line = clip(line, FIELD_LIMIT)
        if chunk and size + len(line) + 1 > FIELD_LIMIT:
            embed.add_field(name=name if first else f"{name} (cont.)", value="\n".join(chunk), inline=False)
            first = False
            chunk, size = [], 0
        chunk.append(line)
        size += len(line) + 1
    if chunk:
        embed.add_field(name=name if first else f"{name} (cont.)", value="\n".join(chunk), inline=False)


def fit(embed: discord.Embed) -> discord.Embed:
    """Drop trailing fields until the embed fits Discord's 6,000-character total."""
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def _score_colour(score: int) -> discord.Colour:
    if score >= 70:
        return discord.Colour.green()
    if score >= 40:
        return discord.Colour.gold()
    return discord.Colour.red()

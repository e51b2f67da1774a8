"""Embeds and text for peer review: the reviewer's checklist, the review reply and the /review queue.

The review reply is public, so it is built from an explicit `signature` only: in anonymous mode
the caller passes no reviewer at all, which makes it impossible for a name, id or avatar to leak
into the message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.cogs import render
from bot.domain.model import Pack, Question, RubricDimension
from bot.domain.packs import STAR_DIMENSION, Library, default_rubric
from bot.domain.review_rules import MIN_COMMENT_CHARS, score_bar
from bot.storage.records import Answer, QueueEntry

ANONYMOUS = "an anonymous reviewer"
REMOVED_TEXT = "Review removed by a moderator."


@dataclass(frozen=True, slots=True)
class Signature:
    """Who signs a public review; None fields mean "show nothing about the reviewer"."""

    name: str | None = None
    icon_url: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.name is None


def dimension_names(library: Library) -> dict[str, str]:
    """Readable names for stored dimension ids (pack rubrics, default rubrics and STAR)."""
    names = {STAR_DIMENSION.id: STAR_DIMENSION.name}
    for pack in library.packs:
        for dim in default_rubric(pack):
            names.setdefault(dim.id, dim.name)
    return names


def checklist_embed(
    question: Question,
    pack: Pack,
    dimensions: Sequence[RubricDimension],
    answer: Answer,
    *,
    already_reviewed: bool,
) -> discord.Embed:
    """What the reviewer judges against: the rubric, the question's prep pointers and red flags."""
    embed = discord.Embed(
        title="Review checklist",
        description=(
            f"**Question:** {render.clip(question.text, 600)}\n"
            f"**Answer by** <@{answer.member_id}>: {render.quote(answer.text, 600)}"
            + (
                "\n\nYou reviewed this answer before: scoring again updates that review."
                if already_reviewed
                else ""
            )
        ),
        colour=render.BRAND_COLOUR,
    )
    embed.add_field(
        name="Score each 1-5",
        value=render.bullet_lines(
            f"**{render.clip(d.name, 80)}**: {render.clip(d.description, 200)}" for d in dimensions
        ),
        inline=False,
    )
    if question.pointers:
        embed.add_field(
            name="Prep pointers (what a strong answer covers)",
            value=render.bullet_lines(f"{render.GOOD} {render.clip(p.text, 200)}" for p in question.pointers),
            inline=False,
        )
    else:
        embed.add_field(name="Why this comes up", value=render.clip(question.why, render.FIELD_LIMIT))
    flags = [*question.avoid, *pack.red_flags]
    if flags:
        embed.add_field(
            name="Red flags",
            value=render.bullet_lines(f"{render.FLAG} {render.clip(f.text, 200)}" for f in flags),
            inline=False,
        )
    embed.set_footer(
        text=f"Only you can see this. Press Score it to give scores and a comment ({MIN_COMMENT_CHARS}+ "
        "characters)."
    )
    return render.fit(embed)


def review_content(author_id: int) -> str:
    """The reply's text: it mentions the answer's author (the only mention allowed on it)."""
    return f"<@{author_id}>, your answer has a peer review."


def review_embed(
    dimensions: Sequence[RubricDimension],
    scores: Mapping[str, int],
    comment: str,
    signature: Signature,
    *,
    edited: bool,
) -> discord.Embed:
    """The public review: one line per dimension, the comment, and the signature."""
    lines = [
        f"{score_bar(scores[d.id])} **{scores[d.id]}/5** · {render.clip(d.name, 100)}"
        for d in dimensions
        if d.id in scores
    ]
    average = sum(scores.values()) / len(scores) if scores else 0.0
    embed = discord.Embed(
        title=f"Peer review · average {average:.1f}/5",
        description="\n".join(lines),
        colour=render.BRAND_COLOUR,
    )
    cleaned = discord.utils.escape_mentions(comment.strip())
    embed.add_field(name="Comment", value=render.clip(cleaned, render.FIELD_LIMIT), inline=False)
    if signature.anonymous:
        footer = f"Reviewed by {ANONYMOUS}"
    else:
        embed.set_author(name=render.clip(signature.name or "", 256), icon_url=signature.icon_url)
        footer = f"Reviewed by {signature.name}"
    if edited:
        footer += " · updated"
    embed.set_footer(text=render.clip(footer, 2048))
    return render.fit(embed)


def queue_embed(entries: Sequence[QueueEntry], library: Library, guild_id: int) -> discord.Embed:
    """The member's review queue: fewest reviews first, then oldest, with jump links."""
    embed = discord.Embed(title="Answers waiting for your review", colour=render.BRAND_COLOUR)
    lines = []
    for number, entry in enumerate(entries, start=1):
        answer = entry.answer
        question = library.question(answer.question_id)
        title = render.clip(question.text if question else answer.question_id, 70)
        link = title
        if answer.jump_channel_id is not None and answer.message_id is not None:
            url = f"https://discord.com/channels/{guild_id}/{answer.jump_channel_id}/{answer.message_id}"
            link = f"[{title}]({url})"
        reviews = "no reviews yet" if entry.review_count == 0 else _plural(entry.review_count, "review")
        when = discord.utils.format_dt(answer.created_at, "R")
        lines.append(f"{number}. {link}\n   by <@{answer.member_id}> · {reviews} · {when}")
    embed.description = render.clip("\n".join(lines), render.DESCRIPTION_LIMIT)
    embed.set_footer(text="Open an answer and press Review (or right-click it: Apps > Review answer).")
    return embed


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"

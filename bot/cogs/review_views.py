"""Components of peer review: the card's Review button, the checklist's Score it button, the modal.

Both buttons are `DynamicItem`s whose custom id carries the answer id, so a card posted before a
restart (or a checklist opened just before one) still works: discord.py rebuilds the item from
the id. They hold no state of their own and hand over to the Reviews cog.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import discord

from bot.cogs import render
from bot.cogs.errors import handle_interaction_error
from bot.domain.model import RubricDimension
from bot.domain.review_rules import MAX_COMMENT_CHARS, MAX_SCORE, MIN_COMMENT_CHARS, MIN_SCORE

if TYPE_CHECKING:
    from bot.cogs.reviews import Reviews

LABEL_LIMIT = 45
LABEL_DESCRIPTION_LIMIT = 100
SCORE_WORDS = {1: "weak", 2: "below the bar", 3: "meets the bar", 4: "strong", 5: "outstanding"}
DIMENSION_PREFIX = "dim:"
COMMENT_ID = "comment"


def _cog(interaction: discord.Interaction) -> Reviews:
    cog = interaction.client.get_cog("Reviews")  # type: ignore[attr-defined]
    if cog is None:
        raise RuntimeError("the Reviews cog is not loaded")
    return cast("Reviews", cog)


class ReviewButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"review:(?P<answer_id>[0-9]{1,19})"
):
    """ "Review" on public answer cards (never private ones): shows the checklist first."""

    def __init__(self, answer_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Review",
                style=discord.ButtonStyle.secondary,
                emoji="\N{WHITE MEDIUM STAR}",
                custom_id=f"review:{answer_id}",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(int(match["answer_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).show_checklist(interaction, self.answer_id)
        except Exception as error:  # one error path, as for commands
            await handle_interaction_error(interaction, error)


class ScoreButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"review-score:(?P<answer_id>[0-9]{1,19})"
):
    """ "Score it" under the ephemeral checklist: opens the scoring modal."""

    def __init__(self, answer_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Score it",
                style=discord.ButtonStyle.primary,
                custom_id=f"review-score:{answer_id}",
            )
        )
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ScoreButton:
        return cls(int(match["answer_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await _cog(interaction).open_modal(interaction, self.answer_id)
        except Exception as error:
            await handle_interaction_error(interaction, error)


def score_view(answer_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ScoreButton(answer_id))
    return view


class ReviewModal(discord.ui.Modal):
    """One radio group (1-5) per dimension plus the comment: at most 4 + 1 top-level labels."""

    def __init__(
        self,
        cog: Reviews,
        answer_id: int,
        dimensions: Sequence[RubricDimension],
        *,
        previous_scores: Mapping[str, int] | None = None,
        previous_comment: str | None = None,
    ) -> None:
        super().__init__(title="Review this answer", custom_id=f"review-modal:{answer_id}", timeout=30 * 60)
        self.cog = cog
        self.answer_id = answer_id
        self.dimensions = tuple(dimensions)
        self.groups: dict[str, discord.ui.RadioGroup[ReviewModal]] = {}
        previous = previous_scores or {}
        for dim in self.dimensions:
            group: discord.ui.RadioGroup[ReviewModal] = discord.ui.RadioGroup(
                custom_id=f"{DIMENSION_PREFIX}{dim.id}", required=True
            )
            for score in range(MIN_SCORE, MAX_SCORE + 1):
                group.add_option(
                    label=f"{score} · {SCORE_WORDS[score]}",
                    value=str(score),
                    default=previous.get(dim.id) == score,
                )
            self.groups[dim.id] = group
            self.add_item(
                discord.ui.Label(
                    text=render.clip(dim.name, LABEL_LIMIT),
                    description=render.clip(dim.description, LABEL_DESCRIPTION_LIMIT),
                    component=group,
                )
            )
        self.comment: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
            style=discord.TextStyle.paragraph,
            custom_id=COMMENT_ID,
            min_length=MIN_COMMENT_CHARS,
            max_length=MAX_COMMENT_CHARS,
            required=True,
            default=previous_comment,
            placeholder="What was strong, what was missing, one concrete suggestion.",
        )
        self.add_item(
            discord.ui.Label(
                text="Comment",
                description=f"At least {MIN_COMMENT_CHARS} characters; the author sees it.",
                component=self.comment,
            )
        )

    def raw_scores(self) -> dict[str, str | None]:
        return {dim_id: group.value for dim_id, group in self.groups.items()}

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await self.cog.submit_review(
            interaction, self.answer_id, self.dimensions, self.raw_scores(), self.comment.value
        )

    async def on_error(  # type: ignore[override]  # Modal.on_error has no item argument
        self, interaction: discord.Interaction, error: Exception, /
    ) -> None:
        await handle_interaction_error(interaction, error)

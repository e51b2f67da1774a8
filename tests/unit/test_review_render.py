"""Review embeds: an anonymous review carries nothing about the reviewer; limits always hold."""

from __future__ import annotations

import json

from bot.cogs.review_render import Signature, dimension_names, review_content, review_embed
from bot.domain.model import RubricDimension
from bot.domain.packs import STAR_DIMENSION, Library
from tests.integration.harness import library

DIMS = (
    RubricDimension(id="a", name="Ownership", description="Owns outcomes."),
    RubricDimension(id="b", name="Trade-offs", description="Names costs."),
    RubricDimension(id="c", name="Leverage", description="Removes toil."),
)
SCORES = {"a": 5, "b": 3, "c": 1}


def test_anonymous_review_has_no_author_and_no_reviewer_name() -> None:
    embed = review_embed(DIMS, SCORES, "Great structure, add numbers.", Signature(), edited=False).to_dict()
    assert "icon_url" not in json.dumps(embed)
    assert "author" not in embed
    assert "anonymous reviewer" in embed["footer"]["text"]
    assert "average 3.0/5" in embed["title"]
    assert "★★★★★ **5/5** · Ownership" in embed["description"]


def test_signed_review_names_the_reviewer_and_marks_edits() -> None:
    signed = Signature(name="Bob", icon_url="https://cdn.example/bob.png")
    embed = review_embed(DIMS, SCORES, "Great structure, add numbers.", signed, edited=True).to_dict()
    assert embed["author"]["name"] == "Bob" and embed["author"]["icon_url"].endswith("bob.png")
    assert embed["footer"]["text"] == "Reviewed by Bob · updated"


def test_comment_cannot_ping_and_is_clipped_to_a_field() -> None:
    comment = "@everyone look " + "word " * 400
    embed = review_embed(DIMS, SCORES, comment, Signature(), edited=False).to_dict()
    value = embed["fields"][0]["value"]
    assert "@everyone" not in value and len(value) <= 1024


def test_reply_content_mentions_only_the_author() -> None:
    assert review_content(42) == "<@42>, your answer has a peer review."


def test_dimension_names_cover_pack_rubrics_and_star() -> None:
    names = dimension_names(library())
    assert names[STAR_DIMENSION.id] == "STAR structure"
    assert names["reliability-ownership"] == "Reliability ownership & incident command"
    assert dimension_names(Library(packs=())) == {STAR_DIMENSION.id: "STAR structure"}

from datetime import UTC, datetime, timedelta

from bot.cogs.progress_card import CardData, render_card

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def card(scores: list[int]) -> CardData:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return CardData(
        member_name="bob",
        answered_by_category={"Behavioural": 2, "Technical": 1},
        totals_by_category={"Behavioural": 6, "Technical": 10, "Situational": 4},
        scores=[(start + timedelta(days=i), s) for i, s in enumerate(scores)],
        streak_days=3,
        average_coverage=0.5,
    )


def test_card_is_a_png_of_the_declared_size() -> None:
    png = render_card(card([20, 55, 80]))
    assert png.startswith(PNG_MAGIC)
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 400)


def test_card_renders_without_any_coached_answer() -> None:
    empty = render_card(card([]))
    assert empty.startswith(PNG_MAGIC)
    assert empty != render_card(card([10, 90])), "the trend panel reflects the scores"


def test_dollar_signs_in_a_name_are_drawn_literally() -> None:
    data = card([50])
    odd = CardData(
        member_name=r"x$\foo$y $5",
        answered_by_category=data.answered_by_category,
        totals_by_category=data.totals_by_category,
        scores=data.scores,
        streak_days=1,
        average_coverage=None,
    )
    assert render_card(odd).startswith(PNG_MAGIC)

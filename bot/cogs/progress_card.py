"""A PNG progress card for `/progress card:True`, drawn with matplotlib off the event loop.

Kept beside the cogs (it is presentation) and free of Discord types: it takes plain data and
returns PNG bytes, so it is easy to test and to time (`bench/progress_card.py`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

# The object-oriented Figure API draws without pyplot's global state or a display, so cards can
# be rendered concurrently in worker threads.
from matplotlib.figure import Figure

BLURPLE = "#5865F2"
GREY = "#B5BAC1"
BACKGROUND = "#2B2D31"
TEXT = "#F2F3F5"


@dataclass(frozen=True, slots=True)
class CardData:
    member_name: str
    answered_by_category: Mapping[str, int]
    totals_by_category: Mapping[str, int]
    scores: Sequence[tuple[datetime, int]]
    streak_days: int
    average_coverage: float | None


def plain(text: str) -> str:
    """Member-chosen text shown literally: matplotlib would read "$...$" as maths and may raise."""
    return text.replace("$", r"\$")


def render_card(data: CardData) -> bytes:
    """Two panels: questions answered per category, and coaching scores over recent answers."""
    figure = Figure(figsize=(8, 4), dpi=100, facecolor=BACKGROUND)
    bars, trend = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    for axes in (bars, trend):
        axes.set_facecolor(BACKGROUND)
        axes.tick_params(colors=TEXT, labelsize=8)
        for spine in axes.spines.values():
            spine.set_color(GREY)

    categories = list(data.totals_by_category)
    totals = [data.totals_by_category[c] for c in categories]
    answered = [data.answered_by_category.get(c, 0) for c in categories]
    positions = range(len(categories))
    bars.barh(positions, totals, color=GREY, alpha=0.35)
    bars.barh(positions, answered, color=BLURPLE)
    bars.set_xlim(0, max(totals, default=1) * 1.25)  # room for the "done/total" labels
    bars.set_yticks(list(positions), labels=[plain(c) for c in categories])
    bars.invert_yaxis()
    bars.set_title("Questions answered", color=TEXT, fontsize=10)
    for y, (done, total) in enumerate(zip(answered, totals, strict=True)):
        bars.text(total, y, f" {done}/{total}", va="center", color=TEXT, fontsize=8)

    if data.scores:
        xs = list(range(1, len(data.scores) + 1))
        ys = [score for _, score in data.scores]
        trend.plot(xs, ys, color=BLURPLE, marker="o", markersize=3, linewidth=1.5)
        trend.set_xlim(0.5, max(len(xs), 2) + 0.5)
    else:
        trend.text(0.5, 50, "No coached answers yet", ha="center", color=TEXT, fontsize=9)
        trend.set_xlim(0, 1)
    trend.set_ylim(0, 100)
    trend.set_title("Coaching score, recent answers", color=TEXT, fontsize=10)
    trend.set_xlabel("answer", color=TEXT, fontsize=8)

    coverage = "—" if data.average_coverage is None else f"{data.average_coverage:.0%}"
    figure.suptitle(
        f"{plain(data.member_name)} · streak {data.streak_days} day{'s' if data.streak_days != 1 else ''}"
        f" · pointer coverage {coverage}",
        color=TEXT,
        fontsize=12,
    )
    figure.tight_layout(rect=(0, 0, 1, 0.92))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()

"""Time PNG progress-card rendering (it runs in a worker thread, off the event loop).

python bench/progress_card.py [--runs 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cogs.progress_card import CardData, render_card


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    data = CardData(
        member_name="bench",
        answered_by_category={"Behavioural": 4, "Technical": 6, "Situational": 2},
        totals_by_category={
            "Behavioural": 6,
            "Technical": 10,
            "Situational": 4,
            "Competency": 4,
            "Culture fit": 2,
        },
        scores=[(start + timedelta(days=i), (i * 37) % 100) for i in range(30)],
        streak_days=5,
        average_coverage=0.62,
    )
    render_card(data)  # warm-up: font cache and imports
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        png = render_card(data)
        timings.append((time.perf_counter() - began) * 1000)
    median = statistics.median(timings)
    slowest = max(timings)
    print(
        f"progress card: {len(png):,} bytes; {args.runs} runs: median {median:.1f} ms, max {slowest:.1f} ms"
    )


if __name__ == "__main__":
    main()

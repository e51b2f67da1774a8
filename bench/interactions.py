"""Measure how fast the bot answers interactions, end to end through the loopback fake Discord.

Runs the real InterviewBot (real SQLite file, real discord.py client) and times, per interaction,
from the moment the fake dispatches INTERACTION_CREATE to the moment the bot's callback arrives —
the window Discord limits to 3 seconds. Prints median, p95 and max per kind.

    python bench/interactions.py [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakediscord import FakeDiscord  # noqa: E402
from tests.integration.harness import BotEnv, library  # noqa: E402

ANSWER = (
    "I was the incident commander for a checkout outage: I paged the database owner, ran the bridge and "
    "sent stakeholder updates every 20 minutes. We rolled back the deploy, MTTR was 35 minutes, and the "
    "blameless retro produced a canary stage so it could not recur."
)


async def timed(fake: FakeDiscord, start: object) -> float:
    before = time.perf_counter()
    ix = await start  # type: ignore[misc]
    await ix.response(timeout=10)
    return (time.perf_counter() - before) * 1000


async def run(rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"/question": [], "Coach me": [], "/answer modal": [], "/progress": []}
    async with FakeDiscord() as fake:
        with tempfile.TemporaryDirectory() as tmp:
            env = BotEnv(fake, Path(tmp) / "bench.db", library())
            async with env.running(question_cooldown_seconds=0.0):
                for _ in range(rounds):
                    before = len(fake.threads)
                    ms = await timed(fake, fake.invoke_command(env.alice, env.channel, "question"))
                    results["/question"].append(ms)
                    thread = await fake.wait_until(
                        lambda b=before: fake.threads[b] if len(fake.threads) > b else None, timeout=10
                    )
                    await fake.wait_for_message(thread, timeout=10)  # the bot's intro: the post is recorded
                    message = await fake.post_message(env.bob, thread, ANSWER)
                    card = await fake.wait_for_message(
                        thread,
                        lambda m, mid=message.id: (
                            str((m.message_reference or {}).get("message_id")) == str(mid)
                        ),
                        timeout=10,
                    )
                    coach_id = next(
                        c["custom_id"]
                        for row in card.components
                        for c in row.get("components", [])
                        if str(c.get("custom_id", "")).startswith("coach:")
                    )
                    results["Coach me"].append(await timed(fake, fake.press_button(env.bob, card, coach_id)))
                    opened = await fake.invoke_command(env.bob, thread, "answer")
                    await opened.response()
                    results["/answer modal"].append(
                        await timed(
                            fake,
                            fake.submit_modal(
                                env.bob, thread, values={"answer": ANSWER}, from_interaction=opened
                            ),
                        )
                    )
                    results["/progress"].append(
                        await timed(fake, fake.invoke_command(env.bob, env.channel, "progress"))
                    )
                    await fake.flush()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    results = asyncio.run(run(args.rounds))
    print(f"interaction callback latency over {args.rounds} rounds (ms, loopback, includes fake overhead)")
    print(f"{'interaction':<16}{'median':>10}{'p95':>10}{'max':>10}")
    for kind, samples in results.items():
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(f"{kind:<16}{statistics.median(ordered):>10.1f}{p95:>10.1f}{ordered[-1]:>10.1f}")


if __name__ == "__main__":
    main()

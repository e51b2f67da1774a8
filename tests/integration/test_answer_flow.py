"""End to end: answering in a thread (message or /answer modal), coaching, edits and deletes."""

from __future__ import annotations

import asyncio

from bot.client import InterviewBot
from bot.domain.coaching import coach
from tests.fakediscord import Message
from tests.integration.harness import BotEnv, answer_by_message, open_thread

STRONG_INCIDENT_ANSWER = (
    "Last year our payments API went down for about 40 minutes at peak and thousands of customers "
    "could not check out. I was the on-call lead, so I took the incident commander role and "
    "coordinated the response. I sent status updates to stakeholders and the support team every "
    "20 minutes. We rolled back the bad deploy to restore service, then found the root cause. "
    "Afterwards I ran a blameless retro and we added a canary stage, which cut MTTR from 40 to 8 minutes."
)
HERO_ANSWER = (
    "Honestly I just fixed it myself at 3am, nobody else was around and I didn't want to wake anyone. "
    "It was a config typo, so I patched it directly on the box and went back to bed."
)


def expected_report(bot: InterviewBot, question_id: str, text: str):  # type: ignore[no-untyped-def]
    """What the pure coach says for this answer: the adapters must show exactly that."""
    question = bot.library.question(question_id)
    assert question is not None
    return coach(question, bot.pack_of(question), text)


def coach_id(card: Message) -> str:
    for row in card.components:
        for comp in row.get("components", []):
            if str(comp.get("custom_id", "")).startswith("coach:"):
                return str(comp["custom_id"])
    raise AssertionError(f"no Coach me button on {card.components}")


async def test_message_answer_is_stored_reacted_and_coached_for_its_author_only(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env, "incident-leadership")
    message, card = await answer_by_message(env, env.bob, thread, STRONG_INCIDENT_ANSWER)

    stored = await bot.db.answers.by_message(message.id)
    assert stored is not None
    assert (stored.member_id, stored.guild_id, stored.question_id, stored.thread_id) == (
        env.bob.id,
        env.guild.id,
        "incident-leadership",
        thread.id,
    )
    assert stored.text == STRONG_INCIDENT_ANSWER and stored.source == "message"
    assert stored.created_at == env.clock()
    await env.fake.wait_until(lambda: env.fake.reactions_on(message), what="reaction")
    assert "Coach me" in str(card.components) and "<@" in card.content

    other = await env.fake.press_button(env.alice, card, coach_id(card))
    await other.settled()
    assert other.ephemeral and "private to the answer's author" in other.content

    mine = await env.fake.press_button(env.bob, card, coach_id(card))
    await mine.settled()
    assert mine.ephemeral
    text = mine.all_text
    report = expected_report(bot, "incident-leadership", STRONG_INCIDENT_ANSWER)
    covered = [p for p in report.pointers if p.covered]
    assert len(covered) >= 2, "a strong answer covers most pointers"
    assert f"Prep pointers ({len(covered)}/3 covered)" in text
    assert "incident commander" in text, "covered pointers quote the answer's sentence"
    assert "STAR structure" in text and "Result quantified" in text
    coaching = await bot.db.coaching.get(stored.id)
    assert coaching is not None and coaching.pointers_covered == len(covered)
    assert coaching.score == report.score


async def test_red_flags_are_shown_with_evidence(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    _message, card = await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    ix = await env.fake.press_button(env.bob, card, coach_id(card))
    await ix.settled()
    text = ix.all_text
    assert "Red flags shown" in text
    assert "Avoid framing it as solo heroics" in text
    assert "Hero culture" in text
    assert "fixed it myself at 3am" in text
    assert "Add:" in text, "missed pointers say what to add"


async def test_practice_question_coaching_shows_why_and_screening(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "crashloopbackoff")
    _message, card = await answer_by_message(
        env,
        env.bob,
        thread,
        "I'd run kubectl describe pod and kubectl logs --previous to see why the container exits, "
        "then check the liveness probe, resource limits and recent config changes.",
    )
    ix = await env.fake.press_button(env.bob, card, coach_id(card))
    await ix.settled()
    text = ix.all_text
    assert "Why this comes up" in text and "Hands-on Kubernetes troubleshooting" in text
    assert "What hiring managers screen for" in text and "Trade-off reasoning" in text
    assert "Prep pointers" not in text


async def test_chatter_and_replies_to_others_are_not_answers(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "mentoring")
    answer, _card = await answer_by_message(
        env, env.bob, thread, "I mentored a junior engineer on on-call for a year."
    )
    await env.fake.post_message(env.alice, thread, "nice one!")
    await env.fake.post_message(
        env.alice, thread, "I disagree with the part about pairing being enough though.", reply_to=answer
    )
    await env.fake.flush()
    rows = await bot.db.progress.summary(env.guild.id, env.alice.id)
    assert rows.answered_total == 0


async def test_editing_updates_and_recoaches_deleting_marks_deleted(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    message, card = await answer_by_message(env, env.bob, thread, HERO_ANSWER)
    answer = await bot.db.answers.by_message(message.id)
    assert answer is not None
    before = await bot.db.coaching.get(answer.id)
    assert before is not None

    env.clock.advance(minutes=1)
    await env.fake.edit_message(message, STRONG_INCIDENT_ANSWER)

    async def edited():  # type: ignore[no-untyped-def]
        row = await bot.db.answers.get(answer.id)
        return row if row is not None and row.text == STRONG_INCIDENT_ANSWER else None

    row = await wait_async(env, edited)
    assert row.edited_at == env.clock()
    after = await wait_async(env, lambda: _coached_above(bot, answer.id, before.score))
    assert after.score == expected_report(bot, "incident-leadership", STRONG_INCIDENT_ANSWER).score

    await env.fake.delete_message(message)

    async def deleted():  # type: ignore[no-untyped-def]
        row = await bot.db.answers.get(answer.id)
        return row if row is not None and row.deleted_at is not None else None

    await wait_async(env, deleted)
    ix = await env.fake.press_button(env.bob, card, coach_id(card))
    await ix.settled()
    assert ix.ephemeral and "deleted" in ix.content


async def _coached_above(bot: InterviewBot, answer_id: int, score: int):  # type: ignore[no-untyped-def]
    result = await bot.db.coaching.get(answer_id)
    return result if result is not None and result.score > score else None


async def wait_async(env: BotEnv, probe, timeout: float = 5.0):  # type: ignore[no-untyped-def]
    """Poll an async probe until it returns something truthy (the bot works in the background)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await probe()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def test_answer_modal_posts_under_members_name_and_coaches(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "incident-leadership")
    opened = await env.fake.invoke_command(env.bob, thread, "answer")
    await opened.response()
    assert opened.modal is not None
    assert "4000" in str(opened.modal) or "max_length" in str(opened.modal)

    submitted = await env.fake.submit_modal(
        env.bob, thread, values={"answer": STRONG_INCIDENT_ANSWER}, from_interaction=opened
    )
    await submitted.settled()
    assert submitted.ephemeral
    report = expected_report(bot, "incident-leadership", STRONG_INCIDENT_ANSWER)
    covered = sum(p.covered for p in report.pointers)
    assert f"Prep pointers ({covered}/3 covered)" in submitted.all_text
    assert f"score {report.score}/100" in submitted.all_text

    posted = await env.fake.wait_for_message(
        thread, lambda m: bool(m.embeds) and "Answered with /answer" in str(m.embeds)
    )
    embed = posted.embeds[0]
    assert embed["author"]["name"] == "bob"
    assert embed["description"] == STRONG_INCIDENT_ANSWER
    await env.fake.wait_until(lambda: "coach:" in str(posted.components), what="answer card buttons")
    stored = await bot.db.answers.by_message(posted.id)
    assert stored is not None and stored.source == "modal" and stored.member_id == env.bob.id


async def test_answer_outside_a_question_thread_is_refused(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(env.bob, env.channel, "answer")
    await ix.settled()
    assert ix.ephemeral and "inside a question's thread" in ix.content


async def test_empty_and_oversized_modal_answers_are_refused_and_nothing_is_saved(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env, "mentoring")
    for text, expected in (("   \n  ", "empty"), ("x" * 4001, "4,001 characters")):
        opened = await env.fake.invoke_command(env.bob, thread, "answer")
        await opened.response()
        submitted = await env.fake.submit_modal(
            env.bob, thread, values={"answer": text}, from_interaction=opened
        )
        await submitted.settled()
        assert submitted.ephemeral and expected in submitted.content
    summary = await bot.db.progress.summary(env.guild.id, env.bob.id)
    assert summary.answered_total == 0


async def test_member_text_can_never_ping(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env, "mentoring")
    opened = await env.fake.invoke_command(env.bob, thread, "answer")
    await opened.response()
    sneaky = "@everyone look <@&123> and <@456>, I mentored a junior engineer for a year on call."
    submitted = await env.fake.submit_modal(
        env.bob, thread, values={"answer": sneaky}, from_interaction=opened
    )
    await submitted.settled()
    await answer_by_message(env, env.alice, thread, sneaky)
    sent = [
        r
        for r in env.fake.requests
        if r.method == "POST" and r.path.endswith("/messages") and isinstance(r.json, dict)
    ]
    assert sent, "the bot sent messages"
    for request in sent:
        mentions = request.json.get("allowed_mentions")
        assert mentions is not None and mentions.get("parse") == [], request.json
        assert not mentions.get("users") and not mentions.get("roles")

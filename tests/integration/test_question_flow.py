"""End to end through the fake Discord: /question, /prep, autocomplete, cooldown and refusals."""

from __future__ import annotations

import asyncio

from bot.client import InterviewBot
from tests.integration.harness import BotEnv, answer_by_message

CREATE_PUBLIC_THREADS = 1 << 35


async def ask(env: BotEnv, member, **options):  # type: ignore[no-untyped-def]
    """Invoke /question and wait until the whole flow is over (thread opened and introduced)."""
    threads_before = len(env.fake.threads)
    ix = await env.fake.invoke_command(member, env.channel, "question", options or None)
    await ix.settled()
    if not ix.ephemeral:
        thread = await env.fake.wait_until(
            lambda: env.fake.threads[threads_before] if len(env.fake.threads) > threads_before else None,
            what="question thread",
        )
        await env.fake.wait_for_message(thread)
    return ix


async def test_question_posts_embed_and_opens_named_thread(env: BotEnv, bot: InterviewBot) -> None:
    ix = await ask(env, env.alice, question="incident-leadership")
    assert not ix.ephemeral
    embed = ix.embeds[0]
    assert embed["title"].startswith("Tell me about a major production incident")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Category"] == "Behavioural"
    assert fields["Why this comes up"] == (
        "Incident leadership is the single most reliable signal of DevOps seniority."
    )
    assert "Pick an incident" not in str(embed), "pointers stay hidden until members have answered"
    thread = await env.fake.wait_until(lambda: next(iter(env.fake.threads), None), what="thread")
    assert thread.parent_id == env.channel.id
    assert 1 <= len(thread.name) <= 100 and thread.name.startswith("Tell me about a major production")
    intro = await env.fake.wait_for_message(thread)
    assert "/answer" in intro.content
    post = await bot.db.posts.by_thread(thread.id)
    assert post is not None and post.question_id == "incident-leadership" and post.posted_by == env.alice.id


async def test_long_question_thread_name_is_cut_at_a_word(env: BotEnv, bot: InterviewBot) -> None:
    await ask(env, env.alice, question="cicd-kubernetes-pipeline")
    thread = await env.fake.wait_until(lambda: next(iter(env.fake.threads), None), what="thread")
    assert len(thread.name) <= 100
    assert thread.name.endswith("…")
    assert thread.name[:-1] in bot.library.question("cicd-kubernetes-pipeline").text  # type: ignore[union-attr]


async def test_question_without_options_picks_one_the_member_has_not_answered(
    env: BotEnv, bot: InterviewBot
) -> None:
    library = bot.library
    all_ids = [q.id for q in library.all_questions]
    for qid in all_ids[:-1]:  # answered everything but the last question
        question = library.question(qid)
        assert question is not None
        await bot.db.answers.record(
            guild_id=env.guild.id,
            question_id=qid,
            category=question.category,
            member_id=env.alice.id,
            text="an answer long enough to count",
            source="message",
            created_at=env.clock(),
        )
    ix = await ask(env, env.alice)
    assert ix.embeds[0]["footer"]["text"].endswith(f"id: {all_ids[-1]}")


async def test_category_option_restricts_the_choice(env: BotEnv, bot: InterviewBot) -> None:
    ix = await ask(env, env.alice, category="Situational")
    fields = {f["name"]: f["value"] for f in ix.embeds[0]["fields"]}
    assert fields["Category"] == "Situational"


async def test_cooldown_refuses_politely_and_expires(env: BotEnv, bot: InterviewBot) -> None:
    await ask(env, env.alice)
    second = await ask(env, env.alice)
    assert second.ephemeral
    assert "another question in 120 s" in second.content
    other = await ask(env, env.bob)
    assert not other.ephemeral, "the cooldown is per member"
    env.clock.advance(seconds=121)
    third = await ask(env, env.alice)
    assert not third.ephemeral


async def test_unknown_question_gets_ephemeral_error_with_closest_ids(env: BotEnv, bot: InterviewBot) -> None:
    ix = await ask(env, env.alice, question="incident-leadershp")
    assert ix.ephemeral
    assert "don't know that question" in ix.content and "`incident-leadership`" in ix.content
    assert env.fake.threads == [] or all(t.parent_id != env.channel.id for t in env.fake.threads)
    # A failed attempt does not cost the member their cooldown.
    again = await ask(env, env.alice, question="incident-leadership")
    assert not again.ephemeral


async def test_unknown_category_lists_the_real_ones(env: BotEnv, bot: InterviewBot) -> None:
    ix = await ask(env, env.alice, category="Astrology")
    assert ix.ephemeral and "Behavioural" in ix.content and "Technical" in ix.content


async def test_missing_thread_permission_is_named(env: BotEnv, bot: InterviewBot) -> None:
    env.fake.set_bot_permissions(env.channel, deny=CREATE_PUBLIC_THREADS)
    await env.fake.flush()
    ix = await ask(env, env.alice)
    assert ix.ephemeral
    assert "Create Public Threads" in ix.content
    assert env.fake.threads == []


async def test_question_autocomplete_searches_text_and_ids(env: BotEnv, bot: InterviewBot) -> None:
    choices = await env.fake.autocomplete(
        env.alice, env.channel, "question", focused="question", value="terraform"
    )
    values = [c["value"] for c in choices]
    assert "terraform-state" in values
    assert all(len(c["name"]) <= 100 for c in choices)
    everything = await env.fake.autocomplete(env.alice, env.channel, "question", focused="question", value="")
    assert len(everything) == 25
    filtered = await env.fake.autocomplete(
        env.alice,
        env.channel,
        "question",
        focused="question",
        value="",
        options={"category": "Culture fit"},
    )
    assert {c["value"] for c in filtered} == {"blameless-culture", "dev-teams-ownership"}


async def test_category_autocomplete(env: BotEnv, bot: InterviewBot) -> None:
    choices = await env.fake.autocomplete(
        env.alice, env.channel, "question", focused="category", value="tech"
    )
    assert [c["value"] for c in choices] == ["Technical"]


async def test_prep_shows_the_pack_overview_ephemerally(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(env.alice, env.channel, "prep")
    await ix.settled()
    assert ix.ephemeral
    text = ix.all_text
    for expected in (
        "Recruiter screen",
        "Behavioral STAR",
        "Trade-off reasoning under constraints",
        "Treating security and cost as someone else's problem",
    ):
        assert expected in text


async def test_question_in_a_thread_is_refused(env: BotEnv, bot: InterviewBot) -> None:
    await ask(env, env.alice)
    thread = await env.fake.wait_until(lambda: next(iter(env.fake.threads), None), what="thread")
    ix = await env.fake.invoke_command(env.bob, thread, "question")
    await ix.settled()
    assert ix.ephemeral and "regular text channel" in ix.content


async def test_practice_opens_a_private_thread_whose_answers_stay_private(
    env: BotEnv, bot: InterviewBot
) -> None:
    ix = await env.fake.invoke_command(env.bob, env.channel, "practice", {"question": "mentoring"})
    await ix.settled()
    assert ix.ephemeral and "private practice thread" in ix.all_text
    thread = await env.fake.wait_until(lambda: next(iter(env.fake.threads), None), what="thread")
    assert thread.type == 12 and not thread.invitable
    assert env.bob.id in thread.member_ids and env.alice.id not in thread.member_ids
    assert not [m for m in env.fake.messages_in(env.channel) if m.embeds], "nothing is posted in the channel"
    question = await env.fake.wait_for_message(thread, lambda m: bool(m.embeds))
    assert question.embeds[0]["title"].startswith("Give an example of how you mentored")

    await answer_by_message(
        env, env.bob, thread, "I paired weekly with a junior on our on-call runbooks for a year."
    )
    queue = await env.fake.invoke_command(env.alice, env.channel, "review")
    await queue.settled()
    assert "Nothing waiting for your review" in queue.content
    public = await env.fake.invoke_command(env.alice, env.channel, "progress", {"member": env.bob})
    await public.settled()
    assert str(thread.id) not in str(public.embeds[0])
    assert "Answered **0** of 28" in public.embeds[0]["description"], "private practice is not counted"
    assert "Given" not in str(public.embeds[0]), "reviews given could unmask anonymous reviewers"
    board = await env.fake.invoke_command(env.alice, env.channel, "leaderboard")
    await board.settled()
    assert str(env.bob.id) not in board.embeds[0]["description"]
    mine = await env.fake.invoke_command(env.bob, env.channel, "progress")
    await mine.settled()
    assert str(thread.id) in str(mine.embeds[0])


async def test_practice_names_a_missing_private_thread_permission(env: BotEnv, bot: InterviewBot) -> None:
    env.fake.set_bot_permissions(env.channel, deny=1 << 36)  # Create Private Threads
    await env.fake.flush()
    ix = await env.fake.invoke_command(env.bob, env.channel, "practice")
    await ix.settled()
    assert ix.ephemeral and "Create Private Threads" in ix.content


async def test_an_enormous_option_value_still_gets_a_polite_reply(env: BotEnv, bot: InterviewBot) -> None:
    ix = await ask(env, env.alice, category="x" * 5000)
    assert ix.ephemeral and "There is no category" in ix.content and len(ix.content) <= 2000
    ix = await env.fake.invoke_command(env.alice, env.channel, "mydata timezone", {"zone": "Mars/" * 1000})
    await ix.settled()
    assert ix.ephemeral and len(ix.content) <= 2000


async def test_mentioning_the_bot_is_not_an_error(env: BotEnv, bot: InterviewBot, caplog) -> None:  # type: ignore[no-untyped-def]
    assert bot.user is not None
    await env.fake.post_message(env.alice, env.channel, f"<@{bot.user.id}> hello there")
    await env.fake.flush()
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_a_double_click_posts_one_question(env: BotEnv, bot: InterviewBot) -> None:
    first, second = await asyncio.gather(
        env.fake.invoke_command(env.alice, env.channel, "question"),
        env.fake.invoke_command(env.alice, env.channel, "question"),
    )
    await first.settled()
    await second.settled()
    assert sorted([first.ephemeral, second.ephemeral]) == [False, True]
    await env.fake.wait_until(lambda: env.fake.threads, what="thread")
    await env.fake.flush()
    assert len(env.fake.threads) == 1

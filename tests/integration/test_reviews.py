"""End to end: peer review through the fake Discord (button, context menu, modal, reply, moderation)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.client import InterviewBot
from bot.domain.review_rules import review_dimensions
from tests.fakediscord import Channel, InteractionRecord, Member, Message
from tests.fakediscord.actions import walk_components
from tests.integration import harness
from tests.integration.harness import BotEnv

MANAGE_MESSAGES = 1 << 13
MANAGE_THREADS = 1 << 34
COMMENT = "Clear timeline and ownership; add the business impact in numbers next time."
ALICE_ANSWER = (
    "Our payments API went down for 40 minutes at peak. I took the incident commander role, sent "
    "status updates every 20 minutes, rolled back the deploy and ran a blameless retro afterwards."
)


async def open_thread(env: BotEnv, question_id: str = "incident-leadership") -> Channel:
    return await harness.open_thread(env, question_id, env.admin)


async def answer(
    env: BotEnv, member: Member, thread: Channel, text: str = ALICE_ANSWER
) -> tuple[Message, Message]:
    """Post a message answer; returns (the member's message, the bot's answer card)."""
    message, card = await harness.answer_by_message(env, member, thread, text)
    env.clock.advance(minutes=1)
    return message, card


def custom_ids(message: Message) -> list[str]:
    return [str(c["custom_id"]) for c in walk_components(message.components) if c.get("custom_id")]


def review_id_of(card: Message) -> str:
    return next(cid for cid in custom_ids(card) if cid.startswith("review:"))


def review_replies(env: BotEnv, thread: Channel) -> list[Message]:
    return [
        m
        for m in env.fake.messages_in(thread)
        if m.author.id == env.fake.bot_user.id and "peer review" in m.content
    ]


async def open_checklist_by_button(env: BotEnv, reviewer: Member, card: Message) -> InteractionRecord:
    ix = await env.fake.press_button(reviewer, card, review_id_of(card))
    await ix.response()
    return ix


async def score(
    env: BotEnv,
    reviewer: Member,
    checklist: InteractionRecord,
    thread: Channel,
    scores: list[int],
    comment: str = COMMENT,
) -> InteractionRecord:
    """Press Score it on the checklist, fill the modal (radio per dimension + comment), submit."""
    assert checklist.ephemeral and checklist.message is not None
    score_id = next(cid for cid in custom_ids(checklist.message) if cid.startswith("review-score:"))
    opened = await env.fake.press_button(reviewer, checklist.message, score_id)
    await opened.response()
    assert opened.modal is not None, opened.all_text
    dims = [c["custom_id"] for c in walk_components(opened.modal["components"]) if c.get("type") == 21]
    assert len(dims) == len(scores)
    values: dict[str, Any] = {cid: str(s) for cid, s in zip(dims, scores, strict=True)}
    values["comment"] = comment
    submitted = await env.fake.submit_modal(reviewer, thread, values=values, from_interaction=opened)
    await submitted.settled()
    return submitted


async def review_by_button(
    env: BotEnv, reviewer: Member, card: Message, thread: Channel, scores: list[int], comment: str = COMMENT
) -> InteractionRecord:
    checklist = await open_checklist_by_button(env, reviewer, card)
    return await score(env, reviewer, checklist, thread, scores, comment)


async def test_button_flow_shows_checklist_then_posts_reply_mentioning_only_the_author(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    assert "Coach me" in str(card.components) and "Review" in str(card.components)

    checklist = await open_checklist_by_button(env, env.bob, card)
    assert checklist.ephemeral
    text = checklist.all_text
    question = bot.library.question("incident-leadership")
    assert question is not None
    dims = review_dimensions(bot.pack_of(question), question)
    assert [d.name for d in dims][-1] == "STAR structure" and len(dims) == 4  # behavioural: 3 + STAR
    for dim in dims:
        assert dim.name in text
    assert question.pointers[0].text[:40] in text, "prep pointers are on the checklist"
    assert "Red flags" in text and bot.pack_of(question).red_flags[0].text in text

    mark = len(env.fake.requests)
    done = await score(env, env.bob, checklist, thread, [4, 3, 5, 2])
    assert done.ephemeral and "posted" in done.all_text

    [reply] = review_replies(env, thread)
    assert reply.message_reference is not None and reply.message_reference["message_id"] == str(message.id)
    assert env.alice.mention in reply.content and env.bob.mention not in reply.content
    embed = reply.embeds[0]
    assert "average 3.5/5" in embed["title"]
    assert "4/5" in embed["description"] and "STAR structure" in embed["description"]
    assert COMMENT in embed["fields"][0]["value"]
    assert "bob" in embed["footer"]["text"] and embed["author"]["name"] == "bob"

    post = next(
        r
        for r in env.fake.requests[mark:]
        if r.method == "POST" and r.path.endswith(f"/{thread.id}/messages")
    )
    mentions = post.json["allowed_mentions"]
    assert [int(u) for u in mentions["users"]] == [env.alice.id] and mentions["parse"] == []
    assert not mentions.get("replied_user")

    stored = await bot.db.reviews.get_for((await bot.db.answers.by_message(message.id)).id, env.bob.id)  # type: ignore[union-attr]
    assert stored is not None and stored.message_id == reply.id and not stored.anonymous
    assert sorted(stored.scores.values()) == [2, 3, 4, 5] and stored.comment == COMMENT

    progress = await env.fake.invoke_command(env.alice, env.channel, "progress")
    await progress.response()
    shown = progress.all_text
    assert "Received 1" in shown and "STAR structure: 2.0/5" in shown
    assert "Reliability ownership & incident command: 4.0/5" in shown
    given = await env.fake.invoke_command(env.bob, env.channel, "progress")
    await given.response()
    assert "Given 1" in given.all_text


async def test_context_menu_works_on_answer_message_card_and_modal_post(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    for target in (message, card):
        ix = await env.fake.invoke_message_command(env.bob, target, "Review answer")
        await ix.response()
        assert ix.ephemeral and "Review checklist" in ix.all_text, ix.all_text

    # a modal answer: the bot's own post carries the buttons and is the answer message
    opened = await env.fake.invoke_command(env.alice, thread, "answer")
    await opened.response()
    await env.fake.submit_modal(
        env.alice, thread, values={"answer": ALICE_ANSWER + " (long form)"}, from_interaction=opened
    )
    post = await env.fake.wait_for_message(
        thread, lambda m: "Answered with /answer" in str(m.embeds) and bool(m.components)
    )
    ix = await env.fake.invoke_message_command(env.bob, post, "Review answer")
    await ix.response()
    assert "Review checklist" in ix.all_text
    await score(env, env.bob, ix, thread, [5, 5, 4, 4])
    reply = next(m for m in review_replies(env, thread) if harness.replies_to(post)(m))
    assert env.alice.mention in reply.content

    other = await env.fake.invoke_message_command(env.bob, reply, "Review answer")
    await other.response()
    assert other.ephemeral and "isn't an answer" in other.all_text


async def test_self_review_is_refused(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    pressed = await env.fake.press_button(env.alice, card, review_id_of(card))
    await pressed.response()
    assert pressed.ephemeral and "can't review your own answer" in pressed.all_text
    menu = await env.fake.invoke_message_command(env.alice, message, "Review answer")
    await menu.response()
    assert menu.ephemeral and "can't review your own answer" in menu.all_text
    assert review_replies(env, thread) == []


async def test_reviewing_again_edits_the_earlier_reply_and_reposts_if_it_was_deleted(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    await review_by_button(
        env, env.bob, card, thread, [1, 1, 1, 1], "First pass: too vague about the impact."
    )
    [first] = review_replies(env, thread)

    checklist = await open_checklist_by_button(env, env.bob, card)
    assert "scoring again updates" in checklist.all_text
    mark = len(env.fake.requests)
    await score(
        env, env.bob, checklist, thread, [5, 4, 4, 4], "Second look: the retro and rollback are strong."
    )
    [same] = review_replies(env, thread)
    assert same.id == first.id
    assert (
        "Second look" in same.embeds[0]["fields"][0]["value"]
        and "updated" in same.embeds[0]["footer"]["text"]
    )
    methods = [
        (r.method, r.path)
        for r in env.fake.requests[mark:]
        if "/messages" in r.path and "webhooks" not in r.path
    ]
    assert ("PATCH", f"/channels/{thread.id}/messages/{first.id}") in methods
    assert not any(m == "POST" for m, _ in methods), "a re-review never posts a second reply"
    answer_row = await bot.db.answers.by_message(message.id)
    assert answer_row is not None
    assert await bot.db.reviews.count_for_answer(answer_row.id) == 1
    assert (await bot.db.reviews.received_averages(env.guild.id, env.alice.id)).averages[
        "star-structure"
    ] == 4.0

    # the earlier modal is pre-filled with the previous scores and comment
    again = await open_checklist_by_button(env, env.bob, card)
    assert again.message is not None
    opened = await env.fake.press_button(
        env.bob, again.message, next(c for c in custom_ids(again.message) if c.startswith("review-score:"))
    )
    await opened.response()
    assert opened.modal is not None
    comps = list(walk_components(opened.modal["components"]))
    assert any(c.get("value") == "Second look: the retro and rollback are strong." for c in comps)
    assert any(
        o.get("default") and o["value"] == "5" for c in comps if c.get("type") == 21 for o in c["options"]
    )

    await env.fake.delete_message(same)
    await review_by_button(env, env.bob, card, thread, [3, 3, 3, 3], "Third: fine, but quantify the result.")
    [fresh] = review_replies(env, thread)
    assert fresh.id != first.id and "Third" in fresh.embeds[0]["fields"][0]["value"]
    stored = await bot.db.reviews.get_for(answer_row.id, env.bob.id)
    assert stored is not None and stored.message_id == fresh.id


async def test_anonymous_reviews_never_reveal_the_reviewer(env: BotEnv, bot: InterviewBot) -> None:
    refused = await env.fake.invoke_command(env.bob, env.channel, "settings", {"anonymous_reviews": True})
    await refused.response()
    assert refused.ephemeral and "Manage Server" in refused.all_text
    turned_on = await env.fake.invoke_command(env.admin, env.channel, "settings", {"anonymous_reviews": True})
    await turned_on.response()
    assert turned_on.ephemeral and "On:" in turned_on.all_text
    shown = await env.fake.invoke_command(env.admin, env.channel, "settings")
    await shown.response()
    assert "On:" in shown.all_text

    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    mark = len(env.fake.requests)
    done = await review_by_button(env, env.bob, card, thread, [4, 4, 4, 4])
    assert "anonymously" in done.all_text
    [reply] = review_replies(env, thread)
    assert "anonymous reviewer" in reply.embeds[0]["footer"]["text"] and "author" not in reply.embeds[0]
    for request in env.fake.requests[mark:]:
        body = json.dumps(request.json)
        assert str(env.bob.id) not in body and str(env.bob.id) not in request.path, request
        assert "bob" not in body.lower(), request
    answer_row = await bot.db.answers.by_message(message.id)
    assert answer_row is not None
    stored = await bot.db.reviews.get_for(answer_row.id, env.bob.id)
    assert stored is not None and stored.anonymous and stored.reviewer_id == env.bob.id

    off = await env.fake.invoke_command(env.admin, env.channel, "settings", {"anonymous_reviews": False})
    await off.response()
    await review_by_button(env, env.admin, card, thread, [3, 3, 3, 3])
    signed = next(m for m in review_replies(env, thread) if m.id != reply.id)
    assert "admin" in signed.embeds[0]["footer"]["text"]


async def test_queue_lists_others_answers_fewest_reviews_then_oldest(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env)
    a1, card1 = await answer(env, env.alice, thread, ALICE_ANSWER)
    a2, card2 = await answer(
        env, env.admin, thread, "Admin's answer: I led the rollback and wrote the postmortem."
    )
    a3, _card3 = await answer(env, env.alice, thread, ALICE_ANSWER + " Second attempt with numbers.")
    own, _own_card = await answer(
        env, env.bob, thread, "Bob's own answer which must never be in his own queue."
    )
    await review_by_button(env, env.alice, card2, thread, [3, 3, 3, 3])  # a2 now has one review

    def order(ix: InteractionRecord) -> list[int]:
        text = ix.embeds[0]["description"]
        ids = {m.id: text.find(f"/{m.id})") for m in (a1, a2, a3)}
        return [mid for mid, pos in sorted(ids.items(), key=lambda kv: kv[1]) if pos >= 0]

    queue = await env.fake.invoke_command(env.bob, env.channel, "review")
    await queue.response()
    assert queue.ephemeral
    assert order(queue) == [a1.id, a3.id, a2.id]
    assert (
        f"https://discord.com/channels/{env.guild.id}/{thread.id}/{a1.id}" in queue.embeds[0]["description"]
    )
    assert "1 review" in queue.embeds[0]["description"] and f"/{own.id})" not in json.dumps(queue.embeds)

    await review_by_button(env, env.bob, card1, thread, [4, 4, 4, 4])
    queue = await env.fake.invoke_command(env.bob, env.channel, "review")
    await queue.response()
    assert order(queue) == [a3.id, a2.id]

    admin_queue = await env.fake.invoke_command(env.admin, env.channel, "review")
    await admin_queue.response()
    assert order(admin_queue) == [a3.id, a1.id]  # not their own a2; a1 has bob's review now
    lonely = env.fake.add_member(env.guild, "carol")
    for card in (card1, card2):
        await review_by_button(env, lonely, card, thread, [2, 2, 2, 2])
    remaining = await env.fake.invoke_command(lonely, env.channel, "review")
    await remaining.response()
    assert order(remaining) == [a3.id]


async def test_empty_queue_is_friendly(env: BotEnv, bot: InterviewBot) -> None:
    queue = await env.fake.invoke_command(env.bob, env.channel, "review")
    await queue.response()
    assert queue.ephemeral and "Nothing waiting for your review" in queue.all_text


async def test_deleted_answer_cannot_be_reviewed_and_comment_is_echoed(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    checklist = await open_checklist_by_button(env, env.bob, card)
    assert checklist.message is not None
    score_id = next(c for c in custom_ids(checklist.message) if c.startswith("review-score:"))
    opened = await env.fake.press_button(env.bob, checklist.message, score_id)
    await opened.response()
    assert opened.modal is not None  # the modal is open when the author deletes the answer
    await env.fake.delete_message(message)
    row = None
    for _ in range(100):  # the delete event is handled asynchronously
        row = await bot.db.answers.by_message(message.id)
        if row is not None and row.deleted_at is not None:
            break
        await asyncio.sleep(0.02)
    assert row is not None and row.deleted_at is not None

    dims = [c["custom_id"] for c in walk_components(opened.modal["components"]) if c.get("type") == 21]
    values: dict[str, Any] = dict.fromkeys(dims, "3") | {"comment": "A comment I would hate to lose."}
    done = await env.fake.submit_modal(env.bob, thread, values=values, from_interaction=opened)
    await done.response()
    assert (
        done.ephemeral and "deleted" in done.all_text and "A comment I would hate to lose." in done.all_text
    )
    late = await env.fake.press_button(env.bob, checklist.message, score_id)
    await late.response()
    assert late.modal is None and "deleted" in late.all_text
    pressed = await env.fake.press_button(env.bob, card, review_id_of(card))
    await pressed.response()
    assert "deleted" in pressed.all_text
    assert review_replies(env, thread) == []


async def test_invalid_submission_is_refused_politely_with_the_comment_echoed(
    env: BotEnv, bot: InterviewBot
) -> None:
    thread = await open_thread(env)
    _message, card = await answer(env, env.alice, thread)
    checklist = await open_checklist_by_button(env, env.bob, card)
    assert checklist.message is not None
    opened = await env.fake.press_button(
        env.bob, checklist.message, f"review-score:{review_id_of(card).split(':')[1]}"
    )
    await opened.response()
    assert opened.modal is not None
    labels = [c for c in opened.modal["components"] if c["type"] == 18]
    assert len(labels) == 5 and all(len(c["label"]) <= 45 for c in labels)
    first_dim = labels[0]["component"]["custom_id"]
    short = await env.fake.submit_modal(
        env.bob, thread, values={first_dim: "4", "comment": "too short"}, from_interaction=opened
    )
    await short.response()
    assert short.ephemeral
    assert "at least 20 characters" in short.all_text and "a score from 1 to 5" in short.all_text
    assert "too short" in short.all_text
    assert review_replies(env, thread) == []


async def test_moderator_removes_a_review_and_it_leaves_the_averages(env: BotEnv, bot: InterviewBot) -> None:
    command = env.fake.find_command("Remove review", env.guild, 3)
    assert str(command["default_member_permissions"]) == str(MANAGE_MESSAGES)
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    await review_by_button(env, env.bob, card, thread, [1, 1, 1, 1])
    [reply] = review_replies(env, thread)
    assert (await bot.db.reviews.received_averages(env.guild.id, env.alice.id)).count == 1

    refused = await env.fake.invoke_message_command(env.alice, reply, "Remove review")
    await refused.response()
    assert refused.ephemeral and "Manage Messages" in refused.all_text

    mod = env.fake.add_member(env.guild, "mod", permissions=MANAGE_MESSAGES)
    removed = await env.fake.invoke_message_command(mod, reply, "Remove review")
    await removed.settled()
    assert removed.ephemeral and "Review removed" in removed.all_text
    assert reply.content == "Review removed by a moderator." and reply.embeds == []
    averages = await bot.db.reviews.received_averages(env.guild.id, env.alice.id)
    assert averages.count == 0 and averages.averages == {}
    answer_row = await bot.db.answers.by_message(message.id)
    assert answer_row is not None
    stored = await bot.db.reviews.get_for(answer_row.id, env.bob.id)
    assert stored is not None and stored.removed_by == mod.id and stored.reviewer_id == env.bob.id
    progress = await env.fake.invoke_command(env.alice, env.channel, "progress")
    await progress.response()
    assert "Received 0" in progress.all_text

    not_review = await env.fake.invoke_message_command(mod, message, "Remove review")
    await not_review.response()
    assert "isn't a peer review" in not_review.all_text


async def test_review_button_survives_a_restart(env: BotEnv) -> None:
    async with env.running():
        thread = await open_thread(env)
        message, card = await answer(env, env.alice, thread)
    async with env.running() as bot:
        await review_by_button(env, env.bob, card, thread, [5, 4, 3, 2])
        [reply] = review_replies(env, thread)
        assert reply.message_reference is not None and reply.message_reference["message_id"] == str(
            message.id
        )
        assert (await bot.db.reviews.received_averages(env.guild.id, env.alice.id)).count == 1


async def open_modal(env: BotEnv, reviewer: Member, card: Message) -> InteractionRecord:
    """Review -> checklist -> Score it: the scoring modal, open and not yet submitted."""
    checklist = await open_checklist_by_button(env, reviewer, card)
    assert checklist.message is not None
    score_id = next(cid for cid in custom_ids(checklist.message) if cid.startswith("review-score:"))
    opened = await env.fake.press_button(reviewer, checklist.message, score_id)
    await opened.response()
    assert opened.modal is not None, opened.all_text
    return opened


async def test_two_quick_submissions_by_one_reviewer_post_one_review(env: BotEnv, bot: InterviewBot) -> None:
    thread = await open_thread(env)
    message, card = await answer(env, env.alice, thread)
    first_modal = await open_modal(env, env.bob, card)
    second_modal = await open_modal(env, env.bob, card)

    async def submit(opened: InteractionRecord, value: str, comment: str) -> InteractionRecord:
        assert opened.modal is not None
        dims = [c["custom_id"] for c in walk_components(opened.modal["components"]) if c.get("type") == 21]
        values: dict[str, Any] = dict.fromkeys(dims, value) | {"comment": comment}
        submitted = await env.fake.submit_modal(env.bob, thread, values=values, from_interaction=opened)
        await submitted.settled()
        return submitted

    done = await asyncio.gather(
        submit(first_modal, "2", "First modal: the impact is missing entirely."),
        submit(second_modal, "4", "Second modal: solid ownership and a clear retro."),
    )
    assert sorted("posted" in d.all_text for d in done) == [False, True], [d.all_text for d in done]
    assert any("updated" in d.all_text for d in done)
    [reply] = review_replies(env, thread)  # one public review, edited by the later submission
    answer_row = await bot.db.answers.by_message(message.id)
    assert answer_row is not None
    stored = await bot.db.reviews.get_for(answer_row.id, env.bob.id)
    assert stored is not None and stored.message_id == reply.id
    assert await bot.db.reviews.count_for_answer(answer_row.id) == 1
    assert stored.comment in reply.embeds[0]["fields"][0]["value"]


async def test_private_practice_answers_are_never_offered_for_review(env: BotEnv, bot: InterviewBot) -> None:
    ix = await env.fake.invoke_command(
        env.alice, env.channel, "practice", {"question": "incident-leadership"}
    )
    await ix.settled()
    thread = await env.fake.wait_until(lambda: next(iter(env.fake.threads), None), what="thread")
    await env.fake.wait_for_message(thread, lambda m: bool(m.embeds))
    message, card = await answer(env, env.alice, thread)
    assert [cid.split(":")[0] for cid in custom_ids(card)] == ["coach"]
    assert "Coach me" in card.content and "Review" not in card.content

    # a moderator can read private threads, but still cannot review a private answer
    mod = env.fake.add_member(env.guild, "mod", permissions=MANAGE_MESSAGES | MANAGE_THREADS)
    for target in (message, card):
        refused = await env.fake.invoke_message_command(mod, target, "Review answer")
        await refused.response()
        assert refused.ephemeral and "private" in refused.all_text, refused.all_text
        assert "Review checklist" not in refused.all_text
    answer_row = await bot.db.answers.by_message(message.id)
    assert answer_row is not None
    assert review_replies(env, thread) == []
    assert await bot.db.reviews.count_for_answer(answer_row.id) == 0

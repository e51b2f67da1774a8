"""The loopback fake Discord, driven by the real discord.py 2.7.1 client.

These tests pin the Discord behaviours the project's integration tests rely on: login/READY,
slash commands and their responses, components and modals, threads, gateway resume, OpenAPI
validation, and Discord's error rules (3 s window, single response, limits, permissions).
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakediscord import Channel, FakeDiscord, limits
from tests.fakediscord import permissions as perms
from tests.fakediscord.fixtures import assert_clean, running_client
from tests.fakediscord.snowflake import new_snowflake, snowflake_time

# The fixtures ``fake_discord`` / ``fake_discord_unchecked`` come from tests/conftest.py.

READY_FAST = 0.05  # guild_ready_timeout: discord.py otherwise waits 2 s before on_ready


def _intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True
    return intents


# --------------------------------------------------------------------------- a small test bot
class AnswerModal(discord.ui.Modal, title="Your answer"):
    answer: discord.ui.Label[Any] = discord.ui.Label(
        text="Answer",
        component=discord.ui.TextInput(custom_id="answer_text", style=discord.TextStyle.paragraph),
    )
    confidence: discord.ui.Label[Any] = discord.ui.Label(
        text="Confidence",
        component=discord.ui.Select(
            custom_id="confidence",
            options=[discord.SelectOption(label="low"), discord.SelectOption(label="high")],
        ),
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        text = self.answer.component.value  # type: ignore[attr-defined]
        conf = self.confidence.component.values  # type: ignore[attr-defined]
        await interaction.response.send_message(f"got: {text} ({conf[0]})", ephemeral=True)


class AnswerView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Answer", custom_id="answer:1")
    async def answer(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_modal(AnswerModal())


class DemoBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=READY_FAST
        )
        self.errors: list[BaseException] = []
        self.late_delay = 0.0
        self.add_view(AnswerView())
        self.tree.add_command(question)
        self.tree.add_command(daily)
        self.tree.add_command(review)
        self.tree.add_command(slow)


@app_commands.command(name="question", description="Ask a question")
@app_commands.describe(category="Question category")
async def question(interaction: discord.Interaction, category: str) -> None:
    await interaction.response.send_message(f"Question about {category}", view=AnswerView())


@question.autocomplete("category")
async def _category_ac(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=c, value=c)
        for c in ("Technical", "Incident", "Behavioural")
        if current.lower() in c.lower()
    ]


daily = app_commands.Group(name="daily", description="Daily question")


@daily.command(name="set", description="Set the daily hour")
async def daily_set(interaction: discord.Interaction, hour: int) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send(f"daily at {hour:02d}:00")


@app_commands.context_menu(name="Review answer")
async def review(interaction: discord.Interaction, message: discord.Message) -> None:
    await interaction.response.send_message(f"reviewing {message.content!r}", ephemeral=True)


@app_commands.command(name="slow", description="Answers late")
async def slow(interaction: discord.Interaction) -> None:
    bot = interaction.client
    assert isinstance(bot, DemoBot)
    await asyncio.sleep(bot.late_delay)
    try:
        await interaction.response.send_message("late")
    except discord.HTTPException as exc:
        bot.errors.append(exc)


async def _setup(fake: FakeDiscord) -> tuple[Any, Any, Any]:
    guild = fake.add_guild("Study")
    channel = fake.add_text_channel(guild, "interviews")
    alice = fake.add_member(guild, "alice")
    return guild, channel, alice


# --------------------------------------------------------------------------- tests
async def test_bare_client_gets_ready_with_guild_state(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild, channel, alice = await _setup(fake)
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=READY_FAST)
    async with running_client(client, fake):
        assert client.user is not None and client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id
        g = client.get_guild(guild.id)
        assert g is not None and g.name == "Study"
        assert [c.name for c in g.text_channels] == ["interviews"]
        assert g.me is not None and g.get_member(alice.id) is None  # no GUILD_MEMBERS intent
        fetched = await g.fetch_member(alice.id)
        assert fetched.name == "alice"
        assert (await client.fetch_guild(guild.id)).name == "Study"
        assert [c.id for c in await g.fetch_channels()] == [channel.id]
        assert {r.name for r in await g.fetch_roles()} == {"@everyone", "interview-bot"}
        assert (await client.fetch_channel(channel.id)).id == channel.id
        assert g.me.guild_permissions.send_messages and not g.me.guild_permissions.administrator
        ready = fake.dispatched("READY")[0]
        assert ready["resume_gateway_url"].startswith("ws://127.0.0.1:")
        got: list[str] = []
        client.event(_collector(got))
        await fake.post_message(alice, channel, "secret")
        await fake.wait_until(lambda: got, what="MESSAGE_CREATE")
        assert got == [""]  # no MESSAGE_CONTENT intent: Discord blanks the content
    assert client.is_closed()


async def test_member_message_arrives_and_bot_creates_thread(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    client = discord.Client(intents=_intents(), guild_ready_timeout=READY_FAST)
    seen: list[discord.Message] = []

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author == client.user:
            return
        seen.append(message)
        thread = await message.create_thread(name=f"Answer: {message.content}")
        await thread.send("Post your answer here")
        await message.add_reaction("✅")

    async with running_client(client, fake):
        msg = await fake.post_message(alice, channel, "incident drill")
        thread_msg = await fake.wait_for_message(
            lambda_channel := msg.id, timeout=5
        )  # thread id == message id
        assert lambda_channel in {t.id for t in fake.threads}
        assert thread_msg.content == "Post your answer here"
        assert seen[0].author.id == alice.id and isinstance(seen[0].author, discord.Member)
        (thread,) = fake.threads
        assert thread.name == "Answer: incident drill" and thread.parent_id == channel.id
        assert fake.bot_user.id in thread.member_ids
        await fake.wait_until(lambda: fake.reactions_on(msg), what="reaction")
        assert fake.reactions_on(msg) == {"✅": [fake.bot_user.id]}
        assert fake.dispatched("THREAD_CREATE")[0]["id"] == str(thread.id)


async def test_slash_command_button_modal_flow(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    bot = DemoBot()
    async with running_client(bot, fake):
        await bot.tree.sync()
        ix = await fake.invoke_command(alice, channel, "question", {"category": "Technical"})
        body = await ix.response()
        assert body["type"] == 4 and ix.response_kind == "message" and not ix.ephemeral
        assert ix.content == "Question about Technical"
        assert [m.content for m in fake.messages_in(channel)] == ["Question about Technical"]
        assert ix.message is not None

        press = await fake.press_button(alice, ix.message, "answer:1")
        await press.response()
        assert press.modal is not None and press.modal["title"] == "Your answer"
        assert press.modal["components"][0]["type"] == 18  # Label-wrapped text input

        sub = await fake.submit_modal(
            alice, channel, values={"answer_text": "use an SLO", "confidence": "high"}, from_interaction=press
        )
        await sub.response()
        assert sub.ephemeral and sub.content == "got: use an SLO (high)"
        assert len(fake.messages_in(channel)) == 1  # ephemeral replies are not in the channel
        with pytest.raises(LookupError):
            await fake.press_button(alice, ix.message, "no-such-button")


async def test_subcommand_defer_then_followup_edits_original(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    bot = DemoBot()
    async with running_client(bot, fake):
        await bot.tree.sync()
        ix = await fake.invoke_command(alice, channel, "daily set", {"hour": 7})
        await ix.settled()
        assert ix.response_kind == "deferred_message" and not ix.thinking
        first = await ix.first_followup()
        assert first is ix.original and ix.content == "daily at 07:00" and ix.followups == []
        assert [m.content for m in fake.messages_in(channel)] == ["daily at 07:00"]


async def test_autocomplete_and_message_context_menu(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    bot = DemoBot()
    async with running_client(bot, fake):
        await bot.tree.sync()
        choices = await fake.autocomplete(alice, channel, "question", focused="category", value="inc")
        assert choices == [{"name": "Incident", "value": "Incident"}]
        msg = await fake.post_message(alice, channel, "my answer")
        ix = await fake.invoke_message_command(alice, msg, "Review answer")
        await ix.response()
        assert ix.ephemeral and ix.content == "reviewing 'my answer'"
        types = {(c["name"], c["type"]) for c in fake.commands[None]}
        assert {("question", 1), ("daily", 1), ("Review answer", 3)} <= types


async def test_resume_after_dropped_socket_replays_missed_events(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    client = discord.Client(intents=_intents(), guild_ready_timeout=READY_FAST)
    got: list[str] = []
    client.event(_collector(got))
    async with running_client(client, fake):
        resumes = fake.gateway.resume_count
        await fake.drop_gateway()
        await fake.post_message(alice, channel, "sent while disconnected")
        await fake.wait_for_resume(resumes)
        await fake.wait_until(lambda: got, what="replayed MESSAGE_CREATE")
        assert got == ["sent while disconnected"]
        assert fake.gateway.identify_count == 1  # resumed, not re-identified


def _collector(got: list[str]) -> Any:
    async def on_message(message: discord.Message) -> None:
        got.append(message.content)

    return on_message


async def test_spec_violation_and_unknown_route_are_recorded(fake_discord_unchecked: FakeDiscord) -> None:
    fake = fake_discord_unchecked
    _, channel, _ = await _setup(fake)
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=READY_FAST)
    async with running_client(client, fake):
        route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
        with pytest.raises(discord.HTTPException) as bad:
            await client.http.request(route, json={"content": 42})
        assert bad.value.status == 400 and bad.value.code == 50035
        assert len(fake.spec_violations) == 1 and "content" in fake.spec_violations[0].message
        with pytest.raises(discord.NotFound):
            await client.http.request(discord.http.Route("GET", "/no/such/route"))
        assert fake.unknown_routes[0].path == "/no/such/route"
    with pytest.raises(pytest.fail.Exception, match="spec violation"):
        assert_clean(fake)
    fake.spec_violations.clear()
    fake.unknown_routes.clear()
    assert_clean(fake)


async def test_late_callback_gets_10062_and_second_response_40060(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    fake.interaction_timeout = 0.2
    _, channel, alice = await _setup(fake)
    bot = DemoBot()
    async with running_client(bot, fake):
        await bot.tree.sync()
        bot.late_delay = 0.3
        late = await fake.invoke_command(alice, channel, "slow")
        await fake.wait_until(lambda: bot.errors, what="bot error")
        assert isinstance(bot.errors[0], discord.NotFound) and bot.errors[0].code == 10062
        assert not late.responded

        bot.late_delay = 0
        fake.interaction_timeout = 3.0  # Discord's window: no flakiness on a loaded machine
        ok = await fake.invoke_command(alice, channel, "slow")
        await ok.response()
        url = f"{fake.rest_base}/interactions/{ok.id}/{ok.token}/callback?with_response=1"
        async with aiohttp.ClientSession() as http:
            resp = await http.post(url, json={"type": 4, "data": {"content": "again"}})
            assert resp.status == 400 and (await resp.json())["code"] == 40060


async def test_discord_limits_and_permissions(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild, channel, _ = await _setup(fake)
    locked = fake.add_text_channel(guild, "read-only")
    fake.set_bot_permissions(locked, deny=["send_messages"])
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=READY_FAST)
    async with running_client(client, fake):
        ch = client.get_channel(channel.id)
        ro = client.get_channel(locked.id)
        assert isinstance(ch, discord.TextChannel) and isinstance(ro, discord.TextChannel)
        assert not ro.permissions_for(ro.guild.me).send_messages  # overwrite reached the client
        with pytest.raises(discord.Forbidden) as denied:
            await ro.send("hi")
        assert denied.value.code == 50013
        with pytest.raises(discord.HTTPException) as too_long:
            await ch.send("x" * 2001)
        assert too_long.value.code == 50035
        big = discord.Embed(title="t", description="d" * 4000).add_field(name="n", value="v" * 1024)
        big.add_field(name="n", value="v" * 1024)
        with pytest.raises(discord.HTTPException) as too_big:
            await ch.send(embeds=[big])
        assert too_big.value.code == 50035
        route = discord.http.Route("POST", "/channels/{channel_id}/messages", channel_id=channel.id)
        with pytest.raises(discord.HTTPException) as too_many:  # discord.py checks this too; raw request
            await client.http.request(route, json={"embeds": [{"title": str(i)} for i in range(11)]})
        assert too_many.value.code == 50035
        msg = await ch.send("ok")
        with pytest.raises(discord.HTTPException) as bad_name:
            await msg.create_thread(name="n" * 101)
        assert bad_name.value.code == 50035
        await fake.delete_channel(locked.id)
        await fake.wait_until(lambda: client.get_channel(locked.id) is None, what="CHANNEL_DELETE")
        with pytest.raises(discord.NotFound) as gone:
            await ro.send("hi")
        assert gone.value.code == 10003
    # 11 embeds and a 101-character thread name break the OpenAPI schema itself: expected here.
    assert sorted(v.message.split(":")[0] for v in fake.spec_violations) == ["embeds", "name"]
    fake.spec_violations.clear()


async def test_identify_respects_shards(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guilds = [fake.add_guild(f"g{i}") for i in range(2)]
    while len({g.id >> 22 & 1 for g in guilds}) < 2:  # need one guild on each of two shards
        await asyncio.sleep(0.002)
        guilds.append(fake.add_guild(f"g{len(guilds)}"))
    client = discord.Client(
        intents=discord.Intents.default(), guild_ready_timeout=READY_FAST, shard_id=1, shard_count=2
    )
    async with running_client(client, fake):
        assert {g.id for g in client.guilds} == {g.id for g in guilds if (g.id >> 22) % 2 == 1}


class BoardView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Refresh", custom_id="board:refresh")
    async def refresh(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.edit_message(content="refreshed", view=self)
        await interaction.followup.send("only you see this", ephemeral=True)
        await interaction.edit_original_response(content="refreshed twice")

    @discord.ui.button(label="Quiet", custom_id="board:quiet")
    async def quiet(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer()  # type 6 for a component: no visible change
        note = await interaction.followup.send("temporary", wait=True)
        original = await interaction.original_response()  # GET @original = the board message
        await note.delete()
        await interaction.followup.send(f"original was {original.content!r}")


async def test_guild_commands_component_update_and_followups(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guild, channel, alice = await _setup(fake)
    bot = DemoBot()

    @app_commands.command(name="board", description="Show the board")
    async def board(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("board", view=BoardView())
        await interaction.followup.send("and a followup")

    bot.tree.add_command(board, guild=discord.Object(id=guild.id))
    async with running_client(bot, fake):
        await bot.tree.sync(guild=discord.Object(id=guild.id))
        assert [c["name"] for c in fake.commands[guild.id]] == ["board"]
        ix = await fake.invoke_command(alice, channel, "board")
        await ix.first_followup()
        assert ix.payload["data"]["guild_id"] == str(guild.id)
        assert ix.content == "board" and [m.content for m in ix.followups] == ["and a followup"]
        assert ix.message is not None
        press = await fake.press_button(alice, ix.message, "board:refresh")
        await fake.wait_until(lambda: ix.message and ix.message.content == "refreshed twice", what="edit")
        assert press.response_kind == "update_message" and press.followups[0].ephemeral
        assert [m.content for m in fake.messages_in(channel)] == ["refreshed twice", "and a followup"]
        quiet = await fake.press_button(alice, ix.message, "board:quiet")
        await fake.wait_until(lambda: len(quiet.followups) == 2, what="second followup")
        assert quiet.response_kind == "deferred_update" and quiet.followups[0].deleted
        assert [m.content for m in fake.messages_in(channel)][-1] == "original was 'refreshed twice'"


async def test_threads_history_reactions_and_files(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    client = discord.Client(intents=_intents(), guild_ready_timeout=READY_FAST)
    async with running_client(client, fake):
        ch = client.get_channel(channel.id)
        assert isinstance(ch, discord.TextChannel)
        private = await ch.create_thread(name="mock interview", type=discord.ChannelType.private_thread)
        await private.add_user(discord.Object(id=alice.id))
        state = fake.channels[private.id]
        assert state.type == 12 and state.member_ids == {fake.bot_user.id, alice.id}
        await private.edit(archived=True)
        assert state.archived and fake.dispatched("THREAD_UPDATE")[-1]["thread_metadata"]["archived"]
        await private.send("reopened")  # posting reopens an archived (unlocked) thread
        assert not state.archived

        first = await ch.send("one")
        await ch.send("two", file=discord.File(io.BytesIO(b"abc"), "notes.txt"))
        history = [m.content async for m in ch.history(limit=10)]
        assert history == ["two", "one"]
        assert fake.messages_in(channel)[-1].attachments[0]["filename"] == "notes.txt"
        await first.add_reaction("👍")
        await first.remove_reaction("👍", client.user)  # type: ignore[arg-type]
        assert fake.reactions_on(fake.messages[first.id]) == {}
        edited = await first.edit(content="uno")
        assert edited.content == "uno" and fake.messages[first.id].content == "uno"
        await first.delete()
        assert [m.content for m in fake.messages_in(channel)] == ["two"]

        fake.set_bot_permissions(channel, deny=["create_private_threads"])
        await fake.flush()
        with pytest.raises(discord.Forbidden):
            await ch.create_thread(name="nope", type=discord.ChannelType.private_thread)


def test_missing_spec_file_warns_and_skips_validation(tmp_path: Any) -> None:
    with pytest.warns(UserWarning, match="NOT validated"):
        fake = FakeDiscord(spec_path=tmp_path / "missing.json")
    assert fake.spec is None


class LegacyModal(discord.ui.Modal, title="Legacy"):
    note = discord.ui.TextInput(label="Note", custom_id="note")  # serialised in an action row

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"note={self.note.value}", ephemeral=True)


class PickView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(
        custom_id="pick", options=[discord.SelectOption(label="a"), discord.SelectOption(label="b")]
    )
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[Any]) -> None:
        await interaction.response.send_modal(LegacyModal())


async def test_user_menu_select_legacy_modal_and_restart(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    _, channel, alice = await _setup(fake)
    bob = fake.add_member(fake.guilds[channel.guild_id], "bob")

    def make_bot() -> DemoBot:
        bot = DemoBot()

        @bot.tree.context_menu(name="Profile")
        async def profile(interaction: discord.Interaction, member: discord.Member) -> None:
            await interaction.response.send_message(f"profile of {member.name}", view=PickView())

        return bot

    bot = make_bot()
    async with running_client(bot, fake):
        await bot.tree.sync()
        ix = await fake.invoke_user_command(alice, bob, channel, "Profile")
        await ix.response()
        assert ix.content == "profile of bob" and ix.message is not None
        opened = await fake.choose(alice, ix.message, "pick", ["b"])
        await opened.response()
        assert opened.modal is not None and opened.modal["components"][0]["type"] == 1
        sub = await fake.submit_modal(alice, channel, values={"note": "hi"}, from_interaction=opened)
        await sub.response()
        assert sub.content == "note=hi"
        with pytest.raises(LookupError, match="no inputs"):
            await fake.submit_modal(alice, channel, values={"typo": "x"}, from_interaction=opened)
    with pytest.raises(AssertionError, match="no bot session"):
        await fake.invoke_command(alice, channel, "question")

    restarted = make_bot()  # same fake, same state: a bot restart
    async with running_client(restarted, fake):
        assert fake.gateway.identify_count == 2 and len(fake.gateway.sessions) == 1
        await restarted.tree.sync()
        again = await fake.invoke_user_command(alice, bob, channel, "Profile")
        await again.response()
        assert [m.content for m in fake.messages_in(channel)] == ["profile of bob", "profile of bob"]


async def test_auto_sharded_client_uses_gateway_bot(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    fake.recommended_shards = 2
    guilds = [fake.add_guild("g0")]
    while len({g.id >> 22 & 1 for g in guilds}) < 2:
        await asyncio.sleep(0.002)
        guilds.append(fake.add_guild(f"g{len(guilds)}"))
    client = discord.AutoShardedClient(intents=discord.Intents.default(), guild_ready_timeout=READY_FAST)

    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py sleeps 5 s before every non-first IDENTIFY by default

    client.before_identify_hook = no_identify_delay  # type: ignore[method-assign]
    async with running_client(client, fake):
        assert client.shard_count == 2 and fake.gateway.identify_count == 2
        assert {g.id for g in client.guilds} == {g.id for g in guilds}
        assert {g.id: g.shard_id for g in client.guilds} == {g.id: (g.id >> 22) % 2 for g in guilds}


def test_permission_and_limit_rules_without_a_client() -> None:
    fake = FakeDiscord(validate=False)
    guild = fake.add_guild("Study")
    channel = fake.add_text_channel(guild, "general")
    alice = fake.add_member(guild, "alice")
    admin = fake.add_member(guild, "admin", permissions=["administrator"])
    thread = Channel(
        new_snowflake(), guild.id, "secret", type=12, parent_id=channel.id, member_ids={admin.id}
    )
    guild.channels[thread.id] = fake.channels[thread.id] = thread
    assert perms.channel_permissions(guild, thread, alice.id) == 0  # private thread, not a member
    assert perms.channel_permissions(guild, thread, admin.id) == perms.ALL
    assert perms.channel_permissions(guild, channel, alice.id) & perms.SEND_MESSAGES
    fake.set_permissions(channel, guild.everyone, deny=["view_channel"])
    assert perms.channel_permissions(guild, channel, alice.id) == 0
    fields = [{"name": "n", "value": "v"}] * 26
    assert limits.check_message({"embeds": [{"fields": fields}]}) is not None
    assert limits.check_message({"content": "x" * 2000, "embeds": [{"title": "t" * 256}]}) is None
    assert limits.check_thread_name("") is not None and limits.check_thread_name("a" * 100) is None
    assert snowflake_time(thread.id).year >= 2025  # timestamp-based ids

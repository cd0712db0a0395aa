"""The stand-in against the real discord.py 2.7.1 client: a small test bot, run in-process."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import io
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from standin import Attachment, Channel, Guild, InvalidInvocation, ManualClock, Member, Permissions, StandIn
from tests.conftest import TOKEN

NOMINEES = {"drama": ["Bryan Cranston", "Bryce Dallas Howard", "Claire Foy"], "comedy": ["Bill Hader"]}


class ConfirmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Yes", custom_id="confirm:yes", style=discord.ButtonStyle.success)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.edit_message(content="confirmed", view=None)

    @discord.ui.button(label="Later", custom_id="confirm:later")
    async def later(self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="maybe later", view=None)

    @discord.ui.select(custom_id="confirm:mood", options=[
        discord.SelectOption(label="Bitter", value="bitter"), discord.SelectOption(label="Gracious", value="gracious"),
    ])
    async def mood(self, interaction: discord.Interaction, select: discord.ui.Select[ConfirmView]) -> None:
        await interaction.response.send_message(f"feeling {select.values[0]}", ephemeral=True)


class SpeechModal(discord.ui.Modal, title="Your speech"):
    speech: discord.ui.TextInput[SpeechModal] = discord.ui.TextInput(label="Speech", custom_id="speech:text")

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"you said: {self.speech.value}")


@dataclass
class Observations:
    """What the test bot saw, for assertions."""

    pings: list[int] = field(default_factory=list)
    command_errors: list[BaseException] = field(default_factory=list)
    http_errors: list[discord.HTTPException] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)


class LoungeTestBot(commands.Bot):
    """Not the project's bot: a minimal one exercising every interaction shape."""

    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=intents or discord.Intents.default())
        self.guild_id = guild_id
        self.seen = Observations()
        self._add_commands()

    async def setup_hook(self) -> None:
        self.tree.error(self._on_tree_error)
        await self.tree.sync(guild=discord.Object(self.guild_id))

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None  # skip discord.py's 5 s wait before a re-IDENTIFY

    async def _on_tree_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        self.seen.command_errors.append(error.original if isinstance(error, app_commands.CommandInvokeError) else error)

    def _add_commands(self) -> None:
        guild = discord.Object(self.guild_id)
        seen = self.seen
        pledge = app_commands.Group(name="pledge", description="Pledges")

        @pledge.command(name="add", description="Pledge an amount")
        async def pledge_add(
            interaction: discord.Interaction,
            amount: app_commands.Range[int, 1, 1000],
            channel: discord.TextChannel | None = None,
        ) -> None:
            where = f" in #{channel.name}" if channel else ""
            await interaction.response.send_message(f"pledged {amount}{where}")

        @app_commands.command(description="Vote in a category")
        @app_commands.choices(category=[
            app_commands.Choice(name="Drama", value="drama"), app_commands.Choice(name="Comedy", value="comedy"),
        ])
        async def vote(interaction: discord.Interaction, category: app_commands.Choice[str]) -> None:
            await interaction.response.send_message(f"voted {category.value}")

        @app_commands.command(description="Pick a nominee")
        async def pick(interaction: discord.Interaction, category: str, nominee: str) -> None:
            await interaction.response.send_message(f"picked {nominee}")

        @pick.autocomplete("nominee")
        async def pick_nominee(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
            category = str(interaction.namespace.category).lower()
            return [
                app_commands.Choice(name=name, value=name)
                for name in NOMINEES.get(category, [])
                if name.lower().startswith(current.lower())
            ]

        @app_commands.command(description="Reply with pong")
        async def ping(interaction: discord.Interaction) -> None:
            seen.pings.append(interaction.id)
            await interaction.response.send_message("pong")

        @app_commands.command(description="A secret")
        async def secret(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("only you", ephemeral=True)

        @app_commands.command(description="Slow work")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            await asyncio.sleep(0.01)
            await interaction.followup.send("done")
            await interaction.followup.send("and one more")

        @app_commands.command(description="An embed")
        async def card(interaction: discord.Interaction) -> None:
            embed = discord.Embed(title="Best Loser", description="Ada", colour=0xFFD700)
            embed.add_field(name="Pledged", value="$25")
            await interaction.response.send_message(embed=embed)

        @app_commands.command(description="A button")
        async def confirm(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("sure?", view=ConfirmView())

        @app_commands.command(description="A file from the bot")
        async def export(interaction: discord.Interaction) -> None:
            data = io.BytesIO(b"name,amount\nAda,25\n")
            await interaction.response.send_message("here", file=discord.File(data, "pledges.csv"))

        @app_commands.command(name="import", description="A file to the bot")
        async def import_(interaction: discord.Interaction, file: discord.Attachment) -> None:
            data = await file.read()
            await interaction.response.send_message(f"read {len(data)} bytes from {file.filename}")

        @app_commands.command(description="Too much embed")
        async def overflow(interaction: discord.Interaction) -> None:
            embeds = [discord.Embed(title="x", description="y" * 3000) for _ in range(3)]
            try:
                await interaction.response.send_message(embeds=embeds)
            except discord.HTTPException as error:
                seen.http_errors.append(error)
                await interaction.response.send_message("too long", ephemeral=True)

        @app_commands.command(description="Waits for the test before answering")
        async def sleepy(interaction: discord.Interaction) -> None:
            await seen.release.wait()
            await interaction.response.send_message("finally")

        @app_commands.command(description="Defers, waits for the test, then follows up")
        async def tardy(interaction: discord.Interaction) -> None:
            await interaction.response.defer()
            await seen.release.wait()
            await interaction.followup.send("finally")

        @app_commands.command(description="Who is who")
        async def crown(interaction: discord.Interaction, member: discord.Member, role: discord.Role) -> None:
            assert isinstance(interaction.user, discord.Member)
            manage = interaction.permissions.manage_guild
            await interaction.response.send_message(f"{member.display_name} gets {role.name} (manage_guild={manage})")

        @app_commands.command(description="A modal")
        async def speech(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(SpeechModal())

        @app_commands.command(description="Edits its answer")
        async def draft(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("draft")
            original = await interaction.original_response()
            await interaction.edit_original_response(content=f"final ({original.content})")
            temporary = await interaction.followup.send("temporary", wait=True)
            await temporary.delete()

        every_command: list[app_commands.Command[Any, Any, Any] | app_commands.Group] = [
            pledge, vote, pick, ping, secret, slow, card, confirm, export, import_, overflow, sleepy, tardy,
            crown, speech, draft,
        ]
        for command in every_command:
            self.tree.add_command(command, guild=guild)


@dataclass
class Scene:
    standin: StandIn
    guild: Guild
    announcements: Channel
    ada: Member
    host: Member
    bot: LoungeTestBot


@contextlib.asynccontextmanager
async def running(bot: LoungeTestBot) -> AsyncIterator[LoungeTestBot]:
    await bot.login(TOKEN)
    task = asyncio.create_task(bot.connect(reconnect=True))
    try:
        yield bot
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.fixture
async def scene(discord_points_at_standin: StandIn) -> AsyncIterator[Scene]:
    standin = discord_points_at_standin
    guild = standin.create_guild("Emmy Night")
    announcements = guild.create_text_channel("announcements")
    ada = guild.add_member("Ada")
    host = guild.add_member("Hana", permissions=Permissions.manage_guild)
    async with running(LoungeTestBot(guild.id)) as bot:
        await standin.wait_until_ready()
        await standin.wait_for_commands_synced(guild)
        yield Scene(standin, guild, announcements, ada, host, bot)


def bot_channel(scene: Scene, channel: Channel) -> discord.TextChannel:
    found = scene.bot.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


# --------------------------------------------------------------------------- login, sync, round trip


async def test_login_sync_and_a_slash_command_round_trip(scene: Scene) -> None:
    standin = scene.standin

    reply = await scene.ada.slash("pledge add", amount="25", channel=scene.announcements)

    assert reply.content == "pledged 25 in #announcements"
    assert reply.response_type == 4
    assert not reply.ephemeral
    assert standin.commands.guild_sync_counts == {scene.guild.id: 1}
    assert standin.commands.global_sync_count == 0
    assert standin.gateway.identify_count == 1
    # discord.py asks for zstd once zstandard is installed (discord.py[speed]), zlib otherwise.
    expected = "zstd-stream" if importlib.util.find_spec("zstandard") else "zlib-stream"
    assert standin.gateway.connections[0].compression == expected
    record = standin.interaction_log[-1]
    assert record.response_latency is not None
    assert 0 < record.response_latency < 1
    sent = record.payload["data"]["options"]
    assert sent[0]["type"] == 1
    assert sent[0]["name"] == "add"
    assert sent[0]["options"][0] == {"type": 4, "name": "amount", "value": 25}
    assert reply.message in scene.guild.system_channel.messages


async def test_an_ephemeral_reply_is_not_in_the_channel(scene: Scene) -> None:
    reply = await scene.ada.slash("secret")

    assert reply.ephemeral
    assert reply.content == "only you"
    assert reply.message not in scene.guild.system_channel.messages


async def test_defer_then_followups(scene: Scene) -> None:
    reply = await scene.ada.slash("slow")
    await reply.wait_for_followups(1)

    assert reply.deferred
    assert reply.content == "done"
    assert [m.content for m in reply.followups] == ["and one more"]
    assert reply.message is not None
    assert not reply.message.loading


async def test_an_embed_reply(scene: Scene) -> None:
    reply = await scene.ada.slash("card")

    assert reply.content == ""
    assert reply.embeds[0]["title"] == "Best Loser"
    assert reply.embeds[0]["fields"] == [{"name": "Pledged", "value": "$25", "inline": True}]


async def test_a_button_click_updates_the_message(scene: Scene) -> None:
    reply = await scene.ada.slash("confirm")
    assert reply.custom_ids == ["confirm:yes", "confirm:later", "confirm:mood"]

    clicked = await scene.ada.click(reply, "confirm:yes")

    assert clicked.response_type == 7
    assert reply.content == "confirmed"
    assert reply.components == []
    payload = scene.standin.interaction_log[-1].payload
    assert payload["message"]["id"] == str(reply.message.id if reply.message else 0)
    assert payload["data"] == {"custom_id": "confirm:yes", "component_type": 2}


async def test_a_deferred_update_then_an_edit_of_the_clicked_message(scene: Scene) -> None:
    reply = await scene.ada.slash("confirm")

    clicked = await scene.ada.click(reply, "confirm:later")
    await scene.standin.wait_until(lambda: True if reply.content == "maybe later" else None, what="the edit")

    assert clicked.response_type == 6
    assert clicked.message is reply.message


async def test_a_select_menu(scene: Scene) -> None:
    reply = await scene.ada.slash("confirm")

    picked = await scene.ada.select(reply, "confirm:mood", ["gracious"])

    assert (picked.content, picked.ephemeral) == ("feeling gracious", True)
    with pytest.raises(InvalidInvocation, match="not options"):
        scene.ada.send_select(reply, "confirm:mood", ["furious"])
    with pytest.raises(InvalidInvocation, match=r"takes 1\.\.1 values"):
        scene.ada.send_select(reply, "confirm:mood", ["bitter", "gracious"])
    payload = scene.standin.interaction_log[-1].payload
    assert payload["data"] == {"custom_id": "confirm:mood", "component_type": 3, "values": ["gracious"]}


async def test_choosing_by_what_a_member_reads(scene: Scene) -> None:
    reply = await scene.ada.slash("confirm")

    by_label = await scene.ada.choose(reply, "confirm:mood", "Bitter")
    assert by_label.content == "feeling bitter"
    by_value = await scene.ada.choose(reply, "confirm:mood", "gracious")
    assert by_value.content == "feeling gracious"
    with pytest.raises(InvalidInvocation, match="0 options"):
        scene.ada.send_choice(reply, "confirm:mood", "Furious")
    with pytest.raises(InvalidInvocation, match="0 select menus"):
        scene.ada.send_choice(reply, "no such menu", "Bitter")


async def test_a_modal_and_its_submission(scene: Scene) -> None:
    opened = await scene.ada.slash("speech")
    assert opened.response_type == 9
    assert opened.modal is not None
    assert opened.modal["title"] == "Your speech"

    submitted = await scene.ada.submit_modal(opened, {"speech:text": "I was robbed"})

    assert submitted.content == "you said: I was robbed"


async def test_user_and_role_options_are_resolved_and_permissions_computed(scene: Scene) -> None:
    loser = scene.guild.create_role("Loser")

    as_host = await scene.host.slash("crown", member=scene.ada, role=loser)
    as_ada = await scene.ada.slash("crown", member=scene.host, role=loser)

    assert as_host.content == "Ada gets Loser (manage_guild=True)"
    assert as_ada.content == "Hana gets Loser (manage_guild=False)"
    resolved = scene.standin.interaction_log[-1].payload["data"]["resolved"]
    assert set(resolved) == {"users", "members", "roles"}


async def test_original_response_edits_and_followup_deletes(scene: Scene) -> None:
    reply = await scene.ada.slash("draft")
    await scene.standin.wait_until(
        lambda: True if reply.followups and reply.followups[0].deleted else None, what="the followup's deletion"
    )

    assert reply.content == "final (draft)"
    assert reply.message is not None
    assert reply.message.edited_at is not None
    assert [m.content for m in scene.guild.system_channel.messages] == ["final (draft)"]


async def test_autocomplete_sees_the_other_options(scene: Scene) -> None:
    choices = await scene.ada.autocomplete("pick", "nominee", category="Drama", nominee="Bry")

    assert [c["name"] for c in choices] == ["Bryan Cranston", "Bryce Dallas Howard"]
    focused = scene.standin.interaction_log[-1].payload["data"]["options"]
    assert {"type": 3, "name": "nominee", "value": "Bry", "focused": True} in focused


async def test_choices_and_what_the_client_refuses(scene: Scene) -> None:
    assert (await scene.ada.slash("vote", category="drama")).content == "voted drama"
    assert (await scene.ada.slash("vote", category="Comedy")).content == "voted comedy"

    with pytest.raises(InvalidInvocation, match="choices"):
        scene.ada.send_slash("vote", category="horror")
    with pytest.raises(InvalidInvocation, match="min_value"):
        scene.ada.send_slash("pledge add", amount=0)
    with pytest.raises(InvalidInvocation, match="whole number"):
        scene.ada.send_slash("pledge add", amount="lots")
    with pytest.raises(InvalidInvocation, match="missing required option 'amount'"):
        scene.ada.send_slash("pledge add")
    with pytest.raises(InvalidInvocation, match="needs a subcommand"):
        scene.ada.send_slash("pledge")
    with pytest.raises(InvalidInvocation, match="no option 'colour'"):
        scene.ada.send_slash("pledge add", amount=5, colour="red")
    with pytest.raises(InvalidInvocation, match="not a synced command"):
        scene.ada.send_slash("nominate")


async def test_a_file_to_the_bot_and_a_file_from_the_bot(scene: Scene) -> None:
    uploaded = await scene.host.slash("import", file=Attachment("emmys.json", b'{"winners": []}'))
    assert uploaded.content == "read 15 bytes from emmys.json"
    resolved = scene.standin.interaction_log[-1].payload["data"]["resolved"]["attachments"]
    (attachment,) = resolved.values()
    assert attachment["content_type"] == "application/json"
    assert attachment["size"] == 15

    exported = await scene.ada.slash("export")
    (sent,) = exported.attachments
    assert (sent.filename, sent.data, sent.content_type) == ("pledges.csv", b"name,amount\nAda,25\n", "text/csv")
    async with aiohttp.ClientSession() as session, session.get(sent.url) as response:
        assert await response.read() == sent.data


# --------------------------------------------------------------------------- rules the bot must keep


@pytest.mark.allow_violations
async def test_a_too_long_embed_is_refused_and_recorded(scene: Scene) -> None:
    reply = await scene.ada.slash("overflow")

    assert reply.content == "too long"
    (error,) = scene.bot.seen.http_errors
    assert (error.status, error.code) == (400, 50035)
    (violation,) = scene.standin.violations
    assert violation.path == "data.embeds"
    assert "MAX_EMBED_SIZE_EXCEEDED" in violation.detail


async def test_answering_after_three_seconds_is_unknown_interaction(scene: Scene) -> None:
    clock = ManualClock()
    scene.standin.engine.clock = clock
    sent = scene.ada.send_slash("sleepy")
    await sent.delivered()

    clock.advance(3.2)
    scene.bot.seen.release.set()
    (violation,) = await scene.standin.wait_for_violations(code=10062)

    assert violation.status == 404
    assert "3.20s" in violation.detail
    await scene.standin.wait_until(lambda: scene.bot.seen.command_errors or None, what="the bot's error")
    assert isinstance(scene.bot.seen.command_errors[0], discord.NotFound)
    scene.standin.take_violations()


async def test_a_followup_after_fifteen_minutes_has_an_invalid_token(scene: Scene) -> None:
    clock = ManualClock()
    scene.standin.engine.clock = clock
    await scene.ada.send_slash("tardy").reply(wait_for_followup=False)

    clock.advance(15 * 60 + 1)
    scene.bot.seen.release.set()
    (violation,) = await scene.standin.wait_for_violations(code=50027)

    assert violation.status == 401
    scene.standin.take_violations()


async def test_a_second_response_to_the_same_interaction_is_refused(scene: Scene) -> None:
    reply = await scene.ada.slash("ping")

    again = await scene.standin.redeliver(reply.interaction_id)
    await again.reply()

    assert scene.bot.seen.pings == [reply.interaction_id, reply.interaction_id]
    (violation,) = scene.standin.take_violations()
    assert (violation.status, violation.code) == (400, 40060)


@pytest.mark.allow_violations
async def test_sending_where_the_bot_may_not_is_forbidden(scene: Scene) -> None:
    scene.announcements.set_permissions(scene.guild.bot_member, deny=Permissions.send_messages)
    await scene.standin.wait_until(
        lambda: True if bot_channel(scene, scene.announcements).overwrites else None, what="CHANNEL_UPDATE"
    )

    with pytest.raises(discord.Forbidden) as raised:
        await bot_channel(scene, scene.announcements).send("hello")

    assert raised.value.code == 50013
    assert scene.standin.violations[0].code == 50013
    assert scene.announcements.messages == []


async def test_mentions_follow_allowed_mentions(scene: Scene) -> None:
    channel = bot_channel(scene, scene.announcements)

    await channel.send(f"@everyone look {scene.ada.mention}")
    await channel.send("@everyone quiet", allowed_mentions=discord.AllowedMentions.none())

    loud, quiet = scene.announcements.messages
    assert loud.pings_everyone
    assert loud.pinged_user_ids == {scene.ada.id}
    assert not quiet.pings_everyone
    assert not quiet.pinged_user_ids


async def test_roles_below_the_bot_can_be_given_and_others_cannot(scene: Scene) -> None:
    loser = scene.guild.create_role("Loser")
    boss = scene.guild.create_role("Boss", above_bot=True)
    guild = scene.bot.get_guild(scene.guild.id)
    assert guild is not None
    member = await guild.fetch_member(scene.ada.id)

    await member.add_roles(discord.Object(loser.id))
    assert scene.ada.role_ids == [loser.id]
    with pytest.raises(discord.Forbidden):
        await member.add_roles(discord.Object(boss.id))
    await member.remove_roles(discord.Object(loser.id))

    assert scene.ada.role_ids == []
    (violation,) = scene.standin.take_violations()
    assert violation.code == 50013
    assert "not below the bot's top role" in violation.detail


# --------------------------------------------------------------------------- REST faults


async def test_429_with_via_is_retried_and_the_message_arrives_once(scene: Scene) -> None:
    scene.standin.faults.fail_next("POST /channels/{channel_id}/messages", status=429, times=2, retry_after=0.2)
    started = time.perf_counter()

    await bot_channel(scene, scene.announcements).send("hello")

    assert time.perf_counter() - started >= 0.4
    assert [m.content for m in scene.announcements.messages] == ["hello"]
    posts = [r.status for r in scene.standin.requests if r.route == "POST /channels/{channel_id}/messages"]
    assert posts == [429, 429, 200]


async def test_5xx_is_retried(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> None:
    backoffs: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded_sleep(delay: float, *args: Any) -> None:
        backoffs.append(delay)
        await real_sleep(0)

    # discord.py backs off 1 s then 3 s; record the delays instead of waiting them out.
    monkeypatch.setattr(discord.http, "asyncio", SimpleNamespace(**{
        name: getattr(asyncio, name) for name in dir(asyncio) if not name.startswith("__")
    } | {"sleep": recorded_sleep}))
    scene.standin.faults.fail_next("POST /channels/{channel_id}/messages", status=500, times=2)

    await bot_channel(scene, scene.announcements).send("after the outage")

    assert [delay for delay in backoffs if delay] == [1, 3]
    assert [m.content for m in scene.announcements.messages] == ["after the outage"]
    posts = [r.status for r in scene.standin.requests if r.route == "POST /channels/{channel_id}/messages"]
    assert posts == [500, 500, 200]


async def test_the_realistic_rate_limit_makes_discord_py_wait(scene: Scene) -> None:
    scene.standin.faults.enable_rate_limits(limit=2, window=0.3)
    channel = bot_channel(scene, scene.announcements)
    started = time.perf_counter()

    for number in range(3):
        await channel.send(f"message {number}")

    assert time.perf_counter() - started >= 0.25
    assert len(scene.announcements.messages) == 3
    assert all(r.status == 200 for r in scene.standin.requests if r.route.startswith("POST /channels"))


# --------------------------------------------------------------------------- gateway faults


async def test_a_close_4000_resumes_and_replays_what_was_missed(scene: Scene) -> None:
    gateway = scene.standin.gateway

    async with gateway.disconnected(code=4000):
        sent = scene.ada.send_slash("ping")
        assert sent.record.deliveries == 0
    reply = await sent.reply()

    assert reply.content == "pong"
    assert scene.bot.seen.pings == [sent.interaction_id]
    assert (gateway.identify_count, gateway.resume_count) == (1, 1)
    first, second = gateway.connections
    assert (first.close_code, first.closed_by) == (4000, "server")
    assert (second.path, second.first_op) == ("/gateway-resume", 6)


async def test_a_dropped_connection_resumes(scene: Scene) -> None:
    await scene.standin.gateway.drop()
    await scene.standin.wait_for_resume(1)

    assert (await scene.ada.slash("ping")).content == "pong"
    assert scene.standin.gateway.identify_count == 1


async def test_reconnect_opcode_resumes(scene: Scene) -> None:
    scene.standin.gateway.reconnect()
    await scene.standin.wait_for_resume(1)

    assert (await scene.ada.slash("ping")).content == "pong"


async def test_invalid_session_makes_the_bot_identify_again(scene: Scene) -> None:
    scene.standin.gateway.invalidate_session(resumable=False)
    await scene.standin.wait_for_identify(2)
    await scene.standin.wait_until_ready()

    assert (await scene.ada.slash("ping")).content == "pong"
    assert scene.standin.gateway.resume_count == 0
    assert len(scene.standin.gateway.sessions) == 2


async def test_changes_after_ready_reach_the_bot(scene: Scene) -> None:
    party = scene.standin.create_guild("After Party")
    backstage = scene.guild.create_text_channel("backstage")
    runner_up = scene.guild.create_role("Runner-up")

    def arrived() -> bool | None:
        bot_guild = scene.bot.get_guild(scene.guild.id)
        return True if (
            scene.bot.get_guild(party.id) is not None
            and scene.bot.get_channel(backstage.id) is not None
            and bot_guild is not None and bot_guild.get_role(runner_up.id) is not None
        ) else None

    await scene.standin.wait_until(arrived, what="GUILD_CREATE, CHANNEL_CREATE and GUILD_ROLE_CREATE")
    assert (await scene.ada.slash("ping", in_channel=backstage)).message in backstage.messages


async def test_presence_is_recorded(scene: Scene) -> None:
    await scene.bot.change_presence(activity=discord.Game("Emmy Night"))
    await scene.standin.wait_until(lambda: scene.standin.gateway.presences or None, what="a presence update")

    assert scene.standin.gateway.presences[0]["activities"][0]["name"] == "Emmy Night"


async def test_a_bot_with_the_members_intent_gets_member_chunks(discord_points_at_standin: StandIn) -> None:
    standin = discord_points_at_standin
    guild = standin.create_guild("Emmy Night")
    for name in ("Ada", "Bo", "Cy"):
        guild.add_member(name)
    intents = discord.Intents.default()
    intents.members = True

    async with running(LoungeTestBot(guild.id, intents=intents)) as bot:
        await standin.wait_until(lambda: standin.gateway.member_requests or None, what="op 8")
        await standin.wait_until(
            lambda: True if (g := bot.get_guild(guild.id)) is not None and g.chunked else None,
            what="the guild to be chunked",
        )
        cached = bot.get_guild(guild.id)
        assert cached is not None
        assert sorted(m.name for m in cached.members) == sorted(m.user.username for m in guild.members.values())


async def test_a_wrong_token_is_a_login_failure(discord_points_at_standin: StandIn) -> None:
    bot = LoungeTestBot(1)
    with pytest.raises(discord.LoginFailure):
        await bot.login("not-the-token")
    await bot.close()


async def test_unsupported_routes_are_recorded(discord_points_at_standin: StandIn) -> None:
    standin = discord_points_at_standin
    async with aiohttp.ClientSession() as session, session.get(f"{standin.api_base}/voice/regions") as response:
        assert response.status == 404
        assert response.headers["Content-Type"] == "application/json"
    (violation,) = standin.take_violations()
    assert violation.route == "GET /voice/regions"


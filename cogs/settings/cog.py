"""/settings show and /settings set: a thin layer over SettingsService."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import Hosts, is_host
from bot.domain.announcer.alerts import Alert, AlertStore
from bot.domain.announcer.outbox import OutboxStore
from bot.domain.errors import InvalidInput
from bot.domain.money import format_cents, parse_cents
from bot.domain.settings.service import GuildSettings, SettingsService
from bot.embeds import Colour, Embed
from bot.text import safe
from bot.types import LoungeInteraction, guild_id_of
from bot.ui import reply

if TYPE_CHECKING:
    pass


CLEARABLE_CHOICES = [
    app_commands.Choice(name="announcement channel", value="announcement_channel_id"),
    app_commands.Choice(name="leaderboard channel", value="leaderboard_channel_id"),
    app_commands.Choice(name="loser role", value="loser_role_id"),
    app_commands.Choice(name="host role", value="host_role_id"),
    app_commands.Choice(name="host channel", value="host_channel_id"),
]


def parse_optional_cents(text: str, what: str) -> int:
    """Like parse_cents, but `0` means "off" for thresholds and the winner's tax."""
    if text.strip().lstrip("$").strip() in {"0", "0.0", "0.00"}:
        return 0
    return parse_cents(text, what=what)


def health_warnings(guild: discord.Guild | None, settings: GuildSettings) -> list[str]:
    """What would stop announcements or roles from working, in plain words."""
    warnings: list[str] = []
    me = guild.me if guild is not None else None
    if guild is None or me is None:
        return ["The bot can't see this server's channels and roles yet, so it can't check its permissions."]
    for label, channel_id in (
        ("announcement", settings.announcement_channel_id),
        ("leaderboard", settings.leaderboard_channel_id),
        ("host", settings.host_channel_id),
    ):
        if channel_id is None:
            continue
        channel = guild.get_channel(channel_id)
        if channel is None:
            warnings.append(f"The {label} channel no longer exists.")
            continue
        permissions = channel.permissions_for(me)
        missing = [
            name
            for name, granted in (
                ("View Channel", permissions.view_channel),
                ("Send Messages", permissions.send_messages),
                ("Embed Links", permissions.embed_links),
                ("Attach Files", permissions.attach_files),
            )
            if not granted
        ]
        if missing:
            warnings.append(f"In {channel.mention} the bot lacks: {', '.join(missing)}.")
    if settings.loser_role_id is not None:
        role = guild.get_role(settings.loser_role_id)
        if role is None:
            warnings.append("The loser role no longer exists.")
        else:
            if not me.guild_permissions.manage_roles:
                warnings.append("The bot lacks Manage Roles, so it can't hand out the loser role.")
            if role >= me.top_role:
                warnings.append(f"{role.mention} is above the bot's highest role: move the bot's role above it.")
    return warnings


def settings_embed(
    guild: discord.Guild | None, settings: GuildSettings, alerts: list[Alert] | None = None
) -> Embed:
    def channel(channel_id: int | None) -> str:
        return f"<#{channel_id}>" if channel_id else "not set (the channel where the ceremony starts)"

    def role(role_id: int | None) -> str:
        return f"<@&{role_id}>" if role_id else "not set"

    interval = settings.leaderboard_interval_minutes
    server = safe(guild.name, 200) if guild is not None and guild.name else "this server"
    embed = Embed(title=f"Lounge settings for {server}", colour=Colour.INFO)
    embed.add_field("Announcement channel", channel(settings.announcement_channel_id), inline=True)
    embed.add_field("Leaderboard channel", channel(settings.leaderboard_channel_id), inline=True)
    embed.add_field("Loser role", role(settings.loser_role_id), inline=True)
    embed.add_field("Host role", role(settings.host_role_id) + " (plus Manage Server)", inline=True)
    embed.add_field("Host channel", f"<#{settings.host_channel_id}>" if settings.host_channel_id
                    else "not set (`/result console` answers only the host who asks)", inline=True)
    embed.add_field("Charity", safe(settings.charity_name, 100), inline=True)
    embed.add_field("Goal", format_cents(settings.goal_cents), inline=True)
    embed.add_field("Winner's tax", format_cents(settings.winner_tax_cents) if settings.winner_tax_cents else "off",
                    inline=True)
    embed.add_field("Largest pledge", format_cents(settings.max_pledge_cents), inline=True)
    embed.add_field("Big-pledge announcement", format_cents(settings.big_pledge_cents)
                    if settings.big_pledge_cents else "off", inline=True)
    embed.add_field("Leaderboards while live", f"every {interval} min" if interval else "off", inline=True)
    embed.add_field("Spoiler-safe results", "on" if settings.spoiler_safe else "off", inline=True)
    warnings = health_warnings(guild, settings) + [alert.message for alert in alerts or []]
    if warnings:
        embed.colour = Colour.WARN
        embed.add_field("⚠️ Needs attention", "\n".join(f"• {warning}" for warning in warnings))
    return embed


@app_commands.guild_only()
class SettingsCog(commands.GroupCog, group_name="settings", group_description="The lounge's settings for this server"):
    def __init__(self, settings: SettingsService, alerts: AlertStore, outbox: OutboxStore, hosts: Hosts) -> None:
        self.settings = settings
        self.hosts = hosts
        self.alerts = alerts
        self.outbox = outbox
        super().__init__()

    @app_commands.command(name="show", description="Show the lounge's settings and anything that needs attention")
    async def show(self, interaction: LoungeInteraction) -> None:
        current = await self.settings.get(guild_id_of(interaction))
        alerts = await self.alerts.active(guild_id_of(interaction))
        await reply(interaction, settings_embed(interaction.guild, current, alerts))

    @app_commands.command(name="set", description="Change the lounge's settings (hosts only)")
    @app_commands.describe(
        announcement_channel="Where results, corrections and milestones are announced",
        leaderboard_channel="Where leaderboards are posted while the show is live",
        loser_role="The role every loser gets",
        host_role="Members with this role may run the night (besides Manage Server)",
        charity_name="Who the money goes to",
        goal="Fundraising goal in dollars, e.g. 30,000",
        winner_tax="What a winner owes the charity, in dollars (0 for none)",
        leaderboard_interval="Minutes between leaderboard posts while live (0 for off)",
        max_pledge="Largest single pledge allowed, in dollars",
        big_pledge="Announce pledges of at least this many dollars (0 for off)",
        spoiler_safe="Hide winners behind spoiler tags for members watching on a delay",
        host_channel="Where /result console posts the hosts' shared panel",
        clear="Unset a channel or role",
    )
    @app_commands.choices(clear=CLEARABLE_CHOICES)
    @is_host
    async def set_(
        self,
        interaction: LoungeInteraction,
        announcement_channel: discord.TextChannel | None = None,
        leaderboard_channel: discord.TextChannel | None = None,
        loser_role: discord.Role | None = None,
        host_role: discord.Role | None = None,
        charity_name: app_commands.Range[str, 1, 100] | None = None,
        goal: app_commands.Range[str, 1, 32] | None = None,
        winner_tax: app_commands.Range[str, 1, 32] | None = None,
        leaderboard_interval: app_commands.Range[int, 0, 1440] | None = None,
        max_pledge: app_commands.Range[str, 1, 32] | None = None,
        big_pledge: app_commands.Range[str, 1, 32] | None = None,
        spoiler_safe: bool | None = None,
        host_channel: discord.TextChannel | None = None,
        clear: app_commands.Choice[str] | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        assert guild_id is not None
        changes: dict[str, Any] = {}
        for role in (loser_role, host_role):
            if role is not None and (role.is_default() or role.managed):
                raise InvalidInput(
                    f"{role.mention} can't be used: pick a role the server created itself.",
                    reason="role_not_ours", role_id=role.id,
                )
        if announcement_channel is not None:
            changes["announcement_channel_id"] = announcement_channel.id
        if leaderboard_channel is not None:
            changes["leaderboard_channel_id"] = leaderboard_channel.id
        if loser_role is not None:
            changes["loser_role_id"] = loser_role.id
        if host_role is not None:
            changes["host_role_id"] = host_role.id
        if charity_name is not None:
            changes["charity_name"] = " ".join(charity_name.split())
        if goal is not None:
            changes["goal_cents"] = parse_cents(goal, what="The goal")
        if winner_tax is not None:
            changes["winner_tax_cents"] = parse_optional_cents(winner_tax, "The winner's tax")
        if leaderboard_interval is not None:
            changes["leaderboard_interval_minutes"] = leaderboard_interval
        if max_pledge is not None:
            changes["max_pledge_cents"] = parse_cents(max_pledge, what="The per-pledge maximum")
        if big_pledge is not None:
            changes["big_pledge_cents"] = parse_optional_cents(big_pledge, "The big-pledge threshold")
        if spoiler_safe is not None:
            changes["spoiler_safe"] = spoiler_safe
        if host_channel is not None:
            changes["host_channel_id"] = host_channel.id
        if clear is not None:
            if clear.value in changes:
                raise InvalidInput(
                    f"You both set and cleared the {clear.name}: choose one.",
                    reason="set_and_cleared", setting=clear.value,
                )
            changes[clear.value] = None
        updated = await self.settings.update(guild_id, changes, actor_id=interaction.user.id)
        # Hosts changed things: forget old alerts and give held role changes another go.
        await self.alerts.clear_all(guild_id)
        await self.outbox.retry_failed_role_changes(guild_id)
        embed = settings_embed(interaction.guild, updated)
        embed.title = "Settings saved"
        await reply(interaction, embed)

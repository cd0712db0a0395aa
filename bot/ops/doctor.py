"""``python -m bot doctor``: before the show, everything that would break the night, over REST only.

With the token from ``.env`` it logs in (no gateway session) and checks, one finding
per line:

* the token, and the application: the privileged intents the code asks for are
  enabled, and no interactions endpoint URL diverts slash commands away from the
  gateway;
* the database: its schema version, whether a bot is running on it;
* the commands: what Discord holds (globally, or in ``DEV_GUILD_ID``) against the
  code's command tree, option by option;
* every server the bot is in: the announcement and leaderboard channels of its
  lounge settings (from the database) exist and the bot can view, send, embed and
  attach there; the loser role exists, the bot has Manage Roles and its highest
  role is above the loser role; the commands reach that server.

Each finding is ``ok``, ``warn`` (works, but not as the host may think) or ``FAIL``
(would break the night). Nothing is written, to Discord or to the database.
"""

from __future__ import annotations

import enum
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import discord

from bot.command_sync import command_schema, schema_digest
from bot.config import Settings
from bot.db.lock import holder_of
from bot.db.migrations import latest_version
from bot.domain.settings.service import GuildSettings, settings_from_row
from bot.endpoints import DISCORD_API_BASE, point_discord_at

CHANNEL_NEEDS = (
    ("view_channel", "View Channel"),
    ("send_messages", "Send Messages"),
    ("embed_links", "Embed Links"),
    ("attach_files", "Attach Files"),
)
PRIVILEGED = (
    # (intent, application flags that grant it, its name on the Bot page)
    ("members", ("gateway_guild_members", "gateway_guild_members_limited"), "Server Members Intent"),
    ("presences", ("gateway_presence", "gateway_presence_limited"), "Presence Intent"),
    ("message_content", ("gateway_message_content", "gateway_message_content_limited"), "Message Content Intent"),
)


class Level(enum.Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report. Tests match ``rule`` (a stable snake_case word) and ``facts``."""

    level: Level
    subject: str
    text: str
    rule: str
    guild_id: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def line(self) -> str:
        return f"{self.level.value:<4}  {self.subject}: {self.text}"


class DoctorError(Exception):
    """The check could not run at all (token refused, Discord unreachable); one sentence."""

    def __init__(self, message: str, *, reason: str, exit_code: int) -> None:
        super().__init__(message)
        self.reason = reason
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class Records:
    """What the database says, read-only."""

    version: int | None
    settings: dict[int, GuildSettings]
    start_channels: dict[int, int]
    """The current ceremony's start channel per server: where announcements go when none is set."""
    synced: dict[str, str]
    """bot_state ``command_schema:{application}:{scope}`` → the schema digest the bot last synced."""


def read_records(database: Path) -> Records:
    if not database.is_file():
        return Records(None, {}, {}, {})
    connection = sqlite3.connect(f"file:{quote(str(database.resolve()))}?mode=ro", uri=True, timeout=5)
    connection.row_factory = sqlite3.Row
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        settings = {}
        if "guild_settings" in tables:
            settings = {int(row["guild_id"]): settings_from_row(row)
                        for row in connection.execute("SELECT * FROM guild_settings")}
        starts = {}
        if "ceremonies" in tables:
            starts = {int(row[0]): int(row[1]) for row in connection.execute(
                "SELECT guild_id, start_channel_id FROM ceremonies "
                "WHERE is_current = 1 AND start_channel_id IS NOT NULL"
            )}
        synced = {}
        if "bot_state" in tables:
            synced = {str(row[0]): str(row[1]) for row in connection.execute(
                "SELECT key, value FROM bot_state WHERE key LIKE 'command_schema:%'"
            )}
    finally:
        connection.close()
    return Records(version, settings, starts, synced)


async def code_commands(config: Settings) -> list[dict[str, Any]]:
    """The command tree the code would sync (for DEV_GUILD_ID or globally), built offline on a scratch database."""
    from bot.lounge import LoungeBot  # the bot's whole tree: every extension loaded, as at start-up

    with tempfile.TemporaryDirectory(prefix="lounge-doctor-") as scratch:
        bot = LoungeBot(replace(config, database_path=Path(scratch) / "tree.db", backup_every_minutes=None))
        async with bot:  # initialised as for a run, so the cogs' loops wait for a "ready" that never comes
            await bot.prepare()
            guild = discord.Object(id=config.dev_guild_id) if config.dev_guild_id is not None else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            return command_schema(bot, guild)


# ---- comparing command schemas -------------------------------------------------------------------


def _shape(item: Mapping[str, Any]) -> tuple[Any, ...]:
    """What members see of a command or option: Discord's echo adds ids and defaults, so compare only this."""
    choices = tuple((str(c.get("name")), str(c.get("value"))) for c in item.get("choices") or [])
    return (
        item.get("name"), int(item.get("type") or 1), item.get("description") or "",
        bool(item.get("required", False)), bool(item.get("autocomplete", False)), choices,
        item.get("min_value"), item.get("max_value"), item.get("min_length"), item.get("max_length"),
        tuple(sorted(item.get("channel_types") or [])),
        tuple(_shape(option) for option in item.get("options") or []),
    )


@dataclass(frozen=True, slots=True)
class CommandDiff:
    missing: list[str]
    extra: list[str]
    changed: list[str]

    @property
    def same(self) -> bool:
        return not (self.missing or self.extra or self.changed)

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append("missing " + ", ".join(f"/{name}" for name in self.missing))
        if self.changed:
            parts.append("outdated " + ", ".join(f"/{name}" for name in self.changed))
        if self.extra:
            parts.append("not in the code " + ", ".join(f"/{name}" for name in self.extra))
        return "; ".join(parts)


def compare_commands(code: Sequence[Mapping[str, Any]], remote: Sequence[Mapping[str, Any]]) -> CommandDiff:
    ours = {str(c["name"]): _shape(c) for c in code}
    theirs = {str(c["name"]): _shape(c) for c in remote}
    return CommandDiff(
        missing=sorted(set(ours) - set(theirs)),
        extra=sorted(set(theirs) - set(ours)),
        changed=sorted(name for name in set(ours) & set(theirs) if ours[name] != theirs[name]),
    )


# ---- the examination ---------------------------------------------------------------------------


@dataclass
class _Context:
    config: Settings
    client: discord.Client
    application_id: int
    bot_id: int
    records: Records
    code: list[dict[str, Any]]
    bot_running: bool
    findings: list[Finding] = field(default_factory=list)

    def add(self, level: Level, subject: str, text: str, rule: str, guild_id: int | None = None,
            **facts: Any) -> None:
        self.findings.append(Finding(level, subject, text, rule, guild_id, facts))


async def examine(config: Settings, *, intents: discord.Intents | None = None) -> list[Finding]:
    """Every finding, in report order. Raises :class:`DoctorError` when Discord cannot be asked at all."""
    from bot.lounge import lounge_intents

    wanted = intents if intents is not None else lounge_intents()
    code = await code_commands(config)
    records = read_records(config.database_path)
    holder = holder_of(config.database_path)
    point_discord_at(config.discord_api_base, config.discord_gateway_url)
    client = discord.Client(intents=discord.Intents.none())
    try:
        try:
            await client.login(config.discord_token)
        except discord.LoginFailure:
            raise DoctorError("Discord refused DISCORD_TOKEN: reset the token on your application's Bot page and "
                              "paste the new one into .env.", reason="token_refused", exit_code=2) from None
        except (aiohttp.ClientError, OSError) as error:
            where = config.discord_api_base or DISCORD_API_BASE
            raise DoctorError(f"Could not reach Discord at {where}: {error}.", reason="unreachable",
                              exit_code=1) from None
        assert client.user is not None
        assert client.application_id is not None
        context = _Context(config, client, client.application_id, client.user.id, records, code, holder is not None)
        context.add(Level.OK, "token", f"valid: logged in as {client.user} (id {client.user.id}), application "
                    f"{client.application_id}", "token_valid")
        try:
            await _application(context, wanted)
            _database(context, holder.holder if holder is not None else None)
            guilds = [guild async for guild in client.fetch_guilds(limit=None)]
            if not guilds:
                context.add(Level.FAIL, "servers", "the bot is in no server: invite it with the link from "
                            "OAuth2 → URL Generator (scopes bot and applications.commands)", "no_servers")
            await _commands(context, guilds)
            for guild in guilds:
                try:
                    await _server(context, guild.id)
                except discord.HTTPException as error:
                    context.add(Level.FAIL, f"{guild.name} ({guild.id})", f"Discord answered {error.status} "
                                f"({error.text or 'no detail'}) to a question about this server, so it could not be "
                                "checked", "server_unreadable", guild.id, status=error.status)
        except discord.HTTPException as error:
            context.add(Level.FAIL, "discord", f"Discord answered {error.status} ({error.text or 'no detail'}): "
                        "the rest could not be checked; try again in a minute", "discord_error", status=error.status)
        return context.findings
    finally:
        await client.close()


async def _application(context: _Context, wanted: discord.Intents) -> None:
    app = await context.client.application_info()
    asked = [(intent, flags, label) for intent, flags, label in PRIVILEGED if getattr(wanted, intent)]
    if not asked:
        context.add(Level.OK, "application", "the bot asks for no privileged intent (guilds only): nothing to "
                    "enable on the Bot page", "intents")
    for intent, flags, label in asked:
        if any(getattr(app.flags, flag) for flag in flags):
            context.add(Level.OK, "application", f"{label} is enabled, as the bot needs", "intents", intent=intent)
        else:
            context.add(Level.FAIL, "application", f"the bot asks for the {label} but the application does not "
                        "have it: enable it on the Bot page, or Discord refuses the connection",
                        "intent_not_enabled", intent=intent)
    if app.interactions_endpoint_url:
        context.add(Level.FAIL, "application", f"an Interactions Endpoint URL is set ({app.interactions_endpoint_url}):"
                    " Discord sends slash commands there instead of to the bot; clear it on the General "
                    "Information page", "interactions_endpoint_url")


def _database(context: _Context, holder: str | None) -> None:
    path = str(context.config.database_path)
    version, latest = context.records.version, latest_version()
    running = f"{holder} is running on it" if holder is not None else "no bot is running on it"
    if version is None:
        context.add(Level.WARN, "database", f"there is no database at {path!r} yet: the bot creates it when it "
                    "starts, and no server has lounge settings", "no_database")
    elif version > latest:
        context.add(Level.FAIL, "database", f"{path!r} is at schema version {version}, newer than this code "
                    f"({latest}): the bot refuses to start; update it", "database_too_new", version=version)
    else:
        migrate = "" if version == latest else f" (the bot migrates it to {latest} when it starts, after a backup)"
        context.add(Level.OK, "database", f"{path!r}, schema version {version}{migrate}; {running}", "database",
                    version=version, running=context.bot_running)


async def _commands(context: _Context, guilds: Sequence[discord.Guild]) -> None:
    """The scope the bot syncs to must hold the code's commands (per-server findings come with each server)."""
    dev = context.config.dev_guild_id
    if dev is not None and dev not in {guild.id for guild in guilds}:
        context.add(Level.FAIL, "commands", f"DEV_GUILD_ID {dev} is not a server the bot is in: its commands are "
                    "synced nowhere members can use them", "dev_guild_unknown")
        return
    if dev is None:
        remote = await context.client.http.get_global_commands(context.application_id)
        _sync_finding(context, "commands", "global", compare_commands(context.code, remote), None)


def _sync_finding(context: _Context, subject: str, scope: str, diff: CommandDiff, guild_id: int | None) -> None:
    count = len(context.code)
    where = "globally" if scope == "global" else "in this server"
    if diff.same:
        context.add(Level.OK, subject, f"the {count} commands Discord holds {where} match the code", "commands_synced",
                    guild_id)
        return
    key = f"command_schema:{context.application_id}:{scope}"
    problem = f"Discord's commands {where} differ from the code ({diff.describe()})"
    facts = {"missing": diff.missing, "extra": diff.extra, "changed": diff.changed}
    if context.records.synced.get(key) == schema_digest(context.code):
        database = context.config.database_path
        forget = f"DELETE FROM bot_state WHERE key = '{key}'"  # noqa: S608 - a command for the host to run
        context.add(Level.FAIL, subject, f"{problem}, yet the bot recorded them as synced, so it will not sync "
                    f"again by itself: run sqlite3 {database} \"{forget}\" and restart the bot",
                    "commands_stale_record", guild_id, **facts)
    elif context.bot_running:
        context.add(Level.FAIL, subject, f"{problem}: restart the bot, it syncs them at start-up",
                    "commands_not_synced", guild_id, **facts)
    else:
        context.add(Level.WARN, subject, f"{problem}: the bot syncs them when it starts", "commands_not_synced",
                    guild_id, **facts)


async def _server(context: _Context, guild_id: int) -> None:
    client = context.client
    guild = await client.fetch_guild(guild_id)
    subject = f"{guild.name} ({guild.id})"
    channels = {channel.id: channel for channel in await guild.fetch_channels()}
    me = await guild.fetch_member(context.bot_id)
    settings = context.records.settings.get(guild.id, GuildSettings(guild_id=guild.id))

    announcement_id = settings.announcement_channel_id
    if announcement_id is None and guild.id in context.records.start_channels:
        _channel(context, subject, guild.id, "announcement channel (where the ceremony started)",
                 channels, context.records.start_channels[guild.id], me, "announcement")
    elif announcement_id is None:
        context.add(Level.WARN, subject, "no announcement channel set: announcements go to the channel where a "
                    "host runs /ceremony start (set one with /settings set announcement_channel)",
                    "announcement_channel_unset", guild.id)
    else:
        _channel(context, subject, guild.id, "announcement channel", channels, announcement_id, me, "announcement")
    if settings.leaderboard_channel_id is None:
        context.add(Level.OK, subject, "no leaderboard channel set: boards are posted in the announcement channel",
                    "leaderboard_channel_unset", guild.id)
    else:
        _channel(context, subject, guild.id, "leaderboard channel", channels, settings.leaderboard_channel_id, me,
                 "leaderboard")
    _loser_role(context, subject, guild, me, settings.loser_role_id)
    if settings.host_role_id is not None and guild.get_role(settings.host_role_id) is None:
        context.add(Level.WARN, subject, f"the host role (id {settings.host_role_id}) no longer exists: only members "
                    "with Manage Server can host (/settings set host_role)", "host_role_missing", guild.id)
    await _server_commands(context, subject, guild.id)


def _channel(context: _Context, subject: str, guild_id: int, label: str,
             channels: Mapping[int, discord.abc.GuildChannel], channel_id: int, me: discord.Member,
             kind: str) -> None:
    channel = channels.get(channel_id)
    if channel is None:
        context.add(Level.FAIL, subject, f"the {label} (id {channel_id}) no longer exists: choose another with "
                    f"/settings set {kind}_channel", "channel_missing", guild_id, kind=kind, channel_id=channel_id)
        return
    if not isinstance(channel, discord.TextChannel):
        context.add(Level.FAIL, subject, f"the {label} #{channel.name} is not a text channel: choose another with "
                    f"/settings set {kind}_channel", "channel_not_text", guild_id, kind=kind, channel_id=channel_id)
        return
    permissions = channel.permissions_for(me)
    missing = [name for flag, name in CHANNEL_NEEDS if not getattr(permissions, flag)]
    if missing:
        them = "it" if len(missing) == 1 else "them"
        context.add(Level.FAIL, subject, f"in the {label} #{channel.name} the bot lacks {_and(missing)}: grant {them} "
                    "to its role in the channel's permissions", "channel_permissions", guild_id, kind=kind,
                    channel_id=channel_id, missing=missing)
    else:
        context.add(Level.OK, subject, f"the bot can view, send, embed and attach in the {label} #{channel.name}",
                    "channel_ok", guild_id, kind=kind, channel_id=channel_id)


def _loser_role(context: _Context, subject: str, guild: discord.Guild, me: discord.Member, role_id: int | None) -> None:
    if role_id is None:
        context.add(Level.WARN, subject, "no loser role set: losers get no role (/settings set loser_role)",
                    "loser_role_unset", guild.id)
        return
    role = guild.get_role(role_id)
    if role is None:
        context.add(Level.FAIL, subject, f"the loser role (id {role_id}) no longer exists: choose another with "
                    "/settings set loser_role", "loser_role_missing", guild.id, role_id=role_id)
        return
    problems = 0
    if not me.guild_permissions.manage_roles:
        problems += 1
        context.add(Level.FAIL, subject, "the bot lacks Manage Roles, so it cannot hand out the loser role: grant "
                    "it to the bot's role", "manage_roles_missing", guild.id)
    if role.managed:
        problems += 1
        context.add(Level.FAIL, subject, f"the loser role @{role.name} belongs to an integration and cannot be "
                    "handed out: choose another", "loser_role_managed", guild.id, role_id=role_id)
    elif role >= me.top_role:
        problems += 1
        context.add(Level.FAIL, subject, f"the loser role @{role.name} is not below the bot's highest role "
                    f"@{me.top_role.name}: drag the bot's role above it in Server Settings → Roles",
                    "loser_role_above_bot", guild.id, role_id=role_id)
    if not problems:
        context.add(Level.OK, subject, f"the bot can hand out the loser role @{role.name} (its role "
                    f"@{me.top_role.name} is above it)", "loser_role_ok", guild.id, role_id=role_id)


async def _server_commands(context: _Context, subject: str, guild_id: int) -> None:
    http, app = context.client.http, context.application_id
    try:
        here = await http.get_guild_commands(app, guild_id)
    except discord.Forbidden:
        context.add(Level.FAIL, subject, "the bot was invited without the applications.commands scope, so members "
                    "here cannot use its commands: invite it again with that scope", "no_commands_scope", guild_id)
        return
    dev = context.config.dev_guild_id
    if dev == guild_id:
        _sync_finding(context, subject, f"guild:{guild_id}", compare_commands(context.code, here), guild_id)
        return
    code_names = {str(command["name"]) for command in context.code}
    if dev is not None:
        remote_global = await http.get_global_commands(app)
        if compare_commands(context.code, remote_global).same:
            context.add(Level.OK, subject, "the global commands match the code", "commands_synced", guild_id)
        else:
            context.add(Level.FAIL, subject, f"the commands are synced only to DEV_GUILD_ID {dev}, so members here "
                        "have none that work: unset DEV_GUILD_ID to sync globally", "commands_elsewhere", guild_id)
        return
    twice = sorted(code_names & {str(command["name"]) for command in here})
    if twice:
        context.add(Level.WARN, subject, f"{_and([f'/{name}' for name in twice])} are registered in this server as "
                    "well as globally (left by an earlier DEV_GUILD_ID): members see them twice", "commands_twice",
                    guild_id, names=twice)
    else:
        context.add(Level.OK, subject, "members here get the global commands", "commands_global", guild_id)


def _and(items: Iterable[str]) -> str:
    words = list(items)
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def failed(findings: Iterable[Finding]) -> bool:
    return any(finding.level is Level.FAIL for finding in findings)


def summary(findings: Sequence[Finding]) -> str:
    fails = sum(1 for f in findings if f.level is Level.FAIL)
    warnings = sum(1 for f in findings if f.level is Level.WARN)
    if fails:
        return f"{fails} problem(s) would break the night, {warnings} warning(s)."
    return f"Nothing would break the night ({warnings} warning(s))."


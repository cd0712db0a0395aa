"""The one error path: domain and check errors become short ephemeral replies;
anything else is logged with full context and an error id the member can quote."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

import aiohttp
import discord
from discord import app_commands

from bot.domain.errors import LoungeError
from bot.embeds import Colour, Embed
from bot.text import cut
from bot.ui import InteractionExpired, respond, to_discord

if TYPE_CHECKING:
    from bot.lounge import LoungeBot

log = logging.getLogger("bot.errors")


def describe(error: BaseException) -> tuple[str, str] | None:
    """(title, message) for errors a member should see; None for unexpected ones."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, LoungeError):
        return error.title, str(error)
    if isinstance(error, app_commands.CommandOnCooldown):
        return "Slow down", f"You're doing that too fast. Try again in {error.retry_after:.0f} s."
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        who = "You need" if isinstance(error, app_commands.MissingPermissions) else "The bot needs"
        return "Missing permission", f"{who}: {missing}."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "Servers only", "The lounge lives in servers: use this command in a server."
    if isinstance(error, app_commands.CheckFailure):
        return "Not allowed", str(error) or "You can't use this command here."
    if isinstance(error, app_commands.TransformerError):
        return "Check your input", f"`{cut(str(error.value), 100)}` isn't a valid {error.type.name.lower()}."
    return None


def _lounge_error(error: BaseException) -> LoungeError | None:
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return error if isinstance(error, LoungeError) else None


# Discord's answers meaning "this interaction can't be answered any more".
UNANSWERABLE_CODES = {10062, 40060}  # unknown interaction; already acknowledged


def _unanswerable(error: BaseException) -> bool:
    """The failure was the answer itself: answering again can only be refused."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, InteractionExpired):
        return True
    return isinstance(error, discord.HTTPException) and error.code in UNANSWERABLE_CODES


def _answer_in_doubt(error: BaseException) -> bool:
    """The connection broke while answering: the member may or may not have the answer."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    return isinstance(error, aiohttp.ClientError | ConnectionError)


async def report_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer the member ephemerally; log what they don't see.

    Never answers once Discord's deadline has passed, never answers an interaction
    Discord already called answered or unknown, and never claims that nothing
    changed when the failure may have come after a commit.
    """
    if _unanswerable(error):
        log.warning("interaction %s could not be answered in time: %s", interaction.id, error)
        return
    described = describe(error)
    if described is None:
        error_id = secrets.token_hex(4)
        command = interaction.command.qualified_name if interaction.command else interaction.data
        log.error(
            "error %s in %s by user %s in guild %s", error_id, command, interaction.user.id,
            interaction.guild_id, exc_info=error,
        )
        title = "Something went wrong"
        text = f"That failed on our side (error id `{error_id}`)."
        if _answer_in_doubt(error):
            text += " It may have been recorded: check before trying again (e.g. `/pledge mine`, `/loser card`)."
    else:
        title, text = described
        refusal = _lounge_error(error)
        # `refusal` rides on the record for whoever reads the log by its data (the rehearsal does).
        log.debug(
            "refused %s for user %s: %s (%s)", interaction.data, interaction.user.id, text,
            refusal.reason if refusal is not None else type(error).__name__,
            extra={"interaction_id": interaction.id, "refusal": refusal},
        )
    embed = to_discord(Embed(title=title, description=text, colour=Colour.BAD))
    try:
        if interaction.response.is_done():
            await interaction.followup.send(embed=embed, ephemeral=True)
        else:
            await respond(interaction, interaction.response.send_message(embed=embed, ephemeral=True))
    except (discord.HTTPException, InteractionExpired, aiohttp.ClientError) as send_error:
        log.warning("could not tell user %s about an error: %s", interaction.user.id, send_error)


class LoungeTree(app_commands.CommandTree["LoungeBot"]):
    """The command tree: guild-only, ignores bots, one error handler for every command."""

    async def interaction_check(self, interaction: discord.Interaction[LoungeBot]) -> bool:
        if interaction.user.bot:
            return False
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage()
        return True

    async def on_error(self, interaction: discord.Interaction[LoungeBot], error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)

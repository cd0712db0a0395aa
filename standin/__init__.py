"""A loopback stand-in of Discord (REST + gateway) for running the real discord.py bot in tests.

It depends on aiohttp and the standard library only (never on discord.py). The bot
reaches it through two settings: ``discord.http.Route.BASE = standin.api_base`` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(standin.gateway_url)``.
Run it standalone with ``python -m standin --port N``; see :mod:`standin.control`
for the HTTP control API other processes use.
"""

from standin.commands import Attachment
from standin.errors import InvalidInvocation, StandInError, Violation, WaitTimeout
from standin.faults import Faults
from standin.gateway import Gateway
from standin.interactions import InteractionRecord, Reply, SentInteraction
from standin.mentions import Pings
from standin.model import Channel, Guild, Member, Message, Role, StoredAttachment, User
from standin.permissions import (
    ALL_PERMISSIONS,
    DEFAULT_BOT_PERMISSIONS,
    DEFAULT_EVERYONE_PERMISSIONS,
    Permissions,
)
from standin.story import JumpClock, ManualClock, StandIn

__all__ = [
    "ALL_PERMISSIONS",
    "DEFAULT_BOT_PERMISSIONS",
    "DEFAULT_EVERYONE_PERMISSIONS",
    "Attachment",
    "Channel",
    "Faults",
    "Gateway",
    "Guild",
    "InteractionRecord",
    "InvalidInvocation",
    "JumpClock",
    "ManualClock",
    "Member",
    "Message",
    "Permissions",
    "Pings",
    "Reply",
    "Role",
    "SentInteraction",
    "StandIn",
    "StandInError",
    "StoredAttachment",
    "User",
    "Violation",
    "WaitTimeout",
]

"""Where discord.py talks to: Discord itself, or a Discord-compatible server.

discord.py keeps both addresses in class attributes:
``Route.BASE`` for every REST call and ``DiscordWebSocket.DEFAULT_GATEWAY`` for
the gateway that ``commands.Bot`` connects to directly.
"""

from __future__ import annotations

import discord
import yarl

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Aim discord.py at `api_base` / `gateway_url`; None means Discord's own."""
    discord.http.Route.BASE = api_base or DISCORD_API_BASE
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url or DISCORD_GATEWAY_URL)

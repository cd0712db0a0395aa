"""Typed settings read from the environment and a `.env` file.

Every problem is reported as one :class:`ConfigError` sentence that names the
variable, so `python -m bot` can print it and exit without a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_DATABASE_PATH = Path("data/lounge.db")
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
DEFAULT_BACKUP_KEEP = 6
MAX_BACKUP_EVERY_MINUTES = 1440
MAX_BACKUP_KEEP = 1000


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the process needs to know before it talks to Discord."""

    discord_token: str
    database_path: Path
    dev_guild_id: int | None
    log_level: str
    discord_api_base: str | None
    discord_gateway_url: str | None
    backup_every_minutes: int | None = None
    """Back up every N minutes while a ceremony is live; None: off."""
    backup_keep: int = DEFAULT_BACKUP_KEEP
    """How many of those automatic backups to keep."""


def load_settings(environ: Mapping[str, str] | None = None, *, require_token: bool = True) -> Settings:
    """Read settings from `environ` (default: the process environment).

    Empty values count as unset, as they do in a copied `.env.example`.
    """
    env = os.environ if environ is None else environ

    def value(name: str) -> str | None:
        raw = env.get(name)
        if raw is None or not raw.strip():
            return None
        return raw.strip()

    token = value("DISCORD_TOKEN")
    if token is None and require_token:
        raise ConfigError(
            "DISCORD_TOKEN is not set: copy .env.example to .env and paste your bot's token "
            "from https://discord.com/developers/applications (or run `make rehearse` "
            "to watch the bot play a whole Emmy night offline, no token needed)."
        )
    # Only what is certainly wrong: Discord (or a stand-in) judges the token itself at login.
    if token is not None and (any(ch.isspace() for ch in token) or token[0] in "\"'" or token.startswith("Bot ")):
        raise ConfigError(
            "DISCORD_TOKEN does not look like a bot token (it has spaces, quotes or a 'Bot ' prefix); "
            "copy it again from the Bot page of your Discord application."
        )

    return Settings(
        discord_token=token or "",
        database_path=_database_path(value("DATABASE_PATH")),
        dev_guild_id=_snowflake("DEV_GUILD_ID", value("DEV_GUILD_ID")),
        log_level=_log_level(value("LOG_LEVEL")),
        discord_api_base=_url("DISCORD_API_BASE", value("DISCORD_API_BASE"), ("http", "https")),
        discord_gateway_url=_url("DISCORD_GATEWAY_URL", value("DISCORD_GATEWAY_URL"), ("ws", "wss")),
        backup_every_minutes=_count("BACKUP_EVERY_MINUTES", value("BACKUP_EVERY_MINUTES"), 0,
                                    MAX_BACKUP_EVERY_MINUTES, "minutes (0 or empty: off)") or None,
        backup_keep=_count("BACKUP_KEEP", value("BACKUP_KEEP"), 1, MAX_BACKUP_KEEP, "backups")
        or DEFAULT_BACKUP_KEEP,
    )


def _database_path(raw: str | None) -> Path:
    path = Path(raw).expanduser() if raw is not None else DEFAULT_DATABASE_PATH
    if raw is not None and (raw.endswith(("/", os.sep)) or path.is_dir()):
        raise ConfigError(f"DATABASE_PATH must name a file, but {raw!r} is a folder.")
    parent = path.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(
            f"DATABASE_PATH {str(path)!r} cannot be created: {str(existing)!r} is a file, not a folder."
        )
    if not os.access(existing, os.W_OK):
        raise ConfigError(f"DATABASE_PATH {str(path)!r} cannot be created: {str(existing)!r} is not writable.")
    return path


def _snowflake(name: str, raw: str | None) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not 17 <= len(raw) <= 20 or int(raw) >= 2**64:
        raise ConfigError(
            f"{name} must be a server id (a number of 17 to 20 digits, from "
            f"right-click → Copy Server ID), not {raw!r}."
        )
    return int(raw)


def _count(name: str, raw: str | None, low: int, high: int, unit: str) -> int | None:
    if raw is None:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high} {unit}, not {raw!r}.")
    return int(raw)


def _log_level(raw: str | None) -> str:
    if raw is None:
        return "INFO"
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {raw!r}.")
    return level


def _url(name: str, raw: str | None, schemes: tuple[str, ...]) -> str | None:
    if raw is None:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in schemes or not parsed.netloc:
        wanted = " or ".join(f"{scheme}://" for scheme in schemes)
        raise ConfigError(f"{name} must be a URL starting with {wanted}, not {raw!r}.")
    return raw.rstrip("/")

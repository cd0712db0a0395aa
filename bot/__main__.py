"""`python -m bot` runs the bot; `python -m bot rehearse …` plays an Emmy night offline;
`python -m bot backup [PATH]`, `restore PATH` and `doctor` look after it (see bot/ops/cli.py)."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord
from dotenv import load_dotenv

from bot.clock import Clock, utc_now
from bot.config import ConfigError, Settings, load_settings
from bot.db import DatabaseTooNew
from bot.db.backup import BackupError
from bot.db.lock import DatabaseInUse
from bot.domain.errors import StorageUnavailable
from bot.event_loop import event_loop_factory
from bot.lounge import LoungeBot

OPERATIONS = ("backup", "restore", "doctor")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["rehearse"]:  # offline: needs no DISCORD_TOKEN, so before any settings are read
        from bot.rehearsal.cli import main as rehearse

        return rehearse(args[1:])
    load_dotenv()
    if args[:1] and args[0] in OPERATIONS:
        from bot.ops.cli import main as operate

        return operate(args)
    if args:
        usage = ("run `python -m bot` with the settings in .env, `python -m bot rehearse` to play a night offline, "
                 "or `python -m bot backup|restore|doctor`")
        print(f"Unknown arguments {' '.join(args)!r}: {usage}.", file=sys.stderr)
        return 2
    try:
        config = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(config.log_level)
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(run(config))


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))


async def run(config: Settings, *, clock: Clock = utc_now) -> int:
    """Run until SIGINT/SIGTERM or a fatal error; return the process exit code.

    `clock` is the bot's time: the wall clock, or the rehearsal's scaled one (bot/rehearsal/bot_process.py).
    """
    bot = LoungeBot(config, clock=clock)
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    running = asyncio.create_task(bot.start(config.discord_token), name="bot")
    stop_requested = asyncio.create_task(stopping.wait(), name="wait-for-signal")
    try:
        await asyncio.wait({running, stop_requested}, return_when=asyncio.FIRST_COMPLETED)
        if stop_requested.done():
            logging.getLogger(__name__).info("shutting down: finishing queued writes")
        await bot.close()  # idempotent: stops the cogs' tasks, commits queued writes, closes the database
        await running
    except discord.LoginFailure:
        print("Discord refused DISCORD_TOKEN: reset the token on your application's Bot page and paste the new one "
              "into .env.", file=sys.stderr)
        return 2
    except discord.PrivilegedIntentsRequired:
        print("Discord refused the bot's intents: this should not happen, as it asks for no privileged intent.",
              file=sys.stderr)
        return 2
    except DatabaseTooNew as error:
        print(error, file=sys.stderr)
        return 2
    except DatabaseInUse as error:
        print(f"DATABASE_PATH {str(config.database_path)!r} is in use by {error.holder}: stop it first, or point "
              "DATABASE_PATH at another file.", file=sys.stderr)
        return 2
    except BackupError as error:
        print(f"The database needs migrating, and the backup taken first failed: {error} The database was left "
              "as it was.", file=sys.stderr)
        return 2
    except StorageUnavailable as error:
        print(f"DATABASE_PATH {str(config.database_path)!r} cannot be opened: {error.detail}", file=sys.stderr)
        return 2
    except (OSError, discord.GatewayNotFound, discord.HTTPException) as error:
        print(f"Could not reach Discord: {error}", file=sys.stderr)
        return 1
    finally:
        stop_requested.cancel()
        await bot.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

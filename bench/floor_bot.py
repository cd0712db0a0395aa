"""The bot the floor benchmark runs: ``python -m bench.floor_bot [--loop asyncio|uvloop] [--json stdlib|orjson]``.

It is ``python -m bot`` (the same environment, :class:`~bot.lounge.LoungeBot`, extensions, command
tree, error path and shutdown), plus one benchmark-only command, ``/bench-floor``, that answers a
constant ephemeral "ok": what discord.py itself costs to receive an interaction over the gateway,
route it through the tree and answer it over HTTP. It lives in ``bench/`` and is loaded only by this
entry point, so it is never a command of the real bot.

``--loop`` and ``--json`` choose the event loop and discord.py's JSON library for this process, so
the benchmark can measure each of them on and off against the same code.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from dotenv import load_dotenv

from bot.__main__ import configure_logging, run
from bot.config import ConfigError, Settings, load_settings
from bot.lounge import LoungeBot

if TYPE_CHECKING:
    from bot.types import LoungeInteraction

FLOOR_COMMAND = "bench-floor"
FLOOR_EXTENSION = "bench.floor_bot"


class FloorCog(commands.Cog):
    @app_commands.command(name=FLOOR_COMMAND, description="Benchmark only: a constant ephemeral answer")
    @app_commands.guild_only()
    async def floor(self, interaction: LoungeInteraction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(FloorCog())


class FloorBot(LoungeBot):
    """The lounge, with the floor command loaded after its own extensions."""

    async def prepare(self) -> None:
        await super().prepare()
        await self.load_extension(FLOOR_EXTENSION)


def _stdlib_json() -> None:
    """discord.py picks orjson at import when it is installed; put the standard library back."""

    def to_json(obj: Any) -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=True)

    discord.utils._to_json = to_json  # type: ignore[attr-defined]
    discord.utils._from_json = json.loads  # type: ignore[attr-defined]


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--json", choices=("stdlib", "orjson"), default="stdlib")
    args = parser.parse_args(argv)
    if args.json == "stdlib":
        _stdlib_json()
    elif not discord.utils.HAS_ORJSON:  # type: ignore[attr-defined]
        print("--json orjson: orjson is not installed", file=sys.stderr)
        return 2
    load_dotenv()
    try:
        config = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(config.log_level)

    def make_bot(settings: Settings) -> LoungeBot:
        return FloorBot(settings)

    with asyncio.Runner(loop_factory=loop_factory(args.loop)) as runner:
        return runner.run(run(config, make_bot=make_bot))


if __name__ == "__main__":
    raise SystemExit(main())

"""The bot of :mod:`bench.floor`: ``python -m bot``, or discord.py's floor beside it.

    .venv/bin/python -m bench.floor_bot [--floor | --same-message]

Without ``--floor`` this is exactly ``python -m bot`` (``bot.__main__.main``), configured by the
same environment. With ``--floor`` it is the same program, the same ``LoungeBot``, the same
app-command tree, checks, intents, dynamic items and gateway handling, except that the callbacks
of the measured commands and components answer a constant ephemeral "ok": no database, no
embed. What the two cost per interaction differs only by the lounge's own work.

With ``--same-message`` the measured callbacks answer the first interaction of each kind as the
bot does (recording the answer: its embed, its components, as passed to discord.py), and every
later one with that recorded answer, through the same discord.py call: no database, no
rendering, but the message the lounge sends. Its cost over ``--floor`` is what discord.py,
aiohttp and the JSON cost for the lounge's bigger messages (and their bigger echoes, which
discord.py parses); the bot's cost over it is the lounge's own work.

Two switches, read from the environment, measure discord.py's speed extras and the event loop:

* ``LOUNGE_BENCH_ORJSON=0`` makes discord.py use the standard library's json even where orjson is
  installed (``discord.utils.HAS_ORJSON``, which discord.py reads on every dump and load);
* ``LOUNGE_EVENT_LOOP=asyncio|uvloop`` is read by ``python -m bot`` itself (bot/__main__.py).

``LOUNGE_BENCH_PROFILE=out.prof`` runs it under cProfile (``bench.floor --profile``).

Benchmark-only code: nothing in ``bot/`` or ``cogs/`` knows of it.
"""

from __future__ import annotations

import contextvars
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

import bot.__main__ as bot_main
from bot.lounge import LoungeBot

#: The measured slash commands, by their full name.
FLOOR_COMMANDS = ("pledge add", "pick", "leaderboard show")


async def answer_ok(*args: Any, **_options: Any) -> None:
    """A command's or component's callback that answers a constant ephemeral "ok"."""
    interaction = next(arg for arg in reversed(args) if isinstance(arg, discord.Interaction))
    await interaction.response.send_message("ok", ephemeral=True)


def _command(tree: app_commands.CommandTree[Any], name: str) -> app_commands.Command[Any, Any, Any]:
    parent, *child = name.split(" ")
    found: Any = tree.get_command(parent)
    for part in child:
        found = found.get_command(part)
    if not isinstance(found, app_commands.Command):
        raise SystemExit(f"bench.floor_bot: no command /{name} in the tree")
    return found


def install_floor(bot: LoungeBot) -> None:
    """Swap the measured callbacks for :func:`answer_ok` (after the extensions are loaded)."""
    for name in FLOOR_COMMANDS:
        _command(bot.tree, name)._callback = answer_ok
    from cogs.ballot.buttons import BallotButton
    from cogs.ballot.selects import BallotSelect

    BallotSelect.callback = answer_ok  # type: ignore[method-assign]
    BallotButton.callback = answer_ok  # type: ignore[method-assign]


Callback = Callable[..., Awaitable[None]]
_recording: contextvars.ContextVar[str | None] = contextvars.ContextVar("recording", default=None)
_answers: dict[str, tuple[str, dict[str, Any]]] = {}
"""kind -> (the InteractionResponse method, its keyword arguments) of the first answer."""


def _interaction_of(args: tuple[Any, ...]) -> discord.Interaction[Any]:
    return next(arg for arg in reversed(args) if isinstance(arg, discord.Interaction))


def same_message(kind: str, real: Callback) -> Callback:
    """`real` for the first interaction (its answer recorded), that answer for every later one."""

    async def callback(*args: Any, **options: Any) -> None:
        recorded = _answers.get(kind)
        if recorded is None:
            token = _recording.set(kind)
            try:
                await real(*args, **options)
            finally:
                _recording.reset(token)
            return
        method, kwargs = recorded
        await getattr(_interaction_of(args).response, method)(**kwargs)

    return callback


def _record(method: str) -> None:
    original = getattr(discord.InteractionResponse, method)

    async def recording(self: discord.InteractionResponse[Any], *args: Any, **kwargs: Any) -> Any:
        kind = _recording.get()
        if kind is not None and kind not in _answers and not args:
            _answers[kind] = (method, kwargs)
        return await original(self, *args, **kwargs)

    setattr(discord.InteractionResponse, method, recording)


def install_same_message(bot: LoungeBot) -> None:
    """Swap the measured callbacks for :func:`same_message` (after the extensions are loaded)."""
    for name in FLOOR_COMMANDS:
        command = _command(bot.tree, name)
        command._callback = same_message(name, command._callback)
    from cogs.ballot.buttons import BallotButton
    from cogs.ballot.selects import BallotSelect

    BallotSelect.callback = same_message("ballot select", BallotSelect.callback)  # type: ignore[method-assign]
    BallotButton.callback = same_message("button click", BallotButton.callback)  # type: ignore[method-assign]
    for method in ("send_message", "edit_message"):
        _record(method)


def main(argv: list[str]) -> int:
    if os.environ.get("LOUNGE_BENCH_ORJSON") == "0":
        discord.utils.HAS_ORJSON = False
    if "--floor" in argv:
        prepare = LoungeBot.prepare

        async def prepare_then_floor(self: LoungeBot) -> None:
            await prepare(self)
            install_floor(self)

        LoungeBot.prepare = prepare_then_floor  # type: ignore[method-assign]
    elif "--same-message" in argv:
        prepare_bot = LoungeBot.prepare

        async def prepare_then_same_message(self: LoungeBot) -> None:
            await prepare_bot(self)
            install_same_message(self)

        LoungeBot.prepare = prepare_then_same_message  # type: ignore[method-assign]
    profile_to = os.environ.get("LOUNGE_BENCH_PROFILE")
    if not profile_to:
        return bot_main.main([])
    import cProfile  # the event loop's thread only: where the bot's Python time goes

    profiler = cProfile.Profile()
    try:
        return int(profiler.runcall(bot_main.main, []))
    finally:
        profiler.dump_stats(profile_to)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``python -m standin --port N``: run the stand-in alone and print its addresses as one JSON line.

The line holds ``api_base``, ``gateway_url``, ``control_url``, ``token`` and
``application_id``; a bot in another process sets ``Route.BASE`` and
``DEFAULT_GATEWAY`` from it, and benchmarks drive the control API. Stop it with
SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Sequence

from standin.story import StandIn


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m standin", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: pick a free one)")
    parser.add_argument("--token", default="test-token", help="the bot token the stand-in accepts")
    parser.add_argument("--bot-name", default="Losers Lounge")
    parser.add_argument("--guild", action="append", default=[], help="create a guild with this name (repeatable)")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    standin = StandIn(token=args.token, bot_name=args.bot_name, port=args.port)
    await standin.start()
    for name in args.guild:
        standin.create_guild(name)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(json.dumps(standin.describe()), flush=True)
    try:
        await stop.wait()
    finally:
        await standin.stop()


def main(argv: Sequence[str] | None = None) -> int:
    asyncio.run(serve(parse_args(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Discord-side helpers shared by the cogs: turning plain embeds into discord.py's,
and answering interactions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import discord

from bot.embeds import Embed

Button = discord.ui.Button[discord.ui.View]


class RenderedEmbed(discord.Embed):
    """An embed already rendered as Discord's JSON (:meth:`bot.embeds.Embed.to_dict`, which fits
    every limit), sent as it is.

    discord.py asks an embed it sends only for ``to_dict()`` (``handle_message_parameters``, on
    every send, edit and follow-up path of 2.7.1), so this one is not first parsed into
    ``discord.Embed``'s attributes only to be written back out: ``from_dict`` then ``to_dict`` cost
    about 7 µs an embed on a warm loop, on every answer. Anything else asked of it (``title``,
    ``fields``, ``len()``, ``==``…) is answered by the ``discord.Embed`` built from the JSON on
    first use.
    """

    __slots__ = ("_built", "_data")

    def __init__(self, data: dict[str, Any]) -> None:  # not Embed.__init__: see above
        self._data = data
        self._built: discord.Embed | None = None

    def to_dict(self) -> Any:
        return self._data

    def copy(self) -> RenderedEmbed:
        return RenderedEmbed(dict(self._data))

    def _embed(self) -> discord.Embed:
        if self._built is None:
            self._built = discord.Embed.from_dict(self._data)
        return self._built

    def __getattr__(self, name: str) -> Any:
        if name in RenderedEmbed.__slots__:
            raise AttributeError(name)
        return getattr(self._embed(), name)

    def __len__(self) -> int:
        return len(self._embed())

    def __bool__(self) -> bool:
        return bool(self._embed())

    def __eq__(self, other: object) -> bool:
        return self._embed() == (other._embed() if isinstance(other, RenderedEmbed) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<RenderedEmbed title={self._data.get('title')!r}>"


def to_discord(embed: Embed | discord.Embed) -> discord.Embed:
    """`embed` as discord.py sends it (:class:`RenderedEmbed`; one already discord.py's as it is)."""
    if isinstance(embed, discord.Embed):
        return embed
    return RenderedEmbed(embed.to_dict())


def from_payload(payload: dict[str, Any]) -> list[discord.Embed]:
    return [discord.Embed.from_dict(data) for data in payload.get("embeds", [])]


NO_PINGS = discord.AllowedMentions.none()
T = TypeVar("T")

INITIAL_RESPONSE_SECONDS = 3.0
"""Discord forgets an interaction that is not answered (or deferred) within 3 s."""
DEFER_AFTER_SECONDS = 1.5
"""Work still running after this long is deferred, so the answer can follow later."""


class InteractionExpired(Exception):
    """Discord's 3 seconds to answer have passed: any answer now would be refused."""


def response_seconds_left(interaction: discord.Interaction[Any]) -> float:
    """Seconds left to send the initial response, measured from the interaction's snowflake
    (its creation in milliseconds since Discord's epoch, as ``interaction.created_at`` reads it:
    plain arithmetic here, on every answer's path, where two datetimes cost several times more)."""
    created = ((interaction.id >> 22) + discord.utils.DISCORD_EPOCH) / 1000
    return INITIAL_RESPONSE_SECONDS - max(time.time() - created, 0.0)


async def respond(interaction: discord.Interaction[Any], sending: Coroutine[Any, Any, T]) -> T:
    """Send an initial response (message, defer, edit, …), but never past the deadline.

    discord.py retries a callback that got a 5xx or a 429 after sleeping; a retry
    after 3 s can only be refused, so it is cut off at the deadline instead.
    """
    left = response_seconds_left(interaction)
    if left <= 0:
        sending.close()
        raise InteractionExpired()
    try:
        async with asyncio.timeout(left):  # no task of its own, unlike wait_for: every answer goes through here
            return await sending
    except TimeoutError as error:
        raise InteractionExpired() from error


async def defer_if_slow(interaction: discord.Interaction[Any], work: Awaitable[T], *, ephemeral: bool = True) -> T:
    """Await `work`, deferring the interaction if it takes longer than DEFER_AFTER_SECONDS.

    A burst is answered in one round trip each; a slow moment (a locked database,
    a big result) still answers inside the deadline ("thinking…", the answer follows).
    """
    return await deferring_if_slow(
        interaction, work, lambda: interaction.response.defer(ephemeral=ephemeral, thinking=True))


async def deferring_if_slow(
    interaction: discord.Interaction[Any], work: Awaitable[T], defer: Callable[[], Coroutine[Any, Any, Any]]
) -> T:
    """Await `work`; if it is still running after DEFER_AFTER_SECONDS, send `defer()` as the initial
    response meanwhile (never past the deadline). The work is never cancelled by the clock.

    The work runs in the caller's own task (a timer, not a second task, watches the clock: this
    is on every interaction's path), and the answer waits for a deferral in flight, so it can
    never race it.
    """
    loop = asyncio.get_running_loop()
    deferring: list[asyncio.Task[Any]] = []

    def defer_now() -> None:
        if not interaction.response.is_done():
            deferring.append(loop.create_task(respond(interaction, defer()), name="defer-if-slow"))

    timer = loop.call_later(DEFER_AFTER_SECONDS, defer_now)
    try:
        result = await work
    finally:
        timer.cancel()
        if deferring:
            await deferring[0]
    return result


async def reply(
    interaction: discord.Interaction[Any],
    embed: Embed | None = None,
    *,
    content: str | None = None,
    ephemeral: bool = True,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """Answer the interaction (or follow up if it was deferred); never pings anyone."""
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if embed is not None:
        kwargs["embed"] = to_discord(embed)
    if content is not None:
        kwargs["content"] = content
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await respond(interaction, interaction.response.send_message(**kwargs))


async def edit_in_place(interaction: discord.Interaction[Any], embed: Embed, view: discord.ui.View | None) -> None:
    """Replace the message a component sits on (after a defer, or as the response)."""
    if interaction.response.is_done():
        await interaction.edit_original_response(embed=to_discord(embed), view=view, allowed_mentions=NO_PINGS)
    else:
        editing = interaction.response.edit_message(embed=to_discord(embed), view=view, allowed_mentions=NO_PINGS)
        await respond(interaction, editing)


class PostedView(discord.ui.View):
    """Components as Discord's raw action rows (an announcement's stored ones, a ballot page's),
    sent as they are.

    They are the persistent items of a feature (their clicks are handled by its registered
    ``DynamicItem``), so discord.py must not keep this view: it is never dispatchable, and
    finished from the start (discord.py neither stores it nor starts a timeout task for it, as
    it would for an ephemeral message's view). So it does not run ``View.__init__`` either:
    that builds the state of a view that listens (a future, an id, its children), which cost
    about a tenth of a ballot click's own work in the running bot (py-spy). discord.py asks a
    view only what the methods below answer (``is_finished``, ``is_dispatchable``, ``timeout``,
    ``to_components``, ``has_components_v2``: discord.py 2.7.1's send, edit, follow-up and
    channel-send paths); the ballot's and the announcer's end-to-end tests send one through the
    stand-in as a command's answer, a click's edit and a channel post.
    """

    def __init__(self, rows: list[dict[str, Any]]) -> None:  # not View.__init__: see above
        self._rows = rows

    def to_components(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self._rows]

    def is_dispatchable(self) -> bool:
        return False

    def is_finished(self) -> bool:
        return True

    def has_components_v2(self) -> bool:
        return False

    def is_persistent(self) -> bool:
        """Its rows' clicks reach registered dynamic items, after a restart too."""
        return True

    @property
    def timeout(self) -> float | None:
        return None

    @timeout.setter
    def timeout(self, value: float | None) -> None:
        """Never set: discord.py sets a timeout only on a view it keeps."""

    @property
    def children(self) -> list[discord.ui.Item[Any]]:
        return []

    def __repr__(self) -> str:
        return f"<PostedView rows={len(self._rows)}>"


def posted_view(rows: list[dict[str, Any]]) -> discord.ui.View:
    """The view that sends an announcement's stored components (none: an empty list, as without a view)."""
    return PostedView(rows)


def action_row(*components: dict[str, Any]) -> dict[str, Any]:
    """Discord's action row around raw components (a row holds at most five, or one select menu)."""
    return {"type": discord.ComponentType.action_row.value, "components": list(components)}

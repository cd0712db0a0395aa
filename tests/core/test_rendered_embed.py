"""What the cogs send: our embed's JSON as it is, and a discord.Embed for anyone who asks more."""

from __future__ import annotations

import discord

from bot.embeds import Colour, Embed
from bot.ui import RenderedEmbed, to_discord


def _board() -> Embed:
    embed = Embed(title="Biggest losers — 66th Emmys 🏆", description="**1.** Zoë — 3 losses", colour=Colour.GOLD)
    embed.add_field("Where 李小龍 stands", "4th — 1 loss")
    embed.footer = "Page 1"
    return embed


def test_discord_py_is_handed_the_embed_json_exactly_as_the_lounge_rendered_it() -> None:
    embed = _board()
    sent = to_discord(embed)
    assert isinstance(sent, discord.Embed)
    assert sent.to_dict() == embed.to_dict()
    # What from_dict and to_dict made of it before, but for the "flags": 0 discord.py writes
    # into every embed it parsed (optional in Discord's API: an embed without it has none).
    round_trip = discord.Embed.from_dict(embed.to_dict()).to_dict()
    assert round_trip.pop("flags") == 0
    assert sent.to_dict() == round_trip


def test_everything_else_discord_embed_answers_is_answered_the_same() -> None:
    data = _board().to_dict()
    sent, parsed = RenderedEmbed(data), discord.Embed.from_dict(data)
    assert sent.title == parsed.title == "Biggest losers — 66th Emmys 🏆"
    assert sent.description == parsed.description
    assert [(f.name, f.value) for f in sent.fields] == [(f.name, f.value) for f in parsed.fields]
    assert sent.footer.text == "Page 1"
    assert sent.colour == parsed.colour
    assert len(sent) == len(parsed)
    assert bool(sent)
    assert sent == parsed
    assert sent == RenderedEmbed(dict(data))
    assert sent != discord.Embed(title="another")
    copy = sent.copy()
    assert copy.to_dict() == data
    assert copy.to_dict() is not data

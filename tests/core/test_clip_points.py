"""Every place the bot cuts names and typed text cuts between graphemes and keeps
Discord's limits: announcements, boards, the recap's embed, autocomplete labels,
stored display names and audit lines, echoed input.

Names are repeated until every limit bites. A cut inside a grapheme leaves a
grapheme that is in no name (half a family, one letter of a flag, a keycap
without its key), which is what :func:`assert_whole` looks for.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.clock import to_storage
from bot.db import Database, Transaction
from bot.domain import members
from bot.domain.audit import log as audit
from bot.domain.errors import InvalidInput
from bot.domain.leaderboards.service import (
    BoardKind,
    BoardPage,
    BoardScope,
    Standing,
    ViewerStanding,
    board_embed,
    page_embed,
)
from bot.domain.money import parse_cents
from bot.domain.pledges.model import Pledge
from bot.domain.recap.data import RecapData, ResultLine
from bot.domain.recap.message import recap_message
from bot.domain.results.announcements import ClaimLine, ResultNews, TaxLine, correction_embeds, result_embeds
from bot.embeds import Embed
from bot.text import ELLIPSIS, FSI, PDI, escape, graphemes, one_line, reveal
from cogs.pledges.render import choice_label
from tests.domain.leaderboard_helpers import assert_embed_fits, assert_message_fits
from tests.names import ALL_NAMES

NOW = datetime(2014, 8, 25, 20, 0, tzinfo=UTC)
TEMPLATE_TEXT = (
    "0123456789,.:;!?()[]{}#*_~|<>@&%$-—–·'\"“”/+=` \n…🏆🤝↩️💸💔🔮🙈📈🌙😢🎬abcdefghijklmnopqrstuvwxyz"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\"
)


def long_names(name: str) -> list[str]:
    """`name` as written, and made long enough to be cut at every limit."""
    return [name, " ".join([name] * 12)]


def allowed(*sources: str) -> set[str]:
    """Every grapheme a correct cut can show: the sources' own, as shown in messages, and the template's."""
    shown = {cluster for source in sources for form in (source, escape(reveal(one_line(source))))
             for cluster in graphemes(form)}
    return shown | set(graphemes(TEMPLATE_TEXT)) | set(TEMPLATE_TEXT) | {FSI, PDI, ELLIPSIS, "\u200b"}


def assert_whole(text: str, permitted: set[str]) -> None:
    broken = [cluster for cluster in graphemes(text) if cluster not in permitted]
    assert not broken, f"graphemes cut apart: {broken!r} in {text[:300]!r}"
    assert text.count(FSI) == text.count(PDI), f"an isolate left open in {text[:300]!r}"


def embed_texts(embed: Embed | dict[str, object]) -> list[str]:
    data = embed.to_dict() if isinstance(embed, Embed) else embed
    texts = [str(data.get("title") or ""), str(data.get("description") or "")]
    footer = data.get("footer")
    if isinstance(footer, dict):
        texts.append(str(footer.get("text", "")))
    fields = data.get("fields")
    if isinstance(fields, list):
        texts += [str(part) for field in fields for part in (field["name"], field["value"])]
    return texts


def standing(rank: int, name: str) -> Standing:
    return Standing(rank=rank, user_id=rank, name=name, value=rank * 3, reached_at=NOW, resolved=10)


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_announcements_of_a_result_a_tie_and_a_correction(what: str, name: str) -> None:
    for written in long_names(name):
        crowd = [f"{written} {number}" for number in range(400)]
        news = ResultNews(
            category=written, winners=[written, written], changed=[written], guests=crowd[:50], lost_picks=crowd,
            lost_claims=[ClaimLine(member, written) for member in crowd[:100]], newcomers=crowd, leaving=crowd,
            right_picks=3, taxes=[TaxLine(member, written, 100_000) for member in crowd[:30]], taxes_cancelled=2,
        )
        permitted = allowed(written, *crowd[:12])
        for embeds in (result_embeds(news, spoiler=False), result_embeds(news, spoiler=True, tie=True),
                       correction_embeds(news, spoiler=True)):
            for embed in embeds:
                assert_embed_fits(embed.to_dict())
                for text in embed_texts(embed):
                    assert_whole(text, permitted)


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_leaderboard_pages_and_posts(what: str, name: str) -> None:
    for written in long_names(name):
        rows = tuple(standing(rank, written) for rank in range(1, 11))
        for kind in BoardKind:
            page = BoardPage(kind, BoardScope(1, written), 1, rows, None, ViewerStanding(rows[0]))
            for embed in (page_embed(page, viewer_name=written), board_embed(kind, BoardScope(0, written), list(rows))):
                assert_embed_fits(embed.to_dict())
                for text in embed_texts(embed):
                    assert_whole(text, allowed(written))


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_the_recap_embeds(what: str, name: str) -> None:
    for written in long_names(name):
        rows = tuple(standing(rank, written) for rank in range(1, 11))
        data = RecapData(
            guild_id=1, ceremony_id=1, title=written, charity_name=written, goal_cents=100_000, raised_cents=5_000,
            pledge_count=3, pledger_count=2, started_at=NOW, ended_at=NOW, categories=200,
            results=tuple(ResultLine(f"{written} {index}", (written, written)) for index in range(200)),
            top_donors=rows[:5], biggest_losers=rows, best_pickers=rows[:3], worst_pickers=rows[3:6], money=(),
            spoiler_safe=True,
        )
        body = recap_message(data, None)
        assert_message_fits(body)
        for embed in body["embeds"]:
            for text in embed_texts(embed):
                assert_whole(text, allowed(written, *(f"{written} {index}" for index in range(200))))


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_pledge_autocomplete_labels(what: str, name: str) -> None:
    for written in long_names(name):
        pledge = Pledge(
            id=12, guild_id=1, user_id=2, display_name=written, ceremony_id=1, amount_cents=2_500, kind="pledge",
            status="pending", anonymous=False, note=written, category_id=None, result_id=None, created_at=NOW,
            updated_at=NOW, cancelled_by=None, cancel_reason=None,
        )
        label = choice_label(pledge, with_name=True)
        assert len(label) <= 100
        assert_whole(label, allowed(written))


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
def test_an_amount_typed_wrong_is_echoed_whole(what: str, name: str) -> None:
    for written in long_names(name):
        with pytest.raises(InvalidInput) as refused:
            parse_cents(written)
        assert_whole(str(refused.value), allowed(written))


@pytest.mark.parametrize(("what", "name"), ALL_NAMES)
async def test_stored_display_names_and_audit_lines(db: Database, what: str, name: str) -> None:
    written = "".join([name] * 12)

    async def remember(tx: Transaction) -> None:
        await members.remember_member(tx, 1, 2, written, NOW)
        await audit.record(tx, 1, 2, "result_log", f"logged {written}", NOW)

    await db.write(remember)
    stored = await db.fetch_value("SELECT display_name FROM members WHERE guild_id = 1 AND user_id = 2")
    detail = await db.fetch_value("SELECT detail FROM audit_log WHERE guild_id = 1")
    assert isinstance(stored, str)
    assert isinstance(detail, str)
    assert len(stored) <= members.MAX_DISPLAY_NAME
    assert len(detail) <= audit.MAX_DETAIL
    assert_whole(stored, allowed(written))
    assert_whole(detail, allowed(written))
    assert to_storage(NOW)  # the rows were written at the story's time


def test_a_claim_and_a_tax_isolate_each_name_not_the_whole_line() -> None:
    news = ResultNews(category="Drama", winners=["Breaking Bad"], lost_claims=[ClaimLine("محمد", "Mad Men")],
                      taxes=[TaxLine("דני", "Breaking Bad", 100_000)])
    shown = {field["name"]: field["value"] for field in result_embeds(news, spoiler=False)[0].to_dict()["fields"]}
    assert shown["Their nominee lost (1)"] == f"{FSI}محمد{PDI} \\(as Mad Men\\)"
    assert shown["Winner's tax"] == f"{FSI}דני{PDI} owes $1,000.00 for Breaking Bad"

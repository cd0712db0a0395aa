"""Story helpers for the end-to-end tests of the live night (issue 4) and the pledges (issue 5).

* :func:`read_ceremony`: a ceremony file as plain data, straight from the JSON (the
  test's own reading, never the bot's parser);
* :class:`Night`: a host and members driving the real bot through slash commands with
  the values Discord's client sends: every category and nominee is chosen from the
  bot's own autocomplete suggestions, as a member clicking through the dropdown would;
* :class:`Scorebook`: the INDEPENDENT computation of what a night must come to
  (losses, pick records, winner's tax, goal milestones, what each announcement
  counts), written from the rules of issues 4 and 5, not from the bot's code;
* readers of what members see: embed fields, loser cards, the announcement feed,
  amounts of money.
"""

# Story waits take `timeout=` like the stand-in's own verbs do (see standin/story.py).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.clock import Clock
from standin import Attachment, Channel, Member, Message, Reply, SentInteraction, StandIn
from tests.e2e.harness import Lounge, open_lounge
from tests.paths import TEST_DATA

DATA_2014 = TEST_DATA / "emmys-2014.json"
CEREMONY_2014 = "66th Primetime Emmy Awards"
DEFAULT_GOAL_CENTS = 3_000_000  # $30,000, the lounge's default goal
DEFAULT_TAX_CENTS = 100_000  # $1,000, the default winner's tax
MAX_CLAIMS = 25  # issue 4 lets a member claim several nominations; the bot's stated limit
ANNOUNCEMENT_ROUTE = "POST /channels/{channel_id}/messages"

Embed = dict[str, Any]


# ---- the ceremony as data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Nomination:
    category: str
    position: int  # in the file (and in the dropdown, which lists a category's nominees in file order)
    name: str
    show: str | None
    won: bool


@dataclass(frozen=True)
class Category:
    name: str
    nominations: tuple[Nomination, ...]

    @property
    def winners(self) -> tuple[Nomination, ...]:
        return tuple(n for n in self.nominations if n.won)

    @property
    def losers(self) -> tuple[Nomination, ...]:
        return tuple(n for n in self.nominations if not n.won)


def read_ceremony(path: Path = DATA_2014, *, first: int | None = None) -> list[Category]:
    """The categories of a ceremony file, in file order (the first `first` of them)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    categories = [
        Category(
            raw["name"],
            tuple(
                Nomination(raw["name"], position, nominee["name"], nominee.get("show"), bool(nominee.get("winner")))
                for position, nominee in enumerate(raw["nominees"])
            ),
        )
        for raw in data["categories"]
    ]
    return categories[:first]


def ceremony_file(categories: Sequence[Category], *, name: str = CEREMONY_2014, year: int = 2014) -> bytes:
    """A nominee file in the shape of emmys-2014.json holding just `categories`."""
    return json.dumps({
        "ceremony": name,
        "year": year,
        "categories": [
            {
                "name": category.name,
                "nominees": [{"name": n.name, "show": n.show, "winner": n.won} for n in category.nominations],
            }
            for category in categories
        ],
    }).encode()


# ---- what members see --------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\(.)")


def unescape(text: str) -> str:
    """Text as a member reads it: markdown escapes and zero-width mention breakers removed."""
    return _ESCAPE.sub(r"\1", text).replace("\u200b", "")


def fields(embed: Embed) -> dict[str, str]:
    return {item["name"]: item["value"] for item in embed.get("fields", [])}


def feed(channel: Channel, *, include_deleted: bool = False) -> list[Embed]:
    """Every embed the channel shows, oldest first (with `include_deleted`, every one ever posted)."""
    messages = [m for m in channel.history if not m.ephemeral] if include_deleted else channel.messages
    return [embed for message in messages for embed in message.embeds]


def titles(embeds: Iterable[Embed]) -> list[str]:
    return [unescape(embed.get("title", "")) for embed in embeds]


_MONEY = re.compile(r"\$([0-9][0-9,]*)\.([0-9]{2})")


def money(cents: int) -> str:
    """``123456`` → ``$1,234.56``, how members read amounts."""
    return f"${cents // 100:,}.{cents % 100:02d}"


def cents_in(text: str) -> list[int]:
    """Every ``$1,234.56`` amount in `text`, in cents."""
    return [int(whole.replace(",", "")) * 100 + int(part) for whole, part in _MONEY.findall(text)]


def pledge_id(receipt: Reply) -> int:
    """The pledge number in a ``/pledge add`` receipt ("Thank you! Pledge #12 recorded")."""
    found = re.search(r"Pledge #(\d+)", receipt.embeds[0]["title"])
    assert found is not None, f"no pledge id in {receipt.embeds[0]}"
    return int(found.group(1))


def button(target: Reply | Message, label: str) -> str:
    """The custom_id of the button labelled `label` on a reply (or its followups) or a message."""
    messages = target.all_messages() if isinstance(target, Reply) else [target]
    found = [
        str(component["custom_id"])
        for message in messages
        for row in message.components
        for component in row.get("components") or []
        if component.get("label") == label and "custom_id" in component
    ]
    assert found, f"no {label!r} button on {target} (buttons: {[m.custom_ids for m in messages]})"
    return found[-1]


def refusal(reply: Reply) -> str:
    """The one sentence of an ephemeral refusal (asserts it is one)."""
    assert reply.ephemeral, f"a refusal must be ephemeral: {reply}"
    embed = reply.embeds[0]
    assert embed.get("title") in REFUSAL_TITLES, f"not a refusal: {embed}"
    return unescape(embed.get("description", ""))


REFUSAL_TITLES = {
    "Check your input", "Not found", "Already done", "Not right now", "Not allowed", "That didn't work",
}


@dataclass(frozen=True)
class Card:
    """A `/loser card` as a member reads it."""

    declared: int
    claim: int
    pick: int
    picks: str
    pledged: str

    @property
    def losses(self) -> int:
        return self.declared + self.claim + self.pick


def read_card(reply: Reply) -> Card:
    embed = reply.embeds[0]
    shown = fields(embed)
    tonight = next(name for name in shown if name.startswith("Losses tonight: "))
    counts = re.fullmatch(
        r"declared (\d+) · claimed nominee lost (\d+) · pick lost (\d+)", unescape(shown[tonight])
    )
    assert counts is not None, shown[tonight]
    card = Card(int(counts[1]), int(counts[2]), int(counts[3]), shown["Picks tonight"], shown["Pledged"])
    assert tonight == f"Losses tonight: {card.losses}"
    return card


def record_text(correct: int, resolved: int, pending: int) -> str:
    """How a card words a picks record (issue 4: "picks record … right/wrong once known")."""
    if resolved == 0:
        return "no results yet" + (f" ({pending} pending)" if pending else "")
    text = f"{correct} right, {resolved - correct} wrong ({100 * correct // resolved}%)"
    return text + (f", {pending} pending" if pending else "")


def milestone_title(percent: int) -> str:
    if percent < 100:
        return f"🎯 {percent}% of the goal!"
    if percent == 100:
        return "🎉 Goal reached!"
    return f"🚀 {percent // 100}× the goal!"


async def answers(sent: Iterable[SentInteraction], *, timeout: float = 15.0) -> list[Reply]:
    """Every member's answer, waited for together (they were all sent at once)."""
    return list(await asyncio.gather(*(interaction.reply(timeout=timeout) for interaction in sent)))


async def quiet(lounge: Lounge, *, timeout: float = 15.0) -> None:
    """Wait until the bot has delivered every queued announcement and role change (none left pending)."""

    def drained() -> bool | None:
        pending = lounge.query_value(
            "SELECT (SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failure IS NULL) + "
            "(SELECT COUNT(*) FROM role_queue WHERE done_at IS NULL AND failure IS NULL)"
        )
        return True if pending == 0 else None

    await lounge.standin.wait_until(drained, what="the outbox and the role queue to drain", timeout=timeout)


def announcement_posts(lounge: Lounge) -> list[int]:
    """HTTP statuses of every message the bot tried to create in #announcements, in order."""
    path = f"/channels/{lounge.announcements.id}/messages"
    return [r.status for r in lounge.standin.requests if r.method == "POST" and r.path == path]


def lose_the_answer_to_the_next_message(channel: Channel) -> list[Message]:
    """Discord stores the next message sent to `channel` (nonce and all), then its answer never
    makes it back: the request ends in a 500. Returns the list the stored message is put in.

    The stand-in's planned faults all strike before a request is handled, so none can say "the
    write happened, the answer was lost". This wraps `World.create_message` for one message and
    makes rendering that message's answer fail once, after the stand-in has recorded its nonce.
    """
    world = channel.guild.world
    original = world.create_message
    stored: list[Message] = []

    def store_then_lose_the_answer(target: Channel, body: Any, *args: Any, **kwargs: Any) -> Message:
        message = original(target, body, *args, **kwargs)
        if target is channel and not stored:
            stored.append(message)
            world.create_message = original  # type: ignore[method-assign]

            def lost_answer() -> Embed:
                del message.payload  # the next answer about this message renders normally
                raise ConnectionResetError("the stand-in lost its answer after storing the message")

            message.payload = lost_answer  # type: ignore[method-assign]
        return message

    world.create_message = store_then_lose_the_answer  # type: ignore[assignment,method-assign]
    return stored


@contextlib.asynccontextmanager
async def another_lounge(standin: StandIn, directory: Path, *, clock: Clock) -> AsyncIterator[Lounge]:
    """A second server with its own bot run and database, in the same stand-in (stop the other bot first)."""
    lounge = await open_lounge(standin, _made(directory), clock=clock)
    try:
        yield lounge
    finally:
        await lounge.stop_bot()


def _made(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def fixed_clock(moment: datetime | None = None) -> Clock:
    """A clock that never moves: two runs of the same story stamp the same times."""
    frozen = moment or datetime(2014, 8, 25, 20, 0, tzinfo=UTC)
    return lambda: frozen


# ---- a host and members driving the night -----------------------------------------------------


class Night:
    """The night as a host and members play it, choosing everything from autocomplete."""

    def __init__(self, lounge: Lounge, categories: Sequence[Category]) -> None:
        self.lounge = lounge
        self.host = lounge.host
        self.categories = {category.name: category for category in categories}
        self.logged: dict[str, list[Nomination]] = {}
        self._category_values: dict[str, str] = {}
        self._nominee_values: dict[Nomination, str] = {}
        self._nominee_labels: dict[Nomination, str] = {}

    # -- before the show

    async def prepare(self, data: bytes | None = None, *, name: str = CEREMONY_2014, year: int = 2014) -> Reply:
        """Create the ceremony, attach the nominee file, and learn the autocomplete values."""
        created = await self.host.slash("ceremony create", name=name, year=year)
        assert created.embeds[0]["title"].startswith("Ceremony created"), created.embeds
        payload = data if data is not None else ceremony_file(list(self.categories.values()), name=name, year=year)
        imported = await self.host.slash("ceremony import", file=Attachment("nominees.json", payload), timeout=15)
        assert imported.embeds[0]["title"].startswith("Nominees imported"), imported.embeds
        await self.learn()
        return imported

    async def learn(self) -> None:
        """What a member's client shows: type a category's name and choose it from the suggestions,
        then open the nominee dropdown, which lists the category's nominees in the file's order."""

        async def learn_one(category: Category) -> None:
            value = await self.choose_category(self.host, "pick", category)
            dropdown = await self.host.autocomplete("pick", "nominee", category=value, nominee="")
            self._category_values[category.name] = value
            self._nominee_values.update(match_dropdown(dropdown, category.nominations))
            self._nominee_labels.update(zip(category.nominations, (c["name"] for c in dropdown), strict=True))

        await asyncio.gather(*(learn_one(category) for category in self.categories.values()))

    async def start(self) -> Reply:
        started = await self.host.slash("ceremony start", in_channel=self.lounge.general)
        assert started.embeds[0]["title"].endswith("is live"), started.embeds
        return started

    @staticmethod
    async def choose_category(member: Member, command: str, category: Category) -> str:
        """Type the category's name into `command`'s category option and choose the exact match."""
        choices = await member.autocomplete(command, "category", category=category.name)
        matching = [choice["value"] for choice in choices if choice["name"] == category.name]
        assert len(matching) == 1, f"/{command} suggests {choices} for {category.name!r}"
        return str(matching[0])

    def category_value(self, category: str) -> str:
        return self._category_values[category]

    def value_of(self, nomination: Nomination) -> str:
        return self._nominee_values[nomination]

    def value_label(self, nomination: Nomination) -> str:
        """The label the dropdown showed for `nomination` (what the bot stores and lists)."""
        return self._nominee_labels[nomination]

    # -- members

    def send_pick(self, member: Member, nomination: Nomination) -> SentInteraction:
        return member.send_slash(
            "pick", category=self.category_value(nomination.category), nominee=self.value_of(nomination)
        )

    def send_claim(self, member: Member, nomination: Nomination) -> SentInteraction:
        return member.send_slash(
            "nominee claim", category=self.category_value(nomination.category), nominee=self.value_of(nomination)
        )

    async def pick(self, member: Member, nomination: Nomination) -> Reply:
        return await self.send_pick(member, nomination).reply()

    async def claim(self, member: Member, nomination: Nomination) -> Reply:
        return await self.send_claim(member, nomination).reply()

    # -- the host, live

    async def log_result(self, category: Category, winner: Nomination) -> Reply:
        """`/result log`: the category among the open ones, the winner from its dropdown."""
        chosen = await self.choose_category(self.host, "result log", category)
        dropdown = await self.host.autocomplete("result log", "winner", category=chosen, winner="")
        value = match_dropdown(dropdown, category.nominations)[winner]
        logged = await self.host.slash("result log", category=chosen, winner=value, timeout=10)
        if logged.embeds[0]["title"].startswith("Logged: "):
            self.logged[category.name] = [winner]
        return logged

    async def tie(self, category: Category, nominee: Nomination) -> Reply:
        """`/result tie`: the category among the logged ones, the nominee among those not winning yet."""
        chosen = await self.choose_category(self.host, "result tie", category)
        dropdown = await self.host.autocomplete("result tie", "nominee", category=chosen, nominee="")
        winning = self.logged.get(category.name, [])
        value = match_dropdown(dropdown, [n for n in category.nominations if n not in winning])[nominee]
        tied = await self.host.slash("result tie", category=chosen, nominee=value, timeout=10)
        if tied.embeds[0]["title"].startswith("Tie logged: "):
            self.logged[category.name].append(nominee)
        return tied

    async def undo(self, category: Category) -> Reply:
        """`/result undo`, then the host clicks "Undo the result"; returns the prompt, edited to the outcome."""
        chosen = await self.choose_category(self.host, "result undo", category)
        prompt = await self.host.slash("result undo", category=chosen)
        assert prompt.embeds[0]["title"].startswith("Undo the result of"), prompt.embeds
        confirm = next(custom_id for custom_id in prompt.custom_ids if custom_id.endswith(":yes"))
        await self.host.click(prompt, confirm, timeout=10)
        await self.lounge.standin.wait_until(
            lambda: True if not prompt.embeds[0]["title"].startswith("Undo the result of") else None,
            what=f"the undo prompt for {category.name} to show the outcome",
        )
        if prompt.embeds[0]["title"].startswith("Undone: "):
            self.logged.pop(category.name, None)
        return prompt


def match_dropdown(choices: Sequence[Embed], expected: Sequence[Nomination]) -> dict[Nomination, str]:
    """Pair a nominee dropdown with the nominations it must list, in order (twins stay apart by position)."""
    assert len(choices) == len(expected), f"dropdown {choices} should list {[n.name for n in expected]}"
    paired: dict[Nomination, str] = {}
    for choice, nomination in zip(choices, expected, strict=True):
        assert choice["name"].startswith(nomination.name), f"{choice} should be {nomination}"
        paired[nomination] = str(choice["value"])
    assert len(set(paired.values())) == len(paired), f"ambiguous values in {choices}"
    return paired


# ---- the independent computation ---------------------------------------------------------------


@dataclass(frozen=True)
class News:
    """What one host action should announce, in counts (the result/tie/correction embed)."""

    kind: str  # "result", "tie" or "correction"
    category: str
    winners: tuple[Nomination, ...]
    changed: tuple[Nomination, ...]
    guests: int = 0  # losing nominees joining the guest list
    lost_picks: int = 0  # members whose pick lost
    lost_claims: int = 0  # claimed nominations that lost
    right_picks: int = 0
    newcomers: int = 0  # members whose first loss of the night this is
    leaving: int = 0  # members whose loss from this result is taken back
    taxed: tuple[str, ...] = ()  # members newly owing the winner's tax
    taxes_cancelled: int = 0
    milestones: tuple[int, ...] = ()  # goal percents this action announces

    @property
    def title(self) -> str:
        return {
            "result": f"🏆 {self.category}",
            "tie": f"🤝 A tie in {self.category}",
            "correction": f"↩️ Correction: {self.category}",
        }[self.kind]


@dataclass(frozen=True)
class Losses:
    declared: int
    claim: int
    pick: int

    @property
    def total(self) -> int:
        return self.declared + self.claim + self.pick


@dataclass(frozen=True)
class _Before:
    """Each member's losses and the taxes owed, just before a host action."""

    losses: dict[str, Losses]
    taxes: set[tuple[str, str]]


@dataclass
class Scorebook:
    """The rules of issues 4 and 5, applied by hand to what members and the host did."""

    categories: dict[str, Category]
    goal_cents: int = DEFAULT_GOAL_CENTS
    tax_cents: int = DEFAULT_TAX_CENTS
    picks: dict[tuple[str, str], Nomination] = field(default_factory=dict)  # (member, category) → pick
    claims: dict[Nomination, str] = field(default_factory=dict)  # nomination → member
    declared: set[tuple[str, str | None]] = field(default_factory=set)  # (member, category or None)
    winners: dict[str, tuple[Nomination, ...]] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)  # everyone who took part, in order of arrival
    milestones_announced: set[int] = field(default_factory=set)
    voluntary_cents: int = 0  # tonight's pledges other than the winner's tax
    news: list[News] = field(default_factory=list)  # every host action's announcement, in order

    @classmethod
    def of(
        cls, categories: Sequence[Category], *, goal_cents: int = DEFAULT_GOAL_CENTS,
        tax_cents: int = DEFAULT_TAX_CENTS,
    ) -> Scorebook:
        return cls({category.name: category for category in categories}, goal_cents, tax_cents)

    def _joined(self, member: str) -> None:
        if member not in self.members:
            self.members.append(member)

    def is_open(self, category: str) -> bool:
        return category not in self.winners

    # -- members

    def pick(self, member: str, nomination: Nomination) -> bool:
        """A pick is open until its category's result is logged."""
        if not self.is_open(nomination.category):
            return False
        self._joined(member)
        self.picks[(member, nomination.category)] = nomination
        return True

    def claim(self, member: str, nomination: Nomination) -> bool:
        """One member per nominee, at most MAX_CLAIMS each, until the category's result is logged."""
        if not self.is_open(nomination.category) or nomination in self.claims:
            return False
        if self.claim_count(member) >= MAX_CLAIMS:
            return False
        self._joined(member)
        self.claims[nomination] = member
        return True

    def claim_count(self, member: str) -> int:
        return sum(1 for who in self.claims.values() if who == member)

    def declare(self, member: str, category: str | None = None) -> bool:
        """Once per member per category (and once without one); True when accepted."""
        if (member, category) in self.declared:
            return False
        self._joined(member)
        self.declared.add((member, category))
        return True

    # -- what follows from it

    def losses(self, member: str) -> Losses:
        declared = sum(1 for who, _ in self.declared if who == member)
        claim = sum(
            1 for nomination, who in self.claims.items()
            if who == member and nomination.category in self.winners
            and nomination not in self.winners[nomination.category]
        )
        pick = sum(
            1 for (who, category), nomination in self.picks.items()
            if who == member and category in self.winners and nomination not in self.winners[category]
        )
        return Losses(declared, claim, pick)

    def in_lounge(self) -> set[str]:
        return {member for member in self.members if self.losses(member).total > 0}

    def record(self, member: str) -> str:
        mine = [(category, n) for (who, category), n in self.picks.items() if who == member]
        resolved = [(c, n) for c, n in mine if c in self.winners]
        correct = sum(1 for c, n in resolved if n in self.winners[c])
        return record_text(correct, len(resolved), len(mine) - len(resolved))

    def taxes(self) -> set[tuple[str, str]]:
        """(member, category): one winner's tax per member per category they claimed a winner in."""
        return {
            (who, nomination.category) for nomination, who in self.claims.items()
            if nomination in self.winners.get(nomination.category, ())
        }

    def tax_owed(self, member: str) -> int:
        return self.tax_cents * sum(1 for who, _ in self.taxes() if who == member)

    def raised_cents(self) -> int:
        return self.tax_cents * len(self.taxes()) + self.voluntary_cents

    # -- the host

    def log(self, category: str, winner: Nomination) -> News:
        assert self.is_open(category), f"{category} is logged already"
        return self._settle("result", category, (winner,), (winner,))

    def tie(self, category: str, nominee: Nomination) -> News:
        winners = self.winners[category]
        assert nominee not in winners
        return self._settle("tie", category, (*winners, nominee), (nominee,))

    def undo(self, category: str) -> News:
        before = self._before()
        winners = self.winners.pop(category)
        leaving = {member for member in self.members if self.losses(member).total < before.losses[member].total}
        news = News(
            "correction", category, (), winners, leaving=len(leaving),
            taxes_cancelled=len(before.taxes - self.taxes()),
        )
        self.news.append(news)
        return news

    def _before(self) -> _Before:
        return _Before({m: self.losses(m) for m in self.members}, self.taxes())

    def _settle(
        self, kind: str, category: str, winners: tuple[Nomination, ...], changed: tuple[Nomination, ...]
    ) -> News:
        before = self._before()
        self.winners[category] = winners
        after = {m: self.losses(m) for m in self.members}
        nominations = self.categories[category].nominations
        picks = [n for (_, c), n in self.picks.items() if c == category]
        # Losses a tie takes back: members who had a loss for the nominee that now wins too.
        leaving = {m for m in self.members if after[m].total < before.losses[m].total}
        taxed = tuple(sorted(who for who, c in self.taxes() - before.taxes if c == category))
        milestones = self._milestones(len(before.taxes), len(self.taxes()))
        news = News(
            kind, category, winners, changed,
            guests=sum(1 for n in nominations if n not in winners),
            lost_picks=sum(1 for n in picks if n not in winners),
            lost_claims=sum(1 for n, _ in self.claims.items() if n.category == category and n not in winners),
            right_picks=sum(1 for n in picks if n in winners),
            newcomers=sum(1 for m in self.members if before.losses[m].total == 0 and after[m].total > 0),
            leaving=len(leaving),
            taxed=taxed,
            milestones=milestones,
        )
        self.news.append(news)
        return news

    def _milestones(self, taxes_before: int, taxes_after: int) -> tuple[int, ...]:
        """Each new winner's tax is one pledge: it announces the highest milestone it is first to reach."""
        announced: list[int] = []
        for count in range(taxes_before, taxes_after):
            before = self.voluntary_cents + count * self.tax_cents
            fresh = [p for p in crossed(before, before + self.tax_cents, self.goal_cents)
                     if p not in self.milestones_announced]
            self.milestones_announced.update(fresh)
            if fresh:
                announced.append(max(fresh))
        return tuple(announced)


def crossed(before_cents: int, after_cents: int, goal_cents: int) -> list[int]:
    """Goal percents (25, 50, 75, 100, then every full goal) passed going from one total to the next."""
    steps = [25, 50, 75, *range(100, 100 * (after_cents // goal_cents + 1), 100)]
    return [p for p in steps if before_cents * 100 < p * goal_cents <= after_cents * 100]


def news_counts(embed: Embed) -> dict[str, int]:
    """The counts an announcement shows, keyed like :class:`News` (absent lists count 0)."""
    shown = fields(embed)
    counts: dict[str, int] = Counter()
    patterns = {
        "guests": r"New guests in the lounge \((\d[\d,]*)\)",
        "lost_picks": r"Lost their pick \((\d[\d,]*)\)",
        "lost_claims": r"Their nominee lost \((\d[\d,]*)\)",
        "newcomers": r"New in the lounge \((\d[\d,]*)\)",
        "leaving": r"Losses taken back \((\d[\d,]*)(?: members?)?\)",
    }
    for name in shown:
        for key, pattern in patterns.items():
            found = re.fullmatch(pattern, name)
            if found:
                counts[key] = int(found.group(1).replace(",", ""))
    if "Right picks" in shown:
        counts["right_picks"] = int(unescape(shown["Right picks"]).replace(",", ""))
    if "Winner's tax" in shown:
        cancelled = re.fullmatch(r"(\d[\d,]*) unpaid pledges? cancelled", unescape(shown["Winner's tax"]))
        if cancelled:
            counts["taxes_cancelled"] = int(cancelled.group(1).replace(",", ""))
        else:
            counts["taxes"] = 1  # present; who owes it is checked against the database
    return dict(counts)


def expected_counts(news: News) -> dict[str, int]:
    """What :func:`news_counts` must read for `news` (lists that are empty are left out)."""
    if news.kind == "correction":
        wanted = {"leaving": news.leaving, "taxes_cancelled": news.taxes_cancelled}
    elif news.kind == "tie":
        wanted = {"leaving": news.leaving, "newcomers": news.newcomers, "taxes": int(bool(news.taxed))}
    else:
        wanted = {
            "guests": news.guests, "lost_picks": news.lost_picks, "lost_claims": news.lost_claims,
            "right_picks": news.right_picks, "newcomers": news.newcomers, "taxes": int(bool(news.taxed)),
        }
    return {key: value for key, value in wanted.items() if value}

"""The recap's picture, drawn with Pillow: money raised over the night against
the goal, beside the losses of the night's biggest losers.

Pure (bytes in, bytes out), no discord and no database, so it runs in a worker
thread and tests open the PNG it returns. Colours follow Discord's dark theme
(the picture's background is the chat's own #313338), text and lines are light.

Every name is drawn as written, in any script and with its emoji, by
:mod:`bot.domain.recap.lettering` (the Noto fonts shipped beside this file):
long ones are cut by width, at a grapheme, and characters that would show as
nothing are shown as ``‹U+200B›``, as in every message (:func:`bot.text.reveal`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from PIL import Image, ImageDraw

from bot.domain.recap.lettering import Lettering, default_lettering
from bot.text import one_line, reveal

WIDTH, HEIGHT = 1200, 700
SCALE = 2  # drawn at twice the size, then scaled down: smooth lines without antialiasing support
MAX_BARS = 10
MAX_NAME_WIDTH = 240  # pixels of the name column, before a name is cut
Y_STEPS = 4
MAX_POINTS = 2400

BACKGROUND = (49, 51, 56)  # #313338, Discord's dark chat background
PANEL = (43, 45, 49)  # #2B2D31
TEXT = (219, 222, 225)  # #DBDEE1
MUTED = (148, 155, 164)  # #949BA4
GRID = (78, 80, 88)  # #4E5058
MONEY = (87, 242, 135)  # #57F287
GOAL = (240, 178, 50)  # #F0B232
LOSSES = (237, 66, 69)  # #ED4245


@dataclass(frozen=True, slots=True)
class MoneyPoint:
    """The ceremony's running total just after a pledge made at `at`."""

    at: datetime
    raised_cents: int


@dataclass(frozen=True, slots=True)
class LossBar:
    name: str
    losses: int


@dataclass(frozen=True, slots=True)
class RecapPicture:
    title: str
    goal_cents: int
    raised_cents: int
    start: datetime
    end: datetime
    money: Sequence[MoneyPoint]
    losers: Sequence[LossBar]


def draw_recap(picture: RecapPicture, lettering: Lettering | None = None) -> bytes:
    """The recap as a PNG of WIDTH × HEIGHT pixels (`lettering`: the fonts and layout; the machine's by default)."""
    pen = lettering or default_lettering()
    with pen.lock:
        return _draw(picture, pen)


def label(text: str) -> str:
    """A name as the picture writes it: on one line, with what would hide shown (``‹U+200B›``)."""
    return reveal(one_line(text))


def _draw(picture: RecapPicture, pen: Lettering) -> bytes:
    canvas = Image.new("RGB", (WIDTH * SCALE, HEIGHT * SCALE), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    margin = 24 * SCALE
    title = pen.fit(label(picture.title), 30 * SCALE, WIDTH * SCALE - 2 * margin)
    pen.draw(canvas, (margin, margin), title, 30 * SCALE, TEXT)
    top = margin + 56 * SCALE
    half = (WIDTH * SCALE - 3 * margin) // 2
    money_box = (margin, top, margin + half, HEIGHT * SCALE - margin)
    losses_box = (2 * margin + half, top, WIDTH * SCALE - margin, HEIGHT * SCALE - margin)
    for box in (money_box, losses_box):
        draw.rounded_rectangle(box, radius=12 * SCALE, fill=PANEL)
    _draw_money(canvas, pen, money_box, picture)
    _draw_losses(canvas, pen, losses_box, picture.losers)
    image = canvas.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


# ---- money over the night -------------------------------------------------------------------


def _draw_money(canvas: Image.Image, pen: Lettering, box: tuple[int, int, int, int], picture: RecapPicture) -> None:
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = box
    pad = 20 * SCALE
    heading, small = 22 * SCALE, 15 * SCALE
    pen.draw(canvas, (left + pad, top + pad), "Money raised over the night", heading, TEXT)
    # Plot area, leaving room for the y labels on the left and the x labels below.
    plot_left, plot_top = left + pad + 70 * SCALE, top + pad + 80 * SCALE
    plot_right, plot_bottom = right - pad - 10 * SCALE, bottom - pad - 30 * SCALE
    highest = max([picture.goal_cents, picture.raised_cents, *(point.raised_cents for point in picture.money)])
    y_step = _nice_step(highest * 1.1 / Y_STEPS)
    y_max = y_step * Y_STEPS
    start, end = picture.start, max(picture.end, picture.start + timedelta(minutes=1))
    span = (end - start).total_seconds()

    def x_of(moment: datetime) -> float:
        seconds = min(max((moment - start).total_seconds(), 0.0), span)
        return plot_left + (plot_right - plot_left) * seconds / span

    def y_of(cents: int) -> float:
        return plot_bottom - (plot_bottom - plot_top) * cents / y_max

    for step in range(Y_STEPS + 1):
        cents = y_step * step
        y = y_of(cents)
        draw.line([(plot_left, y), (plot_right, y)], fill=GRID, width=SCALE)
        label = _short_dollars(cents)
        pen.draw(canvas, (plot_left - 10 * SCALE, y), label, small, MUTED, anchor="rm")
    for fraction, label in _time_ticks(start, end):
        x = plot_left + (plot_right - plot_left) * fraction
        draw.line([(x, plot_bottom), (x, plot_bottom + 6 * SCALE)], fill=GRID, width=SCALE)
        pen.draw(canvas, (x, plot_bottom + 10 * SCALE), label, small, MUTED, anchor="ma")

    # The running total as steps: flat until the next pledge, then up.
    points = [(float(plot_left), y_of(0))]
    for point in _thin(sorted(picture.money, key=lambda item: item.at)):
        x = x_of(point.at)
        points.append((x, points[-1][1]))
        points.append((x, y_of(point.raised_cents)))
    points.append((float(plot_right), points[-1][1]))
    area = [*points, (float(plot_right), y_of(0)), (float(plot_left), y_of(0))]
    draw.polygon(area, fill=_mix(MONEY, PANEL, 0.25))
    draw.line(points, fill=MONEY, width=3 * SCALE, joint="curve")

    goal_y = y_of(picture.goal_cents)
    _dashed_line(draw, plot_left, plot_right, goal_y, GOAL, width=2 * SCALE, dash=14 * SCALE)
    goal_label = f"Goal {_dollars(picture.goal_cents)}"
    label_right, label_baseline = plot_right - 4 * SCALE, goal_y - 8 * SCALE
    ascent, descent = pen.metrics(small)
    label_box = (label_right - pen.width(goal_label, small), label_baseline - ascent, label_right,
                 label_baseline + descent)
    draw.rectangle(_grow(label_box, 4 * SCALE), fill=PANEL)
    pen.draw(canvas, (label_right, label_baseline), goal_label, small, GOAL, anchor="rs")
    percent = 100 * picture.raised_cents // picture.goal_cents if picture.goal_cents else 0
    pen.draw(canvas, (left + pad, top + pad + 32 * SCALE),
             f"{_dollars(picture.raised_cents)} raised — {percent}% of the goal", small, MONEY)


# ---- the biggest losers ---------------------------------------------------------------------


def _draw_losses(
    canvas: Image.Image, pen: Lettering, box: tuple[int, int, int, int], losers: Sequence[LossBar],
) -> None:
    draw = ImageDraw.Draw(canvas)
    left, top, right, bottom = box
    pad = 20 * SCALE
    heading, label_size = 22 * SCALE, 16 * SCALE
    pen.draw(canvas, (left + pad, top + pad), "Losses per member", heading, TEXT)
    bars = [bar for bar in losers if bar.losses > 0][:MAX_BARS]
    if not bars:
        pen.draw(canvas, ((left + right) // 2, (top + bottom) // 2), "Nobody lost tonight", label_size, MUTED,
                 anchor="mm")
        return
    names = [pen.fit(label(bar.name), label_size, MAX_NAME_WIDTH * SCALE) or f"#{index + 1}"
             for index, bar in enumerate(bars)]
    name_width = max(pen.width(name, label_size) for name in names)
    bar_left = left + pad + int(name_width) + 12 * SCALE
    bar_right = right - pad - 50 * SCALE
    area_top, area_bottom = top + pad + 50 * SCALE, bottom - pad
    row = (area_bottom - area_top) / MAX_BARS
    most = max(bar.losses for bar in bars)
    for index, (bar, name) in enumerate(zip(bars, names, strict=True)):
        y_top = area_top + row * index + row * 0.15
        y_bottom = area_top + row * (index + 1) - row * 0.15
        middle = (y_top + y_bottom) / 2
        length = max((bar_right - bar_left) * bar.losses / most, 2 * SCALE)
        pen.draw(canvas, (bar_left - 12 * SCALE, middle), name, label_size, TEXT, anchor="rm")
        draw.rounded_rectangle((bar_left, y_top, bar_left + length, y_bottom), radius=4 * SCALE, fill=LOSSES)
        pen.draw(canvas, (bar_left + length + 8 * SCALE, middle), f"{bar.losses:,}", label_size, TEXT, anchor="lm")


# ---- helpers --------------------------------------------------------------------------------


def _thin(points: list[MoneyPoint]) -> list[MoneyPoint]:
    """At most MAX_POINTS of a running total (every n-th, and always the last): the picture is 1,200 px wide."""
    if len(points) <= MAX_POINTS:
        return points
    every = -(-len(points) // MAX_POINTS)
    return [*points[:-1:every], points[-1]]


def _grow(box: tuple[float, float, float, float], by: float) -> tuple[float, float, float, float]:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def _mix(colour: tuple[int, int, int], background: tuple[int, int, int], weight: float) -> tuple[int, int, int]:
    red, green, blue = (round(c * weight + b * (1 - weight)) for c, b in zip(colour, background, strict=True))
    return red, green, blue


def _dashed_line(
    draw: ImageDraw.ImageDraw, x_from: float, x_to: float, y: float, colour: tuple[int, int, int],
    *, width: int, dash: int,
) -> None:
    x = x_from
    while x < x_to:
        draw.line([(x, y), (min(x + dash, x_to), y)], fill=colour, width=width)
        x += dash * 1.8


def _nice_step(cents: float) -> int:
    """A round grid step at or above `cents`: 1, 2, 2.5 or 5 times a power of ten dollars."""
    value = max(cents, 100.0)
    magnitude = 100
    while magnitude * 10 <= value:
        magnitude *= 10
    for factor in (1, 2, 2.5, 5):
        if magnitude * factor >= value:
            return int(magnitude * factor)
    return magnitude * 10


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}"


def _short_dollars(cents: int) -> str:
    dollars = cents / 100
    if dollars >= 1_000_000:
        return f"${dollars / 1_000_000:.1f}M".replace(".0M", "M")
    if dollars >= 1_000:
        return f"${dollars / 1_000:.1f}k".replace(".0k", "k")
    return f"${dollars:,.0f}"


def _time_ticks(start: datetime, end: datetime) -> list[tuple[float, str]]:
    """Elapsed-time labels along the x axis (members watch in many time zones)."""
    span = (end - start).total_seconds()
    steps = (300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)
    step = next((candidate for candidate in steps if span / candidate <= 6), int(span / 6) or 1)
    ticks: list[tuple[float, str]] = []
    elapsed = 0
    while elapsed <= span:
        hours, minutes = divmod(elapsed // 60, 60)
        if elapsed == 0:
            label = "start"
        elif not hours:
            label = f"+{minutes}m"
        else:
            label = f"+{hours}h{minutes:02d}" if minutes else f"+{hours}h"
        ticks.append((elapsed / span, label))
        elapsed += step
    return ticks

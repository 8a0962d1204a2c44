"""The admin report's chart, laid out here and drawn as SVG by the template: no script at all.

Opens are hatched bars against the left axis, the helpful share a line with square markers
against the right one: the two differ in shape and pattern, not only in colour, and each is
named in the legend and again in the table under the chart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from widget_server.stats import Day

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 56, 16, 40
TICKS = 4
MAX_DATE_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int  # x of the right axis
    top: int
    bottom: int  # y of the time axis
    bars: list[Bar]
    line: str  # the SVG points of the helpful-share line, over days that had votes
    points: list[Point]
    open_ticks: list[Tick]
    share_ticks: list[Tick]
    date_ticks: list[Tick]


def daily_chart(days: list[Day], first: str, last: str) -> Chart:
    """Every day from `first` to `last`, days without data drawn as zero (and no share)."""
    by_day = {day.day: day for day in days}
    span = _days(first, last)
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / len(span)
    top_opens = _round_up(max((day.opens for day in days), default=0))
    bars, points = [], []
    for index, date in enumerate(span):
        day = by_day.get(date, Day(0, 0, 0, date))
        x = LEFT + index * slot
        height = plot_height * day.opens / top_opens
        bars.append(
            Bar(
                x + slot * 0.15,
                TOP + plot_height - height,
                slot * 0.7,
                height,
                f"{date}: {day.opens} open{'' if day.opens == 1 else 's'}",
            )
        )
        if day.helpful_share is not None:
            share = day.helpful_share
            points.append(
                Point(
                    x + slot / 2,
                    TOP + plot_height * (1 - share),
                    f"{date}: {share:.0%} helpful ({day.helpful_yes} yes, {day.helpful_no} no)",
                )
            )
    every = max(1, -(-len(span) // MAX_DATE_LABELS))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=TOP + plot_height,
        bars=bars,
        line=" ".join(f"{p.x:.1f},{p.y:.1f}" for p in points),
        points=points,
        open_ticks=[Tick(TOP + plot_height * (1 - i / TICKS), f"{top_opens * i // TICKS:,}") for i in range(TICKS + 1)],
        share_ticks=[Tick(TOP + plot_height * (1 - i / TICKS), f"{i / TICKS:.0%}") for i in range(TICKS + 1)],
        date_ticks=[Tick(LEFT + (i + 0.5) * slot, span[i][5:]) for i in range(0, len(span), every)],
    )


def _days(first: str, last: str) -> list[str]:
    start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    return [(start + datetime.timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


def _round_up(value: int) -> int:
    """A round top for the opens axis, divisible by the number of ticks: 0 -> 4, 37 -> 40."""
    step = 1
    while step * 10 < value:
        step *= 10
    top = max(TICKS, -(-value // step) * step)
    return -(-top // TICKS) * TICKS

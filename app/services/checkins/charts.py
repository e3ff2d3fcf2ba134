"""The geometry of a score curve, drawn as server-side SVG (no chart library, no script).

The template (`checkins/_trend.html`) uses presentation attributes only: the CSP has no
`unsafe-inline`, so style attributes are not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.clock import in_copenhagen

WIDTH, HEIGHT = 640, 240
# The young person's phone: a smaller box, so the same font size reads larger.
COMPACT = (360, 200)
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 32


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    taken_at: datetime


@dataclass(frozen=True)
class Rule:
    value: int
    y: float


@dataclass(frozen=True)
class Tick:
    x: float
    day: date


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: list[Point]
    rules: list[Rule]  # the thresholds drawn across (WHO-5: 50 and 28)
    grid: list[Rule]  # 0, 50 and 100 on the axis
    ticks: list[Tick]  # the first of each month in range

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def trend_chart(
    scores: list[tuple[datetime, int]],
    *,
    rules: list[int] | None = None,
    size: tuple[int, int] = (WIDTH, HEIGHT),
) -> Chart:
    """Scores (0-100) over time, oldest first, scaled into the chart's box."""
    width, height = size

    def _y(score: float) -> float:
        return TOP + (height - TOP - BOTTOM) * (1 - score / 100)

    ordered = sorted(scores)
    if ordered:
        start, end = ordered[0][0], ordered[-1][0]
    else:
        start = end = datetime(2000, 1, 1)
    if end - start < timedelta(days=30):
        middle = start + (end - start) / 2
        start, end = middle - timedelta(days=15), middle + timedelta(days=15)
    span = (end - start).total_seconds()
    inner = width - LEFT - RIGHT

    def x(at: datetime) -> float:
        return LEFT + inner * (at - start).total_seconds() / span

    points = [Point(x(at), _y(score), score, at) for at, score in ordered]
    ticks = []
    first = in_copenhagen(start).date().replace(day=1)
    month = first
    while True:
        month = (month + timedelta(days=32)).replace(day=1)
        at = datetime.combine(month, datetime.min.time(), tzinfo=start.tzinfo)
        if at > end:
            break
        ticks.append(Tick(x(at), month))
    return Chart(
        width=width,
        height=height,
        left=LEFT,
        right=width - RIGHT,
        top=TOP,
        bottom=height - BOTTOM,
        points=points,
        rules=[Rule(value, _y(value)) for value in (rules or [])],
        grid=[Rule(value, _y(value)) for value in (0, 50, 100)],
        ticks=ticks,
    )

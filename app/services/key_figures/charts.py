"""Horizontal bar charts as server-side SVG geometry, with the reference results drawn as
dashed lines across their bar (the template is `reports/_bars.html`: presentation
attributes only, as the CSP forbids style attributes). A hidden figure gets no bar,
only its "<5" mark, so the picture tells no more than the table."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.key_figures.cells import Value
from app.services.key_figures.definitions import Reference

WIDTH = 640
LABEL_WIDTH = 250  # the bar labels sit left of the bars
RIGHT = 56  # room for the value after the longest bar
ROW = 44
TOP, BOTTOM = 12, 28


@dataclass(frozen=True)
class RefMark:
    x: float
    value: float
    label: str  # message id of the reference


@dataclass(frozen=True)
class Bar:
    label: str  # message id of the figure
    value: float | None
    hidden: str | None
    y: float  # top of the bar's row
    width: float
    references: list[RefMark]

    @property
    def bar_y(self) -> float:
        return self.y + 10

    @property
    def text_y(self) -> float:
        return self.y + ROW / 2 + 5


@dataclass(frozen=True)
class BarInput:
    label: str  # message id
    value: float | None
    hidden: str | None = None
    references: tuple[Reference, ...] = ()

    @classmethod
    def of(cls, value: Value) -> BarInput:
        f = value.figure
        return cls(f.label, value.value, value.hidden, f.references)


@dataclass(frozen=True)
class Tick:
    x: float
    value: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    bars: list[Bar]
    ticks: list[Tick]
    bar_height: int = ROW - 20


def bar_chart(values: list[BarInput], *, percent: bool = True, step: int = 25) -> BarChart:
    """Bars on one scale from 0: to 100 for shares, else to a round number above the largest."""
    refs = [r.value for v in values for r in v.references]
    shown = [v.value for v in values if v.value is not None]
    top_value = 100.0 if percent else float(step * (-(-max([step, *refs, *shown]) // step)))
    inner = WIDTH - LABEL_WIDTH - RIGHT

    def x(value: float) -> float:
        return LABEL_WIDTH + inner * max(0.0, min(value, top_value)) / top_value

    bars = []
    for index, value in enumerate(values):
        y = TOP + index * ROW
        bars.append(
            Bar(
                label=value.label,
                value=value.value,
                hidden=value.hidden,
                y=y,
                width=0.0 if value.value is None else x(value.value) - LABEL_WIDTH,
                references=[
                    RefMark(x(ref.value), ref.value, ref.label) for ref in value.references
                ],
            )
        )
    ticks = [Tick(x(t), t) for t in range(0, int(top_value) + 1, step)]
    height = TOP + ROW * len(values) + BOTTOM
    return BarChart(WIDTH, height, LABEL_WIDTH, WIDTH - RIGHT, TOP, height - BOTTOM, bars, ticks)

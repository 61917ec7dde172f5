"""Server-drawn charts: geometry for inline SVG that templates render without any script.

The Content Security Policy forbids inline styles and scripts, so a chart is SVG elements with
presentation attributes (x, y, width, height) computed here and classes styled in console.css.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from badges_ui.types import EarnsPerDay

WIDTH = 720
HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 52
MAX_Y_TICKS = 5
MAX_X_LABELS = 7


@dataclass(frozen=True, slots=True)
class Bar:
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float
    is_peak: bool


@dataclass(frozen=True, slots=True)
class Tick:
    label: str
    position: float


@dataclass(frozen=True, slots=True)
class BarChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    # Where a badge that started inside the range starts: the days before are "not running yet",
    # not "nobody earned it".
    start_marker: float | None = None

    @property
    def start_marker_label(self) -> tuple[float, str]:
        """x and text-anchor of the marker's label: beside the line, on the side with room."""
        if self.start_marker is None:
            return 0.0, "start"
        if self.start_marker > (self.left + self.right) / 2:
            return self.start_marker - 4, "end"
        return self.start_marker + 4, "start"

    @property
    def y_label_x(self) -> float:
        """Where the y tick labels end, just left of the plot."""
        return self.left - 8

    @property
    def x_label_y(self) -> float:
        return self.bottom + 18

    @property
    def x_title(self) -> tuple[float, float]:
        return round((self.left + self.right) / 2, 1), self.height - 6

    @property
    def y_title(self) -> tuple[float, float]:
        """The y axis title's anchor; the template turns the text a quarter round it."""
        return 14, round((self.top + self.bottom) / 2, 1)


def nice_step(largest: int, *, ticks: int = MAX_Y_TICKS) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... that covers `largest` in at most `ticks` steps."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(largest / step) <= ticks:
                return step
        magnitude *= 10


def earns_chart(earns: EarnsPerDay, *, starts_on: date | None = None) -> BarChart:
    """One bar per day, the y axis in whole earns up to a round number, about seven day labels
    counted back from the last day so the most recent day is always labelled; a marker where the
    badge starts when that is after the first day."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    bottom = TOP + plot_height
    largest = max((day.count for day in earns.days), default=0)
    step = nice_step(max(largest, 1))
    top_value = step * math.ceil(max(largest, 1) / step)
    slot = plot_width / max(len(earns.days), 1)
    bar_width = max(slot * 0.72, 1.0)
    peak = earns.peak

    bars = []
    for index, day in enumerate(earns.days):
        height = plot_height * day.count / top_value
        bars.append(
            Bar(
                day=day.day,
                count=day.count,
                x=round(LEFT + index * slot + (slot - bar_width) / 2, 1),
                y=round(bottom - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                is_peak=peak is not None and day is peak,
            )
        )
    y_ticks = tuple(
        Tick(label=f"{value:,}", position=round(bottom - plot_height * value / top_value, 1))
        for value in range(0, top_value + 1, step)
    )
    every = max(math.ceil(len(earns.days) / MAX_X_LABELS), 1)
    labelled = range(len(earns.days) - 1, -1, -every)
    x_ticks = tuple(
        Tick(
            label=_short_day(earns.days[index].day),
            position=round(LEFT + (index + 0.5) * slot, 1),
        )
        for index in reversed(labelled)
    )
    start_marker = None
    if starts_on is not None and earns.first_day < starts_on <= earns.last_day:
        start_marker = round(LEFT + (starts_on - earns.first_day).days * slot, 1)
    return BarChart(
        start_marker=start_marker,
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=LEFT + plot_width,
        top=TOP,
        bottom=bottom,
        bars=tuple(bars),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )


def _short_day(day: date) -> str:
    return f"{day.day} {day:%b}"

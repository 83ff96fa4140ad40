"""Server-rendered bar charts: the geometry for templates/partials/_bar_chart.html."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

# The SVG's own coordinate space; CSS scales it to the column it sits in.
WIDTH = 600
HEIGHT = 200
GAP = 8
# Room above the bars for the peak's label, and below the baseline for the axis labels.
TOP = 26
BOTTOM = 28
# Below this slot width a centred label on the first or last bar would stick out of the chart.
NARROW_SLOT = 40
# A value too small to reach a whole unit at this scale still shows as a sliver, not as nothing.
MIN_BAR = 2


@dataclass(frozen=True)
class Bar:
    x: float
    y: int
    width: float
    height: int
    slot_x: float  # the whole column, gap included: hovering anywhere in it shows the title
    slot_width: float
    label_x: float
    label_anchor: str  # "middle", or "start"/"end" at the chart's edges so a label isn't cut
    label: str  # under the axis; "" where labels are thinned so they don't overlap
    name: str  # the slot in full: the bar's hover title and the table's row header
    value: int
    display: str  # the value as people read it: "12", "$4.50"


@dataclass(frozen=True)
class BarChart:
    slug: str  # unique on the page: the SVG title's id is built from it
    title: str  # the SVG's accessible name and the table's caption
    key_heading: str  # the table's first column: "Day", "Month"
    value_heading: str  # its second: "Reads", "Net income"
    bars: list[Bar]
    peak_display: str  # the tallest bar's value, written at the top guide line
    caption: str = ""  # the table's caption when it says more than the title
    width: int = WIDTH
    height: int = HEIGHT
    top: int = TOP
    baseline: int = HEIGHT - BOTTOM
    label_y: int = HEIGHT - 8

    @property
    def table_caption(self) -> str:
        return self.caption or self.title

    @property
    def plot_height(self) -> int:
        return self.baseline - self.top

    @property
    def is_empty(self) -> bool:
        """Every value is zero (or below): the chart would be a bare axis."""
        return all(bar.value <= 0 for bar in self.bars)


def bar_chart(
    *,
    slug: str,
    title: str,
    rows: Sequence[tuple[Any, int]],
    label: Callable[[Any], str],
    name: Callable[[Any], str],
    key_heading: str,
    value_heading: str,
    display: Callable[[int], str] = str,
    max_labels: int = 12,
    caption: str = "",
) -> BarChart:
    """One bar per (key, value) row, in the order given.

    `label` writes a key under the axis, `name` in full for the hover title and the table;
    `display` formats a value. At most `max_labels` keys are written under the axis, evenly
    spaced and always including the last (the most recent, for a time series). Negative values
    (a month of refunds) are drawn as no bar; the table still shows them.
    """
    peak = max((value for _, value in rows), default=0)
    slot = WIDTH / max(len(rows), 1)
    gap = min(GAP, slot / 4)  # thirty days get thinner gaps than twelve months
    usable = HEIGHT - TOP - BOTTOM
    every = max(math.ceil(len(rows) / max(max_labels, 1)), 1)
    bars = []
    for i, (key, value) in enumerate(rows):
        height = round(usable * value / peak) if peak > 0 and value > 0 else 0
        if value > 0:
            height = max(height, MIN_BAR)
        label_x, anchor = round(i * slot + slot / 2, 1), "middle"
        if slot < NARROW_SLOT and i == len(rows) - 1:
            label_x, anchor = WIDTH, "end"
        elif slot < NARROW_SLOT and i == 0:
            label_x, anchor = 0, "start"
        bars.append(
            Bar(
                x=round(i * slot + gap / 2, 1),
                y=HEIGHT - BOTTOM - height,
                width=round(slot - gap, 1),
                height=height,
                slot_x=round(i * slot, 1),
                slot_width=round(slot, 1),
                label_x=label_x,
                label_anchor=anchor,
                label=label(key) if (len(rows) - 1 - i) % every == 0 else "",
                name=name(key),
                value=value,
                display=display(value),
            )
        )
    return BarChart(
        slug=slug,
        title=title,
        key_heading=key_heading,
        value_heading=value_heading,
        bars=bars,
        peak_display=display(peak) if peak > 0 else "",
        caption=caption,
    )

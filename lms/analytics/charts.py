"""Geometry for the server-side SVG charts (``templates/analytics/_charts.html`` draws them).

No JavaScript and no ``style=`` attributes (the CSP forbids inline styles): the templates use
SVG presentation attributes (``fill-opacity``) and CSS classes from ``app.css``, whose colours
follow the light or dark theme.
Every chart has a ``<title>``/``<desc>`` and the page offers the same figures as a table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    label: str


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    max_value: float
    baseline: float
    ticks: list[tuple[float, str]] = field(default_factory=list)   # (x, label) under the axis


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def bar_chart(points: list[tuple[str, float]], *, tick_labels: list[str] | None = None,
              width: int = 560, height: int = 170, every: int | None = None) -> BarChart:
    """Vertical bars for ``points`` = [(label, value), ...]; axis labels every ``every`` bars."""
    left, top, bottom = 36, 8, 22
    plot_h = height - top - bottom
    count = max(len(points), 1)
    slot = (width - left - 4) / count
    gap = min(2.0, slot * 0.2)
    max_value = _nice_max(max((v for _l, v in points), default=0))
    bars = []
    for i, (label, value) in enumerate(points):
        h = plot_h * (value / max_value) if max_value else 0
        bars.append(Bar(x=round(left + i * slot + gap / 2, 2), y=round(top + plot_h - h, 2),
                        width=round(max(slot - gap, 0.5), 2), height=round(h, 2), value=value, label=label))
    every = every or max(1, round(count / 6))
    labels = tick_labels or [label for label, _v in points]
    ticks = [(round(left + i * slot + slot / 2, 2), labels[i]) for i in range(0, len(points), every)]
    return BarChart(width=width, height=height, bars=bars, max_value=max_value, baseline=top + plot_h,
                    ticks=ticks)


@dataclass
class HeatCell:
    x: int
    y: int
    size: int
    value: int
    opacity: float
    weekday: int
    hour: int
    label: str


@dataclass
class Heatmap:
    width: int
    height: int
    cells: list[HeatCell]
    max_value: int
    row_labels: list[tuple[int, str]]     # (y, weekday name)
    column_labels: list[tuple[int, str]]  # (x, hour)


def heatmap(counts: dict[tuple[int, int], int], weekday_names: list[str]) -> Heatmap:
    """7 rows (Monday first) × 24 hours; darker = more logins started in that hour."""
    cell, left, top = 16, 40, 18
    max_value = max(counts.values(), default=0)
    cells = []
    for weekday in range(7):
        for hour in range(24):
            value = counts.get((weekday, hour), 0)
            opacity = 0.06 if not value else round(0.2 + 0.8 * value / max_value, 2)
            cells.append(HeatCell(x=left + hour * cell, y=top + weekday * cell, size=cell - 2, value=value,
                                  opacity=opacity, weekday=weekday, hour=hour,
                                  label=f"{weekday_names[weekday]} {hour:02d}:00"))
    return Heatmap(width=left + 24 * cell + 2, height=top + 7 * cell + 2, cells=cells, max_value=max_value,
                   row_labels=[(top + i * cell + cell // 2 + 4, weekday_names[i]) for i in range(7)],
                   column_labels=[(left + h * cell + cell // 2 - 1, str(h)) for h in range(0, 24, 3)])

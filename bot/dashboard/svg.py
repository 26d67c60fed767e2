"""Charts drawn on the server as inline SVG: no script, no library, no request for the browser
to make, and readable at any width (viewBox scaling)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.dashboard.overview import DayCount

RECEIVED = "#1f6feb"
RESOLVED = "#2da44e"


def _nice_max(value: int) -> int:
    """A top for the axis in four whole, round steps: 7 → 8, 9 → 12, 43 → 60, 180 → 200."""
    for power in range(9):
        for mantissa in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8):
            tick = mantissa * 10**power
            if tick == int(tick) and 4 * tick >= value:
                return int(4 * tick)
    return value


def daily_chart(days: Sequence[DayCount]) -> str:
    """Received and resolved per day as paired bars, with a light grid and day labels."""
    width, height, left, bottom, top = 720, 260, 36, 28, 12
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = _nice_max(max([1, *(max(d.received, d.resolved) for d in days)]))
    slot = plot_w / max(1, len(days))
    bar = max(1.0, slot * 0.38)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Số phản ánh tiếp nhận và giải quyết theo ngày, {len(days)} ngày gần nhất">'
    ]
    for i in range(5):
        value = peak * i // 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" class="axis">{value}</text>')
    for i, day in enumerate(days):
        x = left + i * slot + slot * 0.1
        for offset, count, colour, name in (
            (0, day.received, RECEIVED, "tiếp nhận"),
            (bar, day.resolved, RESOLVED, "giải quyết"),
        ):
            h = plot_h * count / peak
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}">'
                f"<title>{day.day:%d/%m}: {count} {name}</title></rect>"
            )
        if i % 5 == 0 or i == len(days) - 1:
            parts.append(
                f'<text x="{x + bar:.1f}" y="{height - 8}" text-anchor="middle" class="axis">{day.day:%d/%m}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(rows: Sequence[tuple[str, int]], *, label: str) -> str:
    """Horizontal bars, one per row, name on the left and the count at the bar's end."""
    row_h, left, width = 24, 210, 720
    height = row_h * len(rows) + 8
    peak = max([1, *(count for _, count in rows)])
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    for i, (name, count) in enumerate(rows):
        y = 4 + i * row_h
        w = (width - left - 50) * count / peak
        short = name if len(name) <= 30 else name[:29] + "…"
        parts.append(
            f'<text x="{left - 6}" y="{y + 16}" text-anchor="end" class="label">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{RECEIVED}"><title>{escape(name)}: {count}</title></rect>'
        )
        parts.append(f'<text x="{left + w + 4:.1f}" y="{y + 16}" class="value">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)

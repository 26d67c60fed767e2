"""Chart picture of a report: cases per day stacked by status, top units, top topics.

Uses the object-oriented matplotlib API with the Agg canvas directly (no pyplot): no global
backend switch and no figure registry that would leak memory in a long-running bot. The font
is set with ``rc_context`` around drawing; it only re-states matplotlib's default family, so
two reports drawn at once in different threads cannot disturb each other.

Text is drawn with DejaVu Sans, which ships inside matplotlib and covers every Vietnamese
letter as a precomposed glyph. Labels are NFC-normalised first: text typed on some phones
arrives decomposed (base letter + combining marks), which matplotlib would draw with
misplaced accents.
"""

from __future__ import annotations

import io
import os
import textwrap
import unicodedata
from collections.abc import Sequence
from datetime import date
from typing import IO

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from handlers.reports.labels import STATUSES
from handlers.reports.model import Report, UnitRow

__all__ = ["FONT_FAMILY", "chart_figure", "chart_png_bytes", "chart_texts", "render_chart_png"]

FONT_FAMILY = "DejaVu Sans"

# One colour per status, from "new" (attention) to "closed" (done).
_STATUS_COLOURS = {
    "moi": "#d62728",
    "dang_xu_ly": "#ff7f0e",
    "cho_nguoi_phan_anh": "#bcbd22",
    "da_giai_quyet": "#2ca02c",
    "da_dong": "#7f7f7f",
}
_TOP_N = 10
# A bar's label: at most two lines of this many characters, then "…" (long topic titles and
# "Phường …" names stay readable beside the bars instead of being cut mid-word).
_LABEL_WIDTH = 26
_LABEL_LINES = 2


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _short(text: str, width: int = _LABEL_WIDTH, lines: int = _LABEL_LINES) -> str:
    """Wrapped at word boundaries into ``lines`` lines; what does not fit ends in "…"."""
    text = " ".join(_nfc(text).split())
    wrapped = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(wrapped) > lines:
        last = " ".join(wrapped[lines - 1 :])
        wrapped = [*wrapped[: lines - 1], last[: width - 1].rstrip() + "…"]
    return "\n".join(wrapped)


def _last_day(report: Report) -> date:
    """The chart stops at the report time: no empty days still to come."""
    return report.daily[-1].day if report.daily else report.end


def _title(report: Report) -> str:
    return f"Phản ánh tiếp nhận từ {report.start:%d/%m/%Y} đến {_last_day(report):%d/%m/%Y}"


def chart_texts(report: Report) -> list[str]:
    """Every string the chart draws (for glyph-coverage checks)."""
    units = [_short(u.name) for u in _top_units(report)]
    topics = [_short(t[0]) for t in _top_topics(report)]
    statuses = [_nfc(report.status_labels.get(s, s)) for s in STATUSES]
    fixed = [
        _title(report),
        "Số phản ánh theo ngày và trạng thái",
        "Đơn vị nhiều phản ánh nhất",
        "Chủ đề nhiều phản ánh nhất",
        "Không có dữ liệu",
    ]
    return [*fixed, *statuses, *units, *topics]


def _top_units(report: Report) -> list[UnitRow]:
    return sorted((u for u in report.by_unit if u.total > 0), key=lambda u: -u.total)[:_TOP_N]


def _top_topics(report: Report) -> list[tuple[str, int]]:
    return [(t.label, t.count) for t in report.by_topic if t.count > 0][:_TOP_N]


def _barh(ax: Axes, rows: Sequence[tuple[str, int]], title: str, colour: str) -> None:
    ax.set_title(title, fontsize=11, loc="left")
    if not rows:
        ax.text(
            0.5, 0.5, "Không có dữ liệu", ha="center", va="center", transform=ax.transAxes, color="#777777"
        )
        ax.set_axis_off()
        return
    labels = [_short(label) for label, _ in rows][::-1]  # largest on top
    values = [n for _, n in rows][::-1]
    bars = ax.barh(range(len(values)), values, color=colour)
    ax.set_yticks(range(len(values)), labels, fontsize=8, linespacing=1.15)
    ax.bar_label(bars, padding=2, fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.margins(x=0.15)
    ax.spines[["top", "right"]].set_visible(False)


def _daily(ax: Axes, report: Report) -> None:
    ax.set_title("Số phản ánh theo ngày và trạng thái", fontsize=11, loc="left")
    days = report.daily
    xs = list(range(len(days)))
    bottom = [0] * len(days)
    for status in STATUSES:
        values = [d.counts.get(status, 0) for d in days]
        # Zero-height bars are invisible but each costs a patch: a quarter would draw ~450.
        shown = [i for i, v in enumerate(values) if v]
        ax.bar(
            [xs[i] for i in shown],
            [values[i] for i in shown],
            bottom=[bottom[i] for i in shown],
            color=_STATUS_COLOURS.get(status, "#1f77b4"),
            width=0.8,
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(0, max([*bottom, 1]) * 1.05)
    if not any(bottom):
        ax.text(
            0.5, 0.5, "Không có dữ liệu", ha="center", va="center", transform=ax.transAxes, color="#777777"
        )
    # Keep about 16 date labels whatever the period length (a week, a month, a quarter).
    step = max(1, -(-len(days) // 16))
    ax.set_xticks(
        xs[::step], [f"{d.day:%d/%m}" for d in days[::step]], fontsize=8, rotation=45 if step > 1 else 0
    )
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    # Legend from explicit patches: a status without any bar would otherwise get no colour.
    handles = [
        Patch(color=_STATUS_COLOURS.get(st, "#1f77b4"), label=_nfc(report.status_labels.get(st, st)))
        for st in STATUSES
    ]
    ax.legend(
        handles=handles,
        fontsize=8,
        ncols=5,
        loc="upper left",
        bbox_to_anchor=(0, -0.12 if step > 1 else -0.08),
        frameon=False,
    )
    ax.spines[["top", "right"]].set_visible(False)


def chart_figure(report: Report) -> Figure:
    """The chart as a matplotlib figure (drawn on an Agg canvas, never shown)."""
    fig = Figure(figsize=(12, 9), layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(_nfc(_title(report)), fontsize=13, fontweight="bold")
    grid = fig.add_gridspec(2, 2, height_ratios=(1, 1.1))
    _daily(fig.add_subplot(grid[0, :]), report)
    _barh(
        fig.add_subplot(grid[1, 0]),
        [(u.name, u.total) for u in _top_units(report)],
        "Đơn vị nhiều phản ánh nhất",
        "#1f77b4",
    )
    _barh(fig.add_subplot(grid[1, 1]), _top_topics(report), "Chủ đề nhiều phản ánh nhất", "#9467bd")
    return fig


def render_chart_png(report: Report, path: str | os.PathLike[str] | IO[bytes], dpi: int = 110) -> None:
    """Draw the report chart as a PNG at ``path`` (or into a binary file object)."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": [FONT_FAMILY]}):
        chart_figure(report).savefig(path, format="png", dpi=dpi)


def chart_png_bytes(report: Report, dpi: int = 110) -> bytes:
    buf = io.BytesIO()
    render_chart_png(report, buf, dpi=dpi)
    return buf.getvalue()

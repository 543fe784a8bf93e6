"""The completion chart: one bar per category, split by status, drawn as inline SVG
(geometry here, markup in templates/chart.html). No script, nothing fetched."""

from __future__ import annotations

from dataclasses import dataclass

from ..assess.status import DONE, DUE_SOON, LATE_DONE, ON_TRACK, OVERDUE, UNREPORTED, Summary

# the statuses a bar shows, left to right: done first, then what is pressing
SHOWN = (DONE, LATE_DONE, ON_TRACK, DUE_SOON, UNREPORTED, OVERDUE)
CSS = {DONE: "s-done", LATE_DONE: "s-late-done", ON_TRACK: "s-on-track", DUE_SOON: "s-due-soon",
       UNREPORTED: "s-unreported", OVERDUE: "s-overdue"}
WIDTH, BAR_W, ROW_H, BAR_H, TOP = 640, 560, 50, 18, 26  # a label line above each bar


@dataclass
class Segment:
    status: str
    count: int
    x: float
    width: float
    css: str


@dataclass
class Bar:
    label: str
    y: int  # the bar's top; its label's baseline is above it
    rate: str
    total: int
    segments: list[Segment]


def bars(summaries: list[Summary], rate_text) -> tuple[list[Bar], int, int]:
    """(bars, width, height) of the chart for ``summaries`` (a category each)."""
    out = []
    for row, s in enumerate(summaries):
        counts = s.counts
        total = sum(counts[k] for k in SHOWN)
        x, segments = 0.0, []
        for status in SHOWN:
            if counts[status] and total:
                width = BAR_W * counts[status] / total
                segments.append(Segment(status, counts[status], round(x, 2), round(width, 2), CSS[status]))
                x += width
        label = s.name if len(s.name) <= 40 else s.name[:39] + "…"
        out.append(Bar(label, TOP + row * ROW_H + 20, rate_text(s.rate), total, segments))
    return out, WIDTH, TOP + len(out) * ROW_H + 10

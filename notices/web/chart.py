"""The completion chart: one bar per category, split by status, drawn as inline SVG
(geometry here, markup in templates/chart.html). No script, nothing fetched."""

from __future__ import annotations

from dataclasses import dataclass

from ..assess.status import DONE, DUE_SOON, LATE_DONE, ON_TRACK, OVERDUE, UNREPORTED, Summary

# the statuses a bar shows, left to right: done first, then what is pressing
SHOWN = (DONE, LATE_DONE, ON_TRACK, DUE_SOON, UNREPORTED, OVERDUE)
CSS = {DONE: "s-done", LATE_DONE: "s-late-done", ON_TRACK: "s-on-track", DUE_SOON: "s-due-soon",
       UNREPORTED: "s-unreported", OVERDUE: "s-overdue"}
LABEL_W, BAR_W, RATE_W, ROW_H, BAR_H, TOP = 150, 380, 70, 30, 20, 34


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
    y: int
    rate: str
    total: int
    segments: list[Segment]


def bars(summaries: list[Summary], rate_text) -> tuple[list[Bar], int, int]:
    """(bars, width, height) of the chart for ``summaries`` (a category each)."""
    out = []
    for row, s in enumerate(summaries):
        counts = s.counts
        total = sum(counts[k] for k in SHOWN)
        x, segments = float(LABEL_W), []
        for status in SHOWN:
            if counts[status] and total:
                width = BAR_W * counts[status] / total
                segments.append(Segment(status, counts[status], round(x, 2), round(width, 2), CSS[status]))
                x += width
        label = s.name if len(s.name) <= 9 else s.name[:8] + "…"
        out.append(Bar(label, TOP + row * ROW_H, rate_text(s.rate), total, segments))
    return out, LABEL_W + BAR_W + RATE_W, TOP + len(out) * ROW_H + 6

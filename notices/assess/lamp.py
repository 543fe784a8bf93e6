"""A unit's lamp (三色灯) from its items. Pure.

红 some item is overdue (逾期, reported or not); 黄 none is, but some is 临期 or
owes this round a report (未报送); 绿 every item it has is on time or done; 灰
nothing to judge (不涉及, 无记录 only)."""

from __future__ import annotations

from .status import DONE, DUE_SOON, LATE_DONE, ON_TRACK, OVERDUE, UNREPORTED, Summary

RED, YELLOW, GREEN, GREY = "红", "黄", "绿", "灰"
LAMPS = (RED, YELLOW, GREEN, GREY)
MEANING = {RED: "有逾期事项", YELLOW: "有临期或本轮未报送事项", GREEN: "按期推进", GREY: "没有需要判断的事项"}


def lamp(summary: Summary) -> str:
    counts = summary.counts
    if counts[OVERDUE]:
        return RED
    if counts[UNREPORTED] or counts[DUE_SOON] or summary.unreported:
        return YELLOW
    if counts[DONE] or counts[LATE_DONE] or counts[ON_TRACK]:
        return GREEN
    return GREY

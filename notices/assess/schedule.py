"""约谈 times: one unit per slot, in working hours on working days. Pure.

Each 约谈 gets its own slot of ``minutes`` from ``start`` (the first day's
morning) onwards, skipping the lunch break and rest days, and never within one
slot of a meeting already booked (a 约谈 in the register, or one this batch
set by hand): the same office staff hold every 约谈.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calendar import WorkCalendar


@dataclass(frozen=True)
class Hours:
    """[notices] yuetan_time, yuetan_minutes, yuetan_break, yuetan_day_end."""

    start: dt.time = dt.time(9, 0)
    minutes: int = 60
    break_from: dt.time = dt.time(12, 0)
    break_to: dt.time = dt.time(14, 30)
    end: dt.time = dt.time(17, 30)


def _fits(moment: dt.datetime, hours: Hours) -> bool:
    end = moment + dt.timedelta(minutes=hours.minutes)
    day = moment.date()
    if end > dt.datetime.combine(day, hours.end):
        return False
    lunch = dt.datetime.combine(day, hours.break_from), dt.datetime.combine(day, hours.break_to)
    return end <= lunch[0] or moment >= lunch[1]


def meeting_slots(first_day: dt.date, count: int, hours: Hours, calendar: WorkCalendar,
                  booked: list[dt.datetime] = ()) -> list[dt.datetime]:
    """``count`` distinct meeting times from ``first_day`` on (rolled to a working day)."""
    step = dt.timedelta(minutes=max(hours.minutes, 1))
    out: list[dt.datetime] = []
    taken = list(booked)
    day = calendar.next_workday(first_day)
    while len(out) < count:
        moment = dt.datetime.combine(day, hours.start)
        while len(out) < count and moment.date() == day:
            if _fits(moment, hours) and all(abs(moment - b) >= step for b in taken):
                out.append(moment)
                taken.append(moment)
            moment += dt.timedelta(minutes=15) if not _fits(moment, hours) else step
        day = calendar.next_workday(day + dt.timedelta(days=1))
    return out


def clashes(moment: dt.datetime, hours: Hours, booked: list[dt.datetime]) -> dt.datetime | None:
    """A booked meeting within one slot of ``moment``, if any."""
    step = dt.timedelta(minutes=max(hours.minutes, 1))
    return next((b for b in booked if abs(moment - b) < step), None)

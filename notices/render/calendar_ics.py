"""A unit's deadlines as an iCalendar file (RFC 5545), to import into Outlook, WPS,
a phone's calendar: one all-day event per open item on the date that counts (an
approved extension's), and one per reply or report a document asked of the unit.
Built with the ``icalendar`` package; the same data give the same bytes (UIDs and
DTSTAMP derive from the unit, the item and the as-of date, not from the clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Alarm, Calendar, Event


@dataclass
class Deadline:
    uid: str  # stable: the unit's id and the item's, or the document's number
    day: dt.date
    summary: str
    description: str


def unit_calendar(unit: str, deadlines: list[Deadline], as_of: dt.date, alarm_days: int = 3) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//notices//督办台账//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{unit}任务完成时限")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = dt.datetime.combine(as_of, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for d in sorted(deadlines, key=lambda d: (d.day, d.uid)):
        event = Event()
        event.add("uid", d.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", d.day)
        event.add("dtend", d.day + dt.timedelta(days=1))
        event.add("summary", d.summary)
        event.add("description", d.description)
        event.add("transp", "TRANSPARENT")
        if alarm_days > 0 and d.day > as_of:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", d.summary)
            alarm.add("trigger", dt.timedelta(days=-alarm_days))
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()

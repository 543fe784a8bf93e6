"""约谈 slots (notices.assess.schedule): one unit per slot, in working hours on working
days, never on top of a 约谈 already in the register or set by hand."""

from __future__ import annotations

import datetime as dt

from notices.assess.calendar import WorkCalendar
from notices.assess.schedule import Hours, clashes, meeting_slots

T = dt.datetime
CAL = WorkCalendar()


def test_distinct_slots_skip_lunch_and_roll_to_the_next_working_day():
    hours = Hours(dt.time(9), 60, dt.time(12), dt.time(14, 30), dt.time(17, 30))
    slots = meeting_slots(dt.date(2026, 12, 4), 7, hours, CAL)  # a Friday
    assert slots == [T(2026, 12, 4, 9), T(2026, 12, 4, 10), T(2026, 12, 4, 11),  # morning ends at 12:00
                     T(2026, 12, 4, 14, 30), T(2026, 12, 4, 15, 30), T(2026, 12, 4, 16, 30),
                     T(2026, 12, 7, 9)]  # full: the next working day is Monday
    assert len(set(slots)) == len(slots)


def test_booked_meetings_are_kept_clear_of():
    hours = Hours(minutes=60)
    booked = [T(2026, 12, 7, 9), T(2026, 12, 7, 10, 30)]  # one in the register, one set by hand
    slots = meeting_slots(dt.date(2026, 12, 7), 2, hours, CAL, booked)
    # 10:00 and 11:00 overlap the 10:30 meeting; 12:00 would run into lunch
    assert slots == [T(2026, 12, 7, 14, 30), T(2026, 12, 7, 15, 30)]
    assert all(clashes(s, hours, booked) is None for s in slots)
    assert clashes(T(2026, 12, 7, 10), hours, booked) == T(2026, 12, 7, 10, 30)


def test_a_first_day_on_a_holiday_starts_after_it():
    slots = meeting_slots(dt.date(2026, 10, 1), 1, Hours(), CAL)  # National Day
    assert slots == [T(2026, 10, 8, 9)]  # the 2026 holiday runs 10-01 to 10-07

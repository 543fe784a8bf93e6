"""Working days: the official Chinese holiday calendar with make-up days (调休).

The State Council publishes each year's arrangement (放假安排) late in the year
before; the ``chinese_calendar`` package carries them (2004–2026 at the time of
writing). For a year it does not know, this module falls back to weekends only
and says so (``unknown_warning``), so a figure that depends on it can carry
the warning "2027年的法定节假日安排尚未收录，按周末计算".

An office can add an arrangement the library does not have yet, or correct
one, in notices.toml::

    [calendar]
    extra_holidays = ["2027-01-01", "2027-02-05"]   # 放假的日子
    extra_workdays = ["2027-02-20"]                  # 调休上班的周末

Precedence for one day: extra_workdays, then extra_holidays, then the library,
then "Monday to Friday". A year is *known* when the library covers it or the
office listed at least one override date in it.

Counting conventions (one rule everywhere):

* ``add_workdays(day, n)`` is the n-th working day after ``day`` (``day``
  itself not counted): a reply "within 5 working days" of a letter sent on
  ``day`` is due ``add_workdays(day, 5)``. n == 0 gives ``day``; n < 0 counts
  backwards.
* ``workdays_between(start, end)`` counts working days in (start, end], so
  ``workdays_between(d, add_workdays(d, n)) == n``; when end < start it is
  minus the working days in [end, start), so that holds for n < 0 too.
* ``next_workday(day)`` is ``day`` if it is a working day, else the first
  working day after it. A deadline falling on a rest day moves there
  (``roll``), as the Civil Code (民法典第二百零三条) does for time limits: "期间的
  最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日".
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from collections.abc import Iterable

import chinese_calendar
from chinese_calendar import constants as _cc

from ..errors import NoticesError, Problem

_ONE = dt.timedelta(days=1)
LIBRARY_YEARS = frozenset(d.year for d in _cc.holidays) | frozenset(d.year for d in _cc.workdays)


@lru_cache(maxsize=4096)
def _library_workday(day: dt.date) -> bool:
    # The library validates and looks up on every call; an assessment asks about the
    # same few hundred deadlines tens of thousands of times.
    return chinese_calendar.is_workday(day)


def unknown_warning(year: int) -> str:
    return f"{year}年的法定节假日安排尚未收录，按周末计算"


class WorkCalendar:
    """Working days with optional project overrides.

    ``fallback_years`` records every year for which a weekends-only answer was
    given, so callers can show ``warnings()`` next to figures that used them.
    """

    def __init__(self, extra_holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = ()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        both = self.extra_holidays & self.extra_workdays
        if both:
            days = "、".join(sorted(d.isoformat() for d in both))
            raise NoticesError(f"日期 {days} 同时列在 extra_holidays 和 extra_workdays 中，请只保留一处")
        self._override_years = frozenset(d.year for d in self.extra_holidays | self.extra_workdays)
        self.fallback_years: set[int] = set()

    # --- facts -------------------------------------------------------------
    def known(self, year: int) -> bool:
        """Whether the official arrangement of ``year`` is available."""
        return year in LIBRARY_YEARS or year in self._override_years

    def is_workday(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        if day.year in LIBRARY_YEARS:
            try:
                return _library_workday(day)
            except NotImplementedError:  # pragma: no cover - library range is LIBRARY_YEARS
                pass
        if not self.known(day.year):
            self.fallback_years.add(day.year)
        return day.weekday() < 5

    def rest_kind(self, day: dt.date) -> str:
        """Why a rest day is one: "法定节假日" or "周末" ("" for a working day)."""
        if self.is_workday(day):
            return ""
        if day in self.extra_holidays:
            return "法定节假日"
        if day.year in LIBRARY_YEARS and chinese_calendar.get_holiday_detail(day)[1] is not None:
            return "法定节假日"
        return "周末" if day.weekday() >= 5 else "法定节假日"

    def warnings(self) -> list[str]:
        """One line per year answered by weekends only, oldest first."""
        return [unknown_warning(y) for y in sorted(self.fallback_years)]

    # --- arithmetic ----------------------------------------------------------
    def next_workday(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += _ONE
        return day

    def roll(self, day: dt.date) -> dt.date:
        """A deadline on a rest day moves to the next working day."""
        return self.next_workday(day)

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        step = _ONE if n >= 0 else -_ONE
        left = abs(n)
        while left:
            day += step
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        if end < start:  # the working days in [end, start), counted negative
            count, day = 0, end
            while day < start:
                if self.is_workday(day):
                    count += 1
                day += _ONE
            return -count
        count, day = 0, start
        while day < end:
            day += _ONE
            if self.is_workday(day):
                count += 1
        return count


# --- configuration --------------------------------------------------------------
def _dates(values, key: str, label: str) -> list[dt.date]:
    out, bad = [], []
    for value in values or []:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            out.append(value)
            continue
        try:
            out.append(dt.date.fromisoformat(str(value).strip()))
        except ValueError:
            bad.append(str(value))
    if bad:
        raise NoticesError("配置文件有错误", [Problem(label, f"[calendar] {key} 中“{b}”不是日期，应写成 \"2027-01-01\"")
                                               for b in bad])
    return out


def calendar_from_config(config) -> WorkCalendar:
    """The calendar of a project: the library plus its [calendar] overrides."""
    section = config.section("calendar") if config is not None else {}
    label = str(getattr(config, "path", None) or "notices.toml")
    return WorkCalendar(_dates(section.get("extra_holidays"), "extra_holidays", label),
                        _dates(section.get("extra_workdays"), "extra_workdays", label))


# --- module-level helpers on the library calendar (no overrides) ---------------
_DEFAULT = WorkCalendar()


def known(year: int) -> bool:
    return _DEFAULT.known(year)


def is_workday(day: dt.date) -> bool:
    return _DEFAULT.is_workday(day)


def next_workday(day: dt.date) -> dt.date:
    return _DEFAULT.next_workday(day)


def add_workdays(day: dt.date, n: int) -> dt.date:
    return _DEFAULT.add_workdays(day, n)


def workdays_between(start: dt.date, end: dt.date) -> int:
    return _DEFAULT.workdays_between(start, end)

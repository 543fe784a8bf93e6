"""Working days: official holidays, make-up days, unknown years, overrides."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notices.assess import calendar as cal
from notices.assess.calendar import WorkCalendar, calendar_from_config, unknown_warning
from notices.config import load_config
from notices.errors import NoticesError

D = dt.date


def test_official_holidays_and_make_up_days():
    # 2025 National Day + Mid-Autumn: 1–8 October off, Sunday 28 September and Saturday 11 October worked.
    assert not cal.is_workday(D(2025, 10, 1))
    assert not cal.is_workday(D(2025, 10, 8))
    assert cal.is_workday(D(2025, 10, 9))
    assert cal.is_workday(D(2025, 9, 28))  # Sunday, make-up
    assert cal.is_workday(D(2025, 10, 11))  # Saturday, make-up
    # 2026 Spring Festival: Saturday 14 February is a make-up working day.
    assert cal.is_workday(D(2026, 2, 14))
    assert not cal.is_workday(D(2026, 2, 16))
    # ordinary week
    assert cal.is_workday(D(2024, 12, 31))
    assert not cal.is_workday(D(2024, 12, 28))


def test_roll_to_next_workday():
    assert cal.next_workday(D(2025, 10, 1)) == D(2025, 10, 9)
    assert cal.next_workday(D(2025, 10, 9)) == D(2025, 10, 9)
    assert cal.next_workday(D(2026, 2, 14)) == D(2026, 2, 14)  # make-up day: no roll
    assert cal.next_workday(D(2024, 3, 30)) == D(2024, 4, 1)  # Saturday -> Monday


def test_rest_kind():
    c = WorkCalendar(extra_holidays=[D(2027, 1, 1)])
    assert c.rest_kind(D(2025, 10, 1)) == "法定节假日"
    assert c.rest_kind(D(2025, 10, 4)) == "法定节假日"  # a Saturday inside the holiday
    assert c.rest_kind(D(2024, 3, 31)) == "周末"
    assert c.rest_kind(D(2025, 10, 9)) == ""
    assert c.rest_kind(D(2027, 1, 1)) == "法定节假日"
    assert c.rest_kind(D(2027, 1, 2)) == "周末"


def test_add_workdays_and_between():
    # Thursday 30 Sep 2025 + 1 working day skips the whole holiday.
    assert cal.add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert cal.add_workdays(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Friday -> make-up Sunday
    assert cal.add_workdays(D(2024, 12, 27), 5) == D(2025, 1, 6)  # 1 January off
    assert cal.add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert cal.add_workdays(D(2025, 10, 9), 0) == D(2025, 10, 9)
    assert cal.workdays_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert cal.workdays_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert cal.workdays_between(D(2024, 12, 27), D(2025, 1, 6)) == 5
    assert cal.workdays_between(D(2025, 1, 6), D(2025, 1, 6)) == 0


@given(st.dates(D(2004, 1, 1), D(2026, 12, 1)), st.integers(-40, 40))
def test_add_and_between_are_inverse(day, n):
    target = cal.add_workdays(day, n)
    assert cal.workdays_between(day, target) == n
    if n:
        assert cal.is_workday(target)


def test_known_years_and_weekend_fallback():
    assert cal.known(2004) and cal.known(2026)
    assert not cal.known(2027) and not cal.known(2003)
    c = WorkCalendar()
    assert c.warnings() == []
    assert c.is_workday(D(2027, 1, 1))  # a Friday: unknown year, weekends only
    assert not c.is_workday(D(2027, 1, 2))
    assert c.warnings() == ["2027年的法定节假日安排尚未收录，按周末计算"]
    assert unknown_warning(2027) == "2027年的法定节假日安排尚未收录，按周末计算"
    c.is_workday(D(2026, 5, 1))
    assert c.fallback_years == {2027}


def test_overrides_add_next_years_arrangement():
    c = WorkCalendar(extra_holidays=[D(2027, 1, 1)], extra_workdays=[D(2027, 1, 2)])
    assert c.known(2027)
    assert not c.is_workday(D(2027, 1, 1))
    assert c.is_workday(D(2027, 1, 2))
    assert c.roll(D(2027, 1, 1)) == D(2027, 1, 2)
    assert c.warnings() == []
    # overrides also correct a known year
    c2 = WorkCalendar(extra_holidays=[D(2025, 10, 9)])
    assert c2.next_workday(D(2025, 10, 1)) == D(2025, 10, 10)


def test_override_in_both_lists_is_an_error():
    with pytest.raises(NoticesError, match="同时列在"):
        WorkCalendar([D(2027, 1, 1)], [D(2027, 1, 1)])


def test_calendar_from_config(tmp_path):
    path = tmp_path / "notices.toml"
    path.write_text('[calendar]\nextra_holidays = ["2027-01-01", 2027-02-05]\nextra_workdays = ["2027-02-20"]\n',
                    encoding="utf-8")
    c = calendar_from_config(load_config(path))
    assert not c.is_workday(D(2027, 2, 5))
    assert c.is_workday(D(2027, 2, 20))
    assert calendar_from_config(load_config(None)).extra_holidays == frozenset()
    path.write_text('[calendar]\nextra_holidays = ["明年元旦"]\n', encoding="utf-8")
    with pytest.raises(NoticesError) as exc:
        calendar_from_config(load_config(path))
    assert "明年元旦" in str(exc.value)

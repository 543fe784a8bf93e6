"""The dates staff type (成文日期, 截至日期) held to a sane window and checked against the calendar.

A 成文日期 sets the number's year and is printed on the document: 1900-01-01 or
9999-12-31 are typing slips, never intended. The window defaults to the plan's
years, one year either side; [dates] earliest / latest in notices.toml widen or
narrow it.
"""

from __future__ import annotations

import datetime as dt

from ..errors import NoticesError
from ..project import Project
from ..textfmt import cn_date


def date_window(project: Project) -> tuple[dt.date, dt.date, str]:
    """(earliest, latest, where that comes from, in Chinese)."""
    section = project.config.section("dates")
    where = f"{project.config.path or 'notices.toml'} 的 [dates]"

    def read(key: str) -> dt.date | None:
        text = str(section.get(key, "") or "").strip()
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise NoticesError(f"{where} 中 {key} = \"{text}\" 不是日期，应写成 \"2023-01-01\"") from None

    earliest, latest = read("earliest"), read("latest")
    if earliest is None or latest is None:
        registry, _ = project.load()
        plan = registry.plan
        earliest = earliest or dt.date(plan.start.year - 1, 1, 1)
        latest = latest or dt.date(plan.end.year + 1, 12, 31)
        where = (f"方案 {plan.start.year}—{plan.end.year} 年各向外一年；可在 {where} 中调整"
                 if not section.get("earliest") and not section.get("latest") else f"见 {where}")
    else:
        where = f"见 {where}"
    return earliest, latest, where


def check_date(project: Project, day: dt.date | None, label: str) -> dt.date | None:
    """``day`` if it lies in the project's window; a NoticesError naming the window if not."""
    if day is None:
        return None
    earliest, latest, where = date_window(project)
    if not earliest <= day <= latest:
        raise NoticesError(f"{label} {day.isoformat()} 超出允许的范围（{cn_date(earliest)}至{cn_date(latest)}，"
                           f"{where}）。请核对日期，未做任何改动")
    return day


def rest_day_note(project: Project, day: dt.date) -> str | None:
    """A warning when a 成文日期 falls on a weekend or public holiday."""
    from ..assess.calendar import calendar_from_config

    calendar = calendar_from_config(project.config)
    if calendar.is_workday(day):
        return None
    return f"成文日期{cn_date(day)}是{calendar.rest_kind(day)}，不是工作日，请核对"

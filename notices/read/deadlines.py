"""Deadline text as the plan writes it ("2024年底", "各年度序时推动") -> due dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..model import Due
from ..textfmt import chinese_ordinal

SCHEDULES = ("每月", "每季度", "每半年", "每年")

_YEARLY_WORDS = ("各年度", "每年", "逐年", "年度序时")
_FULL = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:前|之前|以前)?$")
_MONTH = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:底|末)?\s*(?:前|之前|以前)?$")
_YEAR = re.compile(r"^(\d{4})\s*年\s*(?:底|末|内|年底|全年)?\s*(?:前|之前|以前)?$")


class DeadlineError(ValueError):
    """The text names no date we can compute; the message is Chinese."""


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _periods(year: int, schedule: str, start: dt.date, end: dt.date) -> list[Due]:
    """Period ends of one year for a recurring schedule, clipped to the plan period."""
    if schedule == "每月":
        dues = [Due(_month_end(year, m), f"{year}年{m}月", f"{year}-{m:02d}") for m in range(1, 13)]
    elif schedule == "每季度":
        dues = [Due(_month_end(year, 3 * q), f"{year}年第{chinese_ordinal(q)}季度", f"{year}-Q{q}") for q in range(1, 5)]
    elif schedule == "每半年":
        dues = [Due(_month_end(year, 6), f"{year}年上半年", f"{year}-H1"),
                Due(_month_end(year, 12), f"{year}年下半年", f"{year}-H2")]
    else:
        dues = [Due(dt.date(year, 12, 31), f"{year}年", str(year))]
    # A period that ends before the plan starts, or after it ends, is not owed.
    return [d for d in dues if start <= d.date <= end]


def parse_deadline(text: str, schedule: str, start: dt.date, end: dt.date) -> list[Due]:
    """Due dates a deadline means, within the plan period [start, end].

    A year ("2024年", "2024年底") is due on 31 December; a month on its last day; a
    day on itself. "各年度序时推动" means once a year over the plan period. With a
    schedule (每季度 …) the milestone is due at the end of every period of the
    year(s) the text names.
    """
    raw = (text or "").strip()
    clean = re.sub(r"\s+", "", raw)
    if schedule and schedule not in SCHEDULES:
        raise DeadlineError(f"周期“{schedule}”无法识别，应为：{'、'.join(SCHEDULES)}")
    if not clean:
        raise DeadlineError("完成时间为空")
    if any(w in clean for w in _YEARLY_WORDS):
        years = range(start.year, end.year + 1)
        return [d for y in years for d in _periods(y, schedule or "每年", start, end)]
    if m := _FULL.match(clean):
        y, mo, d = map(int, m.groups())
        try:
            return [Due(dt.date(y, mo, d), f"{y}年{mo}月{d}日")]
        except ValueError:
            raise DeadlineError(f"“{raw}”不是有效日期") from None
    if m := _MONTH.match(clean):
        y, mo = map(int, m.groups())
        if not 1 <= mo <= 12:
            raise DeadlineError(f"“{raw}”的月份无效")
        return [Due(_month_end(y, mo), f"{y}年{mo}月")]
    if m := _YEAR.match(clean):
        y = int(m.group(1))
        if schedule:
            # A recurring requirement runs from the plan's start until the year named.
            return [d for year in range(start.year, y + 1) for d in _periods(year, schedule, start, min(end, dt.date(y, 12, 31)))]
        return [Due(dt.date(y, 12, 31), f"{y}年")]
    raise DeadlineError(f"完成时间“{raw}”无法识别为日期（可写：2024年底、2025年6月、2024年3月30日、各年度序时推动）")

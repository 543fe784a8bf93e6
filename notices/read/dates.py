"""Dates as staff type them: 2026-11-29, 2026/11/29, 2026.11.29, 2026年11月29日."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")


def parse_cn_date(text: str, month_end: bool = False) -> dt.date | None:
    """A date from text, or None. "2024年12月" means the month's last day with
    month_end, else its first."""
    clean = unicodedata.normalize("NFKC", str(text or "")).strip()
    if m := _YMD.match(clean):
        try:
            return dt.date(*map(int, m.groups()))
        except ValueError:
            return None
    if m := _YM.match(clean):
        year, month = map(int, m.groups())
        if not 1 <= month <= 12:
            return None
        if month_end:
            import calendar

            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date(year, month, 1)
    return None

"""Chinese text formatting shared by every document: ordinals, dates, numbers; and
how messages name a file."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

_DIGITS = "零一二三四五六七八九"
_CN_VALUES = {c: i for i, c in enumerate(_DIGITS)}
_ZH = Locale.parse("zh_CN")  # parsed once: babel parses a locale name on every call given one


def chinese_ordinal(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 21 -> 二十一, 100 -> 一百 (up to 999)."""
    if not 0 < n < 1000:
        raise ValueError(n)
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = ""
    if hundreds:
        out += _DIGITS[hundreds] + "百"
        if rest and tens == 0:
            return out + "零" + _DIGITS[ones]
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    if ones:
        out += _DIGITS[ones]
    return out


def cn_to_int(text: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十一 -> 21, 一百零五 -> 105; None if not a numeral."""
    text = text.replace("两", "二")
    if not text or any(c not in _CN_VALUES and c not in "十百" for c in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_VALUES[ch]
    total += current
    return total or None


@functools.lru_cache(maxsize=4096)
def cn_date(day: dt.date) -> str:
    """成文日期 style: 2026年11月29日 (full year, no zero padding), via babel zh_CN."""
    return format_date(day, "y年M月d日", locale=_ZH)


@functools.lru_cache(maxsize=4096, typed=True)  # the same few counts and days in every letter of a batch
def cn_number(value) -> str:
    return format_decimal(value, locale=_ZH)


def cn_percent(value: float, digits: int = 1) -> str:
    """73.9%, 100%, 0% — decimals only where they say something (no "100.0%")."""
    fmt = "#,##0." + "#" * digits + "%" if digits else "#,##0%"
    return format_percent(value, format=fmt, locale=_ZH)


def path_label(path, root, posix: bool = False) -> str:
    """A file as messages name it: relative to ``root`` (the working folder, or the
    current one) when it lies under it, else as given."""
    try:
        rel = Path(path).resolve().relative_to(Path(root).resolve())
    except (ValueError, OSError):
        return str(path)
    return rel.as_posix() if posix else str(rel)

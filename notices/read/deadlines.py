"""Deadline text as plans write it ("2024年底", "每年6月", "持续推进") -> due dates.

``read_deadline`` gives a ``Deadline``: the due dates within the plan period,
or ``ongoing`` for work that has no date (长期坚持、持续推进、常态化): such a
milestone is judged at each round by what the unit reports, never overdue by
date. Wording this module cannot read is a ``DeadlineError`` whose message
says how to write it, and which lines to add to plan.yaml to state the
meaning outright (``due``, ``schedule``, ``ongoing``).

Forms read (Chinese numerals and full-width digits too: 二〇二四年六月底前):
  2024年 / 2024年底 / 2024年底前 / 2024年末 / 2024年内      -> 2024-12-31
  2024年6月 / 6月底 / 6月底前 / 2024年6月30日前(完成)       -> the month's end / the day
  2024年第三季度 / 2024年三季度末 / 2024年一季度末            -> the quarter's end
  2025年上半年 / 2025年年中 / 2025年下半年                    -> 06-30 / 06-30 / 12-31
  每月 / 每季度 / 每半年 / 每年 (每年6月, 每月10日前, 每季度末)  -> every period of the plan
  各年度 / 逐年 / 年度序时推动                                 -> every year of the plan
  2024年至2025年 / 2024—2026年 (每年)                          -> the range's end (or its periods)
  长期坚持 / 持续推进 / 常态化 …                               -> ongoing
A month, quarter or half without a year is read only when the plan lies
within one year; otherwise the year must be written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..model import Due
from ..textfmt import chinese_ordinal, cn_to_int

SCHEDULES = ("每月", "每季度", "每半年", "每年")
# Wording of work without a date; longest first so that one match removes a phrase whole.
ONGOING_WORDS = ("长期坚持", "持续推进", "持续开展", "常态化推进", "常态化开展", "常态化", "长效化", "长期",
                 "持续", "常态", "长效", "坚持")

_SCHEDULE_WORDS = (
    ("每月", ("每个月", "每月", "按月", "逐月", "月度")),
    ("每季度", ("每个季度", "每季度", "每季", "按季度", "按季", "逐季")),
    ("每半年", ("每半年", "半年一次")),
    ("每年", ("每年度", "每一年", "每年", "各年度", "各年", "逐年", "年度序时", "按年度")),
)
_CN_YEAR = re.compile(r"([〇○零一二三四五六七八九]{4})(?=年)")
_CN_NUM = re.compile(r"([零〇○一二两三四五六七八九十]+)(?=个?月|日|号|个?季度|季)")
_LEAD = re.compile(r"^(?:于|在|力争|确保|争取|截至|截止到|截止|到|至)+")
_TAIL = re.compile(r"(?:之前|以前|前|为止)?(?:全面|基本)?(?:完成|办结|到位|建成|结束|实现)?(?:任务)?[。.；;，,]*$")
_RANGE = re.compile(r"^(?P<a>.+?)(?:至|到|—+|–|-|~|～)(?P<b>.+)$")
_YEAR_FROM = re.compile(r"^(?P<y>\d{4})年?(?:起|开始|以来)")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?$")
_DATE = re.compile(r"^(?:(?P<y>\d{4})(?:年度?|(?=$)))?(?P<rest>.*)$")
# What follows a schedule word without changing it: "各年度序时推动", "逐年推进".
_FILLER = re.compile(r"(?:按|要)?(?:序时)?(?:推进|推动|落实|开展|实施|进行|完成|报送|组织)?$")
_CN_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "○": 0}


class DeadlineError(ValueError):
    """The text names no date we can compute; the message is Chinese and says how to fix it."""


@dataclass(frozen=True)
class Deadline:
    dues: tuple[Due, ...] = ()
    ongoing: bool = False  # no date: judged each round by what the unit reports


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _periods(year: int, schedule: str, start: dt.date, end: dt.date, month: int = 0, day: int = 0) -> list[Due]:
    """Period ends of one year for a recurring schedule, clipped to [start, end].
    ``month``/``day``: a yearly milestone due in that month ("每年6月"), a monthly
    one on that day ("每月10日前")."""
    if schedule == "每月":
        dues = [Due(_day_in(year, m, day) if day else _month_end(year, m), f"{year}年{m}月", f"{year}-{m:02d}")
                for m in range(1, 13)]
    elif schedule == "每季度":
        dues = [Due(_month_end(year, 3 * q), f"{year}年第{chinese_ordinal(q)}季度", f"{year}-Q{q}") for q in range(1, 5)]
    elif schedule == "每半年":
        dues = [Due(_month_end(year, 6), f"{year}年上半年", f"{year}-H1"),
                Due(_month_end(year, 12), f"{year}年下半年", f"{year}-H2")]
    else:
        when = (_day_in(year, month, day) if day else _month_end(year, month)) if month else dt.date(year, 12, 31)
        dues = [Due(when, f"{year}年", str(year))]
    # A period that ends before the plan starts, or after it ends, is not owed.
    return [d for d in dues if start <= d.date <= end]


def _day_in(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _spread(schedule: str, first: int, last: int, start: dt.date, end: dt.date, month: int = 0,
            day: int = 0) -> list[Due]:
    return [d for y in range(first, last + 1) for d in _periods(y, schedule, start, end, month, day)]


# --- text ---------------------------------------------------------------------------------

def _arabic(text: str) -> str:
    """二〇二四年十二月三十日 -> 2024年12月30日; 第三季度 -> 第3季度; full-width digits folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _CN_YEAR.sub(lambda m: "".join(str(_CN_DIGIT[c]) for c in m.group(1)), text)

    def number(m: re.Match) -> str:
        value = cn_to_int(re.sub("[〇○]", "零", m.group(1)))
        return str(value) if value else m.group(1)

    return _CN_NUM.sub(number, text)


def clean_deadline(text: str) -> str:
    """The wording reduced to what carries meaning: spaces, 于/力争 … 前完成 removed."""
    return _strip_tail(_LEAD.sub("", re.sub(r"\s+", "", _arabic(text or ""))))


def _schedule_in(text: str) -> tuple[str, str]:
    """(schedule named in the text, the text without it)."""
    for schedule, words in _SCHEDULE_WORDS:
        for word in words:
            if word in text:
                return schedule, text.replace(word, "", 1)
    return "", text


def _ongoing_in(text: str) -> tuple[bool, str]:
    found = False
    for word in ONGOING_WORDS:
        if word in text:
            found = True
            text = text.replace(word, "")
    return found, text


@dataclass
class _Point:
    """One point in time a text names: the year (or None), and how precise."""

    year: int | None
    date: tuple[int, int] | None = None  # (month, day) within the year; None: the year's end
    label: str = ""

def _point(text: str, year: int | None) -> _Point | None:
    """"2024年6月30日" / "6月底" / "第三季度" / "上半年" / "年底" … ; ``year`` when the text has none."""
    if m := _ISO.match(text):
        return _checked(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))
    m = _DATE.match(text)
    if m.group("y"):
        year = int(m.group("y"))
    rest = re.sub(r"^年度?", "", m.group("rest"))
    rest = re.sub(r"(?:底|末|内|全年|期间)$", "", rest)
    if rest == "":
        return _Point(year)
    if rest in ("上半年", "年中", "中", "上半"):
        return _Point(year, (6, 30), "上半年" if "上" in rest else "年中")
    if rest in ("下半年", "下半"):
        return _Point(year, None, "下半年")
    if q := re.fullmatch(r"第?([1-4])个?季度?", rest):
        month = 3 * int(q.group(1))
        return _Point(year, (month, calendar.monthrange(2001, month)[1]), f"第{chinese_ordinal(int(q.group(1)))}季度")
    if md := re.fullmatch(r"(\d{1,2})个?月(?:份)?(?:(\d{1,2})[日号])?(?:上旬|中旬|下旬)?", rest):
        return _checked(year, int(md.group(1)), int(md.group(2) or 0))
    if d := re.fullmatch(r"(\d{1,2})[日号]", rest):  # "每月10日前"
        day = int(d.group(1))
        return _Point(year, (0, day)) if 1 <= day <= 31 else None
    return None


def _checked(year: int | None, month: int, day: int) -> _Point | None:
    if not 1 <= month <= 12:
        return None
    if day:
        try:
            dt.date(year or 2000, month, day)  # 2000: a leap year, so 2月29日 passes without a year
        except ValueError:
            return None
    return _Point(year, (month, day))


def _date_of(p: _Point) -> dt.date:
    if p.date is None:
        return dt.date(p.year, 12, 31)
    month, day = p.date
    return dt.date(p.year, month, day) if day else _month_end(p.year, month)


def _label(d: dt.date, p: _Point) -> str:
    if p.label:
        return f"{d.year}年{p.label}"
    if p.date is None:
        return f"{p.year}年"
    month, day = p.date
    return f"{d.year}年{d.month}月{d.day}日" if day else f"{d.year}年{d.month}月"


# --- the reading --------------------------------------------------------------------------

def read_deadline(text: str, schedule: str, start: dt.date, end: dt.date) -> Deadline:
    """What a deadline means within the plan period [start, end].

    A year is due on 31 December, a month on its last day, a quarter or half
    on its last day, a day on itself. A recurring wording (每季度, 每年6月,
    各年度) is due at the end of every period of the plan; with a year or a
    range of years, every period up to (or within) them. ``schedule`` (plan.yaml)
    makes a one-off wording recurring: "2024年" + 每季度 is every quarter up to
    the end of 2024. Wording with no date (持续推进 …) is ``ongoing``.
    """
    raw = (text or "").strip()
    if schedule and schedule not in SCHEDULES:
        raise DeadlineError(f"周期“{schedule}”无法识别，应为：{'、'.join(SCHEDULES)}")
    if not raw:
        raise DeadlineError("完成时间为空")
    clean = clean_deadline(raw)
    ongoing, rest = _ongoing_in(clean)
    rest = rest.strip("，,、；;。和及并且")
    if ongoing and not rest:
        return Deadline((), ongoing=True)
    try:
        dues = _dues(_strip_tail(rest or clean), schedule, start, end)
    except DeadlineError:
        if ongoing:
            return Deadline((), ongoing=True)
        if schedule:  # plan.yaml states the schedule; the wording names no period of its own
            return Deadline(tuple(_spread(schedule, start.year, end.year, start, end)))
        raise DeadlineError(unknown_message(raw, start, end)) from None
    return Deadline(tuple(dues))


def _strip_tail(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _TAIL.sub("", text) if len(text) > 2 else text
    return text


def _dues(text: str, schedule: str, start: dt.date, end: dt.date) -> list[Due]:
    # Several clauses: the dates of those that name one ("2024年6月、2025年6月"; in
    # "2024年底前完成，2025年巩固提升" the second names none and is commentary).
    clauses = [c for c in re.split(r"[，,；;、]", text) if c]
    if len(clauses) > 1:
        dues: dict[dt.date, Due] = {}
        for clause in clauses:
            try:
                dues.update((d.date, d) for d in _dues(_strip_tail(clause), schedule, start, end))
            except DeadlineError:
                continue
        if not dues:
            raise DeadlineError(text)
        return [dues[day] for day in sorted(dues)]
    named, rest = _schedule_in(text)
    if named and schedule and named != schedule and named != "每年":
        raise DeadlineError(text)
    schedule = schedule or named
    rest = _FILLER.sub("", _strip_tail(rest.strip("的"))) if named else _strip_tail(rest)
    first, last = start.year, end.year
    point: _Point | None = None
    if m := _YEAR_FROM.match(rest):  # "2024年起": from that year on
        first = int(m.group("y"))
        rest = rest[m.end():]
    if rest and (m := _RANGE.match(rest)) and not _ISO.match(rest):
        a = _point(_strip_tail(m.group("a")), None)
        b = _point(_strip_tail(m.group("b")), a.year if a else None)
        if a is None or b is None or a.year is None or b.year is None:
            raise DeadlineError(text)
        if b.year < a.year:
            raise DeadlineError(text)
        if not schedule:
            return [_one(b)]
        return _spread(schedule, a.year, b.year, start, end)
    if rest:
        single_year = start.year if start.year == end.year else None
        point = _point(rest, None)
        if point is None:
            raise DeadlineError(text)
        if point.year is None:
            if schedule:  # "每年6月", "每月10日前", "每季度末"
                month, day = point.date if point.date else (0, 0)
                if schedule == "每年":
                    return _spread(schedule, first, last, start, end, month, day)
                if schedule == "每月" and month == 0:
                    return _spread(schedule, first, last, start, end, 0, day)
                if schedule in ("每季度", "每半年") and point.date is None:
                    return _spread(schedule, first, last, start, end)
                raise DeadlineError(text)
            if single_year is None:
                raise DeadlineError(text)
            point.year = single_year
        if point.date is not None and point.date[1] and point.year:
            try:
                dt.date(point.year, *point.date)
            except ValueError:
                raise DeadlineError(text) from None
        if schedule:
            # A recurring requirement runs from the plan's start (or the year it names
            # with 起) until the point named.
            until = min(end, _date_of(point))
            return _spread(schedule, first, point.year, start, until)
        return [_one(point)]
    if schedule:
        return _spread(schedule, first, last, start, end)
    raise DeadlineError(text)


def _one(p: _Point) -> Due:
    d = _date_of(p)
    return Due(d, _label(d, p))


def says_ongoing(text: str) -> bool:
    """Whether the wording alone means ongoing work (so plan.yaml need not say ``ongoing: true``)."""
    try:
        return read_deadline(text, "", dt.date(2000, 1, 1), dt.date(2000, 12, 31)).ongoing
    except DeadlineError:
        return False


def parse_deadline(text: str, schedule: str, start: dt.date, end: dt.date) -> list[Due]:
    """The due dates of ``read_deadline`` (none for ongoing work)."""
    return list(read_deadline(text, schedule, start, end).dues)


def explicit_deadline(days: list[dt.date], ongoing: bool) -> Deadline:
    """The meaning plan.yaml states outright (``due:`` dates or ``ongoing: true``),
    whatever the wording says."""
    if ongoing:
        return Deadline((), ongoing=True)
    return Deadline(tuple(Due(d, f"{d.year}年{d.month}月{d.day}日") for d in sorted(set(days))))


def unknown_message(raw: str, start: dt.date, end: dt.date) -> str:
    """Why the wording is refused and exactly what to write instead."""
    years = [int(y) for y in re.findall(r"(\d{4})", clean_deadline(raw))]
    year = years[-1] if years else end.year
    example = dt.date(year, 12, 31) if start.year <= year <= end.year else end
    return (f"完成时间“{raw}”无法识别为日期或周期。可改写为能识别的写法（如 2024年底、2025年6月底前、2025年第三季度、"
            f"2025年上半年、每季度、每年6月、各年度、持续推进），或保留原文，在 plan.yaml 该具体要求下加一行写明含义"
            f"（三选一）：到期日写 “due: {example.isoformat()}”（几个日期写 “due: [2024-12-31, 2025-12-31]”）；"
            f"按周期写 “schedule: 每季度”（方案期内每期期末到期，也可填 每月、每半年、每年）；"
            f"持续推进、不按日期判断逾期的写 “ongoing: true”")

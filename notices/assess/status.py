"""Where every unit stands on every milestone as of a date. Pure: no I/O.

Input: the registry, the reports of all rounds up to ``as_of`` (any order), the
date and the options ([status] and [calendar] of notices.toml). Output: an
``Assessment`` with one ``ItemStatus`` per *item* — a (responsible unit,
milestone) for a one-off milestone, a (unit, milestone, period) for a recurring
one ("7-1 2026年第四季度") — and summaries per unit, per category and for the
whole area. Every status carries a one-line Chinese reason, so any figure can be
explained to the unit concerned.

Items
-----
A one-off milestone ("2024年底") is one item, owed until it is done: a missed
deadline stays overdue however long ago it was. A recurring milestone (每季度,
每年, 各年度序时推动 …) is one item per period: a missed quarter is its own
failure, and the next quarter its own obligation. Of a recurring milestone's
periods, those ended by ``as_of`` and the current one (the first not yet
ended) are items; later ones are not yet.

Tracking start. The office began collecting progress on ``tracking_start``
(the first round's cut-off, or ``[status] tracking_start``). A period of a
recurring milestone that ended before it was never asked about: it is 无记录
(no record) — never overdue, never due, never in a document — unless a report
covers it (a report on that very period, or a completion dated within it).

Deadlines. With ``roll_deadlines`` a due date on a rest day moves to the next
working day (calendar.py); every count below uses that effective deadline.

Reports. A report names its period (``Report.period``, the period's key) when
it comes from a form with one row per period. Reports without one (forms of
earlier versions) stand for the milestone as a whole: a completion counts for
the period whose window (previous deadline, deadline] holds its date, a spare
one for the oldest period missed before it (late); their other states count as
said about the period that was current on the round's date. A completion once
reported stays: a later round's 正在推进 does not undo it.

An item's own status: 已完成 / 逾期完成 (a completion on or before / after the
deadline; days late = completion - deadline); otherwise 无记录 (see above);
逾期 N 天 when the deadline is before ``as_of``; 临期 when the deadline is
``as_of`` or at most ``warn_days`` after it (calendar days, or working days with
``warn_in_workdays``); else 正常推进. 不涉及 when the unit's latest report on
the item (or, for a period it said nothing about, on the milestone) says so.

未报送. ``unreported`` is true when the item is pressing (逾期 or 临期) and
the unit has no report on it in the latest round (the round with the greatest
date up to ``as_of``). A 临期 item unreported has status 未报送; an overdue one
stays 逾期 with the flag. ``rejected`` says why a row the unit did send about
the item this round was refused at collection ("进展状态“完成”不在可选范围内"):
the item is still unreported, but documents say what happened.

Figures. ``due`` (应完成): the deadline is on or before ``as_of``, or the item
was completed early. ``done``: due and resolved (late or not). Completion rate
= done / due over the items neither 不涉及 nor 无记录; no due items -> None.
``worst`` of a summary is its 逾期 item with the most days overdue. Ranking
(``rank_units``): rate descending (exact fractions; None last), then number of
逾期 items ascending; equal keys share a rank and the next skips (1, 2, 2, 4).

The issuing office. Units named in ``internal`` (the office itself, when it is
in the directory) are assessed like any other but kept out of ``units``,
``categories`` and ``area``: the office does not supervise, rank or count
itself among the units it supervises. Its items are in ``internal_units``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from ..model import Closure, Due, Extension, Milestone, Registry, Report
from ..textfmt import cn_date
from .calendar import WorkCalendar, calendar_from_config

# Item statuses, worst first (the order of tables and sorting).
OVERDUE, UNREPORTED, DUE_SOON, LATE_DONE, ON_TRACK, DONE, NOT_APPLICABLE, NO_RECORD = (
    "逾期", "未报送", "临期", "逾期完成", "正常推进", "已完成", "不涉及", "无记录")
STATUSES = (OVERDUE, UNREPORTED, DUE_SOON, LATE_DONE, ON_TRACK, DONE, NOT_APPLICABLE, NO_RECORD)
SEVERITY = {s: i for i, s in enumerate(STATUSES)}
RESOLVED = (DONE, LATE_DONE)
UNCOUNTED = (NOT_APPLICABLE, NO_RECORD)  # outside every figure


@dataclass
class AssessOptions:
    warn_days: int = 15
    warn_in_workdays: bool = False
    roll_deadlines: bool = True
    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    tracking_start: dt.date | None = None  # None: every period is judged


def options_from_config(config, tracking_start: dt.date | None = None) -> AssessOptions:
    """[status] and [calendar]; ``tracking_start``: the caller's default (the first
    round's cut-off) when [status] tracking_start is not set."""
    section = config.section("status") if config is not None else {}
    defaults = AssessOptions()
    configured = str(section.get("tracking_start", "") or "").strip()
    if configured:
        try:
            tracking_start = dt.date.fromisoformat(configured)
        except ValueError:
            from ..errors import NoticesError

            where = getattr(config, "path", None) or "notices.toml"
            raise NoticesError(f"{where}：[status] 中 tracking_start = \"{configured}\" 不是日期，"
                               f"请写成 \"2026-11-29\" 这样的日期，或留空（从第一轮收集算起）") from None
    return AssessOptions(
        warn_days=int(section.get("warn_days", defaults.warn_days)),
        warn_in_workdays=bool(section.get("warn_in_workdays", defaults.warn_in_workdays)),
        roll_deadlines=bool(section.get("roll_deadlines", defaults.roll_deadlines)),
        calendar=calendar_from_config(config),
        tracking_start=tracking_start,
    )


@dataclass
class ItemStatus:
    unit: str  # the unit's full name
    milestone_id: str
    task_no: int
    category_no: int
    requirement: str
    deadline_text: str  # as the plan writes it: "2024年底"
    status: str
    days: int = 0  # 逾期: days overdue; 逾期完成: days late; 临期/未报送/正常推进: days left
    unreported: bool = False
    due: bool = False
    done: bool = False
    deadline: dt.date | None = None  # the effective deadline: rolled to a working day if configured
    latest: Report | None = None  # the unit's latest report on this item
    reason: str = ""
    period: str = ""  # of a recurring milestone: "2026年第四季度"; "" for a one-off milestone
    period_key: str = ""  # "2026-Q4"
    due_date: dt.date | None = None  # the date the plan sets, before any roll-over
    schedule: str = ""  # the milestone's schedule (每季度 …), "" if none is written
    completed_on: dt.date | None = None  # the completion that resolved it
    workdays_left: int | None = None  # 临期 counted in working days
    rejected: str = ""  # why the unit's row on it this round was refused
    ongoing: bool = False  # 持续推进: no date, never overdue; judged by the unit's reports
    unit_key: str = ""  # the unit's id, what the register keeps
    extension: Extension | None = None  # an approved 延期: the deadline is its date (rolled), due_date the plan's
    closure: Closure | None = None  # a 销号: the office verified the item complete

    @property
    def item_id(self) -> str:
        """Stable across rounds: "5-1", or "7-1@2026-Q4" for one period."""
        return f"{self.milestone_id}@{self.period_key}" if self.period_key else self.milestone_id

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED

    @property
    def base_due(self) -> dt.date | None:
        """The date the deadline counts from before any roll-over: the approved extension's,
        else the plan's."""
        return self.extension.to if self.extension is not None else self.due_date

    @property
    def rolled(self) -> bool:
        return self.deadline is not None and self.base_due is not None and self.deadline != self.base_due

    @property
    def closed(self) -> bool:
        return self.closure is not None

    @property
    def flagged(self) -> bool:
        """What a 督办函 must list: overdue or unreported."""
        return self.status == OVERDUE or self.unreported

    @property
    def label(self) -> str:
        """The status with its days: 逾期30天, 逾期完成5天, 临期（剩3天）."""
        if self.status == OVERDUE:
            return f"逾期{self.days}天"
        if self.status == LATE_DONE:
            return f"逾期完成{self.days}天"
        if self.status in (DUE_SOON, UNREPORTED) and not self.ongoing:
            return f"{self.status}（剩{self.days}天）" if self.days else f"{self.status}（今日到期）"
        return self.status


def item_sort_key(item: ItemStatus) -> tuple:
    """Worst first: by status, then more days overdue/late first, fewer days left first."""
    days = -item.days if item.status in (OVERDUE, LATE_DONE) else item.days
    return (SEVERITY[item.status], days, _milestone_order(item.milestone_id), item.period_key, item.unit)


def _milestone_order(mid: str) -> tuple:
    try:
        return tuple(int(p) for p in mid.split("-"))
    except ValueError:
        return (10**9, mid)


def plan_order(item: ItemStatus) -> tuple:
    """The plan's order: by milestone, then period."""
    return (_milestone_order(item.milestone_id), item.due_date or dt.date.min)


@dataclass
class Summary:
    """Counts over a set of items: one unit, one category, or the whole area."""

    key: str  # unit full name, category number as text, or "" for the area
    name: str  # for display
    items: list[ItemStatus] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATUSES, 0)
        for item in self.items:
            out[item.status] += 1
        return out

    @property
    def due(self) -> int:
        return sum(1 for i in self.items if i.due)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.done)

    @property
    def rate_fraction(self) -> Fraction | None:
        return Fraction(self.done, self.due) if self.due else None

    @property
    def rate(self) -> float | None:
        frac = self.rate_fraction
        return float(frac) if frac is not None else None

    @property
    def overdue(self) -> int:
        return sum(1 for i in self.items if i.status == OVERDUE)

    @property
    def unreported(self) -> int:
        return sum(1 for i in self.items if i.unreported)

    @property
    def flagged(self) -> list[ItemStatus]:
        return sorted((i for i in self.items if i.flagged), key=item_sort_key)

    @property
    def worst(self) -> ItemStatus | None:
        late = [i for i in self.items if i.status == OVERDUE]
        return min(late, key=item_sort_key) if late else None


def unit_items(summary: Summary) -> list[ItemStatus]:
    """A unit's flagged items (overdue or unreported), worst first; never another unit's."""
    return [i for i in summary.flagged if i.unit == summary.key]


def summary_sort_key(summary: Summary) -> tuple:
    """Worst first: most 逾期, most days overdue, most 未报送, most 临期, lowest rate."""
    worst = summary.worst
    rate = summary.rate_fraction
    return (-summary.overdue, -(worst.days if worst else 0), -summary.unreported,
            -summary.counts[DUE_SOON], rate if rate is not None else Fraction(2))


def rank_units(summaries: list[Summary]) -> list[tuple[int, Summary]]:
    """Ranked best first: completion rate desc (None last), then 逾期 count asc;
    equal keys share a rank, the next rank skips (1, 2, 2, 4)."""
    def key(s: Summary):
        rate = s.rate_fraction
        return (rate is None, -(rate if rate is not None else 0), s.overdue)

    ordered = sorted(summaries, key=key)
    out: list[tuple[int, Summary]] = []
    for pos, summary in enumerate(ordered, 1):
        rank = out[-1][0] if out and key(out[-1][1]) == key(summary) else pos
        out.append((rank, summary))
    return out


@dataclass
class Assessment:
    as_of: dt.date
    round_id: str  # the latest round up to as_of ("" if none)
    round_date: dt.date | None
    options: AssessOptions
    items: list[ItemStatus]  # the supervised units' items (the office's own are in internal_units)
    units: list[Summary]  # in directory order, only units with items, the issuing office left out
    categories: list[Summary]  # in plan order
    county: Summary  # every supervised unit (named after the area: 全县, 全市 …)
    warnings: list[str] = field(default_factory=list)
    internal_units: list[Summary] = field(default_factory=list)  # the issuing office's own items

    def unit(self, name: str) -> Summary:
        return next(s for s in self.units + self.internal_units if s.key == name)

    def ranking(self) -> list[tuple[int, Summary]]:
        return rank_units(self.units)

    def by_milestone(self) -> dict[str, list[ItemStatus]]:
        out: dict[str, list[ItemStatus]] = defaultdict(list)
        for item in self.items:
            out[item.milestone_id].append(item)
        return dict(out)


# --- the judgement ------------------------------------------------------------------
def _latest(reports: list[Report]) -> Report | None:
    return max(reports, key=lambda r: (r.reported_on or dt.date.min, r.round_id), default=None)


def latest_round(reports: list[Report], as_of: dt.date) -> tuple[str, dt.date | None]:
    """The round with the greatest date on or before as_of: (round_id, date)."""
    dates: dict[str, dt.date] = {}
    for r in reports:
        if r.reported_on is not None and r.reported_on <= as_of:
            dates[r.round_id] = max(dates.get(r.round_id, dt.date.min), r.reported_on)
    if not dates:
        return "", None
    rid = max(dates, key=lambda k: (dates[k], k))
    return rid, dates[rid]


def _completion_day(report: Report) -> dt.date | None:
    return report.completed_on or report.reported_on


def _deadline(day: dt.date, options: AssessOptions) -> dt.date:
    return options.calendar.roll(day) if options.roll_deadlines else day


def _within_warning(deadline: dt.date, as_of: dt.date, options: AssessOptions) -> tuple[bool, int | None]:
    """(is the deadline in the warning window, working days left if counted so)."""
    if deadline < as_of:
        return False, None
    if options.warn_in_workdays:
        left = options.calendar.workdays_between(as_of, deadline)
        return left <= options.warn_days, left
    return (deadline - as_of).days <= options.warn_days, None


def _place_whole_milestone_completions(reports: list[Report], deadlines: list[dt.date],
                                       as_of: dt.date) -> dict[int, Report]:
    """Period index -> the completion (a report without a period) that serves it: the
    earliest in its own window on time, then spare ones to the oldest periods missed
    before them (late). One piece of work serves one period."""
    done = sorted((r for r in reports if r.state == DONE and (d := _completion_day(r)) and d <= as_of),
                  key=lambda r: (_completion_day(r), r.reported_on or dt.date.min))
    by_day: dict[dt.date, Report] = {}
    for r in done:
        by_day.setdefault(_completion_day(r), r)
    days = sorted(by_day)
    used: set[dt.date] = set()
    out: dict[int, Report] = {}
    previous = dt.date.min
    for i, deadline in enumerate(deadlines):
        found = next((d for d in days if previous < d <= deadline), None)
        if found is not None:
            used.add(found)
            out[i] = by_day[found]
        previous = max(previous, deadline)
    for i, deadline in enumerate(deadlines):
        if i not in out:
            found = next((d for d in days if d > deadline and d not in used), None)
            if found is not None:
                used.add(found)
                out[i] = by_day[found]
    return out


def _current_index(deadlines: list[dt.date], day: dt.date | None) -> int | None:
    """The period running on ``day``: the first whose deadline is not before it."""
    if day is None:
        return None
    return next((i for i, d in enumerate(deadlines) if d >= day), None)


def asked_periods(milestone: Milestone, as_of: dt.date, options: AssessOptions) -> list[Due | None]:
    """What a reporting form for ``as_of`` asks about a milestone: ``[None]`` (the
    milestone itself) for a one-off one; for a recurring one each period that is
    judged (ending on or after the tracking start) up to the current one — none when
    every period ended before the office began collecting."""
    if not milestone.recurring:
        return [None]
    start = options.tracking_start
    out = []
    for due in milestone.dues:
        deadline = _deadline(due.date, options)
        if start is None or deadline >= start:
            out.append(due)
        if deadline >= as_of:
            break
    return out


def judge_milestone(milestone: Milestone, unit: str, reports: list[Report], as_of: dt.date, round_id: str,
                    options: AssessOptions, task_no: int = 0, category_no: int = 0,
                    rejected: dict[str, str] | None = None, extensions: dict[str, Extension] | None = None,
                    closures: dict[str, Closure] | None = None) -> list[ItemStatus]:
    """One unit on one milestone: its items (one, or one per period up to the current
    one). ``reports``: that unit's reports on it, any round; ``rejected``: period key
    ("" for the milestone as a whole) -> why the unit's row this round was refused;
    ``extensions`` / ``closures``: period key -> the approved 延期 in force / the 销号,
    as of ``as_of`` (the caller leaves out later ones)."""
    reports = [r for r in reports if r.reported_on is None or r.reported_on <= as_of]
    rejected = rejected or {}
    extensions, closures = extensions or {}, closures or {}
    if milestone.ongoing:
        item = _judge_ongoing(milestone, unit, reports, round_id, task_no, category_no, rejected.get("", ""))
        if (closure := closures.get("")) is not None:
            item.closure, item.status, item.unreported, item.rejected = closure, DONE, False, ""
            item.completed_on = closure.closed_on
            item.reason = f"持续推进事项，已于{closure.closed_on.isoformat()}销号（{closure.record}）"
        return [item]
    dues = milestone.dues or [Due(dt.date.max, milestone.deadline)]
    deadlines = [_deadline(d.date, options) if d.date != dt.date.max else d.date for d in dues]
    keys = [d.key for d in dues]
    recurring = milestone.recurring
    own: dict[int, list[Report]] = defaultdict(list)  # reports that name the period
    whole: list[Report] = []  # reports about the milestone as a whole
    for r in reports:
        if recurring and r.period and r.period in keys:
            own[keys.index(r.period)].append(r)
        else:
            whole.append(r)
    if recurring:
        placed = _place_whole_milestone_completions(whole, deadlines, as_of)
        # what a report without a period says of the work in hand: the period current on
        # its date, or the last one when every period had ended
        current_of = {id(r): _current_index(deadlines, r.reported_on) for r in whole if r.state != DONE}
        current_of = {k: len(deadlines) - 1 if v is None else v for k, v in current_of.items()}
        last = [i for i, d in enumerate(deadlines) if d < as_of]
        current = _current_index(deadlines, as_of)
        indexes = last + ([current] if current is not None else [])
    else:
        placed = {0: c} if (c := _earliest_completion(whole, as_of)) else {}
        current_of = {id(r): 0 for r in whole}
        indexes = [0]
    milestone_latest = _latest(reports)
    items = []
    for i in indexes:
        if recurring:
            said = own[i] + [r for r in whole if current_of.get(id(r)) == i]
            said += [placed[i]] if i in placed and placed[i] not in said else []
        else:
            said = whole
        completion = _earliest_completion(own[i], as_of) if own[i] else None
        if completion is None:
            completion = placed.get(i)
        # Reported this round: about this period, or about the milestone as a whole.
        in_round = bool(round_id) and any(r.round_id == round_id for r in own[i] + whole)
        key = keys[i] if recurring else ""
        item = ItemStatus(unit, milestone.id, task_no or milestone.task_no, category_no, milestone.requirement,
                          milestone.deadline, ON_TRACK, latest=_latest(said),
                          period=dues[i].period if recurring else "", period_key=key,
                          due_date=dues[i].date if milestone.dues else None, deadline=deadlines[i] if milestone.dues else None,
                          schedule=milestone.schedule,
                          rejected=rejected.get(key, "") or rejected.get("", ""),
                          extension=extensions.get(key), closure=closures.get(key))
        if item.extension is not None and item.deadline is not None:
            item.deadline = _deadline(item.extension.to, options)
        _judge(item, milestone, completion, bool(own[i]) or completion is not None or item.closed, in_round,
               milestone_latest, as_of, round_id, options, recurring)
        items.append(item)
    return items


def _earliest_completion(reports: list[Report], as_of: dt.date) -> Report | None:
    done = [r for r in reports if r.state == DONE and (d := _completion_day(r)) and d <= as_of]
    return min(done, key=lambda r: (_completion_day(r), r.reported_on or dt.date.min), default=None)


def _judge(item: ItemStatus, milestone: Milestone, completion: Report | None, covered: bool, in_round: bool,
           milestone_latest: Report | None, as_of: dt.date, round_id: str, options: AssessOptions,
           recurring: bool) -> None:
    latest = item.latest
    if latest is None and milestone_latest is not None and milestone_latest.state == NOT_APPLICABLE:
        latest = milestone_latest  # 不涉及 said once stands for every period not answered since
    if latest is not None and latest.state == NOT_APPLICABLE and not item.closed:
        item.status, item.latest, item.rejected = NOT_APPLICABLE, latest, ""
        item.reason = f"最近一次报送（{_round_label(latest)}）为“不涉及”，不计入统计"
        return
    deadline = item.deadline
    if deadline is None:
        item.reason = "该具体要求没有可计算的完成时间"
        return
    done_on = _completion_day(completion) if completion is not None else None
    if done_on is None and item.closed:
        done_on = item.closure.closed_on  # verified complete by the office, whatever the unit reported
    if done_on is not None:
        item.completed_on = done_on
        late = (item.completed_on - deadline).days
        item.status, item.days = (LATE_DONE, late) if late > 0 else (DONE, 0)
    elif deadline < as_of:
        start = options.tracking_start
        if recurring and start is not None and deadline < start and not covered:
            item.status = NO_RECORD
        else:
            item.status, item.days = OVERDUE, (as_of - deadline).days
    else:
        soon, item.workdays_left = _within_warning(deadline, as_of, options)
        item.status = DUE_SOON if soon else ON_TRACK
        item.days = (deadline - as_of).days
    item.unreported = item.status in (OVERDUE, DUE_SOON) and not in_round
    if not item.unreported:
        item.rejected = ""  # a refused row matters only while nothing valid came in its place
    if item.unreported and item.status == DUE_SOON:
        item.status = UNREPORTED
    item.due = item.status != NO_RECORD and (deadline <= as_of or item.resolved)
    item.done = item.due and item.resolved
    item.reason = _reason(item, as_of, round_id, options)


def _judge_ongoing(milestone: Milestone, unit: str, reports: list[Report], round_id: str, task_no: int,
                   category_no: int, rejected: str) -> ItemStatus:
    """Work without a date (持续推进): never overdue by date and outside 应完成 and the
    completion rate; each round the unit owes a report, and what it reports is its status."""
    latest = _latest(reports)
    item = ItemStatus(unit, milestone.id, task_no or milestone.task_no, category_no, milestone.requirement,
                      milestone.deadline, ON_TRACK, latest=latest, ongoing=True, schedule=milestone.schedule)
    if latest is not None and latest.state == NOT_APPLICABLE:
        item.status = NOT_APPLICABLE
        item.reason = f"最近一次报送（{_round_label(latest)}）为“不涉及”，不计入统计"
        return item
    in_round = bool(round_id) and any(r.round_id == round_id for r in reports)
    said = f"最近一次报送（{_round_label(latest)}）为“{latest.state}”" if latest else "从未报送进展"
    if round_id and not in_round:
        item.status, item.unreported, item.rejected = UNREPORTED, True, rejected
        said = f"本轮报送的内容未被采用：{rejected}" if rejected else f"本轮（{round_id}轮）未报送，{said}"
        item.reason = f"持续推进事项，不按日期判断逾期；{said}"
    elif latest is not None and latest.state == DONE:
        item.status = DONE
        item.reason = f"持续推进事项，不按日期判断逾期；{said}"
    else:
        item.reason = f"持续推进事项，不按日期判断逾期；{said if round_id else '尚未收集任何一轮进度'}"
    return item


# --- reasons -------------------------------------------------------------------------
def _round_label(report: Report) -> str:
    if report.round_id:
        return f"{report.round_id}轮"
    return report.reported_on.isoformat() if report.reported_on else "日期不详"


def _when(item: ItemStatus, calendar: WorkCalendar) -> str:
    """完成时间2024年底（2024-12-31，遇周末顺延至…）, or for one period of a recurring
    milestone 完成时间2024年（每季度），本期2024年第一季度（2024-03-31…）."""
    rolled = f"，遇{calendar.rest_kind(item.base_due) or '休息日'}顺延至{item.deadline.isoformat()}" if item.rolled else ""
    if item.extension is not None:
        date = f"（{item.due_date.isoformat()}），经批准延期至{item.extension.to.isoformat()}" + (f"（{rolled[1:]}）" if rolled else "")
    else:
        date = f"（{item.due_date.isoformat()}{rolled}）"
    if item.period:
        every = f"（{item.schedule}）" if item.schedule and item.schedule not in item.deadline_text else ""
        return f"完成时间{item.deadline_text}{every}，本期{item.period}{date}"
    return f"完成时间{item.deadline_text}{date}"


def _said(item: ItemStatus, round_id: str) -> str:
    latest = item.latest
    if item.rejected and item.unreported:
        return f"本轮报送的内容未被采用：{item.rejected}"
    if latest is None:
        return "本期未报送" if item.period else "从未报送进展"
    said = f"最近一次报送（{_round_label(latest)}）为“{latest.state}”"
    if round_id and item.unreported:
        return f"本轮（{round_id}轮）未报送，{said}"
    return said


def _reason(item: ItemStatus, as_of: dt.date, round_id: str, options: AssessOptions) -> str:
    when = _when(item, options.calendar)
    said = _said(item, round_id)
    cutoff = f"截至{as_of.isoformat()}"
    if item.status == NO_RECORD:
        return (f"{when}，该期在开始收集进度（{options.tracking_start.isoformat()}）之前已结束，"
                f"没有该期的报送，不作判断")
    if item.status == OVERDUE:
        return f"{when}，{cutoff}已逾期{item.days}天，{said}"
    if item.status in (DUE_SOON, UNREPORTED):
        left = "今日到期" if item.days == 0 else f"还剩{item.days}天"
        if item.workdays_left is not None:
            left += f"（{item.workdays_left}个工作日）"
        return f"{when}，{cutoff}{left}，{said}"
    closed = f"，{item.closure.closed_on.isoformat()}销号（{item.closure.record}）" if item.closed else ""
    if item.status == LATE_DONE:
        return f"{when}，实际完成于{item.completed_on.isoformat()}，逾期{item.days}天{closed}"
    if item.status == DONE:
        return f"{when}，已于{item.completed_on.isoformat()}完成{closed}"
    return f"{when}，{cutoff}尚未到期（还剩{item.days}天），{said}"


# --- the whole plan --------------------------------------------------------------------
def assess(registry: Registry, reports: list[Report], as_of: dt.date,
           options: AssessOptions | None = None, unit: str | None = None,
           internal: frozenset[str] | set[str] = frozenset(),
           rejected: dict[tuple[str, str, str], str] | None = None,
           area_name: str = "全县", extensions: list[Extension] = (), closures: list[Closure] = (),
           decided_until: dt.date | None = None) -> Assessment:
    """Every item of every responsible unit as of ``as_of``; ``unit``: only that unit
    (full name). Reports dated after ``as_of`` are ignored. ``internal``: full names
    of the issuing office's own entries (kept apart, see the module docstring);
    ``rejected``: (unit, milestone id, period key) -> why the latest round refused the
    unit's row; ``extensions``: approved 延期 (the latest approved by ``decided_until`` counts
    for its item); ``closures``: 销号 (those on or before ``decided_until``). ``decided_until``
    (default ``as_of``): a plan dated after its data's cut-off knows the office's decisions
    up to its own date — a document never asks for what the office has since excused. The calendar's record of weekend-only years is reset, so
    ``warnings`` speak of this assessment only."""
    options = options or AssessOptions()
    options.calendar.fallback_years.clear()
    reports = [r for r in reports if r.reported_on is None or r.reported_on <= as_of]
    round_id, round_date = latest_round(reports, as_of)
    by_item: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in reports:
        by_item[(r.unit, r.milestone_id)].append(r)
    refused: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for (name, mid, period), why in (rejected or {}).items():
        refused[(name, mid)][period] = why
    extended: dict[tuple[str, str], dict[str, Extension]] = defaultdict(dict)
    decided_until = max(decided_until or as_of, as_of)
    for ext in sorted((e for e in extensions if e.approved_on <= decided_until), key=lambda e: e.approved_on):
        extended[(ext.unit, ext.milestone_id)][ext.period] = ext  # the latest approval stands
    closed: dict[tuple[str, str], dict[str, Closure]] = defaultdict(dict)
    for c in closures:
        if c.closed_on <= decided_until:
            closed[(c.unit, c.milestone_id)].setdefault(c.period, c)
    items: list[ItemStatus] = []
    expected: set[tuple[str, str]] = set()
    for task in registry.tasks:
        for ms in task.milestones:
            for name in task.unit_names:
                expected.add((name, ms.id))
                if unit is not None and name != unit:
                    continue
                items += judge_milestone(ms, name, by_item.get((name, ms.id), []), as_of, round_id, options,
                                         task.no, task.category_no, refused.get((name, ms.id)),
                                         extended.get((name, ms.id)), closed.get((name, ms.id)))
    keys = {u.name: u.key for u in registry.units}
    for item in items:
        item.unit_key = keys.get(item.unit, item.unit)
    warnings = list(options.calendar.warnings())
    stray = sorted(k for k in by_item if k not in expected and (unit is None or k[0] == unit))
    for name, mid in stray:
        warnings.append(f"{name}报送了第{mid}项，但该项不是其负责事项（或编号不存在），已忽略")
    by_unit: dict[str, list[ItemStatus]] = defaultdict(list)  # one pass: a unit scan per unit is quadratic
    for i in items:
        by_unit[i.unit].append(i)
    summaries = [Summary(u.name, u.name, by_unit[u.name]) for u in registry.units if by_unit.get(u.name)]
    units = [s for s in summaries if s.key not in internal]
    supervised = [i for i in items if i.unit not in internal]
    categories = [Summary(str(c.no), f"{c.ordinal}{c.name}", [i for i in supervised if i.category_no == c.no])
                  for c in registry.categories]
    categories = [s for s in categories if s.items]
    return Assessment(as_of, round_id, round_date, options, supervised, units, categories,
                      Summary("", area_name, supervised), warnings,
                      [s for s in summaries if s.key in internal])


def milestone_summary(items: list[ItemStatus]) -> tuple[str, str]:
    """One milestone across units, for the whole area's 进展情况 column:
    (worst status word, "已完成5个单位，逾期2个单位：县交通运输局（逾期30天）、…").
    A recurring milestone is told period by period, latest first ("2026年第四季度：…；
    2026年第三季度：…"); periods nobody was asked about are summed up as 无记录."""
    if not items:
        return "", ""
    counted = [i for i in items if i.status not in UNCOUNTED]
    word = min(counted, key=item_sort_key).status if counted else min(items, key=item_sort_key).status
    periods: dict[str, list[ItemStatus]] = defaultdict(list)
    for item in items:
        periods[item.period].append(item)
    if list(periods) == [""]:
        return word, _units_text(items)
    order = sorted(periods, key=lambda p: periods[p][0].due_date or dt.date.min, reverse=True)
    parts, silent = [], []
    for period in order:
        group = periods[period]
        if all(i.status in UNCOUNTED for i in group) and any(i.status == NO_RECORD for i in group):
            silent.append(period)
        else:
            parts.append(f"{period}：{_units_text(group)}")
    if silent:
        parts.append(f"{'、'.join(reversed(silent))}：无记录（开始收集进度之前）")
    return word, "；".join(parts)


def _units_text(items: list[ItemStatus]) -> str:
    groups: dict[str, list[ItemStatus]] = defaultdict(list)
    for item in sorted(items, key=item_sort_key):
        groups[item.status].append(item)
    parts = []
    for status in (DONE, LATE_DONE, OVERDUE, UNREPORTED, DUE_SOON, ON_TRACK, NOT_APPLICABLE, NO_RECORD):
        group = groups.get(status)
        if not group:
            continue
        text = f"{status}{len(group)}个单位"
        if status in (OVERDUE, UNREPORTED, DUE_SOON):
            text += "：" + "、".join(f"{i.unit}（{i.label}）" if status == OVERDUE else i.unit for i in group)
        parts.append(text)
    extra = [i.unit for i in groups.get(OVERDUE, []) if i.unreported]
    text = "，".join(parts)
    if extra:
        text += f"；其中{'、'.join(extra)}本轮未报送"
    extended = [f"{i.unit}经批准延期至{cn_date(i.extension.to)}" for i in items if i.extension is not None]
    if extended:
        text += "；" + "、".join(extended)
    closed = [i.unit for i in items if i.closed]
    if closed:
        text += f"；{'、'.join(closed)}已销号"
    return text

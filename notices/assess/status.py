"""Where every unit stands on every milestone as of a date. Pure: no I/O.

Input: the registry, the reports of all rounds up to ``as_of`` (any order), the
date and the options ([status] and [calendar] of notices.toml). Output: an
``Assessment`` with one ``ItemStatus`` per (responsible unit, milestone), and
summaries per unit, per category and for the county. Every status carries a
one-line Chinese reason, so any figure can be explained to the unit concerned.

Rules
-----
Deadlines. A milestone has one due date per period (one period for a one-off
milestone). With ``roll_deadlines`` a due date on a rest day moves to the next
working day (calendar.py); all counting below uses that effective deadline.

Completions. A report with state 已完成 says the milestone was done on its
``completed_on`` (or, if the date was left blank, on the round date
``reported_on``). Completions from *any* round count, once per distinct date,
and only if not after ``as_of``. A completion once reported stays: a later
round's 正在推进 does not undo it (correct the round's data to withdraw it).

Periods. Period i is on time if a completion falls in its window
(deadline[i-1], deadline[i]]; the first window is open to the past, so work
done before the plan started counts. Windows do not overlap, so each
completion serves at most one period on time. A period with no completion in
its window can still be completed late by a completion after its deadline
that no period used on time; such spare completions are given to the missed
periods oldest first (逾期完成, days late = completion - deadline). A missed
quarter therefore needs an extra piece of work to be made good: one
inspection cannot count for two quarters.

A period's own status: 已完成 / 逾期完成 (resolved); otherwise 逾期 N 天 when
the deadline is before ``as_of`` (N = calendar days ``as_of - deadline``); 临期
when the deadline is ``as_of`` or at most ``warn_days`` after it (calendar
days, or working days with ``warn_in_workdays``; deadline == as_of is 临期 with
0 days left, never 逾期); else 正常推进.

Item status (one per unit and milestone), first rule that applies:

1. 不涉及 — the unit's latest report says so. Counted apart; never due or done.
2. 逾期 N 天 — some period is overdue and unresolved; N is the oldest one's.
3. 未报送 — some period is 临期 and unresolved, and the unit sent nothing on
   this milestone in the latest round.
4. 临期 — some period is 临期 and unresolved (days left of the nearest).
5. 逾期完成 / 已完成 — some period is resolved and every period due by
   ``as_of`` is resolved; 逾期完成 if any of them was late (days: the most).
6. 正常推进 — nothing due yet.

未报送 is also a flag. ``unreported`` is true when the item is pressing
(overdue or 临期, unresolved) and the unit has no report on it in the latest
round (the round with the greatest date up to ``as_of``; with no round at all,
nothing was ever reported). An overdue item is status 逾期 *and* may be
flagged unreported; ``flagged`` (逾期 or unreported) is what a 督办函 lists.
Done and not-yet-pressing items are never "unreported": nobody needs to
re-report finished work or work months away.

Figures. ``due`` (应完成): the item has a period whose deadline is on or
before ``as_of``, or was completed early. ``done``: due and no period overdue
(all due periods resolved, late or not). Completion rate = done / due over
the items not 不涉及; no due items -> rate None. ``worst`` of a summary is its
逾期 item with the most days overdue. Ranking (``rank_units``): rate
descending (exact fractions; None last), then number of 逾期 items ascending;
equal keys share a rank and the next rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from ..model import Milestone, Registry, Report
from .calendar import WorkCalendar, calendar_from_config

# Item statuses, worst first (the order of tables and sorting).
OVERDUE, UNREPORTED, DUE_SOON, LATE_DONE, ON_TRACK, DONE, NOT_APPLICABLE = (
    "逾期", "未报送", "临期", "逾期完成", "正常推进", "已完成", "不涉及")
STATUSES = (OVERDUE, UNREPORTED, DUE_SOON, LATE_DONE, ON_TRACK, DONE, NOT_APPLICABLE)
SEVERITY = {s: i for i, s in enumerate(STATUSES)}
RESOLVED = (DONE, LATE_DONE)


@dataclass
class AssessOptions:
    warn_days: int = 15
    warn_in_workdays: bool = False
    roll_deadlines: bool = True
    calendar: WorkCalendar = field(default_factory=WorkCalendar)


def options_from_config(config) -> AssessOptions:
    section = config.section("status") if config is not None else {}
    defaults = AssessOptions()
    return AssessOptions(
        warn_days=int(section.get("warn_days", defaults.warn_days)),
        warn_in_workdays=bool(section.get("warn_in_workdays", defaults.warn_in_workdays)),
        roll_deadlines=bool(section.get("roll_deadlines", defaults.roll_deadlines)),
        calendar=calendar_from_config(config),
    )


@dataclass
class PeriodStatus:
    period: str  # "2024年第一季度"
    due: dt.date  # as the plan says
    deadline: dt.date  # effective: rolled to a working day if configured
    status: str  # 已完成 / 逾期完成 / 逾期 / 临期 / 正常推进
    completed_on: dt.date | None = None
    days: int = 0  # 逾期: days overdue; 逾期完成: days late; 临期/正常推进: days left
    workdays_left: int | None = None  # 临期 with warn_in_workdays

    @property
    def resolved(self) -> bool:
        return self.status in RESOLVED


@dataclass
class ItemStatus:
    unit: str
    milestone_id: str
    task_no: int
    category_no: int
    requirement: str
    deadline_text: str  # as the plan writes it: "2024年底"
    status: str
    days: int = 0  # 逾期: days overdue; 逾期完成: days late; 临期/未报送: days left
    unreported: bool = False
    due: bool = False
    done: bool = False
    deadline: dt.date | None = None  # the effective deadline that decides the status
    latest: Report | None = None  # the unit's latest report on this milestone
    periods: list[PeriodStatus] = field(default_factory=list)
    reason: str = ""

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
        if self.status in (DUE_SOON, UNREPORTED):
            return f"{self.status}（剩{self.days}天）" if self.days else f"{self.status}（今日到期）"
        return self.status


def item_sort_key(item: ItemStatus) -> tuple:
    """Worst first: by status, then more days overdue/late first, fewer days left first."""
    days = -item.days if item.status in (OVERDUE, LATE_DONE) else item.days
    return (SEVERITY[item.status], days, _milestone_order(item.milestone_id), item.unit)


def _milestone_order(mid: str) -> tuple:
    try:
        return tuple(int(p) for p in mid.split("-"))
    except ValueError:
        return (10**9, mid)


@dataclass
class Summary:
    """Counts over a set of items: one unit, one category, or the county."""

    key: str  # unit full name, category number as text, or "" for the county
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
    items: list[ItemStatus]
    units: list[Summary]  # in directory order, only units with items
    categories: list[Summary]  # in plan order
    county: Summary
    warnings: list[str] = field(default_factory=list)

    def unit(self, name: str) -> Summary:
        return next(s for s in self.units if s.key == name)

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


def _completions(reports: list[Report], as_of: dt.date) -> list[dt.date]:
    days = set()
    for r in reports:
        if r.state == "已完成":
            day = r.completed_on or r.reported_on
            if day is not None and day <= as_of:
                days.add(day)
    return sorted(days)


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


def judge_periods(milestone: Milestone, completions: list[dt.date], as_of: dt.date,
                  options: AssessOptions) -> list[PeriodStatus]:
    """Each period's status (see the module docstring for the matching rule)."""
    deadlines = [_deadline(d.date, options) for d in milestone.dues]
    used: set[dt.date] = set()
    hit: list[dt.date | None] = []
    previous = dt.date.min
    for deadline in deadlines:  # on time: the earliest completion in the period's own window
        found = next((c for c in completions if previous < c <= deadline), None)
        if found is not None:
            used.add(found)
        hit.append(found)
        previous = max(previous, deadline)
    late: list[dt.date | None] = [None] * len(deadlines)
    for i, deadline in enumerate(deadlines):  # late: spare completions, oldest period first
        if hit[i] is None:
            found = next((c for c in completions if c > deadline and c not in used), None)
            if found is not None:
                used.add(found)
                late[i] = found
    out = []
    for due, deadline, on_time, late_on in zip(milestone.dues, deadlines, hit, late):
        p = PeriodStatus(due.period, due.date, deadline, ON_TRACK)
        if on_time is not None:
            p.status, p.completed_on = DONE, on_time
        elif late_on is not None:
            p.status, p.completed_on, p.days = LATE_DONE, late_on, (late_on - deadline).days
        elif deadline < as_of:
            p.status, p.days = OVERDUE, (as_of - deadline).days
        else:
            soon, workdays = _within_warning(deadline, as_of, options)
            p.status = DUE_SOON if soon else ON_TRACK
            p.days, p.workdays_left = (deadline - as_of).days, workdays
        out.append(p)
    return out


def judge_item(milestone: Milestone, unit: str, reports: list[Report], as_of: dt.date,
               round_id: str, options: AssessOptions, task_no: int = 0, category_no: int = 0) -> ItemStatus:
    """One unit on one milestone. ``reports``: that unit's reports on it, any round."""
    reports = [r for r in reports if r.reported_on is None or r.reported_on <= as_of]
    latest = _latest([r for r in reports if r.reported_on is not None]) or _latest(reports)
    item = ItemStatus(unit, milestone.id, task_no or milestone.task_no, category_no, milestone.requirement,
                      milestone.deadline, ON_TRACK, latest=latest)
    in_round = bool(round_id) and any(r.round_id == round_id for r in reports)
    if latest is not None and latest.state == NOT_APPLICABLE:
        item.status = NOT_APPLICABLE
        item.reason = f"最近一次报送（{_round_label(latest)}）为“不涉及”，不计入统计"
        return item
    periods = judge_periods(milestone, _completions(reports, as_of), as_of, options)
    item.periods = periods
    overdue = [p for p in periods if p.status == OVERDUE]
    soon = [p for p in periods if p.status == DUE_SOON]
    resolved = [p for p in periods if p.resolved]
    due_periods = [p for p in periods if p.deadline <= as_of]
    item.unreported = bool(overdue or soon) and not in_round
    if overdue:
        decisive = max(overdue, key=lambda p: p.days)
        item.status, item.days = OVERDUE, decisive.days
    elif soon:
        decisive = min(soon, key=lambda p: p.deadline)
        item.status, item.days = (UNREPORTED if item.unreported else DUE_SOON), decisive.days
    elif resolved and all(p.resolved for p in due_periods):
        late = [p for p in resolved if p.status == LATE_DONE]
        decisive = max(late, key=lambda p: p.days) if late else max(resolved, key=lambda p: p.deadline)
        item.status, item.days = (LATE_DONE, decisive.days) if late else (DONE, 0)
    else:
        decisive = next((p for p in periods if p.status == ON_TRACK), periods[-1] if periods else None)
        item.status = ON_TRACK
        item.days = decisive.days if decisive else 0
    item.deadline = decisive.deadline if decisive else None
    item.due = bool(due_periods) or item.status in RESOLVED
    item.done = item.due and not overdue and all(p.resolved for p in due_periods)
    item.reason = _reason(milestone, item, decisive, as_of, round_id, in_round, options)
    return item


# --- reasons -------------------------------------------------------------------------
def _round_label(report: Report) -> str:
    if report.round_id:
        return f"{report.round_id}轮"
    return report.reported_on.isoformat() if report.reported_on else "日期不详"


def _period_text(milestone: Milestone, p: PeriodStatus, calendar: WorkCalendar) -> str:
    rolled = f"，遇{calendar.rest_kind(p.due) or '休息日'}顺延至{p.deadline.isoformat()}" if p.deadline != p.due else ""
    if len(milestone.dues) > 1:
        return f"{p.period}（{p.due.isoformat()}{rolled}）"
    return f"{milestone.deadline}（{p.due.isoformat()}{rolled}）"


def _report_text(item: ItemStatus, round_id: str, in_round: bool) -> str:
    latest = item.latest
    if latest is None:
        return "从未报送进展"
    said = f"最近一次报送（{_round_label(latest)}）为“{latest.state}”"
    if round_id and not in_round and item.unreported:
        return f"本轮（{round_id}轮）未报送，{said}"
    return said


def _reason(milestone: Milestone, item: ItemStatus, p: PeriodStatus | None, as_of: dt.date,
            round_id: str, in_round: bool, options: AssessOptions) -> str:
    if p is None:
        return "该具体要求没有可计算的完成时间"
    head = "完成时间" + (f"{milestone.deadline}，其中" if len(milestone.dues) > 1 else "")
    when = head + _period_text(milestone, p, options.calendar)
    said = _report_text(item, round_id, in_round)
    cutoff = f"截至{as_of.isoformat()}"
    if item.status == OVERDUE:
        return f"{when}，{cutoff}已逾期{p.days}天，{said}"
    if item.status in (DUE_SOON, UNREPORTED):
        left = "今日到期" if p.days == 0 else f"还剩{p.days}天"
        if p.workdays_left is not None:
            left += f"（{p.workdays_left}个工作日）"
        return f"{when}，{cutoff}{left}，{said}"
    if item.status == LATE_DONE:
        return f"{when}，实际完成于{p.completed_on.isoformat()}，逾期{p.days}天"
    if item.status == DONE:
        if len(milestone.dues) > 1:
            done = [q for q in item.periods if q.resolved]
            return f"完成时间{milestone.deadline}，已完成{len(done)}个周期，最近一期{_period_text(milestone, p, options.calendar)}于{p.completed_on.isoformat()}完成"
        return f"{when}，已于{p.completed_on.isoformat()}完成"
    return f"{when}，{cutoff}尚未到期（还剩{p.days}天），{said}"


# --- the whole plan --------------------------------------------------------------------
def assess(registry: Registry, reports: list[Report], as_of: dt.date,
           options: AssessOptions | None = None, unit: str | None = None) -> Assessment:
    """Every (responsible unit, milestone) as of ``as_of``; ``unit``: only that unit
    (full name). Reports dated after ``as_of`` are ignored. The calendar's record
    of weekend-only years is reset, so ``warnings`` speak of this assessment only."""
    options = options or AssessOptions()
    options.calendar.fallback_years.clear()
    reports = [r for r in reports if r.reported_on is None or r.reported_on <= as_of]
    round_id, round_date = latest_round(reports, as_of)
    by_item: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in reports:
        by_item[(r.unit, r.milestone_id)].append(r)
    items: list[ItemStatus] = []
    expected: set[tuple[str, str]] = set()
    for task in registry.tasks:
        for ms in task.milestones:
            for name in task.unit_names:
                expected.add((name, ms.id))
                if unit is not None and name != unit:
                    continue
                items.append(judge_item(ms, name, by_item.get((name, ms.id), []), as_of, round_id, options,
                                        task.no, task.category_no))
    warnings = list(options.calendar.warnings())
    stray = sorted(k for k in by_item if k not in expected and (unit is None or k[0] == unit))
    for name, mid in stray:
        warnings.append(f"{name}报送了第{mid}项，但该项不是其负责事项（或编号不存在），已忽略")
    unit_names = [u.name for u in registry.units]
    by_unit: dict[str, list[ItemStatus]] = defaultdict(list)  # one pass: a unit scan per unit is quadratic
    for i in items:
        by_unit[i.unit].append(i)
    units = [Summary(n, n, by_unit.get(n, [])) for n in unit_names]
    units = [s for s in units if s.items]
    categories = [Summary(str(c.no), f"{c.ordinal}{c.name}", [i for i in items if i.category_no == c.no])
                  for c in registry.categories]
    categories = [s for s in categories if s.items]
    county = Summary("", "全县", items)
    return Assessment(as_of, round_id, round_date, options, items, units, categories, county, warnings)


def milestone_summary(items: list[ItemStatus]) -> tuple[str, str]:
    """One milestone across units, for the county's 进展情况 column:
    (worst status word, "已完成5个单位，逾期2个单位：县应急管理局（逾期30天）、…")."""
    if not items:
        return "", ""
    counted = [i for i in items if i.status != NOT_APPLICABLE]
    word = min(counted, key=item_sort_key).status if counted else NOT_APPLICABLE
    groups: dict[str, list[ItemStatus]] = defaultdict(list)
    for item in sorted(items, key=item_sort_key):
        groups[item.status].append(item)
    parts = []
    for status in (DONE, LATE_DONE, OVERDUE, UNREPORTED, DUE_SOON, ON_TRACK, NOT_APPLICABLE):
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
    return word, text

"""`notices status` and `notices table --progress`: the registry and the collected
rounds through the pure assessment (notices.assess.status)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..assess.status import (
    DONE,
    LATE_DONE,
    DUE_SOON,
    NO_RECORD,
    NOT_APPLICABLE,
    OVERDUE,
    UNREPORTED,
    Assessment,
    ItemStatus,
    Summary,
    assess,
    item_sort_key,
    milestone_summary,
    options_from_config,
    summary_sort_key,
)
from ..errors import NoticesError
from ..model import Report
from ..project import Project
from ..textfmt import cn_date


def load_reports(project: Project, as_of: dt.date) -> list[Report]:
    """Every report of every round up to as_of, units under their current full names
    (reports are stored by unit id: see ``project_records``)."""
    return project_records(project, as_of).reports


@dataclass
class Records:
    """What the project database says, in the names the directory uses today."""

    reports: list[Report]
    tracking_start: dt.date | None  # the first round's cut-off
    rejected: dict[tuple[str, str, str], str]  # (unit, milestone id, period key) -> why, latest round
    warnings: list[str]


def project_records(project: Project, as_of: dt.date, round_id: str | None = None) -> Records:
    """Reports up to ``as_of`` with stored unit keys turned into current names; rows of
    the latest round (or ``round_id``) refused at collection; where tracking started.
    A key no unit of the directory answers to (a unit removed with history left) is
    left out with a warning that says how much history that is."""
    from ..file.store import Store
    from ..project import db_path

    _, directory = project.load()
    store = Store(db_path(project))
    rounds = store.rounds()
    reports, lost = [], defaultdict(int)
    for r in store.reports_until(as_of):
        name = directory.name_for_key(r.unit)
        if name is None:
            lost[r.unit] += 1
            continue
        r.unit = name
        reports.append(r)
    warnings = [f"进度库中有单位“{store.unit_name(key) or key}”（编号 {key}）的{count}条填报，但单位名录中已没有该单位，"
                f"这些填报未计入。如系更名，请在 units.yaml 中把该单位的 id 写回“{key}”（或把原名写进 aliases）；"
                f"如确已撤并，可忽略本提示" for key, count in lost.items()]
    latest = round_id or next((r.id for r in reversed(rounds) if r.as_of <= as_of), None)
    rejected = {}
    for problem in store.skipped(latest) if latest else []:
        if problem.subject and (name := directory.name_for_key(problem.subject[0])):
            rejected.setdefault((name, *problem.subject[1:]), _short_reason(problem.message))
    return Records(reports, rounds[0].as_of if rounds else None, rejected, warnings)


def _short_reason(message: str) -> str:
    """The finding without the advice to the unit: "进展状态“完成”不在可选范围内"."""
    for cut in ("，应为", "（请", "，请", "；请"):
        message = message.split(cut)[0]
    return message.rstrip("。；，")


def internal_units(project: Project) -> frozenset[str]:
    """The issuing office's entry in the directory (full name), which is kept out of its
    own supervision: [office] unit, else the entry named like office_ref or the office;
    none with [escalation] supervise_office = true."""
    config = project.config
    if config.section("escalation").get("supervise_office", False):
        return frozenset()
    office = config.section("office")
    _, directory = project.load()
    named = str(office.get("unit", "") or "").strip()
    if named:
        try:
            return frozenset({directory.unit(named).name})
        except KeyError as exc:
            where = getattr(config, "path", None) or "notices.toml"
            raise NoticesError(f"{where}：[office] 中 unit = \"{named}\"：{exc.args[0]}。"
                               f"请写本办公室在 registry/units.yaml 中的名称") from None
    for candidate in (config.section("notices").get("office_ref", ""), office.get("name", ""), office.get("short", "")):
        found = directory.lookup(str(candidate or ""))
        if len(found) == 1:
            return frozenset(found)
    return frozenset()


def resolve_unit(project: Project, unit: str | None) -> str | None:
    """A unit's full name from any of its names (NoticesError in Chinese if unknown)."""
    if not unit:
        return None
    _, directory = project.load()
    try:
        return directory.unit(unit).name
    except KeyError as exc:
        raise NoticesError(exc.args[0]) from None


def assess_project(project: Project, as_of: dt.date, unit: str | None = None,
                   reports: list[Report] | None = None, decided_until: dt.date | None = None) -> Assessment:
    """The project's assessment as of a date (optionally one unit's). ``reports``
    overrides the database (for callers that already have them); ``decided_until``: the
    office's decisions (延期, 销号) up to this date count (default ``as_of``; a plan passes
    its 成文日期)."""
    registry, _ = project.load()
    name = resolve_unit(project, unit)
    records = project_records(project, as_of)
    if reports is None:
        reports = records.reports
    # no round yet: the office has not begun collecting, so no past period is judged
    options = options_from_config(project.config, records.tracking_start or as_of)
    from .items import decisions

    extensions, closures = decisions(project)
    result = assess(registry, reports, as_of, options, name, internal_units(project), records.rejected,
                    _area(project), extensions, closures, decided_until)
    result.warnings[:0] = records.warnings
    if not result.round_id:
        result.warnings.insert(0, f"截至{as_of.isoformat()}尚未收集任何一轮进度报送，所有到期事项均按未报送计")
    return result


def _area(project: Project) -> str:
    """How the jurisdiction is named: [notices] area (全县, 全区 …)."""
    from ..compose.common import options_from_config as notice_options

    return notice_options(project.config).area


def progress_for_table(project: Project, as_of: dt.date, unit: str | None) -> dict[str, tuple[str, str]]:
    """milestone id -> (status word, 进展情况 text) for the 序时进度表.

    Whole area: the worst status among the units and a summary ("已完成5个单位，
    逾期2个单位：县交通运输局（逾期30天）、…"), period by period for a recurring
    milestone. One unit: its status with days ("逾期30天") and the text it last
    reported (if it reported none: when it was completed, or 尚无报送; "本轮未报送。"
    first when it owes this round a report); for a recurring milestone each period
    in turn, latest first ("2026年第四季度：正常推进；2026年第三季度：已完成…").
    """
    result = assess_project(project, as_of, unit)
    if unit is None:
        return {mid: milestone_summary(items) for mid, items in result.by_milestone().items()}
    by_milestone: dict[str, list[ItemStatus]] = defaultdict(list)
    for summary in result.units + result.internal_units:
        for item in summary.items:
            by_milestone[item.milestone_id].append(item)
    out = {}
    for mid, items in by_milestone.items():
        if len(items) == 1 and not items[0].period:
            out[mid] = (items[0].label, _item_progress(items[0]))
            continue
        items = sorted(items, key=lambda i: i.due_date or dt.date.min, reverse=True)
        worst = min(items, key=item_sort_key)
        latest, rest = items[0], items[1:]
        parts = [f"{latest.period}：{latest.label}" + (f"，{text}" if (text := _item_progress(latest)) else "")]
        parts += [f"{i.period}：{i.label}" for i in rest if i.status not in (DONE, NO_RECORD, NOT_APPLICABLE)]
        if done := sum(1 for i in rest if i.status == DONE):
            parts.append(f"其余{done}期已完成")
        if silent := [i.period for i in rest if i.status == NO_RECORD]:
            parts.append(f"{'、'.join(reversed(silent))}：无记录")
        out[mid] = (f"{worst.period}{worst.label}", "；".join(parts))
    return out


def _item_progress(item: ItemStatus) -> str:
    said = []
    if item.extension is not None:
        said.append(f"经批准延期至{cn_date(item.extension.to)}。")
    if item.closed:
        said.append(f"已于{cn_date(item.closure.closed_on)}销号。")
    return "".join(said) + _progress_text(item)


def _progress_text(item: ItemStatus) -> str:
    text = item.latest.text.strip() if item.latest and item.latest.text else ""
    if item.unreported:
        if item.rejected:
            return f"本轮报送的内容未被采用（{item.rejected}）。" + (f"此前报送：{text}" if text else "")
        return "本轮未报送。" + (f"此前报送：{text}" if text else "")
    if not text and item.status in (DONE, LATE_DONE) and item.completed_on:
        return f"已于{item.completed_on.isoformat()}完成"
    if not text and item.latest is None and item.status != NO_RECORD:
        return "尚无报送"
    return text


# --- what a person reads ---------------------------------------------------------------
def percent_text(rate: float | None) -> str:
    from ..textfmt import cn_percent

    return "—" if rate is None else cn_percent(rate, 1)


def figures_text(s: Summary) -> str:
    """A summary's figures: "应完成事项12项，已完成8项，完成率66.7%；逾期2项，…"."""
    counts = s.counts
    parts = [f"应完成事项{s.due}项", f"已完成{s.done}项", f"完成率{percent_text(s.rate)}"]
    extra = [f"{word}{counts[word]}项" for word in (OVERDUE, UNREPORTED, DUE_SOON) if counts[word]]
    if s.unreported > counts[UNREPORTED]:
        extra.append(f"其中逾期且本轮未报送{s.unreported - counts[UNREPORTED]}项")
    return "，".join(parts) + ("；" + "，".join(extra) if extra else "")


def as_of_text(result: Assessment) -> str:
    """"截至2026年11月29日，最近一轮：2026-11（2026-11-29）"."""
    from ..textfmt import cn_date

    when = f"截至{cn_date(result.as_of)}"
    return when + (f"，最近一轮：{result.round_id}（{result.round_date.isoformat()}）" if result.round_id else "，尚无报送")


# --- selections and machine-readable output ------------------------------------------
ONLY = {
    "overdue": lambda i: i.status == OVERDUE,
    "unreported": lambda i: i.unreported,
    "due-soon": lambda i: i.status in (DUE_SOON, UNREPORTED),
}


def select_items(items: list[ItemStatus], only: str | None) -> list[ItemStatus]:
    """Items worst first; ``only``: overdue (逾期), unreported (本轮未报送, 含逾期未报送),
    due-soon (临期, 含临期未报送)."""
    chosen = [i for i in items if only is None or ONLY[only](i)]
    return sorted(chosen, key=item_sort_key)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _rate(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def summary_dict(summary: Summary) -> dict:
    worst = summary.worst
    return {
        "name": summary.name, "due": summary.due, "done": summary.done, "rate": _rate(summary.rate),
        "counts": summary.counts, "overdue": summary.overdue, "unreported": summary.unreported,
        "worst": {"unit": worst.unit, "milestone_id": worst.milestone_id, "days": worst.days} if worst else None,
    }


def item_dict(item: ItemStatus) -> dict:
    latest = item.latest
    return {
        "unit": item.unit, "milestone_id": item.milestone_id, "task_no": item.task_no,
        "category_no": item.category_no, "requirement": item.requirement, "deadline_text": item.deadline_text,
        "deadline": _iso(item.deadline), "status": item.status, "label": item.label, "days": item.days,
        "unreported": item.unreported, "flagged": item.flagged, "due": item.due, "done": item.done,
        "reason": item.reason,
        "latest": None if latest is None else {
            "round_id": latest.round_id, "reported_on": _iso(latest.reported_on), "state": latest.state,
            "completed_on": _iso(latest.completed_on), "percent": latest.percent, "text": latest.text,
            "source": latest.source,
        },
        "item_id": item.item_id, "period": item.period, "period_key": item.period_key,
        "due_date": _iso(item.due_date), "completed_on": _iso(item.completed_on), "rejected": item.rejected,
        "extended_to": _iso(item.extension.to) if item.extension else None,
        "closed_on": _iso(item.closure.closed_on) if item.closure else None,
    }


def assessment_dict(result: Assessment, only: str | None = None) -> dict:
    """The assessment as JSON-ready data. Units worst first, each with its rank
    and its items (with ``only``: the matching items, and only units that have any)."""
    ranks = {s.key: rank for rank, s in result.ranking()}
    units = []
    for summary in sorted(result.units, key=summary_sort_key):
        items = select_items(summary.items, only)
        if only is not None and not items:
            continue
        units.append({"unit": summary.key, "rank": ranks[summary.key], **summary_dict(summary),
                      "items": [item_dict(i) for i in items]})
    opts = result.options
    return {
        "as_of": result.as_of.isoformat(),
        "round": {"id": result.round_id, "date": _iso(result.round_date)} if result.round_id else None,
        "settings": {"warn_days": opts.warn_days, "warn_in_workdays": opts.warn_in_workdays,
                     "roll_deadlines": opts.roll_deadlines, "tracking_start": _iso(opts.tracking_start)},
        "only": only,
        "warnings": list(result.warnings),
        "county": summary_dict(result.county),
        "categories": [{"no": int(s.key), **summary_dict(s)} for s in result.categories],
        "units": units,
        # the issuing office's own items: listed, never ranked or sent a document
        "internal": [{"unit": s.key, **summary_dict(s), "items": [item_dict(i) for i in select_items(s.items, only)]}
                     for s in result.internal_units],
    }

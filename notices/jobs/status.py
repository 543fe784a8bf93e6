"""`notices status` and `notices table --progress`: the registry and the collected
rounds through the pure assessment (notices.assess.status)."""

from __future__ import annotations

import datetime as dt

from ..assess.status import (
    DONE,
    LATE_DONE,
    DUE_SOON,
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


def load_reports(project: Project, as_of: dt.date) -> list[Report]:
    """Every report of every round up to as_of from the project database."""
    try:
        from ..file.store import Store
    except ImportError:  # the store ships with progress collection
        raise NoticesError("本版本尚不支持进度数据库，无法读取已收集的进度") from None
    from ..project import db_path

    return Store(db_path(project)).reports_until(as_of)


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
                   reports: list[Report] | None = None) -> Assessment:
    """The project's assessment as of a date (optionally one unit's). ``reports``
    overrides the database (for callers that already have them)."""
    registry, _ = project.load()
    name = resolve_unit(project, unit)
    if reports is None:
        reports = load_reports(project, as_of)
    result = assess(registry, reports, as_of, options_from_config(project.config), name)
    result.county.name = _area(project)
    if not result.round_id:
        result.warnings.insert(0, f"截至{as_of.isoformat()}尚未收集任何一轮进度报送，所有到期事项均按未报送计")
    return result


def _area(project: Project) -> str:
    """How the jurisdiction is named: [notices] area (全县, 全区 …)."""
    from ..compose.common import options_from_config as notice_options

    return notice_options(project.config).area


def progress_for_table(project: Project, as_of: dt.date, unit: str | None) -> dict[str, tuple[str, str]]:
    """milestone id -> (status word, 进展情况 text) for the 序时进度表.

    County-wide: the worst status among the units and a summary ("已完成5个单位，
    逾期2个单位：县交通运输局（逾期30天）、…"). One unit: its status with days
    ("逾期30天") and the text it last reported (if it reported none: when it was
    completed, or 尚无报送; "本轮未报送。" first when it owes this round a report).
    """
    result = assess_project(project, as_of, unit)
    if unit is None:
        return {mid: milestone_summary(items) for mid, items in result.by_milestone().items()}
    out = {}
    for item in result.items:
        text = item.latest.text.strip() if item.latest and item.latest.text else ""
        done = [p.completed_on for p in item.periods if p.resolved and p.completed_on]
        if item.unreported:
            text = "本轮未报送。" + (f"此前报送：{text}" if text else "")
        elif not text and item.status in (DONE, LATE_DONE) and done:
            text = f"已于{max(done).isoformat()}完成"
        elif not text and item.latest is None:
            text = "尚无报送"
        out[item.milestone_id] = (item.label, text)
    return out


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
        "periods": [{"period": p.period, "due": _iso(p.due), "deadline": _iso(p.deadline), "status": p.status,
                     "completed_on": _iso(p.completed_on), "days": p.days} for p in item.periods],
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
                     "roll_deadlines": opts.roll_deadlines},
        "only": only,
        "warnings": list(result.warnings),
        "county": summary_dict(result.county),
        "categories": [{"no": int(s.key), **summary_dict(s)} for s in result.categories],
        "units": units,
    }

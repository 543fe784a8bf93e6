"""`notices status` and `notices table --progress`: the registry and the collected
rounds through the pure assessment (notices.assess.status)."""

from __future__ import annotations

import datetime as dt

from ..assess.status import Assessment, assess, milestone_summary, options_from_config
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
    if not result.round_id:
        result.warnings.insert(0, f"截至{as_of.isoformat()}尚未收集任何一轮进度报送，所有到期事项均按未报送计")
    return result


def progress_for_table(project: Project, as_of: dt.date, unit: str | None) -> dict[str, tuple[str, str]]:
    """milestone id -> (status word, 进展情况 text) for the 序时进度表.

    County-wide: the worst status among the units and a summary ("已完成5个单位，
    逾期2个单位：县应急管理局（逾期30天）、…"). One unit: its status with days
    ("逾期30天") and the text it last reported.
    """
    result = assess_project(project, as_of, unit)
    if unit is None:
        return {mid: milestone_summary(items) for mid, items in result.by_milestone().items()}
    out = {}
    for item in result.items:
        text = item.latest.text.strip() if item.latest and item.latest.text else ""
        if item.unreported:
            text = ("本轮未报送。" + (f"此前报送：{text}" if text else "")).rstrip()
        elif not text and item.latest is None:
            text = "未报送进展"
        out[item.milestone_id] = (item.label, text)
    return out

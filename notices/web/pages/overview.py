"""总览 (the area's figures, every unit with its lamp, the chart, filters) and 单位 (one
unit: its items, what it reported, the documents it was sent and its replies).
What `notices status` prints, read from the same assessment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask import Blueprint, render_template, request

from ...assess.lamp import MEANING, lamp
from ...assess.status import STATUSES, UNREPORTED, Summary, summary_sort_key
from ...errors import NoticesError
from ...jobs.status import as_of_text, assess_project, figures_text, percent_text, select_items
from ...project import db_path
from ..app import project
from ..chart import SHOWN, bars
from . import parse_day

bp = Blueprint("overview", __name__)


def _as_of() -> dt.date:
    return parse_day(request.args.get("as_of"), "截至日期", dt.date.today())


def _matches(item, status: str, category: int | None) -> bool:
    if category is not None and item.category_no != category:
        return False
    return not status or item.status == status or (status == UNREPORTED and item.unreported)


def _row(summary: Summary, rank: int | None) -> dict:
    counts = summary.counts
    worst = summary.worst
    return {"key": summary.key, "name": summary.name, "rank": rank, "lamp": lamp(summary),
            "due": summary.due, "done": summary.done, "rate": percent_text(summary.rate), "counts": counts,
            "unreported": summary.unreported,
            "worst": f"{worst.milestone_id}{'（' + worst.period + '）' if worst.period else ''} 逾期{worst.days}天"
            if worst else ""}


@bp.get("/")
def page():
    proj = project()
    error = None
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    group = request.args.get("group", "")
    try:
        category = int(request.args["category"]) if request.args.get("category") else None
    except ValueError:
        category = None
    try:
        as_of = _as_of()
    except NoticesError as exc:
        error, as_of = {"message": exc.message, "problems": []}, dt.date.today()
    result = assess_project(proj, as_of)
    registry, directory = proj.load()
    members = set(directory.members(group)) if group in directory.groups else None
    ranks = {s.key: rank for rank, s in result.ranking()}
    rows = []
    for summary in sorted(result.units, key=summary_sort_key):
        if members is not None and summary.key not in members:
            continue
        items = [i for i in summary.items if _matches(i, status, category)]
        if (status or category is not None) and not items:
            continue
        shown = Summary(summary.key, summary.name, items) if category is not None else summary
        rows.append(_row(shown, ranks[summary.key]))
    internal = [_row(s, None) for s in result.internal_units]
    area = result.county
    if category is not None:
        area = next((c for c in result.categories if c.key == str(category)), area)
    chart, width, height = bars(result.categories, percent_text)
    return render_template(
        "overview.html", error=error, result=result, as_of=as_of, as_of_text=as_of_text(result),
        area=area, area_figures=figures_text(area), rows=rows, internal=internal, chart=chart,
        chart_w=width, chart_h=height, legend=SHOWN, statuses=STATUSES, status=status, group=group,
        groups=[(g.id, g.name) for g in directory.groups.values() if directory.members(g.id)],
        categories=[(c.no, f"{c.ordinal}{c.name}") for c in registry.categories], category=category,
        meaning=MEANING)


@bp.get("/unit")
def unit():
    proj = project()
    _, directory = proj.load()
    as_of = _as_of()
    try:
        found = directory.unit(request.args.get("u", ""))
    except KeyError as exc:
        raise NoticesError(exc.args[0]) from None
    result = assess_project(proj, as_of)
    summary = next((s for s in result.units + result.internal_units if s.key == found.name), None)
    status = request.args.get("status", "")
    only = {"逾期": "overdue", "未报送": "unreported", "临期": "due-soon"}.get(status)
    items = select_items(summary.items, only) if summary else []
    ranks = {s.key: rank for rank, s in result.ranking()}
    return render_template(
        "unit.html", unit=found, as_of=as_of, as_of_text=as_of_text(result), summary=summary,
        row=_row(summary, ranks.get(found.name)) if summary else None,
        figures=figures_text(summary) if summary else "", items=items, status=status,
        internal=summary in result.internal_units, rounds=_reports(proj, found, as_of),
        documents=_documents(proj, found), steps=_item_steps(proj, found), meaning=MEANING)


def _item_steps(proj, unit) -> list[tuple[str, object]]:
    """The office's own steps on the unit's items (延期, 不予延期, 销号), oldest first."""
    from ...jobs.history import histories

    office_steps = ("延期", "不予延期", "销号")
    return sorted(((item, e) for (key, item), entries in histories(proj).items() if key == unit.key
                   for e in entries if e.step in office_steps), key=lambda pair: (pair[1].day, pair[0]))


def _reports(proj, unit, as_of: dt.date) -> list[dict]:
    """What the unit reported, round by round (newest first)."""
    from ...file.store import Store

    store = Store(db_path(proj))
    info = {r.id: r for r in store.rounds()}
    by_round = defaultdict(list)
    for report in store.reports_until(as_of):
        if report.unit == unit.key:
            by_round[report.round_id].append(report)
    return [{"id": rid, "info": info.get(rid), "reports": reports}
            for rid, reports in sorted(by_round.items(), reverse=True)]


def _documents(proj, unit) -> list[dict]:
    """Every document of the register addressed to the unit or naming it, with its replies."""
    from ...file.register import Register

    register = Register(db_path(proj), proj.root)
    out = []
    for record in register.list():
        if unit.key not in record.subjects and unit.name not in record.recipients:
            continue
        out.append({"record": record, "items": record.subjects.get(unit.key, ()),
                    "replies": register.replies(record.doc_number) if record.status == "issued" else [],
                    "meeting": record.details.get("meeting", "").replace("T", " ")})
    return sorted(out, key=lambda d: (d["record"].issued_on or dt.date.min, d["record"].serial), reverse=True)

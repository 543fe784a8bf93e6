"""通报: the round's progress to all units, in 文件格式.

Structure (情况通报): basis → 总体情况 with the county's and each category's
figures → 各单位完成情况 (ranking as 附件1, commended units) → 存在的问题
(lagging units; criticised units by name with their items) → 工作要求;
附件 1 the ranking (rendered by the template), 附件 2 the 序时进度表 (produced
elsewhere, named here); 版记 with the printer and print date. Pure.
"""

from __future__ import annotations

import datetime as dt

from ..assess.status import OVERDUE, Assessment, Summary, rank_units, unit_items
from ..model import Registry
from ..textfmt import chinese_ordinal, cn_date
from .common import (
    NoticeOptions,
    Office,
    clean,
    deadline_label,
    figures,
    heading,
    n,
    para,
    plan_citation,
    plan_core,
    rate_text,
    sub,
)

RANKING_TITLE = "各单位任务完成情况排名"


def tongbao_title(registry: Registry) -> str:
    """关于安全生产治本攻坚三年行动任务进展情况的通报"""
    return f"关于{plan_core(registry.plan)}任务进展情况的通报"


def commendable(summary: Summary) -> bool:
    """Every due item done, nothing overdue, and nothing owed this round (a unit
    named for not reporting is not praised in the same 通报)."""
    return summary.due > 0 and summary.done == summary.due and summary.overdue == 0 and summary.unreported == 0


TOWNS = ("乡镇", "街道")


def ranking_rows(summaries: list[Summary], min_due: int = 0) -> list[dict]:
    """One ranking table: ties share a rank, their 名次 cells merged; units with fewer
    than ``min_due`` due items follow, unranked (名次 "—")."""
    ranked = [s for s in summaries if s.due >= min_due] if min_due else summaries
    rows, previous = [], None
    for rank, s in rank_units(ranked):
        rows.append(dict(rank=rank, rank_merge="continue" if rank == previous else "restart", unit=s.key,
                         due=s.due, done=s.done, overdue=s.overdue, rate=rate_text(s)))
        previous = rank
    rows += [dict(rank="—", rank_merge="restart", unit=s.key, due=s.due, done=s.done, overdue=s.overdue,
                  rate=rate_text(s)) for s in summaries if s not in ranked]
    return rows


def ranking_groups(registry: Registry, assessment: Assessment, options: NoticeOptions) -> list[dict]:
    """附件1: the departments and the 乡镇（街道） ranked apart (a township is not measured
    against a bureau), each group titled, with a note naming what it leaves unranked."""
    kinds = {u.name: u.kind for u in registry.units}
    towns = [s for s in assessment.units if kinds.get(s.key) in TOWNS]
    departments = [s for s in assessment.units if s not in towns]
    level = options.area[-1] if options.area else "县"
    groups = [(f"{level}直部门", departments), ("乡镇（街道）", towns)]
    out = []
    for title, members in ((t, m) for t, m in groups if m):
        few = [s for s in members if s.due < options.rank_min_due]
        note = (f"注：到期事项不足{n(options.rank_min_due)}项的单位不参与排名，列于表末（名次栏为“—”）。"
                if few and options.rank_min_due else "")
        out.append({"title": f"{chinese_ordinal(len(out) + 1)}、{title}", "rows": ranking_rows(members, options.rank_min_due),
                    "note": note})
    return out


def _names(summaries: list[Summary]) -> str:
    return "、".join(s.key for s in summaries)


DETAILS_TITLE = "通报批评单位逾期事项清单"


def detail_rows(escalated: list[Summary], routes: dict[str, list] | None) -> list[dict]:
    """附件3: each criticised unit's overdue items, one row each (a supporting unit's item
    in its lead unit's rows names the supporting unit)."""
    rows = []
    for s in escalated:
        items = (routes or {}).get(s.key)
        for i in [i for i in (items if items is not None else unit_items(s)) if i.status == OVERDUE]:
            unit = s.key + (f"（配合单位{i.unit}）" if i.unit != s.key else "")
            rows.append(dict(no=len(rows) + 1, unit=unit, task=i.milestone_id, requirement=clean(i.requirement),
                             deadline=deadline_label(i), overdue_days=n(i.days)))
    return rows


def tongbao_context(registry: Registry, assessment: Assessment, office: Office, doc_number: str,
                    issued_on: dt.date, escalated_units: list[str], commended_units: list[str] | None = None,
                    duban_refs: dict[str, tuple[str, dt.date]] | None = None,
                    options: NoticeOptions | None = None, print_date: dt.date | None = None,
                    table_title: str | None = None, *, report_due: dt.date,
                    routes: dict[str, list] | None = None, closed: list | None = None) -> dict:
    """The 通报.docx context.

    ``escalated_units``: full names of the units criticised by name (the
    caller decides: 督办函 reply deadline passed, still overdue); ``duban_refs``:
    unit -> (督办函 文号, date) cited for them (a unit named without one is not said
    to have been supervised). ``commended_units``: default every unit with all due
    items done and nothing overdue. ``table_title``: the attached 序时进度表's title
    (default the plan's table title). ``report_due``: the date by which the units
    concerned report their rectification in writing (the register keeps it, and
    the ladder waits for it): computed by the caller (calendar.add_workdays). ``closed``:
    items verified complete (销号) since the last 通报, listed under 各单位完成情况."""
    options = options or NoticeOptions()
    duban_refs = duban_refs or {}
    ref, county, as_of = office.ref, assessment.county, assessment.as_of
    by_name = {s.key: s for s in assessment.units}
    unknown = [u for u in [*escalated_units, *(commended_units or [])] if u not in by_name]
    if unknown:
        raise ValueError(f"not in the assessment: {unknown}")
    if commended_units is None:
        commended = [s for s in assessment.units if commendable(s)]
    else:
        commended = [by_name[u] for u in commended_units]
    escalated = [by_name[u] for u in escalated_units]
    table = table_title or registry.plan.table_title

    basis = f"根据{plan_citation(registry.plan)}要求，{ref}"
    if assessment.round_date is not None and assessment.round_date != as_of:
        basis += f"依据{cn_date(assessment.round_date)}各单位报送的进展情况，"
    basis += f"对截至{cn_date(as_of)}各责任单位任务落实情况进行了调度。现将有关情况通报如下："
    body = [para(basis), heading(1, "总体情况")]

    lagging = [s for s in assessment.units if s.overdue]
    silent = [s for s in assessment.units if s.unreported]
    total = f"{options.area}{figures(county)}"
    if county.overdue:
        total += f"；逾期未完成{n(county.overdue)}项，涉及{n(len(lagging))}个单位"
    if county.unreported:
        total += f"；本轮未报送进展{n(county.unreported)}项，涉及{n(len(silent))}个单位"
    body.append(para(total + "。"))
    for c in assessment.categories:
        text = f"{c.name}：{figures(c)}" if c.due else f"{c.name}：暂无到期事项"
        if c.overdue:
            text += f"，逾期{n(c.overdue)}项"
        body.append(para(text + "。"))

    groups = ranking_groups(registry, assessment, options)
    body.append(heading(2, "各单位完成情况"))
    apart = "分部门和乡镇（街道）" if len(groups) > 1 else ""
    few = (f"；到期事项不足{n(options.rank_min_due)}项的单位不参与排名" if options.rank_min_due
           and any(r["rank"] == "—" for g in groups for r in g["rows"]) else "")
    body.append(para(f"按到期事项完成率从高到低{apart}排名（完成率相同的，逾期项数少者在前；二者均相同的，并列同一名次）"
                     f"{few}，排名情况见附件1。"))
    if commended:
        who = _names(commended) + (f"{n(len(commended))}个单位" if len(commended) > 1 else "")
        body.append(para(f"{who}到期事项全部完成，且无逾期事项，予以通报表扬。"))

    if closed:
        listed = "；".join(f"{i.unit}第{i.task_no}项任务“{clean(i.requirement)}”（序号{i.milestone_id}"
                          + (f"，{i.period}" if i.period else "") + f"，{cn_date(i.closure.closed_on)}销号）"
                          for i in closed)
        body.append(para(f"经{ref}核验，以下{n(len(closed))}项事项已完成并销号：{listed}。"))

    body.append(heading(3, "存在的问题"))
    if lagging or silent:
        if lagging:
            body.append(para(f"{n(len(lagging))}个单位有逾期未完成事项：" + "、".join(
                f"{s.key}（{n(s.overdue)}项）" for s in lagging) + "。"))
        if silent:
            body.append(para(f"{n(len(silent))}个单位本轮未按要求报送进展：" + "、".join(
                f"{s.key}（{n(s.unreported)}项）" for s in silent) + "。"))
    else:
        body.append(para("各单位到期事项均已完成，未发现逾期事项。"))
    details = detail_rows(escalated, routes)
    if escalated:
        supervised = all(s.key in duban_refs and as_of > duban_refs[s.key][1] for s in escalated)
        body.append(para("以下单位经督办仍未整改到位，予以通报批评：" if supervised else "对以下单位予以通报批评："))
        for i, s in enumerate(escalated, 1):
            text = f"{i}. {s.key}。"
            if s.key in duban_refs:
                number, day = duban_refs[s.key]
                text += f"{ref}已于{cn_date(day)}发函督办（{number}）" + ("，该单位仍未整改到位。" if as_of > day else "。")
            text += f"{figures(s)}，逾期{n(s.overdue)}项"
            if s.unreported:
                text += f"，本轮未报送进展{n(s.unreported)}项"
            body.append(para(text + "。"))
        if details:
            body.append(para("上述单位的逾期事项见附件3。"))

    body.append(heading(4, "工作要求"))
    steps = f"逐项分析原因，明确整改措施、责任人和完成时限，于{cn_date(report_due)}前将整改情况书面报送{ref}"
    if escalated:
        first = f"压实工作责任。被通报批评的单位要深刻反思，主要负责同志要亲自研究部署，{steps}。"
    elif lagging or silent:
        first = f"压实工作责任。存在逾期或未报送事项的单位，主要负责同志要亲自研究部署，{steps}。"
    else:
        first = "巩固工作成效。各单位要保持工作力度，对照序时进度表扎实推进后续任务。"
    body += [
        para(sub(1, first)),
        para(sub(2, "按时如实报送。各单位要严格按照方案要求按时报送任务进展情况和佐证材料，不得漏报、迟报、虚报。")),
        para(sub(3, "对标序时进度。各单位要对照序时进度表倒排工期、挂图作战，确保各项任务按期完成。")),
        para(sub(4, f"强化督导问效。{ref}将持续跟踪调度，对整改不力、逾期仍未完成的单位，"
                    "将按照方案要求对其主要负责人进行约谈。")),
    ]
    return {
        "organ_header": f"{office.name}文件",
        "doc_number": doc_number,
        "title": tongbao_title(registry),
        "recipients": options.tongbao_recipients,
        "body": body,
        "attachments": [RANKING_TITLE, table] + ([DETAILS_TITLE] if details else []),
        "signer": office.name,
        "date_cn": cn_date(issued_on),
        "note": "",
        "cc": "",
        "ranking": groups,
        "ranking_label": "附件1",
        "ranking_title": RANKING_TITLE,
        "printer": office.name,
        "print_date_cn": cn_date(print_date or issued_on),
        "table": None,  # 附件2 bound into the 通报: filled in by jobs.issue (the 序时进度表's rows)
        "details": details,
        "details_label": "附件3" if details else "",
        "details_title": DETAILS_TITLE if details else "",
    }

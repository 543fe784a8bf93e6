"""公开曝光: the ladder's last rung, a numbered 通报 for public release.

After a 约谈 whose rectification report deadline has passed with items still
open (rule 4; the office decides). It names the units and their open items in
neutral words — what was due, when, how long overdue — and the steps the register
holds for each (督办函, 通报, 约谈通知书 by 文号 and date; nothing that was not
sent), then what is asked of them; the 附注 says "此件公开发布" (GB/T 9704 §7.3.6).
It is set in the 通报 template (文件格式) and, for the government website, as a
standalone HTML page (render.exposure_html). Pure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..assess.escalation import DUBAN, TONGBAO, YUETAN, PastDoc
from ..assess.status import OVERDUE, ItemStatus
from ..model import Registry
from ..textfmt import cn_date
from .common import NoticeOptions, Office, clean, deadline_clause, heading, n, para, plan_citation, plan_core, sub

PUBLIC = "此件公开发布"


def exposure_title(registry: Registry, configured: str = "") -> str:
    """关于安全生产治本攻坚三年行动任务逾期未完成单位的通报 (or [exposure] title)."""
    return configured.strip() or f"关于{plan_core(registry.plan)}任务逾期未完成单位的通报"


@dataclass
class Exposed:
    """One unit exposed: its open items and the documents the register holds about them."""

    unit: str
    items: list[ItemStatus]
    earlier: list[PastDoc]


def history_text(ref: str, earlier: list[PastDoc]) -> str:
    """县安委会办公室于…向其发出督办函（…），于…印发通报（…）予以通报批评，于…发出约谈通知书（…），
    约谈其主要负责人，要求于…前报送书面整改报告: the register's documents only, in order."""
    said = []
    for d in sorted(earlier, key=lambda d: d.issued_on):
        if d.kind == DUBAN:
            said.append(f"于{cn_date(d.issued_on)}向其发出督办函（{d.doc_number}）")
        elif d.kind == TONGBAO:
            said.append(f"于{cn_date(d.issued_on)}印发通报（{d.doc_number}）予以通报批评")
        elif d.kind == YUETAN:
            text = f"于{cn_date(d.issued_on)}发出约谈通知书（{d.doc_number}），约谈其主要负责人"
            if d.reply_due:
                text += f"，要求于{cn_date(d.reply_due)}前报送书面整改报告"
            said.append(text)
    return f"{ref}" + "，".join(said) if said else ""


def item_fact(item: ItemStatus) -> str:
    """第1项任务“…”（序号1-1），完成时间为2024年底，已逾期698天 — facts, no judgement."""
    head = f"第{item.task_no}项任务“{clean(item.requirement)}”（序号{item.milestone_id}），{deadline_clause(item)}"
    if item.status == OVERDUE:
        return f"{head}，已逾期{n(item.days)}天"
    return f"{head}，本轮未报送进展情况"


def exposure_context(registry: Registry, exposed: list[Exposed], as_of: dt.date, office: Office, doc_number: str,
                     issued_on: dt.date, report_due: dt.date, options: NoticeOptions | None = None,
                     title: str = "") -> dict:
    """The 通报.docx context of a 曝光 (no ranking, no bound table; 附注 此件公开发布)."""
    options = options or NoticeOptions()
    ref = office.ref
    units = "、".join(e.unit for e in exposed)
    body = [para(f"根据{plan_citation(registry.plan)}要求，{ref}对各单位任务落实情况进行调度督办。截至{cn_date(as_of)}，"
                 f"{units}{'等' + n(len(exposed)) + '个单位' if len(exposed) > 1 else ''}仍有任务逾期未完成。"
                 "按照方案关于函告、通报、约谈、曝光的要求，现将有关情况通报如下："),
            heading(1, "基本情况")]
    for k, e in enumerate(exposed, 1):
        history = history_text(ref, e.earlier)
        open_items = f"截至{cn_date(as_of)}仍有{n(len(e.items))}项事项未完成"
        body.append(para(sub(k, f"{e.unit}。") + (f"{history}。" if history else "") + f"{open_items}："))
        body += [para(f"{i}. {item_fact(item)}。") for i, item in enumerate(e.items, 1)]
    body.append(heading(2, "有关要求"))
    body += [
        para(sub(1, f"上述单位要逐项制定整改措施，明确责任人和完成时限，于{cn_date(report_due)}前将整改情况书面报送{ref}。")),
        para(sub(2, f"{ref}将持续跟踪整改情况，逐项核验，完成一项、销号一项，销号情况另行公布。")),
        para(sub(3, "各单位要对照序时进度扎实推进各项任务，确保按期完成。")),
    ]
    return {
        "organ_header": f"{office.name}文件",
        "doc_number": doc_number,
        "title": title or exposure_title(registry),
        "recipients": options.tongbao_recipients,
        "body": body,
        "attachments": [],
        "signer": office.name,
        "date_cn": cn_date(issued_on),
        "note": PUBLIC,
        "cc": "",
        "ranking": [],
        "ranking_label": "",
        "ranking_title": "",
        "printer": office.name,
        "print_date_cn": cn_date(issued_on),
        "table": None,
        "details": [],
        "details_label": "",
        "details_title": "",
    }


def exposure_rows(exposed: list[Exposed]) -> list[dict]:
    """The items as table rows for the web page: 单位, 任务序号, 具体要求, 完成时间, 情况."""
    from .common import deadline_label

    return [{"unit": e.unit, "task": item.milestone_id, "requirement": clean(item.requirement),
             "deadline": deadline_label(item),
             "state": f"逾期{n(item.days)}天" if item.status == OVERDUE else "本轮未报送进展"}
            for e in exposed for item in e.items]

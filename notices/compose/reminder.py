"""工作提醒 (提示单): a unit told which of its items are close to their deadline.

The rung below the 督办函 (supervision platforms' 提示单, the yellow lamp): one
page to one unit, not a 函 — no 红头, no seal, no 发文字号 unless [reminder]
numbered says so — and the same words as plain text to paste into the office's
work group. Structure: basis and cut-off → the items, each with its deadline as
the plan words it (and an approved extension) and the days left → what to do (finish
on time, report, ask for an extension before the deadline) → what follows a miss
(a 督办函). Pure.
"""

from __future__ import annotations

import datetime as dt

from ..assess.status import ItemStatus
from ..errors import NoticesError
from ..model import Registry, Unit
from ..textfmt import cn_date
from .common import Office, contact_note, item_sentence, n, para, plan_citation

DEFAULT_TITLE = "工作提醒"


def reminder_context(registry: Registry, unit: Unit, items: list[ItemStatus], as_of: dt.date, office: Office,
                     doc_number: str, issued_on: dt.date, title: str = DEFAULT_TITLE) -> dict:
    """The 工作提醒.docx context; ``doc_number`` "" when reminders are not numbered."""
    if not items:
        raise NoticesError(f"{unit.name}截至{cn_date(as_of)}没有临期事项，无需工作提醒")
    ref = office.ref
    body = [para(f"根据{plan_citation(registry.plan)}要求，{ref}对各单位任务推进情况进行了调度。截至{cn_date(as_of)}，"
                 f"你单位以下{n(len(items))}项工作临近完成时间、尚未完成：")]
    body += [para(f"{i}. {item_sentence(item)}") for i, item in enumerate(items, 1)]
    body += [
        para("请你单位对照上述事项抓紧推进，确保按期完成，并按要求及时报送进展情况和佐证材料。"
             "确因客观原因不能按期完成的，请在完成时间之前提出延期申请（填报表“申请延期至”栏），经批准后按新的时间完成。"),
        para("逾期未完成的，将按照方案要求发函督办。"),
    ]
    return {
        "doc_number": doc_number,
        "title": title or DEFAULT_TITLE,
        "recipient": unit.name,
        "body": body,
        "signer": office.name,
        "date_cn": cn_date(issued_on),
        "note": contact_note(office),
    }


def reminder_text(context: dict) -> str:
    """The same reminder as plain text, to paste into a work group (CRLF: Windows' Notepad)."""
    lines = [f"【{context['title']}】" + (f"{context['doc_number']}" if context["doc_number"] else ""),
             f"{context['recipient']}："]
    lines += [f"　　{p['text']}" for p in context["body"]]
    lines += [context["signer"], context["date_cn"]]
    if context["note"]:
        lines.append(f"（{context['note']}）")
    return "\r\n".join(lines) + "\r\n"

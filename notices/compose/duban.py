"""督办函: a 函 in 信函格式 to one unit about its overdue and unreported items.

Structure (GB/T 9704 document types; 督办 practice): basis citing the plan by
title and 文号 → the unit's figures → the items (inline when few, else "详见附件"
and the items table as the letter's 附件, named in the 附件说明 and set on its
own page after the signature) → requirements → reply deadline and form →
consequence if late; the contact person goes in the 附注. Pure: the reply
deadline is computed by the caller (calendar.add_workdays) and passed in.
"""

from __future__ import annotations

import datetime as dt

from ..assess.status import OVERDUE, ItemStatus, Summary, unit_items
from ..errors import NoticesError
from ..model import Registry
from ..textfmt import cn_date
from .common import (
    NoticeOptions,
    Office,
    contact_note,
    addressee,
    unit_figures,
    heading,
    history_sentence,
    item_rows,
    item_sentence,
    n,
    para,
    plan_citation,
    plan_core,
    sub,
)


def duban_title(registry: Registry) -> str:
    """关于督促加快推进安全生产治本攻坚三年行动任务落实的函"""
    return f"关于督促加快推进{plan_core(registry.plan)}任务落实的函"


def duban_context(registry: Registry, summary: Summary, as_of: dt.date, office: Office, doc_number: str,
                  issued_on: dt.date, reply_due: dt.date, options: NoticeOptions | None = None,
                  round_date: dt.date | None = None, earlier: list[tuple[str, str, dt.date]] = (),
                  items: list[ItemStatus] | None = None, routed: list[ItemStatus] | None = None,
                  standing: bool = False) -> dict:
    """The 督办函.docx context for the unit of ``summary`` (its full name is
    ``summary.key``). ``as_of``: the assessment's cut-off; ``round_date``: the
    reporting round it rests on (cited in the basis when it differs); ``earlier``:
    (kind, 文号, date) of documents already sent about the unit's items (a letter
    issued again with --force cites them); ``items``: the items this letter takes up
    when not all the unit's flagged ones (the others are under a letter whose reply
    deadline runs: the letter says so and lists only the new ones); ``routed``: every
    flagged item the ladder routes to the unit — its own and, as a lead unit, its
    supporting units' on the tasks it leads (default: its own); ``standing``: the
    unit is headed by a member of the 县委常委会, so the requirements ask rather than
    direct its head."""
    options = options or NoticeOptions()
    flagged = routed if routed is not None else unit_items(summary)
    items = items if items is not None else flagged
    if not items:
        raise NoticesError(f"{summary.key}截至{cn_date(as_of)}没有逾期或未报送事项，无需发督办函")
    overdue = sum(1 for i in items if i.status == OVERDUE)
    unreported = sum(1 for i in items if i.unreported and i.status != OVERDUE)
    ref = office.ref
    basis = f"根据{plan_citation(registry.plan)}要求，{ref}"
    if round_date is not None and round_date != as_of:
        basis += f"依据{cn_date(round_date)}各单位报送的进展情况，"
    basis += f"对截至{cn_date(as_of)}各责任单位任务落实情况进行了调度。"
    counts = unit_figures(summary, flagged, "，请你单位督促落实")
    if len(items) < len(flagged):
        refs = "、".join(number for _, number, _ in earlier)
        counts += (f"其中{n(len(flagged) - len(items))}项此前已督办" + (f"（{refs}）" if refs else "")
                   + f"，本函不再列出；另外{n(len(items))}项尚未督办。")
    else:
        counts += history_sentence(ref, list(earlier), as_of)
    section = {(True, True): "逾期及未报送事项", (True, False): "逾期事项", (False, True): "未报送事项"}
    section_title = section[(bool(overdue), bool(unreported))]
    items_title = f"{section_title}清单"
    body = [para(basis + counts + "现将有关事项函告如下："), heading(1, section_title)]

    long = len(items) > options.long_list
    who = "你单位及配合单位" if any(i.unit != summary.key for i in items) else "你单位"
    if long:
        kinds = "、".join(k for k, c in (("逾期未完成", overdue), ("未按要求报送进展", unreported)) if c)
        body.append(para(f"{who}{kinds}的事项共{n(len(items))}项，详见附件，请逐项对照整改。"))
    else:
        body += [para(f"{i}. {item_sentence(item, addressee(item, summary.key))}") for i, item in enumerate(items, 1)]

    lead = ("提高思想认识。请你单位高度重视，由分管负责同志具体抓，" if standing else
            "提高思想认识。请你单位主要负责同志亲自过问，分管负责同志具体抓，")
    body += [
        heading(2, "整改要求"),
        para(sub(1, lead + "对照所列事项逐项分析逾期原因，明确责任人和完成时限，采取有力措施加快推进，确保尽快完成。")),
        para(sub(2, "如实报送进展。请严格按照方案要求，按时、如实报送任务进展情况和佐证材料，"
                    "不得漏报、迟报、虚报。")),
        para(sub(3, "举一反三抓落实。对尚未到期的事项，要对照序时进度倒排工期，防止出现新的逾期事项。")),
        heading(3, "报送要求"),
    ]
    where = f"电子版同时发送至{office.email}" if office.email else "并同时报送电子版"
    body += [
        para(f"请于{cn_date(reply_due)}前将整改情况书面报送{ref}。书面报告应写明逾期原因、已采取的整改措施、"
             f"责任人和完成时限，{'加盖单位公章' if standing else '经单位主要负责人签字并加盖单位公章'}，{where}。"),
        para("逾期未报送或整改不到位的，将按照方案要求予以通报。"),
    ]
    return {
        "organ": office.name,
        "doc_number": doc_number,
        "title": duban_title(registry),
        "recipient": summary.key,
        "body": body,
        "items": item_rows(items, summary.key) if long else [],
        # The list is the letter's only attachment: "附件" unnumbered, as in the 附件说明.
        "items_label": "附件" if long else "",
        "items_title": items_title if long else "",
        "attachments": [items_title] if long else [],
        "signer": office.name,
        "date_cn": cn_date(issued_on),
        "note": contact_note(office),
        "cc": "",
    }

"""约谈通知书: to a unit's 主要负责人 after a 督办函 and a 通报 did not work.

Structure (《安全生产约谈实施办法（试行）》（安委〔2018〕2号）; office
practice): why (the concrete failures, the earlier 督办函 and 通报 by 文号 and
date) → when and where → who attends (本人参加，不得委托他人代替) → what to
bring (情况说明、原因分析、整改方案) → the written rectification report and its
deadline, the next step (曝光) → contact in the 附注. Pure.

The template writes the recipient line as "{{ recipient }}主要负责人："; the
leader's name, when the directory has it, is named in the body.
"""

from __future__ import annotations

import datetime as dt

from ..assess.status import Summary, unit_items
from ..errors import NoticesError
from ..model import Registry, Unit
from ..textfmt import cn_date
from .common import (
    NoticeOptions,
    Office,
    addressee,
    contact_note,
    cn_time,
    unit_figures,
    heading,
    followed_up,
    history_sentence,
    item_sentence,
    para,
    plan_citation,
    sub,
)

BASIS = "《安全生产约谈实施办法（试行）》（安委〔2018〕2号）"


def yuetan_context(registry: Registry, unit: Unit, summary: Summary, as_of: dt.date,
                   earlier_docs: list[tuple[str, str, dt.date]], office: Office, doc_number: str,
                   issued_on: dt.date, meeting_time: dt.datetime, place: str, report_due: dt.date,
                   options: NoticeOptions | None = None, items: list | None = None) -> dict:
    """The 约谈通知书.docx context. ``earlier_docs``: (kind, 文号, date) of the
    督办函 and 通报 sent to this unit, oldest first; ``report_due``: the written
    rectification report's deadline (caller: add_workdays(meeting day,
    yuetan_report_workdays))."""
    options = options or NoticeOptions()
    place = place or options.yuetan_place
    if summary.key != unit.name:
        raise ValueError(f"summary of {summary.key} given for {unit.name}")
    items = items if items is not None else unit_items(summary)
    if not items:
        raise NoticesError(f"{unit.name}截至{cn_date(as_of)}没有逾期或未报送事项，不应约谈")
    ref = office.ref
    leader = f"（{unit.leader}同志）" if unit.leader else ""
    # "经督办仍未整改到位" only where the register holds the 督办 it speaks of and the
    # progress data postdate it
    why = "任务推进迟缓、经督办仍未整改到位" if followed_up(list(earlier_docs), as_of) else "任务推进迟缓"
    body = [
        para(f"根据{plan_citation(registry.plan)}和{BASIS}有关规定，鉴于你单位{why}，"
             f"{ref}决定对你单位主要负责人{leader}进行约谈。现将有关事项通知如下："),
        heading(1, "约谈事由"),
    ]
    reason = f"截至{cn_date(as_of)}，" + unit_figures(summary, items)
    reason += history_sentence(ref, list(earlier_docs), as_of)
    body.append(para(reason + "具体事项如下："))
    body += [para(f"{i}. {item_sentence(item, addressee(item, unit.name))}") for i, item in enumerate(items, 1)]
    body += [
        heading(2, "约谈时间和地点"),
        para(f"时间：{cn_time(meeting_time)}。"),
        para(f"地点：{place}。"),
        heading(3, "参加人员"),
        para(f"约谈方：{ref}负责同志及有关工作人员。"),
        para("被约谈方：你单位主要负责人、分管负责人及具体承办科室负责人。主要负责人须本人参加，不得委托他人代替。"),
        heading(4, "准备材料"),
        para("请你单位准备以下书面材料，经主要负责人签字并加盖单位公章，于约谈时提交："),
        para(sub(1, "情况说明：上述各项任务的推进情况和逾期、未报送的具体情况；")),
        para(sub(2, "原因分析：逾期、未报送的主客观原因；")),
        para(sub(3, "整改方案：逐项明确整改措施、责任人和完成时限。")),
        heading(5, "有关要求"),
        para(sub(1, f"请于约谈前将参加人员名单报送{ref}。")),
        para(sub(2, f"约谈后，你单位须于{cn_date(report_due)}前将书面整改报告报送{ref}，"
                    "报告须经主要负责人签字并加盖单位公章。")),
        para(sub(3, "约谈后整改不力、逾期仍未完成的，将按照方案要求予以公开曝光。")),
    ]
    return {
        "organ": office.name,
        "doc_number": doc_number,
        "recipient": unit.name,
        "body": body,
        "attachments": [],
        "signer": office.name,
        "date_cn": cn_date(issued_on),
        "note": contact_note(office),
        "cc": "",
    }

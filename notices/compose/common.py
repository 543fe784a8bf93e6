"""Shared pieces of the notice contexts (督办函, 通报, 约谈通知书). Pure: no I/O.

Each composer returns a dict with exactly the fields its template uses
(render.template_build.FIELDS); ``body`` is a list of {text, level}: level 0
正文, 1 "一、" heading (黑体), 2 "（一）" heading (楷体). Every date is written in
the 成文日期 style (2026年11月29日), every rate via babel zh_CN.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from babel.dates import format_date, format_time

from ..assess.status import OVERDUE, ItemStatus, Summary
from ..errors import NoticesError
from ..model import PlanInfo
from ..textfmt import chinese_ordinal, cn_date, cn_number, cn_percent

DEFAULT_OFFICE_REF = "县安委会办公室"


@dataclass
class Office:
    """The issuing office ([office] of notices.toml)."""

    name: str  # 某某县安全生产委员会办公室: 标志, signature, printer
    short: str = ""  # 机关代字 某安委办
    contact: str = ""
    phone: str = ""
    address: str = ""
    ref: str = DEFAULT_OFFICE_REF  # how the body text names the office
    email: str = ""  # where electronic copies of replies go


@dataclass
class NoticeOptions:
    """[notices] of notices.toml."""

    reply_workdays: int = 5  # 督办函: written reply within N working days
    long_list: int = 8  # more flagged items than this go to the items table
    yuetan_report_workdays: int = 5  # 约谈: rectification report within N working days
    yuetan_place: str = "县安委会办公室会议室"
    yuetan_time: str = "09:00"  # default start of a 约谈
    yuetan_notice_workdays: int = 3  # default 约谈 day: N working days after the notice
    tongbao_recipients: str = "各乡镇人民政府，各街道办事处，县安委会各成员单位"  # 通报 主送
    area: str = "全县"  # how the 通报 names the whole jurisdiction: 全县 / 全市 / 全区


def office_from_config(config) -> Office:
    """The issuing office; NoticesError (naming notices.toml) while its name is a placeholder."""
    from ..office import require_identity

    if config is not None:
        require_identity(config, ("office.name",))
    office = config.section("office") if config is not None else {}
    notices = config.section("notices") if config is not None else {}
    return Office(
        name=str(office.get("name", "")), short=str(office.get("short", "")),
        contact=str(office.get("contact", "")), phone=str(office.get("phone", "")),
        address=str(office.get("address", "")),
        ref=str(notices.get("office_ref") or DEFAULT_OFFICE_REF), email=str(notices.get("reply_email", "")),
    )


def office_ref(config) -> str:
    """How text names the office (县安委会办公室); needs no office name, unlike office_from_config."""
    notices = config.section("notices") if config is not None else {}
    return str(notices.get("office_ref") or DEFAULT_OFFICE_REF)


def options_from_config(config) -> NoticeOptions:
    section = config.section("notices") if config is not None else {}
    d = NoticeOptions()
    time = str(section.get("yuetan_time") or d.yuetan_time)
    try:
        dt.time.fromisoformat(time)
    except ValueError:
        where = getattr(config, "path", None) or "notices.toml"
        raise NoticesError(f"{where}：[notices] 中 yuetan_time = \"{time}\" 不是时间，请写成 \"09:00\" 或 \"14:30\"") from None
    return NoticeOptions(
        reply_workdays=int(section.get("reply_workdays", d.reply_workdays)),
        long_list=int(section.get("long_list", d.long_list)),
        yuetan_report_workdays=int(section.get("yuetan_report_workdays", d.yuetan_report_workdays)),
        yuetan_place=str(section.get("yuetan_place") or d.yuetan_place),
        yuetan_time=str(section.get("yuetan_time") or d.yuetan_time),
        yuetan_notice_workdays=int(section.get("yuetan_notice_workdays", d.yuetan_notice_workdays)),
        tongbao_recipients=str(section.get("tongbao_recipients") or d.tongbao_recipients),
        area=str(section.get("area") or d.area),
    )


# --- paragraphs ---------------------------------------------------------------------
def para(text: str, level: int = 0) -> dict:
    return {"text": text, "level": level}


def heading(n: int, text: str) -> dict:
    """Level-1 heading: 一、text"""
    return para(f"{chinese_ordinal(n)}、{text}", 1)


def sub(n: int, text: str) -> str:
    """A second-level numbered sentence inside a body paragraph: （一）text"""
    return f"（{chinese_ordinal(n)}）{text}"


# --- the plan -----------------------------------------------------------------------
_CORE = re.compile(r"^(?:.*?[县市区旗])?(?P<core>.+?)(?:实施方案|工作方案|方案)(?:[（(].*?[）)])?$")


def _named(plan: PlanInfo) -> str:
    from ..office import unfilled

    if unfilled(plan.title):
        raise NoticesError("registry/plan.yaml 中方案名称（plan 下的 title）仍是“待填写”，文书要引用它，请先填写方案全称")
    return plan.title.strip()


def plan_core(plan: PlanInfo) -> str:
    """"某某县安全生产治本攻坚三年行动实施方案（2024-2026年）" -> "安全生产治本攻坚三年行动"."""
    m = _CORE.match(_named(plan))
    return m.group("core") if m else plan.title.strip()


def plan_citation(plan: PlanInfo) -> str:
    """《某某县…实施方案（2024-2026年）》（某安委发〔2024〕3号）"""
    return f"《{_named(plan)}》" + (f"（{plan.doc_number}）" if plan.doc_number else "")


# --- numbers and dates --------------------------------------------------------------
def n(value: int) -> str:
    return cn_number(value)


def rate_text(summary: Summary) -> str:
    rate = summary.rate
    return cn_percent(rate) if rate is not None else "—"


def figures(summary: Summary) -> str:
    """应完成任务3项，已完成1项，完成率33.3%"""
    text = f"应完成任务{n(summary.due)}项，已完成{n(summary.done)}项"
    if summary.due:
        text += f"，完成率{rate_text(summary)}"
    return text


def weekday_date(day: dt.date) -> str:
    """2026年12月3日（星期四）"""
    return f"{cn_date(day)}（{format_date(day, 'EEEE', locale='zh_CN')}）"


def cn_time(moment: dt.datetime) -> str:
    """2026年12月3日（星期四）上午9:00"""
    return weekday_date(moment.date()) + format_time(moment.time(), "ah:mm", locale="zh_CN")


def contact_note(office: Office) -> str:
    """附注: 联系人：张三，联系电话：0415-1234567 ("" when neither is configured)."""
    parts = []
    if office.contact:
        parts.append(f"联系人：{office.contact}")
    if office.phone:
        parts.append(f"联系电话：{office.phone}")
    return "，".join(parts)


# --- items --------------------------------------------------------------------------
_TRAILING = "。；;，,、 "


def clean(text: str) -> str:
    return (text or "").strip().rstrip(_TRAILING)


def deadline_label(item: ItemStatus) -> str:
    """The deadline as the plan writes it; for a recurring milestone the period
    that decides the status, with its date: 2025年第四季度（2025年12月31日）."""
    if len(item.periods) > 1 and item.deadline is not None:
        period = next((p for p in item.periods if p.deadline == item.deadline and not p.resolved), None)
        if period is not None:
            return f"{period.period}（{cn_date(period.due)}）"
    return item.deadline_text


def _report_day(item: ItemStatus) -> str:
    day = item.latest.reported_on if item.latest else None
    return cn_date(day) if day else "日期不详"


def latest_label(item: ItemStatus) -> str:
    """Short form for the items table: what the unit last reported."""
    latest = item.latest
    if latest is None:
        return "从未报送"
    said = f"{_report_day(item)}报送：{latest.state}" + (f"（{clean(latest.text)}）" if clean(latest.text) else "")
    return f"本轮未报送（此前{said}）" if item.unreported else said


def overdue_days(item: ItemStatus) -> str:
    if item.ongoing:
        return "持续推进事项"
    if item.status == OVERDUE:
        return n(item.days)
    return "今日到期" if item.days == 0 else f"未逾期（剩{n(item.days)}天）"


def item_sentence(item: ItemStatus, as_of: dt.date, you: str = "你单位") -> str:
    """One flagged item in full: task number, requirement, deadline, days
    overdue (or left) and what the unit last reported."""
    head = f"第{item.task_no}项任务“{clean(item.requirement)}”（序号{item.milestone_id}），完成时间为{deadline_label(item)}"
    if item.ongoing:  # no date: what matters is the report each round
        head = f"第{item.task_no}项任务“{clean(item.requirement)}”（序号{item.milestone_id}）为持续推进事项（完成时间为{item.deadline_text}）"
        state = "每轮均须报送进展情况"
    elif item.status == OVERDUE:
        state = f"截至{cn_date(as_of)}已逾期{n(item.days)}天"
    elif item.days == 0:
        state = "今日到期"
    else:
        state = f"距完成时间仅剩{n(item.days)}天"
    latest = item.latest
    if latest is None:
        said = f"{you}至今未报送进展情况"
    else:
        text = clean(latest.text)
        earlier = f"{_report_day(item)}报送为“{latest.state}”" + (f"（{text}）" if text else "")
        said = f"{you}本轮未报送进展情况，此前于{earlier}" if item.unreported else f"{you}最近一次于{earlier}"
    return f"{head}，{state}；{said}。"


def item_rows(items: list[ItemStatus]) -> list[dict]:
    """Rows of the 督办函 items table."""
    return [dict(no=i, task=item.milestone_id, requirement=clean(item.requirement), deadline=deadline_label(item),
                 overdue_days=overdue_days(item), latest=latest_label(item))
            for i, item in enumerate(items, 1)]

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
    yuetan_minutes: int = 60  # one 约谈 per slot of this length
    yuetan_break: str = "12:00-14:30"  # no 约谈 in this span
    yuetan_day_end: str = "17:30"  # a 约谈 ends by then
    tongbao_recipients: str = "各乡镇人民政府，各街道办事处，县安委会各成员单位"  # 通报 主送
    area: str = "全县"  # how the 通报 names the whole jurisdiction: 全县 / 全市 / 全区
    rank_min_due: int = 3  # 通报 ranking: units with fewer due items are listed, not ranked


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
    where = getattr(config, "path", None) or "notices.toml"
    times = {}
    for key in ("yuetan_time", "yuetan_day_end"):
        text = str(section.get(key) or getattr(d, key))
        try:
            times[key] = dt.time.fromisoformat(text)
        except ValueError:
            raise NoticesError(f"{where}：[notices] 中 {key} = \"{text}\" 不是时间，请写成 \"09:00\" 或 \"14:30\"") from None
    lunch = str(section.get("yuetan_break") or d.yuetan_break)
    try:
        lunch_from, lunch_to = (dt.time.fromisoformat(t.strip()) for t in lunch.split("-"))
    except ValueError:
        raise NoticesError(f"{where}：[notices] 中 yuetan_break = \"{lunch}\" 应写成 \"12:00-14:30\"") from None
    minutes = int(section.get("yuetan_minutes", d.yuetan_minutes))
    first_end = dt.datetime.combine(dt.date.min, times["yuetan_time"]) + dt.timedelta(minutes=minutes)
    if minutes < 1 or first_end.time() > times["yuetan_day_end"] or first_end.date() != dt.date.min:
        raise NoticesError(f"{where}：[notices] 中约谈从 {times['yuetan_time']:%H:%M} 开始、每次 {minutes} 分钟，"
                           f"在 yuetan_day_end（{times['yuetan_day_end']:%H:%M}）之前排不下，请调整")
    return NoticeOptions(
        reply_workdays=int(section.get("reply_workdays", d.reply_workdays)),
        long_list=int(section.get("long_list", d.long_list)),
        yuetan_report_workdays=int(section.get("yuetan_report_workdays", d.yuetan_report_workdays)),
        yuetan_place=str(section.get("yuetan_place") or d.yuetan_place),
        yuetan_time=str(section.get("yuetan_time") or d.yuetan_time),
        yuetan_notice_workdays=int(section.get("yuetan_notice_workdays", d.yuetan_notice_workdays)),
        yuetan_minutes=minutes, yuetan_break=f"{lunch_from:%H:%M}-{lunch_to:%H:%M}",
        yuetan_day_end=f"{times['yuetan_day_end']:%H:%M}",
        tongbao_recipients=str(section.get("tongbao_recipients") or d.tongbao_recipients),
        area=str(section.get("area") or d.area),
        rank_min_due=int(section.get("rank_min_due", d.rank_min_due)),
    )


def meeting_hours(options: NoticeOptions):
    """The 约谈 slots' hours (assess.schedule.Hours) from the options."""
    from ..assess.schedule import Hours

    lunch_from, lunch_to = (dt.time.fromisoformat(t) for t in options.yuetan_break.split("-"))
    return Hours(dt.time.fromisoformat(options.yuetan_time), options.yuetan_minutes, lunch_from, lunch_to,
                 dt.time.fromisoformat(options.yuetan_day_end))


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
    """应完成事项3项，已完成1项，完成率33.3% (事项: the plan's dated requirements, each
    period of a recurring one counted once; 任务 are the plan's numbered tasks)."""
    text = f"应完成事项{n(summary.due)}项，已完成{n(summary.done)}项"
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


# --- history -------------------------------------------------------------------------
def _ladder_order(doc: tuple[str, str, dt.date]) -> tuple:
    """By date; on one day the 督办函 before the 通报 (the ladder's order)."""
    kind, _, day = doc
    return day, ("督办函", "通报").index(kind) if kind in ("督办函", "通报") else 2


def history_clause(ref: str, earlier: list[tuple[str, str, dt.date]]) -> str:
    """县安委会办公室先后于2026年12月2日向你单位发出督办函（…）、于…印发通报（…）对你
    单位予以通报批评: the documents the register holds about the unit's items, in
    the ladder's order; "" when there are none — a text never claims a warning that
    was not sent."""
    said = []
    for kind, number, day in sorted(earlier, key=_ladder_order):
        if kind == "督办函":
            said.append(f"于{cn_date(day)}向你单位发出督办函（{number}）")
        elif kind == "通报":
            said.append(f"于{cn_date(day)}印发通报（{number}）对你单位予以通报批评")
        else:
            said.append(f"于{cn_date(day)}向你单位发出{kind}（{number}）")
    if not said:
        return ""
    return ref + ("先后" if len(said) > 1 else "已") + "、".join(said)


def followed_up(earlier: list[tuple[str, str, dt.date]], as_of: dt.date) -> bool:
    """Whether the progress data postdate every earlier document: only then can a text
    say the unit "仍未整改到位" after it."""
    return bool(earlier) and as_of > max(day for _, _, day in earlier)


def history_sentence(ref: str, earlier: list[tuple[str, str, dt.date]], as_of: dt.date) -> str:
    """The history clause as a sentence: "…，你单位仍未整改到位。" when the data show it,
    else just "此前，…。"; "" when there is no history."""
    history = history_clause(ref, earlier)
    if not history:
        return ""
    if followed_up(earlier, as_of):
        return f"{history}，你单位仍未整改到位。"
    return f"此前，{history}。"


# --- items --------------------------------------------------------------------------
_TRAILING = "。；;，,、 "


def clean(text: str) -> str:
    return (text or "").strip().rstrip(_TRAILING)


_PINNED = re.compile(r"\d+\s*月\s*\d+\s*日|年底|年末|月底|月末")


def _month_day(day: dt.date, since: dt.date) -> str:
    """4月1日, or 2025年1月2日 when the year changes."""
    return cn_date(day) if day.year != since.year else f"{day.month}月{day.day}日"


def plan_deadline(item: ItemStatus) -> str:
    """The 完成时间 exactly as the plan words it, its schedule added when the wording
    does not say it: 2024年底, 各年度序时推动, 2024年（每季度）."""
    every = item.schedule if item.schedule and item.schedule not in item.deadline_text else ""
    return item.deadline_text + (f"（{every}）" if every else "")


def _computed(item: ItemStatus, always: bool) -> str:
    """The computed date where it adds something (the wording names no day, or
    ``always``), and the roll-over when the count uses it:
    2024年12月31日 / 2024年3月31日，遇休息日顺延至4月1日."""
    if item.due_date is None:
        return ""
    parts = []
    extended = item.extension is not None
    if always or (item.rolled and not extended) or not _PINNED.search(item.deadline_text):
        parts.append(cn_date(item.due_date))
    if extended:
        parts.append(extension_words(item))
    if item.rolled:
        parts.append(f"遇休息日顺延至{_month_day(item.deadline, item.base_due)}")
    return "，".join(parts)


def extension_words(item: ItemStatus) -> str:
    """经批准延期至2027年1月31日 (the plan's date stays in what precedes it)."""
    return f"经批准延期至{cn_date(item.extension.to)}"


def deadline_label(item: ItemStatus) -> str:
    """The deadline in one cell: the plan's wording, then the period and date that
    decide the status: 2024年底 · 2024年（2024年12月31日） · 2024年（每季度）：
    2024年第一季度（2024年3月31日，遇休息日顺延至4月1日）."""
    if item.period:
        return f"{plan_deadline(item)}：{item.period}（{_computed(item, True)}）"
    extra = _computed(item, False)
    return item.deadline_text + (f"（{extra}）" if extra else "")


def deadline_clause(item: ItemStatus) -> str:
    """For a sentence: 完成时间为2024年底 · 完成时间为2024年（每季度），其中2024年第一季度
    应于2024年3月31日前完成（遇休息日顺延至4月1日）."""
    if item.period:
        rolled = f"（遇休息日顺延至{_month_day(item.deadline, item.base_due)}）" if item.rolled else ""
        extended = f"，{extension_words(item)}" if item.extension is not None else ""
        return f"完成时间为{plan_deadline(item)}，其中{item.period}应于{cn_date(item.due_date)}前完成{extended}{rolled}"
    return f"完成时间为{deadline_label(item)}"


def _report_day(item: ItemStatus) -> str:
    day = item.latest.reported_on if item.latest else None
    return cn_date(day) if day else "日期不详"


def _rejected(item: ItemStatus) -> str:
    return f"本轮报送的内容未被采用（{item.rejected}）"


def latest_label(item: ItemStatus) -> str:
    """Short form for the items table: what the unit last reported on the item."""
    latest = item.latest
    if item.unreported and item.rejected:
        head = _rejected(item)
        return head + (f"，此前{_report_day(item)}报送：{latest.state}" if latest else "")
    if latest is None:
        return "该期未报送" if item.period else "从未报送"
    said = f"{_report_day(item)}报送：{latest.state}" + (f"（{clean(latest.text)}）" if clean(latest.text) else "")
    return f"本轮未报送（此前{said}）" if item.unreported else said


def overdue_days(item: ItemStatus) -> str:
    if item.ongoing:
        return "持续推进事项"
    if item.status == OVERDUE:
        return n(item.days)
    return "今日到期" if item.days == 0 else f"未逾期（剩{n(item.days)}天）"


def item_sentence(item: ItemStatus, you: str = "你单位") -> str:
    """One flagged item in full: task number, requirement, the deadline as the plan
    words it (for a recurring requirement, the period in words), days overdue (or
    left) and what the unit last reported on it. The cut-off date is said once, by
    the paragraph that introduces the items."""
    head = f"第{item.task_no}项任务“{clean(item.requirement)}”（序号{item.milestone_id}），{deadline_clause(item)}"
    what = f"{item.period}的" if item.period else ""
    if item.ongoing:  # no date: what matters is the report each round
        head = (f"第{item.task_no}项任务“{clean(item.requirement)}”（序号{item.milestone_id}）为持续推进事项"
                f"（完成时间为{item.deadline_text}）")
        state = "每轮均须报送进展情况"
    elif item.status == OVERDUE:
        state = f"已逾期{n(item.days)}天"
    elif item.days == 0:
        state = "今日到期"
    else:
        state = f"距完成时间仅剩{n(item.days)}天"
    latest = item.latest
    if item.unreported and item.rejected:
        said = f"{you}{_rejected(item)}"
    elif latest is None:
        said = f"{you}未报送{what}完成情况" if item.period else f"{you}至今未报送进展情况"
    else:
        text = clean(latest.text)
        earlier = f"{_report_day(item)}报送为“{latest.state}”" + (f"（{text}）" if text else "")
        said = f"{you}本轮未报送进展情况，此前于{earlier}" if item.unreported else f"{you}最近一次于{earlier}"
    return f"{head}，{state}；{said}。"


def addressee(item: ItemStatus, unit: str) -> str:
    """Who a letter to ``unit`` says did (or did not) report an item: 你单位, or the
    supporting unit whose item it is (配合单位县公安局)."""
    return "你单位" if item.unit == unit else f"配合单位{item.unit}"


def item_rows(items: list[ItemStatus], unit: str = "") -> list[dict]:
    """Rows of the 督办函 items table; a supporting unit's item names it."""
    return [dict(no=i, task=item.milestone_id,
                 requirement=clean(item.requirement) + (f"（配合单位：{item.unit}）" if unit and item.unit != unit else ""),
                 deadline=deadline_label(item), overdue_days=overdue_days(item), latest=latest_label(item))
            for i, item in enumerate(items, 1)]


def unit_figures(summary: Summary, items: list[ItemStatus], tail: str = "") -> str:
    """你单位应完成事项…；逾期3项。 and, for a lead unit whose letter carries its supporting
    units' failures, 你单位牵头的任务中，配合单位县公安局逾期1项{tail}。"""
    own = [i for i in items if i.unit == summary.key]
    others = [i for i in items if i.unit != summary.key]
    text = f"你单位{figures(summary)}" + (f"；{problem_counts(own)}" if own else "") + "。"
    if others:
        names = "、".join(dict.fromkeys(i.unit for i in others))
        text += f"你单位牵头的任务中，配合单位{names}{problem_counts(others)}{tail}。"
    return text


def problem_counts(items: list[ItemStatus]) -> str:
    """逾期3项、未报送2项（其中1项本轮报送的内容未被采用）: each item counted once, an
    overdue item the unit also failed to report as 逾期."""
    overdue = sum(1 for i in items if i.status == OVERDUE)
    unreported = sum(1 for i in items if i.unreported and i.status != OVERDUE)
    refused = sum(1 for i in items if i.unreported and i.rejected)
    text = "、".join(f"{k}{n(c)}项" for k, c in (("逾期", overdue), ("未报送", unreported)) if c)
    if refused:
        text += f"（其中{n(refused)}项本轮报送的内容未被采用）"
    return text

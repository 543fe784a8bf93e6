"""The escalation ladder with memory (函告 → 通报 → 约谈 → 曝光; plan task 11).

Pure: the caller passes the assessment and what the register knows (``PastDoc``);
out comes, per unit, the next step and its reason in one line citing the rule.

Memory. Every live (not voided) document in the register counts from the moment
it was issued, whatever ``as_of`` the plan is made for: re-planning never
proposes again what has been issued about the same items. A document is *live
for a unit* while it takes up (``subjects``) at least one of the unit's items
still overdue or unreported; items are told apart by period ("7-1@2026-Q3"), so
a quarter missed after a letter is a new item, not one the letter covered. Once
a unit has caught up on a document's items it no longer counts, and new
failures start the ladder again.

Routes. A 督办函 goes to a task's lead units (牵头); a supporting unit's (配合)
failures on it go into the lead's letter (``assess.roles``, [escalation]
duban_to): each unit climbs the ladder with the items routed to it, and an item
of another unit is known by its id and that unit's id ("5-1|U07").

Rules, from the highest rung the unit has reached; every step waits for the
deadline the previous document stated:
  规则三 约谈: named in a 通报, the 通报's report deadline passed, and either still
        overdue ``yuetan_after_days`` days after the 通报, or overdue on
        ``yuetan_overdue_items`` items or more;
  规则二 通报: sent a 督办函, its reply deadline passed, still overdue or unreported;
        named in the round's 通报 — or, when that is already out, in the next one;
  规则一 督办函: overdue or unreported items that no live document has taken up.
  规则四 曝光: after a 约谈 whose rectification report deadline has passed, items
        still open -> public exposure, proposed when [exposure] enabled (the office
        decides: the plan says so); after a 曝光 the plan only says what is left
        (accountability is not this tool's to propose).
Items a live document has not taken up (new failures) get a 督办函 of their own
while the unit waits on the others.

A rung below: 工作提醒 (提示单). Items close to their deadline (临期: DUE_SOON, or
unreported while not yet due) that no live document has taken up — a 工作提醒
included — are proposed for a reminder (``Proposal.reminders``). A reminder is
never a rung: the ladder above ignores it (an item reminded of and then overdue
gets its 督办函 by rule 1), but it is remembered, so the same item is not
reminded of twice — unless a 延期 approved since gave it a new deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..textfmt import cn_date, cn_number
from .status import DUE_SOON, OVERDUE, UNREPORTED, Assessment, ItemStatus, Summary, unit_items

DUBAN, TONGBAO, YUETAN, EXPOSE = "督办函", "通报", "约谈通知书", "曝光"
REMIND = "工作提醒"
RUNGS = (DUBAN, TONGBAO, YUETAN, EXPOSE)


@dataclass(frozen=True)
class PastDoc:
    """A live (not voided) document from the register."""

    kind: str
    doc_number: str
    issued_on: dt.date
    subjects: dict[str, tuple[str, ...]]  # unit -> item ids it took up
    reply_due: dt.date | None = None  # the deadline it gave: reply, report, rectification report
    replied_on: dt.date | None = None
    round_id: str = ""
    meeting: dt.datetime | None = None  # 约谈: when it was set
    place: str = ""
    as_of: dt.date | None = None  # the progress data it rested on


@dataclass(frozen=True)
class Rules:
    """[escalation] of notices.toml."""

    yuetan_after_days: int = 30
    yuetan_overdue_items: int = 5  # 0: this trigger is off
    exposure: bool = True  # rule 4: propose 曝光 (else only say it is next)
    remind: bool = True  # propose 工作提醒 for items 临期


@dataclass
class Step:
    unit: str
    action: str  # DUBAN / TONGBAO / YUETAN / EXPOSE, or "" for nothing now
    reason: str  # one line, citing the rule
    items: list[str] = field(default_factory=list)  # item ids the step takes up
    earlier: list[PastDoc] = field(default_factory=list)  # live documents, in ladder order
    waiting_until: dt.date | None = None  # a deadline a document stated has not passed yet
    deferred: bool = False  # due to be named, but the round's 通报 is already out

    @property
    def history(self) -> list[tuple[str, str, dt.date]]:
        """(kind, 文号, date) of the live 督办函 and 通报, for a document to cite."""
        return [(d.kind, d.doc_number, d.issued_on) for d in self.earlier if d.kind in (DUBAN, TONGBAO)]


@dataclass
class Proposal:
    as_of: dt.date
    round_id: str
    steps: list[Step]  # one per supervised unit with items, in directory order
    tongbao: bool  # this round has no 通报 yet: propose it
    round_tongbao: PastDoc | None = None  # this round's 通报, when issued
    routes: dict[str, list[ItemStatus]] = field(default_factory=dict)  # unit -> flagged items its letters take up
    reminders: dict[str, list[ItemStatus]] = field(default_factory=dict)  # unit -> items 临期 to remind it of

    def units(self, action: str) -> list[str]:
        return [s.unit for s in self.steps if s.action == action]

    def step(self, unit: str) -> Step | None:
        return next((s for s in self.steps if s.unit == unit), None)


def doc_text(doc: PastDoc) -> str:
    if doc.kind == EXPOSE:
        return f"{cn_date(doc.issued_on)}公开曝光（{doc.doc_number}）"
    return f"{cn_date(doc.issued_on)}{'发' if doc.kind != TONGBAO else ''}{doc.kind}（{doc.doc_number}）"


def counts_text(items: list[ItemStatus]) -> str:
    """逾期3项、未报送1项"""
    overdue = sum(1 for i in items if i.status == OVERDUE)
    parts = [f"逾期{cn_number(overdue)}项"] if overdue else []
    if len(items) - overdue:
        parts.append(f"未报送{cn_number(len(items) - overdue)}项")
    return "、".join(parts)


def letter_id(item: ItemStatus, unit: str) -> str:
    """How a document addressed to ``unit`` keeps an item: its id, or for another unit's
    item (a supporting unit's, in the lead's letter) its id and that unit's id."""
    return item.item_id if item.unit == unit else f"{item.item_id}|{item.unit_key or item.unit}"


def _ladder_key(doc: PastDoc) -> tuple:
    return doc.issued_on, RUNGS.index(doc.kind) if doc.kind in RUNGS else len(RUNGS)


def step_for(summary: Summary, docs: list[PastDoc], as_of: dt.date, rules: Rules,
             round_tongbao: PastDoc | None = None, flagged: list[ItemStatus] | None = None) -> Step:
    """The unit's next step. ``flagged``: the items routed to it (default: its own)."""
    unit = summary.key
    flagged = unit_items(summary) if flagged is None else flagged
    ids = [letter_id(i, unit) for i in flagged]
    mine = sorted((d for d in docs if unit in d.subjects and d.kind in RUNGS), key=_ladder_key)
    if not ids:
        if mine:
            return Step(unit, "", f"已无逾期或未报送事项（此前{doc_text(mine[-1])}），不再发文")
        return Step(unit, "", "无逾期或未报送事项")
    live = [d for d in mine if set(d.subjects[unit]) & set(ids)]
    if not live:
        return Step(unit, DUBAN, f"规则一：{counts_text(flagged)}，尚未就此发督办函", ids)
    covered = {i for d in live for i in d.subjects[unit]}
    fresh = [i for i in flagged if letter_id(i, unit) not in covered]
    step = _ladder_step(unit, flagged, live, as_of, rules, round_tongbao)
    if fresh and not step.action:
        return Step(unit, DUBAN, f"规则一：另有{counts_text(fresh)}尚未就此发督办函（{step.reason}）",
                    [letter_id(i, unit) for i in fresh], live, step.waiting_until)
    return step


def _last(live: list[PastDoc], kind: str) -> PastDoc | None:
    return next((d for d in reversed(live) if d.kind == kind), None)


def _ladder_step(unit: str, flagged: list[ItemStatus], live: list[PastDoc], as_of: dt.date, rules: Rules,
                 round_tongbao: PastDoc | None) -> Step:
    """The next rung for the items the live documents took up."""
    ids = [letter_id(i, unit) for i in flagged]
    taken = {i for d in live for i in d.subjects[unit]}
    old = [i for i in flagged if letter_id(i, unit) in taken]
    counts = counts_text(old)
    overdue = sum(1 for i in old if i.status == OVERDUE)
    exposed = _last(live, EXPOSE)
    yuetan, tongbao, duban = _last(live, YUETAN), _last(live, TONGBAO), _last(live, DUBAN)
    if exposed:
        return Step(unit, "", f"已于{doc_text(exposed)}，仍有{counts}；后续问责由办公室研究决定", [], live)
    if yuetan:
        due = yuetan.reply_due
        if due is not None and as_of <= due:
            return Step(unit, "", f"已于{doc_text(yuetan)}，要求{cn_date(due)}前报送书面整改报告，届时再议",
                        [], live, due)
        why = f"已于{doc_text(yuetan)}，书面整改报告期限{cn_date(due) if due else ''}已过，仍有{counts}"
        if rules.exposure:
            return Step(unit, EXPOSE, f"规则四：{why}；提出公开曝光，由办公室研究决定", ids, live)
        return Step(unit, "", f"{why}；下一步为公开曝光，由办公室研究决定", [], live)
    if tongbao:
        due = tongbao.reply_due
        named = f"{cn_date(tongbao.issued_on)}被通报点名（{tongbao.doc_number}）"
        if due is not None and as_of <= due:
            return Step(unit, "", f"{named}，通报要求{cn_date(due)}前报送整改情况，届时再议", [], live, due)
        days = (as_of - tongbao.issued_on).days
        if overdue and rules.yuetan_after_days and days >= rules.yuetan_after_days:
            return Step(unit, YUETAN, f"规则三：{named}，满{cn_number(days)}天仍{counts}", ids, live)
        if rules.yuetan_overdue_items and overdue >= rules.yuetan_overdue_items:
            return Step(unit, YUETAN, f"规则三：{named}，报送期限{cn_date(due) if due else ''}已过，仍{counts}，"
                                      f"逾期达到{cn_number(rules.yuetan_overdue_items)}项", ids, live)
        if not rules.yuetan_after_days:
            return Step(unit, "", f"{named}，仍{counts}；未达到约谈条件", [], live)
        when = tongbao.issued_on + dt.timedelta(days=rules.yuetan_after_days)
        return Step(unit, "", f"{named}，仍{counts}；通报后满{cn_number(rules.yuetan_after_days)}天"
                              f"（{cn_date(when)}）仍逾期的约谈", [], live, when)
    if duban:
        due = duban.reply_due
        replied = f"，{cn_date(duban.replied_on)}已回复" if duban.replied_on else "，未回复"
        if due is not None and as_of <= due:
            return Step(unit, "", f"已于{doc_text(duban)}（{counts}），回复期限{cn_date(due)}未到；"
                                  f"届时仍未整改的，在通报中点名", [], live, due)
        why = f"规则二：{doc_text(duban)}，回复期限{cn_date(due) if due else ''}已过{replied}，仍{counts}"
        if round_tongbao is not None:
            return Step(unit, "", f"{why}；本轮通报（{round_tongbao.doc_number}）已于{cn_date(round_tongbao.issued_on)}"
                                  f"印发，将在下一轮进度收集后的通报中点名", [], live, deferred=True)
        return Step(unit, TONGBAO, why, ids, live)
    raise AssertionError("a live document is a 督办函, 通报, 约谈通知书 or 曝光")


def propose(assessment: Assessment, docs: list[PastDoc], rules: Rules | None = None,
            routes: dict[str, list[ItemStatus]] | None = None) -> Proposal:
    """The next step for every supervised unit of the assessment, and whether the
    round's 通报 is still to be issued. ``routes``: unit -> the flagged items its
    letters take up (``assess.roles.route_items``); default every unit its own."""
    rules = rules or Rules()
    as_of = assessment.as_of
    round_tongbao = next((d for d in sorted(docs, key=_ladder_key)
                          if d.kind == TONGBAO and assessment.round_id and d.round_id == assessment.round_id), None)
    letters_of: dict[int, list[str]] = {}  # id(item) -> the units whose letters take it up
    for unit, items in (routes or {}).items():
        for item in items:
            letters_of.setdefault(id(item), []).append(unit)
    steps = []
    for summary in assessment.units:
        flagged = routes.get(summary.key, []) if routes is not None else None
        step = step_for(summary, docs, as_of, rules, round_tongbao, flagged)
        own = unit_items(summary)
        if not step.action and own and routes is not None and all(
                summary.key not in letters_of.get(id(i), []) for i in own):
            leads = sorted({u for i in own for u in letters_of.get(id(i), [])})
            step.reason = f"配合事项（{counts_text(own)}）由牵头单位{'、'.join(leads)}负责，督办函发给牵头单位"
        steps.append(step)
    reminders = {}
    if rules.remind:
        for summary, step in zip(assessment.units, steps):
            items = reminder_items(summary, docs, step)
            if items:
                reminders[summary.key] = items
    return Proposal(as_of, assessment.round_id, steps, bool(assessment.round_id) and round_tongbao is None,
                    round_tongbao, routes or {s.key: unit_items(s) for s in assessment.units}, reminders)


def due_soon(item: ItemStatus) -> bool:
    """临期: not yet overdue, its deadline within the warning window, not resolved (a
    临期 item the unit did not report is status 未报送 with days left)."""
    return item.status in (DUE_SOON, UNREPORTED) and not item.ongoing and item.deadline is not None


def reminder_items(summary: Summary, docs: list[PastDoc], step: Step | None = None) -> list[ItemStatus]:
    """The unit's items 临期 that no live document — a 工作提醒 included — took up, and
    that the step proposed now does not take up (a 督办函 for an unreported one). A
    document issued before the item's 延期 was approved spoke of the old deadline: the
    new one is reminded of again."""
    unit = summary.key
    proposed = set(step.items) if step is not None and step.action else set()
    last: dict[str, dt.date] = {}  # item id -> the latest document that took it up
    for d in docs:
        for i in d.subjects.get(unit, ()):
            last[i] = max(last.get(i, d.issued_on), d.issued_on)

    def taken(item: ItemStatus) -> bool:
        on = last.get(item.item_id)
        return item.item_id in proposed or (on is not None and (
            item.extension is None or on >= item.extension.approved_on))

    return [i for i in summary.items if i.unit == unit and due_soon(i) and not taken(i)]


def rules_from_config(config) -> Rules:
    section = config.section("escalation") if config is not None else {}
    d = Rules()
    exposure = config.section("exposure") if config is not None else {}
    reminder = config.section("reminder") if config is not None else {}
    return Rules(int(section.get("yuetan_after_days", d.yuetan_after_days)),
                 int(section.get("yuetan_overdue_items", d.yuetan_overdue_items)),
                 bool(exposure.get("enabled", d.exposure)), bool(reminder.get("enabled", d.remind)))

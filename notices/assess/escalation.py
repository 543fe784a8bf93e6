"""The escalation ladder with memory (函告 → 通报 → 约谈 → 曝光; plan task 11).

Pure: the caller passes the assessment and what the register knows (``PastDoc``);
out comes, per unit, the next step and its reason in one line citing the rule.

A document is *live for a unit* while it takes up (``subjects``) at least one of
the unit's items still overdue or unreported; once a unit has caught up on them
the document no longer counts, and new failures start the ladder again.

Rules, checked from the top rung down; the first that applies decides:
  规则三 约谈: named in a 通报, and either still overdue ``yuetan_after_days``
        days after it, or overdue on ``yuetan_overdue_items`` items or more;
  规则二 通报: sent a 督办函, its reply deadline passed, still overdue or unreported;
  规则一 督办函: overdue or unreported items, and no 督办函 about them yet.
Nothing is proposed while a 督办函's reply deadline runs or the 约谈 period
after a 通报 runs, after a 约谈 (the next rung, 曝光, is the office's own
decision), or when a unit has nothing overdue or unreported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..textfmt import cn_date, cn_number
from .status import OVERDUE, Assessment, Summary, unit_items

DUBAN, TONGBAO, YUETAN = "督办函", "通报", "约谈通知书"


@dataclass(frozen=True)
class PastDoc:
    """A live (not voided) document from the register."""

    kind: str
    doc_number: str
    issued_on: dt.date
    subjects: dict[str, tuple[str, ...]]  # unit -> milestone ids it took up
    reply_due: dt.date | None = None
    replied_on: dt.date | None = None
    round_id: str = ""


@dataclass(frozen=True)
class Rules:
    """[escalation] of notices.toml."""

    yuetan_after_days: int = 30
    yuetan_overdue_items: int = 5  # 0: this trigger is off


@dataclass
class Step:
    unit: str
    action: str  # DUBAN / TONGBAO / YUETAN, or "" for nothing
    reason: str  # one line, citing the rule
    milestones: list[str] = field(default_factory=list)  # the unit's items the step is about
    earlier: list[PastDoc] = field(default_factory=list)  # live documents, oldest first


@dataclass
class Proposal:
    as_of: dt.date
    round_id: str
    steps: list[Step]  # one per unit with items, in directory order
    tongbao: bool  # no 通报 of this round yet: propose the round's 通报

    def units(self, action: str) -> list[str]:
        return [s.unit for s in self.steps if s.action == action]


def _doc(doc: PastDoc) -> str:
    return f"{cn_date(doc.issued_on)}{'发' if doc.kind != TONGBAO else ''}{doc.kind}（{doc.doc_number}）"


def _items(summary: Summary) -> tuple[list[str], int]:
    flagged = unit_items(summary)
    return [i.milestone_id for i in flagged], sum(1 for i in flagged if i.status == OVERDUE)


def _counts(ids: list[str], overdue: int) -> str:
    parts = [f"逾期{cn_number(overdue)}项"] if overdue else []
    if len(ids) - overdue:
        parts.append(f"未报送{cn_number(len(ids) - overdue)}项")
    return "、".join(parts)


def step_for(summary: Summary, docs: list[PastDoc], as_of: dt.date, rules: Rules) -> Step:
    unit = summary.key
    ids, overdue = _items(summary)
    mine = sorted((d for d in docs if unit in d.subjects and d.issued_on <= as_of), key=lambda d: d.issued_on)
    if not ids:
        if mine:
            return Step(unit, "", f"已无逾期或未报送事项（此前{_doc(mine[-1])}），不再发文")
        return Step(unit, "", "无逾期或未报送事项")
    live = [d for d in mine if set(d.subjects[unit]) & set(ids)]
    counts = _counts(ids, overdue)

    def last(kind: str) -> PastDoc | None:
        return next((d for d in reversed(live) if d.kind == kind), None)

    yuetan, tongbao, duban = last(YUETAN), last(TONGBAO), last(DUBAN)
    if yuetan:
        return Step(unit, "", f"已于{_doc(yuetan)}，仍有{counts}；下一步为公开曝光，由办公室研究决定",
                    ids, live)
    if tongbao:
        days = (as_of - tongbao.issued_on).days
        if overdue and rules.yuetan_after_days and days >= rules.yuetan_after_days:
            why = f"{cn_date(tongbao.issued_on)}被通报点名（{tongbao.doc_number}），满{cn_number(days)}天仍{counts}"
            return Step(unit, YUETAN, f"规则三：{why}", ids, live)
        if rules.yuetan_overdue_items and overdue >= rules.yuetan_overdue_items:
            why = (f"{cn_date(tongbao.issued_on)}被通报点名（{tongbao.doc_number}），仍{counts}，"
                   f"逾期达到{cn_number(rules.yuetan_overdue_items)}项")
            return Step(unit, YUETAN, f"规则三：{why}", ids, live)
        wait = f"满{cn_number(rules.yuetan_after_days)}天" if rules.yuetan_after_days else "按规则"
        return Step(unit, "", f"{cn_date(tongbao.issued_on)}已被通报点名（{tongbao.doc_number}），仍{counts}；"
                              f"通报后{wait}仍逾期的约谈", ids, live)
    if duban:
        due = duban.reply_due
        replied = f"，{cn_date(duban.replied_on)}已回复" if duban.replied_on else "，未回复"
        if due is not None and as_of > due:
            return Step(unit, TONGBAO, f"规则二：{_doc(duban)}，回复期限{cn_date(due)}已过{replied}，"
                                       f"仍{counts}", ids, live)
        until = f"，回复期限{cn_date(due)}未到" if due else ""
        return Step(unit, "", f"已于{_doc(duban)}{until}；到期后仍{counts}的通报点名", ids, live)
    return Step(unit, DUBAN, f"规则一：{counts}，尚未就此发督办函", ids, live)


def propose(assessment: Assessment, docs: list[PastDoc], rules: Rules | None = None) -> Proposal:
    """The next step for every unit of the assessment, and whether the round's
    通报 is still to be issued."""
    rules = rules or Rules()
    as_of = assessment.as_of
    steps = [step_for(s, docs, as_of, rules) for s in assessment.units]
    has_tongbao = any(d.kind == TONGBAO and d.round_id == assessment.round_id and d.issued_on <= as_of for d in docs)
    return Proposal(as_of, assessment.round_id, steps, bool(assessment.round_id) and not has_tongbao)


def rules_from_config(config) -> Rules:
    section = config.section("escalation") if config is not None else {}
    d = Rules()
    return Rules(int(section.get("yuetan_after_days", d.yuetan_after_days)),
                 int(section.get("yuetan_overdue_items", d.yuetan_overdue_items)))

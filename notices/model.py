"""The plan as data: categories, tasks, milestones, units. Plain dataclasses, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a record came from, for messages: file and 1-based line."""

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class Due:
    """One due date of a milestone; recurring milestones have one per period."""

    date: dt.date
    period: str  # "2024年", "2024年第一季度", "2025年12月" …
    key: str = ""  # stable key of the period: "2024", "2024-Q1", "2024-H1", "2025-12"


@dataclass
class Milestone:
    id: str  # "7-1": task number and sequence, stable across rounds
    task_no: int
    requirement: str
    deadline: str  # exactly as written: "2024年底", "各年度序时推动"
    schedule: str = ""  # "" or 每月 / 每季度 / 每半年 / 每年
    dues: list[Due] = field(default_factory=list)
    source: Source | None = None
    # Work without a date (长期坚持, 持续推进, 常态化): no dues; judged at each round by
    # what the unit reports, never overdue by date.
    ongoing: bool = False
    due_stated: bool = False  # the dues come from plan.yaml's ``due:``, not from the wording

    @property
    def final_due(self) -> dt.date | None:
        return self.dues[-1].date if self.dues else None

    @property
    def recurring(self) -> bool:
        """Owed once per period (每季度, 每年, 各年度 …): each period is judged on its own."""
        return bool(self.schedule) or len(self.dues) > 1


@dataclass
class Task:
    no: int
    category_no: int
    text: str
    units_text: str  # the 责任单位 cell as written (may say who leads: "X牵头，Y配合")
    remark: str = ""
    notes: list[str] = field(default_factory=list)  # where the body says it otherwise
    milestones: list[Milestone] = field(default_factory=list)
    unit_names: list[str] = field(default_factory=list)  # resolved: full unit names, lead units first
    source: Source | None = None
    support_text: str = ""  # the 配合单位 cell as written, when the plan has one
    lead_names: list[str] = field(default_factory=list)  # resolved: units that answer for the task (牵头)
    support_names: list[str] = field(default_factory=list)  # resolved: supporting units (配合), never also lead

    @property
    def units_label(self) -> str:
        """责任单位 as the 序时进度表 shows it: the cell, or 牵头：…；配合：… when the
        plan names supporting units apart."""
        if self.support_text:
            return f"牵头：{self.units_text}；配合：{self.support_text}"
        return self.units_text

    def role_of(self, unit: str) -> str:
        """牵头 or 配合 (the unit's role on this task); "" if it has none."""
        if unit in self.support_names:
            return "配合"
        return "牵头" if unit in self.lead_names or unit in self.unit_names else ""


@dataclass
class Category:
    no: int
    name: str
    lead: str
    source: Source | None = None

    @property
    def ordinal(self) -> str:
        from .textfmt import chinese_ordinal

        return f"（{chinese_ordinal(self.no)}）"


@dataclass
class Unit:
    name: str
    short: str = ""
    aliases: list[str] = field(default_factory=list)
    kind: str = "部门"  # 部门 / 乡镇 / 街道 / 其他
    groups: list[str] = field(default_factory=list)
    leader: str = ""  # 主要负责人
    contact: str = ""  # 联系人
    phone: str = ""
    sample: bool = False  # a placeholder the office must replace
    source: Source | None = None
    id: str = ""  # stable key of reports and documents; survives a rename (default: the name)
    standing: bool = False  # headed by a member of the 县委常委会: letters ask, they do not direct its head

    @property
    def display_short(self) -> str:
        return self.short or self.name

    @property
    def key(self) -> str:
        """What the database stores for this unit."""
        return self.id or self.name


@dataclass
class Group:
    id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)  # other group ids
    source: Source | None = None


@dataclass
class PlanInfo:
    title: str
    table_title: str
    issuer: str
    issuer_short: str
    doc_number: str
    date: dt.date
    start: dt.date
    end: dt.date
    shared_groups: list[str] = field(default_factory=list)  # groups on every task
    shared_note: str = ""


@dataclass
class Registry:
    plan: PlanInfo
    categories: list[Category]
    tasks: list[Task]
    units: list[Unit]
    groups: list[Group]
    version: str = ""  # digest of the registry files, ties workbooks to it

    def category(self, no: int) -> Category:
        return next(c for c in self.categories if c.no == no)

    def task(self, no: int) -> Task:
        return next(t for t in self.tasks if t.no == no)

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)

    @property
    def milestones(self) -> list[Milestone]:
        return [m for t in self.tasks for m in t.milestones]


# --- progress reporting --------------------------------------------------
STATES = ("已完成", "正在推进", "未启动", "不涉及")  # what a unit may report


@dataclass
class Report:
    """One unit's answer for one milestone in one reporting round."""

    unit: str  # full unit name from the directory
    milestone_id: str
    state: str  # one of STATES
    completed_on: dt.date | None = None
    percent: float | None = None  # 0–100
    text: str = ""  # 进展情况说明
    evidence: str = ""  # 佐证材料
    reporter: str = ""  # 填报人
    phone: str = ""  # 联系电话
    round_id: str = ""  # "2026-11"
    reported_on: dt.date | None = None  # the round's date: when this was true
    source: str = ""  # "应急管理局.xlsx 进度填报!G12"
    period: str = ""  # key of the period of a recurring milestone ("2026-Q4"); "" = the milestone as a whole
    extension_to: dt.date | None = None  # the unit asks for its deadline to be extended to this date
    extension_reason: str = ""  # why (申请延期理由)


# --- the office's decisions on items ------------------------------------------
@dataclass(frozen=True)
class Extension:
    """An approved extension (延期) of one item's deadline: the item's deadline from then on."""

    unit: str  # full unit name
    milestone_id: str
    period: str  # period key; "" for a one-off milestone
    to: dt.date  # the new deadline
    approved_on: dt.date
    approved_by: str = ""
    reason: str = ""
    doc_number: str = ""  # the approving document, when there is one
    original: dt.date | None = None  # the deadline it replaced (the plan's, or an earlier extension's)


@dataclass(frozen=True)
class Closure:
    """A 销号: the office verified the item complete (with evidence, in the register)."""

    unit: str  # full unit name
    milestone_id: str
    period: str
    closed_on: dt.date
    record: str = ""  # its register number (销号登记〔2026〕1号)
    by: str = ""  # who verified it

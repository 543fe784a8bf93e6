"""The 序时进度表 as rows: what the docx and xlsx writers and `registry import` share.

Layout (the plan's own attachment table): per category a lead row (category
name | lead-in sentence), then one row per milestone; the category cell is
merged down over the category, the task, 责任单位 and 备注 cells over the task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..directory import Directory
from ..model import Category, Registry, Task

HEADERS = ("任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注")
PROGRESS_HEADERS = ("进展情况",)

RESTART, CONTINUE = "restart", "continue"


@dataclass
class TableRow:
    kind: str  # "lead" (category lead-in) or "milestone"
    category: str
    cat_merge: str
    task: str
    task_merge: str
    requirement: str = ""
    deadline: str = ""
    units: str = ""
    remark: str = ""
    milestone_id: str = ""
    task_no: int = 0
    progress: str = ""  # 进展情况 text, with --progress
    status: str = ""  # status word, with --progress
    keep_next: bool = False  # on the same page as the next row: a lead row and its first task, a task's rows

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.category, self.task, self.requirement, self.deadline, self.units, self.remark)


@dataclass
class TableSpec:
    title: str
    rows: list[TableRow]
    subtitle: str = ""
    attachment_label: str = ""
    with_progress: bool = False
    headers: tuple[str, ...] = field(default=HEADERS)
    unit: str = ""  # full name of the unit the table is filtered to


def category_label(category: Category) -> str:
    return f"{category.ordinal}{category.name}"


def task_label(task: Task) -> str:
    return f"{task.no}. {task.text}"


_ORDINAL = re.compile(r"^[（(]\s*([一二三四五六七八九十百]+)\s*[)）]\s*")
_TASK_NO = re.compile(r"^\s*(\d+)\s*[.．、]\s*")


def split_category_label(text: str) -> tuple[str, str]:
    """"（一）开展……行动。" -> ("一", "开展……行动")."""
    clean = re.sub(r"\s+", "", text or "")
    m = _ORDINAL.match(clean)
    ordinal = m.group(1) if m else ""
    name = clean[m.end():] if m else clean
    return ordinal, name.rstrip("。.")


def split_task_label(text: str) -> tuple[int | None, str]:
    """"1. 落实……" -> (1, "落实……")."""
    m = _TASK_NO.match(text or "")
    if not m:
        return None, (text or "").strip()
    return int(m.group(1)), text[m.end():].strip()


def select_tasks(registry: Registry, directory: Directory, unit: str | None = None,
                 categories: list[int] | None = None) -> list[Task]:
    """Tasks of the plan, optionally only one unit's and/or some categories'."""
    tasks = registry.tasks
    if unit:
        name = directory.unit(unit).name
        tasks = [t for t in tasks if name in t.unit_names]
    if categories:
        tasks = [t for t in tasks if t.category_no in categories]
    return tasks


def table_rows(registry: Registry, tasks: list[Task], progress: dict | None = None) -> list[TableRow]:
    """Rows in plan order. progress maps milestone id -> (status, text)."""
    rows: list[TableRow] = []
    for category in registry.categories:
        cat_tasks = [t for t in tasks if t.category_no == category.no]
        if not cat_tasks:
            continue
        label = category_label(category)
        rows.append(TableRow("lead", label, RESTART, category.lead, RESTART))
        for task in cat_tasks:
            for i, ms in enumerate(task.milestones):
                status, text = (progress or {}).get(ms.id, ("", ""))
                rows.append(TableRow(
                    "milestone", label, CONTINUE, task_label(task), RESTART if i == 0 else CONTINUE,
                    ms.requirement, ms.deadline, task.units_label, task.remark, ms.id, task.no,
                    progress=text, status=status,
                ))
    for row, following in zip(rows, rows[1:]):
        row.keep_next = row.kind == "lead"
    return rows

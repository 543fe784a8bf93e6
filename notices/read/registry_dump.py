"""Write the registry back as plan.yaml (and a starter units.yaml) — the format
``notices.read.registry`` loads. Used by ``registry import``.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import yaml

from ..directory import normalize
from ..file.outputs import sweep_temps, temp_prefix, usual_mode
from ..errors import NoticesError, Problem
from ..model import Category, PlanInfo, Task
from .registry import PLAN_FILE, UNITS_FILE

PLAN_HEADER = """\
# 任务登记表：方案信息（plan）、任务类别（categories）、任务及具体要求（tasks）
# 用记事本等文本编辑器修改，保存为 UTF-8；缩进用空格，不要用 Tab。
# 文字放在引号里时，修改内容请保留两边的引号。改完后运行 notices registry check 检查。
"""

UNITS_HEADER = """\
# 单位名录：由 notices registry import 根据进度表“责任单位”一栏自动生成，尚不完整，请补全后再使用：
#   - name 应为单位全称；简称写在 short，其他叫法写在 aliases；
#   - kind 暂时都填了“部门”，乡镇、街道请改为“乡镇”“街道”；
#   - “各乡镇（街道）”“各有关部门”这类泛指不是单位，请删去，改为在 groups 中定义分组并给单位标注所属分组；
#   - 补充 leader（主要负责人）、contact（联系人）、phone（电话）。
# 改完后运行 notices registry check 检查。
"""

_MISSING = object()


def _scalar(value) -> str:
    """One YAML scalar that reads back as exactly ``value``: plain when safe, else quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    out = yaml.safe_dump({"k": text}, allow_unicode=True, width=10**6, default_flow_style=False)
    out = out[len("k: "):].rstrip("\n")
    if "\n" in out or yaml.safe_load(f"k: {out}").get("k", _MISSING) != text:
        out = yaml.safe_dump({"k": text}, allow_unicode=True, width=10**6, default_style='"')
        out = out[len('"k": '):].rstrip("\n")
    return out


def _strings(values: list[str]) -> str:
    return "[" + ", ".join(_scalar(v) for v in values) + "]"


def dump_plan_yaml(plan: PlanInfo | None, categories: list[Category], tasks: list[Task],
                   note: str = "") -> str:
    """plan.yaml text for a plan, its categories and tasks (``note``: an extra comment line)."""
    if plan is None:
        today = dt.date.today()
        plan = PlanInfo("待填写", "待填写", "待填写", "待填写", "待填写", today, today, dt.date(today.year, 12, 31))
    out = [PLAN_HEADER.rstrip("\n")]
    if note:
        out += [f"# {line}" for line in note.splitlines()]
    out += [
        "",
        "plan:",
        f"  title: {_scalar(plan.title)}  # 方案名称",
        f"  table_title: {_scalar(plan.table_title)}  # 进度表标题",
        f"  issuer: {_scalar(plan.issuer)}  # 发文机关",
        f"  issuer_short: {_scalar(plan.issuer_short)}  # 发文机关简称",
        f"  doc_number: {_scalar(plan.doc_number)}  # 方案文号",
        f"  date: {_scalar(plan.date)}  # 印发日期",
        f"  start: {_scalar(plan.start)}  # 方案起始日期",
        f"  end: {_scalar(plan.end)}  # 方案截止日期",
        f"  shared_groups: {_strings(plan.shared_groups)}  # 每项任务都共同负责的单位分组",
        f"  shared_note: {_scalar(plan.shared_note)}",
        "",
        "categories:",
    ]
    for category in categories:
        out += [
            f"  - no: {category.no}",
            f"    name: {_scalar(category.name)}",
            f"    lead: {_scalar(category.lead)}",
        ]
    if not categories:
        out[-1] = "categories: []"
    out += ["", "tasks:"]
    for task in tasks:
        out += [
            f"  - no: {task.no}",
            f"    category: {task.category_no}",
            f"    text: {_scalar(task.text)}",
            f"    units: {_scalar(task.units_text)}",
            f"    remark: {_scalar(task.remark)}",
        ]
        if task.notes:
            out.append("    notes:")
            out += [f"      - {_scalar(n)}" for n in task.notes]
        else:
            out.append("    notes: []")
        if task.milestones:
            out.append("    milestones:")
        else:
            out.append("    milestones: []")
        for ms in task.milestones:
            out += [
                f"      - id: {_quoted(ms.id)}",
                f"        requirement: {_scalar(ms.requirement)}",
                f"        deadline: {_scalar(ms.deadline)}",
            ]
            if ms.schedule:
                out.append(f"        schedule: {_scalar(ms.schedule)}")
    if not tasks:
        out[-1] = "tasks: []"
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    return yaml.safe_dump({"k": str(text)}, allow_unicode=True, width=10**6, default_style='"')[len('"k": '):].rstrip("\n")


def dump_units_yaml(names: list[str], groups: list[str] = ()) -> str:
    """A starter units.yaml listing ``names`` (kind 部门) for the office to complete.

    The loader needs at least one group with members, so every unit is put in
    the group "imported"; groups the plan names (``groups``) are listed too,
    without members, for the office to fill in.
    """
    out = [UNITS_HEADER.rstrip("\n"), "", "groups:",
           "  - id: imported",
           "    name: 导入的责任单位  # 自动生成的临时分组，补全分组后可删去（同时删去各单位的 imported）"]
    for gid in groups:
        if gid != "imported":
            out += [f"  - id: {_scalar(gid)}", f"    name: {_scalar(gid)}  # 请改为分组名称，并给成员单位标注此分组"]
    out += ["", "units:"]
    seen: set[str] = set()
    for name in names:
        key = normalize(name)
        if not key or key in seen:
            continue
        seen.add(key)
        out += [f"  - name: {_scalar(name)}", "    kind: 部门", "    groups: [imported]"]
    if not seen:
        out[-1] = "units: []"
    return "\n".join(out) + "\n"


def write_registry(result, folder: Path, force: bool = False) -> list[Path]:
    """Write plan.yaml from an ImportResult into ``folder`` (and units.yaml when the
    folder has none). Refuses, writing nothing, if plan.yaml exists and not ``force``."""
    folder = Path(folder)
    plan_path, units_path = folder / PLAN_FILE, folder / UNITS_FILE
    if plan_path.exists() and not force:
        raise NoticesError(f"“{plan_path}”已存在，未做任何改动；如确需覆盖，请加 --force",
                           [Problem(str(plan_path), "文件已存在")])
    note = f"由 notices registry import 从“{result.source}”生成。" if getattr(result, "source", "") else ""
    files = [(plan_path, dump_plan_yaml(result.plan, result.categories, result.tasks, note=note))]
    if not units_path.exists():
        groups = list(result.plan.shared_groups) if result.plan else []
        files.append((units_path, dump_units_yaml(result.unit_names, groups)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NoticesError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}") from None
    temps: list[str] = []
    sweep_temps(folder)
    try:
        for path, text in files:
            fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".yaml", dir=folder)
            temps.append(tmp)
            usual_mode(fd)  # not mkstemp's 0600: the registry is edited by staff
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
        for (path, _), tmp in zip(files, temps):
            os.replace(tmp, path)
    except OSError as exc:
        raise NoticesError(f"无法写入“{folder}”中的登记表文件：{exc.strerror or exc}") from None
    finally:
        for tmp in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return [path for path, _ in files]

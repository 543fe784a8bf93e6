"""Write the registry back as plan.yaml, units.yaml and seed-fixes.yaml — the format
``notices.read.registry`` loads. Used by ``registry import`` and ``init --from``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from ..file.outputs import sweep_temps, temp_prefix, usual_mode
from ..errors import NoticesError, Problem
from ..model import Category, PlanInfo, Task
from .deadlines import says_ongoing
from .registry import PLAN_FILE, UNITS_FILE

FIXES_FILE = "seed-fixes.yaml"
REGISTRY_FILES = (PLAN_FILE, UNITS_FILE, FIXES_FILE)

PLAN_HEADER = """\
# 任务登记表：方案信息（plan）、任务类别（categories）、任务及具体要求（tasks）
# 用记事本等文本编辑器修改，保存为 UTF-8；缩进用空格，不要用 Tab。
# 文字放在引号里时，修改内容请保留两边的引号。改完后运行 notices registry check 检查。
#
# 任务（tasks）的字段
#   units     责任单位（牵头单位），照表中写法；单位和分组的各种写法由 units.yaml 解释
#   support   配合单位（可不写）：参与填报进度，督办函发给牵头单位
#   milestones 具体要求，每条包括：
#     id          编号“任务序号-顺序号”，一经使用不得更改或挪用
#     deadline    完成时间，照表中原文；程序据此算出到期日（导入时逐条报告）
#     schedule    周期（可不写）：每月、每季度、每半年、每年
#     due         到期日（可不写）：原文无法识别时写明，如 due: 2025-06-30 或 due: [2024-12-31, 2025-12-31]
#     ongoing     持续推进（可不写）：写 ongoing: true 的不按日期判断逾期，每轮按报送情况判断
"""

UNITS_HEADER = """\
# 单位名录（units.yaml）：由 notices 根据进度表“责任单位”“配合单位”两栏生成。
#
# 程序靠它把 plan.yaml 中每项任务的责任单位解释为具体单位，并据此生成各单位的填报表、
# 督办函和排名。同一单位在表中的不同写法（全称、简称、带括号的名称）已合为一个单位，
# 其他写法列在 aliases 中；“各乡镇人民政府”“各负有安全生产监管职责的部门”“X等部门”
# 这类统称不是单位，已作为分组（groups）列出。
#
# 修改须知
#   · 用记事本等纯文本编辑器打开，保存为 UTF-8 编码；缩进只用空格，不要用 Tab 键。
#   · 以 # 开头的内容是说明，程序不读取。含冒号（：或 :）、井号 # 的文字须加英文双引号。
#   · 改完后运行 notices registry check，它会逐条列出有问题的行号。
#
# groups（单位分组）
#   id        分组编号，plan.yaml 和下面各单位的 groups 都用它
#   name      分组名称；方案写“各”+名称（如“各乡镇人民政府”）也能识别
#   aliases   分组的其他写法
#   includes  （可不写）包含的其他分组编号
# units（单位）
#   id        单位编号，一经使用不要更改（登记簿、历次进度都靠它对应单位）
#   name      单位全称；short 简称（用于文件名和排名表）；aliases 其他写法。
#             同一写法只能指一个单位，否则程序会报“歧义”
#   kind      单位类别：部门 / 乡镇 / 街道 / 其他
#   groups    所属分组编号，如 [监管部门]；不属于任何分组写 []
#   leader    主要负责人；contact 联系人；phone 联系电话（由办公室填写）
#
# 请核对
#   · 合并有误的（两个单位被当成一个），把该项拆成两项，各写各的 name 和 aliases。
#   · 标有“# 暂定”的分组成员是按单位名称推定的，请对照本地成员单位职责分工文件核定：
#     在相应单位的 groups 中加上或删去该分组编号即可。
#   · 没有成员的分组（如“各街道办事处”而表中没有列出各街道），请照样式增加单位，
#     groups 写上该分组编号。
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
        ]
        if task.support_text:
            out.append(f"    support: {_scalar(task.support_text)}  # 配合单位")
        out += [
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
            if ms.due_stated:  # dates plain, as staff write them (the loader reads them as text)
                days = [d.date.isoformat() for d in ms.dues]
                out.append(f"        due: {days[0] if len(days) == 1 else '[' + ', '.join(days) + ']'}")
            elif ms.ongoing and not says_ongoing(ms.deadline):
                out.append("        ongoing: true")
    if not tasks:
        out[-1] = "tasks: []"
    return "\n".join(out) + "\n"


def _quoted(text: str) -> str:
    return yaml.safe_dump({"k": str(text)}, allow_unicode=True, width=10**6, default_style='"')[len('"k": '):].rstrip("\n")


def dump_units_yaml(draft) -> str:
    """units.yaml for the units and groups drafted from a table (``unit_names.UnitsDraft``)."""
    out = [UNITS_HEADER.rstrip("\n"), "", "groups:"]
    for g in draft.groups:
        group = g.group()
        note = ""
        if g.tentative:
            note = "  # 暂定成员：按单位名称推定，请核定"
        elif not g.members and not group.includes:
            note = "  # 还没有成员：请给成员单位的 groups 加上此编号"
        out += [f"  - id: {_scalar(group.id)}", f"    name: {_scalar(group.name)}{note}",
                f"    aliases: {_strings(group.aliases)}"]
        if group.includes:
            out.append(f"    includes: {_strings(group.includes)}")
    if not draft.groups:
        out[-1] = "groups: []"
    out += ["", "units:"]
    for unit in draft.units:
        written = f"  # 表中写法：{'、'.join(unit.written)}" if len(unit.written) > 1 else ""
        tentative = f"  # 暂定：{'、'.join(unit.tentative)}" if unit.tentative else ""
        out += [f"  - id: {_quoted(unit.id)}",
                f"    name: {_scalar(unit.name)}{written}"]
        if unit.short:
            out.append(f"    short: {_scalar(unit.short)}")
        out += [f"    aliases: {_strings(unit.aliases)}",
                f"    kind: {unit.kind}",
                f"    groups: {_strings(unit.groups)}{tentative}",
                '    leader: ""', '    contact: ""', '    phone: ""']
    if not draft.units:
        out[-1] = "units: []"
    return "\n".join(out) + "\n"


FIXES_TEXT = """\
# 进度表文字订正记录（seed-fixes.yaml）
#
# 登记表（plan.yaml）的文字取自进度表。如发现进度表本身有错字、错行、错列，
# 在 plan.yaml 中改正后，在这里每处记一条，写明依据，便于日后核对：
#   - task: 7              # 订正所在的任务序号（或 category: 类别序号）
#     milestone: "7-1"     # 订正所在的具体要求编号（可不写）
#     field: requirement   # 订正的对象：text 任务内容、requirement 具体要求、deadline 完成时间、
#                          #   units 责任单位、remark 备注、category 类别名称或导语
#     table: "原文"         # 进度表中的原文
#     fixed: "订正后"       # 登记表中的文字
#     basis: "依据"         # 订正依据，如方案正文的相应段落
# 程序不读取本文件，只供核对。

fixes: []
"""


def backup_registry(folder: Path, today: dt.date | None = None) -> Path | None:
    """Copy the registry files of ``folder`` into a dated folder beside it
    ("registry-备份-2026-05-01", then "…-2"); None when there is nothing to keep."""
    folder = Path(folder)
    present = [folder / n for n in REGISTRY_FILES if (folder / n).exists()]
    if not present:
        return None
    stamp = (today or dt.date.today()).isoformat()
    target = folder.parent / f"{folder.name}-备份-{stamp}"
    n = 2
    while target.exists():
        target = folder.parent / f"{folder.name}-备份-{stamp}-{n}"
        n += 1
    try:
        target.mkdir(parents=True)
        for path in present:
            shutil.copy2(path, target / path.name)
    except OSError as exc:
        raise NoticesError(f"无法备份原登记表到“{target}”：{exc.strerror or exc}，未做任何改动") from None
    return target


def write_registry(result, folder: Path, force: bool = False, keep_units: bool = False,
                   backup: bool = True) -> list[Path]:
    """Write plan.yaml, units.yaml and an empty seed-fixes.yaml from an ImportResult
    into ``folder`` (with ``keep_units``: plan.yaml only, the folder's units.yaml
    stays). Refuses, writing nothing, if a registry file exists and not ``force``;
    with ``force`` the files replaced are first copied to a dated folder beside it
    (``backup_registry``). All files are written or none."""
    folder = Path(folder)
    plan_path, units_path, fixes_path = (folder / n for n in REGISTRY_FILES)
    targets = [plan_path] if keep_units else [plan_path, units_path, fixes_path]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise NoticesError(f"“{existing[0]}”已存在，未做任何改动；如确需覆盖（原文件会先备份），请加 --force",
                           [Problem(str(p), "文件已存在") for p in existing])
    if keep_units and not units_path.exists():
        raise NoticesError(f"“{units_path}”不存在，不能保留原单位名录；请去掉 --keep-units，由进度表生成单位名录")
    note = f"由 notices 从“{result.source}”生成。" if getattr(result, "source", "") else ""
    files = [(plan_path, dump_plan_yaml(result.plan, result.categories, result.tasks, note=note))]
    if not keep_units:
        if result.units is None:
            raise NoticesError("导入结果中没有单位名录，无法生成 units.yaml")
        files += [(units_path, dump_units_yaml(result.units)), (fixes_path, FIXES_TEXT)]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NoticesError(f"无法创建文件夹“{folder}”：{exc.strerror or exc}") from None
    if existing and backup:
        backup_registry(folder)
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

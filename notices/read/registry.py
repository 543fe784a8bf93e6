"""Load the registry (plan.yaml, units.yaml) into the model, checking as it goes.

Every problem is collected as a Problem naming file:line, so `registry check`
can list them all at once; `load_registry` refuses a registry with errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from ..directory import Directory, normalize
from ..errors import NoticesError, Problem
from ..model import Category, Group, Milestone, PlanInfo, Registry, Source, Task, Unit
from ..textfmt import path_label
from .dates import parse_cn_date
from .deadlines import DeadlineError, explicit_deadline, read_deadline
from .yamlsrc import LineDict, LineList, load_yaml

PLAN_FILE = "plan.yaml"
UNITS_FILE = "units.yaml"
UNIT_KINDS = ("部门", "乡镇", "街道", "其他")
_MILESTONE_ID = re.compile(r"^\d+-\d+$")


class _Checker:
    """Collects problems against one file, with the line of the offending key."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def at(self, line: int) -> str:
        return f"{self.label}:{line}"

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.at(line), message))

    def warn(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.at(line), message, "warning"))

    def text(self, node: LineDict, key: str, what: str, required: bool = True) -> str:
        value = node.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(node.line_of(key), f"{what}（{key}）不能为空")
            return ""
        if not isinstance(value, (str, int, float)):
            self.error(node.line_of(key), f"{what}（{key}）应为文字")
            return ""
        return str(value).strip()

    def number(self, node: LineDict, key: str, what: str) -> int:
        value = node.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        self.error(node.line_of(key), f"{what}（{key}）应为正整数，实为“{value}”")
        return 0

    def date(self, node: LineDict, key: str, what: str) -> dt.date | None:
        value = node.get(key)
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.error(node.line_of(key), f"{what}（{key}）应写成 2024-03-26 这样的日期，实为“{value}”")
            return None

    def strings(self, node: LineDict, key: str, what: str) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(node.line_of(key), f"{what}（{key}）应为文字列表")
            return []
        return [v.strip() for v in value if v.strip()]

    def items(self, node, key: str, what: str) -> list[LineDict]:
        value = node.get(key) if isinstance(node, dict) else None
        if not isinstance(value, list) or not value:
            line = node.line_of(key) if isinstance(node, LineDict) else 1
            self.error(line, f"缺少{what}列表（{key}）")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, LineDict):
                out.append(item)
            else:
                self.error(value.line_of(i) if isinstance(value, LineList) else 1, f"{what}的第{i + 1}项格式不对")
        return out


def _load_units(path: Path, label: str):
    doc = load_yaml(path, label)
    chk = _Checker(label)
    if not isinstance(doc, LineDict):
        raise NoticesError(f"{label} 内容为空或格式不对，应包含 groups 和 units 两部分")
    groups: list[Group] = []
    seen_groups: dict[str, int] = {}
    for node in chk.items(doc, "groups", "单位分组"):
        gid = chk.text(node, "id", "分组编号")
        if gid in seen_groups:
            chk.error(node.line_of("id"), f"分组编号“{gid}”重复（第{seen_groups[gid]}行已有）")
        seen_groups[gid] = node.line_of("id")
        groups.append(Group(
            id=gid, name=chk.text(node, "name", "分组名称"),
            aliases=chk.strings(node, "aliases", "别称"), includes=chk.strings(node, "includes", "包含分组"),
            source=Source(label, node.line),
        ))
    units: list[Unit] = []
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for node in chk.items(doc, "units", "单位"):
        name = chk.text(node, "name", "单位全称")
        uid = chk.text(node, "id", "单位编号", required=False)
        if uid:
            if uid in seen_ids:
                chk.error(node.line_of("id"), f"单位编号“{uid}”重复（第{seen_ids[uid]}行已有）：每个单位的编号须不同，"
                                              f"且一经使用不得更改")
            seen_ids[uid] = node.line_of("id")
        key = normalize(name)
        if key in seen_names:
            chk.error(node.line_of("name"), f"单位“{name}”重复（第{seen_names[key]}行已有）")
        seen_names[key] = node.line_of("name")
        kind = chk.text(node, "kind", "单位类别")
        if kind and kind not in UNIT_KINDS:
            chk.error(node.line_of("kind"), f"单位类别“{kind}”无效，应为：{'、'.join(UNIT_KINDS)}")
        unit_groups = chk.strings(node, "groups", "所属分组")
        for gid in unit_groups:
            if gid not in seen_groups:
                chk.error(node.line_of("groups"), f"分组“{gid}”未在 groups 中定义")
        units.append(Unit(
            name=name, short=chk.text(node, "short", "简称", required=False), id=uid,
            aliases=chk.strings(node, "aliases", "别称"), kind=kind or "部门", groups=unit_groups,
            leader=chk.text(node, "leader", "主要负责人", required=False),
            contact=chk.text(node, "contact", "联系人", required=False),
            phone=chk.text(node, "phone", "电话", required=False),
            sample=bool(node.get("sample", False)), source=Source(label, node.line),
            standing=bool(node.get("standing_committee", False)),
        ))
    keys: dict[str, Unit] = {}
    for unit in units:  # a unit without an id is keyed by its name: that must not be another's id
        other = keys.setdefault(unit.key, unit)
        if other is not unit:
            chk.error(unit.source.line, f"单位“{unit.name}”的编号“{unit.key}”与“{other.name}”的相同")
    return groups, units, chk


def _alias_clashes(units: list[Unit], groups: list[Group], chk: _Checker) -> None:
    """A name that means two different units makes every use of it ambiguous."""
    owner: dict[str, str] = {}
    for unit in units:
        for alias in {normalize(a) for a in [unit.name, unit.short, *unit.aliases] if a}:
            other = owner.setdefault(alias, unit.name)
            if other != unit.name:
                chk.error(unit.source.line, f"名称“{alias}”同时指“{other}”和“{unit.name}”，会造成歧义")
    group_names = {normalize(a): g.id for g in groups for a in [g.id, g.name, *g.aliases] if a}
    for unit in units:
        for alias in {normalize(a) for a in [unit.name, unit.short, *unit.aliases] if a}:
            if alias in group_names:
                chk.error(unit.source.line, f"名称“{alias}”既是单位“{unit.name}”又是分组“{group_names[alias]}”，会造成歧义")
    for group in groups:
        for gid in group.includes:
            if gid not in {g.id for g in groups}:
                chk.error(group.source.line, f"分组“{group.id}”包含的分组“{gid}”未定义")


def _plan_info(doc: LineDict, chk: _Checker) -> PlanInfo | None:
    node = doc.get("plan")
    if not isinstance(node, LineDict):
        chk.error(doc.line, "缺少方案信息（plan）")
        return None
    start = chk.date(node, "start", "方案起始日期")
    end = chk.date(node, "end", "方案截止日期")
    date = chk.date(node, "date", "印发日期")
    if start and end and start > end:
        chk.error(node.line_of("end"), "方案截止日期早于起始日期")
    if str(node.get("title") or "").strip() == "待填写":
        chk.warn(node.line_of("title"), "方案名称（title）仍是“待填写”：督办函、通报要引用方案全称，发文前请填写")
    return PlanInfo(
        title=chk.text(node, "title", "方案名称"), table_title=chk.text(node, "table_title", "进度表标题"),
        issuer=chk.text(node, "issuer", "发文机关"), issuer_short=chk.text(node, "issuer_short", "发文机关简称"),
        doc_number=chk.text(node, "doc_number", "方案文号", required=False), date=date or dt.date.min,
        start=start or dt.date.min, end=end or dt.date.max,
        shared_groups=chk.strings(node, "shared_groups", "共同责任分组"),
        shared_note=chk.text(node, "shared_note", "共同责任说明", required=False),
    )


def _milestones(task_no: int, node: LineDict, info: PlanInfo, chk: _Checker, seen: dict) -> list[Milestone]:
    out = []
    for item in chk.items(node, "milestones", f"第{task_no}项任务的具体要求"):
        mid = str(item.get("id", "")).strip()
        if not _MILESTONE_ID.match(mid) or not mid.startswith(f"{task_no}-"):
            chk.error(item.line_of("id"), f"具体要求编号“{mid}”应写成“{task_no}-序号”")
        elif mid in seen:
            chk.error(item.line_of("id"), f"具体要求编号“{mid}”重复（第{seen[mid]}行已有）")
        seen[mid] = item.line_of("id")
        deadline = chk.text(item, "deadline", "完成时间")
        schedule = chk.text(item, "schedule", "周期", required=False)
        meaning = _stated_meaning(item, info, chk)
        dues, ongoing = [], False
        if meaning is not None:
            dues, ongoing = list(meaning.dues), meaning.ongoing
        elif deadline:
            try:
                read = read_deadline(deadline, schedule, info.start, info.end)
                dues, ongoing = list(read.dues), read.ongoing
            except DeadlineError as exc:
                chk.error(item.line_of("schedule" if schedule and "周期" in str(exc) else "deadline"), str(exc))
        out.append(Milestone(
            id=mid, task_no=task_no, requirement=chk.text(item, "requirement", "具体要求"),
            deadline=deadline, schedule=schedule, dues=dues, source=Source(chk.label, item.line), ongoing=ongoing,
            due_stated=meaning is not None and not meaning.ongoing,
        ))
    return out


def _stated_meaning(item: LineDict, info: PlanInfo, chk: _Checker):
    """``due:`` (a date or a list of dates) or ``ongoing: true`` written under a
    milestone: its meaning stated outright, whatever the wording says."""
    ongoing = item.get("ongoing", False)
    if not isinstance(ongoing, bool):
        chk.error(item.line_of("ongoing"), f"持续推进标记（ongoing）应为 true 或 false，实为“{ongoing}”")
        ongoing = False
    due = item.get("due")
    if due in (None, "", []) and not ongoing:
        return None
    days = []
    for value in (due if isinstance(due, list) else [due] if due not in (None, "") else []):
        day = parse_cn_date(str(value), month_end=True)
        if day is None:
            chk.error(item.line_of("due"), f"到期日（due）应写成 2025-06-30 这样的日期，实为“{value}”")
        else:
            days.append(day)
    if ongoing and days:
        chk.error(item.line_of("due"), "同一具体要求不能既写到期日（due）又写持续推进（ongoing: true），请删去其一")
    return explicit_deadline(days, ongoing)


def _load_plan(path: Path, label: str):
    doc = load_yaml(path, label)
    chk = _Checker(label)
    if not isinstance(doc, LineDict):
        raise NoticesError(f"{label} 内容为空或格式不对，应包含 plan、categories、tasks 三部分")
    info = _plan_info(doc, chk)
    categories: list[Category] = []
    for node in chk.items(doc, "categories", "任务类别"):
        no = chk.number(node, "no", "类别序号")
        if no and any(c.no == no for c in categories):
            chk.error(node.line_of("no"), f"类别序号{no}重复")
        categories.append(Category(no, chk.text(node, "name", "类别名称"), chk.text(node, "lead", "类别导语", required=False),
                                   Source(label, node.line)))
    tasks: list[Task] = []
    seen_milestones: dict[str, int] = {}
    for node in chk.items(doc, "tasks", "任务"):
        no = chk.number(node, "no", "任务序号")
        if no and any(t.no == no for t in tasks):
            chk.error(node.line_of("no"), f"任务序号{no}重复")
        cat = chk.number(node, "category", "所属类别")
        if cat and not any(c.no == cat for c in categories):
            chk.error(node.line_of("category"), f"类别{cat}未在 categories 中定义")
        task = Task(
            no=no, category_no=cat, text=chk.text(node, "text", "任务内容"),
            units_text=chk.text(node, "units", "责任单位"), remark=chk.text(node, "remark", "备注", required=False),
            notes=chk.strings(node, "notes", "说明"), source=Source(label, node.line),
            support_text=chk.text(node, "support", "配合单位", required=False),
        )
        if info:
            task.milestones = _milestones(no, node, info, chk, seen_milestones)
        tasks.append(task)
    return info, categories, tasks, chk, doc


def _digest(*paths: Path) -> str:
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def check_registry(folder: Path) -> tuple[Registry | None, Directory | None, list[Problem]]:
    """Load and check; return what loaded and every problem found."""
    folder = Path(folder)
    plan_path, units_path = folder / PLAN_FILE, folder / UNITS_FILE
    plan_label, units_label = path_label(plan_path, Path.cwd()), path_label(units_path, Path.cwd())
    problems: list[Problem] = []
    try:
        groups, units, uchk = _load_units(units_path, units_label)
    except NoticesError as exc:
        return None, None, [*exc.problems] or [Problem(units_label, exc.message)]
    _alias_clashes(units, groups, uchk)
    try:
        info, categories, tasks, pchk, doc = _load_plan(plan_path, plan_label)
    except NoticesError as exc:
        return None, None, uchk.problems + ([*exc.problems] or [Problem(plan_label, exc.message)])
    directory = Directory(units, groups)
    for group in groups:
        if not directory.members(group.id):
            uchk.warn(group.source.line, empty_group_message(group, units_label))
    if info:
        for gid in info.shared_groups:
            if gid not in directory.groups:
                pchk.error(doc["plan"].line_of("shared_groups"), f"共同责任分组“{gid}”未在 {units_label} 中定义")
    for task in tasks:
        res = directory.resolve(task.units_text, info.shared_groups if info else [], task.support_text)
        line = task.source.line
        for name in res.unknown:
            close = directory.suggest(name)
            hint = f"（是否指：{'、'.join(close)}？）" if close else ""
            pchk.error(line, f"第{task.no}项任务的责任单位“{name}”不在单位名录中{hint}")
        for name, found in res.ambiguous:
            pchk.error(line, f"第{task.no}项任务的责任单位“{name}”有歧义（可能是：{'、'.join(found)}）")
        task.unit_names, task.lead_names, task.support_names = list(res.units), list(res.lead), list(res.support)
        if not res.units and not res.unknown and not res.ambiguous:
            empty = f"（分组“{'、'.join(res.empty_groups)}”还没有成员单位）" if res.empty_groups else ""
            pchk.warn(line, f"第{task.no}项任务目前没有具体的责任单位{empty}，在 {units_label} 中补上成员单位之前，"
                            f"不向任何单位收集这项任务的进度")
        elif res.support and not res.lead:
            pchk.warn(line, f"第{task.no}项任务只有配合单位、没有牵头单位，督办函将发给各配合单位")
        if res.both:
            pchk.warn(line, f"第{task.no}项任务中{'、'.join(res.both)}既是牵头单位又是配合单位，按牵头单位计")
    problems = uchk.problems + pchk.problems
    if info is None:
        return None, directory, problems
    registry = Registry(info, categories, tasks, units, groups, _digest(plan_path, units_path))
    return registry, directory, problems


def empty_group_message(group: Group, units_label: str) -> str:
    """An empty group, and where to add its members."""
    return (f"分组“{group.name}”还没有成员单位：请在 {units_label} 中，给属于该分组的每个单位的 groups "
            f"加上“{group.id}”（如 groups: [{group.id}]），没有的单位照样式增加")


def load_registry(folder: Path) -> tuple[Registry, Directory]:
    """The registry, or NoticesError listing every error (warnings are allowed)."""
    registry, directory, problems = check_registry(folder)
    errors = [p for p in problems if p.severity == "error"]
    if errors or registry is None:
        raise NoticesError(f"任务登记表有 {len(errors)} 处错误，请先运行 notices registry check 查看并修正", errors)
    return registry, directory

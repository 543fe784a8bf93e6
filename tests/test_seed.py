"""Prove the shipped registry against the plan it was transcribed from.

The seed is the text extracted from the plan's PDF: the body (通知 + 实施方案, with
every task ending in 〔责任单位：…〕) and the attachment table (序时进度表), one
tab-separated row per line. Nothing expected is written here: the test parses the
seed itself and demands that

* the registry's task text, milestones, 责任单位 and 备注 are the table's cells,
  changed only by the fixes recorded in registry/seed-fixes.yaml;
* the body says the same, except where a task's notes record the difference
  (notes of the form 任务内容/责任单位：正文作“…”，进度表作“…”。);
* categories (name and 导语) are the body's, and the table agrees modulo fixes;
* every recorded fix is real: its table text is in the seed table, its fixed
  text is in the registry and in the body, and it is used;
* the registry loads without errors and every unit name resolves.

The seed lives beside the checkout (../shared/seed/); NOTICES_SEED overrides.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from notices.directory import Directory
from notices.read.registry import check_registry, load_registry

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "registry"
FIXES_FILE = REGISTRY / "seed-fixes.yaml"
SEED_NAME = "000_0b443719357a295c.txt"

ORDINALS = "一二三四五六七八九十"
HEADER = ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"]
CAT_LABEL = re.compile(r"^[（(]\s*([一二三四五六七八九十])\s*[）)]\s*(.*)$", re.S)
TASK_START = re.compile(r"^(\d+)\.\s+(.*)$", re.S)
# A body task: text, then 〔责任单位：…〕 (the PDF closes two of them with "]").
BODY_TASK = re.compile(r"^(.*?)〔责任单位：(.*?)[〕\]]$", re.S)
RUN_TOGETHER = re.compile(r"\s{2,}")  # two cells of one column merged by extraction

SUBSTITUTION_FIELDS = {"text", "units", "remark", "requirement", "deadline", "category"}
STRUCTURAL_FIELDS = {"columns", "row", "split"}
NOTE_SCOPES = {"任务内容": "text", "责任单位": "units"}


# --------------------------------------------------------------------------
# normalisation: what differs only in extraction noise is the same text
# --------------------------------------------------------------------------
def key(text: str) -> str:
    """Width, whitespace and markup folded away (，→, （→( …)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"</?b>", "", text)
    return re.sub(r"\s+", "", text)


def units_key(text: str) -> str:
    """As key(), with every name separator written the same."""
    return re.sub(r"[、,;]+", "、", key(text)).strip("、")


def strip_stop(name: str) -> str:
    return name[:-1] if name.endswith("。") else name


# --------------------------------------------------------------------------
# the seed: body
# --------------------------------------------------------------------------
@dataclass
class BodyCategory:
    no: int
    name: str
    lead: str


@dataclass
class BodyTask:
    no: int
    category: int
    text: str
    units: str


@dataclass
class Body:
    categories: dict[int, BodyCategory]
    tasks: dict[int, BodyTask]


def parse_body(lines: list[str]) -> Body:
    start = next(i for i, line in enumerate(lines) if "三、主要任务" in line)
    end = next(i for i, line in enumerate(lines) if "四、保障措施" in line)
    paras: list[str] = []
    for line in lines[start + 1:end]:
        line = line.strip()
        if not line:
            continue
        if TASK_START.match(line) or CAT_LABEL.match(line):
            paras.append(line)
        else:  # a page break cut the paragraph, often mid-word: join without a gap
            assert paras, f"正文第三部分开头出现无法归属的文字：{line[:30]}"
            paras[-1] += line
    categories: dict[int, BodyCategory] = {}
    tasks: dict[int, BodyTask] = {}
    current = 0
    for para in paras:
        if m := CAT_LABEL.match(para):
            current = ORDINALS.index(m.group(1)) + 1
            name, stop, lead = m.group(2).partition("。")
            assert stop, f"正文类别（{m.group(1)}）没有以句号结束的名称"
            categories[current] = BodyCategory(current, name, lead)
        else:
            m = TASK_START.match(para)
            no, rest = int(m.group(1)), m.group(2)
            body = BODY_TASK.match(rest)
            assert body, f"正文第{no}项没有〔责任单位：…〕"
            assert no not in tasks, f"正文第{no}项出现两次"
            tasks[no] = BodyTask(no, current, body.group(1).strip(), body.group(2).strip())
    return Body(categories, tasks)


# --------------------------------------------------------------------------
# the seed: attachment table
# --------------------------------------------------------------------------
@dataclass
class TableTask:
    no: int
    category: int
    text_cell: str  # 任务内容 as extracted, with its "N. "
    units: str
    remark: str
    rows: list[list[str]] = field(default_factory=list)  # [具体要求, 完成时间]
    shifted_cell: str = ""  # the first cell when the row was shifted one column left

    @property
    def text(self) -> str:
        return TASK_START.match(self.text_cell).group(2)


@dataclass
class TableCategory:
    no: int
    labels: list[str] = field(default_factory=list)  # every 任务名称 cell, without ordinal
    lead: str | None = None
    misplaced_lead: bool = False  # the lead-in row stood above the row naming it


@dataclass
class Table:
    title: str
    text: str  # the table part of the seed, for "is this really in the table"
    categories: dict[int, TableCategory]
    tasks: dict[int, TableTask]


def parse_table(lines: list[str]) -> Table:
    start = next(i for i, line in enumerate(lines) if line.startswith("附件："))
    title = lines[start].partition("：")[2].strip()
    categories: dict[int, TableCategory] = {}
    tasks: dict[int, TableTask] = {}
    current_cat = 0
    task: TableTask | None = None
    pending_lead: str | None = None
    for lineno, line in enumerate(lines[start + 1:], start + 2):
        if "\t" not in line:  # page titles and blank lines
            continue
        cells = [c.strip() for c in line.split("\t")]
        assert len(cells) == 6, f"进度表第{lineno}行应有6列，实有{len(cells)}列"
        if cells == HEADER:
            continue
        shifted = ""
        if TASK_START.match(cells[0]):  # task text slipped into 任务名称
            assert not cells[5], f"进度表第{lineno}行左移后末列不应有内容"
            shifted = cells[0]
            cells = [""] + cells[:5]
        if cells[0]:
            m = CAT_LABEL.match(cells[0])
            assert m, f"进度表第{lineno}行任务名称无法识别：{cells[0]}"
            no = ORDINALS.index(m.group(1)) + 1
            if no != current_cat:
                assert no == current_cat + 1, f"进度表第{lineno}行类别顺序不对"
                categories[no] = TableCategory(no)
                if pending_lead is not None:
                    categories[no].lead, categories[no].misplaced_lead = pending_lead, True
                    pending_lead = None
                current_cat = no
            categories[no].labels.append(m.group(2))
        if m := TASK_START.match(cells[1]):
            no = int(m.group(1))
            assert no not in tasks, f"进度表第{no}项出现两次"
            task = TableTask(no, current_cat, cells[1], cells[4], cells[5], shifted_cell=shifted)
            if cells[2] or cells[3]:
                task.rows.append([cells[2], cells[3]])
            tasks[no] = task
        elif cells[1]:  # a category lead-in
            assert not any(cells[2:]), f"进度表第{lineno}行导语行其余各列应为空"
            if cells[0]:
                assert categories[current_cat].lead is None, f"进度表第{lineno}行导语重复"
                categories[current_cat].lead = cells[1]
            else:
                assert pending_lead is None, f"进度表第{lineno}行导语重复"
                pending_lead = cells[1]
        elif cells[2] or cells[3]:  # one more milestone of the task above
            assert task is not None and not cells[4] and not cells[5], f"进度表第{lineno}行无法归属"
            task.rows.append([cells[2], cells[3]])
    assert pending_lead is None, "进度表末尾有无法归属的导语行"
    table_text = "\n".join(lines[start:])
    return Table(title, table_text, categories, tasks)


# --------------------------------------------------------------------------
# fixes: rebuild what the registry should hold from table + recorded fixes
# --------------------------------------------------------------------------
@dataclass
class Fix:
    index: int
    task: int | None
    category: int | None
    milestone: str | None
    field: str
    table: str
    fixed: str
    basis: str

    def __str__(self) -> str:
        where = f"第{self.task}项" if self.task else f"类别{self.category}"
        return f"seed-fixes 第{self.index + 1}条（{where} {self.field}：{self.table[:20]}）"


def load_fixes() -> list[Fix]:
    doc = yaml.safe_load(FIXES_FILE.read_text(encoding="utf-8"))
    out = []
    for i, item in enumerate(doc["fixes"]):
        fix = Fix(i, item.get("task"), item.get("category"), item.get("milestone"), item["field"],
                  str(item["table"]), str(item["fixed"]), str(item.get("basis", "")))
        assert fix.field in SUBSTITUTION_FIELDS | STRUCTURAL_FIELDS, f"{fix}: 未知的 field"
        assert (fix.task is None) != (fix.category is None), f"{fix}: 应写 task 或 category 之一"
        if fix.field in ("category", "row"):
            assert fix.category, f"{fix}: 类别修正应写 category"
        else:
            assert fix.task, f"{fix}: 应写 task"
        if fix.field in ("requirement", "deadline", "split"):
            assert fix.milestone, f"{fix}: 应写 milestone"
        assert fix.basis.strip(), f"{fix}: 缺少 basis"
        assert fix.table != fix.fixed or fix.field in STRUCTURAL_FIELDS, f"{fix}: table 与 fixed 相同"
        out.append(fix)
    return out


@dataclass
class Expected:
    categories: dict[int, tuple[list[str], str]]  # labels, lead
    tasks: dict[int, dict]
    used: set[int]


def apply(cell: str, fixes: list[Fix], used: set[int]) -> str:
    for fix in fixes:
        if fix.table in cell:
            cell = cell.replace(fix.table, fix.fixed)
            used.add(fix.index)
    return cell


def rebuild(table: Table, fixes: list[Fix]) -> Expected:
    used: set[int] = set()
    categories = {}
    for no, cat in table.categories.items():
        cat_fixes = [f for f in fixes if f.category == no and f.field == "category"]
        labels = [strip_stop(apply(label, cat_fixes, used)) for label in cat.labels]
        lead = apply(cat.lead or "", cat_fixes, used)
        for fix in fixes:
            if fix.category == no and fix.field == "row" and cat.misplaced_lead and fix.table in cat.lead:
                used.add(fix.index)
        categories[no] = (labels, lead)
    tasks = {}
    for no, t in table.tasks.items():
        mine = [f for f in fixes if f.task == no]
        for fix in mine:
            if fix.field == "columns" and fix.table in t.shifted_cell:
                used.add(fix.index)
        rows = []
        for req, deadline in t.rows:
            splits = [f for f in mine if f.field == "split" and (f.table in req or f.table in deadline)]
            if splits:
                reqs, deadlines = RUN_TOGETHER.split(req), RUN_TOGETHER.split(deadline)
                assert len(reqs) == len(deadlines), f"第{no}项：拆分后具体要求与完成时间个数不等"
                used.update(f.index for f in splits)
                rows.extend([r, d] for r, d in zip(reqs, deadlines))
            else:
                rows.append([req, deadline])
        milestones = []
        for seq, (req, deadline) in enumerate(rows, 1):
            mid = f"{no}-{seq}"
            ms_fixes = [f for f in mine if f.milestone == mid]
            milestones.append((
                mid,
                apply(req, [f for f in ms_fixes if f.field == "requirement"], used),
                apply(deadline, [f for f in ms_fixes if f.field == "deadline"], used),
            ))
        tasks[no] = {
            "category": t.category,
            "text": apply(t.text, [f for f in mine if f.field == "text"], used),
            "units": apply(t.units, [f for f in mine if f.field == "units"], used),
            "remark": apply(t.remark, [f for f in mine if f.field == "remark"], used),
            "milestones": milestones,
        }
    return Expected(categories, tasks, used)


def parse_notes(notes: list[str]) -> list[tuple[str, str, str]]:
    """(field, body phrase, table phrase) of notes like 任务内容：正文作“…”，进度表作“…”。"""
    out = []
    for note in notes:
        for scope, fld in NOTE_SCOPES.items():
            head = f"{scope}：正文作“"
            if note.startswith(head) and note.endswith("”。") and "”，进度表作“" in note:
                body, _, tab = note[len(head):-2].partition("”，进度表作“")
                out.append((fld, body, tab))
    return out


def apply_notes(text: str, notes: list[tuple[str, str, str]], fld: str, fold) -> str:
    """The registry's wording turned back into the body's, one noted phrase at a time."""
    out = fold(text)
    for scope, body, tab in notes:
        if scope != fld:
            continue
        assert fold(tab) in out, f"说明中进度表作“{tab}”在登记内容中找不到"
        assert out.count(fold(tab)) == 1, f"说明中进度表作“{tab}”出现不止一次，请加长上下文"
        out = out.replace(fold(tab), fold(body))
    return out


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    path = Path(os.environ.get("NOTICES_SEED") or ROOT / ".." / "shared" / "seed" / SEED_NAME)
    if not path.is_file():
        pytest.skip(f"找不到种子文件 {path}（CI 中应位于检出目录旁的 ../shared/seed/，或用 NOTICES_SEED 指定）")
    return path.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def body(seed_lines) -> Body:
    return parse_body(seed_lines)


@pytest.fixture(scope="module")
def table(seed_lines) -> Table:
    return parse_table(seed_lines)


@pytest.fixture(scope="module")
def fixes() -> list[Fix]:
    return load_fixes()


@pytest.fixture(scope="module")
def expected(table, fixes) -> Expected:
    return rebuild(table, fixes)


@pytest.fixture(scope="module")
def loaded():
    return load_registry(REGISTRY)


@pytest.fixture(scope="module")
def registry(loaded):
    return loaded[0]


@pytest.fixture(scope="module")
def directory(loaded) -> Directory:
    return loaded[1]


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------
def test_registry_loads_without_errors():
    _, _, problems = check_registry(REGISTRY)
    errors = [str(p) for p in problems if p.severity == "error"]
    assert not errors, "\n".join(errors)


def test_plan_header(seed_lines, table, registry, body):
    text = "\n".join(seed_lines)
    plan = registry.plan
    assert f"《{plan.title}》" in text
    assert plan.table_title == table.title
    assert f"# {plan.issuer}文件" in text
    assert plan.doc_number in text and plan.doc_number.startswith(plan.issuer_short)
    assert f"{plan.date.year}年{plan.date.month}月{plan.date.day}日" in text
    years = re.search(r"（(\d{4})-(\d{4})年）", plan.title)
    assert plan.start == plan.date and plan.start.year == int(years.group(1))
    assert plan.end.year == int(years.group(2)) and (plan.end.month, plan.end.day) == (12, 31)
    # The shared note is what the body's first 〔责任单位〕 says after the names.
    assert any(key(t.units).endswith(key(plan.shared_note)) for t in body.tasks.values())


def test_categories_match_body(body, registry):
    assert [c.no for c in registry.categories] == sorted(body.categories) == list(range(1, 9))
    for cat in registry.categories:
        src = body.categories[cat.no]
        assert cat.name == src.name, f"类别{cat.no}名称与正文不符"
        assert cat.lead == src.lead, f"类别{cat.no}导语与正文不符"


def test_categories_match_table(table, expected, registry, fixes):
    assert sorted(expected.categories) == [c.no for c in registry.categories]
    for cat in registry.categories:
        labels, lead = expected.categories[cat.no]
        for label in labels:
            assert label == cat.name, f"进度表类别（{cat.ordinal}）名称“{label}”与登记“{cat.name}”不符"
        assert lead == cat.lead, f"进度表类别{cat.ordinal}导语与登记不符：{lead}"
    misplaced = {no for no, c in table.categories.items() if c.misplaced_lead}
    recorded = {f.category for f in fixes if f.field == "row"}
    assert misplaced == recorded, "导语错行的类别与 seed-fixes 中 row 记录不一致"


def test_tasks_are_the_table_rows(table, body, registry):
    numbers = [t.no for t in registry.tasks]
    assert numbers == list(range(1, len(numbers) + 1))
    assert set(numbers) == set(body.tasks), "登记任务与正文任务编号不一致"
    assert set(numbers) == set(table.tasks), "登记任务与进度表任务编号不一致"


def test_shifted_rows_are_recorded(table, fixes):
    shifted = {no for no, t in table.tasks.items() if t.shifted_cell}
    recorded = {f.task for f in fixes if f.field == "columns"}
    assert shifted == recorded, "左移的行与 seed-fixes 中 columns 记录不一致"


def test_run_together_cells_are_recorded(table, fixes):
    merged = {no for no, t in table.tasks.items() for r in t.rows if RUN_TOGETHER.search(r[0] + "\t" + r[1])}
    recorded = {f.task for f in fixes if f.field == "split"}
    assert merged == recorded, "单元格粘连的行与 seed-fixes 中 split 记录不一致"


def test_task_text_units_remark_match_table(expected, registry):
    for task in registry.tasks:
        exp = expected.tasks[task.no]
        assert task.category_no == exp["category"], f"第{task.no}项所属类别与进度表不符"
        assert task.text == exp["text"], f"第{task.no}项任务内容与进度表（经修正）不符"
        assert task.units_text == exp["units"], f"第{task.no}项责任单位与进度表（经修正）不符"
        assert task.remark == exp["remark"], f"第{task.no}项备注与进度表（经修正）不符"


def test_milestones_match_table(expected, registry):
    for task in registry.tasks:
        got = [(m.id, m.requirement, m.deadline) for m in task.milestones]
        assert got == expected.tasks[task.no]["milestones"], f"第{task.no}项具体要求/完成时间与进度表不符"


def test_task_text_matches_body_modulo_notes(body, registry):
    for task in registry.tasks:
        src = body.tasks[task.no]
        assert task.category_no == src.category, f"第{task.no}项所属类别与正文不符"
        notes = parse_notes(task.notes)
        for _, b, t in notes:
            assert key(b) != key(t), f"第{task.no}项说明中正文与进度表写法相同"
        assert apply_notes(task.text, notes, "text", key) == key(src.text), (
            f"第{task.no}项任务内容与正文的差异未全部记入说明（notes）"
        )


def _body_units(src: BodyTask, shared_note: str) -> str:
    units = src.units
    if shared_note and units.endswith(shared_note):
        units = units[: -len(shared_note)]
    return units


def test_units_resolve_and_match_body(body, registry, directory):
    shared = registry.plan.shared_groups
    for task in registry.tasks:
        for name in Directory.split(task.units_text):
            assert directory.lookup(name) or directory.group_id(name), f"第{task.no}项责任单位“{name}”无法识别"
        res = directory.resolve(task.units_text, shared)
        assert not res.unknown and not res.ambiguous, f"第{task.no}项责任单位：{res}"
        assert list(res.units) == task.unit_names

        src_units = _body_units(body.tasks[task.no], registry.plan.shared_note)
        notes = parse_notes(task.notes)
        assert apply_notes(task.units_text, notes, "units", units_key) == units_key(src_units), (
            f"第{task.no}项责任单位与正文的差异未全部记入说明（notes）"
        )
        src_res = directory.resolve(src_units, shared)
        assert not src_res.unknown and not src_res.ambiguous, f"正文第{task.no}项责任单位：{src_res}"
        noted = set()
        for fld, b, t in notes:
            if fld == "units":
                noted |= set(directory.resolve(b).units) | set(directory.resolve(t).units)
        differ = set(res.units) ^ set(src_res.units)
        assert differ <= noted, f"第{task.no}项责任单位与正文不同且未说明：{sorted(differ - noted)}"


def test_every_fix_is_real(table, body, registry, fixes, expected):
    for fix in fixes:
        assert fix.table in table.text, f"{fix}: table 文字不在种子进度表中"
        assert fix.index in expected.used, f"{fix}: 未被用到（进度表对应单元格中找不到 table 文字）"
        if fix.category:
            cat = registry.category(fix.category)
            assert fix.fixed in cat.name + "\n" + cat.lead, f"{fix}: fixed 文字不在登记的类别中"
            src = body.categories[fix.category]
            assert key(fix.fixed) in key(src.name + src.lead), f"{fix}: fixed 文字在正文中找不到"
            continue
        task = registry.task(fix.task)
        if fix.milestone:
            ms = next(m for m in task.milestones if m.id == fix.milestone)
            where = {"requirement": ms.requirement, "deadline": ms.deadline,
                     "split": ms.requirement + "\n" + ms.deadline}[fix.field]
        else:
            where = {"text": task.text, "columns": task.text, "units": task.units_text,
                     "remark": task.remark}[fix.field]
        assert fix.fixed in where, f"{fix}: fixed 文字不在登记内容中"
        src = body.tasks[fix.task]
        if fix.field in ("units", "remark"):  # both come from the body's 〔责任单位：…〕
            found = units_key(fix.fixed) in units_key(src.units)
        else:
            found = key(fix.fixed) in key(src.text)
        assert found, f"{fix}: fixed 文字在正文第{fix.task}项中找不到"

"""registry import: reading a 序时进度表 (.xlsx / .docx) back into the registry."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from notices.compose.table import TableSpec, table_rows
from notices.directory import Directory
from notices.errors import NoticesError
from notices.read.registry import load_registry
from notices.read.registry_dump import dump_plan_yaml, write_registry
from notices.read.table_import import cn_to_int, import_table, parse_category_label, parse_task_label
from notices.render.table_xlsx import SHEET, table_extra, write_table_xlsx
from test_table_xlsx import UNITS_YAML

FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "heading": "黑体"}


PLAN_YAML = """\
plan:
  title: 某县安全生产治本攻坚三年行动实施方案
  table_title: 某县安全生产治本攻坚三年行动序时进度表
  issuer: 某县安全生产委员会办公室
  issuer_short: 某安委办
  doc_number: 某安委办〔2024〕3号
  date: 2024-03-26
  start: 2024-03-26
  end: 2026-12-31
  shared_groups: [town]
  shared_note: "各乡镇（街道）对辖区内任务负属地责任: 见方案"
categories:
  - no: 1
    name: 开展安全生产责任落实行动
    lead: 全面压实各方责任。
  - no: 2
    name: 开展重大事故隐患动态清零行动
    lead: ""
tasks:
  - no: 1
    category: 1
    text: 落实党政领导责任：将安全生产纳入议事日程。
    units: 县应急局、住建局
    remark: 牵头
    milestones:
      - id: 1-1
        requirement: "制定责任清单: 明确分工 # 第一步"
        deadline: 2024年底
      - id: 1-2
        requirement: 每季度研究一次安全生产工作
        deadline: 各年度序时推动
        schedule: 每季度
  - no: 2
    category: 1
    text: 强化部门监管责任。
    units: 各有关部门
    notes: [正文第三部分另有要求, "'引号'开头"]
    milestones:
      - id: 2-1
        requirement: "修订监管权责清单\\n（分两步）"
        deadline: 2024年6月
  - no: 3
    category: 2
    text: 开展隐患排查整治。
    units: 县公安局、兴隆街道
    milestones:
      - id: 3-1
        requirement: 建立隐患台账
        deadline: 2024年3月30日
      - id: 3-5
        requirement: 动态清零
        deadline: 2025年底
"""


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    return folder


def _dump(reg) -> str:
    return dump_plan_yaml(reg.plan, reg.categories, reg.tasks)


def _export(reg, path: Path, tasks=None) -> Path:
    spec = TableSpec(reg.plan.table_title, table_rows(reg, tasks or reg.tasks), subtitle="（2024—2026年）",
                     attachment_label="附件1")
    write_table_xlsx(spec, path, FONTS, 10.5, plan=reg.plan, extra=table_extra(reg))
    return path


# --- round trip of our own export ------------------------------------------------

def test_round_trip_of_own_export(tmp_path, folder):
    reg, directory = load_registry(folder)
    result = import_table(_export(reg, tmp_path / "进度表.xlsx"), directory)
    assert result.from_export
    assert dump_plan_yaml(result.plan, result.categories, result.tasks) == _dump(reg)
    assert result.plan == reg.plan
    assert [(c.no, c.name, c.lead) for c in result.categories] == [(c.no, c.name, c.lead) for c in reg.categories]
    got = {m.id: m for m in result.milestones}
    assert list(got) == ["1-1", "1-2", "2-1", "3-1", "3-5"]
    assert got["1-2"].schedule == "每季度"
    assert [d.date for d in got["1-2"].dues] == [d.date for d in reg.task(1).milestones[1].dues]
    assert got["2-1"].requirement == "修订监管权责清单\n（分两步）"
    assert result.tasks[1].notes == ["正文第三部分另有要求", "'引号'开头"]
    assert result.tasks[0].unit_names == reg.tasks[0].unit_names
    assert not result.problems
    assert "识别到 2 类任务、3 项任务、5 个具体要求" in result.report
    assert any(line.startswith("完成时间“2024年底” → 2024-12-31") for line in result.report)

    # The dumped YAML is a registry the loader reads back to the same thing.
    out = tmp_path / "again"
    out.mkdir()
    shutil.copy(folder / "units.yaml", out / "units.yaml")
    assert write_registry(result, out, keep_units=True) == [out / "plan.yaml"]
    again, _ = load_registry(out)
    assert _dump(again) == _dump(reg)


def test_edited_export_keeps_ids(tmp_path, folder):
    """Text edited in Excel after export: ids stay, the visible text wins; new rows get new ids."""
    reg, directory = load_registry(folder)
    path = _export(reg, tmp_path / "进度表.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    assert ws["C7"].value == "每季度研究一次安全生产工作"
    ws["C7"] = "每季度至少研究一次安全生产工作"
    ws["D8"] = "2024年9月"
    wb.save(path)
    result = import_table(path, directory)
    ms = {m.id: m for m in result.milestones}
    assert ms["1-2"].requirement == "每季度至少研究一次安全生产工作" and ms["1-2"].schedule == "每季度"
    assert ms["2-1"].deadline == "2024年9月"
    assert result.plan.doc_number == "某安委办〔2024〕3号"


def test_subset_export_round_trips(tmp_path, folder):
    reg, directory = load_registry(folder)
    result = import_table(_export(reg, tmp_path / "t.xlsx", tasks=[reg.task(3)]), directory)
    assert [t.no for t in result.tasks] == [3]
    assert [m.id for m in result.milestones] == ["3-1", "3-5"]
    assert [c.no for c in result.categories] == [2]


def test_shipped_registry_round_trip(tmp_path):
    shipped = Path(__file__).resolve().parents[1] / "registry"
    if not (shipped / "plan.yaml").exists() or not (shipped / "units.yaml").exists():
        pytest.skip("registry/plan.yaml 尚未提供")
    try:
        reg, directory = load_registry(shipped)
    except NoticesError:
        pytest.skip("registry/plan.yaml 暂不能加载")
    result = import_table(_export(reg, tmp_path / "shipped.xlsx"), directory)
    assert dump_plan_yaml(result.plan, result.categories, result.tasks) == _dump(reg)
    assert not result.errors


# --- a Word table as an office makes it --------------------------------------------

def _docx_table(path: Path, repeated_header=True) -> Path:
    doc = Document()
    doc.add_paragraph("附件1")
    doc.add_paragraph("某县安全生产治本攻坚三年行动序时进度表")
    doc.add_paragraph("（2024—2026年）")
    rows = [
        ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"],
        ["（一）开展安全生产责任落实行动。", "全面压实各方责任。", "", "", "", ""],
        ["", "1. 落实党政领导责任。", "制定责任清单", "2024年底", "应急局、住建局", "牵头"],
        ["", "", "每年研究安全生产工作", "各年度序时推动", "", ""],
        ["", "2．强化部门监管责任。", "修订权责清单", "2024年6月", "县公安局", ""],
        ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"],
        ["（二）开展重大事故隐患动态清零行动", "3、开展隐患排查整治。", "建立隐患台账", "2024年3月", "兴隆街道、消防救援大队", ""],
        ["", "", "动态清零", "2025年底", "", ""],
    ]
    if not repeated_header:
        del rows[5]
    table = doc.add_table(rows=len(rows), cols=6)
    table.style = "Table Grid"
    for r, values in enumerate(rows):
        for c, text in enumerate(values):
            if text:
                table.cell(r, c).text = text
    # Merge the way Word does: the lead-in across the row, categories and tasks down.
    table.cell(1, 1).merge(table.cell(1, 5))
    table.cell(1, 0).merge(table.cell(4, 0))
    table.cell(2, 1).merge(table.cell(3, 1))
    table.cell(2, 4).merge(table.cell(3, 4))
    table.cell(2, 5).merge(table.cell(3, 5))
    last = len(rows) - 1
    table.cell(last - 1, 0).merge(table.cell(last, 0))
    table.cell(last - 1, 1).merge(table.cell(last, 1))
    table.cell(last - 1, 4).merge(table.cell(last, 4))
    doc.save(path)
    return path


def test_import_word_table(tmp_path, folder):
    _, directory = load_registry(folder)
    path = _docx_table(tmp_path / "方案附件.docx")
    result = import_table(path, directory)
    assert not result.from_export
    assert [(c.no, c.name, c.lead) for c in result.categories] == [
        (1, "开展安全生产责任落实行动", "全面压实各方责任。"), (2, "开展重大事故隐患动态清零行动", "")]
    assert [(t.no, t.category_no, t.text, t.units_text, t.remark) for t in result.tasks] == [
        (1, 1, "落实党政领导责任。", "应急局、住建局", "牵头"),
        (2, 1, "强化部门监管责任。", "县公安局", ""),
        (3, 2, "开展隐患排查整治。", "兴隆街道、消防救援大队", ""),
    ]
    assert [(m.id, m.requirement, m.deadline) for m in result.milestones] == [
        ("1-1", "制定责任清单", "2024年底"), ("1-2", "每年研究安全生产工作", "各年度序时推动"),
        ("2-1", "修订权责清单", "2024年6月"), ("3-1", "建立隐患台账", "2024年3月"), ("3-2", "动态清零", "2025年底"),
    ]
    assert result.tasks[0].unit_names[:2] == ["县应急管理局", "县住房和城乡建设局"]
    # Placeholder plan: title from the paragraph above the table, dates flagged.
    assert result.plan.table_title == "某县安全生产治本攻坚三年行动序时进度表"
    assert result.plan.date == dt.date.today()
    assert (result.plan.start, result.plan.end) == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert result.plan.title == "某县安全生产治本攻坚三年行动"  # not the table's title: letters cite the plan
    assert result.plan.doc_number == "" and result.plan.issuer == "待填写"
    assert any("暂填“待填写”" in line for line in result.report)
    assert "识别到 2 类任务、3 项任务、5 个具体要求" in result.report
    assert any(line.startswith("完成时间“2024年3月” → 2024-03-31") for line in result.report)
    # The unknown unit is reported with where it is.
    assert result.unmatched == [("方案附件.docx 表格1 第7行", "消防救援大队")]
    assert not result.problems
    assert any("方案附件.docx 表格1 第7行" in line and "消防救援大队" in line for line in result.report)

    # Written out and completed with the office's units.yaml it loads.
    out = tmp_path / "imported"
    out.mkdir()
    (out / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    write_registry(result, out, keep_units=True)
    with pytest.raises(NoticesError) as exc:  # 消防救援大队 is not in units.yaml
        load_registry(out)
    assert any("消防救援大队" in p.message for p in exc.value.problems)


def test_import_word_without_directory_writes_units(tmp_path):
    result = import_table(_docx_table(tmp_path / "a.docx", repeated_header=False), None)
    assert result.tasks[2].unit_names == ["兴隆街道", "消防救援大队"]
    assert result.unit_names == ["应急局", "住建局", "县公安局", "兴隆街道", "消防救援大队"]
    out = tmp_path / "new"
    written = write_registry(result, out)
    assert [p.name for p in written] == ["plan.yaml", "units.yaml", "seed-fixes.yaml"]
    units = (out / "units.yaml").read_text(encoding="utf-8")
    assert units.startswith("#") and "消防救援大队" in units and 'id: "U05"' in units
    assert "fixes: []" in (out / "seed-fixes.yaml").read_text(encoding="utf-8")
    reg, directory = load_registry(out)  # the drafted registry loads as is
    assert len(reg.units) == 5 and len(reg.milestones) == 5
    assert directory.unit("兴隆街道").kind == "街道" and directory.unit("兴隆街道").groups == ["街道"]

    # The registry exists now: refused without force, nothing changed.
    before = (out / "plan.yaml").read_text(encoding="utf-8")
    (out / "units.yaml").write_text(units + "# 本办补充\n", encoding="utf-8")
    with pytest.raises(NoticesError) as exc:
        write_registry(result, out)
    assert "已存在，未做任何改动" in exc.value.message and "--force" in exc.value.message
    assert (out / "units.yaml").read_text(encoding="utf-8").endswith("# 本办补充\n")
    assert not list(tmp_path.glob("new-备份-*"))
    # With force: replaced, and what it replaced kept in a dated copy beside it.
    assert write_registry(result, out, force=True) == [out / n for n in ("plan.yaml", "units.yaml", "seed-fixes.yaml")]
    (backup,) = tmp_path.glob("new-备份-*")
    assert backup.name == f"new-备份-{dt.date.today().isoformat()}"
    assert (backup / "units.yaml").read_text(encoding="utf-8").endswith("# 本办补充\n")
    assert (out / "plan.yaml").read_text(encoding="utf-8") == before
    write_registry(result, out, force=True)
    assert sorted(p.name for p in tmp_path.glob("new-备份-*"))[-1].endswith("-2")


# --- a hand-made workbook with typos -----------------------------------------------

def _typo_workbook(path: Path, deadline="2024年底 ") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "进度"
    ws["A1"] = "附件 2"
    ws["A2"] = "某县治本攻坚序时进度表"
    ws.merge_cells("A2:G2")
    # Columns in another order, spaced header words, a synonym and an extra column.
    ws.append(["任务 名称", "任务内容", "具体要求", "完成时限", "进展情况", "备注", "责任单位"])
    ws.append(["（一）责任落实", "全面压实责任", None, None, None, None, None])
    ws.append([None, "１．落实领导责任", "制定清单", deadline, "已完成", None, "县应急局、住建局"])
    ws.append([None, None, "年度研究", dt.datetime(2025, 6, 30), None, None, None])
    ws.append([None, "2.  强化监管", "修订清单", "2024 年 6 月", None, "另行通知", "应急管理局"])
    ws.append([None, "2.  强化监管", "再修订", "2025年6月", None, "另行通知", "应急管理局"])
    ws.merge_cells("A4:A8")
    ws.merge_cells("B5:B6")
    ws.merge_cells("G5:G6")
    ws.append(["(二)隐患清零", "3、排查整治", "建台账", "2024年底", None, None, "县公安局"])
    wb.save(path)
    return path


def test_import_typo_workbook(tmp_path, folder):
    _, directory = load_registry(folder)
    result = import_table(_typo_workbook(tmp_path / "手工表.xlsx"), directory)
    assert [(c.no, c.name, c.lead) for c in result.categories] == [(1, "责任落实", "全面压实责任"), (2, "隐患清零", "")]
    assert [(t.no, t.text, t.units_text, t.remark) for t in result.tasks] == [
        (1, "落实领导责任", "县应急局、住建局", ""), (2, "强化监管", "应急管理局", "另行通知"), (3, "排查整治", "县公安局", "")]
    assert [(m.id, m.deadline) for m in result.milestones] == [
        ("1-1", "2024年底"), ("1-2", "2025年6月30日"), ("2-1", "2024 年 6 月"), ("2-2", "2025年6月"), ("3-1", "2024年底")]
    assert result.plan.table_title == "某县治本攻坚序时进度表"
    # "应急管理局" is neither the full name nor an alias: reported with its cell.
    assert result.unmatched == [("手工表.xlsx 进度!G7", "应急管理局")]
    assert "手工表.xlsx 进度!G7：责任单位“应急管理局”不在单位名录中" in result.report
    assert any(line.startswith("完成时间“2024 年 6 月” → 2024-06-30") for line in result.report)
    assert not result.errors


def test_unreadable_deadline_named_by_cell(tmp_path):
    result = import_table(_typo_workbook(tmp_path / "表.xlsx", deadline="明年"), None)
    errors = result.errors
    assert len(errors) == 1 and errors[0].where == "表.xlsx 进度!D5"
    assert "明年" in errors[0].message and "无法识别" in errors[0].message
    assert result.milestones[0].deadline == "明年" and not result.milestones[0].dues


# --- inputs that cannot be read ----------------------------------------------------

def _raises(path: Path, *words: str) -> NoticesError:
    with pytest.raises(NoticesError) as exc:
        import_table(path, None)
    text = str(exc.value)
    assert path.name in text
    for word in words:
        assert word in text, text
    return exc.value


def test_empty_file(tmp_path):
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    _raises(path, "空的")


def test_renamed_or_random_bytes(tmp_path):
    path = tmp_path / "乱码.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    _raises(path, "不是有效的")
    old = tmp_path / "旧表.xlsx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    _raises(old, "旧版", "另存为")
    fake_zip = tmp_path / "假.xlsx"
    fake_zip.write_bytes(b"PK\x03\x04" + bytes(100))
    _raises(fake_zip, "损坏")


@pytest.mark.parametrize("suffix", [".xls", ".et", ".doc", ".wps"])
def test_old_formats_refused(tmp_path, suffix):
    path = tmp_path / f"进度表{suffix}"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    err = _raises(path, "不支持", "另存为")
    assert err.problems[0].where == path.name


def test_other_format_and_missing(tmp_path):
    _raises(tmp_path / "进度表.csv", ".xlsx", ".docx")
    _raises(tmp_path / "没有.xlsx", "找不到")


def test_workbook_without_header(tmp_path):
    path = tmp_path / "无表头.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.active.append(["序号", "工作内容", "时间"])
    wb.active.append([1, "排查", "2024年底"])
    wb.save(path)
    err = _raises(path, "未找到", "表头")
    assert err.problems[0].where == "无表头.xlsx Sheet1 第1行"
    assert err.problems[0].message.startswith("找到的列：A 序号、B 工作内容、C 时间；未能认出责任单位所在的列。")
    assert "--columns 任务=B,要求=C,时间=F,牵头=D,配合=E" in err.problems[0].message

    empty = tmp_path / "空表.xlsx"
    openpyxl.Workbook().save(empty)
    _raises(empty, "没有任何内容")


def test_docx_without_table(tmp_path):
    path = tmp_path / "正文.docx"
    doc = Document()
    doc.add_paragraph("没有表格")
    doc.save(path)
    _raises(path, "没有表格")


def _rows_workbook(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "表"
    wb.active.append(["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"])
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_milestone_before_any_task(tmp_path):
    path = _rows_workbook(tmp_path / "a.xlsx", [
        ["（一）责任落实", None, "制定清单", "2024年底", "县公安局", None],
        [None, "1. 任务", "要求", "2024年底", "县公安局", None],
    ])
    err = _raises(path, "之前没有任务")
    assert [p.where for p in err.problems] == ["a.xlsx 表!C2"]


def test_unnumbered_task(tmp_path):
    path = _rows_workbook(tmp_path / "b.xlsx", [
        ["（一）责任落实", "1. 任务", "要求", "2024年底", "县公安局", None],
        [None, "没有序号的任务", "要求", "2024年底", "县公安局", None],
        [None, "没有序号的任务", "要求二", "2025年底", "县公安局", None],
        [None, "3. 任务", "要求", "2024年底", "县公安局", None],
        [None, "1. 又一项任务", "要求", "2024年底", "县公安局", None],
    ])
    err = _raises(path, "没有序号", "重复")
    assert [p.where for p in err.problems] == ["b.xlsx 表!B3", "b.xlsx 表!B6"]


def test_header_only(tmp_path):
    _raises(_rows_workbook(tmp_path / "c.xlsx", []), "没有任何任务")


# --- helpers -------------------------------------------------------------------------

def test_label_parsers():
    assert cn_to_int("一") == 1 and cn_to_int("十") == 10 and cn_to_int("十二") == 12
    assert cn_to_int("二十一") == 21 and cn_to_int("一百零五") == 105 and cn_to_int("甲") is None
    assert parse_category_label("（十一）开展行动。") == (11, "开展行动")
    assert parse_category_label("(三) 开展 行动") == (3, "开展行动")
    assert parse_category_label("四、开展行动") == (4, "开展行动")
    assert parse_category_label("开展行动") == (None, "开展行动")
    assert parse_task_label("１２．落实责任") == (12, "落实责任")
    assert parse_task_label("3、落实责任") == (3, "落实责任")
    assert parse_task_label("2024年底前完成") == (None, "2024年底前完成")


def test_dump_quotes_what_needs_quoting(tmp_path, folder):
    reg, _ = load_registry(folder)
    reg.tasks[0].text = "yes"
    reg.tasks[0].remark = "- 开头是横线: 含冒号 #井号"
    reg.tasks[1].text = "'单引号'开头"
    text = _dump(reg)
    assert "\t" not in text and "…" not in text
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    again, _ = load_registry(folder)
    assert again.tasks[0].text == "yes" and again.tasks[0].remark == "- 开头是横线: 含冒号 #井号"
    assert again.tasks[1].text == "'单引号'开头"
    assert _dump(again) == text
    assert "name: 开展安全生产责任落实行动\n" in text  # Chinese stays readable, unquoted


def test_directory_split_used_for_units():
    assert Directory.split("应急局、住建局等部门") == ["应急局", "住建局"]


def test_table_without_title_leaves_the_plan_name_to_fill(tmp_path):
    from notices.compose.common import plan_core
    from notices.read.registry import check_registry
    from notices.read.table_import import plan_title

    assert plan_title("某区安全生产治本攻坚三年行动实施方案序时进度表") == "某区安全生产治本攻坚三年行动实施方案"
    assert plan_title("附件2 某县三年行动任务分解表") == "某县三年行动"
    assert plan_title("某县安全生产工作方案") == "某县安全生产工作方案"
    assert plan_title("序时进度表") == "" and plan_title("") == ""
    result = import_table(_rows_workbook(tmp_path / "d.xlsx", [
        ["（一）责任落实", "1. 任务", "要求", "2024年底", "县公安局", None]]), None)
    assert result.plan.title == "待填写" and result.plan.table_title == "待填写"
    write_registry(result, tmp_path / "reg")
    reg, _, problems = check_registry(tmp_path / "reg")
    assert any("方案名称（title）仍是“待填写”" in p.message and p.severity == "warning" for p in problems)
    with pytest.raises(NoticesError, match="方案名称"):
        plan_core(reg.plan)  # no letter cites a placeholder


def test_round_trip_keeps_roles_and_stated_meanings(tmp_path, folder):
    """support:, due: and ongoing: come back from our own export as they were."""
    text = PLAN_YAML.replace("    units: 县公安局、兴隆街道\n", "    units: 县公安局\n    support: 住建局\n")
    text = text.replace("        deadline: 2025年底\n", "        deadline: 视上级部署\n        due: [2025-06-30, 2025-12-31]\n")
    text = text.replace("        deadline: 2024年3月30日\n", "        deadline: 按需开展\n        ongoing: true\n")
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    reg, directory = load_registry(folder)
    task = reg.task(3)
    assert (task.lead_names, task.support_names) == (["县公安局", "兴隆街道办事处"], ["县住房和城乡建设局"])
    result = import_table(_export(reg, tmp_path / "进度表.xlsx"), directory)
    got = {m.id: m for m in result.milestones}
    assert got["3-5"].due_stated and [d.date for d in got["3-5"].dues] == [dt.date(2025, 6, 30), dt.date(2025, 12, 31)]
    assert got["3-1"].ongoing and not got["3-1"].dues
    assert (result.tasks[2].units_text, result.tasks[2].support_text) == ("县公安局", "住建局")
    dumped = dump_plan_yaml(result.plan, result.categories, result.tasks)
    assert dumped == _dump(reg)
    assert "    support: 住建局  # 配合单位\n" in dumped and "        due: [2025-06-30, 2025-12-31]\n" in dumped
    assert "        ongoing: true\n" in dumped

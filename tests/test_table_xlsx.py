"""The 序时进度表 workbook: layout, merges, borders, print setup and the hidden data sheet."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from notices.compose.table import HEADERS, TableSpec, table_rows
from notices.errors import NoticesError
from notices.read.registry import load_registry
from notices.render.table_xlsx import DATA_MARKER, DATA_SHEET, SHEET, table_extra, write_table_xlsx

FONTS = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "heading": "黑体"}

UNITS_YAML = """\
groups:
  - id: dept
    name: 有关部门
  - id: town
    name: 乡镇（街道）
units:
  - name: 县应急管理局
    short: 应急局
    aliases: [县应急局]
    kind: 部门
    groups: [dept]
  - name: 县住房和城乡建设局
    short: 住建局
    kind: 部门
    groups: [dept]
  - name: 县公安局
    kind: 部门
    groups: [dept]
  - name: 兴隆街道办事处
    short: 兴隆街道
    kind: 街道
    groups: [town]
"""

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
  shared_groups: []
  shared_note: ""
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
        requirement: "制定责任清单: 明确分工"
        deadline: 2024年底
      - id: 1-2
        requirement: 每季度研究一次安全生产工作
        deadline: 各年度序时推动
        schedule: 每季度
  - no: 2
    category: 1
    text: 强化部门监管责任。
    units: 各有关部门
    notes: [正文第三部分另有要求]
    milestones:
      - id: 2-1
        requirement: 修订监管权责清单
        deadline: 2024年6月
  - no: 3
    category: 2
    text: 开展隐患排查整治。
    units: 县公安局、兴隆街道
    milestones:
      - id: 3-1
        requirement: 建立隐患台账
        deadline: 2024年3月30日
      - id: 3-2
        requirement: 动态清零
        deadline: 2025年底
"""


@pytest.fixture
def registry(tmp_path):
    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "plan.yaml").write_text(PLAN_YAML, encoding="utf-8")
    (folder / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    return load_registry(folder)


def _spec(reg, **kw):
    kw.setdefault("attachment_label", "附件1")
    kw.setdefault("subtitle", "（2024—2026年）")
    return TableSpec(reg.plan.table_title, table_rows(reg, reg.tasks), **kw)


def _write(tmp_path, reg, name="进度表.xlsx", **kw):
    path = tmp_path / name
    write_table_xlsx(_spec(reg, **kw), path, FONTS, 10.5, plan=reg.plan, extra=table_extra(reg))
    return path


def test_layout_and_merges(tmp_path, registry):
    reg, _ = registry
    path = _write(tmp_path, reg)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == SHEET and wb.active.title == SHEET
    ws = wb[SHEET]
    assert ws["A1"].value == "附件1"
    assert ws["A1"].font.name == "黑体" and ws["A1"].font.sz == 16
    assert ws["A2"].value == reg.plan.table_title
    assert ws["A2"].font.name == "方正小标宋简体" and ws["A2"].font.sz == 22
    assert ws["A2"].alignment.horizontal == "center"
    assert ws["A3"].value == "（2024—2026年）"
    assert tuple(ws.cell(4, c).value for c in range(1, 7)) == HEADERS
    assert ws.cell(4, 7).value is None
    for c in range(1, 7):
        head = ws.cell(4, c)
        assert head.font.name == "黑体" and not head.font.b and head.alignment.horizontal == "center"

    # Rows: 5 lead(1), 6-7 task 1, 8 task 2, 9 lead(2), 10-11 task 3.
    assert ws["A5"].value == "（一）开展安全生产责任落实行动"
    assert ws["B5"].value == "全面压实各方责任。"
    assert ws["B6"].value == "1. 落实党政领导责任：将安全生产纳入议事日程。"
    assert [ws[f"C{r}"].value for r in range(6, 12)] == [
        "制定责任清单: 明确分工", "每季度研究一次安全生产工作", "修订监管权责清单", None, "建立隐患台账", "动态清零"]
    assert ws["D7"].value == "各年度序时推动"
    assert ws["E6"].value == "县应急局、住建局" and ws["F6"].value == "牵头"
    assert ws["A9"].value == "（二）开展重大事故隐患动态清零行动"

    merged = {str(r) for r in ws.merged_cells.ranges}
    assert merged == {
        "A2:F2", "A3:F3",  # title, subtitle
        "A5:A8", "A9:A11",  # categories, lead rows included
        "B6:B7", "E6:E7", "F6:F7",  # task 1 over its two milestones
        "B10:B11", "E10:E11", "F10:F11",  # task 3
    }

    # Every cell of the table, merged ones included, carries a thin border as saved
    # (read-only mode shows the cells as stored, before openpyxl re-derives merges).
    side = ("left", "right", "top", "bottom")
    raw = openpyxl.load_workbook(path, read_only=True)[SHEET]
    for r, row in enumerate(raw.iter_rows(min_row=4, max_row=11, max_col=6), 4):
        assert len(row) == 6
        for c, cell in enumerate(row, 1):
            assert all(getattr(cell.border, s).style == "thin" for s in side), (r, c)
    for r in range(5, 12):
        for c in range(1, 7):
            cell = ws.cell(r, c)
            if type(cell).__name__ == "MergedCell":
                continue
            assert cell.alignment.wrap_text and cell.alignment.vertical == "center", (r, c)
            assert cell.font.name == "仿宋_GB2312" and cell.font.sz == 10.5
    assert ws["B6"].alignment.horizontal == "left"
    assert ws["C6"].alignment.horizontal == "left"
    assert ws["D6"].alignment.horizontal == "center"

    # Heights estimated from text: a two-line deadline cell makes its row taller.
    assert ws.row_dimensions[7].height > ws.row_dimensions[6].height >= 10.5 * 1.35
    assert [ws.column_dimensions[c].width for c in "ABCDEF"] == [14, 46, 40, 12, 26, 12]


def test_print_setup(tmp_path, registry):
    reg, _ = registry
    ws = openpyxl.load_workbook(_write(tmp_path, reg))[SHEET]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$4:$4"
    assert ws.print_options.horizontalCentered
    assert ws.page_margins.top == pytest.approx(0.75)
    assert "&P" in ws.oddFooter.center.text
    assert ws.freeze_panes == "A5"


def test_hidden_data_sheet(tmp_path, registry):
    reg, _ = registry
    wb = openpyxl.load_workbook(_write(tmp_path, reg))
    ds = wb[DATA_SHEET]
    assert ds.sheet_state == "hidden"
    rows = [list(r) for r in ds.iter_rows(values_only=True)]
    assert rows[0][0] == DATA_MARKER
    plan = {r[1]: r[2] for r in rows if r[0] == "plan"}
    assert plan["doc_number"] == "某安委办〔2024〕3号" and plan["start"] == "2024-03-26"
    assert plan["shared_groups"] == "[]"
    data = [r for r in rows if r[0] == "row"]
    assert [(r[1], r[2], r[3], r[4], r[5]) for r in data] == [
        (5, "lead", None, 0, 1), (6, "milestone", "1-1", 1, 1), (7, "milestone", "1-2", 1, 1),
        (8, "milestone", "2-1", 2, 1), (9, "lead", None, 0, 2), (10, "milestone", "3-1", 3, 2),
        (11, "milestone", "3-2", 3, 2),
    ]
    assert data[2][6] == "每季度"
    notes = {r[1]: r[3] for r in rows if r[0] == "task"}
    assert notes[2] == '["正文第三部分另有要求"]'


def test_without_label_and_subtitle_and_with_progress(tmp_path, registry):
    reg, _ = registry
    rows = table_rows(reg, reg.tasks, progress={"1-1": ("已完成", "已印发责任清单")})
    spec = TableSpec(reg.plan.table_title, rows, with_progress=True)
    path = tmp_path / "p.xlsx"
    write_table_xlsx(spec, path, FONTS, 12, plan=None, extra=None)
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    assert ws["A1"].value == reg.plan.table_title
    assert ws.cell(2, 7).value == "进展情况"
    assert ws["G4"].value == "已完成：已印发责任清单"
    assert ws.print_title_rows == "$2:$2" and ws.freeze_panes == "A3"
    assert {str(r) for r in ws.merged_cells.ranges} >= {"A1:G1", "A3:A6", "B4:B5"}
    assert ws.column_dimensions["G"].width == 30
    assert ws.column_dimensions["B"].width < 46
    raw = openpyxl.load_workbook(path, read_only=True)[SHEET]
    assert all(row[0].border.left.style == "thin" == row[0].border.top.style
               for row in raw.iter_rows(min_row=2, max_row=9, min_col=7, max_col=7))
    ds = wb[DATA_SHEET]
    assert not [r for r in ds.iter_rows(values_only=True) if r[0] == "plan"]


def test_refuses_to_overwrite(tmp_path, registry):
    reg, _ = registry
    path = _write(tmp_path, reg)
    before = path.read_bytes()
    with pytest.raises(NoticesError) as exc:
        write_table_xlsx(_spec(reg), path, FONTS, 10.5)
    assert str(path) in exc.value.message and "已存在" in exc.value.message
    assert path.read_bytes() == before
    write_table_xlsx(_spec(reg, subtitle=""), path, FONTS, 10.5, overwrite=True)
    assert openpyxl.load_workbook(path)[SHEET]["A3"].value == "任务名称"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["registry", "进度表.xlsx"]  # no temp files left


def test_formula_like_text_stays_text(tmp_path, registry):
    reg, _ = registry
    reg.tasks[0].milestones[0].requirement = "=按要求完成"
    spec = TableSpec("表", table_rows(reg, reg.tasks))
    path = tmp_path / "f.xlsx"
    write_table_xlsx(spec, path, FONTS, 10.5)
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws["C4"].value == "=按要求完成" and ws["C4"].data_type == "s"


def test_unit_table_subset(tmp_path, registry):
    """A table of only some tasks keeps merges within what it shows."""
    reg, _ = registry
    tasks = [t for t in reg.tasks if t.no == 3]
    spec = TableSpec("表", table_rows(reg, tasks))
    path = tmp_path / "s.xlsx"
    write_table_xlsx(spec, path, FONTS, 10.5, plan=reg.plan, extra=table_extra(reg))
    ws = openpyxl.load_workbook(path)[SHEET]
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:F1", "A3:A5", "B4:B5", "E4:E5", "F4:F5"}


def test_shipped_registry_exports(tmp_path):
    folder = Path(__file__).resolve().parents[1] / "registry"
    if not (folder / "plan.yaml").exists() or not (folder / "units.yaml").exists():
        pytest.skip("registry/plan.yaml 尚未提供")
    try:
        reg, _ = load_registry(folder)
    except NoticesError:
        pytest.skip("registry/plan.yaml 暂不能加载")
    path = tmp_path / "shipped.xlsx"
    write_table_xlsx(TableSpec(reg.plan.table_title, table_rows(reg, reg.tasks)), path, FONTS, 10.5,
                     plan=reg.plan, extra=table_extra(reg))
    ws = openpyxl.load_workbook(path)[SHEET]
    assert ws.max_row == 2 + len(reg.categories) + len(reg.milestones) - sum(
        1 for c in reg.categories if not any(t.category_no == c.no for t in reg.tasks))


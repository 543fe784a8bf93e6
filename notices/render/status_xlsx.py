"""`notices status --xlsx`: the assessment as a summary workbook.

Sheets, one view each:

* 单位 — one row per unit in ranking order (排名, 应完成, 已完成, 完成率, counts by
  status, the worst overdue item) and a native bar chart of completion rates;
* 具体要求 — one row per item (unit, milestone, and period of a recurring one),
  worst first, with the status and its one-line reason;
* 类别 — one row per category and a total for the jurisdiction (全县 / 全区 …);
* 本办公室事项 — the issuing office's own items, when the plan gives it any: kept
  apart (the office does not rank or supervise itself), never left out.

Statuses are coloured by conditional formatting, in the colours supervision
platforms use: red 逾期, orange 未报送, yellow 临期, blue 正常推进, green 已完成
(light green 逾期完成), grey 不涉及. Counts of 逾期 / 未报送 / 临期 above zero get
the same red / orange / yellow.
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from .xlsx_print import landscape_a4

from ..assess.status import (
    DONE,
    DUE_SOON,
    LATE_DONE,
    NO_RECORD,
    NOT_APPLICABLE,
    ON_TRACK,
    OVERDUE,
    UNREPORTED,
    Assessment,
    Summary,
    item_sort_key,
)
from ..errors import NoticesError
from ..textfmt import cn_date
from .table_xlsx import save_workbook_atomic

UNITS_SHEET, ITEMS_SHEET, CATEGORIES_SHEET, INTERNAL_SHEET = "单位", "具体要求", "类别", "本办公室事项"

# status -> (fill, font colour)
COLOURS = {
    OVERDUE: ("FFC7CE", "9C0006"),
    UNREPORTED: ("F8CBAD", "833C0B"),
    DUE_SOON: ("FFEB9C", "9C5700"),
    ON_TRACK: ("BDD7EE", "1F4E78"),
    DONE: ("C6EFCE", "006100"),
    LATE_DONE: ("E2EFDA", "375623"),
    NOT_APPLICABLE: ("EDEDED", "595959"),
    NO_RECORD: ("F2F2F2", "7F7F7F"),
}
COUNT_COLUMNS = (OVERDUE, UNREPORTED, DUE_SOON, LATE_DONE, ON_TRACK, NOT_APPLICABLE)
UNIT_HEADERS = ("排名", "单位", "应完成", "已完成", "完成率", *COUNT_COLUMNS, "最严重逾期事项")
ITEM_HEADERS = ("单位", "编号", "期次", "具体要求", "完成时间", "截止日期", "状态", "天数", "本轮未报送",
                "最近报送轮次", "报送状态", "进展情况", "说明")
ITEM_WIDTHS = (20, 7, 14, 36, 16, 12, 9, 6, 8, 10, 9, 36, 60)
CATEGORY_HEADERS = ("类别", "应完成", "已完成", "完成率", *COUNT_COLUMNS)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
HEADER_ROW = 2  # row 1 is the title


def _fill(colour: str) -> PatternFill:
    # Conditional formats (dxf) take the solid fill's colour from bgColor; set both.
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _status_rules(ws, ref: str) -> None:
    for status, (fill, font) in COLOURS.items():
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=[f'"{status}"'],
                                                      fill=_fill(fill), font=Font(color=font)))


def _count_rules(ws, ref_by_status: dict[str, str]) -> None:
    for status, ref in ref_by_status.items():
        fill, font = COLOURS[status]
        ws.conditional_formatting.add(ref, CellIsRule(operator="greaterThan", formula=["0"],
                                                      fill=_fill(fill), font=Font(color=font)))


def _title(ws, text: str, ncols: int, font: str) -> None:
    ws.cell(1, 1, text).font = Font(name=font, size=14, bold=True)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28


def _table(ws, headers, rows, font: str, widths) -> None:
    for c, header in enumerate(headers, 1):
        cell = ws.cell(HEADER_ROW, c, header)
        cell.font = Font(name=font, bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(rows, HEADER_ROW + 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(r, c)
            if value is not None and value != "":
                cell.value = value
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text, never a formula
            cell.font = Font(name=font)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="center", wrap_text=True)
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    for r, row in enumerate(rows, HEADER_ROW + 1):
        lines = max((_lines(v, w) for v, w in zip(row, widths) if isinstance(v, str)), default=1)
        ws.row_dimensions[r].height = 15 * lines
    ws.row_dimensions[HEADER_ROW].height = 15 * max(_lines(h, w) for h, w in zip(headers, widths))
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    landscape_a4(ws, HEADER_ROW, PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.3))
    last = HEADER_ROW + max(len(rows), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{last}"


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs: CJK characters are two Excel width units."""
    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return max(1, math.ceil(units / max(width - 1, 1)))


def _figures(summary: Summary) -> list:
    counts = summary.counts
    return [summary.due, summary.done, summary.rate, *(counts[s] for s in COUNT_COLUMNS)]


def _rate_format(ws, column: int, first: int, last: int) -> None:
    for r in range(first, last + 1):
        ws.cell(r, column).number_format = "0.0%"


def build_status_workbook(result: Assessment, font: str = "宋体") -> Workbook:
    wb = Workbook()
    when = f"截至{cn_date(result.as_of)}" + (f"（{result.round_id}轮）" if result.round_id else "")

    # --- 单位 -----------------------------------------------------------------------
    ws = wb.active
    ws.title = UNITS_SHEET
    _title(ws, f"各单位进展情况（{when}）", len(UNIT_HEADERS), font)
    ranked = result.ranking()
    rows = []
    for rank, s in ranked:
        worst = s.worst
        rows.append([rank, s.name, *_figures(s), f"{worst.milestone_id} {worst.requirement}（{worst.label}）" if worst else ""])
    _table(ws, UNIT_HEADERS, rows, font, (6, 24, 8, 8, 9, 7, 8, 7, 9, 9, 7, 40))
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    _rate_format(ws, 5, first, last)
    if rows:
        col = {s: get_column_letter(6 + i) for i, s in enumerate(COUNT_COLUMNS)}
        _count_rules(ws, {s: f"{col[s]}{first}:{col[s]}{last}" for s in (OVERDUE, UNREPORTED, DUE_SOON)})
        chart = BarChart()
        chart.type = "bar"  # horizontal bars: long unit names stay readable
        chart.style = 10
        chart.title = "各单位完成率"
        chart.y_axis.title = "完成率"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.scaling.orientation = "maxMin"  # rank 1 on top
        chart.legend = None
        chart.add_data(Reference(ws, min_col=5, min_row=HEADER_ROW, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=2, min_row=first, max_row=last))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.dataLabels = DataLabelList()
        chart.dataLabels.showVal = True
        for flag in ("showSerName", "showCatName", "showLegendKey", "showPercent"):
            setattr(chart.dataLabels, flag, False)
        chart.height = max(7.5, 0.6 * len(rows) + 3)
        chart.width = 18
        ws.add_chart(chart, f"{get_column_letter(len(UNIT_HEADERS) + 2)}{HEADER_ROW}")
    note_row = last + 2
    notes = ["说明：完成率＝已完成÷应完成；应完成为截至统计日已到完成时间（或已提前完成）的事项，不含“不涉及”。",
             *result.warnings]
    for i, text in enumerate(notes):
        ws.cell(note_row + i, 1, text).font = Font(name=font, size=9)

    # --- 具体要求 ------------------------------------------------------------------------
    ws = wb.create_sheet(ITEMS_SHEET)
    _items_sheet(ws, f"具体要求进展情况（{when}）", result.items, font)

    # --- 类别 ------------------------------------------------------------------------------
    ws = wb.create_sheet(CATEGORIES_SHEET)
    _title(ws, f"各类任务进展情况（{when}）", len(CATEGORY_HEADERS), font)
    rows = [[s.name, *_figures(s)] for s in result.categories]
    rows.append([f"{result.county.name}合计", *_figures(result.county)])
    _table(ws, CATEGORY_HEADERS, rows, font, (30, 8, 8, 9, 7, 8, 7, 9, 9, 7))
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    _rate_format(ws, 4, first, last)
    for c in range(1, len(CATEGORY_HEADERS) + 1):
        ws.cell(last, c).font = Font(name=font, bold=True)
    col = {s: get_column_letter(5 + i) for i, s in enumerate(COUNT_COLUMNS)}
    _count_rules(ws, {s: f"{col[s]}{first}:{col[s]}{last}" for s in (OVERDUE, UNREPORTED, DUE_SOON)})

    # --- 本办公室事项 ---------------------------------------------------------------------
    for summary in result.internal_units:
        ws = wb.create_sheet(INTERNAL_SHEET)
        _items_sheet(ws, f"{summary.name}自身事项（{when}，不排名、不发文）", summary.items, font)
        note = ws.max_row + 2
        ws.cell(note, 1, f"合计：应完成{summary.due}项，已完成{summary.done}项，逾期{summary.overdue}项。"
                         f"本办公室是方案所列责任单位，其事项单列于此，不计入各单位排名和汇总。").font = Font(name=font, size=9)
    return wb


def _items_sheet(ws, title: str, items, font: str) -> None:
    _title(ws, title, len(ITEM_HEADERS), font)
    rows = []
    for it in sorted(items, key=item_sort_key):
        latest = it.latest
        rows.append([
            it.unit, it.milestone_id, it.period, it.requirement, it.deadline_text, it.deadline,
            it.status, it.days if it.status in (OVERDUE, LATE_DONE, DUE_SOON, UNREPORTED) and not it.ongoing else None,
            "是" if it.unreported else "", latest.round_id if latest else "", latest.state if latest else "",
            latest.text if latest else "", it.reason,
        ])
    _table(ws, ITEM_HEADERS, rows, font, ITEM_WIDTHS)
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    for r in range(first, last + 1):
        ws.cell(r, 6).number_format = "yyyy-mm-dd"
    if rows:
        _status_rules(ws, f"G{first}:G{last}")


def write_status_xlsx(result: Assessment, path: Path, font: str = "宋体", overwrite: bool = False) -> Path:
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        path = path.with_suffix(".xlsx")
    if path.exists() and not overwrite:
        raise NoticesError(f"文件已存在，未覆盖：{path}（如需覆盖，请加 --force）")
    save_workbook_atomic(build_status_workbook(result, font), path)
    return path

"""The 归档文件目录 (DA/T 22-2015) as a workbook, A4 landscape, ready to print.

Sheets: 归档文件目录 (exactly 序号, 档号, 文号, 责任者, 题名, 日期, 密级, 页数, 备注;
日期 as 8 digits), 作废文号 (numbers voided: listed, not filed), 归档章 (the stamp's
fields per 件: 全宗号, 年度, 保管期限, 件号, 机构（问题）).
"""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from .xlsx_print import landscape_a4

COLUMNS = ("序号", "档号", "文号", "责任者", "题名", "日期", "密级", "页数", "备注")
WIDTHS = (5, 26, 20, 16, 36, 10, 5, 5, 14)  # ≈ 137 characters: A4 landscape at 100%
VOID_COLUMNS = ("文号", "文种", "题名", "成文日期", "作废原因")
STAMP_COLUMNS = ("档号", "全宗号", "年度", "保管期限", "件号", "机构（问题）")

_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _width(value) -> int:
    """Printed width in column units: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value or ""))


def _sheet(ws, title: str, heads: tuple, widths: tuple, rows: list[tuple], font: str) -> None:
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(heads))
    ws.cell(1, 1).font = Font(name=font, size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append(list(heads))
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[ws.cell(2, col).column_letter].width = width
        head = ws.cell(2, col)
        head.font = Font(name=font, size=11, bold=True)
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        head.border = _BOX
    for row in rows:
        ws.append(list(row))
        lines = max(math.ceil(_width(v) / max(w - 1, 1)) for v, w in zip(row, widths))
        ws.row_dimensions[ws.max_row].height = 15 * max(lines, 1)  # readers do not grow wrapped rows
        for col in range(1, len(heads) + 1):
            cell = ws.cell(ws.max_row, col)
            cell.font = Font(name=font, size=10.5)
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="left" if heads[col - 1] in ("题名", "备注", "作废原因") else "center")
            cell.border = _BOX
            cell.number_format = "@"  # 档号, 文号, 日期 stay text: 20261129 is not a number
    ws.freeze_panes = "A3"
    landscape_a4(ws, 2, PageMargins(left=0.6, right=0.6, top=0.8, bottom=0.8))


def write_catalogue(path: Path, year: int, rows: list[tuple], voided: list[tuple], stamps: list[tuple],
                    font: str = "宋体") -> Path:
    """rows: the 目录 rows in order (序号 first); voided / stamps: rows of the other sheets."""
    wb = Workbook()
    _sheet(wb.active, f"{year}年度归档文件目录", COLUMNS, WIDTHS, rows, font)
    wb.active.title = "归档文件目录"
    _sheet(wb.create_sheet("作废文号"), f"{year}年度作废文号（不归档）", VOID_COLUMNS, (24, 10, 50, 14, 40), voided, font)
    _sheet(wb.create_sheet("归档章"), f"{year}年度归档章", STAMP_COLUMNS, (30, 10, 8, 10, 8, 14), stamps, font)
    wb.save(path)
    return path

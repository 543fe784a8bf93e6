"""The 督办台账 workbook: every item's steps and its lamp, and the units' 红黑榜.

Sheet 督办台账: a title, a legend of the lamps, then one row per (unit, item) —
the item, its deadline as the plan words it and the date that counts (an
approved extension's), its status, the lamp (绿 on time or done, 黄 临期, 红 逾期,
灰 不涉及 / 无记录) as the cell's own fill (not conditional formatting: every
reader shows it, LibreOffice's exports included), and one column per step
(提醒, 督办函, 答复, 通报, 约谈, 延期, 销号, 曝光) with each step's date and 文号 on
a line of its own. Filters on the header row, panes frozen under it; A3 (or A4)
landscape, one page wide, the header rows repeated on every page.

Sheet 红黑榜: the units ranked by the configured rules, the red and black lists marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from .table_xlsx import save_workbook_atomic

GREEN, YELLOW, RED, GREY = "绿", "黄", "红", "灰"
LAMP_FILL = {GREEN: "00B050", YELLOW: "FFC000", RED: "FF0000", GREY: "BFBFBF"}
LAMP_MEANING = {GREEN: "按期推进或已完成", YELLOW: "临期（临近完成时间）", RED: "逾期", GREY: "不涉及或无记录"}
SHEET, RANK_SHEET = "督办台账", "红黑榜"
STEP_COLUMNS = ("提醒", "督办函", "答复", "通报", "约谈", "延期", "销号", "曝光")
HEADERS = ("序号", "单位", "编号", "期次", "具体要求", "完成时间", "到期日", "状态", "灯", *STEP_COLUMNS)
WIDTHS = (5, 18, 7, 13, 34, 22, 11, 12, 5, 22, 22, 18, 22, 22, 26, 22, 22)
HEADER_ROW = 4  # 1 title, 2 legend, 3 blank
RANK_HEADERS = ("名次", "单位", "应完成", "已完成", "完成率", "逾期事项", "逾期天数", "督办次数", "已销号", "榜单")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9D9D9")


def _solid(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


@dataclass
class LedgerRow:
    unit: str
    milestone_id: str
    period: str
    requirement: str
    deadline_text: str  # the plan's wording, and 经批准延期至… when extended
    due: str  # the date that counts (ISO), "" for 持续推进
    status: str  # 逾期30天, 临期（剩3天）, 已完成 …
    lamp: str
    steps: dict[str, list[str]]  # column -> lines


@dataclass
class RankRow:
    rank: int
    unit: str
    due: int
    done: int
    rate: str
    overdue: int
    overdue_days: int
    letters: int
    closed: int
    board: str  # 红榜 / 黑榜 / ""


def _styles(wb: Workbook, font: str) -> None:
    """Named cell styles, registered once: a thousand rows assigned a name each are written
    in a fraction of the time that styling every cell attribute by attribute takes."""
    for name, horizontal in (("台账左", "left"), ("台账中", "center")):
        wb.add_named_style(NamedStyle(name, font=Font(name=font, size=10), border=_BORDER,
                                      alignment=Alignment(horizontal=horizontal, vertical="center", wrap_text=True)))
    for lamp, colour in LAMP_FILL.items():
        wb.add_named_style(NamedStyle(f"灯{lamp}", font=Font(name=font, size=10, bold=True), border=_BORDER,
                                      fill=_solid(colour), alignment=Alignment(horizontal="center", vertical="center")))


def write_ledger(path: Path, title: str, rows: list[LedgerRow], ranking: list[RankRow], rules_text: str,
                 paper: str = "A3", font: str = "宋体") -> Path:
    wb = Workbook()
    _styles(wb, font)
    ws = wb.active
    ws.title = SHEET
    wb.properties.title = title
    wb.properties.creator = "notices"
    body, bold = Font(name=font, size=10), Font(name=font, size=10, bold=True)
    last = get_column_letter(len(HEADERS))
    ws.cell(1, 1, title).font = Font(name=font, size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    ws.cell(2, 1, "图例").font = bold
    for lamp, (first, last_col) in zip((GREEN, YELLOW, RED, GREY), ((2, 3), (4, 5), (6, 7), (8, 10))):
        cell = ws.cell(2, first, f"{lamp}：{LAMP_MEANING[lamp]}")
        cell.fill, cell.font, cell.border = _solid(LAMP_FILL[lamp]), bold, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(start_row=2, start_column=first, end_row=2, end_column=last_col)
    ws.row_dimensions[2].height = 20
    for c, (head, width) in enumerate(zip(HEADERS, WIDTHS), 1):
        cell = ws.cell(HEADER_ROW, c, head)
        cell.font, cell.fill, cell.border = bold, _HEAD_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = width
    for n, row in enumerate(rows, 1):
        r = HEADER_ROW + n
        values = [n, row.unit, row.milestone_id, row.period, row.requirement, row.deadline_text, row.due, row.status,
                  row.lamp, *("\n".join(row.steps.get(k, [])) for k in STEP_COLUMNS)]
        for c, value in enumerate(values, 1):
            cell = ws.cell(r, c, value)
            if isinstance(value, str):
                cell.data_type = "s"  # a requirement starting with "=" stays text
            cell.style = "台账中" if c in (1, 3, 7, 8) else "台账左"
        ws.cell(r, HEADERS.index("灯") + 1).style = f"灯{row.lamp}"
        lines = max(_lines(str(v), w) for v, w in zip(values, WIDTHS))
        ws.row_dimensions[r].height = 14 * lines + 4
    end = HEADER_ROW + max(len(rows), 1)
    ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{end}"
    ws.freeze_panes = f"C{HEADER_ROW + 1}"
    _print(ws, paper, f"{HEADER_ROW}:{HEADER_ROW}")

    rs = wb.create_sheet(RANK_SHEET)
    rs.cell(1, 1, f"{title}：红黑榜").font = Font(name=font, size=16, bold=True)
    rs.merge_cells(f"A1:{get_column_letter(len(RANK_HEADERS))}1")
    rs.cell(2, 1, rules_text).font = body
    rs.merge_cells(f"A2:{get_column_letter(len(RANK_HEADERS))}2")
    rs.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="center")
    rs.row_dimensions[2].height = 45
    for c, head in enumerate(RANK_HEADERS, 1):
        cell = rs.cell(3, c, head)
        cell.font, cell.fill, cell.border = bold, _HEAD_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center")
        rs.column_dimensions[get_column_letter(c)].width = 20 if head == "单位" else 10
    board_fill = {"红榜": _solid("FF0000"), "黑榜": _solid("000000")}
    for n, rank in enumerate(ranking, 4):
        values = (rank.rank, rank.unit, rank.due, rank.done, rank.rate, rank.overdue, rank.overdue_days, rank.letters,
                  rank.closed, rank.board)
        for c, value in enumerate(values, 1):
            cell = rs.cell(n, c, value)
            cell.font, cell.border = body, _BORDER
            cell.alignment = Alignment(horizontal="left" if c == 2 else "center", vertical="center")
        if rank.board:
            board = rs.cell(n, len(RANK_HEADERS))
            board.fill, board.font = board_fill[rank.board], Font(name=font, size=10, bold=True, color="FFFFFF")
    rs.auto_filter.ref = f"A3:{get_column_letter(len(RANK_HEADERS))}{3 + max(len(ranking), 1)}"
    rs.freeze_panes = "A4"
    _print(rs, paper, "3:3")
    wb.active = 0
    save_workbook_atomic(wb, path)
    return Path(path)


def _lines(text: str, width: float) -> int:
    """How many lines a wrapped cell of ``width`` (Excel's character units) needs for
    ``text``: a CJK character takes two units, others one."""
    import math
    import unicodedata

    room = max(width - 1, 1)
    return sum(max(1, math.ceil(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) / room))
               for line in text.split("\n"))


def _print(ws, paper: str, titles: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A3 if paper.upper() == "A3" else ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = titles
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

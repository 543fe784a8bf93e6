"""Progress reporting workbooks (进度填报表): what units fill in each round.

One sheet "进度填报": a title row, the header row, then one row per
(milestone, unit). The first five columns describe the milestone and are locked;
the last seven are where the unit types, unlocked and checked by Excel's data
validation. Sheet protection has no password: it guards against accidents (a
unit editing 编号 by mistake), not against intent; the office can always lift it
with 审阅 → 撤销工作表保护. Row heights and column widths stay adjustable.

"填报说明" explains every column in plain Chinese. "_meta" (very hidden: not
even listed under 取消隐藏) ties the workbook to its round, unit and registry
version, so collecting can tell a file of another round or registry. The same
values are stored as custom document properties (文件 → 属性 → 自定义).

The layout constants here are shared with ``notices.read.progress_xlsx``.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins

from .xlsx_print import landscape_a4

from ..file.outputs import write_atomic
from ..model import STATES, Due, Milestone, Registry, Report

SHEET = "进度填报"
HELP_SHEET = "填报说明"
META_SHEET = "_meta"
META_FORMAT = "notices-progress"
META_VERSION = 1
ALL_UNITS = "全部单位"  # the unit recorded in a workbook of every unit's rows (its title says [notices] area)
LEGACY_ALL = ("全县",)  # what workbooks of every unit recorded before ALL_UNITS

TITLE_ROW = 1
HEADER_ROW = 2
FIRST_ROW = 3
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
LAST_DATE = dt.date(2099, 12, 31)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: float
    locked: bool
    help: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", 8, True, "具体要求的编号（如“7-1”），汇总时按它对应到任务，请勿修改。",
           ("要求编号", "具体要求编号", "任务编号")),
    Column("task_no", "任务序号", 8, True, "该要求所属任务在方案中的序号，仅供参考。", ("任务号",)),
    Column("requirement", "具体要求", 40, True, "方案对该项工作的具体要求，仅供参考。", ("要求", "工作要求")),
    Column("deadline", "完成时间", 14, True, "方案规定的完成时间，仅供参考。", ("完成时限", "时间要求", "规定完成时间")),
    Column("unit", "责任单位", 18, True, "填报单位全称，请勿修改。", ("填报单位", "单位", "单位名称")),
    Column("period", "期次", 14, True,
           "按周期重复的要求（每季度、每年、各年度等）每一期单列一行，本列写明是哪一期，请按该期的情况填写；"
           "只需完成一次的要求本列为空。开始收集进度之前已经结束的期次不列入。",
           ("周期", "考核期次", "期别")),
    Column("state", "进展状态", 12, False,
           "从下拉列表中选择：已完成、正在推进、未启动、不涉及（本单位不承担该项工作时选“不涉及”）。"
           "本轮没有变化的也请照实选择。",
           ("状态", "完成状态", "进度状态", "进展")),
    Column("completed_on", "完成日期", 16, False,
           "仅“已完成”时填写实际完成的日期。可写 2026-11-29、2026/11/29、2026.11.29 或 2026年11月29日；"
           "只知道月份的写 2026年11月，按该月最后一天计（该日还未到时按本轮截止日期计）。"
           "不能晚于本轮截止日期，也不能早于方案印发实施的日期。",
           ("实际完成日期", "实际完成时间", "完成时点")),
    Column("percent", "完成比例", 10, False,
           "填 0 到 100 之间的数字，如 80 表示完成了 80%；也可以写 80%。不好估计的可以不填。",
           ("完成进度", "完成百分比", "完成率", "进度比例")),
    Column("text", "进展情况说明", 40, False,
           "简要写明做了哪些工作、取得了什么成效、下一步打算；未启动或推进较慢的请说明原因。",
           ("进展情况", "情况说明", "说明", "工作进展", "进展说明")),
    Column("evidence", "佐证材料", 24, False, "文件名称、文号或材料清单；材料本身另行报送。", ("佐证", "证明材料", "佐证资料")),
    Column("reporter", "填报人", 10, False, "填表人姓名。", ("填表人", "联系人")),
    Column("phone", "联系电话", 14, False, "填表人的电话（手机或座机）。", ("电话", "联系方式", "手机")),
    Column("extension_to", "申请延期至", 14, False,
           "确因客观原因不能在完成时间之前完成的，填写申请延期到哪一天（如 2027-01-31），并在“延期理由”中写明理由；"
           "延期须在完成时间之前提出，由办公室研究决定，批准前仍按原完成时间计。不申请的不填。",
           ("延期至", "申请延期", "申请延期日期")),
    Column("extension_reason", "延期理由", 24, False, "申请延期时写明理由和已做的工作。", ("申请延期理由", "延期原因")),
)
COLUMN = {c.key: c for c in COLUMNS}
INPUT_KEYS = tuple(c.key for c in COLUMNS if not c.locked)


def col_index(key: str) -> int:
    """1-based column of ``key`` in the workbooks we write."""
    return next(i for i, c in enumerate(COLUMNS, 1) if c.key == key)


def col_letter(key: str) -> str:
    return get_column_letter(col_index(key))


@dataclass
class TemplateRow:
    milestone: Milestone
    unit: str  # full unit name
    prefill: Report | None = None
    period: Due | None = None  # one period of a recurring milestone


_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
_INPUT_FILL = PatternFill("solid", fgColor="FFFDE7")


def round_label(round_id: str) -> str:
    """"2026-11" -> "2026年11月"."""
    year, month = round_id.split("-")
    return f"{int(year)}年{int(month)}月"


def meta_values(registry: Registry, unit_label: str, round_id: str, generated_on: dt.date,
                tool_version: str) -> dict[str, str]:
    return {
        "format": META_FORMAT,
        "format_version": str(META_VERSION),
        "registry_version": registry.version,
        "unit": unit_label,
        "round": round_id,
        "generated": generated_on.isoformat(),
        "tool_version": tool_version,
        "plan_start": registry.plan.start.isoformat(),
    }


def build_progress_workbook(registry: Registry, rows: list[TemplateRow], unit_label: str, round_id: str,
                            generated_on: dt.date, tool_version: str, font_name: str = "宋体",
                            font_size: float = 11, office_ref: str = "", meta_unit: str | None = None) -> Workbook:
    """The reporting workbook for one unit (or every unit: ``meta_unit`` ALL_UNITS,
    ``unit_label`` the jurisdiction, 全县 / 全区) and one round; ``office_ref``
    names the office in the instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    wb.properties.creator = "notices"
    wb.properties.title = f"{round_label(round_id)}进度填报表（{unit_label}）"
    body = Font(name=font_name, size=font_size)
    ncols = len(COLUMNS)
    last_col = get_column_letter(ncols)

    # Title
    title = ws.cell(TITLE_ROW, 1, f"{registry.plan.title}进度填报表（{unit_label}，{round_label(round_id)}）")
    ws.merge_cells(f"A{TITLE_ROW}:{last_col}{TITLE_ROW}")
    title.font = Font(name=font_name, size=16, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[TITLE_ROW].height = 42

    # Header
    for c, column in enumerate(COLUMNS, 1):
        cell = ws.cell(HEADER_ROW, c, column.label)
        cell.font = Font(name=font_name, size=font_size, bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        ws.column_dimensions[get_column_letter(c)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 30

    # Rows
    for i, row in enumerate(rows):
        r = FIRST_ROW + i
        ms = row.milestone
        values = {"id": ms.id, "task_no": ms.task_no, "requirement": ms.requirement,
                  "deadline": ms.deadline, "unit": row.unit, "period": row.period.period if row.period else ""}
        if row.prefill is not None:
            p = row.prefill
            values.update(state=p.state, completed_on=p.completed_on, percent=p.percent, text=p.text,
                          evidence=p.evidence, reporter=p.reporter, phone=p.phone)
        for c, column in enumerate(COLUMNS, 1):
            cell = ws.cell(r, c)
            value = values.get(column.key)
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
            if value not in (None, ""):
                cell.value = value
            if column.key in ("id", "unit", "period", "requirement", "deadline", "text", "evidence", "reporter",
                              "phone"):
                cell.number_format = "@"  # text: "7-1" must not become 7月1日, phones not 1.38E+10
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, even if the text starts with "="
            if column.key == "extension_reason" and isinstance(cell.value, str):
                cell.data_type = "s"
            if column.key in ("completed_on", "extension_to"):
                cell.number_format = DATE_FORMAT
            cell.font = body
            cell.border = _BORDER
            left = column.key in ("requirement", "text", "evidence", "unit", "extension_reason")
            cell.alignment = Alignment(horizontal="left" if left else "center", vertical="center", wrap_text=True)
            if column.locked:
                cell.fill = _LOCKED_FILL
            else:
                cell.protection = Protection(locked=False)
                cell.fill = _INPUT_FILL
        ws.row_dimensions[r].height = max(30, 15 * (len(ms.requirement) // 20 + 1))
    last_row = FIRST_ROW + max(len(rows), 1) - 1

    _validations(ws, registry, last_row)

    # Protection: locked cells cannot change; formatting rows/columns and selecting stay allowed.
    ws.protection.sheet = True
    ws.protection.formatRows = False
    ws.protection.formatColumns = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False

    # View and print
    ws.freeze_panes = f"A{FIRST_ROW}"
    landscape_a4(ws, HEADER_ROW, PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3))
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"

    _help_sheet(wb, registry, round_id, font_name, font_size, office_ref)
    meta = meta_values(registry, unit_label if meta_unit is None else meta_unit, round_id, generated_on, tool_version)
    _meta_sheet(wb, meta)
    for key, value in meta.items():
        wb.custom_doc_props.append(StringProperty(name=f"notices_{key}", value=value))

    # Sheets cannot be renamed, moved, added or deleted (no password either).
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    return wb


def _validations(ws, registry: Registry, last_row: int) -> None:
    def rng(key: str) -> str:
        letter = col_letter(key)
        return f"{letter}{FIRST_ROW}:{letter}{last_row}"

    states = DataValidation(type="list", formula1='"' + ",".join(STATES) + '"', allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorStyle="stop")
    states.errorTitle = "进展状态填写有误"
    states.error = f"请从下拉列表中选择：{'、'.join(STATES)}。"
    states.promptTitle = "进展状态"
    states.prompt = "请从下拉列表中选择"
    states.add(rng("state"))

    start = registry.plan.start

    def date_column(key: str, title: str, error: str, prompt: str) -> DataValidation:
        dv = DataValidation(type="date", operator="between", formula1=str(int(to_excel(start))),
                            formula2=str(int(to_excel(LAST_DATE))), allow_blank=True,
                            showErrorMessage=True, showInputMessage=True, errorStyle="stop")
        dv.errorTitle, dv.error, dv.promptTitle, dv.prompt = f"{title}填写有误", error, title, prompt
        dv.add(rng(key))
        return dv

    dates = date_column("completed_on", "完成日期", f"请填写日期，如 2026-11-29 或 2026/11/29，且不早于方案起始日期"
                                                   f"{start.year}年{start.month}月{start.day}日。",
                        "仅“已完成”时填写，如 2026-11-29")
    later = date_column("extension_to", "申请延期至", "请填写申请延期到的日期，如 2027-01-31。",
                        "不申请延期的不填；申请的须在完成时间之前提出")

    percent = DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
                             showErrorMessage=True, showInputMessage=True, errorStyle="stop")
    percent.errorTitle = "完成比例填写有误"
    percent.error = "请填写 0 到 100 之间的数字，如 80 表示完成了 80%。"
    percent.promptTitle = "完成比例"
    percent.prompt = "0 到 100 之间的数字"
    percent.add(rng("percent"))

    for dv in (states, dates, later, percent):
        ws.add_data_validation(dv)


HELP_GENERAL = (
    "1. 本表由{office}下发，请在“进度填报”工作表中逐行填写，填好后按要求报送本文件（.xlsx）。",
    "2. 灰色的列（编号、任务序号、具体要求、完成时间、责任单位、期次）已锁定，不需要也不能修改；"
    "淡黄色的列由本单位填写。按周期重复的要求每一期一行，“期次”列写明是哪一期，请按该期的实际情况填写。",
    "3. 请不要修改“编号”列，不要增删、重命名工作表，不要把内容复制到新的工作簿后再报送。",
    "4. 不要合并单元格；确需用一段说明覆盖多行时，汇总时按合并区域左上角的内容计入每一行。",
    "5. 请保存为 Excel 工作簿（.xlsx）。不要另存为 .xls、.et、.csv 或 Word 文件，也不要设置打开密码。",
    "6. 行高、列宽可以调整。如确需取消保护，可在“审阅”中选择“撤销工作表保护”（无密码）。",
)


def _help_sheet(wb: Workbook, registry: Registry, round_id: str, font_name: str, font_size: float,
                office_ref: str = "") -> None:
    hs = wb.create_sheet(HELP_SHEET)
    body = Font(name=font_name, size=font_size)
    hs.column_dimensions["A"].width = 16
    hs.column_dimensions["B"].width = 80
    cell = hs.cell(1, 1, f"{round_label(round_id)}进度填报说明")
    cell.font = Font(name=font_name, size=14, bold=True)
    hs.merge_cells("A1:B1")
    r = 2
    for line in HELP_GENERAL:
        hs.cell(r, 1, line.format(office=office_ref or "安委会办公室")).font = body
        hs.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        hs.cell(r, 1).alignment = Alignment(wrap_text=True, vertical="center")
        hs.row_dimensions[r].height = 30
        r += 1
    r += 1
    for c, label in enumerate(("列名", "怎么填"), 1):
        head = hs.cell(r, c, label)
        head.font = Font(name=font_name, size=font_size, bold=True)
        head.fill = _HEADER_FILL
        head.border = _BORDER
    r += 1
    for column in COLUMNS:
        a = hs.cell(r, 1, column.label)
        b = hs.cell(r, 2, column.help)
        for cell in (a, b):
            cell.font = body
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        hs.row_dimensions[r].height = 18 * (len(column.help) // 42 + 1)
        r += 1
    hs.page_setup.paperSize = hs.PAPERSIZE_A4
    hs.page_setup.fitToWidth = 1
    hs.page_setup.fitToHeight = 0
    hs.sheet_properties.pageSetUpPr.fitToPage = True
    hs.protection.sheet = True
    hs.protection.formatRows = False
    hs.protection.formatColumns = False


def _meta_sheet(wb: Workbook, meta: dict[str, str]) -> None:
    ms = wb.create_sheet(META_SHEET)
    ms.sheet_state = "veryHidden"
    ms.cell(1, 1, "key")
    ms.cell(1, 2, "value")
    for r, (key, value) in enumerate(meta.items(), 2):
        ms.cell(r, 1, key)
        ms.cell(r, 2, value).data_type = "s"
    ms.protection.sheet = True


def workbook_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_progress_workbook(wb: Workbook, path: Path) -> Path:
    """Write atomically; an existing file is never overwritten."""
    return write_atomic(Path(path), workbook_bytes(wb), overwrite=False)

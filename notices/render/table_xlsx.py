"""The 序时进度表 as an Excel workbook (openpyxl), printable on A4 landscape.

The visible sheet "序时进度表" mirrors the docx table: optional 附件 label, title,
optional subtitle, header row, then the rows of ``TableSpec`` with the same
vertical merges (category cell over the category, task / 责任单位 / 备注 cells
over the task's milestone rows).

A hidden sheet "_notices" records what the visible table cannot show: per data
row its kind, milestone id, task and category number and the milestone's
schedule; the plan metadata; category names and task notes. ``registry import``
of our own export reads it back, so the registry comes back exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from ..file.outputs import sweep_temps, temp_prefix, usual_mode
from .xlsx_print import landscape_a4

from ..compose.table import PROGRESS_HEADERS, RESTART, TableSpec
from ..errors import NoticesError, Problem
from ..model import PlanInfo, Registry
from ..read.deadlines import says_ongoing

SHEET = "序时进度表"
DATA_SHEET = "_notices"
DATA_MARKER = "notices-table"
DATA_VERSION = 1

PLAN_KEYS = ("title", "table_title", "issuer", "issuer_short", "doc_number", "date", "start", "end",
             "shared_groups", "shared_note")

# Column widths (Excel character units) for A4 landscape, fit to page width.
WIDTHS = (14, 46, 40, 12, 26, 12)
WIDTHS_PROGRESS = (11, 34, 30, 10, 20, 9, 30)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")

# Horizontal alignment per column: category, task, requirement, deadline, units, remark, progress.
_H_ALIGN = ("center", "left", "left", "center", "left", "center", "left")


def table_extra(registry: Registry) -> dict[str, dict]:
    """The ``extra`` mapping for ``write_table_xlsx`` built from a registry.

    Keys: a milestone id -> {"schedule": …, "due": …, "ongoing": …}; "task:<no>" -> {"notes": […],
    "category_no": …}; "category:<no>" -> {"name": …, "lead": …}.
    """
    extra: dict[str, dict] = {}
    for category in registry.categories:
        extra[f"category:{category.no}"] = {"name": category.name, "lead": category.lead}
    for task in registry.tasks:
        extra[f"task:{task.no}"] = {"notes": list(task.notes), "category_no": task.category_no}
        for ms in task.milestones:
            # due / ongoing: what plan.yaml states outright, when the wording does not say it
            extra[ms.id] = {"schedule": ms.schedule,
                            "due": ",".join(d.date.isoformat() for d in ms.dues) if ms.due_stated else "",
                            "ongoing": ms.ongoing and not says_ongoing(ms.deadline)}
    return extra


def write_table_xlsx(spec: TableSpec, path: Path, fonts: dict[str, str], font_size: float,
                     plan: PlanInfo | None = None, extra: dict[str, dict] | None = None,
                     overwrite: bool = False) -> None:
    """Write the 序时进度表 workbook to ``path`` (atomically; refuses to overwrite
    an existing file unless ``overwrite``)."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise NoticesError(f"文件“{path}”已存在，未做任何改动；如需重新生成，请先删除或移走该文件",
                           [Problem(str(path), "文件已存在")])
    wb = build_table_workbook(spec, fonts, font_size, plan, extra)
    save_workbook_atomic(wb, path)


def save_workbook_atomic(wb: Workbook, path: Path) -> None:
    """Save to a temporary file in the same folder, then move it into place."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_temps(path.parent)
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".xlsx", dir=path.parent)
        usual_mode(fd)  # mkstemp's 0600 would set the workbook apart from every other output
        os.close(fd)
    except OSError as exc:
        raise NoticesError(f"无法在“{path.parent}”中写入文件：{exc.strerror or exc}") from None
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise NoticesError(
            f"无法写入“{path}”：{exc.strerror or exc}。如果该文件正在 Excel 或 WPS 中打开，请先关闭后重试"
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --- building ----------------------------------------------------------------

def build_table_workbook(spec: TableSpec, fonts: dict[str, str], font_size: float,
                         plan: PlanInfo | None = None, extra: dict[str, dict] | None = None) -> Workbook:
    headers = list(spec.headers)
    if spec.with_progress:
        headers += [h for h in PROGRESS_HEADERS if h not in headers]
    ncols = len(headers)
    widths = _widths(ncols, spec.with_progress)
    last = get_column_letter(ncols)

    title_font = fonts.get("title", "方正小标宋简体")
    body_font = fonts.get("body", "仿宋_GB2312")
    heading_font = fonts.get("heading", "黑体")

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    wb.properties.title = spec.title
    wb.properties.creator = "notices"

    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width

    r = 1
    if spec.attachment_label:
        cell = ws.cell(r, 1)
        _put(cell, spec.attachment_label)
        cell.font = Font(name=heading_font, size=16)
        cell.alignment = Alignment(horizontal="left", vertical="center")
        ws.row_dimensions[r].height = 16 * 1.5
        r += 1
    _put(ws.cell(r, 1), spec.title)
    ws.merge_cells(f"A{r}:{last}{r}")
    ws.cell(r, 1).font = Font(name=title_font, size=22)
    ws.cell(r, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    title_lines = _lines(spec.title, sum(widths), 22)
    ws.row_dimensions[r].height = title_lines * 22 * 1.4 + 8
    r += 1
    if spec.subtitle:
        _put(ws.cell(r, 1), spec.subtitle)
        ws.merge_cells(f"A{r}:{last}{r}")
        ws.cell(r, 1).font = Font(name=body_font, size=max(font_size, 12))
        ws.cell(r, 1).alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[r].height = _lines(spec.subtitle, sum(widths), max(font_size, 12)) * max(font_size, 12) * 1.35 + 6
        r += 1

    header_row = r
    for c, label in enumerate(headers, 1):
        cell = ws.cell(r, c, label)
        cell.font = Font(name=heading_font, size=font_size, bold=False)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    ws.row_dimensions[r].height = max(_lines(h, w, font_size) for h, w in zip(headers, widths)) * font_size * 1.35 + 8
    first = r + 1

    body = Font(name=body_font, size=font_size)
    cat_runs = _runs([row.cat_merge for row in spec.rows])
    task_runs = _runs([row.task_merge for row in spec.rows])
    cat_start = {s: e for s, e in cat_runs}
    task_start = {s: e for s, e in task_runs}
    task_cols = (2, 5, 6)  # 任务内容, 责任单位, 备注: merged over the task's rows

    for i, row in enumerate(spec.rows):
        rr = first + i
        values = list(row.cells)
        if spec.with_progress:
            values.append(_progress_text(row.status, row.progress))
        for c in range(1, ncols + 1):
            cell = ws.cell(rr, c)
            merged_col = c == 1 or c in task_cols
            starts = (i in cat_start) if c == 1 else (i in task_start) if c in task_cols else True
            if not merged_col or starts:
                value = values[c - 1] if c - 1 < len(values) else ""
                if value:
                    _put(cell, value)
            cell.font = body
            cell.alignment = Alignment(horizontal=_H_ALIGN[min(c - 1, len(_H_ALIGN) - 1)],
                                       vertical="center", wrap_text=True)
            cell.border = _BORDER

    # Merges, then borders on every cell again (merged cells included).
    for runs, cols in ((cat_runs, (1,)), (task_runs, task_cols)):
        for s, e in runs:
            if e > s:
                for c in cols:
                    col = get_column_letter(c)
                    ws.merge_cells(f"{col}{first + s}:{col}{first + e}")
    last_row = first + len(spec.rows) - 1
    for rr in range(header_row, last_row + 1):
        for c in range(1, ncols + 1):
            ws.cell(rr, c).border = _BORDER

    _row_heights(ws, spec, first, widths, font_size, cat_runs, task_runs, task_cols, ncols)

    # Page setup: A4 landscape, one page wide, header row repeated.
    landscape_a4(ws, header_row, PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.75, header=0.3, footer=0.4))
    ws.print_area = f"A1:{last}{max(last_row, header_row)}"
    ws.oddFooter.center.text = "— &P —"
    ws.oddFooter.center.size = 12
    ws.evenFooter.center.text = "— &P —"
    ws.evenFooter.center.size = 12
    ws.freeze_panes = f"A{first}"

    _data_sheet(wb, spec, first, header_row, plan, extra or {})
    wb.active = 0
    return wb


def _put(cell, value) -> None:
    """Set a value as given: text stays text even if it starts with "=" (no formulas)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.value = value
        if value.startswith("="):
            cell.data_type = "s"
    else:
        cell.value = value


def _append(ws, values: list) -> None:
    r = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for c, value in enumerate(values, 1):
        if value is not None and value != "":
            _put(ws.cell(r, c), value)


def _widths(ncols: int, with_progress: bool) -> list[float]:
    base = list(WIDTHS_PROGRESS if with_progress else WIDTHS)
    while len(base) < ncols:
        base.append(20)
    return base[:ncols]


def _progress_text(status: str, text: str) -> str:
    if status and text:
        return f"{status}：{text}"
    return status or text


def _runs(flags: list[str]) -> list[tuple[int, int]]:
    """(first, last) index of each merge run: a RESTART row and the CONTINUE rows after it."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if flag == RESTART or not runs:
            runs.append((i, i))
        else:
            runs[-1] = (runs[-1][0], i)
    return runs


def _text_px(text: str, font_size: float) -> float:
    """Approximate rendered width in pixels (96 dpi) of one line of text."""
    em = font_size * 96 / 72
    return sum(em if unicodedata.east_asian_width(ch) in "WF" else em * 0.55 for ch in text)


def _lines(text: str, width: float, font_size: float) -> int:
    """Lines a wrapped cell of ``width`` character units needs for ``text``."""
    usable = max(width * 7 - 10, 20)  # Excel: ~7 px per unit at the default font, minus padding
    total = 0
    for line in str(text or "").split("\n"):
        total += max(1, math.ceil(_text_px(line, font_size) / usable))
    return total


def _height(text: str, width: float, font_size: float) -> float:
    return _lines(text, width, font_size) * font_size * 1.35 + 4


def _row_heights(ws, spec: TableSpec, first: int, widths: list[float], font_size: float,
                 cat_runs, task_runs, task_cols, ncols: int) -> None:
    """Row heights from text length, so wrapped text shows in Excel and LibreOffice."""
    n = len(spec.rows)
    heights = [font_size * 1.35 + 4] * n
    merged_cols = {1, *task_cols}
    for i, row in enumerate(spec.rows):
        values = list(row.cells) + ([_progress_text(row.status, row.progress)] if spec.with_progress else [])
        for c in range(1, ncols + 1):
            if c in merged_cols:
                continue
            heights[i] = max(heights[i], _height(values[c - 1], widths[c - 1], font_size))
    # Merged cells: if the rows they span are too short together, share out the rest.
    for runs, cols in ((cat_runs, (1,)), (task_runs, task_cols)):
        for s, e in runs:
            for c in cols:
                text = spec.rows[s].cells[c - 1]
                need = _height(text, widths[c - 1], font_size)
                have = sum(heights[s:e + 1])
                if need > have:
                    add = (need - have) / (e - s + 1)
                    for k in range(s, e + 1):
                        heights[k] += add
    for i, h in enumerate(heights):
        ws.row_dimensions[first + i].height = round(min(h, 409), 1)


def _data_sheet(wb: Workbook, spec: TableSpec, first: int, header_row: int,
                plan: PlanInfo | None, extra: dict[str, dict]) -> None:
    from ..read.table_import import parse_category_label

    ds = wb.create_sheet(DATA_SHEET)
    ds.sheet_state = "hidden"
    _append(ds, [DATA_MARKER, DATA_VERSION, "本工作表由 notices 生成，供“registry import”还原编号、周期和方案信息，请勿修改"])
    _append(ds, ["layout", "sheet", SHEET])
    _append(ds, ["layout", "header_row", header_row])
    if plan is not None:
        for key in PLAN_KEYS:
            value = getattr(plan, key)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, list):
                value = json.dumps(value, ensure_ascii=False)
            _append(ds, ["plan", key, value])
    for key, info in extra.items():
        if key.startswith("category:"):
            _append(ds, ["category", int(key.split(":", 1)[1]), info.get("name", ""), info.get("lead", "")])
    for key, info in extra.items():
        if key.startswith("task:"):
            _append(ds, ["task", int(key.split(":", 1)[1]), info.get("category_no", 0),
                       json.dumps(list(info.get("notes", [])), ensure_ascii=False)])
    _append(ds, ["#", "row", "kind", "milestone_id", "task_no", "category_no", "schedule", "requirement", "due",
                 "ongoing"])
    for i, row in enumerate(spec.rows):
        cat_no = parse_category_label(row.category)[0] or 0
        info = (extra.get(row.milestone_id) or {}) if row.milestone_id else {}
        _append(ds, ["row", first + i, row.kind, row.milestone_id, row.task_no or 0, cat_no, info.get("schedule", ""),
                   row.requirement, info.get("due", ""), "1" if info.get("ongoing") else ""])
    ds.column_dimensions["H"].width = 60

"""Read an existing 序时进度表 (.xlsx or .docx) back into categories, tasks and milestones.

Used by ``registry import``: an office that already has the plan's attachment
table (as Word or Excel) gets a registry from it. Our own export carries a
hidden sheet "_notices" with milestone ids, schedules and the plan metadata, so
importing it gives the registry back exactly; foreign tables are inferred from
the visible layout (see ``import_table``).

Merged cells: a vertically merged cell counts as its text on every row it spans
(Excel: the value sits in the top-left cell; Word: ``w:vMerge`` continue); the
columns a horizontally merged cell spans besides its first count as empty.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..compose.table import HEADERS
from ..directory import Directory, normalize
from ..errors import NoticesError, Problem
from ..model import Category, Milestone, PlanInfo, Source, Task
from . import safezip
from ..textfmt import cn_to_int
from .deadlines import DeadlineError, parse_deadline

REQUIRED = HEADERS[:5]  # 任务名称 任务内容 具体要求 完成时间 责任单位; 备注 may be missing
OPTIONAL = HEADERS[5:]
# Header words seen in offices' own tables for the same columns.
SYNONYMS = {
    "完成时限": "完成时间", "完成期限": "完成时间", "时间节点": "完成时间", "完成时间节点": "完成时间",
    "责任部门": "责任单位", "牵头单位": "责任单位",
    "工作要求": "具体要求",
}
HEADER_SCAN = 10
OLD_FORMATS = {
    ".xls": "旧版 Excel 工作簿（.xls）", ".et": "WPS 表格文件（.et）", ".ett": "WPS 表格模板（.ett）",
    ".doc": "旧版 Word 文档（.doc）", ".wps": "WPS 文字文件（.wps）", ".wpt": "WPS 文字模板（.wpt）",
}
PLACEHOLDER = "待填写"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Excel writes characters XML cannot hold as _xHHHH_ (a carriage return is _x000D_);
# decoded, then invisible control characters are removed with a warning naming the cell.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_CAT_PAREN = re.compile(r"^[（(]\s*([零一二三四五六七八九十百两]+)\s*[)）]\s*")
_CAT_PLAIN = re.compile(r"^([零一二三四五六七八九十百两]+)\s*[、.．]\s*")
_TASK_NO = re.compile(r"^\s*(\d+)\s*[.．、]\s*")
_ATTACHMENT = re.compile(r"^附\s*件\s*[0-9一二三四五六七八九十]*\s*[:：]?$")
_YEAR = re.compile(r"(20\d\d)\s*年")


# --- small text helpers --------------------------------------------------------

def parse_category_label(text: str) -> tuple[int | None, str]:
    """"（一）开展……行动。" -> (1, "开展……行动"); "一、……" also; (None, text) without ordinal."""
    clean = re.sub(r"\s+", "", text or "")
    m = _CAT_PAREN.match(clean) or _CAT_PLAIN.match(clean)
    if not m:
        return None, clean.rstrip("。.")
    return cn_to_int(m.group(1)), clean[m.end():].rstrip("。.")


def parse_task_label(text: str) -> tuple[int | None, str]:
    """"1. 落实……" / "１．落实……" / "1、落实……" -> (1, "落实……"); (None, text) otherwise."""
    text = (text or "").strip()
    # NFKC maps the full-width digits and dots of the prefix one to one.
    m = _TASK_NO.match(unicodedata.normalize("NFKC", text[:12]))
    if not m:
        return None, text
    return int(m.group(1)), text[m.end():].strip()


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "").strip()


# --- result --------------------------------------------------------------------

@dataclass
class ImportResult:
    plan: PlanInfo | None
    categories: list[Category]
    tasks: list[Task]
    report: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    source: str = ""  # file name
    from_export: bool = False  # the hidden "_notices" sheet was found and used
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (cell, name) not in the directory

    @property
    def milestones(self) -> list[Milestone]:
        return [m for t in self.tasks for m in t.milestones]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def unit_names(self) -> list[str]:
        """Distinct names in the 责任单位 cells, in order of first mention."""
        seen: dict[str, str] = {}
        for task in self.tasks:
            for name in Directory.split(task.units_text):
                seen.setdefault(normalize(name), name)
        return list(seen.values())


# --- reading the grid ------------------------------------------------------------

@dataclass
class _Row:
    values: dict[int, str]  # 0-based column -> text
    number: int  # 1-based row in the sheet / table
    table: int  # docx: 1-based table index; xlsx: 0
    label: str  # file name + sheet / table, for messages

    def get(self, col: int | None) -> str:
        return self.values.get(col, "") if col is not None else ""

    def where(self, col: int | None = None) -> str:
        if self.table:
            return f"{self.label} 第{self.number}行"
        from openpyxl.utils import get_column_letter

        return f"{self.label}!{get_column_letter((col or 0) + 1)}{self.number}"

    @property
    def line(self) -> str:
        return f"{self.label} 第{self.number}行" if not self.table else self.where()


@dataclass
class _Grid:
    label: str  # "进度表.xlsx 序时进度表" / "进度表.docx 表格1"
    rows: list[_Row]
    before: list[str] = field(default_factory=list)  # docx: paragraphs before the table
    notes: list[Problem] = field(default_factory=list)  # warnings about cells cleaned on reading


def _refuse(name: str, message: str) -> NoticesError:
    return NoticesError(f"无法导入“{name}”：{message}", [Problem(name, message)])


def _read_bytes(path: Path) -> bytes:
    name = path.name
    suffix = path.suffix.lower()
    if suffix in OLD_FORMATS:
        raise _refuse(name, f"不支持{OLD_FORMATS[suffix]}，请用 Excel 或 WPS 打开后“另存为”"
                            f"{'.docx（Word 文档）' if suffix in ('.doc', '.wps', '.wpt') else '.xlsx（Excel 工作簿）'}再导入")
    if suffix not in (".xlsx", ".xlsm", ".docx", ".docm"):
        raise _refuse(name, "只能导入 .xlsx（Excel）或 .docx（Word）格式的序时进度表")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _refuse(name, f"找不到文件：{path}") from None
    except IsADirectoryError:
        raise _refuse(name, f"“{path}”是文件夹，不是文件") from None
    except OSError as exc:
        raise _refuse(name, f"无法读取文件（{exc.strerror or exc}）") from None
    if not data.strip():
        raise _refuse(name, "文件是空的")
    if data.startswith(_OLE):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse(name, "文件设置了打开密码，无法读取。请在 Excel/WPS/Word 中取消密码"
                                "（文件 → 信息/文档加密 → 清除密码）后再导入")
        kind = "Word 97-2003（.doc）" if suffix.startswith(".doc") else "Excel 97-2003（.xls）或 WPS"
        raise _refuse(name, f"文件实际是旧版 {kind} 格式，只是扩展名被改成了“{suffix}”；"
                            "请用 Excel/WPS/Word 打开后“另存为”新格式再导入")
    if not data.startswith(b"PK"):
        raise _refuse(name, f"文件不是有效的 {suffix} 文件（可能已损坏，或是其他格式改了扩展名）")
    return data


def _zip_kind(data: bytes, name: str) -> str:
    if why := safezip.inspect(data):  # before anything unpacks it (zip and XML bombs)
        raise _refuse(name, why)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(name, "文件已损坏或不是 Excel/Word 文件，无法打开") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    raise _refuse(name, "文件不是 Excel 工作簿或 Word 文档（可能已损坏，或是其他格式改了扩展名）")


def _xlsx_grids(data: bytes, name: str):
    """Visible sheets as grids, and the hidden "_notices" sheet's rows if any."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken files
        raise _refuse(name, f"Excel 文件已损坏或格式不对，无法打开（{type(exc).__name__}）") from None
    from ..render.table_xlsx import DATA_SHEET

    hidden = None
    grids = []
    for ws in wb.worksheets:
        if ws.title == DATA_SHEET:
            hidden = [list(row) for row in ws.iter_rows(values_only=True)]
            continue
        if ws.sheet_state != "visible":
            continue
        label = f"{name} {ws.title}"
        values: dict[tuple[int, int], str] = {}
        notes: list[Problem] = []
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None and not type(cell).__name__ == "MergedCell":
                    value = cell.value
                    if isinstance(value, str):
                        value = _OOXML_ESCAPE.sub(_unescape, value).replace("\r\n", "\n").replace("\r", "\n")
                        clean = _CONTROL.sub("", value)
                        if clean != value:
                            notes.append(Problem(f"{label}!{cell.coordinate}", "含有不可见的控制字符，已删除", "warning"))
                        value = clean
                    text = _cell_text(value)
                    if text:
                        values[(cell.row, cell.column - 1)] = text
        for rng in ws.merged_cells.ranges:
            origin = values.get((rng.min_row, rng.min_col - 1), "")
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if c == rng.min_col and origin:
                        values[(r, c - 1)] = origin
                    else:
                        values.pop((r, c - 1), None)
        rows: dict[int, dict[int, str]] = {}
        for (r, c), text in values.items():
            rows.setdefault(r, {})[c] = text
        max_row = max(rows, default=0)
        grid_rows = [_Row(rows.get(r, {}), r, 0, label) for r in range(1, max_row + 1)]
        grids.append(_Grid(label, grid_rows, notes=notes))
    return grids, hidden


def _unescape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates


def _docx_grids(data: bytes, name: str):
    from docx import Document
    from docx.oxml.ns import qn

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on broken files
        raise _refuse(name, f"Word 文件已损坏或格式不对，无法打开（{type(exc).__name__}）") from None

    def text_of(el) -> str:
        parts = []
        for node in el.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
            if node.tag == qn("w:t"):
                parts.append(node.text or "")
            elif node.tag == qn("w:tab"):
                parts.append("\t")
            else:
                parts.append("\n")
        return "".join(parts)

    def cell_text(tc) -> str:
        return _cell_text("\n".join(text_of(p) for p in tc.findall(qn("w:p"))))

    def val(el, tag: str, default=None):
        node = el.find(tag) if el is not None else None
        if node is None:
            return default
        return node.get(qn("w:val"), "continue" if tag.endswith("vMerge") else default)

    def blocks(parent):
        for child in parent.iterchildren():
            if child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    yield from blocks(content)
            else:
                yield child

    grids = []
    before: list[str] = []
    for el in blocks(doc.element.body):
        if el.tag == qn("w:p"):
            text = _cell_text(text_of(el))
            if text:
                before.append(text)
            continue
        if el.tag != qn("w:tbl"):
            continue
        index = len(grids) + 1
        label = f"{name} 表格{index}"
        rows: list[_Row] = []
        above: dict[int, str] = {}
        for number, tr in enumerate(el.findall(qn("w:tr")), 1):
            col = int(val(tr.find(qn("w:trPr")), qn("w:gridBefore"), 0) or 0)
            values: dict[int, str] = {}
            for tc in tr.iter(qn("w:tc")):
                if tc.getparent() is not tr and tc.getparent().tag != qn("w:sdtContent"):
                    continue  # a nested table's cell
                tc_pr = tc.find(qn("w:tcPr"))
                span = int(val(tc_pr, qn("w:gridSpan"), 1) or 1)
                vmerge = val(tc_pr, qn("w:vMerge"))
                text = above.get(col, "") if vmerge == "continue" else cell_text(tc)
                if text:
                    values[col] = text
                col += span
            above = values
            rows.append(_Row(values, number, index, label))
        grids.append(_Grid(label, rows, before))
        before = []
    return grids


# --- header ----------------------------------------------------------------------

def _header_map(row: _Row) -> dict[str, int]:
    found: dict[str, int] = {}
    for col in sorted(row.values):
        key = _key(row.values[col])
        key = SYNONYMS.get(key, key)
        if key in HEADERS and key not in found:
            found[key] = col
    return found


def _find_header(grid: _Grid) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(grid.rows[:HEADER_SCAN]):
        found = _header_map(row)
        if all(h in found for h in REQUIRED):
            return i, found
    return None


def _is_header(row: _Row, cols: dict[str, int]) -> bool:
    hits = sum(1 for label, col in cols.items() if SYNONYMS.get(_key(row.get(col)), _key(row.get(col))) == label)
    return hits >= 3


def _title_from(lines: list[str]) -> str:
    """The table title among the texts above the header (附件 labels and subtitles skipped)."""
    lines = [t for t in lines if t and not _ATTACHMENT.match(_key(t))]
    for text in lines:
        if not text.startswith(("（", "(")):
            return text.replace("\n", "")
    return lines[0].replace("\n", "") if lines else ""


# --- hidden data of our own export ---------------------------------------------------

@dataclass
class _Hidden:
    plan: dict[str, str] = field(default_factory=dict)
    categories: dict[int, tuple[str, str]] = field(default_factory=dict)
    notes: dict[int, list[str]] = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)


def _parse_hidden(rows: list[list]) -> _Hidden | None:
    from ..render.table_xlsx import DATA_MARKER

    if not rows or not rows[0] or rows[0][0] != DATA_MARKER:
        return None
    hidden = _Hidden()

    def s(row, i) -> str:
        v = row[i] if i < len(row) else None
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v)

    def n(row, i) -> int:
        try:
            return int(float(s(row, i) or 0))
        except ValueError:
            return 0

    for row in rows[1:]:
        kind = s(row, 0)
        if kind == "plan":
            hidden.plan[s(row, 1)] = s(row, 2)
        elif kind == "category":
            hidden.categories[n(row, 1)] = (s(row, 2), s(row, 3))
        elif kind == "task":
            try:
                notes = json.loads(s(row, 3) or "[]")
            except ValueError:
                notes = []
            hidden.notes[n(row, 1)] = [str(x) for x in notes] if isinstance(notes, list) else []
        elif kind == "row":
            hidden.rows.append({
                "row": n(row, 1), "kind": s(row, 2), "milestone_id": s(row, 3), "task_no": n(row, 4),
                "category_no": n(row, 5), "schedule": s(row, 6), "requirement": s(row, 7),
            })
    return hidden


def _hidden_plan(values: dict[str, str]) -> PlanInfo | None:
    try:
        groups = json.loads(values.get("shared_groups") or "[]")
        return PlanInfo(
            title=values["title"], table_title=values["table_title"], issuer=values["issuer"],
            issuer_short=values["issuer_short"], doc_number=values["doc_number"],
            date=dt.date.fromisoformat(values["date"]), start=dt.date.fromisoformat(values["start"]),
            end=dt.date.fromisoformat(values["end"]),
            shared_groups=[str(g) for g in groups] if isinstance(groups, list) else [],
            shared_note=values.get("shared_note", ""),
        )
    except (KeyError, ValueError, TypeError):
        return None


# --- the rows -----------------------------------------------------------------------

@dataclass
class _MsRow:
    task: Task
    requirement: str
    deadline: str
    row: _Row
    where_deadline: str


def import_table(path: Path, directory: Directory | None) -> ImportResult:
    """Read a 序时进度表 (.xlsx / .docx) into categories, tasks and milestones.

    Rules: a 任务名称 cell "（一）……" starts a category; task text that is not
    "N. ……" on a row without 具体要求/完成时间 is the category's lead-in; a task
    cell "N. ……" starts task N (the same text as the row above continues it);
    every row with a 具体要求 or 完成时间 is a milestone "<task>-<seq>". Raises
    NoticesError (problems naming file and cell) when the table cannot be read.
    """
    path = Path(path)
    name = path.name
    data = _read_bytes(path)
    kind = _zip_kind(data, name)
    hidden = None
    if kind == "xlsx":
        grids, hidden_rows = _xlsx_grids(data, name)
        hidden = _parse_hidden(hidden_rows) if hidden_rows else None
    else:
        grids = _docx_grids(data, name)

    # The table: the first grid with a header row; in Word, later tables with the
    # same header continue it (a table split across pages or sections).
    chosen: list[tuple[_Grid, int, dict[str, int]]] = []
    for grid in grids:
        found = _find_header(grid)
        if found and (not chosen or kind == "docx"):
            chosen.append((grid, *found))
    if not chosen:
        if not grids or not any(row.values for g in grids for row in g.rows):
            raise _refuse(name, "文件中没有表格内容" if kind == "docx" else "工作簿中没有任何内容")
        wanted = "、".join(REQUIRED)
        raise NoticesError(
            f"无法导入“{name}”：未找到序时进度表的表头",
            [Problem(g.label, f"前{HEADER_SCAN}行中没有同时包含“{wanted}”的表头行") for g in grids],
        )

    grid0, header0, cols0 = chosen[0]
    title = _title_from(grid0.before + [_title_from([r.get(c) for c in sorted(r.values)])
                                        for r in grid0.rows[:header0]])
    body: list[tuple[_Row, dict[str, int]]] = []
    for grid, header, cols in chosen:
        body += [(row, cols) for row in grid.rows[header + 1:]]

    result = _Builder(name, directory, hidden, title, kind, grid0.label, header0).run(body)
    result.problems[:0] = [note for grid, _, _ in chosen for note in grid.notes]
    return result


class _Builder:
    def __init__(self, name: str, directory: Directory | None, hidden: _Hidden | None, title: str,
                 kind: str, label: str, header_index: int):
        self.name = name
        self.directory = directory
        self.hidden = hidden
        self.title = title
        self.kind = kind
        self.label = label
        self.header_index = header_index
        self.errors: list[Problem] = []
        self.problems: list[Problem] = []
        self.report: list[str] = []
        self.categories: list[Category] = []
        self.tasks: list[Task] = []
        self.ms_rows: list[_MsRow] = []
        self.cat_rows: dict[int, _Row] = {}
        self.task_rows: dict[int, _Row] = {}
        self.units: dict[int, list[tuple[str, str]]] = {}  # task no -> [(text, where)]
        self.remarks: dict[int, list[str]] = {}
        self.unmatched: list[tuple[str, str]] = []

    # -- pass over rows
    def run(self, body: list[tuple[_Row, dict[str, int]]]) -> ImportResult:
        category: Category | None = None
        cat_key = ""
        task: Task | None = None
        task_key = ""
        bad = False  # rows of a task already reported as unnumbered
        for row, cols in body:
            if not row.values or _is_header(row, cols):
                continue
            c = row.get(cols["任务名称"])
            t = row.get(cols["任务内容"])
            r = row.get(cols["具体要求"])
            d = row.get(cols["完成时间"])
            u = row.get(cols["责任单位"])
            m = row.get(cols.get("备注"))
            if not any((c, t, r, d, u, m)):
                continue
            if c and _key(c) != cat_key:
                category = self._category(c, row, cols)
                cat_key, task, task_key, bad = _key(c), None, "", False
            if t and _key(t) != task_key:
                no, text = parse_task_label(t)
                if no is None:
                    if not r and not d and task is None and category is not None and not category.lead:
                        category.lead = text
                        task_key = _key(t)
                        continue
                    self.errors.append(Problem(row.where(cols["任务内容"]),
                                               f"任务内容“{_short(t)}”没有序号，应写成“1. ……”这样以序号开头"))
                    task, task_key, bad = None, _key(t), True
                    continue
                if task is not None and no == task.no:
                    task_key = _key(t)  # the same task retyped on an unmerged row
                    if text != task.text:
                        self.problems.append(Problem(row.where(cols["任务内容"]),
                                                     f"第{no}项任务的内容与上一行不完全一致，按同一项任务处理", "warning"))
                else:
                    if category is None:
                        self.errors.append(Problem(row.where(cols["任务名称"]),
                                                   f"第{no}项任务之前没有任务类别（任务名称列应有“（一）……”）"))
                        category = self._category("", row, cols)
                        cat_key = ""
                    task = self._task(no, text, category, row, cols)
                    task_key, bad = _key(t), False
            if r or d:
                if task is None:
                    if not bad:
                        bad = True
                        self.errors.append(Problem(row.where(cols["具体要求"]),
                                                   "这一行有具体要求或完成时间，但之前没有任务（任务内容列应有“1. ……”）"))
                    continue
                self.ms_rows.append(_MsRow(task, r, d, row, row.where(cols["完成时间"])))
            if task is not None:
                if u:
                    self.units.setdefault(task.no, []).append((u, row.where(cols["责任单位"])))
                if m:
                    self.remarks.setdefault(task.no, []).append(m)
        if self.errors:
            raise NoticesError(f"无法导入“{self.name}”：发现 {len(self.errors)} 处问题，请修改表格后重试",
                               self.errors)
        if not self.tasks:
            raise _refuse(self.name, "表头下面没有任何任务")
        return self._finish()

    def _category(self, label: str, row: _Row, cols: dict[str, int]) -> Category:
        no, cname = parse_category_label(label)
        where = row.where(cols["任务名称"])
        if no is None:
            no = max((c.no for c in self.categories), default=0) + 1
            if label:
                self.problems.append(Problem(where, f"任务名称“{_short(label)}”没有“（一）”这样的序号，已按顺序编为第{no}类",
                                             "warning"))
        elif no in self.cat_rows:
            self.errors.append(Problem(where, f"任务类别序号重复：与{self.cat_rows[no].where(cols['任务名称'])}相同"))
        if self.hidden and no in self.hidden.categories:
            recorded = self.hidden.categories[no][0]
            if parse_category_label(f"（一）{recorded}")[1] == cname:
                cname = recorded
        category = Category(no, cname, "", Source(row.where(cols["任务名称"])))
        self.categories.append(category)
        self.cat_rows.setdefault(no, row)
        return category

    def _task(self, no: int, text: str, category: Category, row: _Row, cols: dict[str, int]) -> Task:
        where = row.where(cols["任务内容"])
        if no in self.task_rows:
            self.errors.append(Problem(where, f"任务序号{no}重复：{self.task_rows[no].where(cols['任务内容'])}已有第{no}项任务"))
        self.task_rows.setdefault(no, row)
        notes = list(self.hidden.notes.get(no, [])) if self.hidden else []
        task = Task(no=no, category_no=category.no, text=text, units_text="", notes=notes, source=Source(where))
        self.tasks.append(task)
        return task

    # -- after the pass
    def _finish(self) -> ImportResult:
        plan = self._plan()
        self._milestones(plan)
        self._units_and_remarks(plan)
        counts = (f"识别到 {len(self.categories)} 类任务、{len(self.tasks)} 项任务、"
                  f"{sum(len(t.milestones) for t in self.tasks)} 个具体要求")
        where = f"读取：{self.label}（表头在第{self.header_index + 1}行）"
        self.report[:0] = [where, counts]
        for category in self.categories:
            if not any(t.category_no == category.no for t in self.tasks):
                self.problems.append(Problem(str(category.source), f"第{category.no}类“{category.name}”下没有任务", "warning"))
        for task in self.tasks:
            if not task.milestones:
                self.problems.append(Problem(str(task.source), f"第{task.no}项任务没有具体要求和完成时间"))
        return ImportResult(plan, self.categories, self.tasks, self.report, self.problems, self.name,
                            from_export=self.hidden is not None and bool(self.hidden.plan),
                            unmatched=self.unmatched)

    def _plan(self) -> PlanInfo:
        if self.hidden and self.hidden.plan:
            plan = _hidden_plan(self.hidden.plan)
            if plan is not None:
                self.report.append("方案信息、具体要求编号和周期取自本工具导出时记录的数据")
                return plan
            self.report.append("导出时记录的方案信息不完整，已改用占位内容")
        today = dt.date.today()
        years = [int(y) for ms in self.ms_rows for y in _YEAR.findall(ms.deadline)]
        start = dt.date(min(years), 1, 1) if years else today
        end = dt.date(max(years), 12, 31) if years else dt.date(today.year, 12, 31)
        if end < start:
            end = dt.date(start.year, 12, 31)
        title = self.title or "序时进度表"
        self.report.append(
            f"表格中没有方案信息，plan.yaml 中已填入占位内容，请逐项核对修改：方案名称和进度表标题暂用“{title}”，"
            f"发文机关、简称、文号暂填“{PLACEHOLDER}”，印发日期暂填今天（{today.isoformat()}），"
            f"方案起止日期暂按完成时间推定为 {start.isoformat()} 至 {end.isoformat()}"
        )
        return PlanInfo(title=title, table_title=title, issuer=PLACEHOLDER, issuer_short=PLACEHOLDER,
                        doc_number=PLACEHOLDER, date=today, start=start, end=end)

    def _milestones(self, plan: PlanInfo) -> None:
        records = [r for r in (self.hidden.rows if self.hidden else []) if r["kind"] == "milestone" and r["milestone_id"]]
        chosen: dict[int, dict] = {}
        used: set[str] = set()
        passes = (
            lambda ms, rec: rec["row"] == ms.row.number and rec["requirement"] == ms.requirement,
            lambda ms, rec: rec["requirement"] == ms.requirement,
            lambda ms, rec: rec["row"] == ms.row.number,
        )
        if self.kind == "xlsx":
            for match in passes:
                for i, ms in enumerate(self.ms_rows):
                    if i in chosen:
                        continue
                    for rec in records:
                        if rec["milestone_id"] not in used and rec["task_no"] == ms.task.no and match(ms, rec):
                            chosen[i] = rec
                            used.add(rec["milestone_id"])
                            break
        # Ids recorded but not matched stay reserved: a new id never inherits the
        # progress history of a milestone that was deleted.
        taken = {rec["milestone_id"] for rec in records}
        fresh = 0
        inferred: dict[tuple[str, str], list] = {}
        for i, ms in enumerate(self.ms_rows):
            rec = chosen.get(i)
            if rec:
                mid, schedule = rec["milestone_id"], rec["schedule"]
            else:
                seq = 1
                while f"{ms.task.no}-{seq}" in taken or any(m.id == f"{ms.task.no}-{seq}" for m in ms.task.milestones):
                    seq += 1
                mid, schedule = f"{ms.task.no}-{seq}", ""
                fresh += bool(records)
            taken.add(mid)
            dues = []
            if ms.deadline:
                try:
                    dues = parse_deadline(ms.deadline, schedule, plan.start, plan.end)
                    inferred.setdefault((ms.deadline, schedule), dues)
                except DeadlineError as exc:
                    self.problems.append(Problem(ms.where_deadline, str(exc)))
            else:
                self.problems.append(Problem(ms.where_deadline, "完成时间为空"))
            ms.task.milestones.append(Milestone(
                id=mid, task_no=ms.task.no, requirement=ms.requirement, deadline=ms.deadline,
                schedule=schedule, dues=dues, source=Source(ms.row.line),
            ))
            if not ms.requirement:
                self.problems.append(Problem(ms.row.where(None) if ms.row.table else ms.where_deadline,
                                             f"具体要求 {mid} 只有完成时间，没有要求内容", "warning"))
        if fresh:
            self.report.append(f"有 {fresh} 个具体要求在导出记录中找不到对应（表格导出后被增改过），已按顺序新编编号")
        for (text, schedule), dues in inferred.items():
            self.report.append(f"完成时间“{text}”{f'（{schedule}）' if schedule else ''} → {_dues_text(dues)}")

    def _units_and_remarks(self, plan: PlanInfo) -> None:
        for task in self.tasks:
            entries = self.units.get(task.no, [])
            distinct: list[tuple[str, str]] = []
            for text, where in entries:
                if all(_key(text) != _key(d) for d, _ in distinct):
                    distinct.append((text, where))
            if len(distinct) > 1:
                names: list[str] = []
                for text, _ in distinct:
                    names += [n for n in Directory.split(text) if n not in names]
                task.units_text = "、".join(names)
                self.problems.append(Problem(distinct[0][1], f"第{task.no}项任务各行的责任单位不一致，已合并为“{task.units_text}”",
                                             "warning"))
            elif distinct:
                task.units_text = distinct[0][0]
            else:
                self.problems.append(Problem(str(task.source), f"第{task.no}项任务没有填写责任单位"))
            remarks: list[str] = []
            for text in self.remarks.get(task.no, []):
                if text not in remarks:
                    remarks.append(text)
            task.remark = "；".join(remarks)
            where = distinct[0][1] if distinct else str(task.source)
            if self.directory is None:
                task.unit_names = Directory.split(task.units_text)
                continue
            res = self.directory.resolve(task.units_text, plan.shared_groups)
            task.unit_names = list(res.units)
            # Reported, not problems: the office completes units.yaml afterwards.
            for name in res.unknown:
                self.unmatched.append((where, name))
                self.report.append(f"{where}：责任单位“{name}”不在单位名录中")
            for name, found in res.ambiguous:
                self.unmatched.append((where, name))
                self.report.append(f"{where}：责任单位“{name}”有歧义（可能是：{'、'.join(found)}）")


def _dues_text(dues) -> str:
    if not dues:
        return "方案期内无到期日"
    dates = [d.date.isoformat() for d in dues]
    if len(dates) <= 4:
        return "、".join(dates)
    return f"{'、'.join(dates[:3])} …… {dates[-1]}（共 {len(dates)} 个到期日）"


def _short(text: str, size: int = 24) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= size else text[:size] + "……"

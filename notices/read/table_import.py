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

from ..directory import LEAD, SUPPORT, Directory, mentions, normalize
from ..errors import NoticesError, Problem
from ..model import Category, Milestone, PlanInfo, Source, Task
from . import safezip
from ..textfmt import cn_to_int
from .dates import parse_cn_date
from .deadlines import DeadlineError, clean_deadline, explicit_deadline, read_deadline, unknown_message
from .table_columns import ROLES, columns_found, explicit_header, find_header, is_header_row, parse_columns
from .unit_names import UnitsDraft, draft_units, infer_jurisdiction

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
_ROLE_WORDS = re.compile(r"牵头|配合|协同|协办|参与|主责")
# What follows a plan's name in its table's title: "…实施方案序时进度表" -> "…实施方案".
_TITLE_TAIL = re.compile(r"(?:附件\d*)?(?:的)?(?:序时进度表|进度安排表|任务进度表|进度表|任务分解表|任务分工表|责任分工表|"
                         r"重点任务清单|任务清单|工作台账|任务台账|推进表|一览表|分解表|清单|台账)$")


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
    units: UnitsDraft | None = None  # units and groups drafted from the table (no directory given)

    @property
    def milestones(self) -> list[Milestone]:
        return [m for t in self.tasks for m in t.milestones]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def unit_names(self) -> list[str]:
        """Distinct names in the 责任单位 and 配合单位 cells, in order of first mention."""
        seen: dict[str, str] = {}
        for task in self.tasks:
            for name in Directory.split(task.units_text) + Directory.split(task.support_text):
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

def plan_title(table_title: str) -> str:
    """The plan's name from its table's title ("…实施方案序时进度表" -> "…实施方案");
    "" when the title names no plan."""
    text = re.sub(r"^附件[0-9一二三四五六七八九十]*[:：]?", "", re.sub(r"\s+", "", table_title or ""))
    core = _TITLE_TAIL.sub("", text)
    if core == text or len(core) < 4:
        return core if core.endswith(("方案", "计划", "行动", "规划", "意见")) else ""
    return core


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
                "due": s(row, 8), "ongoing": s(row, 9) == "1",
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


def import_table(path: Path, directory: Directory | None = None, columns: str | None = None) -> ImportResult:
    """Read a 序时进度表 (.xlsx / .docx) into categories, tasks and milestones.

    Columns are found by their header words (``table_columns``) or given with
    ``columns`` ("任务=B,要求=C,时间=F,牵头=D,配合=E"). Rules: a category starts at
    a 类别 cell "（一）……" or at a row whose one text spans the table ("一、……");
    task text without a requirement or deadline right after a category is its
    lead-in; a task starts where the task text changes — numbered by its own
    "N. ……", else by the 序号 column, else in order; every row with a requirement
    or deadline is a milestone "<task>-<seq>". The units come from ``directory``
    or, without one, are drafted from the table's 责任单位 / 配合单位 cells
    (``unit_names``). Raises NoticesError (problems naming file and cell) when
    the table cannot be read.
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
    explicit = parse_columns(columns) if columns else None

    # The table: the first grid with a header row; in Word, later tables with the
    # same header continue it (a table split across pages or sections).
    chosen: list[tuple[_Grid, int, int, dict[str, int]]] = []
    for grid in grids:
        if explicit is not None:
            if not chosen or kind == "docx":
                if any(r.values for r in grid.rows):
                    chosen.append((grid, *explicit_header(grid.rows, explicit), dict(explicit)))
            continue
        found = find_header(grid.rows)
        if found and (not chosen or kind == "docx"):
            chosen.append((grid, *found))
    if not chosen:
        if not grids or not any(row.values for g in grids for row in g.rows):
            raise _refuse(name, "文件中没有表格内容" if kind == "docx" else "工作簿中没有任何内容")
        raise NoticesError(f"无法导入“{name}”：未找到序时进度表的表头（完成时间、责任单位、任务或具体要求等列）",
                           [columns_found(g.label, g.rows) for g in grids if any(r.values for r in g.rows)])

    grid0, header0, first0, cols0 = chosen[0]
    title = _title_from(grid0.before + [_title_from([r.get(c) for c in sorted(r.values)])
                                        for r in grid0.rows[:max(header0, 0)]])
    body: list[tuple[_Row, dict[str, int]]] = []
    for grid, _, first, cols in chosen:
        body += [(row, cols) for row in grid.rows[first:]]

    builder = _Builder(name, directory, hidden, title, kind, grid0.label, header0)
    words: dict[int, str] = {}  # a header of two rows: the lower row's words where it has them
    for row in grid0.rows[max(header0, 0):first0] if header0 >= 0 else []:
        words.update(row.values)
    builder.report.append(_columns_text(cols0, _Row(words, 0, 0, "") if words else None, explicit is not None))
    result = builder.run(body)
    result.problems[:0] = [note for grid, _, _, _ in chosen for note in grid.notes]
    return result


def _columns_text(cols: dict[str, int], header: _Row | None, explicit: bool) -> str:
    """Which column was read as what: "A 序号 → 序号、B 重点任务 → 任务 …"."""
    from openpyxl.utils import get_column_letter

    parts = []
    for role in ROLES:
        if role in cols and not (role == "要求" and cols["要求"] == cols.get("任务")):
            col = cols[role]
            word = header.get(col).replace("\n", "") if header is not None else ""
            parts.append(f"{get_column_letter(col + 1)}{f' {word}' if word else ''} → {role}")
    how = "按 --columns 指定" if explicit else "按表头识别"
    return f"各列（{how}）：{'、'.join(parts)}"


def _split_cell(text: str) -> tuple[str, str]:
    """A 责任单位 cell that says who leads ("X牵头，Y配合", "牵头：X；配合：Y") as
    (lead, support); a cell without role words is all lead."""
    found = mentions(text)
    if not _ROLE_WORDS.search(unicodedata.normalize("NFKC", text or "")) or all(m.role == LEAD for m in found):
        return text, ""
    lead = "、".join(m.name for m in found if m.role == LEAD and not m.others)
    support = "、".join(m.name for m in found if m.role == SUPPORT and not m.others)
    if any(m.others for m in found):
        support = (support or "有关部门") + ("等部门" if support else "")
    return lead, support


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
        # per task (by id): [(text, where)] of its 责任单位 / 配合单位 cells; remarks; 序号 values
        self.units: dict[int, list[tuple[str, str]]] = {}
        self.support: dict[int, list[tuple[str, str]]] = {}
        self.remarks: dict[int, list[str]] = {}
        self.seqs: dict[int, list[str]] = {}
        self.unmatched: list[tuple[str, str]] = []
        self.drafted: UnitsDraft | None = None
        self.numbered = False
        self.merged: list[tuple[Task, str, str, str]] = []  # (task, 责任单位/配合单位, where, first row's text)

    # -- pass over rows
    def run(self, body: list[tuple[_Row, dict[str, int]]]) -> ImportResult:
        # Task numbers: "N. ……" in the task cells, if the table writes them at all.
        self.numbered = any(parse_task_label(row.get(cols.get("任务")))[0] is not None for row, cols in body)
        category: Category | None = None
        cat_key = ""
        task: Task | None = None
        task_key = ""
        bad = False  # rows of a task already reported as unnumbered
        for row, cols in body:
            if not row.values or is_header_row(row.values, cols):
                continue
            c, seq, t, r, d, u, s, m = (row.get(cols.get(k)) for k in ("类别", "序号", "任务", "要求", "时间", "牵头",
                                                                       "配合", "备注"))
            one_text = cols.get("要求") == cols.get("任务")  # the task text is also the requirement
            if one_text:
                r = ""
            if not any((c, seq, t, r, d, u, s, m)):
                continue
            heading = self._heading(row, cols, seq, t, d, u)
            if heading == "":
                continue  # a note under the table
            if heading is not None:
                category = self._category(heading, row, cols)
                cat_key, task, task_key, bad = _key(heading), None, "", False
                continue
            if c and _key(c) != cat_key:
                category = self._category(c, row, cols)
                cat_key, task, task_key, bad = _key(c), None, "", False
            if t and _key(t) != task_key:
                no, text = parse_task_label(t)
                if not self.numbered:
                    no, text = None, t.strip()
                lead_in = not r and not d and not (u and not self.numbered) and task is None
                if (no is None and lead_in and category is not None and not category.lead
                        and (self.numbered or cols.get("类别") is not None)):
                    category.lead = text
                    task_key = _key(t)
                    continue
                if self.numbered and no is None:
                    self.errors.append(Problem(row.where(cols["任务"]),
                                               f"任务内容“{_short(t)}”没有序号，应写成“1. ……”这样以序号开头"))
                    task, task_key, bad = None, _key(t), True
                    continue
                if self.numbered and task is not None and no == task.no:
                    task_key = _key(t)  # the same task retyped on an unmerged row
                    if text != task.text:
                        self.problems.append(Problem(row.where(cols["任务"]),
                                                     f"第{no}项任务的内容与上一行不完全一致，按同一项任务处理", "warning"))
                else:
                    if category is None:
                        if cols.get("类别") is not None:
                            self.errors.append(Problem(row.where(cols["类别"]),
                                                       f"第{no}项任务之前没有任务类别（任务名称列应有“（一）……”）"))
                        category = self._category("", row, cols)
                        cat_key = ""
                    task = self._task(no, text, category, row, cols)
                    task_key, bad = _key(t), False
            if one_text and d and task is not None:
                r = task.text
            if r or d:
                if task is None:
                    if not bad:
                        bad = True
                        self.errors.append(Problem(row.where(cols["要求"]),
                                                   "这一行有具体要求或完成时间，但之前没有任务（任务内容列应有“1. ……”）"))
                    continue
                self.ms_rows.append(_MsRow(task, r, d, row, row.where(cols["时间"])))
            if task is not None:
                key = id(task)
                if seq:
                    self.seqs.setdefault(key, []).append(seq)
                if u:  # "X牵头，Y配合" in one cell: each part to its column
                    lead, helping = _split_cell(u) if cols.get("配合") is None or not s else (u, "")
                    if lead:
                        self.units.setdefault(key, []).append((lead, row.where(cols["牵头"])))
                    if helping:
                        self.support.setdefault(key, []).append((helping, row.where(cols["牵头"])))
                if s:
                    self.support.setdefault(key, []).append((s, row.where(cols["配合"])))
                if m:
                    self.remarks.setdefault(key, []).append(m)
        if self.errors:
            raise NoticesError(f"无法导入“{self.name}”：发现 {len(self.errors)} 处问题，请修改表格后重试",
                               self.errors)
        if not self.tasks:
            raise _refuse(self.name, "表头下面没有任何任务")
        self._number_tasks()
        return self._finish()

    def _heading(self, row: _Row, cols: dict[str, int], seq: str, t: str, d: str, u: str) -> str | None:
        """A category heading on a row of its own: one text across the table
        ("一、压实安全生产责任"), or a Chinese ordinal in the 序号 column with the
        category's name beside it. "" for a note row ("注：……"); None otherwise."""
        texts = list(dict.fromkeys(v for v in row.values.values() if v))
        if len(texts) == 1:
            text = texts[0]
            if text.startswith(("注：", "注:", "说明：", "说明:", "备注：", "备注:", "填表说明")):
                self.problems.append(Problem(row.where(), f"表格下方的说明“{_short(text)}”不是任务，未导入", "warning"))
                return ""
            if parse_category_label(text)[0] is not None:
                return text
            return None
        if seq and not seq.isdigit() and cn_to_int(seq.strip("、.．")) and not d and not u:
            return f"{seq.strip('、.．')}、{t or texts[-1]}"
        return None

    def _number_tasks(self) -> None:
        """Tasks without "N. ……": by the 序号 column when it numbers tasks (one
        number per task, all different), else in order."""
        if self.numbered:
            return
        numbers = []
        for task in self.tasks:
            values = {v.strip() for v in self.seqs.get(id(task), [])}
            numbers.append(int(values.pop()) if len(values) == 1 and next(iter(values)).isdigit() else None)
        if all(n is not None and n > 0 for n in numbers) and len(set(numbers)) == len(numbers):
            for task, no in zip(self.tasks, numbers):
                task.no = no
            self.report.append("任务序号取自“序号”列")
        else:
            if any(self.seqs.values()):
                self.report.append("“序号”列不是每项任务一个不同的序号（可能是按行编的），任务已按出现顺序编号")
            else:
                self.report.append(f"任务内容没有序号，已按出现顺序编为第1至第{len(self.tasks)}项")

    def _category(self, label: str, row: _Row, cols: dict[str, int]) -> Category:
        no, cname = parse_category_label(label)
        where = row.where(cols.get("类别", cols.get("任务")))
        if not label:
            cname = "主要任务"
            self.report.append(f"表格没有任务类别，{where}起的任务归入一类“{cname}”")
        if no is None:
            no = max((c.no for c in self.categories), default=0) + 1
            if label:
                self.problems.append(Problem(where, f"任务类别“{_short(label)}”没有“（一）”这样的序号，已按顺序编为第{no}类",
                                             "warning"))
        elif no in self.cat_rows:
            self.errors.append(Problem(where, f"任务类别序号重复：与{self.cat_rows[no].where(cols.get('类别'))}相同"))
        if self.hidden and no in self.hidden.categories:
            recorded = self.hidden.categories[no][0]
            if parse_category_label(f"（一）{recorded}")[1] == cname:
                cname = recorded
        category = Category(no, cname, "", Source(where))
        self.categories.append(category)
        self.cat_rows.setdefault(no, row)
        return category

    def _task(self, no: int | None, text: str, category: Category, row: _Row, cols: dict[str, int]) -> Task:
        where = row.where(cols["任务"])
        if no is None:
            no = len(self.tasks) + 1
        elif no in self.task_rows:
            self.errors.append(Problem(where, f"任务序号{no}重复：{self.task_rows[no].where(cols['任务'])}已有第{no}项任务"))
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
        where = f"读取：{self.label}（表头在第{self.header_index + 1}行）" if self.header_index >= 0 else f"读取：{self.label}"
        self.report[:0] = [where, counts]
        for category in self.categories:
            if not any(t.category_no == category.no for t in self.tasks):
                self.problems.append(Problem(str(category.source), f"第{category.no}类“{category.name}”下没有任务", "warning"))
        for task in self.tasks:
            if not task.milestones:
                self.problems.append(Problem(str(task.source), f"第{task.no}项任务没有具体要求和完成时间"))
        return ImportResult(plan, self.categories, self.tasks, self.report, self.problems, self.name,
                            from_export=self.hidden is not None and bool(self.hidden.plan),
                            unmatched=self.unmatched, units=self.drafted)

    def _plan(self) -> PlanInfo:
        if self.hidden and self.hidden.plan:
            plan = _hidden_plan(self.hidden.plan)
            if plan is not None:
                self.report.append("方案信息、具体要求编号和周期取自本工具导出时记录的数据")
                return plan
            self.report.append("导出时记录的方案信息不完整，已改用占位内容")
        today = dt.date.today()
        years = [int(y) for ms in self.ms_rows for y in re.findall(r"(20\d\d)", clean_deadline(ms.deadline))]
        start = dt.date(min(years), 1, 1) if years else dt.date(today.year, 1, 1)
        end = dt.date(max(years), 12, 31) if years else dt.date(today.year, 12, 31)
        if end < start:
            end = dt.date(start.year, 12, 31)
        table_title = self.title or PLACEHOLDER
        title = plan_title(self.title) or PLACEHOLDER
        self.report.append(
            f"方案信息：方案名称“{title}”、进度表标题“{table_title}”取自表格标题；发文机关、简称暂填“{PLACEHOLDER}”，"
            f"方案文号空缺，印发日期暂填今天（{today.isoformat()}），方案起止日期按完成时间推定为 {start.isoformat()} 至 "
            f"{end.isoformat()}。请在 plan.yaml 中核对"
        )
        return PlanInfo(title=title, table_title=table_title, issuer=PLACEHOLDER, issuer_short=PLACEHOLDER,
                        doc_number="", date=today, start=start, end=end)

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
            stated = None
            if rec:
                mid, schedule = rec["milestone_id"], rec["schedule"]
                days = [d for d in (parse_cn_date(x) for x in rec.get("due", "").split(",") if x) if d]
                if days or rec.get("ongoing"):
                    stated = explicit_deadline(days, bool(rec.get("ongoing")))
            else:
                seq = 1
                while f"{ms.task.no}-{seq}" in taken or any(m.id == f"{ms.task.no}-{seq}" for m in ms.task.milestones):
                    seq += 1
                mid, schedule = f"{ms.task.no}-{seq}", ""
                fresh += bool(records)
            taken.add(mid)
            read = stated
            if read is None and ms.deadline:
                try:
                    read = read_deadline(ms.deadline, schedule, plan.start, plan.end)
                    inferred.setdefault((ms.deadline, schedule), read)
                except DeadlineError as exc:
                    self.problems.append(Problem(ms.where_deadline, f"{exc}（具体要求 {mid}）"))
            elif read is None:
                self.problems.append(Problem(ms.where_deadline, f"完成时间为空。{unknown_message('', plan.start, plan.end)}"
                                                                f"（具体要求 {mid}）"))
            ms.task.milestones.append(Milestone(
                id=mid, task_no=ms.task.no, requirement=ms.requirement, deadline=ms.deadline,
                schedule=schedule, dues=list(read.dues) if read else [], source=Source(ms.row.line),
                ongoing=bool(read and read.ongoing), due_stated=stated is not None and not stated.ongoing,
            ))
            if not ms.requirement:
                self.problems.append(Problem(ms.row.where(None) if ms.row.table else ms.where_deadline,
                                             f"具体要求 {mid} 只有完成时间，没有要求内容", "warning"))
        if fresh:
            self.report.append(f"有 {fresh} 个具体要求在导出记录中找不到对应（表格导出后被增改过），已按顺序新编编号")
        for (text, schedule), read in inferred.items():
            meaning = "持续推进（不按日期判断逾期，每轮按报送情况判断）" if read.ongoing else _dues_text(read.dues)
            self.report.append(f"完成时间“{text}”{f'（{schedule}）' if schedule else ''} → {meaning}")

    def _units_and_remarks(self, plan: PlanInfo) -> None:
        wheres: dict[int, str] = {}
        for task in self.tasks:
            lead = self._merged(task, self.units.get(id(task), []), "责任单位")
            support = self._merged(task, self.support.get(id(task), []), "配合单位")
            task.units_text, task.support_text = lead, support
            if not lead and not support:
                self.problems.append(Problem(str(task.source), f"第{task.no}项任务没有填写责任单位"))
            remarks: list[str] = []
            for text in self.remarks.get(id(task), []):
                if text not in remarks:
                    remarks.append(text)
            task.remark = "；".join(remarks)
            cells = self.units.get(id(task)) or self.support.get(id(task)) or []
            wheres[id(task)] = cells[0][1] if cells else str(task.source)
        directory = self.directory
        if directory is None:
            names = [n for t in self.tasks for n in Directory.split(t.units_text) + Directory.split(t.support_text)]
            self.drafted = draft_units([c for t in self.tasks for c in (t.units_text, t.support_text) if c],
                                       infer_jurisdiction(self.title, names), plan.shared_groups)
            directory = self.drafted.directory()
        for task in self.tasks:
            where = wheres[id(task)]
            task.units_text = _drop_repeats(task.units_text, directory)
            task.support_text = _drop_repeats(task.support_text, directory)
            res = directory.resolve(task.units_text, plan.shared_groups, task.support_text)
            task.unit_names, task.lead_names, task.support_names = list(res.units), list(res.lead), list(res.support)
            # Reported, not problems: the office completes units.yaml afterwards.
            for name in res.unknown:
                self.unmatched.append((where, name))
                self.report.append(f"{where}：责任单位“{name}”不在单位名录中")
            for name, found in res.ambiguous:
                self.unmatched.append((where, name))
                self.report.append(f"{where}：责任单位“{name}”有歧义（可能是：{'、'.join(found)}）")
        for task, what, where, first in self.merged:
            text = task.units_text if what == "责任单位" else task.support_text
            if _key(text) != _key(first):  # rows that only spelled one unit two ways are no news
                self.problems.append(Problem(where, f"第{task.no}项任务各行的{what}不一致，已合并为“{text}”", "warning"))
        roles = sum(1 for t in self.tasks if t.support_names)
        if roles:
            self.report.append(f"{roles} 项任务分列了牵头单位和配合单位（督办函发给牵头单位）")

    def _merged(self, task: Task, entries: list[tuple[str, str]], what: str) -> str:
        """The task's cell: one text, or the names of differing rows joined (warned)."""
        distinct: list[tuple[str, str]] = []
        for text, where in entries:
            if all(_key(text) != _key(d) for d, _ in distinct):
                distinct.append((text, where))
        if len(distinct) <= 1:
            return distinct[0][0] if distinct else ""
        names: list[str] = []
        for text, _ in distinct:
            names += [n for n in _names_as_written(text) if n not in names]
        merged = "、".join(names)
        self.merged.append((task, what, distinct[0][1], distinct[0][0]))
        return merged


def _drop_repeats(text: str, directory: Directory) -> str:
    """Rows that wrote one unit two ways, joined ("区应急管理局、区应急局"): the first kept."""
    names = _names_as_written(text)
    if len(names) < 2:
        return text
    seen: set[str] = set()
    kept = []
    for name in names:
        found = directory.lookup(Directory.split(name)[0]) if Directory.split(name) else []
        if len(found) == 1 and found[0] in seen:
            continue
        seen.update(found)
        kept.append(name)
    return "、".join(kept) if len(kept) < len(names) else text


def _names_as_written(text: str) -> list[str]:
    """The names of a cell, "等部门" kept on the name it follows."""
    return [p for p in re.split(r"[、，,；;\s]+", unicodedata.normalize("NFKC", text)) if p]


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

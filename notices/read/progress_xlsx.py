"""Read filled progress workbooks (进度填报表) back into Reports, checking every cell.

Whatever a unit sends, the result is a list of Reports and a list of Problems,
each one Chinese line naming file, sheet and cell — never a traceback. Severity
"error" means the row (or file) cannot be used; "warning" means it was taken
with a note.

Decisions (also in the office's documentation):

* Mode: a workbook's cells are read by ``xlsx_values``, which gives exactly
  what openpyxl's ``load_workbook(data_only=True)`` gives for the cells,
  merged ranges and number formats we use, without building openpyxl's object
  model: ~3 ms instead of ~13 ms for a unit's 59-row file, which matters when
  a city or province collects hundreds of files (benchmarks/run.py, section c).
  A file it does not handle the same way (chart sheets, strict OOXML, odd
  parts) is read with openpyxl in normal mode, as before. Read-only openpyxl
  was measured too (≈10 ms per file: it still parses every cell and the whole
  stylesheet in Python, and has no merged ranges, which staff do use over the
  说明 column); python-calamine (≈0.8 ms) gives no number formats and reads
  error cells (#REF!) as empty and out-of-range dates as numbers, so the
  messages would change.
* ``data_only=True``: formulas give the value Excel cached when the file was
  last saved; a cached error (#REF!, #DIV/0! …) is a problem naming the cell.
* Merged cells: the value of a merged range's top-left cell applies to every
  row of the range, in the range's first column (a 说明 merged over rows 5–8
  counts for each of those rows). Other columns a range covers read as empty.
* A completion date written only as a month ("2024年12月", "2024-12") means
  "sometime that month": it is taken as the month's last day when that day is
  not after the round's cut-off date (as_of), else as the cut-off date itself
  (a month that starts after the cut-off is in the future: an error). A warning
  records the day taken.
* Percentages: 80, "80", "80%", 0.8 and a cell formatted as percent all mean
  80; a plain number ≤ 1 is a fraction (so 1 means 100%). Outside 0–100 the
  value is dropped with a warning; the row is still used.
* Rows are matched by 编号, never by position. A row whose input columns
  (状态、日期、比例、说明、佐证) are all empty is not a report ("unreported"
  later), and no problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field, fields
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from ..directory import Directory
from ..errors import Problem
from ..model import STATES, Registry, Report
from ..render.progress_xlsx import ALL_UNITS, COLUMNS, HELP_SHEET, LEGACY_ALL, META_FORMAT, META_SHEET, SHEET
from . import xlsx_values
from . import safezip
from .dates import parse_cn_date

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Invisible control characters, and the two non-characters XML cannot hold either
# (_xFFFE_ / _xFFFF_ in a cell): removed from texts with a warning naming the cell.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_QUOTE_MAX = 40  # a quoted cell value longer than this is shortened in messages
_LONG_QUOTE = re.compile("“([^”]{%d,})”" % (_QUOTE_MAX + 1))
# Excel stores characters XML cannot hold as _xHHHH_ (a carriage return is
# _x000D_, a literal "_x" is escaped as _x005F_); openpyxl leaves them as they are.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ID = re.compile(r"^(\d+)\s*[-－—–_~～.]\s*(\d+)$")
_YYYYMMDD = re.compile(r"^(19|20)\d{6}$")
_TIME_TAIL = re.compile(r"^(\S+)\s+\d{1,2}:\d{2}(:\d{2})?$")
_HEADER_SCAN_ROWS = 30
_EMPTY_RUN_LIMIT = 500  # stop after this many empty rows (a sheet formatted to row 1048576)
FAST_READER = True  # read values with xlsx_values (openpyxl's semantics, ~8× faster); False: openpyxl only

REQUIRED = ("id", "state", "completed_on")
CONTENT_KEYS = ("state", "completed_on", "percent", "text", "evidence", "extension_to")  # what makes a row a report


@dataclass
class CollectResult:
    reports: list[Report] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, sha256) of every file read
    sizes: dict[str, int] = field(default_factory=dict)  # name -> bytes
    registry_version: str = ""  # of the registry the files were checked against

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def units(self) -> list[str]:
        seen: list[str] = []
        for r in self.reports:
            if r.unit not in seen:
                seen.append(r.unit)
        return seen


# --- labels ------------------------------------------------------------------

def _fold(text) -> str:
    """Header text as compared: width folded, spaces, stars and a trailing (…) removed."""
    s = unicodedata.normalize("NFKC", str(text or ""))
    s = re.sub(r"\s+", "", s).replace("*", "")
    s = re.sub(r"\([^()]*\)$", "", s)
    return s


_LABELS: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.label, *_c.aliases):
        _LABELS.setdefault(_fold(_name), _c.key)
_LABEL_OF = {c.key: c.label for c in COLUMNS}


def _header_keys(values: list) -> dict[str, int]:
    """Known column keys in a row -> 1-based column (first occurrence wins)."""
    out: dict[str, int] = {}
    for c, value in enumerate(values, 1):
        if isinstance(value, str):
            key = _LABELS.get(_fold(value))
            if key and key not in out:
                out[key] = c
    return out


# --- file type -----------------------------------------------------------------

_XLS = "这是旧版 Excel 文件（.xls），请在 Excel/WPS 中“另存为 .xlsx”后再报送"


def sniff(data: bytes, suffix: str) -> str | None:
    """None if ``data`` is an OOXML workbook, else why it cannot be read (Chinese)."""
    suffix = suffix.lower()
    if not data:
        return "文件是空的（0 字节），请让报送单位重新发送"
    if data.startswith(_OLE):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            return "文件设置了打开密码，无法读取。请在 Excel/WPS 中取消密码（文件 → 信息/文档加密 → 清除密码）后再报送"
        if "WordDocument".encode("utf-16-le") in data:
            return "这是旧版 Word 文件（.doc），不是进度填报表，请使用下发的 Excel 填报表填写"
        if suffix == ".et":
            return "这是 WPS 表格文件（.et），请在 WPS 中“另存为 .xlsx”后再报送"
        if suffix == ".xls":
            return _XLS
        return f"这是旧版 Excel 文件（.xls 格式，只是扩展名写成了 {suffix or '无'}），请在 Excel/WPS 中“另存为 .xlsx”后再报送"
    if data.startswith(b"PK"):
        if why := safezip.inspect(data):  # before anything unpacks it (zip and XML bombs)
            return why
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return "文件不完整或已损坏（可能没有下载或复制完整），请让报送单位重新发送"
        if "xl/workbook.xml" in names:
            return None
        if "xl/workbook.bin" in names:
            return "这是二进制 Excel 工作簿（.xlsb），请在 Excel 中“另存为 .xlsx”后再报送"
        if "word/document.xml" in names:
            return "这是 Word 文件（.docx），不是进度填报表，请使用下发的 Excel 填报表填写"
        if "content.xml" in names:
            return "这是 OpenDocument 表格（.ods），请在 WPS/Excel 中“另存为 .xlsx”后再报送"
        return "这不是 Excel 工作簿（.xlsx），无法读取"
    if suffix == ".csv":
        return "这是 CSV 文本文件，不是进度填报表，请使用下发的 .xlsx 填报表填写后报送"
    if suffix == ".xls":
        return _XLS  # web pages and text saved as ".xls" by some systems
    if suffix == ".et":
        return "这是 WPS 表格文件（.et），请在 WPS 中“另存为 .xlsx”后再报送"
    if suffix in (".doc", ".docx", ".wps"):
        return "这是 Word/WPS 文字文件，不是进度填报表，请使用下发的 Excel 填报表填写"
    return "这不是 Excel 工作簿（.xlsx），无法读取"


# --- values --------------------------------------------------------------------

def _clip(message: str) -> str:
    """Quoted cell values shortened: a 5,000-character cell makes a line, not a page."""
    return _LONG_QUOTE.sub(lambda m: f"“{m[1][:_QUOTE_MAX]}…”（共{len(m[1])}字）", message)


def _is_error(cell, value) -> bool:
    return (cell is not None and cell.data_type == "e") or (isinstance(value, str) and value.strip() in ERROR_CODES)


def _unescape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # no lone surrogates


def _clean_text(value) -> tuple[str, bool]:
    """Cell value as text, control characters removed; True if any were."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = _OOXML_ESCAPE.sub(_unescape, str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", text)
    return cleaned.strip(), cleaned != text


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalize_id(value) -> tuple[str, bool]:
    """A 编号 as written -> "7-1"; True if it had been turned into a date by Excel."""
    if isinstance(value, (dt.datetime, dt.date)):
        return f"{value.month}-{value.day}", True
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if m := _ID.match(text):
        return f"{int(m.group(1))}-{int(m.group(2))}", False
    return text, False


def parse_percent(value, number_format: str = "General") -> tuple[float | None, str | None]:
    """(0–100 or None, error message or None)."""
    if _empty(value):
        return None, None
    if isinstance(value, bool):
        return None, f"完成比例“{value}”不是数字"
    if isinstance(value, (int, float)):
        number = float(value)
        if "%" in (number_format or ""):  # a percent-formatted cell holds the fraction
            number *= 100
            shown = f"{_num(round(number, 4))}%"
        else:
            shown = _num(value)
            if 0 <= number <= 1:
                number *= 100
    else:
        shown = str(value).strip()
        text = unicodedata.normalize("NFKC", shown).replace(" ", "")
        is_pct = text.endswith("%")
        try:
            number = float(text.rstrip("%"))
        except ValueError:
            return None, f"完成比例“{shown}”不是数字，请填 0 到 100 之间的数字"
        if not is_pct and 0 <= number <= 1:
            number *= 100
    if not math.isfinite(number):
        return None, f"完成比例“{shown}”不是数字，请填 0 到 100 之间的数字"
    number = round(number, 2)
    if number < 0 or number > 100:
        return None, f"完成比例“{shown}”不在 0 到 100 之间，未采用"
    return number, None


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass
class _Date:
    day: dt.date | None = None
    shown: str = ""
    error: str | None = None
    note: str | None = None


def parse_date_cell(value, epoch, as_of: dt.date) -> _Date:
    """A completion date from whatever the cell holds (see the module docstring)."""
    if isinstance(value, dt.datetime):
        return _Date(value.date(), value.date().isoformat())
    if isinstance(value, dt.date):
        return _Date(value, value.isoformat())
    if isinstance(value, dt.time):
        return _Date(None, str(value), "完成日期填成了时间，请填写日期，如 2026-11-29")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and _YYYYMMDD.match(str(int(value))):
            return _ymd(str(int(value)), _num(value))
        if 1 <= value < 2958466:  # Excel serial numbers up to 9999-12-31
            day = from_excel(value, epoch)
            day = day.date() if isinstance(day, dt.datetime) else day
            return _Date(day, day.isoformat())
        return _Date(None, _num(value), f"完成日期“{_num(value)}”不是日期，请写成 2026-11-29 或 2026年11月29日")
    shown = str(value).strip()
    text = unicodedata.normalize("NFKC", shown).strip()
    if m := _TIME_TAIL.match(text):
        text = m.group(1)
    if _YYYYMMDD.match(text):
        return _ymd(text, shown)
    first = parse_cn_date(text)
    if first is None:
        return _Date(None, shown, f"完成日期“{shown}”无法识别，请写成 2026-11-29 或 2026年11月29日 这样的日期")
    last = parse_cn_date(text, month_end=True)
    if last == first:
        return _Date(first, shown)
    # Month only: "sometime that month".
    if first > as_of:
        return _Date(first, shown)  # in the future: the caller reports it
    day = last if last <= as_of else as_of
    return _Date(day, shown, None, f"完成日期只写到月份（“{shown}”），按 {day.isoformat()} 计")


def _ymd(digits: str, shown: str) -> _Date:
    try:
        day = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return _Date(None, shown, f"完成日期“{shown}”无法识别，请写成 2026-11-29 或 2026年11月29日 这样的日期")
    return _Date(day, shown)


# --- reading ---------------------------------------------------------------------

@dataclass
class _Row:
    report: Report
    where: str  # the 编号 cell, for duplicates


class _Reader:
    def __init__(self, registry: Registry, directory: Directory, round_id: str, as_of: dt.date):
        self.registry = registry
        self.directory = directory
        self.round_id = round_id
        self.as_of = as_of
        self.problems: list[Problem] = []
        self.rows: list[_Row] = []
        self.seen_units: set[str] = set()
        self.milestones = {m.id: m for m in registry.milestones}
        self.responsible = {m.id: set(t.unit_names) for t in registry.tasks for m in t.milestones}
        self.subject: tuple[str, str, str] | None = None  # the item the row being read is about, once known

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, _clip(message), "error", self.subject))

    def warn(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, _clip(message), "warning"))

    # -- one file
    def read_file(self, data: bytes, label: str, suffix: str) -> None:
        why = sniff(data, suffix)
        if why:
            self.error(label, why)
            return
        if suffix.lower() not in WORKBOOK_SUFFIXES:
            self.warn(label, f"扩展名是 {suffix or '（无）'}，但内容是 Excel 工作簿，已按 .xlsx 读取")
        if FAST_READER:
            mark = (len(self.problems), len(self.rows), set(self.seen_units))
            try:
                wb = xlsx_values.load(data)
                try:
                    self.read_workbook(wb, label)
                finally:
                    wb.close()
                return
            except xlsx_values.Unsupported:  # something only openpyxl reads as we expect: start this file again
                del self.problems[mark[0]:], self.rows[mark[1]:]
                self.seen_units = mark[2]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl: "Data Validation extension is not supported" …
                wb = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
        except Exception:  # noqa: BLE001 - any parse failure of an untrusted file is "damaged"
            self.error(label, "文件已损坏或不是有效的 Excel 工作簿，无法打开；请让报送单位在 Excel/WPS 中重新保存后发送")
            return
        try:
            self.read_workbook(wb, label)
        finally:
            wb.close()

    def read_workbook(self, wb, label: str) -> None:
        meta = self.read_meta(wb)
        file_unit: str | None = None
        if meta is None:
            self.warn(label, "未找到填报表标识信息（可能不是用本工具下发的填报表，或内容被复制到了新文件），已按表头读取")
        else:
            if meta.get("round") and meta["round"] != self.round_id:
                self.error(label, f"这是 {meta['round']} 轮的填报表，不是本轮（{self.round_id}）的；"
                                  f"请让报送单位用本轮下发的填报表填写")
                unit = self._resolve_quiet(meta.get("unit", ""))
                if unit:
                    self.seen_units.add(unit)
                return
            if meta.get("registry_version") and meta["registry_version"] != self.registry.version:
                self.warn(label, f"填报表是按另一版任务登记表（{meta['registry_version']}）生成的，"
                                 f"当前为 {self.registry.version}；已按编号逐行核对")
            name = meta.get("unit", "")
            if name and name != ALL_UNITS and name not in LEGACY_ALL:
                file_unit = self._resolve_quiet(name)
                if file_unit is None:
                    self.warn(label, f"填报表标识中的单位“{name}”不在单位名录中，已按各行的责任单位读取")
        ws, header = self.find_sheet(wb, label)
        if ws is None:
            return
        self.read_sheet(wb, ws, header, label, file_unit)

    def _resolve_quiet(self, name: str) -> str | None:
        try:
            return self.directory.unit(name).name
        except KeyError:
            return None

    @staticmethod
    def read_meta(wb) -> dict[str, str] | None:
        """The workbook's identity: the _meta sheet, else the custom document
        properties (notices_round …) a program may have kept when dropping the sheet."""
        meta: dict[str, str] = {}
        if META_SHEET in wb.sheetnames:
            for row in wb[META_SHEET].iter_rows(min_row=1, max_col=2, values_only=True):
                if row[0] is not None:
                    meta[str(row[0]).strip()] = "" if row[1] is None else str(row[1]).strip()
        if meta.get("format") != META_FORMAT:
            try:
                props = {p.name: p.value for p in wb.custom_doc_props}
            except Exception:  # noqa: BLE001 - properties are optional
                props = {}
            meta = {k[len("notices_"):]: str(v).strip() for k, v in props.items()
                    if isinstance(k, str) and k.startswith("notices_") and v is not None}
        return meta if meta.get("format") == META_FORMAT else None

    def find_sheet(self, wb, label: str):
        """(worksheet, {key: column}) or (None, None) with a problem reported."""
        candidates = [ws for ws in wb.worksheets if ws.sheet_state == "visible"
                      and ws.title not in (META_SHEET, HELP_SHEET)]
        named = [ws for ws in wb.worksheets if _fold(ws.title) == SHEET]
        order = named + [ws for ws in candidates if ws not in named]
        best_missing = None
        for ws in order:
            header = self.find_header(ws)
            if header is None:
                continue
            row, keys = header
            missing = [k for k in REQUIRED if k not in keys]
            if missing:
                if best_missing is None:
                    best_missing = (ws, row, missing)
                continue
            if ws not in named:
                self.warn(label, f"未找到名为“{SHEET}”的工作表，已读取工作表“{ws.title}”")
            return ws, (row, keys)
        if best_missing:
            ws, row, missing = best_missing
            names = "、".join(f"“{_LABEL_OF[k]}”" for k in missing)
            self.error(f"{label} {ws.title}!{row}:{row}", f"表头（第{row}行）中缺少{names}列，请使用下发的填报表，不要删除或改动列名")
            return None, None
        if named:
            self.error(f"{label} {named[0].title}", "未找到表头行（应有“编号”“进展状态”“完成日期”等列名），"
                                                    "请不要删除表头行，或改用下发的填报表重新填写")
        else:
            self.error(label, f"未找到“{SHEET}”工作表，其他工作表中也没有填报表的表头；请使用下发的填报表，不要重命名工作表")
        return None, None

    @staticmethod
    def find_header(ws) -> tuple[int, dict[str, int]] | None:
        """The header row among the top 30: the first with every required label, else
        the one with the most known labels (at least three), for a precise message."""
        best = None
        for r, values in enumerate(ws.iter_rows(min_row=1, max_row=_HEADER_SCAN_ROWS, values_only=True), 1):
            keys = _header_keys(list(values))
            if len(keys) >= 3 and (best is None or len(keys) > len(best[1])):
                best = (r, keys)
                if all(k in keys for k in REQUIRED):
                    return best
        return best

    def read_sheet(self, wb, ws, header, label: str, file_unit: str | None) -> None:
        header_row, keys = header
        for key in ("unit", "percent", "text", "evidence", "reporter", "phone"):
            if key not in keys and not (key == "unit" and file_unit):
                what = "每行的单位无法确定" if key == "unit" else "该列内容未读取"
                sev = self.error if key == "unit" else self.warn
                sev(f"{label} {ws.title}!{header_row}:{header_row}", f"表头中没有“{_LABEL_OF[key]}”列，{what}")
                if key == "unit":
                    return
        sheet = f"{label} {ws.title}"
        merged: dict[tuple[int, int], tuple] = {}
        for rng in ws.merged_cells.ranges:
            if rng.max_row <= header_row:
                continue
            top = ws.cell(rng.min_row, rng.min_col)
            for r in range(max(rng.min_row, header_row + 1), rng.max_row + 1):
                merged[(r, rng.min_col)] = (top.value, top)
                for c in range(rng.min_col + 1, rng.max_col + 1):
                    merged[(r, c)] = (None, None)

        def get(r: int, key: str):
            c = keys.get(key)
            if c is None:
                return None, None
            if (r, c) in merged:
                return merged[(r, c)]
            cell = ws.cell(r, c)
            return cell.value, cell

        def where(r: int, key: str) -> str:
            return f"{sheet}!{get_column_letter(keys[key])}{r}"

        empty_run = 0
        any_content = False
        for r in range(header_row + 1, ws.max_row + 1):
            values = {k: get(r, k) for k in keys}
            if all(_empty(v) for v, _ in values.values()):
                empty_run += 1
                if empty_run > _EMPTY_RUN_LIMIT:
                    break
                continue
            empty_run = 0
            has_content = any(not _empty(values[k][0]) for k in CONTENT_KEYS if k in values)
            if has_content:
                any_content = True
            self.read_row(r, values, keys, where, file_unit, has_content, wb.epoch)
        if not any_content:
            self.warn(label, "表中没有填写任何进展内容")

    def read_row(self, r: int, values: dict, keys: dict, where, file_unit: str | None, has_content: bool,
                 epoch) -> None:
        self.subject = None
        try:
            self._read_row(r, values, keys, where, file_unit, has_content, epoch)
        finally:
            self.subject = None

    def _period(self, r: int, values: dict, where, mid: str) -> str | None:
        """The period key a row names ("" when it names none); None after an error."""
        if "period" not in values:
            return ""
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _clean_text(values["period"][0])[0]))
        ms = self.milestones[mid]
        if not text or not ms.recurring:
            return ""
        for due in ms.dues:
            if text in (re.sub(r"\s+", "", unicodedata.normalize("NFKC", due.period)), due.key):
                return due.key
        self.error(where(r, "period"), f"期次“{text}”不是编号“{mid}”这项具体要求的期次（请勿修改期次列）")
        return None

    def _read_row(self, r: int, values: dict, keys: dict, where, file_unit: str | None, has_content: bool,
                  epoch) -> None:
        errors_before = sum(p.severity == "error" for p in self.problems)

        # Error values first: a #REF! anywhere we read makes that cell unusable.
        bad = set()
        for key, (value, cell) in values.items():
            if _is_error(cell, value):
                bad.add(key)
                if key == "completed_on" and value == "#VALUE!":
                    # also what openpyxl makes of a number too large for a date-formatted cell
                    self.error(where(r, key), "完成日期不是有效日期（公式出错，或数字超出了日期范围），"
                                              "请直接填写日期，如 2026-11-29")
                else:
                    self.error(where(r, key), f"单元格是公式错误值“{value}”，请改正公式或直接填写内容")

        raw_id = values["id"][0]
        if _empty(raw_id) or "id" in bad:
            if has_content and "id" not in bad:
                self.error(where(r, "id"), "这一行没有编号，无法对应到具体要求（请勿修改或删除编号列）")
            return
        mid, was_date = normalize_id(raw_id)
        if mid not in self.milestones:
            if has_content:
                self.error(where(r, "id"), f"编号“{_clean_text(raw_id)[0]}”不在任务登记表中（请勿修改编号列）")
            return
        if was_date:
            self.warn(where(r, "id"), f"编号被 Excel 识别成了日期，已按“{mid}”读取")

        # Unit
        unit = file_unit
        if "unit" in keys and "unit" not in bad:
            text, _ = _clean_text(values["unit"][0])
            if text:
                try:
                    unit = self.directory.unit(text).name
                except KeyError as exc:
                    if has_content:
                        self.error(where(r, "unit"), exc.args[0])
                    return
            elif not file_unit:
                if has_content:
                    self.error(where(r, "unit"), "未填写责任单位")
                return
        if unit is None:
            return
        if has_content:
            self.seen_units.add(unit)
        if not has_content:
            return  # unreported: not a problem here
        if file_unit and unit != file_unit:
            self.error(where(r, "unit"), f"本表是“{file_unit}”的填报表，这一行却是“{unit}”的，未采用；"
                                         f"请由该单位自行填报")
            return
        if unit not in self.responsible[mid]:
            self.error(where(r, "unit"), f"“{unit}”不是编号“{mid}”这项具体要求的责任单位")
            return
        period = self._period(r, values, where, mid)
        if period is None:
            return
        self.subject = (unit, mid, period)  # from here on a refused row is told apart from silence

        # Texts
        texts = {}
        for key in ("text", "evidence", "reporter", "phone"):
            if key not in keys or key in bad:
                texts[key] = ""
                continue
            text, had_control = _clean_text(values[key][0])
            if had_control:
                self.warn(where(r, key), "含有不可见的控制字符，已删除")
            texts[key] = text

        # State
        state = ""
        if "state" not in bad:
            raw = values["state"][0]
            state = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _clean_text(raw)[0]))
            if not state:
                self.error(where(r, "state"), "未填写进展状态（请从下拉列表中选择：" + "、".join(STATES) + "）")
            elif state not in STATES:
                self.error(where(r, "state"), f"进展状态“{_clean_text(raw)[0]}”不在可选范围内，"
                                              f"应为：{'、'.join(STATES)}")

        # Completion date
        completed_on = None
        raw_date, date_cell = values["completed_on"]
        if "completed_on" not in bad and not _empty(raw_date):
            parsed = parse_date_cell(raw_date, epoch, self.as_of)
            if state and state != "已完成" and state in STATES:
                self.warn(where(r, "completed_on"), f"进展状态为“{state}”，填写的完成日期未采用")
            elif parsed.error:
                self.error(where(r, "completed_on"), parsed.error)
            elif parsed.day > self.as_of:
                self.error(where(r, "completed_on"),
                           f"完成日期“{parsed.shown}”晚于本轮截止日期{self.as_of.isoformat()}")
            elif parsed.day < self.registry.plan.start:
                self.error(where(r, "completed_on"),
                           f"完成日期“{parsed.shown}”早于方案起始日期{self.registry.plan.start.isoformat()}")
            else:
                completed_on = parsed.day
                if parsed.note:
                    self.warn(where(r, "completed_on"), parsed.note)
        elif state == "已完成" and "completed_on" not in bad:
            self.error(where(r, "completed_on"), "进展状态为“已完成”，但未填写完成日期")

        # Percent
        percent = None
        if "percent" in keys and "percent" not in bad:
            value, cell = values["percent"]
            percent, problem = parse_percent(value, cell.number_format if cell is not None else "General")
            if problem:
                self.warn(where(r, "percent"), problem)

        # A request for an extension (the office decides; a bad date only loses the request)
        extension_to, extension_reason = None, ""
        if "extension_reason" in keys and "extension_reason" not in bad:
            extension_reason = _clean_text(values["extension_reason"][0])[0]
        raw_ext = values["extension_to"][0] if "extension_to" in keys and "extension_to" not in bad else None
        if not _empty(raw_ext):
            parsed = parse_date_cell(raw_ext, epoch, dt.date.max)
            if parsed.error:
                self.warn(where(r, "extension_to"), f"申请延期至：{parsed.error}；未作为延期申请")
            elif parsed.day <= self.as_of:
                self.warn(where(r, "extension_to"), f"申请延期至“{parsed.shown}”不晚于本轮截止日期"
                                                    f"{self.as_of.isoformat()}，未作为延期申请")
            elif state == "已完成":
                self.warn(where(r, "extension_to"), "进展状态为“已完成”，延期申请未采用")
            else:
                extension_to = parsed.day
                if not extension_reason:
                    self.warn(where(r, "extension_reason"), "申请延期但未写明理由")

        if sum(p.severity == "error" for p in self.problems) > errors_before:
            return  # the row is unusable
        report = Report(
            unit=unit, milestone_id=mid, state=state, completed_on=completed_on, percent=percent,
            text=texts["text"], evidence=texts["evidence"], reporter=texts["reporter"], phone=texts["phone"],
            round_id=self.round_id, reported_on=self.as_of, source=where(r, "id"), period=period,
            extension_to=extension_to, extension_reason=extension_reason if extension_to else "",
        )
        self.rows.append(_Row(report, where(r, "id")))

    # -- all files
    def finish(self) -> list[Report]:
        """Duplicates and expected units; the reports to keep, in reading order."""
        first: dict[tuple[str, str], _Row] = {}
        conflicted: set[tuple[str, str]] = set()
        keep: list[_Row] = []
        for row in self.rows:
            key = (row.report.unit, row.report.milestone_id, row.report.period)
            what = f"编号“{key[1]}”" + (f"（{self._period_label(*key[1:])}）" if key[2] else "")
            if key not in first:
                first[key] = row
                keep.append(row)
                continue
            if _same(first[key].report, row.report):
                self.warn(row.where, f"{what}（{key[0]}）重复填报，与 {first[key].where} 内容相同，只计一次")
            else:
                self.subject = key
                self.error(row.where, f"{what}（{key[0]}）重复填报，与 {first[key].where} 的内容不一致，"
                                      f"两行都未采用；请删去其中一行")
                self.subject = None
                conflicted.add(key)
        expected = [u.name for u in self.registry.units
                    if any(u.name in names for names in self.responsible.values())]
        for name in expected:
            if name not in self.seen_units:
                self.warn(name, "本轮没有收到该单位的填报（没有文件，或文件中没有填写内容），将按未报送处理")
        return [row.report for row in keep
                if (row.report.unit, row.report.milestone_id, row.report.period) not in conflicted]

    def _period_label(self, mid: str, key: str) -> str:
        return next((d.period for d in self.milestones[mid].dues if d.key == key), key)


def _same(a: Report, b: Report) -> bool:
    return all(getattr(a, f.name) == getattr(b, f.name) for f in fields(Report) if f.name != "source")


def file_labels(paths: list[Path]) -> list[str]:
    """File names for messages: the bare name, or parent/name where two names clash."""
    names = [Path(p).name for p in paths]
    return [n if names.count(n) == 1 else f"{Path(p).parent.name}/{n}" for p, n in zip(paths, names)]


PARALLEL_MIN_FILES = 100  # files: from this many on (a city's or province's round) they are read in worker processes


def _read_bytes(path: Path) -> bytes | str:
    """The file's bytes, or why it cannot be read (Chinese)."""
    try:
        return path.read_bytes()
    except PermissionError:
        return "文件无法读取（可能正在 Excel/WPS 中打开），请关闭后重试"
    except OSError as exc:
        return f"文件无法读取：{exc.strerror or exc}"


def read_workbooks(paths: list[Path], registry: Registry, directory: Directory, round_id: str,
                   as_of: dt.date, workers: int | None = None) -> CollectResult:
    """Read every file; reports that are usable and every problem found.

    From PARALLEL_MIN_FILES files on, with more than one worker (default: one per
    core), the files are read in worker processes and their findings merged here
    in file order: the result is the one a single process gives."""
    from ..render.pool import cpu_workers

    paths = [Path(p) for p in paths]
    labels = file_labels(paths)
    workers = cpu_workers() if workers is None else workers
    if len(paths) >= PARALLEL_MIN_FILES and workers > 1:
        return _read_in_workers(paths, labels, registry, directory, round_id, as_of, workers)
    reader = _Reader(registry, directory, round_id, as_of)
    result = CollectResult(registry_version=registry.version)
    seen_hashes: dict[str, str] = {}
    for path, label in zip(paths, labels):
        data = _read_bytes(path)
        if isinstance(data, str):
            reader.error(label, data)
            continue
        sha = hashlib.sha256(data).hexdigest()
        if sha in seen_hashes:
            reader.warn(label, f"与 {seen_hashes[sha]} 内容完全相同，已忽略")
            continue
        seen_hashes[sha] = label
        result.files.append((label, sha))
        result.sizes[label] = len(data)
        reader.read_file(data, label, path.suffix)
    result.reports = reader.finish()
    result.problems = reader.problems
    return result


_worker_reader: _Reader | None = None


def _init_worker(args: tuple) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    global _worker_reader
    _worker_reader = _Reader(*args)  # its lookups are built once per worker, not per file


def _read_one(path: Path, label: str):
    """One file in a worker: ("io", message) or ("ok", sha, size, problems, rows, units)."""
    data = _read_bytes(path)
    if isinstance(data, str):
        return "io", data
    reader = _worker_reader
    reader.problems, reader.rows, reader.seen_units = [], [], set()  # this file's findings only
    reader.read_file(data, label, path.suffix)
    return "ok", hashlib.sha256(data).hexdigest(), len(data), reader.problems, reader.rows, reader.seen_units


def _read_in_workers(paths, labels, registry, directory, round_id, as_of, workers) -> CollectResult:
    from concurrent.futures import ProcessPoolExecutor

    from ..render.pool import mp_context

    reader = _Reader(registry, directory, round_id, as_of)
    result = CollectResult(registry_version=registry.version)
    seen_hashes: dict[str, str] = {}
    pool = ProcessPoolExecutor(workers, mp_context=mp_context(), initializer=_init_worker,
                               initargs=((registry, directory, round_id, as_of),))
    try:
        chunk = max(1, min(16, len(paths) // (workers * 8)))
        for label, outcome in zip(labels, pool.map(_read_one, paths, labels, chunksize=chunk)):
            if outcome[0] == "io":
                reader.error(label, outcome[1])
                continue
            _, sha, size, problems, rows, units = outcome
            if sha in seen_hashes:  # read needlessly, but found a duplicate as one process would
                reader.warn(label, f"与 {seen_hashes[sha]} 内容完全相同，已忽略")
                continue
            seen_hashes[sha] = label
            result.files.append((label, sha))
            result.sizes[label] = size
            reader.problems += problems
            reader.rows += rows
            reader.seen_units |= units
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # Ctrl+C: what has not started is dropped
    result.reports = reader.finish()
    result.problems = reader.problems
    return result

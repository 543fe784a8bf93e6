"""Cell values of an .xlsx as openpyxl reads them (data_only), several times faster.

Collecting a round reads hundreds of returned workbooks. openpyxl's
load_workbook builds a full object model (styles, Cell objects, every sheet)
and takes ~13 ms for a unit's 59-row file; what collection needs is the cell
values of one or two sheets, their error flags, merged ranges and the number
format of a cell now and then. This reader parses just that (xml.etree) and
gives it the interface the progress reader uses (wb.sheetnames, wb[...],
wb.worksheets, ws.iter_rows(values_only=True), ws.cell(r, c).value /
.data_type / .number_format, ws.merged_cells.ranges, ws.max_row, wb.epoch,
wb.custom_doc_props) with openpyxl's semantics, using openpyxl's own helpers
for number formats and dates:

* values as WorkSheetParser.parse_cell gives them with data_only=True: numbers
  int or float as written, date-formatted numbers as datetimes (a serial out of
  range is the error "#VALUE!"), shared strings with rich-text runs joined and
  "x005F_" removed, booleans, formula results as cached, error cells with
  data_type "e";
* the cells of a merged range other than its top-left one read as empty;
* number formats resolved as openpyxl resolves them (built-in ids it does not
  know read as "General").

Anything it does not handle the same way (a chart sheet, strict OOXML, a
missing or unusual part, a non-text custom property) raises Unsupported, and
the caller reads that file with openpyxl instead. A sheet of more than 8 MB of
XML is parsed as a stream, each row dropped once read (a 50,000-row sheet: ~300
MB instead of ~1 GB), at about twice the parsing time. Measured here on a
unit's 59-row returned workbook: openpyxl load_workbook 13 ms, read_only 11 ms,
this reader ~3 ms (benchmarks/run.py, section c).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from operator import itemgetter
from xml.etree import ElementTree

from openpyxl.styles.numbers import (BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE, BUILTIN_FORMATS_REVERSE,
                                     is_date_format, is_timedelta_format)
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_M = "{%s}" % MAIN
_COORD = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_STREAM_FROM = 8 << 20  # bytes of sheet XML: larger sheets are parsed as a stream


class Unsupported(Exception):
    """This file needs openpyxl: read it with load_workbook instead."""


def _xml(zf: zipfile.ZipFile, name: str):
    try:
        data = zf.read(name)
    except KeyError:
        raise Unsupported(f"missing part {name}") from None
    # The standard library's parser, as openpyxl uses it (expat refuses entity
    # expansion attacks; comments are dropped). Its elements are plain objects,
    # so walking ~700 cells costs a fraction of lxml's per-element proxies.
    return ElementTree.fromstring(data)


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, part name) of ``part``."""
    name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    out = {}
    for rel in _xml(zf, name).iter(f"{{{PKG_REL}}}Relationship"):
        if rel.get("TargetMode") == "External":
            continue
        out[rel.get("Id")] = (rel.get("Type", "").rsplit("/", 1)[-1], _target(part, rel.get("Target", "")))
    return out


_COLUMNS: dict[str, int] = {}


def _col_index(letters: str) -> int:
    n = _COLUMNS.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ord(ch) - 64
        _COLUMNS[letters] = n
    return n


_T = _M + "t"


def _text(node) -> str:
    """openpyxl's Text.from_tree(node).content: the plain t, then each run's t (phonetics left out)."""
    if len(node) == 1 and node[0].tag == _T:  # the usual plain string
        return node[0].text or ""
    parts = []
    t = node.find(_M + "t")
    if t is not None and t.text is not None:
        parts.append(t.text)
    for r in node.iterfind(_M + "r"):
        rt = r.find(_M + "t")
        if rt is not None and rt.text is not None:
            parts.append(rt.text)
    return "".join(parts)


class _Strings:
    """The shared strings table, each entry made text when first used (most
    belong to the 填报说明 sheet, which is never read)."""

    def __init__(self, items: list):
        self._items = items
        self._text: dict[int, str] = {}

    def __getitem__(self, index: int) -> str:
        text = self._text.get(index)
        if text is None:
            if index < 0:
                raise IndexError(index)
            # openpyxl's read_string_table
            text = self._text[index] = _text(self._items[index]).replace("x005F_", "")
        return text


@dataclass
class _Range:
    min_row: int
    min_col: int
    max_row: int
    max_col: int


class _Merged:
    def __init__(self, ranges: list[_Range]):
        self.ranges = ranges


class Cell(tuple):
    """(value, data_type, style, workbook), made once per cell when its sheet is read."""

    __slots__ = ()
    value = property(itemgetter(0))
    data_type = property(itemgetter(1))

    @property
    def number_format(self) -> str:
        return self[3].number_format(self[2])


class Worksheet:
    def __init__(self, book: "Workbook", title: str, state: str, part: str):
        self._book, self.title, self.sheet_state, self._part = book, title, state, part
        self._cells: dict[tuple[int, int], Cell] | None = None
        self._merged: list[_Range] = []

    def _load(self) -> dict[tuple[int, int], Cell]:
        if self._cells is None:
            try:
                self._cells = self._parse()
            except Unsupported:
                raise
            except Exception as exc:  # noqa: BLE001 - anything odd: let openpyxl decide
                raise Unsupported(repr(exc)) from None
        return self._cells

    def _rows(self, merges: list):
        """The sheet's row elements in order; its mergeCell elements go to ``merges``.
        A large sheet (a whole city's rows in one workbook) is streamed, each row
        dropped once read, so its XML tree is never whole in memory."""
        zf = self._book._zf
        try:
            size = zf.getinfo(self._part).file_size
        except KeyError:
            raise Unsupported(f"missing part {self._part}") from None
        if size <= _STREAM_FROM:
            root = _xml(zf, self._part)
            if root.tag != _M + "worksheet":
                raise Unsupported("not a transitional worksheet")
            merges += root.findall(f"{_M}mergeCells/{_M}mergeCell")
            data = root.find(_M + "sheetData")
            yield from (data.iterfind(_M + "row") if data is not None else ())
            return
        ROW, MERGE, SHEET_DATA = _M + "row", _M + "mergeCell", _M + "sheetData"
        parser = ElementTree.XMLPullParser(events=("end",))
        last = None
        with zf.open(self._part) as f:
            while True:
                chunk = f.read(1 << 20)
                if chunk:
                    parser.feed(chunk)
                else:
                    parser.close()
                for _, el in parser.read_events():
                    last = el
                    if el.tag == ROW:
                        yield el
                        el.clear()
                    elif el.tag == MERGE:
                        merges.append(el)
                    elif el.tag == SHEET_DATA:
                        el.clear()
                if not chunk:
                    break
        if last is None or last.tag != _M + "worksheet":
            raise Unsupported("not a transitional worksheet")

    def _parse(self) -> dict[tuple[int, int], Cell]:
        book = self._book
        cells: dict[tuple[int, int], Cell] = {}
        merges: list = []
        row_no = 0
        strings, dates, deltas, epoch = book._strings, book._date_styles, book._delta_styles, book.epoch
        n_styles, coord, V, C, IS = len(book._style_fmt), _COORD.match, _M + "v", _M + "c", _M + "is"
        for row in self._rows(merges):
            r_attr = row.get("r")
            row_no = int(r_attr) if r_attr is not None else row_no + 1
            col_no = 0
            for c in row:
                if c.tag != C:
                    continue
                get = c.get
                ref = get("r")
                if ref:
                    m = coord(ref)
                    if m is None:
                        raise Unsupported(f"cell reference {ref}")
                    r, col_no = int(m.group(2)), _col_index(m.group(1))
                else:
                    r, col_no = row_no, col_no + 1
                t = get("t", "n")
                s = get("s")
                style = int(s) if s else 0
                if style >= n_styles:
                    raise Unsupported(f"cell style {style}")  # openpyxl fails on it: let it say so
                if t == "inlineStr":
                    value = None
                    child = c.find(IS)
                    if child is not None:
                        t, value = "s", _text(child)
                else:
                    value = c.findtext(V) or None
                    if value is not None:
                        if t == "n":
                            value = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
                            if style in dates:
                                t = "d"
                                try:
                                    value = from_excel(value, epoch, timedelta=style in deltas)
                                except (OverflowError, ValueError):
                                    t, value = "e", "#VALUE!"
                        elif t == "s":
                            value = strings[int(value)]
                        elif t == "b":
                            value = bool(int(value))
                        elif t == "str":
                            t = "s"
                        elif t == "d":
                            value = from_ISO8601(value)
                cells[(r, col_no)] = Cell((value, t, style, book))
        for mc in merges:
            ref = mc.get("ref", "")
            first, _, last = ref.partition(":")
            a, b = _COORD.match(first), _COORD.match(last or first)
            if a is None or b is None:
                raise Unsupported(f"merged range {ref}")
            rng = _Range(int(a.group(2)), _col_index(a.group(1)), int(b.group(2)), _col_index(b.group(1)))
            if rng.min_row > rng.max_row or rng.min_col > rng.max_col:
                raise Unsupported(f"merged range {ref}")
            self._merged.append(rng)
            for rr in range(rng.min_row, rng.max_row + 1):
                for cc in range(rng.min_col, rng.max_col + 1):
                    if (rr, cc) != (rng.min_row, rng.min_col):
                        cells[(rr, cc)] = book.empty  # as openpyxl's MergedCell
        return cells

    @property
    def merged_cells(self) -> _Merged:
        self._load()
        return _Merged(self._merged)

    @property
    def max_row(self) -> int:
        return max((r for r, _ in self._load()), default=1)

    @property
    def max_column(self) -> int:
        return max((c for _, c in self._load()), default=1)

    def cell(self, row: int, column: int) -> Cell:
        return self._load().get((row, column), self._book.empty)

    def iter_rows(self, min_row: int | None = None, max_row: int | None = None, min_col: int | None = None,
                  max_col: int | None = None, values_only: bool = False):
        cells, empty = self._load(), self._book.empty
        min_row, min_col = min_row or 1, min_col or 1
        max_row, max_col = max_row or self.max_row, max_col or self.max_column
        for r in range(min_row, max_row + 1):
            row = [cells.get((r, c), empty) for c in range(min_col, max_col + 1)]
            if values_only:
                yield tuple(c[0] for c in row)
            else:
                yield tuple(row)


@dataclass
class _Property:
    name: str
    value: str


class Workbook:
    def __init__(self, data: bytes):
        try:
            self._zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            raise Unsupported("not a zip") from None
        try:
            self._open()
        except Unsupported:
            raise
        except Exception as exc:  # noqa: BLE001 - anything odd: let openpyxl decide
            raise Unsupported(repr(exc)) from None

    def _open(self) -> None:
        zf = self._zf
        self.empty = Cell((None, "n", 0, self))  # a cell not in the file, or inside a merged range
        office = [p for t, p in _rels(zf, "").values() if t == "officeDocument"]
        if len(office) != 1:
            raise Unsupported("no single workbook part")
        wb_part = office[0]
        root = _xml(zf, wb_part)
        if root.tag != _M + "workbook":
            raise Unsupported("not a transitional workbook")
        pr = root.find(_M + "workbookPr")
        date1904 = pr.get("date1904", "false").lower() if pr is not None else "false"
        self.epoch = CALENDAR_MAC_1904 if date1904 in ("1", "true") else CALENDAR_WINDOWS_1900
        rels = _rels(zf, wb_part)
        self.sheetnames: list[str] = []
        self.worksheets: list[Worksheet] = []
        for sheet in root.iterfind(f"{_M}sheets/{_M}sheet"):
            kind, part = rels.get(sheet.get(f"{{{REL}}}id"), ("", ""))
            if kind != "worksheet":
                raise Unsupported(f"sheet of type {kind or 'unknown'}")
            ws = Worksheet(self, sheet.get("name", ""), sheet.get("state", "visible"), part)
            self.sheetnames.append(ws.title)
            self.worksheets.append(ws)
        by_type = {t: p for t, p in rels.values()}
        self._strings: _Strings | list = []
        if "sharedStrings" in by_type:
            self._strings = _Strings(list(_xml(zf, by_type["sharedStrings"]).iterfind(_M + "si")))
        if "styles" not in by_type:
            raise Unsupported("no stylesheet")  # openpyxl then applies its own defaults
        self._styles(_xml(zf, by_type["styles"]))
        self.custom_doc_props = self._custom()

    def _styles(self, root) -> None:
        """openpyxl's Stylesheet._normalise_numbers: each cell style's number format."""
        custom = {int(n.get("numFmtId")): n.get("formatCode")
                  for n in root.iterfind(f"{_M}numFmts/{_M}numFmt")}
        formats: list[str] = []  # openpyxl's wb._number_formats, ids from BUILTIN_FORMATS_MAX_SIZE
        self._style_fmt: list[int] = []
        self._date_styles: set[int] = set()
        self._delta_styles: set[int] = set()
        for idx, xf in enumerate(root.iterfind(f"{_M}cellXfs/{_M}xf")):
            fmt_id = int(xf.get("numFmtId", 0))
            if fmt_id in custom:
                fmt = custom[fmt_id]
                if fmt in BUILTIN_FORMATS_REVERSE:
                    fmt_id = BUILTIN_FORMATS_REVERSE[fmt]
                else:
                    if fmt not in formats:
                        formats.append(fmt)
                    fmt_id = formats.index(fmt) + BUILTIN_FORMATS_MAX_SIZE
            else:
                fmt = BUILTIN_FORMATS.get(fmt_id)
            self._style_fmt.append(fmt_id)
            if is_date_format(fmt):
                self._date_styles.add(idx)
            if is_timedelta_format(fmt):
                self._delta_styles.add(idx)
        self._formats = formats
        if not self._style_fmt:
            raise Unsupported("no cell styles")

    def number_format(self, style: int) -> str:
        fmt_id = self._style_fmt[style]
        if fmt_id < BUILTIN_FORMATS_MAX_SIZE:
            return BUILTIN_FORMATS.get(fmt_id, "General")
        return self._formats[fmt_id - BUILTIN_FORMATS_MAX_SIZE]

    def _custom(self) -> list[_Property]:
        if "docProps/custom.xml" not in self._zf.namelist():
            return []
        out = []
        for prop in _xml(self._zf, "docProps/custom.xml").iterfind(f"{{{CUSTOM}}}property"):
            value = prop[0] if len(prop) else None
            if value is None or value.tag != f"{{{VT}}}lpwstr":
                raise Unsupported("custom property not a text")
            out.append(_Property(prop.get("name"), value.text or ""))
        return out

    def __getitem__(self, name: str) -> Worksheet:
        for ws in self.worksheets:
            if ws.title == name:
                return ws
        raise KeyError(name)

    def close(self) -> None:
        self._zf.close()


def load(data: bytes) -> Workbook:
    """The workbook in ``data``, or Unsupported when openpyxl must read it."""
    return Workbook(data)



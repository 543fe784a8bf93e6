"""The corpus of bad input: every case a named set of files made here, never edited by hand.

    python tests/corpus/make_corpus.py OUT        # every case in OUT/<case>/ (with expect.json)
    python tests/corpus/make_corpus.py --list     # the cases and what each holds

Each case is what an office really gets: a returned progress workbook that is
empty, cut short, of another format, locked with a password, reorganised,
full of error values, hostile text or a zip/XML bomb; a registry or
notices.toml with a syntax error; a table to import in the same states; a
Word template with a broken or forbidden Jinja tag. The files are built from
the small test registry (tests/data/mini) and the shipped templates, so they
follow the formats as those change; binaries are not committed.

A case names the command it is fed to (``command``) and what the command must
say: ``expect`` holds lines or fragments of its output, each naming the file
(and sheet!cell or file:line where there is one). ``accepted`` cases are taken
with a warning naming the cell (tests/test_bad_input.py follows them through
to a generated document); the others must be refused with nothing written or
recorded. Commands (run by tests/test_bad_input.py against a fresh project):

    collect   notices progress collect <files> --round 2026-11 --as-of 2026-11-29   (mini registry)
    import    notices registry import <file> --to <project>/imported                 (mini registry)
    check     notices registry check                          (the case's registry/ and notices.toml)
    template  notices progress template --round 2026-11 --county  (mini registry, the case's notices.toml)
    duban     notices issue duban --as-of 2026-11-29 --date 2026-11-30 --templates <case>/templates
              (the project of tests/test_ladder.py: two units owe a 督办函)
    table     notices table                                   (mini registry, the case's templates/)
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
if str(TESTS.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(TESTS.parent))

MINI = TESTS / "data" / "mini"
ROUND = "2026-11"
L = "2026-11-应急管理局.xlsx"  # the unit workbook of 县应急管理局 (rows 1-1, 1-2, 2-1 at 3, 4, 5)
S = f"{L} 进度填报"
ROW = {"1-1": 3, "1-2": 4, "2-1": 5}
GIB = 1024 ** 3
PASSWORD = "1234"
# Text staff paste into a cell: XML's five specials, emoji, full- and half-width
# digits, all three kinds of 文号 brackets, and characters XML cannot hold as
# Excel stores them (_x0007_ a bell, _x0001_, _xFFFE_ a non-character).
HOSTILE = "甲&乙<丙>“丁”\"戊\"'己' 😀🚒 １２３/123 〔2026〕[1]【2】 a&amp;b <w:t>x</w:t>"
HOSTILE_CELL = HOSTILE + " 响铃_x0007_结束_x0001_"
HOSTILE_EVIDENCE = "照片3张_xFFFE_（见附件）"
LOL = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
       + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                  for i in range(1, 10))
       + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
         b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
XXE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
       b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>')
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Case:
    name: str
    command: str  # collect | import | check | template | duban | table
    what: str
    build: Callable[["Kit", Path], list[str]]  # writes the case's files into its folder; returns expect
    accepted: bool = False


# --- building blocks -------------------------------------------------------------------

class Kit:
    """Base files the cases are made from, built once per corpus run."""

    def __init__(self, work: Path):
        from notices.project import Project

        self.work = work
        shutil.copytree(MINI, work / "mini" / "registry")
        self.project = Project(work / "mini")
        self._cache: dict[str, Path] = {}

    def blank(self, county: bool = False) -> Path:
        """The unit (or county) workbook the office sends out."""
        key = f"blank-{county}"
        if key not in self._cache:
            from notices.jobs.progress import make_templates

            self._cache[key] = make_templates(self.project, ROUND, None if county else ["应急局"], False, county,
                                              False, self.work / key, generated_on=dt.date(2026, 11, 1))[0]
        return self._cache[key]

    def filled(self, dest: Path, rows: dict, edit=None, county: bool = False) -> Path:
        """A returned workbook: rows maps milestone id (or row number) to {column label: value}."""
        from openpyxl import load_workbook
        from notices.render.progress_xlsx import COLUMNS

        col = {c.label: i for i, c in enumerate(COLUMNS, 1)}
        wb = load_workbook(self.blank(county))
        ws = wb["进度填报"]
        for key, values in rows.items():
            r = key if isinstance(key, int) else ROW[key]
            for label, value in values.items():
                ws.cell(r, col[label]).value = value
        if edit:
            edit(wb, ws)
        dest.parent.mkdir(parents=True, exist_ok=True)
        wb.save(dest)
        return dest

    def good(self) -> bytes:
        if "good" not in self._cache:
            self._cache["good"] = self.filled(self.work / "good" / L, {"1-1": {"进展状态": "正在推进"}})
        return self._cache["good"].read_bytes()

    def table(self, suffix: str) -> Path:
        """The mini registry's 序时进度表 as `notices table --xlsx` writes it."""
        if "table" not in self._cache:
            from notices.jobs.table import TableRequest, make_table

            make_table(self.project, TableRequest(output=self.work / "table" / "序时进度表.docx", xlsx=True))
            self._cache["table"] = self.work / "table" / "序时进度表.docx"
        return self._cache["table"].with_suffix(suffix)

    @staticmethod
    def letter() -> bytes:
        from notices.render.template_build import TEMPLATES

        return TEMPLATES["督办函.docx"]()

    @staticmethod
    def table_template() -> bytes:
        from notices.render.template_build import TEMPLATES

        return TEMPLATES["序时进度表.docx"]()


def rezip(data: bytes, dest: Path, change: Callable[[str, bytes], bytes | None] | None = None,
          add: dict[str, bytes] | None = None) -> Path:
    """A copy of the package ``data`` with parts changed (change returns new bytes, or None to keep)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            part = src.read(info)
            new = change(info.filename, part) if change else None
            out.writestr(info, part if new is None else new)
        for name, part in (add or {}).items():
            out.writestr(name, part)
    return dest


def replace_in(part_name: str, old: bytes, new: bytes):
    def change(name: str, data: bytes):
        if name != part_name:
            return None
        assert old in data, (part_name, old)
        return data.replace(old, new, 1)
    return change


def zip_bomb(dest: Path, base: bytes, part: str, size: int) -> Path:
    """``base`` with one more part of ``size`` zero bytes, deflated as it is written
    (1 GiB takes ~2 s and ~1 MB on disk; nothing of that size is ever in memory)."""
    rezip(base, dest)
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(dest, "a", zipfile.ZIP_DEFLATED) as zf, zf.open(part, "w", force_zip64=size >= 2 ** 31) as fh:
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    return dest


def many_entries(dest: Path, base: bytes, count: int) -> Path:
    """``base`` plus ``count`` empty parts: a central directory of ~100 bytes per entry."""
    rezip(base, dest)
    with zipfile.ZipFile(dest, "a", zipfile.ZIP_STORED) as zf:
        for i in range(count):
            zf.writestr(zipfile.ZipInfo(f"xl/media/e{i}.bin"), b"")
    return dest


def encrypted(data: bytes, dest: Path) -> Path:
    """``data`` locked with an open password as Excel and Word do it (an OLE
    container holding EncryptionInfo and EncryptedPackage), via msoffcrypto-tool;
    without it, the container's header and stream names only."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:  # the test extra installs it
        dest.write_bytes(OLE + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(50)
                         + "EncryptedPackage".encode("utf-16-le") + bytes(1000))
        return dest
    with dest.open("wb") as out:
        OOXMLFile(io.BytesIO(data)).encrypt(PASSWORD, out)
    return dest


def ole(dest: Path, stream: str) -> Path:
    """The header of an OLE compound file (.xls, .et, .doc) naming one stream."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(OLE + bytes(504) + stream.encode("utf-16-le") + bytes(1000))
    return dest


def docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("县应急管理局进展情况：已完成。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def write(dest: Path, data: bytes | str) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return dest


def registry_edit(folder: Path, name: str, old: str, new: str) -> int:
    """A copy of the mini registry in folder/registry with one edit; the 1-based line of ``new``."""
    if not (folder / "registry").exists():
        shutil.copytree(MINI, folder / "registry")
    path = folder / "registry" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_bytes(text.encode("utf-8"))
    return text[: text.index(new)].count("\n") + 1


# --- the cases -------------------------------------------------------------------------

CASES: dict[str, Case] = {}


def case(name: str, command: str, what: str, accepted: bool = False):
    def register(build):
        CASES[name] = Case(name, command, what, build, accepted)
        return build
    return register


# returned progress workbooks: `notices progress collect`

@case("collect-empty", "collect", "a workbook of 0 bytes (a failed download)")
def _(kit, d):
    write(d / "空表.xlsx", b"")
    return ["空表.xlsx: 文件是空的（0 字节）"]


@case("collect-truncated", "collect", "the first half of a filled workbook (copy cut short)")
def _(kit, d):
    good = kit.good()
    write(d / "半截.xlsx", good[: len(good) // 2])
    return ["半截.xlsx: 文件不完整或已损坏"]


@case("collect-docx-renamed", "collect", "a Word document renamed to .xlsx")
def _(kit, d):
    write(d / "应急局.xlsx", docx_bytes())
    return ["应急局.xlsx: 这是 Word 文件（.docx），不是进度填报表"]


@case("collect-docx", "collect", "a Word document sent instead of the workbook")
def _(kit, d):
    write(d / "应急局进展.docx", docx_bytes())
    return ["应急局进展.docx: 这是 Word 文件（.docx），不是进度填报表"]


@case("collect-xls", "collect", "an Excel 97-2003 workbook (.xls, OLE with a Workbook stream)")
def _(kit, d):
    ole(d / "应急局.xls", "Workbook")
    return ["应急局.xls: 这是旧版 Excel 文件（.xls）"]


@case("collect-xls-renamed", "collect", "an .xls renamed to .xlsx")
def _(kit, d):
    ole(d / "应急局.xlsx", "Workbook")
    return ["应急局.xlsx: 这是旧版 Excel 文件（.xls 格式，只是扩展名写成了 .xlsx）"]


@case("collect-et", "collect", "a WPS spreadsheet (.et)")
def _(kit, d):
    ole(d / "应急局.et", "WpsBook")
    return ["应急局.et: 这是 WPS 表格文件（.et）"]


@case("collect-csv", "collect", "the rows saved as CSV")
def _(kit, d):
    write(d / "应急局.csv", "\ufeff编号,进展状态,完成日期\n1-1,已完成,2025-06-30\n")
    return ["应急局.csv: 这是 CSV 文本文件，不是进度填报表"]


@case("collect-encrypted", "collect", "a filled workbook with an open password (msoffcrypto-tool, password 1234)")
def _(kit, d):
    encrypted(kit.good(), d / "加密.xlsx")
    return ["加密.xlsx: 文件设置了打开密码，无法读取"]


@case("collect-header-deleted", "collect", "the header row deleted")
def _(kit, d):
    kit.filled(d / L, {"1-1": {"进展状态": "未启动"}}, edit=lambda wb, ws: ws.delete_rows(2))
    return [f"{S}: 未找到表头行（应有“编号”“进展状态”“完成日期”等列名）"]


@case("collect-column-deleted", "collect", "columns moved: the 进展状态 column deleted, the rest shifted left")
def _(kit, d):
    from notices.render.progress_xlsx import col_index

    kit.filled(d / L, {"1-1": {"进展状态": "未启动"}}, edit=lambda wb, ws: ws.delete_cols(col_index("state")))
    return [f"{S}!2:2: 表头（第2行）中缺少“进展状态”列"]


@case("collect-sheet-renamed-no-header", "collect", "the sheet renamed and its header row deleted")
def _(kit, d):
    def edit(wb, ws):
        ws.title = "Sheet1"
        ws.delete_rows(2)
    kit.filled(d / L, {"1-1": {"进展状态": "未启动"}}, edit=edit)
    return [f"{L}: 未找到“进度填报”工作表，其他工作表中也没有填报表的表头"]


@case("collect-error-values", "collect", "formulas whose cached results are #DIV/0! (完成日期) and #REF! (完成比例)")
def _(kit, d):
    base = kit.filled(kit.work / "errors" / L, {"1-1": {"进展状态": "已完成", "完成日期": "#DIV/0!", "完成比例": "#REF!"}})

    def formulas(name, data):  # openpyxl writes the error values; Excel keeps the formula beside them
        if name != "xl/worksheets/sheet1.xml":
            return None
        assert b"<v>#DIV/0!</v>" in data and b"<v>#REF!</v>" in data
        data = data.replace(b"<v>#DIV/0!</v>", b"<f>1/0</f><v>#DIV/0!</v>", 1)
        return data.replace(b"<v>#REF!</v>", b"<f>#REF!*100</f><v>#REF!</v>", 1)
    rezip(base.read_bytes(), d / L, formulas)
    return [f"{S}!H3: 单元格是公式错误值“#DIV/0!”", f"{S}!I3: 单元格是公式错误值“#REF!”"]


@case("collect-long-cells", "collect", "5,000-character cells: 进展状态 and 编号 (and a long note)")
def _(kit, d):
    kit.filled(d / L, {"1-1": {"进展状态": "已" * 5000, "进展情况说明": "长" * 5000},
                       "1-2": {"编号": "9" * 5000, "进展状态": "未启动"}})
    return [f"{S}!G3: 进展状态“{'已' * 40}…”（共5000字）不在可选范围内",
            f"{S}!A4: 编号“{'9' * 40}…”（共5000字）不在任务登记表中"]


@case("collect-unknown-unit", "collect", "the county workbook with 责任单位 changed to a unit not in the directory")
def _(kit, d):
    from openpyxl import load_workbook

    blank = load_workbook(kit.blank(county=True))["进度填报"]
    row = next(r for r in range(3, blank.max_row + 1) if blank.cell(r, 1).value == "1-1")
    name = kit.blank(county=True).name
    kit.filled(d / name, {row: {"责任单位": "县宣传局", "进展状态": "未启动"}}, county=True)
    return [f"{name} 进度填报!E{row}: 单位名称“县宣传局”不在单位名录中"]


@case("collect-zip-bomb", "collect", "a workbook with a 1 GiB sheet part of zeros (~1 MB on disk)")
def _(kit, d):
    zip_bomb(d / "炸弹.xlsx", kit.good(), "xl/worksheets/sheet9.xml", GIB)
    return ["炸弹.xlsx: 文件解压后超过 100 MB（“压缩炸弹”）"]


@case("collect-many-entries", "collect", "a workbook with 100,000 extra (empty) parts")
def _(kit, d):
    many_entries(d / "十万部件.xlsx", kit.good(), 100_000)
    return ["十万部件.xlsx: 文件内含 1000", "个部件（上限 5000 个）"]


@case("collect-billion-laughs", "collect", "the sheet part replaced by a billion-laughs XML")
def _(kit, d):
    rezip(kit.good(), d / "实体.xlsx", lambda n, b: LOL if n == "xl/worksheets/sheet1.xml" else None)
    return ["实体.xlsx: 含有文档类型声明（DOCTYPE/ENTITY"]


@case("collect-external-entity", "collect", "the sheet part declaring an external entity (file:///etc/passwd)")
def _(kit, d):
    rezip(kit.good(), d / "外部实体.xlsx", lambda n, b: XXE if n == "xl/worksheets/sheet1.xml" else None)
    return ["外部实体.xlsx: 含有文档类型声明（DOCTYPE/ENTITY"]


@case("collect-hostile-text", "collect", "notes with & < > \" ', emoji, full/half-width digits, 〔〕[]【】, "
      "markup-like text and characters XML cannot hold (_x0007_, _x0001_, _xFFFE_)", accepted=True)
def _(kit, d):
    kit.filled(d / L, {"1-1": {"进展状态": "正在推进", "完成比例": "８０％", "进展情况说明": HOSTILE_CELL,
                               "佐证材料": HOSTILE_EVIDENCE, "填报人": "王伟", "联系电话": "０４１５-１２３４５６７"}})
    return [f"{S}!J3: 含有不可见的控制字符，已删除", f"{S}!K3: 含有不可见的控制字符，已删除"]


@case("collect-sheet-renamed-columns-moved", "collect", "the sheet renamed, columns reordered by hand", accepted=True)
def _(kit, d):
    from openpyxl import load_workbook

    blank = load_workbook(kit.blank())["进度填报"]
    header = [c.value for c in blank[2]]

    def edit(wb, ws):
        ws.title = "Sheet1"
        values = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=5)]
        order = list(reversed(range(len(header))))  # every column moved
        for r, row in enumerate(values, 2):
            for c, src in enumerate(order, 1):
                ws.cell(r, c).value = row[src]
    kit.filled(d / L, {"1-1": {"进展状态": "未启动"}}, edit=edit)
    return [f"{L}: 未找到名为“进度填报”的工作表，已读取工作表“Sheet1”"]


# registry and configuration: `notices registry check`, `notices progress template`

@case("check-yaml-unclosed-quote", "check", "plan.yaml: a quoted text without its closing quote")
def _(kit, d):
    registry_edit(d, "plan.yaml", "requirement: 重点开展甲类培训", 'requirement: "重点开展甲类培训')
    line = registry_edit(d, "plan.yaml", '- id: "1-2"', '- id: "1-2"')  # the next quote: where the parser stops
    return [f"registry/plan.yaml:{line}: YAML 缩进不一致，或前面几行有未闭合的引号"]


@case("check-yaml-colon", "check", "plan.yaml: a text holding ': ' without quotes")
def _(kit, d):
    line = registry_edit(d, "plan.yaml", "text: 每季度开展一次检查。", "text: 每季度开展一次检查: 重点检查。")
    return [f"registry/plan.yaml:{line}: YAML 此处不能出现冒号，含冒号的文字请加引号"]


@case("check-yaml-control-character", "check", "units.yaml: a raw control character (\\x01) pasted into a name")
def _(kit, d):
    line = registry_edit(d, "units.yaml", "short: 教育局", "short: 教育\x01局")
    return [f"registry/units.yaml:{line}: 含有不允许的控制字符（U+0001）"]


@case("check-yaml-alias-bomb", "check", "plan.yaml: anchors and aliases nested nine deep (a YAML billion laughs)")
def _(kit, d):
    bomb = "lol0: &a0 [lol]\n" + "".join(f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))
    registry_edit(d, "plan.yaml", "categories:", bomb + "categories:")
    return ["registry/plan.yaml: 别名（&名称 / *名称）展开后超过 1,000,000 项"]


@case("check-ambiguous-unit", "check", "units.yaml: an alias two units share, plan.yaml: a unit not in the directory")
def _(kit, d):
    registry_edit(d, "units.yaml", "short: 教育局", "short: 教育局\n    aliases: [应急局]")
    unit_line = registry_edit(d, "units.yaml", "- name: 县教育局", "- name: 县教育局")
    task_line = registry_edit(d, "plan.yaml", "  - no: 3", "  - no: 3")
    registry_edit(d, "plan.yaml", "units: 县教育局、消防救援大队等部门", "units: 县教育局、县宣传局")
    return [f"registry/units.yaml:{unit_line}: 名称“应急局”同时指“县应急管理局”和“县教育局”，会造成歧义",
            f"registry/plan.yaml:{task_line}: 第3项任务的责任单位“县宣传局”不在单位名录中"]


@case("config-toml-syntax", "template", "notices.toml: a text value without quotes")
def _(kit, d):
    write(d / "notices.toml", "[office]\nname = 某县安全生产委员会办公室\n")
    return ["notices.toml:2: TOML 格式错误"]


@case("config-toml-control-character", "template", "notices.toml: a control character inside a quoted value")
def _(kit, d):
    write(d / "notices.toml", '[office]\nshort = "某安委办"\nname = "某县\x01安委办"\n')
    return ["notices.toml:3: TOML 格式错误"]


# tables to import: `notices registry import`

@case("import-empty", "import", "an empty .docx")
def _(kit, d):
    write(d / "序时进度表.docx", b"")
    return ["序时进度表.docx: 文件是空的"]


@case("import-truncated", "import", "the first half of an exported .docx")
def _(kit, d):
    data = kit.table(".docx").read_bytes()
    write(d / "序时进度表.docx", data[: len(data) // 2])
    return ["序时进度表.docx: 文件已损坏或不是 Excel/Word 文件"]


@case("import-csv", "import", "the table saved as CSV")
def _(kit, d):
    write(d / "序时进度表.csv", "任务名称,任务内容,具体要求,完成时间,责任单位\n")
    return ["序时进度表.csv: 只能导入 .xlsx（Excel）或 .docx（Word）格式的序时进度表"]


@case("import-et", "import", "a WPS spreadsheet (.et)")
def _(kit, d):
    ole(d / "序时进度表.et", "WpsBook")
    return ["序时进度表.et: 不支持WPS 表格文件（.et）"]


@case("import-xls-renamed", "import", "an .xls renamed to .xlsx")
def _(kit, d):
    ole(d / "序时进度表.xlsx", "Workbook")
    return ["序时进度表.xlsx: 文件实际是旧版 Excel 97-2003（.xls）或 WPS 格式"]


@case("import-encrypted", "import", "the exported workbook with an open password")
def _(kit, d):
    encrypted(kit.table(".xlsx").read_bytes(), d / "序时进度表.xlsx")
    return ["序时进度表.xlsx: 文件设置了打开密码，无法读取"]


@case("import-header-deleted", "import", "the exported workbook with its header row deleted")
def _(kit, d):
    from openpyxl import load_workbook

    wb = load_workbook(kit.table(".xlsx"))
    ws = wb.worksheets[0]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "任务名称")
    ws.delete_rows(header)
    (d / "序时进度表.xlsx").parent.mkdir(parents=True, exist_ok=True)
    wb.save(d / "序时进度表.xlsx")
    return ["未找到序时进度表的表头", f"序时进度表.xlsx {ws.title} 第", "未能认出", "请用 --columns 指明各列"]


@case("import-zip-bomb", "import", "the exported .docx with a 256 MiB part of zeros")
def _(kit, d):
    zip_bomb(d / "序时进度表.docx", kit.table(".docx").read_bytes(), "customXml/item9.xml", GIB // 4)
    return ["序时进度表.docx: 文件解压后超过 100 MB（“压缩炸弹”）"]


@case("import-billion-laughs", "import", "the exported workbook's sheet replaced by a billion-laughs XML")
def _(kit, d):
    rezip(kit.table(".xlsx").read_bytes(), d / "序时进度表.xlsx",
          lambda n, b: LOL if n == "xl/worksheets/sheet1.xml" else None)
    return ["序时进度表.xlsx: 含有文档类型声明（DOCTYPE/ENTITY"]


@case("import-external-entity", "import", "the exported .docx whose body declares an external entity")
def _(kit, d):
    def change(name, data):
        if name != "word/document.xml":
            return None
        head, _, rest = data.partition(b"?>")
        return head + b'?><!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + rest
    rezip(kit.table(".docx").read_bytes(), d / "序时进度表.docx", change)
    return ["序时进度表.docx: 含有文档类型声明（DOCTYPE/ENTITY"]


@case("import-control-characters", "import", "the exported workbook with _x0001_ and _x0007_ in a 具体要求 cell",
      accepted=True)
def _(kit, d):
    from openpyxl import load_workbook

    wb = load_workbook(kit.table(".xlsx"))
    ws = wb.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "重点开展甲类培训")
    cell.value = "重点开展_x0001_甲类培训_x0007_"
    (d / "序时进度表.xlsx").parent.mkdir(parents=True, exist_ok=True)
    wb.save(d / "序时进度表.xlsx")
    return [f"序时进度表.xlsx {ws.title}!{cell.coordinate}: 含有不可见的控制字符，已删除"]


# templates: `notices issue duban --templates`, `notices table`

def _letter(d: Path, kit, old: bytes, new: bytes) -> None:
    rezip(kit.letter(), d / "templates" / "督办函.docx", replace_in("word/document.xml", old, new))


@case("template-broken-tag", "duban", "督办函.docx: {{ recipient } (a brace missing)")
def _(kit, d):
    _letter(d, kit, b"{{ recipient }}", b"{{ recipient }")
    return ["模板 督办函.docx 中的标记有误", "督办函.docx word/document.xml: ", "（附近文字："]


@case("template-python-internals", "duban", "督办函.docx: {{ ''.__class__.__mro__ }}")
def _(kit, d):
    _letter(d, kit, b"{{ signer }}", b"{{ signer }}{{ ''.__class__.__mro__ }}")
    return ["督办函.docx word/document.xml: 不允许访问内部属性“__class__”"]


@case("template-attr-filter", "duban", "督办函.docx: {{ signer|attr('__init__') }} and x['__globals__']")
def _(kit, d):
    _letter(d, kit, b"{{ signer }}", b"{{ signer|attr('__init__') }}{{ cycler['__globals__'] }}")
    return ["不允许访问内部属性“__init__”", "不允许访问内部属性“__globals__”"]


@case("template-include", "duban", "督办函.docx: {% include '约谈通知书.docx' %}")
def _(kit, d):
    _letter(d, kit, b"{{ signer }}", b"{{ signer }}{% include '\xe7\xba\xa6\xe8\xb0\x88\xe9\x80\x9a\xe7\x9f\xa5\xe4\xb9\xa6.docx' %}")
    return ["督办函.docx word/document.xml: 不允许使用 {% include %}：模板不能引用其他文件"]


@case("template-import", "duban", "督办函.docx: {% import 'x' as y %}")
def _(kit, d):
    _letter(d, kit, b"{{ signer }}", b"{% import 'x' as y %}{{ signer }}")
    return ["督办函.docx word/document.xml: 不允许使用 {% import %}：模板不能引用其他文件"]


@case("template-missing-attribute", "duban", "督办函.docx: {{ para.txt }} (a field of the body paragraphs that does not exist)")
def _(kit, d):
    _letter(d, kit, b"{{ para.text|quotes }}", b"{{ para.txt|quotes }}")
    return ["模板 督办函.docx 使用了没有数据的字段", "督办函.docx: 字段“txt”不存在"]


@case("template-zip-bomb", "duban", "督办函.docx with a 256 MiB part of zeros")
def _(kit, d):
    zip_bomb(d / "templates" / "督办函.docx", kit.letter(), "customXml/item9.xml", GIB // 4)
    return ["督办函.docx: 文件解压后超过 100 MB（“压缩炸弹”）"]


@case("template-external-entity", "duban", "督办函.docx whose header part declares an external entity")
def _(kit, d):
    def change(name, data):
        if name != "word/header1.xml":
            return None
        head, _, rest = data.partition(b"?>")
        return head + b'?><!DOCTYPE w:hdr [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + rest
    rezip(kit.letter(), d / "templates" / "督办函.docx", change)
    return ["督办函.docx: 含有文档类型声明（DOCTYPE/ENTITY"]


@case("template-empty", "duban", "督办函.docx of 0 bytes")
def _(kit, d):
    write(d / "templates" / "督办函.docx", b"")
    return ["模板 督办函.docx 不是有效的 Word 文档（.docx）"]


@case("table-template-unknown-field", "table", "序时进度表.docx using {{ titel }}, a field that does not exist")
def _(kit, d):
    rezip(kit.table_template(), d / "templates" / "序时进度表.docx",
          replace_in("word/document.xml", b"{{ title|title_lines(28) }}", b"{{ titel|title_lines(28) }}"))
    return ["模板 序时进度表.docx 与本类公文的字段不符", "序时进度表.docx: 模板使用了未知字段“titel”"]


@case("table-template-broken-tag", "table", "序时进度表.docx: {%tr for row in rows %} without its endfor")
def _(kit, d):
    rezip(kit.table_template(), d / "templates" / "序时进度表.docx",
          replace_in("word/document.xml", b"{%tr endfor %}", b""))
    return ["模板 序时进度表.docx 中的标记有误", "标记未闭合（如缺少 {% endif %} 或 {% endfor %}）"]


# --- running -------------------------------------------------------------------------------

def build(out: Path, names: list[str] | None = None) -> dict[str, list[str]]:
    """Every case (or those named) in out/<case>/; returns case -> expected output fragments."""
    out = Path(out)
    expects = {}
    with tempfile.TemporaryDirectory() as work:
        kit = Kit(Path(work))
        for name, c in CASES.items():
            if names and name not in names:
                continue
            folder = out / name
            folder.mkdir(parents=True, exist_ok=True)
            expects[name] = c.build(kit, folder)
            (folder / "expect.json").write_text(json.dumps(
                {"command": c.command, "what": c.what, "accepted": c.accepted, "expect": expects[name]},
                ensure_ascii=False, indent=1), encoding="utf-8")
    return expects


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list or not args.out:
        for c in CASES.values():
            print(f"{c.name:40} {c.command:9} {'accepted' if c.accepted else 'refused ':9} {c.what}")
        return
    build(args.out)
    print(f"{len(CASES)} cases in {args.out}")


if __name__ == "__main__":
    main()

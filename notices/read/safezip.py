"""Refuse hostile .xlsx/.docx packages before any reader unpacks them.

Every workbook, imported table and template we open is a zip of XML parts
(OPC, ECMA-376 Part 2). A crafted one can make a reader allocate gigabytes
(a "zip bomb": a part of zeros that deflates ~1000:1; or a hundred thousand
entries), or make an XML parser expand entities without end ("billion
laughs") or fetch other files (external entities). ``inspect`` looks only at
what can be read cheaply, in this order, and stops at the first finding:

1. the end-of-central-directory record: the number of entries, before Python's
   zipfile builds an object for each of them;
2. the central directory: every entry's declared uncompressed size (the total)
   and its compression ratio. Python's zipfile never returns more than the
   declared size of an entry (more data fails the CRC check), so openpyxl,
   python-docx, lxml and our own readers, which all read through zipfile, are
   bound by what is checked here;
3. the prolog of every XML part (the text before the root element, at most
   PROLOG_LIMIT bytes decompressed): a document type declaration is refused.
   OPC forbids DTDs in package parts and neither Excel, WPS nor Word writes
   one; without a DTD there are no entities to expand and nothing external to
   fetch, whatever parser reads the part later.

It says nothing about damaged files (a zip that does not open, a missing
part): the callers' own checks name those. Messages are Chinese, without the
file name; ``check`` raises them as a NoticesError naming the file.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from ..errors import NoticesError, Problem

# Limits. A returned progress workbook has ~12 parts and < 1 MB of XML; the
# largest real inputs (a county workbook of ~1,000 rows with long notes, the
# plan's own table with pictures, a template with a scanned seal) stay under
# ~30 MB uncompressed and a few hundred parts. Each limit is many times that, and
# well below what would hurt the office PC: openpyxl needs tens of bytes of
# memory per byte of sheet XML.
MAX_ENTRIES = 5_000  # a workbook of 1,000 sheets has ~2,100 parts
MAX_TOTAL_SIZE = 100 * 1024 * 1024  # bytes, all entries uncompressed, as declared
# Deflate reaches ~1030:1 on a run of one byte. Real XML parts compress 5-20:1
# (measured: templates ≤ 9, a sheet of 200,000 formatted empty rows 18); a
# sheet of a million identical cells perhaps 60. Small entries cannot fill
# memory whatever their ratio, so the ratio applies from RATIO_MIN_SIZE on.
MAX_RATIO = 200
RATIO_MIN_SIZE = 1024 * 1024
PROLOG_LIMIT = 64 * 1024  # bytes of an XML part read to find its root element

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
# Parts that are never XML: not decompressed here.
_BINARY = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".wdp", ".svgz",
           ".bin", ".odttf", ".ttf", ".otf", ".fntdata", ".wav", ".mp3", ".mp4", ".avi", ".wmv")

_SUGGEST = "可能是被恶意构造的文件，为安全起见未打开；正常的 Excel/Word 文件不会这样。请让对方在 Excel/WPS/Word 中重新保存后发送"


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def entry_count(fh) -> int | None:
    """The number of entries the end-of-central-directory record declares (ZIP64
    too); None when there is no such record (not a zip, or a damaged one)."""
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    if size < _EOCD_SIZE:
        return None
    start = max(0, size - _EOCD_SIZE - _MAX_COMMENT)
    fh.seek(start)
    tail = fh.read()
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        return None
    count = struct.unpack("<H", tail[at + 10:at + 12])[0]
    if count != 0xFFFF:
        return count
    # ZIP64: the locator sits just before the classic record and points at the
    # ZIP64 record, which holds the 8-byte count.
    loc = at - 20
    if loc < 0 or tail[loc:loc + 4] != _EOCD64_LOCATOR:
        return count
    offset = struct.unpack("<Q", tail[loc + 8:loc + 16])[0]
    fh.seek(offset)
    record = fh.read(56)
    if len(record) < 56 or record[:4] != _EOCD64:
        return count
    return struct.unpack("<Q", record[32:40])[0]


def _prolog_problem(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """Why the part's prolog is refused, or None (also for a part that is not XML)."""
    with zf.open(info) as fh:
        head = fh.read(1024)
        if not head:
            return None
        if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2] in (b"<\x00", b"\x00<"):
            encoding = "utf-16"
            if head[:2] == b"<\x00":
                encoding = "utf-16-le"
            elif head[:2] == b"\x00<":
                encoding = "utf-16-be"
        else:
            encoding = "utf-8"
        probe = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
        if not probe.startswith(b"<"):
            return None  # not XML: a binary part under an unexpected name
        data = head
        while True:
            verdict = _scan_prolog(data[:PROLOG_LIMIT].decode(encoding, errors="ignore"))
            if verdict is not None:
                return verdict or None
            if len(data) >= PROLOG_LIMIT:
                return f"部件 {info.filename} 的开头异常（{PROLOG_LIMIT // 1024} KB 内没有正文）"
            more = fh.read(8192)
            if not more:
                return None  # ends inside the prolog: damaged, the reader will say so
            data += more


def _scan_prolog(text: str) -> str | None:
    """"" when the root element starts without a DTD before it; a reason when a
    DTD comes first; None when the text ends before either (read more)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\ufeff":
            i += 1
            continue
        if c != "<":
            return ""  # text before any element: not our business, the parser refuses it
        if text.startswith("<?", i):
            end = text.find("?>", i + 2)
            if end < 0:
                return None
            i = end + 2
        elif text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                return None
            i = end + 3
        elif text.startswith("<!", i):
            if n - i < 9:
                return None
            return "含有文档类型声明（DOCTYPE/ENTITY，可用于“XML 炸弹”或读取本机文件）"
        elif i + 1 < n:
            return ""  # the root element
        else:
            return None
    return None


def inspect(source: bytes | str | Path) -> str | None:
    """Why this package must not be opened (Chinese, without the file name), or
    None: not a zip, a damaged zip (the caller names that), or within the limits."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        fh = io.BytesIO(source)
    else:
        fh = open(source, "rb")  # noqa: SIM115 - closed below; FileNotFoundError is the caller's
    with fh:
        count = entry_count(fh)
        if count is None:
            return None
        if count > MAX_ENTRIES:
            return f"文件内含 {count} 个部件（上限 {MAX_ENTRIES} 个），{_SUGGEST}"
        fh.seek(0)
        try:
            zf = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
            return None
        with zf:
            infos = zf.infolist()
            if len(infos) > MAX_ENTRIES:
                return f"文件内含 {len(infos)} 个部件（上限 {MAX_ENTRIES} 个），{_SUGGEST}"
            total = 0
            for info in infos:
                total += info.file_size
                if total > MAX_TOTAL_SIZE:
                    return f"文件解压后超过 {_mib(MAX_TOTAL_SIZE)}（“压缩炸弹”），{_SUGGEST}"
                if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    ratio = info.file_size // max(info.compress_size, 1)
                    return (f"部件 {info.filename} 的压缩比异常（{ratio}:1，解压后 {_mib(info.file_size)}；"
                            f"上限 {MAX_RATIO}:1，“压缩炸弹”），{_SUGGEST}")
            for info in infos:
                if info.is_dir() or info.file_size == 0 or info.filename.lower().endswith(_BINARY):
                    continue
                try:
                    why = _prolog_problem(zf, info)
                except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError, EOFError,
                        zlib.error):
                    continue  # damaged or encrypted entry: the reader reports it
                if why:
                    return f"{why}，{_SUGGEST}"
    return None


def check(source: bytes | str | Path, label: str) -> None:
    """Raise a NoticesError naming ``label`` if ``inspect`` refuses the package."""
    why = inspect(source)
    if why:
        raise NoticesError(f"{label} 已拒绝读取：{why}", [Problem(label, why)])

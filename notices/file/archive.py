"""The year's filing package (归档): DA/T 22-2015 for the 件 and 档号, GB/T 18894-2016
for the electronic copies and their metadata.

One 件 per issued document (the letter with its attachments). 档号:
全宗号-WS·年度-保管期限[-机构(问题)代码]-件号, e.g. Z109-WS·2026-D30-AWB-0001; 件号
runs from 0001 within each (年度, 保管期限, 机构) class. A 件 once filed is never
renumbered or rewritten: the register of filed 件 lives in the project database
(migration 4), and filing one 件 — number, files moved into place, row — is one
``BEGIN IMMEDIATE`` transaction, so concurrent runs queue and a killed run
leaves at most unrecorded files under the 档号 it was filing (the next run files
the same 件 under the same 档号 and replaces them, unless documents issued
meanwhile come before it) and temporary files, which the next run removes.

Package layout (outputs/归档/<年>/):
  文件/<档号>.pdf, <档号>-2.pdf …   the 件's documents as PDF/A, main document first
  文件/<档号>.json                 its metadata (GB/T 18894 elements, 归档章)
  归档文件目录-<年>.xlsx            the 目录, 作废文号, 归档章 sheets
  manifest.json                    every file with size, SHA-256 and SM3
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import NoticesError
from .outputs import fsync_file, temp_prefix, write_atomic
from .store import Store

CATEGORY = "WS"  # 文书
RETENTION = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}
FILES_DIR = "文件"
MANIFEST = "manifest.json"
_CODE = re.compile(r"^[A-Za-z0-9]+$")


def catalogue_name(year: int) -> str:
    return f"归档文件目录-{year}.xlsx"


@dataclass(frozen=True)
class ArchiveSettings:
    """[archive] of notices.toml, with the office as 责任者."""

    fonds: str  # 全宗号
    org_code: str  # 机构（问题）代码, "" when the office does not classify by it
    retention: dict[str, str]  # kind -> Y / D30 / D10
    secrecy: str  # 密级, "" when none
    responsible: str  # 责任者: the issuing office


def settings_from_config(config, responsible: str) -> ArchiveSettings:
    section = config.section("archive")
    where = getattr(config, "path", None) or "notices.toml"
    fonds = str(section.get("fonds", "")).strip()
    if not fonds:
        raise NoticesError(f"{where}：[archive] 中未填写全宗号（fonds），请向本单位档案部门查询后填写，如 fonds = \"Z109\"")
    org = str(section.get("org_code", "")).strip()
    for label, code in (("全宗号", fonds), ("机构（问题）代码", org)):
        if code and not _CODE.match(code):
            raise NoticesError(f"{where}：[archive] 的{label}“{code}”只能由字母和数字组成")
    retention = {k: str(v).strip().upper() for k, v in section.get("retention", {}).items()}
    for kind, code in retention.items():
        if code not in RETENTION:
            raise NoticesError(f"{where}：[archive.retention] 中“{kind}”的保管期限“{code}”无效，应为 Y（永久）、"
                               f"D30（定期30年）或 D10（定期10年）")
    return ArchiveSettings(fonds, org, retention, str(section.get("secrecy", "")).strip(), responsible)


def archival_code(fonds: str, year: int, retention: str, org_code: str, piece: int) -> str:
    """Z109-WS·2026-D30-AWB-0001 (without the 机构 part when org_code is "")."""
    return "-".join([fonds, f"{CATEGORY}·{year}", retention, *([org_code] if org_code else []), f"{piece:04d}"])


# --- digests -------------------------------------------------------------------------
def digests(path: Path) -> tuple[int, str, str]:
    """(size, SHA-256, SM3) of a file. SM3 (GB/T 32905, named by DA/T 97-2023) comes
    from OpenSSL through hashlib."""
    sha = hashlib.sha256()
    try:
        sm3 = hashlib.new("sm3")
    except ValueError:
        raise NoticesError("本机 Python 的 OpenSSL 不支持 SM3 摘要算法，无法归档。请安装 python.org 的 Python 3.11 或更新版本") from None
    size = 0
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            sha.update(block)
            sm3.update(block)
            size += len(block)
    return size, sha.hexdigest(), sm3.hexdigest()


# --- filed 件 -------------------------------------------------------------------------
@dataclass(frozen=True)
class FiledFile:
    name: str  # inside 文件/
    size: int
    sha256: str
    sm3: str
    pages: int | None = None  # PDFs only
    source: str = ""  # the .docx it was made from (relative to the project)
    producer: str = ""  # 创建程序
    format: str = ""  # PDF/A-2B as the file claims it; "" for the metadata JSON


@dataclass(frozen=True)
class Item:
    doc_number: str
    year: int
    fonds: str
    retention: str
    org_code: str
    piece: int
    archival_code: str
    files: tuple[FiledFile, ...]
    filed_at: dt.datetime

    @property
    def pages(self) -> int:
        return sum(f.pages or 0 for f in self.files)


@dataclass
class Staged:
    """A 件's files ready in the staging folder: PDFs (main first), then metadata."""

    pdfs: list[tuple[Path, str, int | None, str, str]]  # (staged file, source, pages, producer, format): PDF/A first
    metadata: Callable[[str, int, list["FiledFile"]], dict]  # (档号, 件号, the PDFs as filed) -> metadata


@dataclass
class Finding:
    state: str  # changed / missing / added / gap / void (voided after filing, not yet marked)
    path: str
    detail: str = ""

    @property
    def state_zh(self) -> str:
        return {"changed": "已被改动", "missing": "缺失", "added": "多出", "gap": "件号不连续",
                "void": "归档后作废、尚未在目录和元数据中注明"}[self.state]


def _item(row) -> Item:
    return Item(row["doc_number"], row["year"], row["fonds"], row["retention"], row["org_code"], row["piece"],
                row["archival_code"], tuple(FiledFile(**f) for f in json.loads(row["files"])),
                dt.datetime.fromisoformat(row["filed_at"]))


class Archive:
    def __init__(self, db: Path, folder: Path):
        self.store = Store(db)
        self.folder = Path(folder)

    @property
    def files_dir(self) -> Path:
        return self.folder / FILES_DIR

    def items(self, year: int) -> list[Item]:
        if not self.store.path.exists():
            return []
        with self.store._connect() as conn:
            rows = conn.execute("SELECT * FROM archive_items WHERE year = ? ORDER BY id", (int(year),)).fetchall()
        return [_item(r) for r in rows]

    def file(self, doc_number: str, year: int, settings: ArchiveSettings, kind: str, staged: Staged) -> Item:
        """Number the document's 件 and move its files into place, in one transaction."""
        retention = settings.retention.get(kind)
        if retention is None:
            raise NoticesError(f"配置文件 [archive.retention] 中没有“{kind}”的保管期限")
        now = dt.datetime.now().replace(microsecond=0)
        with self.store._transaction() as conn:
            row = conn.execute("SELECT * FROM archive_items WHERE doc_number = ?", (doc_number,)).fetchone()
            if row is not None:  # another run filed it meanwhile
                return _item(row)
            piece = conn.execute(
                "SELECT COALESCE(MAX(piece), 0) + 1 FROM archive_items WHERE year = ? AND fonds = ? AND retention = ? "
                "AND org_code = ?", (year, settings.fonds, retention, settings.org_code)).fetchone()[0]
            code = archival_code(settings.fonds, year, retention, settings.org_code, piece)
            self.files_dir.mkdir(parents=True, exist_ok=True)
            files = []
            for k, (pdf, source, pages, producer, fmt) in enumerate(staged.pdfs, 1):
                suffix = "".join(Path(pdf).suffixes[-2:]) if Path(pdf).name.endswith(".json.txt") \
                    else (Path(pdf).suffix.lower() or ".pdf")  # PDF/A, or a file kept as it is (evidence, a web page)
                name = f"{code}{suffix}" if k == 1 else f"{code}-{k}{suffix}"
                fsync_file(pdf)
                os.replace(pdf, self.files_dir / name)  # a same-named file here is a killed run's, never filed
                files.append(FiledFile(name, *digests(self.files_dir / name), pages=pages, source=source,
                                       producer=producer, format=fmt))
            meta = write_atomic(self.files_dir / f"{code}.json", json.dumps(
                staged.metadata(code, piece, files), ensure_ascii=False, indent=2).encode("utf-8"), overwrite=True)
            files.append(FiledFile(meta.name, *digests(meta)))
            conn.execute(
                "INSERT INTO archive_items (doc_number, year, fonds, retention, org_code, piece, archival_code, files, "
                "filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_number, year, settings.fonds, retention, settings.org_code, piece, code,
                 json.dumps([asdict(f) for f in files], ensure_ascii=False), now.isoformat()))
            conn.execute("INSERT INTO events (doc_number, at, step, actor, detail) VALUES (?, ?, '归档', '', ?)",
                         (doc_number, now.isoformat(), code))
            row = conn.execute("SELECT * FROM archive_items WHERE doc_number = ?", (doc_number,)).fetchone()
        return _item(row)

    def rewrite_metadata(self, item: Item, data: dict) -> Item:
        """Replace a filed 件's metadata (a void mark after filing) and its recorded
        digests, in one transaction: the 件 keeps its 档号 and its PDFs."""
        name = f"{item.archival_code}.json"
        target = self.files_dir / name
        staged = write_atomic(self.files_dir / f"{temp_prefix()}{name}",
                              json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), overwrite=True)
        try:
            with self.store._transaction() as conn:
                os.replace(staged, target)
                files = [asdict(f) if f.name != name else asdict(FiledFile(name, *digests(target)))
                         for f in item.files]
                conn.execute("UPDATE archive_items SET files = ? WHERE doc_number = ?",
                             (json.dumps(files, ensure_ascii=False), item.doc_number))
                row = conn.execute("SELECT * FROM archive_items WHERE doc_number = ?", (item.doc_number,)).fetchone()
        finally:
            if staged.exists():
                staged.unlink()
        return _item(row)

    def strangers(self, year: int) -> list[Path]:
        """Metadata of 件 in the package that the database does not know (a lost or
        replaced database): filing again would give their 档号 to other documents."""
        known = {i.archival_code for i in self.items(year)}
        return sorted(p for p in self.files_dir.glob("*.json") if not p.name.startswith(".~") and p.stem not in known) \
            if self.files_dir.is_dir() else []

    def record_package_file(self, year: int, path: Path) -> tuple[int, str, str]:
        """The 目录 and the manifest, rewritten on every run: their digests as last
        written (returned too)."""
        size, sha, sm3 = digests(path)
        with self.store._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO archive_files (year, name, size, sha256, sm3) VALUES (?, ?, ?, ?, ?)",
                         (int(year), Path(path).relative_to(self.folder).as_posix(), size, sha, sm3))
        return size, sha, sm3

    def package_files(self, year: int) -> dict[str, tuple[int, str, str]]:
        if not self.store.path.exists():
            return {}
        with self.store._connect() as conn:
            rows = conn.execute("SELECT * FROM archive_files WHERE year = ?", (int(year),)).fetchall()
        return {r["name"]: (r["size"], r["sha256"], r["sm3"]) for r in rows}

    # --- checking --------------------------------------------------------------------
    def verify(self, year: int) -> list[Finding]:
        """Every recorded file re-hashed; files nobody recorded; gaps in the 件号."""
        findings: list[Finding] = []
        expected: dict[str, tuple[str, str]] = {}
        items = self.items(year)
        for item in items:
            for f in item.files:
                expected[f"{FILES_DIR}/{f.name}"] = (f.sha256, f.sm3)
        for name, (_, sha, sm3) in self.package_files(year).items():
            expected[name] = (sha, sm3)
        for name, (sha, sm3) in sorted(expected.items()):
            path = self.folder / name
            if not path.is_file():
                findings.append(Finding("missing", name))
            elif digests(path)[1:] != (sha, sm3):
                findings.append(Finding("changed", name))
        if self.folder.is_dir():
            for path in sorted(self.folder.rglob("*")):
                name = path.relative_to(self.folder).as_posix()
                if path.is_file() and name not in expected:
                    findings.append(Finding("added", name))
        classes: dict[tuple, list[int]] = {}
        for item in items:
            classes.setdefault((item.retention, item.org_code), []).append(item.piece)
        for (retention, org), pieces in sorted(classes.items()):
            missing = sorted(set(range(1, max(pieces) + 1)) - set(pieces))
            if missing:
                label = f"{retention}{'-' + org if org else ''}"
                findings.append(Finding("gap", label, "缺件号 " + "、".join(f"{p:04d}" for p in missing)))
        return findings


def manifest(files: list[tuple[str, int, str, str]], extra: dict) -> dict:
    """Every file of the package, (name inside the package, size, SHA-256, SM3), with
    the digests recorded when it was written: filed files are not re-hashed, so a
    changed one shows in archive verify, not as a new digest here. The manifest
    cannot list itself."""
    return {**extra, "文件清单": [{"文件": name, "大小": size, "SHA-256": sha, "SM3": sm3}
                                   for name, size, sha, sm3 in files]}


@dataclass
class ArchiveResult:
    folder: Path
    new: list[Item] = field(default_factory=list)
    existing: list[Item] = field(default_factory=list)
    voided: list = field(default_factory=list)  # DocRecords
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (文号, reason)
    warnings: list[str] = field(default_factory=list)
    marked: list[Item] = field(default_factory=list)  # 件 whose number was voided after filing, marked now

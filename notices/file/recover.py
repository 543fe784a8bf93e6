"""The output folder as the register's witness.

Every issued .docx names its 文号, kind, unit, batch and register in its custom
properties (notices.file.register.document_properties). So the register can tell
when it is behind the folder — a deleted, emptied or replaced database, or an old
backup put back — and refuse to hand out numbers that are already on paper
(``check_outputs_known``, before `issue` allocates; ``restore`` before a backup is
put back); and it can be rebuilt from the folder (``rebuild``):

* each document from its files: custom properties first; files made before they
  existed are recognised by name (``<文号>-<单位>.docx`` in ``<年>/<文种>/``) and text;
* what no document carries (replies, void marks and reasons, the history of steps,
  numbers reserved but never written) from the newest readable backup in
  outputs/备份/ and, for void marks, from the filing package's manifest;
* the filed 件 from the package's metadata (outputs/归档/<年>/文件/<档号>.json);
* a number below the highest one seen that nothing accounts for is voided, so the
  sequence goes on after the highest number ever seen and no number is given twice.

What could not be recovered is reported, never guessed silently.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import NoticesError
from ..render.ooxml import document_paragraphs, read_custom_properties
from ..textfmt import path_label
from . import backup as backups_mod
from .register import (KINDS, MAIN_PART, P_AS_OF, P_BATCH, P_ISSUED, P_KIND, P_NUMBER, P_RECIPIENTS, P_REGISTER,
                       P_REPLY_DUE, P_ROUND, P_SUBJECTS, P_TITLE, PART, Register, batch_key, file_sha256,
                       normalize_number, parse_number)

_NAMED = re.compile(r"^(?P<number>.+?号)-(?P<stem>.+)\.docx$", re.I)
_YEAR = re.compile(r"^\d{4}$")
_CN_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
ALL_UNITS = "全体"  # the 通报's unit in batch keys (notices.jobs.issue.ALL_UNITS)


def _number_in_name(name: str) -> str | None:
    m = _NAMED.match(name)
    if not m:
        return None
    try:
        return normalize_number(m["number"])
    except NoticesError:
        return None


def _docx_files(outputs: Path, year: int | None = None):
    """(year, kind folder, path) of every .docx in outputs/<年>/<文种>/ (temporary files left out)."""
    try:
        years = [e for e in os.scandir(outputs) if e.is_dir() and _YEAR.match(e.name)]
    except OSError:
        return
    for y in sorted(years, key=lambda e: e.name):
        if year is not None and int(y.name) != int(year):
            continue
        try:
            kinds = sorted((e for e in os.scandir(y.path) if e.is_dir()), key=lambda e: e.name)
        except OSError:
            continue
        for k in kinds:
            try:
                entries = sorted(os.scandir(k.path), key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                if e.is_file() and e.name.lower().endswith(".docx") and not e.name.startswith(".~"):
                    yield int(y.name), k.name, Path(e.path)


# --- the check before numbers are given ----------------------------------------------------
@dataclass(frozen=True)
class Stranger:
    path: Path
    number: str
    why: str  # 'unknown' (the register has no such number) | 'other' (numbered by another register)


def strangers(outputs: Path, known, register_id: str | None, year: int | None = None) -> list[Stranger]:
    """Documents in the output folder (one year, or all) that a register knowing the
    numbers ``known`` (a set, or a callable giving it), with id ``register_id``, did
    not number. Files are told by their names (``<文号>-…``); the newest document of
    each sequence is also asked for its register id (a database from elsewhere knows
    the same numbers).

    The folder is read before ``known`` is asked for: a number is committed before its
    file is written, so a file another run writes meanwhile is never taken for a
    stranger."""
    named = [(path, number) for _, _, path in _docx_files(outputs, year)
             if (number := _number_in_name(path.name)) is not None]  # others: print copies, staff's own files
    known = known() if callable(known) else known
    found: list[Stranger] = []
    newest: dict[tuple[str, int], tuple[int, Path, str]] = {}
    for path, number in named:
        if number not in known:
            found.append(Stranger(path, number, "unknown"))
            continue
        n = parse_number(number)
        key = (n.organ_code, n.year)
        if key not in newest or n.serial > newest[key][0]:
            newest[key] = (n.serial, path, number)
    if register_id:
        for _, path, number in newest.values():
            theirs = read_custom_properties(path).get(P_REGISTER)
            if theirs and theirs != register_id:
                found.append(Stranger(path, number, "other"))
    return found


def describe_strangers(found: list[Stranger], outputs: Path) -> str:
    unknown = [s for s in found if s.why == "unknown"]
    other = [s for s in found if s.why == "other"]

    def shown(items: list[Stranger]) -> str:
        names = [path_label(s.path, outputs.parent)
                 for s in sorted(items, key=lambda s: (parse_number(s.number).year, parse_number(s.number).serial))]
        return "、".join(names[:3]) + (f" 等 {len(names)} 个文件" if len(names) > 3 else "")

    parts = []
    if unknown:
        numbers = sorted({s.number for s in unknown}, key=lambda n: (parse_number(n).organ_code, parse_number(n).serial))
        parts.append(f"输出文件夹中有 {len(numbers)} 个文号登记簿中没有（{shown(unknown)}）")
    if other:
        parts.append(f"{shown(other)} 是另一个登记簿编号的")
    return "；".join(parts)


def check_outputs_known(register: Register, outputs: Path, year: int) -> None:
    """Refuse to number anything while documents of ``year`` on disk are unknown to the register."""
    folder = Path(outputs) / str(year)
    if not folder.is_dir():
        return
    found = strangers(outputs, lambda: {r.doc_number for r in register.list(year=year)}, register.register_id, year)
    if found:
        raise NoticesError(
            f"{describe_strangers(found, Path(outputs))}。登记簿数据库“{register.path}”可能被删除、清空或换成了"
            f"旧的备份或别处的数据库，现在编号会把这些文号再发一次，所以本次未编号、未发文。请先运行 "
            f"notices register rebuild 从输出文件重建登记簿（会参考 {backups_mod.folder_for(register.path)} "
            f"中最近的备份），再重新运行本命令")


# --- rebuilding ---------------------------------------------------------------------------------
@dataclass
class RebuildReport:
    from_files: list[str] = field(default_factory=list)  # numbers recorded from their files
    from_backup: list[str] = field(default_factory=list)  # numbers taken from the backup without a file
    voided: list[str] = field(default_factory=list)  # numbers nothing accounts for, voided
    kept: int = 0  # records the register had already
    filed: int = 0  # 件 recovered from the filing package
    backup: Path | None = None
    steps: int = 0  # the office's steps on items (延期, 销号 …) taken from the backup
    register_id: str = ""
    problems: list[str] = field(default_factory=list)  # what could not be recovered

    @property
    def added(self) -> int:
        return len(self.from_files) + len(self.from_backup) + len(self.voided)


@dataclass
class _Doc:
    number: str
    files: list[tuple[Path, dict]] = field(default_factory=list)  # (path, its custom properties)

    def main(self) -> tuple[Path, dict]:
        for path, props in self.files:
            if props.get(PART) == MAIN_PART:
                return path, props
        plain = [f for f in self.files if not _stem(f[0].name).startswith("附件")]
        return (plain or self.files)[0]

    def ordered(self) -> list[Path]:
        main = self.main()[0]
        return [main] + sorted(p for p, _ in self.files if p != main)


def _stem(name: str) -> str:
    m = _NAMED.match(name)
    return m["stem"] if m else ""


def _day(text: str | None) -> str | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _cn_day(text: str) -> str | None:
    m = _CN_DAY.search(text)
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        return None


@dataclass(frozen=True)
class Identity:
    """How the register names units and items (from the registry): ``unit_key`` full name ->
    the unit's id; ``item_id`` (milestone id, period words or "") -> its item id."""

    unit_key: Callable[[str], str] = lambda name: name
    item_id: Callable[[str, str], str] = lambda mid, period: mid


_ITEM = re.compile(r"序号(\d+-\d+)）(?:[^。；\n]*?，其中(\S+?)应于)?")


def _from_text(doc: _Doc, kind_folder: str, rounds: dict[str, str], problems: list[str],
               identity: Identity = Identity()) -> dict:
    """A record from a document without custom properties: its folder, name and text."""
    path, _ = doc.main()
    paragraphs = document_paragraphs(path)
    kind = kind_folder if kind_folder in KINDS else ""
    lost = []
    if not kind:
        lost.append("文种")
    at = next((i for i, p in enumerate(paragraphs) if doc.number in p.replace("[", "〔").replace("]", "〕")), -1)
    title = paragraphs[at + 1] if 0 <= at < len(paragraphs) - 1 else ""
    recipients: list[str] = []
    for p in paragraphs[at + 2:at + 5] if at >= 0 else []:
        if p.endswith(("：", ":")):
            recipients = [r for r in re.split(r"[，,、]", p.rstrip("：:")) if r]
            break
    dates = [d for p in paragraphs if re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", p) for d in [_cn_day(p)] if d]
    issued_on = dates[0] if dates else None  # the signature's date: tables after it hold dates too
    body = "\n".join(paragraphs)
    reply = re.search(r"请于(\d{4}年\d{1,2}月\d{1,2}日)前", body)
    as_of = re.search(r"截至(\d{4}年\d{1,2}月\d{1,2}日)", body)
    milestones = sorted({identity.item_id(mid, period or "") for mid, period in _ITEM.findall(body)},
                        key=lambda m: tuple(map(int, m.split("@")[0].split("-"))))
    unit = ALL_UNITS if kind == "通报" else (identity.unit_key(recipients[0]) if recipients else "")
    cut_off = _cn_day(as_of.group(1)) if as_of else None
    # the batch's round: the latest collected by the document's cut-off (as `issue` chose it)
    round_id = next((rid for day, rid in sorted(rounds.items(), reverse=True) if cut_off and day <= cut_off), None)
    if not title:
        title = f"{kind}（标题未能从文件中读出）"
        lost.append("标题")
    for label, value in (("主送", recipients), ("成文日期", issued_on)):
        if not value:
            lost.append(label)
    if kind == "通报":
        lost.append("点名批评的单位")
    if not round_id:
        lost.append("进度轮次（重新运行这一批时不能认出它）")
    if lost:
        problems.append(f"{doc.number}：文件中没有登记信息（较早版本生成），据文件名和正文恢复，"
                        f"未能恢复：{'、'.join(lost)}")
    return {"kind": kind or "不明", "title": title, "recipients": recipients, "milestones": milestones,
            "round_id": round_id, "as_of": _cn_day(as_of.group(1)) if as_of else None, "issued_on": issued_on,
            "reply_due": _cn_day(reply.group(1)) if reply else None,
            "batch_key": batch_key(kind, unit, round_id, issued_on) if kind and unit and round_id and issued_on else None,
            "subjects": {unit: milestones} if unit and unit != ALL_UNITS else {}}


def _from_properties(props: dict) -> dict:
    def listed(name: str, default):
        try:
            return json.loads(props.get(name) or "null") or default
        except ValueError:
            return default

    return {"kind": props.get(P_KIND) or "不明", "title": props.get(P_TITLE) or "", "recipients": listed(P_RECIPIENTS, []),
            "round_id": props.get(P_ROUND) or None, "as_of": _day(props.get(P_AS_OF)),
            "issued_on": _day(props.get(P_ISSUED)), "reply_due": _day(props.get(P_REPLY_DUE)),
            "batch_key": props.get(P_BATCH) or None, "subjects": listed(P_SUBJECTS, {}),
            "milestones": sorted({m for ids in listed(P_SUBJECTS, {}).values() for m in ids},
                                 key=lambda m: tuple(int(x) if x.isdigit() else 0 for x in re.split(r"[-@]", m)))}


def _newest_backup(db: Path) -> tuple[Path | None, sqlite3.Connection | None]:
    for path in reversed(backups_mod.backups(db)):
        info = backups_mod.describe(path)
        if info.ok:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
            conn.row_factory = sqlite3.Row
            return path, conn
    return None, None


def _manifest_voids(outputs: Path) -> dict[str, str]:
    """文号 -> the year of each number a filing package lists as voided."""
    out = {}
    folder = outputs / "归档"
    for manifest in sorted(folder.glob("*/manifest.json")) if folder.is_dir() else []:
        try:
            data = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for number in data.get("作废文号", []) or []:
            out[str(number)] = manifest.parent.name
    return out


_COLUMNS = ("kind", "organ_code", "year", "serial", "doc_number", "title", "recipients", "milestones", "round_id",
            "as_of", "issued_on", "reply_due", "status", "void_reason", "outputs", "batch_key", "created_at",
            "subjects", "details")


def rebuild(register: Register, outputs: Path, now: dt.datetime | None = None,
            identity: Identity = Identity()) -> RebuildReport:
    """Add to the register every document the output folder (and its backups and
    filing packages) shows and the register lacks; see the module docstring."""
    outputs = Path(outputs)
    report = RebuildReport()
    stamp = (now or dt.datetime.now()).replace(microsecond=0).isoformat()
    docs: dict[str, _Doc] = {}
    folders: dict[str, str] = {}
    ids: Counter = Counter()
    for year, kind_folder, path in _docx_files(outputs):
        props = read_custom_properties(path)
        number = props.get(P_NUMBER) or _number_in_name(path.name)
        try:
            number = normalize_number(number) if number else None
        except NoticesError:
            number = None
        if number is None:
            continue
        docs.setdefault(number, _Doc(number)).files.append((path, props))
        folders.setdefault(number, kind_folder)
        if props.get(P_REGISTER):
            ids[props[P_REGISTER]] += 1
    backup_path, old = _newest_backup(register.path)
    report.backup = backup_path
    voids = _manifest_voids(outputs)
    try:
        with register._transaction() as conn:
            known = {r["doc_number"]: r for r in conn.execute("SELECT doc_number, status, kind, batch_key "
                                                              "FROM documents")}
            report.kept = len(known)
            conflicts = _conflicts(known, docs)
            report.problems += conflicts
            rounds = {r["as_of"]: r["id"] for r in conn.execute("SELECT id, as_of FROM rounds ORDER BY id")}
            old_rows = {}
            if old is not None:
                old_rows = {r["doc_number"]: dict(r) for r in old.execute("SELECT * FROM documents")}
            numbers = set(docs) | set(old_rows) | set(voids)
            added: list[str] = []
            for number in sorted(numbers - set(known), key=lambda n: (parse_number(n).year, parse_number(n).organ_code,
                                                                     parse_number(n).serial)):
                row = _recovered(number, docs.get(number), old_rows.get(number), voids, folders, rounds, register, identity,
                                 stamp, report)
                _insert(conn, row)
                added.append(number)
                _history(conn, number, old, row, stamp, docs.get(number) is not None)
            for number in _gaps(conn):
                n = parse_number(number)
                _insert(conn, {"kind": "不明", "organ_code": n.organ_code, "year": n.year, "serial": n.serial,
                               "doc_number": number, "title": "（重建登记簿时未找到该文号的任何记录）",
                               "recipients": "[]", "milestones": "[]", "status": "void",
                               "void_reason": "重建登记簿时未找到该文号的文件或记录，作废以免重号",
                               "outputs": "[]", "created_at": stamp, "subjects": "{}", "details": "{}"})
                register._event(conn, number, "作废", "", "重建登记簿：未找到该文号的文件或记录")
                report.voided.append(number)
            if ids and not conflicts:  # with conflicts the database may be another register's: keep its id
                rid, _ = ids.most_common(1)[0]
                conn.execute("UPDATE register_meta SET value = ? WHERE key = 'register_id'", (rid,))
                if len(ids) > 1:
                    report.problems.append(f"输出文件夹中的公文来自 {len(ids)} 个登记簿；已沿用其中文件最多的一个（{rid}）")
            report.register_id = conn.execute(
                "SELECT value FROM register_meta WHERE key = 'register_id'").fetchone()[0]
            report.filed = _recover_filing(conn, outputs, old, stamp, report)
            report.steps = _recover_steps(conn, old)
    finally:
        if old is not None:
            old.close()
    return report


def _recover_steps(conn, old) -> int:
    """The office's steps on items (延期, 不予延期, 销号: migration 7) the backup has and the
    database does not: no file carries them."""
    if old is None:
        return 0
    try:
        rows = old.execute("SELECT unit, item, step, day, actor, detail, doc_number, at FROM item_steps ORDER BY id").fetchall()
    except sqlite3.Error:  # a backup from before migration 7
        return 0
    have = {tuple(r) for r in conn.execute("SELECT unit, item, step, day, at FROM item_steps")}
    added = 0
    for r in rows:
        if (r["unit"], r["item"], r["step"], r["day"], r["at"]) in have:
            continue
        conn.execute("INSERT INTO item_steps (unit, item, step, day, actor, detail, doc_number, at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", tuple(r))
        added += 1
    return added


def _conflicts(known: dict, docs: dict[str, _Doc]) -> list[str]:
    """Numbers the register holds for another document than the file of that number
    says (a database from elsewhere): reported, never changed."""
    out = []
    for number, row in known.items():
        doc = docs.get(number)
        if doc is None:
            continue
        props = doc.main()[1]
        theirs = (props.get(P_KIND), props.get(P_BATCH) or None)
        if props.get(P_NUMBER) and theirs != (row["kind"], row["batch_key"]):
            out.append(f"{number}：登记簿中的记录（{row['kind']}）与文件 {doc.main()[0].name} 中记的不同，未改动。"
                       f"如果数据库来自别处，请先把 outputs/notices.db 移走，再重建")
    return out


def _recovered(number, doc, old_row, voids, folders, rounds, register, identity, stamp, report) -> dict:
    n = parse_number(number)
    base = {"organ_code": n.organ_code, "year": n.year, "serial": n.serial, "doc_number": number,
            "created_at": stamp, "details": "{}", "void_reason": None}
    if old_row is not None:
        row = {k: old_row.get(k) for k in _COLUMNS}
        row["details"] = row.get("details") or "{}"
        if doc is not None and row["status"] == "reserved":  # its file was written after the backup
            row["status"] = "issued"
            row["outputs"] = _outputs(doc, register)
        elif doc is not None and row["status"] != "void" and not json.loads(row["outputs"] or "[]"):
            row["outputs"] = _outputs(doc, register)
        if doc is None:
            report.from_backup.append(number)
            kept = [register.resolve(o["path"]) for o in json.loads(row["outputs"] or "[]")]
            if row["status"] == "issued" and not all(p.is_file() for p in kept):  # (a 销号's evidence has no .docx)
                report.problems.append(f"{number}：备份中登记为已生成，但输出文件夹中没有它的文件"
                                       f"（notices register verify 会列出）")
        else:
            report.from_files.append(number)
        return row
    if doc is None:  # only the filing package's list of void numbers knows it
        report.voided.append(number)
        report.problems.append(f"{number}：只在归档清单的作废文号中找到，作废原因不明")
        return {**base, "kind": "不明", "title": "（据归档清单，已作废）", "recipients": "[]", "milestones": "[]",
                "status": "void", "void_reason": "据归档清单已作废，原因不明（重建登记簿）", "outputs": "[]",
                "subjects": "{}"}
    path, props = doc.main()
    fields = _from_properties(props) if props.get(P_NUMBER) else _from_text(doc, folders[number], rounds,
                                                                           report.problems, identity)
    report.from_files.append(number)
    status, reason = "issued", None
    if number in voids:
        status, reason = "void", "据归档清单已作废，原因不明（重建登记簿）"
        report.problems.append(f"{number}：归档清单中列为作废，作废原因不明")
    return {**base, "kind": fields["kind"], "title": fields["title"] or f"{fields['kind']}（标题不明）",
            "recipients": json.dumps(fields["recipients"], ensure_ascii=False),
            "milestones": json.dumps(fields["milestones"], ensure_ascii=False), "round_id": fields["round_id"],
            "as_of": fields["as_of"], "issued_on": fields["issued_on"], "reply_due": fields["reply_due"],
            "status": status, "void_reason": reason, "outputs": _outputs(doc, register),
            "batch_key": fields["batch_key"], "subjects": json.dumps(fields["subjects"], ensure_ascii=False)}


def _outputs(doc: _Doc, register: Register) -> str:
    return json.dumps([{"path": register._stored_path(p), "sha256": file_sha256(p)} for p in doc.ordered()],
                      ensure_ascii=False)


def _insert(conn, row: dict) -> None:
    cols = [c for c in _COLUMNS if c in row]
    conn.execute(f"INSERT INTO documents ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [row[c] for c in cols])


def _history(conn, number: str, old, row: dict, stamp: str, from_file: bool) -> None:
    """The document's replies and steps: from the backup where it has them, else the
    two steps its file proves (登记, 生成), marked as recovered."""
    if old is not None and old.execute("SELECT 1 FROM documents WHERE doc_number = ?", (number,)).fetchone():
        for r in old.execute("SELECT date, note, recorded_at FROM replies WHERE doc_number = ? ORDER BY id", (number,)):
            conn.execute("INSERT INTO replies (doc_number, date, note, recorded_at) VALUES (?, ?, ?, ?)",
                         (number, r["date"], r["note"], r["recorded_at"]))
        for e in old.execute("SELECT at, step, actor, detail FROM events WHERE doc_number = ? ORDER BY id", (number,)):
            conn.execute("INSERT INTO events (doc_number, at, step, actor, detail) VALUES (?, ?, ?, ?, ?)",
                         (number, e["at"], e["step"], e["actor"], e["detail"]))
        if from_file and row["status"] == "issued" and not conn.execute(
                "SELECT 1 FROM events WHERE doc_number = ? AND step = '生成'", (number,)).fetchone():
            Register._event(conn, number, "生成", "", "重建登记簿：据输出文件登记")
        return
    if row["status"] == "void" and not from_file:
        Register._event(conn, number, "作废", "", row["void_reason"] or "")
        return
    Register._event(conn, number, "登记", "", f"重建登记簿：据输出文件恢复（{row['kind']}：{row['title']}）")
    Register._event(conn, number, "生成", "", "；".join(o["path"] for o in json.loads(row["outputs"])))
    if row["status"] == "void":
        Register._event(conn, number, "作废", "", row["void_reason"] or "")


def _gaps(conn) -> list[str]:
    """Numbers below the highest of their sequence that no record holds."""
    from .register import format_number

    out = []
    for code, year, top in conn.execute("SELECT organ_code, year, MAX(serial) FROM documents GROUP BY organ_code, year"):
        have = {r[0] for r in conn.execute("SELECT serial FROM documents WHERE organ_code = ? AND year = ?",
                                           (code, year))}
        out += [format_number(code, year, s) for s in range(1, top + 1) if s not in have]
    return out


def _recover_filing(conn, outputs: Path, old, stamp: str, report: RebuildReport) -> int:
    """件 of the filing packages the database lacks, from their metadata files."""
    from .archive import FILES_DIR, MANIFEST, RETENTION, catalogue_name, digests

    by_name = {v: k for k, v in RETENTION.items()}
    count = 0
    root = outputs / "归档"
    for package in sorted(p for p in root.iterdir() if p.is_dir() and _YEAR.match(p.name)) if root.is_dir() else []:
        year = int(package.name)
        for meta_path in sorted((package / FILES_DIR).glob("*.json")):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                code, number = meta["档号"], normalize_number(meta["文件编号"])
                stamp_of = meta.get("归档章", {})
                retention = by_name.get(meta.get("保管期限"), stamp_of.get("保管期限"))
                piece = int(stamp_of["件号"])
            except (OSError, ValueError, KeyError, TypeError, NoticesError):
                report.problems.append(f"{meta_path}：归档元数据无法读取，该件未恢复")
                continue
            if conn.execute("SELECT 1 FROM archive_items WHERE doc_number = ? OR archival_code = ?",
                            (number, code)).fetchone():
                continue
            if not conn.execute("SELECT 1 FROM documents WHERE doc_number = ?", (number,)).fetchone():
                report.problems.append(f"{code}（{number}）：登记簿中没有这个文号，该件未恢复")
                continue
            files = []
            for f in meta.get("计算机文件", []):
                files.append({"name": f.get("文件名", ""), "size": f.get("大小", 0), "sha256": f.get("SHA-256", ""),
                              "sm3": f.get("SM3", ""), "pages": f.get("页数"), "source": f.get("来源文件", ""),
                              "producer": f.get("创建程序", ""), "format": f.get("格式", "")})
            size, sha, sm3 = digests(meta_path)
            files.append({"name": meta_path.name, "size": size, "sha256": sha, "sm3": sm3, "pages": None,
                          "source": "", "producer": "", "format": ""})
            filed_at = next((s.get("时间") for s in meta.get("业务行为", []) if s.get("行为") == "归档"), stamp)
            conn.execute("INSERT INTO archive_items (doc_number, year, fonds, retention, org_code, piece, "
                         "archival_code, files, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (number, year, stamp_of.get("全宗号", ""), retention, stamp_of.get("机构（问题）", "") or "",
                          piece, code, json.dumps(files, ensure_ascii=False), filed_at))
            if not conn.execute("SELECT 1 FROM events WHERE doc_number = ? AND step = '归档'", (number,)).fetchone():
                conn.execute("INSERT INTO events (doc_number, at, step, actor, detail) VALUES (?, ?, '归档', '', ?)",
                             (number, filed_at, code))
            count += 1
        for name in (catalogue_name(year), MANIFEST):
            path = package / name
            if path.is_file() and not conn.execute("SELECT 1 FROM archive_files WHERE year = ? AND name = ?",
                                                   (year, name)).fetchone():
                conn.execute("INSERT INTO archive_files (year, name, size, sha256, sm3) VALUES (?, ?, ?, ?, ?)",
                             (year, name, *digests(path)))
    return count


# --- restoring a backup --------------------------------------------------------------------------
def restore(db: Path, source: Path, outputs: Path, keep: int, force: bool = False) -> tuple[Path | None, list[Stranger]]:
    """Put the backup ``source`` back as the project database ``db``.

    Refused when the backup does not know documents on disk (it is older than them:
    their numbers would be given again), unless ``force``. The database replaced is
    backed up first (or, when damaged, moved aside). Returns that copy and the
    documents the restored register does not know (with ``force``)."""
    from .db_errors import db_error

    source = Path(source)
    if not source.is_file():
        raise NoticesError(f"找不到备份文件：{source}")
    info = backups_mod.describe(source)
    if not info.ok:
        raise NoticesError(f"{source} 不能用来恢复：{info.problem}")
    conn = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        known = {r[0] for r in conn.execute("SELECT doc_number FROM documents")}
    finally:
        conn.close()
    found = strangers(outputs, known, info.register_id)
    if found and not force:
        raise NoticesError(
            f"备份“{source}”比输出文件夹中的公文旧：{describe_strangers(found, outputs)}。恢复它会让这些文号被再次使用，"
            f"未做任何改动。请选用更新的备份（notices register backups 列出全部备份），或用 notices register rebuild "
            f"从输出文件重建；确需恢复这个备份，请加 --force（恢复后须再运行 notices register rebuild 补登这些文件，"
            f"否则不能发文）")
    saved = None
    db = Path(db)
    if db.exists():
        if backups_mod.describe(db).ok:
            saved = backups_mod.make_backup(db, keep + 1, label="恢复前")
        else:
            saved = _move_aside(db)  # damaged: kept as it is, out of the way
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        dst = sqlite3.connect(db, isolation_level=None, timeout=30)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise db_error(exc, db) from None
    return saved, found


def _move_aside(db: Path) -> Path:
    """A database that cannot be read: kept beside the backups, with its -wal and -shm."""
    folder = backups_mod.folder_for(db)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{backups_mod.PREFIX}{stamp}-已损坏"
    for suffix in ("", "-wal", "-shm"):
        part = Path(f"{db}{suffix}")
        if part.exists():
            os.replace(part, Path(f"{target}{suffix}"))
    return target

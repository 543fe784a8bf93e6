"""The document register (发文登记): numbered documents in outputs/notices.db.

One sequence of 发文字号 per 机关代字 per year: 某安委办函〔2026〕1号, 2号, …
Numbers are allocated in order inside one ``BEGIN IMMEDIATE`` transaction, so
two processes never get the same number and the sequence has no gaps. A spoiled
number is voided with a reason and stays in the sequence; it is never reused.

Life of a record:
  allocate  -> status 'reserved', step 登记 (the number exists, no file yet)
  record_outputs -> status 'issued', step 生成 (the files the caller wrote, with SHA-256)
  reply     -> step 答复 (the unit's written reply)
  void      -> status 'void', step 作废

A batch: ``reserve`` numbers all its documents in one transaction; ``record_many``
records the files of several in one (``allocate`` and ``record_outputs`` are the
same for one document). A new number whose 成文日期 is earlier than one already
given in its sequence needs ``allow_earlier`` (--force) and is recorded.

The register knows itself: an id (migration 6) that every document it numbers
carries with its record in custom document properties (``document_properties``),
so the output folder can show a lost or replaced register (notices.file.recover).

Re-running a batch: ``allocate`` with a ``batch_key`` (kind, unit, round, date —
see ``batch_key``) returns the live record of that batch instead of allocating
a new number. A 'reserved' record whose file was never written (the process was
killed) is returned the same way; the caller writes the file and records it, so
there is neither a gap nor a duplicate. A voided record no longer holds its
batch: re-running the batch then allocates a new number.

The schema is migrations 2, 3, 5 and 6 of ``notices.file.store``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import NoticesError
from .store import Store

REMIND, EXPOSE, CLOSE = "工作提醒", "曝光", "销号"
KINDS = ("督办函", "通报", "约谈通知书", REMIND, EXPOSE, CLOSE)
# What staff type for a kind, in Chinese or in the command names.
KIND_ALIASES = {"督办函": "督办函", "督办": "督办函", "duban": "督办函",
                "通报": "通报", "tongbao": "通报",
                "约谈通知书": "约谈通知书", "约谈": "约谈通知书", "yuetan": "约谈通知书",
                REMIND: REMIND, "提醒": REMIND, "提示单": REMIND, "tixing": REMIND,
                EXPOSE: EXPOSE, "公开曝光": EXPOSE, "baoguang": EXPOSE, CLOSE: CLOSE}
# Series that are the register's own, not 发文字号: an unnumbered 工作提醒, a 销号 record.
OWN_SERIES = {REMIND: "工作提醒", CLOSE: "销号登记"}
# A kind with no 机关代字 of its own takes another kind's sequence.
NUMBERED_LIKE = {EXPOSE: "通报", REMIND: "督办函"}
STATUS_ZH = {"reserved": "已编号未生成", "issued": "已生成", "void": "已作废"}

# Custom document properties (their names as Word shows them under 文件 > 属性 > 自定义)
# that tie an issued file to its record: notices register rebuild reads them back.
P_NUMBER, P_KIND, P_UNIT, P_BATCH, P_REGISTER = "文号", "文种", "单位", "批次", "登记簿"
P_TITLE, P_RECIPIENTS, P_ISSUED, P_AS_OF, P_ROUND, P_REPLY_DUE, P_SUBJECTS = (
    "标题", "主送", "成文日期", "截至日期", "进度轮次", "答复期限", "涉及事项")
PART, MAIN_PART = "部分", "正文"  # which file of the document: 正文, or an attachment's name
STEPS = ("登记", "生成", "答复", "作废")

_OPEN = "〔[【［〖(（"
_CLOSE = "〕]】］〗)）"
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NUMBER_RE = re.compile(
    rf"^\s*(?P<organ>\S+?)\s*[{re.escape(_OPEN)}]\s*(?P<year>\d{{4}})\s*[{re.escape(_CLOSE)}]"
    rf"\s*第?\s*(?P<serial>\d+)\s*号\s*$")
_ORGAN_RE = re.compile(rf"^[^\s\d{re.escape(_OPEN + _CLOSE)}]+$")


# --- numbers -------------------------------------------------------------------------
def _check_organ(organ_code: str) -> str:
    if not isinstance(organ_code, str) or not _ORGAN_RE.match(organ_code):
        raise NoticesError(f"机关代字“{organ_code}”无效：应为不含空格、数字和括号的文字，如“某安委办函”")
    return organ_code


def format_number(organ_code: str, year: int, serial: int) -> str:
    """某安委办函〔2026〕12号: 〔〕 (U+3014/U+3015), full year, no 第, no leading zeros (GB/T 9704)."""
    _check_organ(organ_code)
    if not (1000 <= int(year) <= 9999):
        raise NoticesError(f"年份“{year}”无效：应为四位年份，如 2026")
    if int(serial) < 1:
        raise NoticesError(f"发文顺序号“{serial}”无效：应从 1 开始")
    return f"{organ_code}〔{int(year)}〕{int(serial)}号"


@dataclass(frozen=True)
class DocNumber:
    organ_code: str
    year: int
    serial: int

    def __str__(self) -> str:
        return format_number(self.organ_code, self.year, self.serial)


def parse_number(text: str) -> DocNumber:
    """Read a 发文字号 as staff type it: 〔〕, half-width [], 【】, ［］, full-width digits,
    a stray 第 or leading zeros are accepted; ``str()`` of the result is the standard form."""
    source = str(text)
    m = _NUMBER_RE.match(source.translate(_FULLWIDTH_DIGITS))
    if not m or int(m.group("serial")) < 1:
        raise NoticesError(f"“{source}”不是发文字号，应写成 机关代字〔年份〕序号号，如 某安委办函〔2026〕12号")
    return DocNumber(_check_organ(m.group("organ")), int(m.group("year")), int(m.group("serial")))


def kind_name(text: str) -> str:
    """督办函 / 通报 / 约谈通知书 from any of KIND_ALIASES."""
    kind = KIND_ALIASES.get(text.strip().lower() if text.isascii() else text.strip())
    if kind is None:
        raise NoticesError(f"文种“{text}”无效：应为 {'、'.join(KINDS)}")
    return kind


def normalize_number(text: str) -> str:
    return str(parse_number(text))


def batch_key(kind: str, unit: str, round_id: str | None, day: dt.date | str | None) -> str:
    """The identity of one generated document: the same kind for the same unit,
    round and date is the same document, whatever the re-runs."""
    day_text = day.isoformat() if isinstance(day, dt.date) else (day or "")
    return json.dumps([kind, unit, round_id or "", day_text], ensure_ascii=False)


def document_properties(record: "DocRecord", unit: str, register_id: str) -> dict[str, str]:
    """The custom properties of a document's main file: its record as the register holds
    it (so a re-run of the batch writes the same bytes) and the register's id."""
    def day(value) -> str:
        return value.isoformat() if value else ""

    return {P_NUMBER: record.doc_number, P_KIND: record.kind, P_UNIT: unit, P_BATCH: record.batch_key or "",
            P_REGISTER: register_id, P_TITLE: record.title,
            P_RECIPIENTS: json.dumps(list(record.recipients), ensure_ascii=False),
            P_ISSUED: day(record.issued_on), P_AS_OF: day(record.as_of), P_ROUND: record.round_id or "",
            P_REPLY_DUE: day(record.reply_due),
            P_SUBJECTS: json.dumps({u: list(m) for u, m in record.subjects.items()}, ensure_ascii=False),
            PART: MAIN_PART}


def organ_code_for(config, kind: str) -> str:
    """The 机关代字 configured for a kind of document ([numbering] in notices.toml)."""
    from ..office import require_identity

    codes = config.section("numbering")
    if kind == CLOSE or (kind == REMIND and not config.section("reminder").get("numbered", False)):
        return OWN_SERIES[kind]
    if kind in NUMBERED_LIKE and not str(codes.get(kind, "") or "").strip():
        kind = NUMBERED_LIKE[kind]
    if kind not in codes:
        raise NoticesError(f"配置文件 [numbering] 中没有“{kind}”的机关代字，请补上，如 \"{kind}\" = \"某安委办函\"")
    from ..office import IDENTITY

    if f"numbering.{kind}" in IDENTITY:
        require_identity(config, (f"numbering.{kind}",))
    elif not str(codes[kind] or "").strip():
        raise NoticesError(f"配置文件 [numbering] 中“{kind}”的机关代字为空，请填写，如 \"{kind}\" = \"某安委办\"")
    return _check_organ(codes[kind])


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


# --- records -------------------------------------------------------------------------
@dataclass(frozen=True)
class Output:
    path: str
    sha256: str


@dataclass(frozen=True)
class Request:
    """What ``Register.reserve`` numbers: one document of a batch."""

    kind: str
    organ_code: str
    year: int
    title: str
    recipients: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()
    batch_key: str | None = None
    round_id: str | None = None
    as_of: dt.date | str | None = None
    issued_on: dt.date | str | None = None
    reply_due: dt.date | str | None = None
    subjects: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)


class EarlierDate(NoticesError):
    """A new number would carry an earlier 成文日期 than one already given in its sequence."""

    def __init__(self, number: str, day: str, later: str, later_day: str):
        super().__init__(f"成文日期{_cn(day)}早于{later}的成文日期{_cn(later_day)}：文号按先后编排，"
                         f"后编的号（{number}）成文日期不应更早。请核对 --date；确需如此，请加 --force"
                         f"（将记入该文号的办理记录）。未编号、未发文")


@dataclass(frozen=True)
class DocRecord:
    id: int
    kind: str
    organ_code: str
    year: int
    serial: int
    doc_number: str
    title: str
    recipients: tuple[str, ...]
    milestones: tuple[str, ...]
    round_id: str | None
    as_of: dt.date | None
    issued_on: dt.date | None
    reply_due: dt.date | None
    status: str  # 'reserved' | 'issued' | 'void'
    void_reason: str | None
    outputs: tuple[Output, ...]
    batch_key: str | None
    created_at: dt.datetime
    # unit -> milestone ids the document takes up with it: the addressee of a
    # 督办函 or 约谈通知书, the units a 通报 criticises by name
    subjects: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    existing: bool = field(default=False, compare=False)  # allocate found the batch's record
    # per-kind facts: {"meeting": "2026-12-07T09:00", "place": …} for a 约谈; "force_reason"
    # when it was issued against the ladder's rules
    details: dict = field(default_factory=dict, compare=False)

    @property
    def status_zh(self) -> str:
        return STATUS_ZH.get(self.status, self.status)


@dataclass(frozen=True)
class Reply:
    doc_number: str
    date: dt.date
    note: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class Event:
    doc_number: str
    at: dt.datetime
    step: str
    actor: str
    detail: str


@dataclass(frozen=True)
class OutputCheck:
    doc_number: str
    path: str
    state: str  # 'ok' | 'changed' | 'missing'

    @property
    def state_zh(self) -> str:
        return {"ok": "一致", "changed": "已被改动", "missing": "文件不存在"}[self.state]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _iso(day) -> str | None:
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    if isinstance(day, dt.date):
        return day.isoformat()
    return dt.date.fromisoformat(str(day)).isoformat()


def _record(row, existing: bool = False) -> DocRecord:
    return DocRecord(
        id=row["id"], kind=row["kind"], organ_code=row["organ_code"], year=row["year"], serial=row["serial"],
        doc_number=row["doc_number"], title=row["title"],
        recipients=tuple(json.loads(row["recipients"])), milestones=tuple(json.loads(row["milestones"])),
        round_id=row["round_id"], as_of=_date(row["as_of"]), issued_on=_date(row["issued_on"]),
        reply_due=_date(row["reply_due"]), status=row["status"], void_reason=row["void_reason"],
        outputs=tuple(Output(o["path"], o["sha256"]) for o in json.loads(row["outputs"])),
        batch_key=row["batch_key"], created_at=dt.datetime.fromisoformat(row["created_at"]),
        subjects={u: tuple(m) for u, m in json.loads(row["subjects"]).items()}, existing=existing,
        details=json.loads(row["details"]))


def _cn(day: str | dt.date | None) -> str:
    if day is None:
        return ""
    day = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{day.year}年{day.month}月{day.day}日"


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat()


class Register:
    """The register in the project database ``path`` (outputs/notices.db).

    ``root`` (the project folder): output paths inside it are stored relative to
    it, so the folder can be moved; others are stored absolute.
    """

    def __init__(self, path: Path, root: Path | None = None):
        self.path = Path(path)
        self.root = Path(root).resolve() if root is not None else None
        self._store = Store(self.path)
        self.notes: list[str] = []  # what the last reserve() let pass but the user should hear

    @contextmanager
    def _transaction(self):
        with self._store._transaction() as conn:
            yield conn

    @contextmanager
    def _connect(self):
        with self._store._connect() as conn:
            yield conn

    # --- helpers ---------------------------------------------------------
    def _stored_path(self, path: Path) -> str:
        full = Path(path).resolve()
        if self.root is not None:
            try:
                return full.relative_to(self.root).as_posix()
            except ValueError:
                pass
        return str(full)

    def resolve(self, stored: str) -> Path:
        p = Path(stored)
        if not p.is_absolute() and self.root is not None:
            p = self.root / p
        return p

    @staticmethod
    def _event(conn, doc_number: str, step: str, actor: str = "", detail: str = "") -> None:
        conn.execute("INSERT INTO events (doc_number, at, step, actor, detail) VALUES (?, ?, ?, ?, ?)",
                     (doc_number, _now(), step, actor or "", detail or ""))

    @staticmethod
    def _row(conn, doc_number: str):
        number = normalize_number(doc_number)
        row = conn.execute("SELECT * FROM documents WHERE doc_number = ?", (number,)).fetchone()
        if row is None:
            raise NoticesError(f"登记簿中没有文号“{number}”。用 notices register list 查看已登记的文号")
        return row

    # --- writing ---------------------------------------------------------
    @property
    def register_id(self) -> str:
        """This register's own id (migration 6), written into every document it numbers."""
        with self._connect() as conn:
            return conn.execute("SELECT value FROM register_meta WHERE key = 'register_id'").fetchone()[0]

    def allocate(self, kind: str, organ_code: str, year: int, title: str,
                 recipients: Iterable[str] = (), milestones: Iterable[str] = (), batch_key: str | None = None,
                 round_id: str | None = None, as_of=None, issued_on=None, reply_due=None,
                 actor: str = "", subjects: dict[str, Iterable[str]] | None = None,
                 details: dict | None = None) -> DocRecord:
        """The next number of (organ_code, year), reserved for this document — or, when
        ``batch_key`` already has a live (not void) record, that record (``existing`` True).
        ``details``: JSON-ready facts kept with it; a ``force_reason`` is also written
        into the 登记 step."""
        return self.reserve([Request(kind, organ_code, year, title, tuple(recipients), tuple(milestones), batch_key,
                                     round_id, as_of, issued_on, reply_due, subjects or {}, details or {})],
                            actor=actor)[0]

    def reserve(self, requests: list["Request"], allow_earlier: bool = False, actor: str = "",
                grace: dt.timedelta = dt.timedelta(0)) -> list[DocRecord]:
        """Numbers for a whole batch in one transaction, in order: each request gets the
        next number of its (organ_code, year), or the live record its ``batch_key``
        already has (``existing`` True). Nothing is reserved if any request fails.

        A new number whose 成文日期 is earlier than that of a number already given in
        its sequence is refused (EarlierDate) unless ``allow_earlier``; then the step is
        recorded. Numbers given less than ``grace`` ago are most likely another window's
        issuing at the same moment (who takes the lock first is chance): an earlier
        date after them is recorded and reported in ``self.notes``, not refused."""
        for req in requests:
            _check_organ(req.organ_code)
            if not req.title or not str(req.title).strip():
                raise NoticesError("登记文号时缺少文件标题")
        self.notes = []
        with self._transaction() as conn:
            return [self._reserve_one(conn, req, allow_earlier, actor, grace) for req in requests]

    def _reserve_one(self, conn, req: "Request", allow_earlier: bool, actor: str,
                     grace: dt.timedelta = dt.timedelta(0)) -> DocRecord:
        if req.batch_key is not None:
            row = conn.execute("SELECT * FROM documents WHERE batch_key = ? AND status != 'void'",
                               (req.batch_key,)).fetchone()
            if row is not None:
                return _record(row, existing=True)
        year = int(req.year)
        serial = conn.execute("SELECT COALESCE(MAX(serial), 0) + 1 FROM documents "
                              "WHERE organ_code = ? AND year = ?", (req.organ_code, year)).fetchone()[0]
        number = format_number(req.organ_code, year, serial)
        issued_on = _iso(req.issued_on)
        later = None
        if issued_on is not None:
            later = conn.execute(
                "SELECT doc_number, issued_on, created_at FROM documents WHERE organ_code = ? AND year = ? "
                "AND status != 'void' AND issued_on > ? ORDER BY issued_on DESC, serial DESC LIMIT 1",
                (req.organ_code, year, issued_on)).fetchone()
        step = ""
        if later is not None:
            recent = dt.datetime.fromisoformat(later["created_at"]) >= dt.datetime.now() - grace
            said = (f"成文日期{_cn(issued_on)}早于本序列已编号的{later['doc_number']}（{_cn(later['issued_on'])}）")
            if allow_earlier:
                step = f"{said}，经确认（--force）仍予登记"
            elif recent and grace:
                step = f"{said}；该号刚刚编出，多半是另一窗口同时发文"
                self.notes.append(f"{number}的{step}，请核对两批公文的成文日期")
            else:
                raise EarlierDate(number, issued_on, later["doc_number"], later["issued_on"])
        title = str(req.title).strip()
        conn.execute(
            "INSERT INTO documents (kind, organ_code, year, serial, doc_number, title, recipients, milestones, "
            "round_id, as_of, issued_on, reply_due, status, outputs, batch_key, created_at, subjects, details) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'reserved', '[]', ?, ?, ?, ?)",
            (req.kind, req.organ_code, year, serial, number, title,
             json.dumps(list(req.recipients), ensure_ascii=False), json.dumps(list(req.milestones), ensure_ascii=False),
             req.round_id, _iso(req.as_of), issued_on, _iso(req.reply_due), req.batch_key, _now(),
             json.dumps({u: list(m) for u, m in (req.subjects or {}).items()}, ensure_ascii=False),
             json.dumps(req.details or {}, ensure_ascii=False)))
        forced = (req.details or {}).get("force_reason")
        self._event(conn, number, "登记", actor, f"{req.kind}：{title}"
                    + (f"（未按逐级督办规则发文，原因：{forced}）" if forced else ""))
        if step:
            self._event(conn, number, "日期确认", actor, step)
        return _record(self._row(conn, number))

    def record_outputs(self, doc_number: str, outputs: Iterable[tuple[Path | str, str]],
                       actor: str = "") -> DocRecord:
        """Mark the document issued with the files the caller wrote: each must exist and
        hash to the given SHA-256, or nothing is recorded."""
        return self.record_many([(doc_number, outputs)], actor)[0][0]

    def record_many(self, documents: list[tuple[str, Iterable[tuple[Path | str, str]]]],
                    actor: str = "") -> list[tuple[DocRecord, bool]]:
        """Record the files of several documents in one transaction, each as
        ``record_outputs`` does; nothing is recorded if any of them fails. For each:
        (its record, whether this call issued it — False when it was issued before,
        by an earlier run or by another run of the same batch a moment ago)."""
        checked = []
        for doc_number, outputs in documents:
            outputs = [(Path(p), str(sha).lower()) for p, sha in outputs]
            if not outputs:
                raise NoticesError("没有要登记的输出文件")
            problems = []
            for path, sha in outputs:
                if not path.is_file():
                    problems.append(f"文件不存在：{path}")
                elif file_sha256(path) != sha:
                    problems.append(f"文件内容与生成时不符（SHA-256 不一致）：{path}")
            if problems:
                raise NoticesError(f"未登记 {doc_number} 的输出文件：" + "；".join(problems))
            checked.append((doc_number, [{"path": self._stored_path(p), "sha256": sha} for p, sha in outputs]))
        with self._transaction() as conn:
            return [self._record_one(conn, number, items, actor) for number, items in checked]

    def _record_one(self, conn, doc_number: str, items: list[dict], actor: str) -> tuple[DocRecord, bool]:
        row = self._row(conn, doc_number)
        number = row["doc_number"]
        if row["status"] == "void":
            raise NoticesError(f"{number} 已作废（{row['void_reason']}），不能再登记输出文件")
        if row["status"] == "issued":
            if sorted(json.loads(row["outputs"]), key=lambda o: o["path"]) == sorted(items, key=lambda o: o["path"]):
                return _record(row), False
            raise NoticesError(f"{number} 已生成并登记过输出文件，未做改动；如需重新生成，"
                               f"请先用 notices register void 作废该文号，再重新生成（将使用新文号）")
        conn.execute("UPDATE documents SET status = 'issued', outputs = ? WHERE doc_number = ?",
                     (json.dumps(items, ensure_ascii=False), number))
        self._event(conn, number, "生成", actor, "；".join(i["path"] for i in items))
        return _record(self._row(conn, number)), True

    def void(self, doc_number: str, reason: str, actor: str = "") -> DocRecord:
        """Void a number: it stays in the sequence, marked, and is never reused."""
        reason = (reason or "").strip()
        if not reason:
            raise NoticesError("作废文号必须写明原因")
        with self._transaction() as conn:
            row = self._row(conn, doc_number)
            number = row["doc_number"]
            if row["status"] == "void":
                raise NoticesError(f"{number} 已于此前作废（{row['void_reason']}），未做改动")
            conn.execute("UPDATE documents SET status = 'void', void_reason = ? WHERE doc_number = ?",
                         (reason, number))
            self._event(conn, number, "作废", actor, reason)
            row = self._row(conn, number)
        return _record(row)

    def reply(self, doc_number: str, date, note: str = "", actor: str = "") -> Reply:
        """Record a unit's written reply to a document."""
        day = _iso(date)
        with self._transaction() as conn:
            row = self._row(conn, doc_number)
            number = row["doc_number"]
            if row["status"] == "void":
                raise NoticesError(f"{number} 已作废（{row['void_reason']}），不能登记答复")
            if row["status"] == "reserved":
                raise NoticesError(f"{number} 只编了号、尚未生成文件，不能登记答复")
            now = _now()
            conn.execute("INSERT INTO replies (doc_number, date, note, recorded_at) VALUES (?, ?, ?, ?)",
                         (number, day, note or "", now))
            self._event(conn, number, "答复", actor, f"{day} {note or ''}".strip())
        return Reply(number, dt.date.fromisoformat(day), note or "", dt.datetime.fromisoformat(now))

    # --- reading ---------------------------------------------------------
    def get(self, doc_number: str) -> DocRecord:
        with self._connect() as conn:
            return _record(self._row(conn, doc_number))

    def find_by_batch(self, batch_key: str) -> DocRecord | None:
        """The live (reserved or issued) record of a batch, if any."""
        if not self.path.exists():
            return None
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM documents WHERE batch_key = ? AND status != 'void'",
                               (batch_key,)).fetchone()
        return _record(row, existing=True) if row is not None else None

    def list(self, year: int | None = None, kind: str | None = None) -> list[DocRecord]:
        """Records in number order (机关代字, year, serial)."""
        if not self.path.exists():
            return []
        sql, args = "SELECT * FROM documents WHERE 1 = 1", []
        if year is not None:
            sql += " AND year = ?"
            args.append(int(year))
        if kind is not None:
            sql += " AND kind = ?"
            args.append(kind)
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY year, organ_code, serial", args).fetchall()
        return [_record(r) for r in rows]

    def next_serial(self, organ_code: str, year: int) -> int:
        """The serial the next allocation would get (for provisional numbers; not reserved)."""
        if not self.path.exists():
            return 1
        with self._connect() as conn:
            return conn.execute("SELECT COALESCE(MAX(serial), 0) + 1 FROM documents WHERE organ_code = ? AND year = ?",
                                (_check_organ(organ_code), int(year))).fetchone()[0]

    def first_replies(self) -> dict[str, dt.date]:
        """doc number -> date of its first recorded reply."""
        if not self.path.exists():
            return {}
        with self._connect() as conn:
            rows = conn.execute("SELECT doc_number, MIN(date) AS day FROM replies GROUP BY doc_number").fetchall()
        return {r["doc_number"]: dt.date.fromisoformat(r["day"]) for r in rows}

    def replies(self, doc_number: str) -> list[Reply]:
        with self._connect() as conn:
            number = self._row(conn, doc_number)["doc_number"]
            rows = conn.execute("SELECT * FROM replies WHERE doc_number = ? ORDER BY date, id", (number,)).fetchall()
        return [Reply(r["doc_number"], dt.date.fromisoformat(r["date"]), r["note"],
                      dt.datetime.fromisoformat(r["recorded_at"])) for r in rows]

    def events(self, doc_number: str | None = None) -> list[Event]:
        """Business steps (登记/生成/答复/作废) of one document, or of all, in order."""
        if not self.path.exists():
            return []
        with self._connect() as conn:
            if doc_number is None:
                rows = conn.execute("SELECT * FROM events ORDER BY id").fetchall()
            else:
                number = self._row(conn, doc_number)["doc_number"]
                rows = conn.execute("SELECT * FROM events WHERE doc_number = ? ORDER BY id", (number,)).fetchall()
        return [Event(r["doc_number"], dt.datetime.fromisoformat(r["at"]), r["step"], r["actor"], r["detail"])
                for r in rows]

    def check_outputs(self, record: DocRecord) -> list[OutputCheck]:
        """Re-hash one document's recorded outputs."""
        checks = []
        for out in record.outputs:
            path = self.resolve(out.path)
            if not path.is_file():
                state = "missing"
            elif file_sha256(path) != out.sha256:
                state = "changed"
            else:
                state = "ok"
            checks.append(OutputCheck(record.doc_number, out.path, state))
        return checks

    def verify(self) -> list[OutputCheck]:
        """Re-hash every recorded output of every issued document."""
        return [c for record in self.list() if record.status == "issued" for c in self.check_outputs(record)]

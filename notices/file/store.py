"""The project's SQLite database (outputs/notices.db): collected progress rounds.

Schema changes are migrations keyed by ``PRAGMA user_version``: migration N
brings a database from version N-1 to N, each in its own transaction. A later
issue appends the document register as migration 2; nothing here has to change.

Every write is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), so a round is
stored completely or not at all. The journal is WAL, so reading (``status``,
``table --progress``) never blocks on a collection in progress.

Crashes: a process killed at any point (SIGKILL, Ctrl+C, a closed window) loses
at most its open transaction: in WAL mode a transaction without its commit
record is ignored when the database is next opened. ``synchronous = FULL`` (set on every
connection: it is not stored in the file) adds durability against a power cut
or an operating-system crash: a COMMIT returns only once the WAL is on disk.
With NORMAL, the last commits before a power cut could vanish while the .docx
written under a number they reserved survived — the next run would then give
that number to another document. The cost is one fsync per transaction, a few
per document issued. The WAL needs every process on one computer (shared
memory): the database must not live on a network drive.

Connections: each Store keeps one connection per process and thread, opened (and
the schema migrated) the first time it is needed: opening costs more than most
statements. A database another program holds is waited for (``configure``: how
long, and how the wait is announced — never silently); every SQLite error is
told as what it is (read-only folder, full disk, lock, damaged file: see
``db_errors``), never as damage when it is not. After a command, ``written``
names the databases it changed, for the automatic backup (notices.file.backup).

Re-collecting a round: ``save_round`` refuses a round that is already stored
unless ``replace=True`` (CLI ``--replace``) — collecting into the wrong round id
must not silently destroy a month's data. Replacing is atomic and keeps a
record: the old round (its row, files, reports, skipped rows and notes) is
kept as JSON in ``round_history`` before it is deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoticesError, Problem
from ..model import Report

MIGRATIONS: tuple[str, ...] = (
    # 1: progress rounds
    """
    CREATE TABLE rounds (
        id TEXT PRIMARY KEY,                 -- "2026-11"
        as_of TEXT NOT NULL,                 -- ISO date: the round's cut-off
        collected_at TEXT NOT NULL,          -- ISO date-time, local
        registry_version TEXT NOT NULL,
        accepted_warnings INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE source_files (
        round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL
    );
    CREATE TABLE reports (
        round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,                -- reading order within the round
        unit TEXT NOT NULL,
        milestone_id TEXT NOT NULL,
        state TEXT NOT NULL,
        completed_on TEXT,
        percent REAL,
        text TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '',
        reporter TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        reported_on TEXT,
        source TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (round_id, unit, milestone_id)
    );
    CREATE INDEX reports_by_unit ON reports (unit, milestone_id);
    CREATE TABLE skipped (                   -- errors accepted with --accept-warnings: not stored
        round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        place TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE TABLE round_notes (               -- warnings: stored with a note
        round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        place TEXT NOT NULL,
        message TEXT NOT NULL
    );
    CREATE TABLE round_history (             -- rounds replaced by a re-collection
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        round_id TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        snapshot TEXT NOT NULL               -- JSON: round, files, reports, skipped, notes
    );
    """,
    # 2: the document register (notices.file.register): numbered documents, replies, business steps
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,                  -- 督办函 / 通报 / 约谈通知书
        organ_code TEXT NOT NULL,            -- 机关代字: one sequence per code per year
        year INTEGER NOT NULL,
        serial INTEGER NOT NULL,
        doc_number TEXT NOT NULL UNIQUE,     -- 某安委办函〔2026〕12号
        title TEXT NOT NULL,
        recipients TEXT NOT NULL DEFAULT '[]',   -- JSON list of unit names
        milestones TEXT NOT NULL DEFAULT '[]',   -- JSON list of milestone ids covered
        round_id TEXT,
        as_of TEXT,                          -- ISO date: the data's cut-off
        issued_on TEXT,                      -- ISO date: 成文日期
        reply_due TEXT,                      -- ISO date
        status TEXT NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'issued', 'void')),
        void_reason TEXT,
        outputs TEXT NOT NULL DEFAULT '[]',      -- JSON list of {path, sha256}
        batch_key TEXT,
        created_at TEXT NOT NULL,            -- ISO date-time, local
        UNIQUE (organ_code, year, serial)
    );
    CREATE UNIQUE INDEX documents_live_batch ON documents (batch_key)
        WHERE batch_key IS NOT NULL AND status != 'void';
    CREATE TABLE replies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_number TEXT NOT NULL REFERENCES documents(doc_number),
        date TEXT NOT NULL,                  -- ISO date of the reply
        note TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL
    );
    CREATE TABLE events (                    -- business steps, read by filing: 登记/生成/答复/作废
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_number TEXT NOT NULL REFERENCES documents(doc_number),
        at TEXT NOT NULL,                    -- ISO date-time, local
        step TEXT NOT NULL,
        actor TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX events_by_doc ON events (doc_number, id);
    """,
    # 3: what each document takes up with each unit, read by the escalation plan
    """
    ALTER TABLE documents ADD COLUMN subjects TEXT NOT NULL DEFAULT '{}';  -- JSON {unit: [milestone ids]}
    """,
    # 4: the filing package (notices.file.archive): one 件 per document, never renumbered
    """
    CREATE TABLE archive_items (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        doc_number TEXT NOT NULL UNIQUE REFERENCES documents(doc_number),
        year INTEGER NOT NULL,
        fonds TEXT NOT NULL,                 -- 全宗号
        retention TEXT NOT NULL,             -- Y / D30 / D10
        org_code TEXT NOT NULL DEFAULT '',   -- 机构（问题）代码, '' when not used
        piece INTEGER NOT NULL,              -- 件号, from 1 within (year, fonds, retention, org_code)
        archival_code TEXT NOT NULL UNIQUE,  -- 档号
        files TEXT NOT NULL,                 -- JSON [{name, size, pages, sha256, sm3, source, producer}]
        filed_at TEXT NOT NULL,
        UNIQUE (year, fonds, retention, org_code, piece)
    );
    CREATE TABLE archive_files (             -- the package's rewritten files: 目录, manifest
        year INTEGER NOT NULL,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        sm3 TEXT NOT NULL,
        PRIMARY KEY (year, name)
    );
    """,
    # 5: recurring requirements reported period by period (reports.period: the period's key,
    # '' for the requirement as a whole); rejected rows tied to the item they were about;
    # units keyed by a stable id (reports.unit and documents.subjects hold ids from here on;
    # unit_names remembers the name each id last had, so a rename can be told);
    # documents.details: per-kind facts (约谈 time and place, why a step was forced)
    """
    CREATE TABLE reports_v5 (
        round_id TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        unit TEXT NOT NULL,                  -- unit id (older rows: the unit's name then)
        milestone_id TEXT NOT NULL,
        period TEXT NOT NULL DEFAULT '',     -- "2026-Q4", "2026", "2026-H1", "2026-11"; '' = whole requirement
        state TEXT NOT NULL,
        completed_on TEXT,
        percent REAL,
        text TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '',
        reporter TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        reported_on TEXT,
        source TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (round_id, unit, milestone_id, period)
    );
    INSERT INTO reports_v5 (round_id, seq, unit, milestone_id, period, state, completed_on, percent, text,
                            evidence, reporter, phone, reported_on, source)
        SELECT round_id, seq, unit, milestone_id, '', state, completed_on, percent, text,
               evidence, reporter, phone, reported_on, source FROM reports;
    DROP TABLE reports;
    ALTER TABLE reports_v5 RENAME TO reports;
    CREATE INDEX reports_by_unit ON reports (unit, milestone_id, period);
    ALTER TABLE skipped ADD COLUMN unit TEXT NOT NULL DEFAULT '';          -- unit id, when the row named one
    ALTER TABLE skipped ADD COLUMN milestone_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE skipped ADD COLUMN period TEXT NOT NULL DEFAULT '';
    CREATE TABLE unit_names (
        id TEXT PRIMARY KEY,                 -- the unit's id in units.yaml
        name TEXT NOT NULL,                  -- its full name when last seen
        seen_at TEXT NOT NULL                -- ISO date-time, local
    );
    ALTER TABLE documents ADD COLUMN details TEXT NOT NULL DEFAULT '{}';  -- JSON
    """,
    # 6: the register knows itself: a random id, written into every document it numbers
    # (custom property 登记簿), so documents of another or of a lost register are told apart
    """
    CREATE TABLE register_meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    INSERT INTO register_meta (key, value) VALUES ('register_id', lower(hex(randomblob(16))));
    """,
    # 7: the supervision cycle (issue 15): a unit's request for an extension comes with its report;
    # the office's steps on single items (延期, 不予延期, 销号) are kept one row each, with who and when
    """
    ALTER TABLE reports ADD COLUMN extension_to TEXT;                       -- ISO date asked for
    ALTER TABLE reports ADD COLUMN extension_reason TEXT NOT NULL DEFAULT '';
    CREATE TABLE item_steps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        unit TEXT NOT NULL,                  -- unit id
        item TEXT NOT NULL,                  -- "7-1", or "7-1@2026-Q4" for one period
        step TEXT NOT NULL,                  -- 延期 / 不予延期 / 销号
        day TEXT NOT NULL,                   -- ISO date the step took effect (approval, verification)
        actor TEXT NOT NULL DEFAULT '',      -- who decided or verified
        detail TEXT NOT NULL DEFAULT '{}',   -- JSON: new and old deadline, reason, document, evidence
        doc_number TEXT,                     -- the register record it belongs to (a 销号's), if any
        at TEXT NOT NULL                     -- ISO date-time, local: when it was recorded
    );
    CREATE INDEX item_steps_by_item ON item_steps (unit, item, id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

@dataclass(frozen=True)
class RoundInfo:
    id: str
    as_of: dt.date
    collected_at: dt.datetime
    registry_version: str
    accepted_warnings: bool
    files: int
    reports: int
    units: int
    skipped: int
    notes: int


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _report(row: sqlite3.Row) -> Report:
    later = "extension_to" in row.keys()  # a database from before migration 7 has no such columns
    return Report(
        unit=row["unit"], milestone_id=row["milestone_id"], period=row["period"], state=row["state"],
        completed_on=_date(row["completed_on"]), percent=row["percent"], text=row["text"],
        evidence=row["evidence"], reporter=row["reporter"], phone=row["phone"], round_id=row["round_id"],
        reported_on=_date(row["reported_on"]), source=row["source"],
        extension_to=_date(row["extension_to"]) if later else None,
        extension_reason=row["extension_reason"] if later else "",
    )



_settings = {"patience": 30.0, "notify": None}
_STEP = 1.0  # seconds SQLite itself waits for a lock before we say anything
# databases a transaction of this thread committed to (backups follow): per thread, so that
# each of several actions running at once in one process (the local web page) backs up
# after its own changes
_local = threading.local()


def _written() -> set[Path]:
    if not hasattr(_local, "written"):
        _local.written = set()
    return _local.written


def configure(patience: float | None = None, notify=None) -> None:
    """How long to wait for a database another program holds ([register] lock_wait),
    and how to tell the user that we are waiting (a callable taking the message)."""
    if patience is not None:
        _settings["patience"] = float(patience)
    if notify is not None:
        _settings["notify"] = notify


def written(clear: bool = False) -> set[Path]:
    """The databases this thread has changed (committed a write transaction to) since
    the last ``clear``."""
    out = set(_written())
    if clear:
        _written().clear()
    return out


def _patiently(path: Path, step):
    """Run ``step`` until it gets past a lock held by another program; say once that we
    are waiting (and for whom), give up after the configured patience with the message
    that names what to close. Other errors are told as they are (db_errors)."""
    from . import db_errors

    start = time.monotonic()
    told = False
    while True:
        try:
            return step()
        except sqlite3.Error as exc:
            waited = time.monotonic() - start
            if not db_errors.is_busy(exc):
                raise db_errors.db_error(exc, path) from None
            if waited >= _settings["patience"]:
                raise db_errors.locked(path, waited) from None
            if not told and _settings["notify"] is not None:
                told = True
                _settings["notify"](f"数据库“{path}”正被另一个程序占用，正在等待（最多 {_settings['patience']:.0f} 秒）。"
                                    f"{db_errors.locked_hint(path)}。")
            time.sleep(0.01)


class Store:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._migrated = False
        self._conns: dict[tuple[int, int], sqlite3.Connection] = {}

    # --- connection ------------------------------------------------------
    def _open(self) -> sqlite3.Connection:
        """This process's and thread's connection, opened (and the schema brought up to
        date) once: opening costs more than most of the statements run on it."""
        key = (os.getpid(), threading.get_ident())
        conn = self._conns.get(key)
        if conn is not None:
            return conn
        from . import db_errors

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise (db_errors.os_error(exc) or NoticesError(f"无法创建文件夹“{self.path.parent}”：{exc}")) from None
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=_STEP, check_same_thread=False)
        except sqlite3.Error as exc:
            raise db_errors.db_error(exc, self.path) from None
        conn.row_factory = sqlite3.Row
        try:
            _patiently(self.path, lambda: conn.execute("PRAGMA foreign_keys = ON"))
            # per connection; see the module's docstring
            _patiently(self.path, lambda: conn.execute("PRAGMA synchronous = FULL"))
            if not self._migrated:
                _patiently(self.path, lambda: conn.execute("PRAGMA journal_mode = WAL"))
                self._migrate(conn)
                self._migrated = True
        except sqlite3.Error as exc:
            conn.close()
            raise db_errors.db_error(exc, self.path) from None
        except BaseException:
            conn.close()
            raise
        self._conns[key] = conn
        return conn

    def close(self) -> None:
        """Close this process's connections (before the file is replaced or removed)."""
        for key, conn in list(self._conns.items()):
            if key[0] == os.getpid():
                conn.close()
            del self._conns[key]

    @contextmanager
    def _connect(self):
        conn = self._open()
        try:
            yield conn
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # our mistake, not the database's state: logged as an internal error
        except sqlite3.Error as exc:
            from .db_errors import db_error

            raise db_error(exc, self.path) from None

    @contextmanager
    def _transaction(self):
        with self._connect() as conn:
            _patiently(self.path, lambda: conn.execute("BEGIN IMMEDIATE"))
            before = conn.total_changes
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    try:
                        conn.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass  # SQLite rolled back already (disk full, I/O error)
                raise
            conn.execute("COMMIT")
            if conn.total_changes != before:
                _written().add(self.path)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = _patiently(self.path, lambda: conn.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise NoticesError(f"数据库“{self.path}”由更新版本的 notices 创建（结构版本 {version}），"
                               f"请升级 notices 后再使用")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            _patiently(self.path, lambda: conn.execute("BEGIN IMMEDIATE"))
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] >= number:  # another process did it
                    conn.execute("COMMIT")
                    continue
                for statement in _statements(MIGRATIONS[number - 1]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def _exists(self) -> bool:
        return self.path.exists()

    @property
    def schema_version(self) -> int:
        with self._connect() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    # --- writing ---------------------------------------------------------
    def save_round(self, round_id: str, as_of: dt.date, result, accept_warnings: bool,
                   replace: bool = False, unit_key=None) -> None:
        """Store a collected round (a ``CollectResult``) in one transaction.

        ``unit_key``: full name -> the key stored for the unit (its id); names are
        stored as they are without it.

        Errors in ``result`` are allowed only with ``accept_warnings``: they are
        recorded as skipped rows. An existing round is refused unless
        ``replace``; then it is archived in round_history and replaced.
        """
        errors = [p for p in result.problems if p.severity == "error"]
        if errors and not accept_warnings:
            raise NoticesError(f"第 {round_id} 轮有 {len(errors)} 处错误，未保存", errors)
        now = dt.datetime.now().replace(microsecond=0)

        def key(name: str) -> str:
            return (unit_key(name) if unit_key else None) or name

        with self._transaction() as conn:
            old = conn.execute("SELECT * FROM rounds WHERE id = ?", (round_id,)).fetchone()
            if old is not None:
                if not replace:
                    count = conn.execute("SELECT count(*) FROM reports WHERE round_id = ?", (round_id,)).fetchone()[0]
                    raise NoticesError(
                        f"{round_id} 轮已于 {old['collected_at'].replace('T', ' ')} 收集过（{count} 条填报），未做改动；"
                        f"如需用这次的文件重新收集并替换原有数据，请加 --replace")
                conn.execute("INSERT INTO round_history (round_id, replaced_at, snapshot) VALUES (?, ?, ?)",
                             (round_id, now.isoformat(), json.dumps(self._snapshot(conn, round_id), ensure_ascii=False)))
                conn.execute("DELETE FROM rounds WHERE id = ?", (round_id,))
            conn.execute("INSERT INTO rounds (id, as_of, collected_at, registry_version, accepted_warnings) "
                         "VALUES (?, ?, ?, ?, ?)",
                         (round_id, as_of.isoformat(), now.isoformat(), getattr(result, "registry_version", ""),
                          int(bool(accept_warnings))))
            sizes = getattr(result, "sizes", {})
            conn.executemany("INSERT INTO source_files (round_id, name, sha256, size) VALUES (?, ?, ?, ?)",
                             [(round_id, name, sha, sizes.get(name, 0)) for name, sha in result.files])
            conn.executemany(
                "INSERT INTO reports (round_id, seq, unit, milestone_id, period, state, completed_on, percent, text, "
                "evidence, reporter, phone, reported_on, source, extension_to, extension_reason) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(round_id, seq, key(r.unit), r.milestone_id, r.period, r.state,
                  r.completed_on.isoformat() if r.completed_on else None, r.percent, r.text, r.evidence,
                  r.reporter, r.phone, (r.reported_on or as_of).isoformat(), r.source,
                  r.extension_to.isoformat() if r.extension_to else None, r.extension_reason or "")
                 for seq, r in enumerate(result.reports)])
            conn.executemany("INSERT INTO skipped (round_id, seq, place, reason, unit, milestone_id, period) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(round_id, seq, p.where, p.message,
                               *((key(p.subject[0]), *p.subject[1:]) if p.subject else ("", "", "")))
                              for seq, p in enumerate(errors)])
            notes = [p for p in result.problems if p.severity != "error"]
            conn.executemany("INSERT INTO round_notes (round_id, seq, place, message) VALUES (?, ?, ?, ?)",
                             [(round_id, seq, p.where, p.message) for seq, p in enumerate(notes)])

    @staticmethod
    def _snapshot(conn: sqlite3.Connection, round_id: str) -> dict:
        def rows(sql: str) -> list[dict]:
            return [dict(r) for r in conn.execute(sql, (round_id,))]

        return {
            "round": rows("SELECT * FROM rounds WHERE id = ?")[0],
            "files": rows("SELECT name, sha256, size FROM source_files WHERE round_id = ?"),
            "reports": rows("SELECT * FROM reports WHERE round_id = ? ORDER BY seq"),
            "skipped": rows("SELECT place, reason FROM skipped WHERE round_id = ? ORDER BY seq"),
            "notes": rows("SELECT place, message FROM round_notes WHERE round_id = ? ORDER BY seq"),
        }

    # --- reading ---------------------------------------------------------
    def has_round(self, round_id: str) -> bool:
        if not self._exists():
            return False
        with self._connect() as conn:
            return conn.execute("SELECT 1 FROM rounds WHERE id = ?", (round_id,)).fetchone() is not None

    def rounds(self) -> list[RoundInfo]:
        """Stored rounds, oldest first."""
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("""
                SELECT r.*,
                  (SELECT count(*) FROM source_files f WHERE f.round_id = r.id) AS n_files,
                  (SELECT count(*) FROM reports p WHERE p.round_id = r.id) AS n_reports,
                  (SELECT count(DISTINCT unit) FROM reports p WHERE p.round_id = r.id) AS n_units,
                  (SELECT count(*) FROM skipped s WHERE s.round_id = r.id) AS n_skipped,
                  (SELECT count(*) FROM round_notes n WHERE n.round_id = r.id) AS n_notes
                FROM rounds r ORDER BY r.as_of, r.id""").fetchall()
        return [RoundInfo(r["id"], _date(r["as_of"]), dt.datetime.fromisoformat(r["collected_at"]),
                          r["registry_version"], bool(r["accepted_warnings"]), r["n_files"], r["n_reports"],
                          r["n_units"], r["n_skipped"], r["n_notes"]) for r in rows]

    def reports(self, round_id: str) -> list[Report]:
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM reports WHERE round_id = ? ORDER BY seq", (round_id,)).fetchall()
        return [_report(r) for r in rows]

    def reports_until(self, as_of: dt.date) -> list[Report]:
        """Every report of every round with as_of <= the date, oldest round first."""
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("""
                SELECT p.* FROM reports p JOIN rounds r ON r.id = p.round_id
                WHERE r.as_of <= ? ORDER BY r.as_of, r.id, p.seq""", (as_of.isoformat(),)).fetchall()
        return [_report(r) for r in rows]

    def latest_reports(self, until: dt.date | None = None,
                       before_round: str | None = None) -> dict[tuple[str, str, str], Report]:
        """(unit key, milestone id, period key) -> its most recent report, among rounds with
        as_of <= until (all rounds if None) and, with before_round, round ids before that one."""
        reports = self.reports_until(until or dt.date.max)
        latest: dict[tuple[str, str, str], Report] = {}
        for r in reports:
            if before_round is None or r.round_id < before_round:
                latest[(r.unit, r.milestone_id, r.period)] = r
        return latest

    def skipped(self, round_id: str) -> list[Problem]:
        """Rows refused at collection, each with the item it was about when known."""
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT * FROM skipped WHERE round_id = ? ORDER BY seq", (round_id,)).fetchall()
        return [Problem(r["place"], r["reason"], "error",
                        (r["unit"], r["milestone_id"], r["period"]) if r["unit"] and r["milestone_id"] else None)
                for r in rows]

    # --- unit identity ------------------------------------------------------
    def remember_units(self, names: dict[str, str]) -> None:
        """Record the name each unit id has now (id -> full name), so that a later
        rename can be told and a removed unit's history named."""
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        with self._transaction() as conn:
            known = dict(conn.execute("SELECT id, name FROM unit_names").fetchall())
            changed = [(key, name, now) for key, name in names.items() if known.get(key) != name]
            conn.executemany("INSERT INTO unit_names (id, name, seen_at) VALUES (?, ?, ?) "
                             "ON CONFLICT (id) DO UPDATE SET name = excluded.name, seen_at = excluded.seen_at",
                             changed)

    def unit_names(self) -> dict[str, str]:
        """id -> the name it had when last recorded."""
        if not self._exists():
            return {}
        with self._connect() as conn:
            return dict(conn.execute("SELECT id, name FROM unit_names").fetchall())

    def unit_name(self, key: str) -> str | None:
        return self.unit_names().get(key)

    def unit_keys(self) -> dict[str, int]:
        """Every unit key the reports use -> how many reports."""
        if not self._exists():
            return {}
        with self._connect() as conn:
            return dict(conn.execute("SELECT unit, count(*) FROM reports GROUP BY unit").fetchall())

    def notes(self, round_id: str) -> list[Problem]:
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT place, message FROM round_notes WHERE round_id = ? ORDER BY seq",
                                (round_id,)).fetchall()
        return [Problem(r["place"], r["message"], "warning") for r in rows]

    def files(self, round_id: str) -> list[tuple[str, str, int]]:
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT name, sha256, size FROM source_files WHERE round_id = ? ORDER BY rowid",
                                (round_id,)).fetchall()
        return [(r["name"], r["sha256"], r["size"]) for r in rows]

    def history(self, round_id: str) -> list[dict]:
        """Replaced versions of a round, oldest first (each: replaced_at and the snapshot)."""
        if not self._exists():
            return []
        with self._connect() as conn:
            rows = conn.execute("SELECT replaced_at, snapshot FROM round_history WHERE round_id = ? ORDER BY id",
                                (round_id,)).fetchall()
        return [{"replaced_at": r["replaced_at"], **json.loads(r["snapshot"])} for r in rows]



def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3 decides where one is complete)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    if buf.strip() and not all(l.strip().startswith("--") or not l.strip() for l in buf.splitlines()):
        out.append(buf.strip())
    return out

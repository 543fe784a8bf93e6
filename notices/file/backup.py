"""Backups of the project database in outputs/备份/.

After every command or web page action that changed the database,
``backup_after_change`` takes a consistent copy with SQLite's backup API (a snapshot even while other processes write) into
``outputs/备份/notices.db.<date-time>.bak`` and keeps the newest ``[register]
backup_count``. A copy is written under a temporary name, synced by SQLite,
then renamed, so a backup under its final name is always whole. The copies use
the rollback journal, not WAL: each is one self-contained file staff can move
around. ``notices register restore`` (notices.file.recover) puts one back.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoticesError
from .outputs import fsync_folder, sweep_temps, temp_prefix

FOLDER = "备份"
PREFIX, SUFFIX = "notices.db.", ".bak"


def folder_for(db: Path) -> Path:
    return Path(db).parent / FOLDER


def backups(db: Path) -> list[Path]:
    """The backups of ``db``, oldest first (their names sort by time)."""
    folder = folder_for(db)
    try:
        names = [e.name for e in os.scandir(folder) if e.is_file() and e.name.startswith(PREFIX)
                 and e.name.endswith(SUFFIX)]
    except OSError:
        return []
    return [folder / n for n in sorted(names)]


def _copy(src: sqlite3.Connection, target: Path) -> None:
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
    finally:
        dst.close()


def make_backup(db: Path, keep: int, label: str = "") -> Path | None:
    """A consistent copy of ``db`` in outputs/备份/ (None when there is no database);
    the oldest backups beyond ``keep`` are removed. ``label`` goes into the name
    (e.g. 恢复前)."""
    from .db_errors import db_error, os_error

    db = Path(db)
    if not db.is_file():
        return None
    folder = folder_for(db)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    final = folder / f"{PREFIX}{stamp}{'-' + label if label else ''}{SUFFIX}"
    tmp = folder / f"{temp_prefix()}{secrets.token_hex(4)}{SUFFIX}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        sweep_temps(folder)
        src = sqlite3.connect(db, isolation_level=None, timeout=30)
        try:
            _copy(src, tmp)
        finally:
            src.close()
        if final.exists():  # two processes in the same microsecond
            final = final.with_name(f"{final.name[:-len(SUFFIX)]}-{os.getpid()}{SUFFIX}")
        os.replace(tmp, final)
        fsync_folder(folder)
    except sqlite3.Error as exc:
        raise db_error(exc, db) from None
    except OSError as exc:
        raise (os_error(exc) or NoticesError(f"无法写入备份“{final}”：{exc}")) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}-journal")):
            try:
                leftover.unlink()
            except OSError:
                pass
    rotate(db, keep)
    return final


def rotate(db: Path, keep: int) -> list[Path]:
    """Remove the oldest backups beyond ``keep`` (never the newest); what was removed."""
    removed = []
    for old in backups(db)[:-max(int(keep), 1)]:
        try:
            old.unlink()
            removed.append(old)
        except OSError:  # removed meanwhile by another run, or in use
            pass
    return removed


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    documents: int
    latest: str  # the highest 文号 it knows, e.g. 某安委办函〔2026〕28号 ("" when none)
    register_id: str | None
    ok: bool
    problem: str = ""


def describe(path: Path) -> BackupInfo:
    """What a backup (or any notices database file) holds, read without changing it."""
    path = Path(path)
    taken = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                return BackupInfo(path, taken, 0, "", None, False, f"文件已损坏（{check}）")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "documents" not in tables:
                return BackupInfo(path, taken, 0, "", None, False, "不是 notices 的数据库（没有发文登记簿）")
            count = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            row = conn.execute("SELECT doc_number FROM documents ORDER BY year DESC, created_at DESC, serial DESC "
                               "LIMIT 1").fetchone()
            rid = None
            if "register_meta" in tables:
                got = conn.execute("SELECT value FROM register_meta WHERE key = 'register_id'").fetchone()
                rid = got[0] if got else None
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return BackupInfo(path, taken, 0, "", None, False, f"无法读取（{exc}）")
    return BackupInfo(path, taken, count, row[0] if row else "", rid, True)


def backup_after_change(project, warn) -> Path | None:
    """After an action (a command, a page's form) on ``project``: a backup when this
    thread changed the project database (``store.written``), else the backup folder
    swept of half-made copies a killed run left. ``warn`` hears a backup that failed:
    the action itself succeeded, so that is a warning, not an error."""
    from ..project import db_path
    from . import store

    db = db_path(project)
    if db not in store.written(clear=True):
        sweep_temps(folder_for(db))
        return None
    keep = project.config.section("register").get("backup_count", 20)
    try:
        return make_backup(db, keep)
    except NoticesError as exc:
        warn(f"自动备份未能完成：{exc.message}")
        return None

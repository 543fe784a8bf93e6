"""What went wrong with the project database, told truthfully.

SQLite reports a read-only folder, a full disk, a lock held by another program
and a damaged file through different result codes; staff must hear which one it
is, because the remedies differ and the wrong one loses data: restoring an old
backup when the file was merely read-only would hand out 文号 a second time.
Only a damaged file (SQLITE_CORRUPT / SQLITE_NOTADB) is answered with a backup.

``holders`` names the processes that have the database open (Linux: /proc), so
a "locked" message can say what to close.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
from pathlib import Path

from ..errors import NoticesError

_READONLY_ERRNOS = (errno.EACCES, errno.EPERM, errno.EROFS)
_FULL_ERRNOS = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
LOW_SPACE = 1 << 20  # bytes: less than this free counts as a full disk


def can_write(folder: Path) -> bool:
    """Whether a new file can be made in ``folder`` (tried, not guessed: root passes
    os.access on a read-only mount or an immutable folder)."""
    probe = Path(folder) / f".~{os.getpid()}-写入检查"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return True
    except OSError:
        return False
    os.close(fd)
    try:
        os.unlink(probe)
    except OSError:
        pass
    return True


def _free(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def holders(path: Path) -> list[str]:
    """Other processes with the database (or its -wal/-shm) open: "进程 123（命令行）".
    Linux only (/proc); elsewhere, or without permission, an empty list."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    try:
        target = str(Path(path).resolve())
    except OSError:
        return []
    names = {target, target + "-wal", target + "-shm", target + "-journal"}
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) in names:
                    cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace").strip()
                    found.append(f"进程 {entry.name}（{cmd[:80] or '未知程序'}）")
                    break
            except OSError:
                continue
    return found


def locked_hint(path: Path) -> str:
    """Who holds the database and what to close."""
    who = holders(path)
    if who:
        return f"占用它的是：{'；'.join(who)}。请等它结束或关闭它"
    return ("可能是另一个窗口中正在运行的 notices（发文、收集、归档等），或打开了该文件的数据库软件"
            "（如 DB Browser for SQLite）。请等另一个 notices 运行结束，或关闭该软件")


def locked(path: Path, waited: float) -> NoticesError:
    return NoticesError(f"数据库“{path}”正被另一个程序占用，已等待 {waited:.0f} 秒，本命令未做任何改动。"
                        f"{locked_hint(path)}，然后重新运行本命令")


def readonly(path: Path, detail: str = "") -> NoticesError:
    return NoticesError(f"无法写入“{path}”：文件或所在文件夹是只读的，或没有写入权限{detail}。"
                        f"请把工作目录放在有写入权限的位置（或取消只读属性）后重新运行。文件本身没有损坏，无需从备份恢复")


def disk_full(path: Path, detail: str = "") -> NoticesError:
    return NoticesError(f"磁盘空间已满，无法写入“{path}”{detail}。请腾出磁盘空间后重新运行本命令："
                        f"未完成的改动没有保存，已编的文号重新运行时用原号补齐。文件本身没有损坏，无需从备份恢复")


def damaged(path: Path, detail: str) -> NoticesError:
    return NoticesError(f"数据库文件“{path}”已损坏或不是 notices 的数据库（{detail}）。"
                        f"请用 notices register restore 恢复 {Path(path).parent / '备份'} 中最近的备份"
                        f"（notices register backups 列出全部备份），或用 notices register rebuild 从输出文件重建登记簿")


def is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc) or "busy" in str(exc)


def db_error(exc: sqlite3.Error, path: Path, waited: float = 0.0) -> NoticesError:
    """The NoticesError that tells what really happened to the database at ``path``."""
    path = Path(path)
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if is_busy(exc):
        return locked(path, waited)
    if name == "SQLITE_FULL" or "disk is full" in text:
        return disk_full(path)
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or name.startswith("SQLITE_CORRUPT") \
            or "malformed" in text or "not a database" in text:
        return damaged(path, text)
    folder = _existing(path.parent)
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return readonly(path)
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM", "SQLITE_AUTH")) \
            or "unable to open" in text or "disk I/O error" in text:
        if not can_write(folder) or (path.exists() and not os.access(path, os.W_OK)):
            return readonly(path)
        free = _free(folder)
        if free is not None and free < LOW_SPACE:
            return disk_full(path)
        return NoticesError(f"读写数据库“{path}”时出错（{text}）。请检查磁盘和该文件夹后重新运行；"
                            f"这不表示数据库已损坏，请不要急于从备份恢复")
    return NoticesError(f"数据库“{path}”操作失败（{text}）")


def os_error(exc: OSError) -> NoticesError | None:
    """A file-system error as a Chinese message naming the file, or None when it is
    not one staff can act on (then it is a bug, logged as such)."""
    where = exc.filename or ""
    if isinstance(exc, PermissionError) or exc.errno in _READONLY_ERRNOS:
        return readonly(Path(where) if where else Path("."), f"（{exc.strerror or exc}）")
    if exc.errno in _FULL_ERRNOS:
        return disk_full(Path(where) if where else Path("."))
    if isinstance(exc, FileNotFoundError) and where:
        return NoticesError(f"找不到文件或文件夹：{where}")
    return None

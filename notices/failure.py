"""What an action that failed tells the user, for every front end (the CLI, the web page).

``explain`` turns what the user can act on (our own NoticesError, a file-system or
database error with a known cause) into a NoticesError; anything else is a bug:
``log_internal`` keeps its traceback in the working folder's error log and
``internal_message`` says where, in Chinese, never the traceback itself.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
import traceback
from pathlib import Path

from .config import CONFIG_FILE
from .errors import NoticesError

LOG_NAME = "notices-error.log"


def explain(exc: BaseException, db: Path) -> NoticesError | None:
    """The user's message for ``exc``, or None when it is a bug. ``db``: the project
    database, named in a database error."""
    if isinstance(exc, NoticesError):
        return exc
    if isinstance(exc, sqlite3.Error):
        from .file.db_errors import db_error

        return db_error(exc, db)
    if isinstance(exc, OSError):
        from .file.db_errors import os_error

        return os_error(exc)
    return None


def log_internal(root: Path | None, what: str) -> tuple[Path | None, str]:
    """Write the exception being handled to the working folder's outputs/notices-error.log
    (a temporary folder's when ``root`` is no working folder or cannot be written).
    ``what``: the command or page that failed. Returns (the log, "") or (None, why
    no log could be written)."""
    root = Path(root or Path.cwd())
    places = [root / "outputs" / LOG_NAME] if (root / CONFIG_FILE).is_file() or (root / "outputs").is_dir() else []
    places.append(Path(tempfile.gettempdir()) / LOG_NAME)
    entry = f"--- {dt.datetime.now().isoformat()} {what}\n{traceback.format_exc()}\n"
    why = ""
    for log in places:
        try:
            log.parent.mkdir(parents=True, exist_ok=True)
            with log.open("a", encoding="utf-8") as fh:
                fh.write(entry)
        except OSError as err:
            why = why or f"{log}：{err.strerror or err}"
            continue
        return log.resolve(), ""
    return None, why


def internal_message(exc: BaseException, log: Path | None, why: str, what: str = "所运行的命令") -> str:
    """"程序内部出错……" naming the log (or, without one, the error itself)."""
    if log is not None:
        return f"程序内部出错（{type(exc).__name__}）。详情已记录在 {log}，请将该文件发给维护人员。"
    return (f"程序内部出错（{type(exc).__name__}：{exc}）。错误记录也无法写入（{why}），"
            f"请把本段文字和{what}发给维护人员。")

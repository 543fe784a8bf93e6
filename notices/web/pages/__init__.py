"""The pages, one module each; helpers they share."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

from flask import Flask, current_app, url_for

from ...errors import NoticesError
from ..app import project
from ...textfmt import path_label

NAV = (  # (endpoint, label)
    ("overview.page", "总览"),
    ("collect.page", "收集"),
    ("issue.page", "计划与发文"),
    ("register.page", "登记簿"),
    ("files.tables", "序时进度表"),
    ("files.archive", "归档"),
)


def register(app: Flask) -> None:
    from . import book, collect, files, issue, overview
    from .. import guard
    from flask import Blueprint

    auth = Blueprint("guard", __name__)
    auth.add_url_rule("/login", "login", guard.login_view, methods=["GET", "POST"])
    auth.add_url_rule("/logout", "logout", guard.logout_view, methods=["POST"])
    app.register_blueprint(auth)
    for module in (overview, collect, issue, book, files):
        app.register_blueprint(module.bp)
    app.jinja_env.globals.update(nav=NAV, office_name=_office_name, file_url=file_url, zip=zip,
                                 password_set=lambda: bool(current_app.config["NOTICES_PASSWORD_HASH"]))


def _office_name() -> str:
    try:
        return str(project().config.section("office").get("name", "") or "")
    except NoticesError:
        return ""


def parse_day(text: str | None, label: str, default: dt.date | None = None) -> dt.date | None:
    """A date as staff type it (the CLI's parse_date), held to the project's window."""
    from ...jobs.dates import check_date
    from ...read.dates import parse_cn_date

    text = (text or "").strip()
    if not text:
        return default
    day = parse_cn_date(text)
    if day is None:
        raise NoticesError(f"{label}“{text}”不是日期，请写成 2026-11-29 或 2026年11月29日")
    return check_date(project(), day, label)


def file_url(path: str | Path) -> str | None:
    """The download link of a file under outputs/ (None for any other file)."""
    proj = project()
    full = Path(path)
    if not full.is_absolute():
        full = proj.root / full
    try:
        rel = full.resolve().relative_to(proj.outputs_dir.resolve())
    except (ValueError, OSError):
        return None
    return url_for("files.download", rel=rel.as_posix())


def shown(path: str | Path) -> str:
    """A path as the page shows it: relative to the working folder."""
    return path_label(path, project().root, posix=True)


def act(work: Callable[[], object]):
    """Run a change to the project like one CLI command: the database backed up after
    it if it changed (also after a failure that committed something). Returns
    (result, error, notes): error is {"message", "problems"} for a failure the user
    can act on (a bug is logged and told as such)."""
    from ...file import store
    from ...file.backup import backup_after_change
    from ..app import explain

    notes: list[str] = []
    store.written(clear=True)
    try:
        return work(), None, notes
    except Exception as exc:  # noqa: BLE001 - shown as the CLI would print it
        return None, explain(exc), notes
    finally:
        backup_after_change(project(), notes.append)


def _cn_date(day) -> str:
    from ...textfmt import cn_date

    return cn_date(day) if day else ""


def _percent(rate) -> str:
    from ...jobs.status import percent_text

    return percent_text(rate)


FILTERS = {"cn_date": _cn_date, "percent": _percent, "shown": shown}

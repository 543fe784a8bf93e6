"""The Flask application: one working folder, its pages, and how failures are shown."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, render_template, request
from werkzeug.exceptions import HTTPException

from ..config import CONFIG_FILE
from ..errors import NoticesError
from ..project import Project, db_path
from .tasks import Tasks, problem_dict

UPLOAD_LIMIT = 100 * 1024 * 1024  # bytes in one request: a county's returned workbooks are a few MB

HTTP_ZH = {
    400: "请求无效",
    403: "不允许的操作",
    404: "找不到该页面或文件",
    405: "不允许的操作方式",
    413: f"上传的文件太大（一次最多 {UPLOAD_LIMIT // 1024 // 1024} MB），请分几次上传",
}


def create_app(root: str | Path, password_hash: str = "", loopback_only: bool = True) -> Flask:
    """The page for the working folder ``root``. ``password_hash``: the hash from
    notices.toml (every page then asks for the password); ``loopback_only``: answer only
    to the loopback's host names."""
    from . import guard, pages

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32),  # sessions end with the server
        SESSION_COOKIE_NAME="notices_session",
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_HTTPONLY=True,
        MAX_CONTENT_LENGTH=UPLOAD_LIMIT,
        PROPAGATE_EXCEPTIONS=False,  # never a traceback page, even under a test client
        NOTICES_ROOT=Path(root).resolve(),
        NOTICES_PASSWORD_HASH=password_hash,
        NOTICES_LOOPBACK_ONLY=loopback_only,
        NOTICES_TASKS=Tasks(),
        NOTICES_PROJECT=[None, None],  # (stamp, Project)
    )
    app.jinja_env.globals.update(csrf_token=guard.csrf_token, today=dt.date.today)
    app.jinja_env.filters.update(pages.FILTERS)
    app.before_request(guard.check_request)
    app.after_request(_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _failure)
    pages.register(app)
    return app


def _stamp(path: Path):
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return None


def project() -> Project:
    """This request's project: the same Project while notices.toml and the registry stay
    as they are (a changed notices.toml is read again, as each CLI run would)."""
    if "project" in g:
        return g.project
    root = current_app.config["NOTICES_ROOT"]
    stamp = tuple(_stamp(p) for p in (root / CONFIG_FILE, root / "registry" / "plan.yaml",
                                      root / "registry" / "units.yaml"))
    cached = current_app.config["NOTICES_PROJECT"]
    if cached[0] != stamp or cached[1] is None:
        cached[:] = [stamp, Project(root)]
    g.project = cached[1]
    return g.project


def tasks() -> Tasks:
    return current_app.config["NOTICES_TASKS"]


def _headers(response):
    # Everything the page uses is its own: no inline script, no frame, no other origin.
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(exc: HTTPException):
    code = exc.code or 500
    title = HTTP_ZH.get(code, "请求无法完成")
    detail = exc.description if code in (400, 403) and exc.description and not exc.description.isascii() else ""
    return render_template("error.html", title=title, error={"message": detail or title, "problems": []},
                           code=code), code


def explain(exc: BaseException) -> dict:
    """The user's message for a failure, as the CLI gives it; a bug is logged (the
    working folder's outputs/notices-error.log) and told as such, never as a traceback."""
    from ..failure import explain as known, internal_message, log_internal

    root = current_app.config["NOTICES_ROOT"]
    told = known(exc, db_path(Project(root)))
    if told is not None:
        return problem_dict(told)
    what = f"网页 {request.method} {request.path}" if has_request_context() else "网页后台任务"
    log, why = log_internal(root, what)
    return {"message": internal_message(exc, log, why, "所做的操作"), "problems": []}


def _failure(exc: Exception):
    error = explain(exc)
    code = 400 if isinstance(exc, NoticesError) else 500
    return render_template("error.html", title="未能完成", error=error, code=code), code


def failed_in_thread(app: Flask):
    """``explain`` for a task's thread (no request there)."""
    def failed(exc: BaseException) -> dict:
        with app.app_context():
            return explain(exc)
    return failed

"""收集: the round's reporting forms out (`progress template`), the returned workbooks in
(`progress collect`), the stored rounds (`progress rounds`).

Uploads: every file is read into memory within the request limit and checked by
the safe reader (notices.read.safezip: zip bombs, DTDs) before any of them is
written; then they wait in outputs/网页上传/<token>/ under safe names while the
collection is checked, so that accepting the round with its refused rows, or
replacing a round, needs no second upload. A collected round's files move to
outputs/<round>/报回/."""

from __future__ import annotations

import re
import secrets
import shutil
import time
from pathlib import Path

from flask import Blueprint, render_template, request

from ...errors import NoticesError
from ...file.outputs import next_free, safe_filename, write_atomic
from ...project import db_path
from ...read import safezip
from ..app import project
from . import act, parse_day

bp = Blueprint("collect", __name__)
STAGING = "网页上传"
STAGED_DAYS = 2  # staged uploads older than this are removed
_TOKEN = re.compile(r"^[0-9a-f]{16}$")


def _rounds():
    from ...file.store import Store

    return list(reversed(Store(db_path(project())).rounds()))


def _page(**kw):
    kw.setdefault("rounds", _rounds())
    kw.setdefault("form", {})
    return render_template("collect.html", **kw)


@bp.get("/collect")
def page():
    return _page()


@bp.post("/collect/forms")
def forms():
    """`progress template --all-units [--prefill] [--county]`."""
    from ...jobs.progress import make_templates

    form = request.form
    paths, error, notes = act(lambda: make_templates(project(), form.get("round", "").strip() or _need_round(),
                                                     None, True, bool(form.get("county")), bool(form.get("prefill"))))
    return _page(forms_made=paths, error=error, notes=notes, form=form)


def _need_round():
    raise NoticesError("请填写轮次，如 2026-11")


def _staging_root() -> Path:
    return project().outputs_dir / STAGING


def _sweep_staging() -> None:
    root = _staging_root()
    if not root.is_dir():
        return
    limit = time.time() - STAGED_DAYS * 86400
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def stage(uploads) -> tuple[str, list[Path]]:
    """Check every upload with the safe reader, then write them all to a new staging
    folder. Nothing is written when any file is refused."""
    checked = []
    for upload in uploads:
        name = safe_filename(Path(upload.filename or "").name) or "未命名.xlsx"
        data = upload.read()
        safezip.check(data, name)  # before anything else reads or writes it
        checked.append((name, data))
    if not checked:
        raise NoticesError("请选择要收集的填报表（可一次选多个文件，或把文件拖到框中）")
    _sweep_staging()
    token = secrets.token_hex(8)
    folder = _staging_root() / token
    folder.mkdir(parents=True)
    return token, [write_atomic(next_free(folder / name), data) for name, data in checked]


def staged(token: str) -> list[Path]:
    if not _TOKEN.match(token or ""):
        raise NoticesError("上传的文件已失效，请重新选择文件")
    folder = _staging_root() / token
    if not folder.is_dir():
        raise NoticesError("上传的文件已失效（超过两天或已收集），请重新选择文件")
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".~")), key=lambda p: p.name)


def _keep(files: list[Path], round_id: str, token: str) -> Path:
    """A collected round's files into outputs/<round>/报回/, the staging folder removed."""
    folder = project().outputs_dir / round_id / "报回"
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.move(str(path), str(next_free(folder / path.name)))
    shutil.rmtree(_staging_root() / token, ignore_errors=True)
    try:
        _staging_root().rmdir()  # only when no other upload waits there
    except OSError:
        pass
    return folder


@bp.post("/collect")
def upload():
    """`progress collect FILES --round R [--as-of D] [--accept-warnings] [--replace]`."""
    from ...jobs.progress import collect, collected_lines, parse_round

    form = request.form
    token, files = form.get("token", ""), []
    uploads = [f for f in request.files.getlist("files") if f.filename]

    def work():
        nonlocal token, files
        round_text = form.get("round", "").strip() or _need_round()
        round_id, _ = parse_round(round_text)
        as_of = parse_day(form.get("as_of"), "截至日期")
        if uploads:
            token, files = stage(uploads)
        else:
            files = staged(token)
        result = collect(project(), files, round_text, as_of, bool(form.get("accept_warnings")),
                         bool(form.get("replace")))
        folder = _keep(files, round_id, token)
        token = ""
        return collected_lines(result, project().load()[0] if result.reports else None), folder

    done, error, notes = act(work)
    if done:
        (lines, summary, requests), folder = done
        return _page(collected=lines, summary=summary, requests=requests, kept=folder, notes=notes, form=form)
    if not files and token:
        try:
            files = staged(token)
        except NoticesError:
            token = ""
    return _page(error=error, notes=notes, token=token, staged=[p.name for p in files], form=form)

"""序时进度表 (`notices table`), 归档 (`notices archive`, `archive verify`), PDF
(`notices pdf`), the running tasks' pages, and downloads from outputs/.

A download is any file under the working folder's outputs/ of the kinds the
tool writes (documents, workbooks, PDFs, the archive's metadata); the database,
its backups and the error log are not served. The path is resolved (symbolic
links too) and must stay inside outputs/."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, send_file, url_for

from ...errors import NoticesError
from ...project import db_path
from ..app import failed_in_thread, project, tasks
from . import act, parse_day

bp = Blueprint("files", __name__)
SERVED = (".docx", ".xlsx", ".pdf", ".json", ".yaml")


@bp.get("/files/<path:rel>")
def download(rel: str):
    outputs = project().outputs_dir.resolve()
    try:
        path = (outputs / rel).resolve()
        path.relative_to(outputs)
    except (ValueError, OSError):
        abort(404)
    if path.suffix.lower() not in SERVED or not path.is_file() or path.name.startswith((".~", "~$")):
        abort(404)
    return send_file(path, as_attachment=True, download_name=path.name, max_age=0)


# --- tasks ------------------------------------------------------------------------------
@bp.get("/tasks/<task_id>")
def task(task_id: str):
    found = tasks().get(task_id)
    if found is None:
        abort(404)
    return render_template("task.html", task=found)


@bp.get("/tasks/<task_id>/state")
def task_state(task_id: str):
    found = tasks().get(task_id)
    if found is None:
        abort(404)
    return jsonify(found.state())


def _start(title: str, back: str, work):
    from ...file.backup import backup_after_change

    proj = project()
    started = tasks().start(title, back, work, failed_in_thread(current_app._get_current_object()),
                            lambda t: backup_after_change(proj, t.notes.append))
    return redirect(url_for("files.task", task_id=started.id))


# --- PDF --------------------------------------------------------------------------------
@bp.post("/pdf")
def pdf():
    """`notices pdf 文号…` (or `--year`)."""
    from ...jobs.pdf import convert_selection, select

    proj = project()
    numbers = [n for n in request.form.getlist("no") if n.strip()]
    year = request.form.get("year", type=int)
    force = bool(request.form.get("force"))

    def work(t):
        selection = select(proj, None if numbers else year, None, numbers, None, force)
        t.total = len(selection.todo)

        def say(line: str) -> None:
            t.lines.append(line)
            if line.startswith("  ["):  # one document converted (or not)
                t.step()

        outcome = convert_selection(proj, selection, force, say=say, warn=t.notes.append, bad=say)
        t.files += [(f"PDF {i.doc_number}", [i.pdf]) for i in outcome.made + selection.skipped]

    return _start("转为 PDF", request.referrer or url_for("register.page"), work)


# --- 序时进度表 --------------------------------------------------------------------------
def _table_files() -> list[Path]:
    folder = project().outputs_dir / "序时进度表"
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.suffix in (".docx", ".xlsx") and not p.name.startswith(".~")),
                  key=lambda p: p.stat().st_mtime, reverse=True)


@bp.route("/tables", methods=["GET", "POST"])
def tables():
    """`notices table [--unit] [--category…] [--as-attachment N] [--progress --as-of] [--xlsx]`."""
    from ...jobs.status import progress_for_table
    from ...jobs.table import TableRequest, make_table

    proj = project()
    registry, directory = proj.load()
    made, error, notes = None, None, []
    form = request.form
    if request.method == "POST":
        def work():
            unit = form.get("unit") or None
            categories = [int(c) for c in form.getlist("category") if c.isdigit()] or None
            attachment = form.get("attachment", type=int) or None
            if attachment is not None and not 1 <= attachment <= 99:
                raise NoticesError("附件序号应为 1 至 99")
            req = TableRequest(unit=unit, categories=categories, attachment=attachment, xlsx=bool(form.get("xlsx")))
            if form.get("progress"):
                req.as_of = parse_day(form.get("as_of"), "截至日期", dt.date.today())
                req.progress = progress_for_table(proj, req.as_of, unit)
            return make_table(proj, req)
        made, error, notes = act(work)
    return render_template("tables.html", units=[u.name for u in registry.units],
                           categories=[(c.no, f"{c.ordinal}{c.name}") for c in registry.categories],
                           made=made, error=error, notes=notes, form=form, files=_table_files())


# --- 归档 --------------------------------------------------------------------------------
def _years() -> list[int]:
    from ...file.register import Register

    proj = project()
    years = {r.year for r in Register(db_path(proj), proj.root).list()}
    return sorted(years | {dt.date.today().year}, reverse=True)


def _package(year: int, folder: Path | None = None) -> list[Path]:
    """The year's 目录 and manifest (the 件 themselves are under 文件/)."""
    from ...jobs.archive import archive_folder

    folder = folder or archive_folder(project(), year)
    return sorted(p for p in folder.glob("*") if p.is_file() and p.suffix in (".xlsx", ".json")) \
        if folder.is_dir() else []


@bp.get("/archive")
def archive():
    year = request.args.get("year", type=int) or dt.date.today().year
    return render_template("archive.html", years=_years(), year=year, package=_package(year),
                           settings=project().config.section("archive"))


@bp.post("/archive")
def archive_run():
    """`notices archive --year Y` in a task (LibreOffice converts every document)."""
    from ...jobs.archive import archive_folder, archive_year

    proj = project()
    year = request.form.get("year", type=int) or dt.date.today().year

    def work(t):
        result = archive_year(proj, year, say=t.lines.append, warn=t.notes.append)
        t.files += [("归档", _package(year, archive_folder(proj, year)))]
        t.files += [(f"{i.archival_code}  {i.doc_number}", [result.folder / "文件" / f"{i.archival_code}.pdf"])
                    for i in result.new]

    return _start(f"{year} 年度归档", url_for("files.archive", year=year), work)


@bp.post("/archive/verify")
def archive_verify():
    """`notices archive verify --year Y`."""
    from ...jobs.archive import verify_lines

    year = request.form.get("year", type=int) or dt.date.today().year
    result, error, notes = act(lambda: verify_lines(project(), year))
    lines, ok = result or ([], False)
    return render_template("archive.html", years=_years(), year=year, package=_package(year),
                           settings=project().config.section("archive"), verify=lines, verified=ok,
                           error=error, notes=notes)

"""登记簿: `notices register list` (with a search), `show`, `reply`, `void`, `verify`."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request

from ...errors import NoticesError
from ...file.register import KINDS, Register
from ...project import db_path
from ..app import project
from . import act, parse_day

bp = Blueprint("register", __name__)


def _register() -> Register:
    proj = project()
    return Register(db_path(proj), proj.root)


def _matches(record, words: list[str]) -> bool:
    text = " ".join([record.doc_number, record.kind, record.title, "、".join(record.recipients), record.status_zh,
                     record.void_reason or "", record.round_id or "",
                     record.issued_on.isoformat() if record.issued_on else ""])
    return all(w in text for w in words)


@bp.get("/register")
def page(verify=None, error=None, notes=None):
    reg = _register()
    year = request.args.get("year", type=int)
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    query = request.args.get("q", "").strip()
    every = reg.list()
    records = [r for r in every if (year is None or r.year == year) and (kind is None or r.kind == kind)
               and _matches(r, query.split())]
    rows = []
    for r in records:
        replies = reg.replies(r.doc_number)
        rows.append({"record": r, "replies": len(replies)})
    counts = {s: sum(1 for r in records if r.status == s) for s in ("issued", "reserved", "void")}
    return render_template("register.html", rows=rows, counts=counts, years=sorted({r.year for r in every}),
                           year=year, kind=kind, kinds=KINDS, q=query, verify=verify, error=error, notes=notes or [])


@bp.get("/register/doc")
def show(error=None, notes=None, done=None):
    reg = _register()
    record = reg.get(request.values.get("no", ""))
    pdfs = {}
    for out in record.outputs:
        path = reg.resolve(out.path)
        pdf = path.with_suffix(".pdf")
        pdfs[out.path] = pdf if path.suffix.lower() == ".docx" and pdf.is_file() else None
    from ...jobs.register import subjects_text

    return render_template("document.html", r=record, subjects=subjects_text(record, project().load()[1]), replies=reg.replies(record.doc_number),
                           events=reg.events(record.doc_number), checks=reg.check_outputs(record), pdfs=pdfs,
                           resolve=reg.resolve, error=error, notes=notes or [], done=done, today=dt.date.today())


@bp.post("/register/reply")
def reply():
    """`notices register reply 文号 --date D --note N`."""
    from ...jobs.register import reply_line

    form = request.form

    def work():
        day = parse_day(form.get("date"), "答复日期", dt.date.today())
        return _register().reply(form.get("no", ""), day, form.get("note", "").strip())

    done, error, notes = act(work)
    return show(error=error, notes=notes, done=[reply_line(done)] if done else None)


@bp.post("/register/void")
def void():
    """`notices register void 文号 --reason R`."""
    from ...jobs.register import void_lines

    form = request.form

    def work():
        reason = form.get("reason", "").strip()
        if not reason:
            raise NoticesError("请写明作废原因，如“主送单位有误”")
        return _register().void(form.get("no", ""), reason)

    record, error, notes = act(work)
    return show(error=error, notes=notes, done=void_lines(record) if record else None)


@bp.post("/register/verify")
def verify():
    """`notices register verify`."""
    from ...jobs.register import verify_lines

    result, error, notes = act(lambda: verify_lines(_register()))
    lines, failure = result or ([], None)
    if failure is not None:
        error = {"message": failure.message, "problems": []}
    return page(verify=lines, error=error, notes=notes)

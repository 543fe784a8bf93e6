"""计划与发文: the ladder's proposal (`notices plan`) as a form the office reviews —
untick a document, add one the ladder does not propose (with its 原因, exactly as
in the plan file), set the 约谈 times — then a dry run with provisional numbers
(`issue --plan --dry-run`) or the issue itself (`issue --plan`) in a task with its
progress. The form is turned into the same IssuePlan the plan file gives and run
through the same plan_batch: what the ladder refuses there, it refuses here.

Two tabs issuing the same plan are two batches, like two CLI runs: the register
numbers each document of a batch once (its batch key), the second run reports
what the first issued."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ...assess.escalation import DUBAN, EXPOSE, REMIND, TONGBAO, YUETAN, counts_text
from ...assess.status import unit_items
from ...errors import NoticesError
from ...jobs.issue import (
    ACTION_ZH,
    KINDS,
    Batch,
    batch_warnings,
    issued_lines,
    plan_batch,
    plan_totals,
    print_bundles,
    tongbao_line,
)
from ...read.plan_file import IssuePlan, Meeting, parse_time
from ..app import failed_in_thread, project, tasks
from . import parse_day

bp = Blueprint("issue", __name__)
ADD_ZH = {**ACTION_ZH, REMIND: "发工作提醒"}
ADVICE = "；如确需发文，请在该单位的“原因”栏写明原因"
LABEL = "发文计划"


def _dates(values) -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    return (parse_day(values.get("as_of"), "截至日期", today), parse_day(values.get("date"), "成文日期", today))


@bp.get("/plan")
def page():
    try:
        as_of, issued_on = _dates(request.args)
    except NoticesError as exc:
        return render_template("plan.html", error={"message": exc.message, "problems": []}, batch=None,
                               as_of=dt.date.today(), issued_on=dt.date.today())
    return _render(Batch(project(), as_of, issued_on))


def _render(batch: Batch, form=None, preview=None, error=None):
    """The plan page: the ladder's proposal, with the office's choices of ``form`` (a
    submitted form) or the ladder's own (none submitted)."""
    proposal = batch.proposal
    meetings = batch.meeting_times([Meeting(u) for u in proposal.units(YUETAN)])
    rows = []
    for step in proposal.steps:
        record = batch.batch_record(step.action, "" if step.action == TONGBAO else step.unit) if step.action else None
        rows.append({"unit": step.unit, "action": step.action, "action_zh": ACTION_ZH[step.action],
                     "reason": step.reason, "done": record.doc_number if record else "",
                     "when": meetings.get(step.unit), "waiting": bool(step.waiting_until or step.deferred),
                     "step": True})
    for unit, items in proposal.reminders.items():  # beside the unit's step: not a rung of the ladder
        record = batch.batch_record(REMIND, unit)
        said = "、".join(f"{i.milestone_id}{(' ' + i.period) if i.period else ''}"
                        f"（{'今日到期' if not i.days else f'还剩{i.days}天'}）" for i in items)
        rows.append({"unit": unit, "action": REMIND, "action_zh": ADD_ZH[REMIND], "reason": f"临期{len(items)}项：{said}",
                     "done": record.doc_number if record else "", "when": None, "waiting": False, "step": False})
    internal = [(s.key, counts_text(unit_items(s))) for s in batch.assessment.internal_units if unit_items(s)]
    if form is None:  # the ladder's proposal, ticked
        chosen = {"pick": {f"{r['action']}|{r['unit']}" for r in rows if r["action"]}, "tongbao": proposal.tongbao,
                  "values": {f"time|{u}": t.strftime("%Y-%m-%dT%H:%M") for u, t in meetings.items()}}
    else:
        chosen = {"pick": set(form.getlist("pick")), "tongbao": bool(form.get("tongbao")), "values": form}
    return render_template(
        "plan.html", batch=batch, proposal=proposal, rows=rows, internal=internal, chosen=chosen,
        tongbao_line=tongbao_line(proposal), totals=plan_totals(proposal), kinds=KINDS, add_zh=ADD_ZH,
        warnings=batch_warnings(batch, [k for k in (DUBAN, YUETAN) if proposal.units(k)]),
        place=batch.options.yuetan_place, as_of=batch.as_of, issued_on=batch.issued_on, preview=preview,
        error=error)


def plan_from_form(form, directory) -> IssuePlan:
    """The IssuePlan the form says: what is ticked, what is added with its 原因, the 约谈
    times and places — the plan file's content, from the page."""
    as_of, issued_on = _dates(form)
    plan = IssuePlan(as_of, issued_on, form.get("round", ""))
    wanted: list[tuple[str, str]] = []
    for value in form.getlist("pick"):
        kind, _, unit = value.partition("|")
        if kind in KINDS and unit:
            wanted.append((kind, unit))
    for key, kind in form.items():
        if key.startswith("add|") and kind in KINDS:
            unit = key[4:]
            wanted.append((kind, unit))
            if reason := form.get(f"reason|{unit}", "").strip():
                plan.reasons[(kind, unit)] = reason
    plan.tongbao = bool(form.get("tongbao"))
    if reason := form.get("reason|通报", "").strip():
        plan.reasons[(TONGBAO, "")] = reason
    problems = []
    for kind, unit in dict.fromkeys(wanted):
        try:
            name = directory.unit(unit).name
        except KeyError as exc:
            raise NoticesError(exc.args[0]) from None
        if kind == DUBAN and name not in plan.duban:
            plan.duban.append(name)
        elif kind == TONGBAO and name not in plan.named:
            plan.named.append(name)
        elif kind == REMIND and name not in plan.remind:
            plan.remind.append(name)
        elif kind == EXPOSE and name not in plan.expose:
            plan.expose.append(name)
        elif kind == YUETAN and all(m.unit != name for m in plan.yuetan):
            when = parse_time(form.get(f"time|{unit}", "").replace("T", " "), f"{name}的约谈时间", problems)
            plan.yuetan.append(Meeting(name, when, form.get(f"place|{unit}", "").strip()))
    if problems:
        raise NoticesError(f"{LABEL}有 {len(problems)} 处错误，未发文", problems)
    if plan.named and not plan.tongbao:
        raise NoticesError("点名批评随本轮通报印发：要点名批评，请同时勾选“印发本轮通报”；不发通报时请取消点名")
    return plan


@bp.post("/plan")
def run():
    form = request.form
    proj = project()
    batch = None
    try:
        _, directory = proj.load()
        plan = plan_from_form(form, directory)
        if form.get("action") == "issue":
            return _issue(plan, form)
        batch, jobs = plan_batch(proj, plan, LABEL, advice=ADVICE)
        if not jobs:
            raise NoticesError("计划中没有勾选任何文书，未发文")
        lines = issued_lines(batch.run(jobs, dry_run=True), True)
        return _render(batch, form, preview=lines)
    except NoticesError as exc:
        error = {"message": exc.message, "problems": [str(p) for p in exc.problems]}
        if batch is None:
            try:
                as_of, issued_on = _dates(form)
                batch = Batch(proj, as_of, issued_on)
            except NoticesError:
                return render_template("plan.html", error=error, batch=None, as_of=dt.date.today(),
                                       issued_on=dt.date.today())
        return _render(batch, form, error=error)


def _issue(plan: IssuePlan, form):
    """Issue in a task of its own: a fresh batch there, as a CLI run makes one."""
    from ...file.backup import backup_after_change
    from ...jobs.dates import rest_day_note
    from ...jobs.units import remember_units

    proj = project()
    bundle, force = bool(form.get("print_file")), bool(form.get("force"))
    back = url_for("issue.page", as_of=plan.as_of.isoformat(), date=plan.issued_on.isoformat())

    def work(task):
        batch, jobs = plan_batch(proj, plan, LABEL, advice=ADVICE)
        if not jobs:
            raise NoticesError("计划中没有勾选任何文书，未发文")
        task.total = len(jobs)
        task.notes += batch_warnings(batch, {j.kind for j in jobs})
        if note := rest_day_note(proj, batch.issued_on):
            task.notes.append(note)
        task.lines.append(f"正在生成 {len(jobs)} 份……")
        # one process: the page's server runs other requests in threads, and the render
        # pool's workers are forked from the process that asks
        done = batch.run(jobs, on_done=lambda _: task.step(), workers=1, allow_earlier=force)
        task.notes += batch.register.notes
        remember_units(proj, batch.registry)
        task.lines += issued_lines(done, False, batch.project.root)
        task.files += [(f"{i.kind} {i.doc_number}  {i.unit or '全体单位'}", list(i.paths)) for i in done]
        task.numbers += [i.doc_number for i in done]
        if bundle:
            made = []
            task.lines += print_bundles(batch, done, made, batch.project.root)
            task.files += [("打印合订本", [p]) for p in made]

    task = tasks().start("发文", back, work, failed_in_thread(current_app._get_current_object()),
                         lambda t: backup_after_change(proj, t.notes.append))
    return redirect(url_for("files.task", task_id=task.id))


"""`notices issue`: 督办函, 通报 and 约谈通知书, numbered in the register.

One batch: the registry, the assessment, the proposal and each template are
loaded once. Before any number is taken, the year's output folder is checked
against the register (a lost or replaced database must not number again what is
on paper). Then every number of the batch is reserved in one transaction (or the
batch's earlier records found); each document is composed, rendered with its
register facts in its custom properties, and written atomically; the written
files are recorded with their SHA-256 in chunks of 1, 2, 4 … CHUNK_MAX documents,
one transaction each. A batch killed halfway leaves at most reserved numbers
and whole files not yet recorded; re-running the same batch (same kind, unit,
round and date) takes those numbers up again and accepts the identical files,
so there is neither a gap nor a duplicate.

A large batch (PARALLEL_MIN documents or more) renders in worker processes
(render.pool) while this process writes and records each document in order:
the same files, the same register, the same re-run behaviour, in a fraction of
the time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from ..assess.calendar import calendar_from_config
from ..assess.escalation import DUBAN, EXPOSE, REMIND, TONGBAO, YUETAN, letter_id
from ..assess.status import unit_items
from ..compose.common import office_from_config, options_from_config
from ..compose.duban import duban_context, duban_title
from ..compose.exposure import Exposed, exposure_context, exposure_rows, exposure_title
from ..compose.reminder import reminder_context, reminder_text
from ..compose.tongbao import tongbao_context, tongbao_title
from ..compose.yuetan import yuetan_context
from ..errors import NoticesError, Problem
from ..file.outputs import fsync_folder, next_free, safe_filename, write_atomic
from ..file.recover import check_outputs_known
from ..file.register import PART, Register, batch_key, document_properties, format_number, organ_code_for
from ..file.register import Request as Numbering
from ..project import Project, db_path
from ..read.plan_file import IssuePlan, Meeting
from ..render.engine import Template
from ..render.ooxml import add_custom_properties
from ..render.pool import cpu_workers, render_in_workers
from ..render.template_build import FIELDS
from ..textfmt import cn_date, path_label
from .plan import make_proposal
from .status import progress_for_table
from .table import TableRequest, build_spec, render_table

KINDS = (DUBAN, TONGBAO, YUETAN, REMIND, EXPOSE)
TEMPLATE_OF = {EXPOSE: "通报.docx"}  # a 曝光 is a 通报 for public release: the 通报 template
PARALLEL_MIN = 50  # documents: a batch this large is rendered in worker processes, one per core
CHUNK_MAX = 64  # documents recorded in one register transaction at most
ALL_UNITS = "全体"  # the batch key's unit for the 通报


@dataclass
class Issued:
    kind: str
    unit: str  # the addressee; "" for the 通报
    doc_number: str
    paths: list[Path] = field(default_factory=list)
    existing: bool = False  # not issued by this run: by an earlier run of the batch, or another run of it just now
    provisional: bool = False  # --dry-run: the number is only a forecast


@dataclass
class _Job:
    kind: str
    unit: str
    title: str
    recipients: list[str]
    subjects: dict[str, list[str]]  # unit full name -> item ids the document takes up
    reply_due: dt.date | None
    stem: str  # file name after the 文号
    context: Callable[[str], dict]  # 文号 -> template context
    # 文号 -> (file stem, bytes) beside it: a .docx (stem without suffix, given the register's
    # properties), or another file when the stem ends in its suffix (.txt, .html)
    extras: Callable[[str], list[tuple[str, bytes]]] | None = None
    details: dict = field(default_factory=dict)  # kept in the register (约谈 time and place, force_reason)


@dataclass(frozen=True)
class Request:
    """One document asked for: by the plan file or on the command line. ``unit`` is
    "" for the 通报 itself; ``reason`` set means "issue it even if the ladder does
    not propose it" (--force --reason, 原因 in the plan file); ``where`` is where it
    was asked (file:line), for messages."""

    kind: str
    unit: str = ""
    reason: str = ""
    where: str = ""


class Batch:
    """Everything one `issue` run needs, loaded once."""

    def __init__(self, project: Project, as_of: dt.date, issued_on: dt.date):
        self.project, self.as_of, self.issued_on = project, as_of, issued_on
        self.registry, self.directory = project.load()
        self.register = Register(db_path(project), project.root)
        # Documents on disk the register does not know: a lost, emptied or replaced
        # database would hand their numbers out again, and the ladder would forget what
        # they said. Stop before any proposal or number (and before a preview shows them
        # as the next numbers).
        check_outputs_known(self.register, project.outputs_dir, issued_on.year)
        self.assessment, self.proposal, self.docs = make_proposal(project, as_of, issued_on)
        self.steps = {s.unit: s for s in self.proposal.steps}
        self.internal = {s.key for s in self.assessment.internal_units}
        self.office = office_from_config(project.config)
        self.options = options_from_config(project.config)
        self.calendar = calendar_from_config(project.config)
        self._templates: dict[str, Template] = {}
        self._register_id: str | None = None

    @property
    def warnings(self) -> list[str]:
        return self.assessment.warnings

    # --- who -------------------------------------------------------------------------
    def unit_name(self, name: str) -> str:
        return self.directory.unit(name).name

    def _flagged(self, unit: str, kind: str):
        """The unit's summary and the flagged items its documents take up: those the ladder
        routes to it (a lead unit's include its supporting units' on the tasks it leads)."""
        summary = next((s for s in self.assessment.units if s.key == unit), None)
        items = (self.proposal.routes.get(unit) or unit_items(summary)) if summary else []
        if not items:
            raise NoticesError(f"{unit}截至{cn_date(self.as_of)}没有逾期或未报送事项，不发{kind}")
        return summary, items

    def proposed(self, kind: str) -> list[str]:
        return self.proposal.units(kind)

    # --- the ladder's rules ------------------------------------------------------------
    def batch_record(self, kind: str, unit: str):
        """The record this batch (kind, unit, round, 成文日期) already has, if any: a re-run
        reports it instead of issuing it again."""
        return self.register.find_by_batch(self._batch_key(kind, unit))

    def _issued_in_batch(self, kind: str, unit: str) -> bool:
        return self.batch_record(kind, unit) is not None

    def refusal(self, request: Request) -> str | None:
        """Why the ladder does not propose this document now (None when it does, or when it
        is forced with a reason). The issuing office is never its own addressee, reason or not."""
        kind, reason = request.kind, request.reason
        if not request.unit:  # the 通报 itself
            if self.proposal.tongbao or reason or self._issued_in_batch(TONGBAO, ""):
                return None
            done = self.proposal.round_tongbao
            return (f"本轮（{self.assessment.round_id}）通报已于{cn_date(done.issued_on)}印发（{done.doc_number}）"
                    if done else "尚未收集任何一轮进度，没有可通报的进展")
        try:
            name = self.unit_name(request.unit)
        except KeyError as exc:
            return exc.args[0]
        if name in self.internal:
            return (f"{name}是本办公室在单位名录中的条目，本办公室不给自己发{kind}、不点名批评自己"
                    f"（其事项见 notices status 的内部清单；设置见 notices.toml 的 [office] unit）")
        if kind == REMIND:
            if self.proposal.reminders.get(name) or self._issued_in_batch(REMIND, name):
                return None
            if not self._due_soon(name):
                return f"{name}截至{cn_date(self.as_of)}没有临期事项"
            return None if reason else f"{name}的临期事项此前已提醒或已在督办中"
        step = self.steps.get(name)
        if step is None or not (self.proposal.routes.get(name) or unit_items(self.assessment.unit(name))):
            return f"{name}截至{cn_date(self.as_of)}没有逾期或未报送事项"
        if step.action == kind or reason:
            return None
        if self._issued_in_batch(kind, name if kind not in (TONGBAO, EXPOSE) else ""):
            return None
        return step.reason

    def check(self, requests: list[Request], advice: str | None = None) -> None:
        """Every request the ladder does not back, in one error, before any number is taken.
        ``advice``: how to force one where it was asked (default: the plan file's 原因, or
        --force --reason on the command line)."""
        problems = []
        for r in requests:
            why = self.refusal(r)
            if why is None:
                continue
            what = "印发本轮通报" if not r.unit else {TONGBAO: "在通报中点名批评", EXPOSE: "公开曝光"}.get(r.kind, f"发{r.kind}")
            forced = "" if "本办公室" in why or "没有逾期" in why or "没有临期" in why or "不在单位名录" in why else (
                advice if advice is not None else
                "；如确需发文，请在计划文件中该单位下写“原因: …”" if r.where else
                "；如确需发文，请加 --force --reason \"原因\"")
            who = f"{r.unit}：" if r.unit and r.where else ""
            problems.append(Problem(r.where or r.unit or "通报", f"{who}{why}。按逐级督办规则现在不{what}{forced}"))
        if problems:
            raise NoticesError(f"有 {len(problems)} 份文书不符合逐级督办规则，未发文", problems)

    @staticmethod
    def _forced(reason: str) -> dict:
        return {"force_reason": reason} if reason else {}

    # --- jobs ------------------------------------------------------------------------
    def duban(self, units: list[str], reasons: dict[str, str] | None = None) -> list[_Job]:
        """督办函 to ``units``: the items the ladder proposes (those no live document took up),
        or with a reason every flagged item, citing what was sent before."""
        reasons = reasons or {}
        reply_due = self.calendar.add_workdays(self.issued_on, self.options.reply_workdays)
        jobs = []
        for name in units:
            unit = self.directory.unit(name)
            summary, items = self._flagged(unit.name, DUBAN)
            step = self.steps[unit.name]
            reason = reasons.get(unit.name, "") if step.action != DUBAN else ""
            chosen = items if reason else [i for i in items if letter_id(i, unit.name) in step.items] or items
            earlier = step.history if reason or len(chosen) < len(items) else []
            jobs.append(_Job(
                DUBAN, unit.name, duban_title(self.registry), [unit.name],
                {unit.name: [letter_id(i, unit.name) for i in chosen]}, reply_due, unit.display_short,
                lambda no, s=summary, c=chosen, e=earlier, a=items, h=unit.standing: duban_context(
                    self.registry, s, self.as_of, self.office, no, self.issued_on, reply_due, self.options,
                    self.assessment.round_date, e, c, a, h),
                details=self._forced(reason)))
        return jobs

    def tongbao(self, named: list[str], reasons: dict[str, str] | None = None, reason: str = "") -> _Job:
        """The round's 通报, criticising ``named`` by name (``reasons``: those named against
        the ladder's rules; ``reason``: why a second 通报 of the round is issued)."""
        reasons = reasons or {}
        named = [self.unit_name(u) for u in named]
        routed = {u: self._flagged(u, TONGBAO)[1] for u in named}
        subjects = {u: [letter_id(i, u) for i in items] for u, items in routed.items()}
        refs = {}
        for u in named:
            letter = next((d for d in reversed(self.steps[u].earlier) if d.kind == DUBAN), None)
            if letter is not None:
                refs[u] = (letter.doc_number, letter.issued_on)
        report_due = self.calendar.add_workdays(self.issued_on, self.options.reply_workdays)
        table_req = TableRequest(progress=progress_for_table(self.project, self.as_of, None), as_of=self.as_of,
                                 attachment=2)
        forced = {u: r for u, r in reasons.items() if u in named and self.steps[u].action != TONGBAO}
        details = {**self._forced(reason), **({"forced_named": forced} if forced else {})}
        if forced and "force_reason" not in details:
            details["force_reason"] = "；".join(f"{u}：{r}" for u, r in forced.items())
        # 附件2, the 序时进度表: bound into the 通报 (landscape pages, page numbers running on),
        # or ([layout] bind_table = false) a file of its own headed "<文号>附件2" (GB/T 9704 §8).
        bound = bool(self.project.config.section("layout").get("bind_table", True))
        table = None
        if bound:
            spec = build_spec(self.project, table_req)
            table = {"label": spec.attachment_label, "title": spec.title, "subtitle": spec.subtitle, "rows": spec.rows}

        def extras(no: str) -> list[tuple[str, bytes]]:
            spec, data = render_table(self.project, replace(table_req, doc_number=no))
            return [("附件2-序时进度表", data)]

        return _Job(
            TONGBAO, "", tongbao_title(self.registry), self.options.tongbao_recipients.split("，"), subjects,
            report_due, "通报",
            lambda no: {**tongbao_context(self.registry, self.assessment, self.office, no, self.issued_on, named,
                                          duban_refs=refs, options=self.options, report_due=report_due,
                                          routes=routed, closed=self._closed_since_last_tongbao()), "table": table},
            None if bound else extras, details)

    def _closed_since_last_tongbao(self) -> list:
        """Items verified complete (销号) after the last 通报 the register holds, up to the cut-off."""
        last = max((d.issued_on for d in self.docs if d.kind == TONGBAO), default=None)
        return [i for i in self.assessment.items if i.closed and (last is None or i.closure.closed_on > last)]

    def yuetan(self, meetings: list[Meeting], reasons: dict[str, str] | None = None) -> list[_Job]:
        """约谈通知书, each at its own time: the one given, else the next free slot."""
        reasons = reasons or {}
        times = self.meeting_times(meetings)
        jobs = []
        for m in meetings:
            unit = self.directory.unit(m.unit)
            summary, items = self._flagged(unit.name, YUETAN)
            step = self.steps[unit.name]
            when, place = times[unit.name], m.place or self.options.yuetan_place
            report_due = self.calendar.add_workdays(when.date(), self.options.yuetan_report_workdays)
            reason = reasons.get(unit.name, "") if step.action != YUETAN else ""
            jobs.append(_Job(
                YUETAN, unit.name, f"关于约谈{unit.name}主要负责人的通知", [unit.name],
                {unit.name: [letter_id(i, unit.name) for i in items]}, report_due, unit.display_short,
                lambda no, u=unit, s=summary, w=when, p=place, d=report_due, e=step.history, i=items: yuetan_context(
                    self.registry, u, s, self.as_of, e, self.office, no, self.issued_on, w, p, d, self.options,
                    items=i),
                details={"meeting": when.isoformat(timespec="minutes"), "place": place, **self._forced(reason)}))
        return jobs

    def _due_soon(self, unit: str) -> list:
        from ..assess.escalation import due_soon

        summary = next((s for s in self.assessment.units if s.key == unit), None)
        return [i for i in summary.items if i.unit == unit and due_soon(i)] if summary else []

    def reminders(self, units: list[str], reasons: dict[str, str] | None = None) -> list[_Job]:
        """工作提醒 to ``units``: the items 临期 the ladder proposes (with a reason: every item 临期)."""
        reasons = reasons or {}
        section = self.project.config.section("reminder")
        numbered, title = bool(section.get("numbered", False)), str(section.get("title") or "工作提醒")
        jobs = []
        for name in units:
            unit = self.directory.unit(name)
            items = self.proposal.reminders.get(unit.name) or self._due_soon(unit.name)
            if not items:
                raise NoticesError(f"{unit.name}截至{cn_date(self.as_of)}没有临期事项，不发工作提醒")
            reason = reasons.get(unit.name, "") if unit.name not in self.proposal.reminders else ""

            def context(no: str, u=unit, i=items) -> dict:
                return reminder_context(self.registry, u, i, self.as_of, self.office, no if numbered else "",
                                        self.issued_on, title)

            jobs.append(_Job(
                REMIND, unit.name, title, [unit.name], {unit.name: [i.item_id for i in items]}, None,
                unit.display_short, context,
                lambda no, c=context, u=unit: [(f"{u.display_short}.txt", reminder_text(c(no)).encode("utf-8-sig"))],
                details={**self._forced(reason), **({} if numbered else {"unnumbered": True})}))
        return jobs

    def exposure(self, units: list[str], reasons: dict[str, str] | None = None) -> _Job:
        """The 曝光 通报 naming ``units`` (rule 4, or with a reason), and its web page."""
        from ..render.exposure_html import exposure_page

        reasons = reasons or {}
        names = [self.unit_name(u) for u in units]
        exposed = []
        for name in names:
            step = self.steps[name]
            routed = self._flagged(name, EXPOSE)[1]
            chosen = [i for i in routed if letter_id(i, name) in step.items] if step.action == EXPOSE else routed
            exposed.append(Exposed(name, chosen or routed, step.earlier))
        section = self.project.config.section("exposure")
        title = exposure_title(self.registry, str(section.get("title") or ""))
        report_due = self.calendar.add_workdays(self.issued_on, self.options.reply_workdays)
        forced = {u: r for u, r in reasons.items() if u in names and self.steps[u].action != EXPOSE}

        def context(no: str) -> dict:
            return exposure_context(self.registry, exposed, self.as_of, self.office, no, self.issued_on, report_due,
                                    self.options, title)

        def page(no: str) -> list[tuple[str, bytes]]:
            html = exposure_page(context(no), exposure_rows(exposed), self.issued_on,
                                 str(section.get("site_section") or "通知公告"))
            return [("曝光.html", html.encode("utf-8"))]

        details = {"public": True, **({"forced_named": forced, "force_reason": "；".join(
            f"{u}：{r}" for u, r in forced.items())} if forced else {})}
        return _Job(EXPOSE, "", title, self.options.tongbao_recipients.split("，"),
                    {e.unit: [letter_id(i, e.unit) for i in e.items] for e in exposed}, report_due, "曝光",
                    context, page, details)

    def meeting_times(self, meetings: list[Meeting]) -> dict[str, dt.datetime]:
        """Unit -> its 约谈 time: the one given, else the next slot free of every 约谈 in the
        register and of those given here. Two given times that overlap in the same place
        (or overlap one in the register) are refused: one room, one 约谈 at a time."""
        from ..assess.schedule import clashes, meeting_slots
        from ..compose.common import meeting_hours

        hours = meeting_hours(self.options)
        default_place = self.options.yuetan_place
        held = [(d.meeting, d.place or default_place, f"{d.doc_number}（{d.kind}）")
                for d in self.docs if d.kind == YUETAN and d.meeting is not None]
        problems = []
        for m in meetings:
            if m.time is None:
                continue
            place = m.place or default_place
            others = held + [(o.time, o.place or default_place, self.unit_name(o.unit)) for o in meetings
                             if o is not m and o.time is not None]
            for when, where, who in others:
                if where == place and clashes(m.time, hours, [when]):
                    problems.append(Problem(self.unit_name(m.unit), f"约谈时间{m.time:%Y-%m-%d %H:%M}与{who}在"
                                                                    f"{place}的约谈（{when:%Y-%m-%d %H:%M}）重叠，请错开时间或另换地点"))
                    break
        if problems:
            raise NoticesError("约谈时间安排重叠，未发文", problems)
        booked = [when for when, _, _ in held] + [m.time for m in meetings if m.time is not None]
        free = [m for m in meetings if m.time is None]
        first = self.calendar.add_workdays(self.issued_on, self.options.yuetan_notice_workdays)
        slots = iter(meeting_slots(first, len(free), hours, self.calendar, booked))
        return {self.unit_name(m.unit): m.time or next(slots) for m in meetings}

    # --- running ---------------------------------------------------------------------
    def template(self, kind: str) -> Template:
        if kind not in self._templates:
            name = TEMPLATE_OF.get(kind, f"{kind}.docx")
            path = self.project.templates_dir / name
            if not path.exists() and self.project.templates is None:
                from ..project import shipped

                path = shipped("templates") / name  # a working folder made before this kind existed
            tpl = Template(path, self.project.config.font_swaps, self.project.config.layout(kind))
            tpl.validate(*FIELDS[name])
            self._templates[kind] = tpl
        return self._templates[kind]

    @functools.cached_property
    def _unit_keys(self) -> dict[str, str]:
        """Unit name -> id, as the register keeps ``subjects``."""
        return {u.name: u.key for u in self.registry.units}

    def _unit_key(self, job: _Job) -> str:
        """The unit a document is for, as the register keys it (batch key and the
        document's 单位 property): the unit's id, so that a rename keeps it; ALL_UNITS
        for the 通报."""
        return self.directory.key_of(job.unit) if job.unit else ALL_UNITS

    def _batch_key(self, kind: str, unit: str) -> str:
        key = self.directory.key_of(unit) if unit else ALL_UNITS
        return batch_key(kind, key, self.assessment.round_id, self.issued_on)

    def _key(self, job: _Job) -> str:
        return batch_key(job.kind, self._unit_key(job), self.assessment.round_id, self.issued_on)

    def run(self, jobs: list[_Job], dry_run: bool = False, on_done: Callable[[Issued], None] | None = None,
            workers: int | None = None, allow_earlier: bool = False) -> list[Issued]:
        """Issue ``jobs`` in order. From PARALLEL_MIN documents on, with more than one
        worker (default: one per core), rendering goes to worker processes.
        ``allow_earlier``: a 成文日期 before one already numbered in the sequence is accepted
        (and recorded) instead of refused (--force)."""
        # A bad template stops the batch before any number is taken: each kind's first
        # document is rendered once with a provisional number (a field the data lacks
        # shows only when rendering).
        for job in {j.kind: j for j in reversed(jobs)}.values():
            code = organ_code_for(self.project.config, job.kind)
            number = format_number(code, self.issued_on.year, self.register.next_serial(code, self.issued_on.year))
            self.template(job.kind).render(job.context(number))
        if dry_run:
            return self._dry(jobs)
        # Every number of the batch in one transaction, in order (a kill from here on
        # leaves reserved records that a re-run finds by their batch keys and completes).
        grace = dt.timedelta(minutes=self.project.config.section("register").get("earlier_date_grace", 5))
        records = self.register.reserve([self._request(j) for j in jobs], allow_earlier, grace=grace)
        todo = [(j, r) for j, r in zip(jobs, records) if r.status != "issued"]
        workers = cpu_workers() if workers is None else workers
        if len(todo) >= PARALLEL_MIN and workers > 1:
            rendered = self._render_parallel(todo, workers)
        else:
            rendered = (self.template(j.kind).render(j.context(r.doc_number), self._properties(j, r))
                        for j, r in todo)
        writer = _Writer(self, on_done)
        try:
            for job, record in zip(jobs, records):
                writer.add(job, record, None if record.status == "issued" else next(rendered))
            writer.flush()
        finally:
            try:
                writer.flush()  # what was written before a failure is recorded, unless recording failed
            finally:
                rendered.close()
        return writer.done

    def _render_parallel(self, todo: list, workers: int):
        """The documents of ``todo`` (job, record) rendered in ``workers`` processes, in order."""
        specs = {kind: (str(self.template(kind).path), dict(self.template(kind).fonts), dict(self.template(kind).options))
                 for kind in dict.fromkeys(j.kind for j, _ in todo)}
        chunk = max(1, min(32, len(todo) // (workers * 8)))
        # Forked workers compose each context themselves from what they inherited (the
        # registry, the assessment, the jobs): only an index crosses to them.
        return render_in_workers(specs, ((j.kind, i) for i, (j, _) in enumerate(todo)), workers, chunk,
                                 prepared={kind: self.template(kind) for kind in specs},
                                 make=lambda i: (todo[i][0].context(todo[i][1].doc_number), self._properties(*todo[i])))

    def _dry(self, jobs: list[_Job]) -> list[Issued]:
        out, serials = [], {}
        year = self.issued_on.year
        for job in jobs:
            existing = self.register.find_by_batch(self._key(job))
            if existing is not None:
                out.append(Issued(job.kind, job.unit, existing.doc_number, existing=True))
                continue
            code = organ_code_for(self.project.config, job.kind)
            serials[code] = serials.get(code) or self.register.next_serial(code, year)
            out.append(Issued(job.kind, job.unit, format_number(code, year, serials[code]), provisional=True))
            serials[code] += 1
        return out

    def _request(self, job: _Job) -> Numbering:
        """What the register numbers for a job: the next number, or the record this batch
        already has. The register keeps the units of ``subjects`` by id, so a rename keeps
        the ladder's memory."""
        keys = self._unit_keys
        return Numbering(job.kind, organ_code_for(self.project.config, job.kind), self.issued_on.year, job.title,
                         tuple(job.recipients), tuple(sorted({m for ids in job.subjects.values() for m in ids})),
                         self._key(job), self.assessment.round_id, self.as_of, self.issued_on, job.reply_due,
                         {keys[u]: ids for u, ids in job.subjects.items()}, job.details)

    def _properties(self, job: _Job, record) -> dict[str, str]:
        """The custom document properties of the job's main document."""
        if self._register_id is None:
            self._register_id = self.register.register_id
        return document_properties(record, self._unit_key(job), self._register_id)

    def _files(self, job: _Job, record, data: bytes) -> list[tuple[str, bytes]]:
        """(file stem, bytes) of a document: the main one, then its extras (the 通报's
        table), each carrying the register's properties."""
        no = record.doc_number
        files = [(f"{no}-{job.stem}.docx", data)]
        if job.extras:
            props = self._properties(job, record)
            for stem, extra in job.extras(no):
                if Path(stem).suffix.lower() in (".txt", ".html"):
                    files.append((f"{no}-{stem}", extra))
                else:
                    files.append((f"{no}-{stem}.docx", add_custom_properties(extra, {**props, PART: stem})))
        return files

    def jobs_for(self, kind: str, units: list[str] | None = None, time: dt.datetime | None = None,
                 place: str = "", reason: str = "") -> list[_Job]:
        """One kind's jobs: for ``units`` or those the ladder proposes. For the 通报 (one,
        to all units) ``units`` are the units criticised by name. What the ladder does
        not propose is refused (``check``) unless ``reason`` says why it is issued anyway."""
        if kind not in KINDS:
            raise NoticesError(f"未知的文种“{kind}”，可用：{'、'.join(KINDS)}")
        chosen = [self.unit_name(u) for u in units] if units is not None else self.defaults(kind)
        requests = [Request(kind, u, reason) for u in chosen]
        if kind == TONGBAO:
            requests.insert(0, Request(TONGBAO, "", reason))
        self.check(requests)
        reasons = dict.fromkeys(chosen, reason)
        if kind == DUBAN:
            return self.duban(chosen, reasons)
        if kind == TONGBAO:
            return [self.tongbao(chosen, reasons, reason)]
        if kind == REMIND:
            return self.reminders(chosen, reasons)
        if kind == EXPOSE:
            return [self.exposure(chosen, reasons)] if chosen else []
        return self.yuetan([Meeting(u, time, place) for u in chosen], reasons)

    def defaults(self, kind: str) -> list[str]:
        """The units the ladder proposes for ``kind``, plus those this very batch
        already served (so a re-run reports them instead of skipping them)."""
        units = list(self.proposal.reminders) if kind == REMIND else self.proposed(kind)
        for s in self.proposal.steps:
            if s.unit not in units and kind not in (EXPOSE,) and self.batch_record(kind, s.unit):
                units.append(s.unit)
        order = [s.unit for s in self.proposal.steps]
        return sorted(units, key=order.index)


def plan_batch(project: Project, plan: IssuePlan, label: str, source: str = "", advice: str | None = None
               ) -> tuple[Batch, list[_Job]]:
    """The batch and its documents for a reviewed plan: the plan file (`issue --plan`) or
    the web page's form. Its dates are held to the window, its round must still be the
    latest, and what the ladder does not propose needs its 原因 (``Batch.check``, with
    ``advice`` saying how to give one). ``label`` names the plan in messages, ``source``
    is where a document it lists without a line of its own was asked."""
    from .dates import check_date

    check_date(project, plan.as_of, f"{label}中的截至日期")
    check_date(project, plan.issued_on, f"{label}中的成文日期")
    batch = Batch(project, plan.as_of, plan.issued_on)
    if plan.round_id and plan.round_id != batch.assessment.round_id:
        raise NoticesError(f"计划依据的进度轮次为“{plan.round_id}”，而截至{plan.as_of.isoformat()}的最新一轮是"
                           f"“{batch.assessment.round_id or '无'}”。进度数据已变，请重新生成计划")
    requests = [Request(kind, unit, plan.reasons.get((kind, unit), ""), plan.lines.get((kind, unit), source))
                for kind, units in ((REMIND, plan.remind), (DUBAN, plan.duban), (TONGBAO, [""] if plan.tongbao else []),
                                    (TONGBAO, plan.named), (YUETAN, [m.unit for m in plan.yuetan]),
                                    (EXPOSE, plan.expose))
                for unit in units]
    batch.check(requests, advice)

    def reasons(kind: str) -> dict[str, str]:
        return {u: r for (k, u), r in plan.reasons.items() if k == kind and u}

    jobs = batch.reminders(plan.remind, reasons(REMIND))
    jobs += batch.duban(plan.duban, reasons(DUBAN))
    if plan.tongbao:
        jobs.append(batch.tongbao(plan.named, reasons(TONGBAO), plan.reasons.get((TONGBAO, ""), "")))
    jobs += batch.yuetan(plan.yuetan, reasons(YUETAN))
    if plan.expose:
        jobs.append(batch.exposure(plan.expose, reasons(EXPOSE)))
    return batch, jobs


def batch_warnings(batch: Batch, kinds=()) -> list[str]:
    """What to tell before a plan or a run: the assessment's warnings, and a missing
    contact when letters (督办函, 约谈通知书) are among ``kinds``."""
    out = list(batch.warnings)
    missing = batch.project.config.missing_contact()
    letters = [k for k in (DUBAN, YUETAN) if k in kinds]
    if missing and letters:
        out.append(f"notices.toml 的 [office] 未填写{'、'.join(missing)}，{'、'.join(letters)}将没有联系方式。"
                   "可用 notices config set office.contact 姓名、notices config set office.phone 电话 填写。")
    return out


ACTION_ZH = {DUBAN: "发督办函", TONGBAO: "通报点名", YUETAN: "约谈", EXPOSE: "公开曝光", "": "不发文"}


def tongbao_line(proposal) -> str:
    """What the plan says about the round's 通报."""
    done = proposal.round_tongbao
    if proposal.tongbao:
        return f"发，本轮（{proposal.round_id}）进展情况通报全体单位"
    if done:
        return f"本轮（{proposal.round_id}）已于{done.issued_on.isoformat()}印发（{done.doc_number}），不再发"
    return "尚无进度数据，不发"


def plan_totals(proposal) -> str:
    """The plan's closing line: how many of each, who waits."""
    counts = {k: len(proposal.units(k)) for k in (DUBAN, TONGBAO, YUETAN, EXPOSE)}
    line = f"共：督办函 {counts[DUBAN]} 份，通报点名 {counts[TONGBAO]} 个单位，约谈 {counts[YUETAN]} 个单位"
    if proposal.reminders:
        line += f"，工作提醒 {len(proposal.reminders)} 份"
    if counts[EXPOSE]:
        line += f"，提出公开曝光 {counts[EXPOSE]} 个单位（由办公室研究决定）"
    waiting = [s for s in proposal.steps if not s.action and s.waiting_until]
    deferred = [s for s in proposal.steps if s.deferred]
    if waiting:
        line += f"；{len(waiting)} 个单位等待此前文书规定的期限届满"
    if deferred:
        line += f"；{len(deferred)} 个单位待下一轮通报点名"
    return line + "。"


def shown(path: Path, root: Path | None) -> str:
    """``path`` as a line names it: relative to ``root`` (the working folder) where given."""
    return str(path) if root is None else path_label(path, root)


def issued_lines(done: list[Issued], dry_run: bool, root: Path | None = None) -> list[str]:
    """What a run issued (or, ``dry_run``, would issue), one line a document, then the count;
    the files relative to ``root`` (the working folder) where given."""
    lines = []
    for item in done:
        who = item.unit or "全体单位"
        if dry_run:
            mark = "（已发过，不会重复）" if item.existing else "（暂定）"
            lines.append(f"将发：{item.kind} {item.doc_number}{mark}  {who}")
        elif item.existing:
            lines.append(f"已存在：{item.kind} {item.doc_number}  {who}（本批已发过，未重复发文）")
        else:
            lines.append(f"已发：{item.kind} {item.doc_number}  {who}  " + "；".join(shown(Path(p), root) for p in item.paths))
    if dry_run:
        lines.append("以上为预览：文号为暂定，未写文件、未登记。")
    else:
        lines.append(f"共 {len(done)} 份，新发 {sum(1 for i in done if not i.existing)} 份。")
    return lines


def _write(path: Path, data: bytes) -> Path:
    """Write a new file; a file already there is accepted only when it is exactly
    this document (left by a run killed between writing and recording, or written
    a moment ago by another run of the same batch). write_atomic also removes the
    temporary files killed runs left in the folder. The folder's new entry is made
    durable by the caller (_Writer.flush), once per folder and chunk."""
    if path.exists() and path.read_bytes() != data:
        raise NoticesError(f"文件已存在且内容与本次生成的不同，未覆盖：{path}。"
                           f"请核对后移走该文件，或用 notices register void 作废该文号后重新发文")
    return write_atomic(path, data, identical_ok=True, sync_folder=False)


class _Writer:
    """Writes each document as it comes and records them in chunks: one register
    transaction for 1, 2, 4 … up to CHUNK_MAX documents (the first ones are on
    record at once; a long batch costs a few transactions, not two per document).

    Order of durability: each file's content is on disk before its final name
    exists (write_atomic), the names before the register records them (the folders
    are synced at each flush). A kill before a flush leaves whole files under their
    reserved numbers, which a re-run of the batch finds identical and records."""

    def __init__(self, batch: Batch, on_done: Callable[[Issued], None] | None):
        self.batch, self.on_done = batch, on_done
        self.pending: list[tuple[_Job, object, list[tuple[Path, str]] | None]] = []
        self.folders: set[Path] = set()
        self.size = 1
        self.done: list[Issued] = []

    def add(self, job: _Job, record, data: bytes | None) -> None:
        written = None
        if data is not None:
            folder = self.batch.project.outputs_dir / str(self.batch.issued_on.year) / job.kind
            # the SHA-256 of the bytes this run wrote, not of the file re-read: a file
            # changed between writing and recording is refused by record_many
            written = [(_write(folder / safe_filename(name), content), hashlib.sha256(content).hexdigest())
                       for name, content in self.batch._files(job, record, data)]
            self.folders.add(folder)
        self.pending.append((job, record, written))
        if len(self.pending) >= self.size:
            self.flush()

    def flush(self) -> None:
        chunk, self.pending = self.pending, []  # a failed flush is not retried: its files wait for a re-run
        if not chunk:
            return
        folders, self.folders = self.folders, set()
        for folder in folders:
            fsync_folder(folder)
        todo = [(record.doc_number, written) for _, record, written in chunk if written is not None]
        mine = {record.doc_number: changed for record, changed in self.batch.register.record_many(todo)} if todo else {}
        for job, record, written in chunk:
            if written is None:  # issued by an earlier run of this batch
                done = Issued(job.kind, job.unit, record.doc_number,
                              [self.batch.register.resolve(o.path) for o in record.outputs], True)
            else:
                done = Issued(job.kind, job.unit, record.doc_number, [p for p, _ in written],
                              existing=not mine[record.doc_number])
            self.done.append(done)
            if self.on_done:
                self.on_done(done)
        self.size = min(2 * self.size, CHUNK_MAX)


def print_file(issued: list[Issued], folder: Path, day: dt.date, soffice: str = "") -> tuple[Path | None, bool]:
    """One .docx of a batch's letters, each starting on an odd page with its own
    page numbers, for printing in one go (not registered: a copy); and whether the
    letters were laid out by LibreOffice to count their pages (see
    ooxml.combine_documents: blank pages of their own then keep each letter on a
    front side in every reader; without LibreOffice odd-page sections, right in
    Word and WPS)."""
    from ..file.pdf import count_pages
    from ..render.ooxml import combine_documents

    mains = [i.paths[0] for i in issued if i.paths]
    if not mains:
        return None, False
    pages = count_pages(mains, soffice)
    data = combine_documents([p.read_bytes() for p in mains], pages, blank_footer="rIdFooterFirst")
    return write_atomic(next_free(folder / f"打印合订本-{day.isoformat()}.docx"), data), pages is not None


NO_LAYOUT = "（未找到 LibreOffice，无法计算各份页数：合订本按奇数页分节，请用 Word 或 WPS 打印）"


def print_bundles(batch: Batch, done: list[Issued], files: list[Path] | None = None,
                  root: Path | None = None) -> list[str]:
    """The print bundle of each kind of letter a run issued (--print-file): what to tell,
    one line per bundle (files relative to ``root`` where given); ``files`` gets the
    bundles written."""
    lines = []
    for kind in (DUBAN, YUETAN):
        mine = [i for i in done if i.kind == kind]
        if not mine:
            continue
        folder = batch.project.outputs_dir / str(batch.issued_on.year) / kind
        path, laid_out = print_file(mine, folder, batch.issued_on,
                                    str(batch.project.config.section("pdf").get("soffice", "")))
        if path is None:
            continue
        lines.append(f"打印合订本：{shown(path, root)}")
        if files is not None:
            files.append(path)
        if not laid_out:
            lines.append(NO_LAYOUT)
    return lines

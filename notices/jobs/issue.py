"""`notices issue`: 督办函, 通报 and 约谈通知书, numbered in the register.

One batch: the registry, the assessment, the proposal and each template are
loaded once; then per document: allocate its number (or find the batch's
earlier record) → compose → render → write atomically → record the files with
their SHA-256. A batch killed halfway leaves at most reserved numbers without
files; re-running the same batch (same kind, unit, round and date) takes those
numbers up again, so there is neither a gap nor a duplicate.

A large batch (PARALLEL_MIN documents or more) allocates all its numbers first,
in order, then renders in worker processes (render.pool) while this process
composes, writes and records each document in order: the same files, the same
register, the same re-run behaviour, in a fraction of the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from ..assess.calendar import calendar_from_config
from ..assess.escalation import DUBAN, TONGBAO, YUETAN
from ..assess.status import unit_items
from ..compose.common import office_from_config, options_from_config
from ..compose.duban import duban_context, duban_title
from ..compose.tongbao import tongbao_context, tongbao_title
from ..compose.yuetan import yuetan_context
from ..errors import NoticesError
from ..file.outputs import next_free, safe_filename, write_atomic
from ..file.register import Register, batch_key, format_number, organ_code_for
from ..project import Project, db_path
from ..read.plan_file import Meeting
from ..render.engine import Template
from ..render.pool import cpu_workers, render_in_workers
from ..render.template_build import FIELDS
from ..textfmt import cn_date
from .plan import make_proposal
from .status import progress_for_table
from .table import TableRequest, build_spec, render_table

KINDS = (DUBAN, TONGBAO, YUETAN)
PARALLEL_MIN = 50  # documents: a batch this large is rendered in worker processes, one per core
ALL_UNITS = "全体"  # the batch key's unit for the 通报


@dataclass
class Issued:
    kind: str
    unit: str  # the addressee; "" for the 通报
    doc_number: str
    paths: list[Path] = field(default_factory=list)
    existing: bool = False  # issued before in this batch: nothing new written
    provisional: bool = False  # --dry-run: the number is only a forecast


@dataclass
class _Job:
    kind: str
    unit: str
    title: str
    recipients: list[str]
    subjects: dict[str, list[str]]
    reply_due: dt.date | None
    stem: str  # file name after the 文号
    context: Callable[[str], dict]  # 文号 -> template context
    extras: Callable[[str], list[tuple[str, bytes]]] | None = None  # 文号 -> (file stem, bytes) beside it


class Batch:
    """Everything one `issue` run needs, loaded once."""

    def __init__(self, project: Project, as_of: dt.date, issued_on: dt.date):
        self.project, self.as_of, self.issued_on = project, as_of, issued_on
        self.registry, self.directory = project.load()
        self.assessment, self.proposal = make_proposal(project, as_of)
        self.steps = {s.unit: s for s in self.proposal.steps}
        self.office = office_from_config(project.config)
        self.options = options_from_config(project.config)
        self.calendar = calendar_from_config(project.config)
        self.register = Register(db_path(project), project.root)
        self._templates: dict[str, Template] = {}

    @property
    def warnings(self) -> list[str]:
        return self.assessment.warnings

    # --- who -------------------------------------------------------------------------
    def unit_name(self, name: str) -> str:
        return self.directory.unit(name).name

    def _flagged(self, unit: str, kind: str):
        summary = next((s for s in self.assessment.units if s.key == unit), None)
        items = unit_items(summary) if summary else []
        if not items:
            raise NoticesError(f"{unit}截至{cn_date(self.as_of)}没有逾期或未报送事项，不发{kind}")
        return summary, items

    def proposed(self, kind: str) -> list[str]:
        return self.proposal.units(kind)

    # --- jobs ------------------------------------------------------------------------
    def duban(self, units: list[str]) -> list[_Job]:
        reply_due = self.calendar.add_workdays(self.issued_on, self.options.reply_workdays)
        jobs = []
        for name in units:
            unit = self.directory.unit(name)
            summary, items = self._flagged(unit.name, DUBAN)
            ids = [i.milestone_id for i in items]
            jobs.append(_Job(
                DUBAN, unit.name, duban_title(self.registry), [unit.name], {unit.name: ids}, reply_due,
                unit.display_short,
                lambda no, s=summary: duban_context(self.registry, s, self.as_of, self.office, no, self.issued_on,
                                                    reply_due, self.options, self.assessment.round_date)))
        return jobs

    def tongbao(self, named: list[str]) -> _Job:
        named = [self.unit_name(u) for u in named]
        subjects = {u: [i.milestone_id for i in self._flagged(u, TONGBAO)[1]] for u in named}
        refs = {}
        for u in named:
            letter = next((d for d in reversed(self.steps[u].earlier) if d.kind == DUBAN), None)
            if letter is not None:
                refs[u] = (letter.doc_number, letter.issued_on)
        table_req = TableRequest(progress=progress_for_table(self.project, self.as_of, None), as_of=self.as_of,
                                 attachment=2)
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
            TONGBAO, "", tongbao_title(self.registry), self.options.tongbao_recipients.split("，"), subjects, None, "通报",
            lambda no: {**tongbao_context(self.registry, self.assessment, self.office, no, self.issued_on, named,
                                          duban_refs=refs, options=self.options), "table": table},
            None if bound else extras)

    def yuetan(self, meetings: list[Meeting]) -> list[_Job]:
        jobs = []
        for m in meetings:
            unit = self.directory.unit(m.unit)
            summary, items = self._flagged(unit.name, YUETAN)
            when = m.time or self.default_meeting()
            report_due = self.calendar.add_workdays(when.date(), self.options.yuetan_report_workdays)
            earlier = [(d.kind, d.doc_number, d.issued_on) for d in self.steps[unit.name].earlier
                       if d.kind in (DUBAN, TONGBAO)]
            jobs.append(_Job(
                YUETAN, unit.name, f"关于约谈{unit.name}主要负责人的通知", [unit.name],
                {unit.name: [i.milestone_id for i in items]}, report_due, unit.display_short,
                lambda no, u=unit, s=summary, w=when, p=m.place, d=report_due, e=earlier: yuetan_context(
                    self.registry, u, s, self.as_of, e, self.office, no, self.issued_on, w,
                    p or self.options.yuetan_place, d, self.options)))
        return jobs

    def default_meeting(self) -> dt.datetime:
        day = self.calendar.add_workdays(self.issued_on, self.options.yuetan_notice_workdays)
        return dt.datetime.combine(day, dt.time.fromisoformat(self.options.yuetan_time))

    # --- running ---------------------------------------------------------------------
    def template(self, kind: str) -> Template:
        if kind not in self._templates:
            name = f"{kind}.docx"
            tpl = Template(self.project.templates_dir / name, self.project.config.font_swaps,
                           self.project.config.layout(kind))
            tpl.validate(*FIELDS[name])
            self._templates[kind] = tpl
        return self._templates[kind]

    def _key(self, job: _Job) -> str:
        return batch_key(job.kind, job.unit or ALL_UNITS, self.assessment.round_id, self.issued_on)

    def run(self, jobs: list[_Job], dry_run: bool = False,
            on_done: Callable[[Issued], None] | None = None, workers: int | None = None) -> list[Issued]:
        """Issue ``jobs`` in order. From PARALLEL_MIN documents on, with more than one
        worker (default: one per core), rendering goes to worker processes."""
        # A bad template stops the batch before any number is taken: each kind's first
        # document is rendered once with a provisional number (a field the data lacks
        # shows only when rendering).
        for job in {j.kind: j for j in reversed(jobs)}.values():
            code = organ_code_for(self.project.config, job.kind)
            number = format_number(code, self.issued_on.year, self.register.next_serial(code, self.issued_on.year))
            self.template(job.kind).render(job.context(number))
        if dry_run:
            return self._dry(jobs)
        workers = cpu_workers() if workers is None else workers
        if len(jobs) >= PARALLEL_MIN and workers > 1:
            return self._issue_parallel(jobs, on_done, workers)
        return [self._issue(j, on_done) for j in jobs]

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

    def _allocate(self, job: _Job):
        """The job's number: the next one, or the record this batch already has."""
        return self.register.allocate(
            job.kind, organ_code_for(self.project.config, job.kind), self.issued_on.year, job.title, job.recipients,
            sorted({m for ids in job.subjects.values() for m in ids}), self._key(job), self.assessment.round_id,
            self.as_of, self.issued_on, job.reply_due, subjects=job.subjects)

    def _issue(self, job: _Job, on_done) -> Issued:
        record = self._allocate(job)
        data = None if record.status == "issued" else self.template(job.kind).render(job.context(record.doc_number))
        return self._complete(job, record, data, on_done)

    def _issue_parallel(self, jobs: list[_Job], on_done, workers: int) -> list[Issued]:
        """Every number first, in order (a kill from here on leaves reserved records that a
        re-run of the batch finds by their batch keys and completes); then the documents
        composed and rendered in ``workers`` processes and written and recorded here, in order."""
        records = [self._allocate(j) for j in jobs]
        todo = [(j, r) for j, r in zip(jobs, records) if r.status != "issued"]
        specs = {kind: (str(self.template(kind).path), dict(self.template(kind).fonts), dict(self.template(kind).options))
                 for kind in dict.fromkeys(j.kind for j, _ in todo)}
        chunk = max(1, min(32, len(todo) // (workers * 8)))
        # Forked workers compose each context themselves from what they inherited (the
        # registry, the assessment, the jobs): only an index crosses to them.
        rendered = render_in_workers(specs, ((j.kind, i) for i, (j, _) in enumerate(todo)), workers, chunk,
                                     prepared={kind: self.template(kind) for kind in specs},
                                     make=lambda i: todo[i][0].context(todo[i][1].doc_number))
        try:
            return [self._complete(job, record, None if record.status == "issued" else next(rendered), on_done)
                    for job, record in zip(jobs, records)]
        finally:
            rendered.close()

    def _complete(self, job: _Job, record, data: bytes | None, on_done) -> Issued:
        """Write a rendered document (and its extras) and record it; or report the
        record's files when the batch issued it before (``data`` None)."""
        no = record.doc_number
        if record.status == "issued":
            done = Issued(job.kind, job.unit, no, [self.register.resolve(o.path) for o in record.outputs], True)
        else:
            folder = self.project.outputs_dir / str(self.issued_on.year) / job.kind
            files = [(f"{no}-{job.stem}", data)]
            files += [(f"{no}-{stem}", extra) for stem, extra in (job.extras(no) if job.extras else [])]
            # the SHA-256 of the bytes this run wrote, not of the file re-read: a file
            # changed between writing and recording is refused by record_outputs
            written = [(_write(folder / safe_filename(f"{stem}.docx"), content), hashlib.sha256(content).hexdigest())
                       for stem, content in files]
            paths = [p for p, _ in written]
            self.register.record_outputs(no, written)
            done = Issued(job.kind, job.unit, no, paths)
        if on_done:
            on_done(done)
        return done

    def jobs_for(self, kind: str, units: list[str] | None = None, time: dt.datetime | None = None,
                 place: str = "") -> list[_Job]:
        """One kind's jobs: for ``units`` or those the ladder proposes. For the
        通报 (one, to all units) ``units`` are the units criticised by name."""
        chosen = units if units is not None else self.defaults(kind)
        if kind == DUBAN:
            return self.duban(chosen)
        if kind == TONGBAO:
            return [self.tongbao(chosen)]
        if kind == YUETAN:
            return self.yuetan([Meeting(u, time, place) for u in chosen])
        raise NoticesError(f"未知的文种“{kind}”，可用：{'、'.join(KINDS)}")

    def defaults(self, kind: str) -> list[str]:
        """The units the ladder proposes for ``kind``, plus those this very batch
        already served (so a re-run reports them instead of skipping them)."""
        units = self.proposed(kind)
        for s in self.proposal.steps:
            if s.unit not in units and self.register.find_by_batch(
                    batch_key(kind, s.unit, self.assessment.round_id, self.issued_on)):
                units.append(s.unit)
        order = [s.unit for s in self.proposal.steps]
        return sorted(units, key=order.index)


def _write(path: Path, data: bytes) -> Path:
    """Write a new file; a file already there is accepted only when it is exactly
    this document (left by a run killed between writing and recording, or written
    a moment ago by another run of the same batch). write_atomic also removes the
    temporary files killed runs left in the folder."""
    if path.exists() and path.read_bytes() != data:
        raise NoticesError(f"文件已存在且内容与本次生成的不同，未覆盖：{path}。"
                           f"请核对后移走该文件，或用 notices register void 作废该文号后重新发文")
    return write_atomic(path, data, identical_ok=True)


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

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
import hashlib
from dataclasses import dataclass, field
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
from ..file.outputs import fsync_folder, next_free, safe_filename, write_atomic
from ..file.recover import check_outputs_known
from ..file.register import PART, Register, Request, batch_key, document_properties, format_number, organ_code_for
from ..project import Project, db_path
from ..read.plan_file import Meeting
from ..render.engine import Template
from ..render.ooxml import add_custom_properties
from ..render.pool import cpu_workers, render_in_workers
from ..render.template_build import FIELDS
from ..textfmt import cn_date
from .plan import make_proposal
from .status import progress_for_table
from .table import TableRequest, render_table

KINDS = (DUBAN, TONGBAO, YUETAN)
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
        self._register_id: str | None = None

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

        def extras(no: str) -> list[tuple[str, bytes]]:
            spec, data = render_table(self.project, table_req)
            return [("附件2-序时进度表", data)]

        return _Job(
            TONGBAO, "", tongbao_title(self.registry), self.options.tongbao_recipients.split("，"), subjects, None, "通报",
            lambda no: tongbao_context(self.registry, self.assessment, self.office, no, self.issued_on, named,
                                       duban_refs=refs, options=self.options),
            extras)

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
            tpl = Template(self.project.templates_dir / name, self.project.config.font_swaps)
            tpl.validate(*FIELDS[name])
            self._templates[kind] = tpl
        return self._templates[kind]

    @staticmethod
    def _unit_key(job: _Job) -> str:
        """The unit a document is for, as the register keys it (batch key and the
        document's 单位 property): the unit's full name; ALL_UNITS for the 通报."""
        return job.unit or ALL_UNITS

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
        # Documents on disk the register does not know: a lost, emptied or replaced
        # database would hand their numbers out again. Stop before taking any (and
        # before a preview shows them as the next numbers).
        check_outputs_known(self.register, self.project.outputs_dir, self.issued_on.year)
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
        specs = {kind: (str(self.template(kind).path), dict(self.template(kind).fonts))
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

    def _request(self, job: _Job) -> Request:
        """What the register numbers for a job: the next number, or the record this batch already has."""
        return Request(job.kind, organ_code_for(self.project.config, job.kind), self.issued_on.year, job.title,
                       tuple(job.recipients), tuple(sorted({m for ids in job.subjects.values() for m in ids})),
                       self._key(job), self.assessment.round_id, self.as_of, self.issued_on, job.reply_due,
                       job.subjects)

    def _properties(self, job: _Job, record) -> dict[str, str]:
        """The custom document properties of the job's main document."""
        if self._register_id is None:
            self._register_id = self.register.register_id
        return document_properties(record, self._unit_key(job), self._register_id)

    def _files(self, job: _Job, record, data: bytes) -> list[tuple[str, bytes]]:
        """(file stem, bytes) of a document: the main one, then its extras (the 通报's
        table), each carrying the register's properties."""
        no = record.doc_number
        files = [(f"{no}-{job.stem}", data)]
        if job.extras:
            props = self._properties(job, record)
            files += [(f"{no}-{stem}", add_custom_properties(extra, {**props, PART: stem}))
                      for stem, extra in job.extras(no)]
        return files

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
            written = [(_write(folder / safe_filename(f"{stem}.docx"), content), hashlib.sha256(content).hexdigest())
                       for stem, content in self.batch._files(job, record, data)]
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


def print_file(issued: list[Issued], folder: Path, day: dt.date) -> Path | None:
    """One .docx of a batch's letters, each starting on an odd page with its own
    page numbers, for printing in one go (not registered: a copy)."""
    from ..render.ooxml import combine_documents

    mains = [i.paths[0] for i in issued if i.paths]
    if not mains:
        return None
    data = combine_documents([p.read_bytes() for p in mains])
    return write_atomic(next_free(folder / f"打印合订本-{day.isoformat()}.docx"), data)

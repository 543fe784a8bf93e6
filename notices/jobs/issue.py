"""`notices issue duban`: one 督办函 per unit with overdue or unreported items,
numbered in the register, written once, never duplicated on re-run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..assess.calendar import calendar_from_config
from ..compose.common import office_from_config, options_from_config, unit_items
from ..compose.duban import duban_context, duban_title
from ..config import FONT_ROLES
from ..file.outputs import safe_filename, write_atomic
from ..file.register import Register, batch_key, file_sha256, organ_code_for
from ..project import Project, db_path
from ..render.engine import Template
from ..render.template_build import FIELDS
from .status import assess_project

KIND = "督办函"


@dataclass
class Issued:
    unit: str
    doc_number: str
    path: Path | None
    existing: bool  # the batch had been issued before: nothing new written


def _template(project: Project, name: str) -> Template:
    fonts = {FONT_ROLES[role]: font for role, font in project.config.fonts.items()}
    tpl = Template(project.templates_dir / name, fonts)
    tpl.validate(*FIELDS[name])
    return tpl


def issue_duban(project: Project, as_of: dt.date, issued_on: dt.date, units: list[str] | None = None,
                dry_run: bool = False) -> list[Issued]:
    """Letters for every unit with flagged items (or only ``units``)."""
    registry, directory = project.load()
    assessment = assess_project(project, as_of)
    wanted = {directory.unit(u).name for u in units} if units else None
    targets = [s for s in assessment.units if unit_items(s) and (wanted is None or s.key in wanted)]
    office, options = office_from_config(project.config), options_from_config(project.config)
    reply_due = calendar_from_config(project.config).add_workdays(issued_on, options.reply_workdays)
    tpl = _template(project, f"{KIND}.docx")
    code = organ_code_for(project.config, KIND)
    title = duban_title(registry)
    register = Register(db_path(project), project.root)
    out_dir = project.outputs_dir / str(issued_on.year) / KIND
    issued: list[Issued] = []
    for n, summary in enumerate(targets, 1):
        unit = directory.unit(summary.key)
        key = batch_key(KIND, unit.name, assessment.round_id, issued_on)
        items = unit_items(summary)
        if dry_run:
            existing = register.find_by_batch(key)
            number = existing.doc_number if existing else f"{code}〔{issued_on.year}〕（暂定第{n}份）"
            issued.append(Issued(unit.name, number, None, existing is not None))
            continue
        record = register.allocate(KIND, code, issued_on.year, title, [unit.name], [i.milestone_id for i in items],
                                   key, assessment.round_id, as_of, issued_on, reply_due)
        if record.status == "issued":
            issued.append(Issued(unit.name, record.doc_number, None, True))
            continue
        ctx = duban_context(registry, summary, as_of, office, record.doc_number, issued_on, reply_due, options,
                            assessment.round_date)
        path = out_dir / safe_filename(f"{record.doc_number}-{unit.display_short}.docx")
        data = tpl.render(ctx)
        if not path.exists():  # a reserved record whose file a killed run left unwritten
            write_atomic(path, data)
        register.record_outputs(record.doc_number, [(path, file_sha256(path))])
        issued.append(Issued(unit.name, record.doc_number, path, False))
    return issued

"""`notices plan`: the escalation ladder's proposal from the status and the register."""

from __future__ import annotations

import datetime as dt

from ..assess.escalation import PastDoc, Proposal, propose, rules_from_config
from ..assess.roles import duban_to_from_config, route_items
from ..assess.status import Assessment, unit_items
from ..directory import Directory
from ..file.register import Register
from ..project import Project, db_path
from .status import assess_project


def past_docs(register: Register, directory: Directory) -> list[PastDoc]:
    """Every live (not voided) document of the register, with its first reply, whatever
    its date; its subjects under the units' current names (the register keeps ids)."""
    replies = register.first_replies()
    out = []
    for r in register.list():
        if r.status == "void" or r.issued_on is None:
            continue
        subjects = {name: items for key, items in r.subjects.items()
                    if (name := directory.name_for_key(key)) is not None}
        meeting = r.details.get("meeting")
        out.append(PastDoc(r.kind, r.doc_number, r.issued_on, subjects, r.reply_due, replies.get(r.doc_number),
                           r.round_id or "", dt.datetime.fromisoformat(meeting) if meeting else None,
                           r.details.get("place", ""), r.as_of))
    return out


def make_proposal(project: Project, as_of: dt.date, issued_on: dt.date | None = None
                  ) -> tuple[Assessment, Proposal, list[PastDoc]]:
    """The assessment, the ladder's proposal and the documents it remembers. Documents of
    the batch being made (the same progress date and 成文日期: a run, or its re-run after an
    interruption) are not its history: every document of a batch is composed from what was
    there before the batch, so a re-run writes the very same documents."""
    assessment = assess_project(project, as_of, decided_until=issued_on)
    registry, directory = project.load()
    docs = [d for d in past_docs(Register(db_path(project), project.root), directory)
            if not (issued_on is not None and d.issued_on == issued_on and d.as_of == as_of)]
    flagged = [i for s in assessment.units for i in unit_items(s)]
    routes = route_items(flagged, registry, duban_to_from_config(project.config),
                         {s.key for s in assessment.internal_units})
    return assessment, propose(assessment, docs, rules_from_config(project.config), routes), docs

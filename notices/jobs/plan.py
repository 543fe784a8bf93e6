"""`notices plan`: the escalation ladder's proposal from the status and the register."""

from __future__ import annotations

import datetime as dt

from ..assess.escalation import PastDoc, Proposal, propose, rules_from_config
from ..assess.status import Assessment
from ..file.register import Register
from ..project import Project, db_path
from .status import assess_project


def past_docs(register: Register) -> list[PastDoc]:
    """Every live (not voided) document of the register, with its first reply."""
    replies = register.first_replies()
    return [PastDoc(r.kind, r.doc_number, r.issued_on, r.subjects, r.reply_due, replies.get(r.doc_number),
                    r.round_id or "")
            for r in register.list() if r.status != "void" and r.issued_on is not None]


def make_proposal(project: Project, as_of: dt.date) -> tuple[Assessment, Proposal]:
    assessment = assess_project(project, as_of)
    docs = past_docs(Register(db_path(project), project.root))
    return assessment, propose(assessment, docs, rules_from_config(project.config))

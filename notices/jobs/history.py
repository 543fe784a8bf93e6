"""One history per item: every step the register holds, for `register show`, the
督办台账 and the archive's metadata.

A step is a document that took the item up (工作提醒, 督办函, 通报 that named the
unit, 约谈通知书, 曝光 — live documents only: a voided number was never sent),
the unit's reply to one of them (答复), or the office's own step on the item
(延期, 不予延期, 销号: notices.file.steps). Nothing is inferred: an entry is a
row of the register, with its date, 文号 and who.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from ..file.register import Register
from ..file.steps import CLOSE, EXTEND, REFUSE, Steps
from ..project import Project, db_path
from ..textfmt import cn_date

# register kind -> the step's name in the 台账
STEP_OF = {"工作提醒": "提醒", "督办函": "督办函", "通报": "通报", "约谈通知书": "约谈", "曝光": "曝光"}
COLUMNS = ("提醒", "督办函", "答复", "通报", "约谈", "延期", "销号", "曝光")


@dataclass(frozen=True)
class Entry:
    step: str  # one of COLUMNS, or 不予延期
    day: dt.date
    doc_number: str = ""
    detail: str = ""
    actor: str = ""

    @property
    def line(self) -> str:
        """2026-11-30 某安委办函〔2026〕1号 (the 台账's cell text, one line per step)."""
        return " ".join(p for p in (self.day.isoformat(), self.doc_number, self.detail) if p)


def _owner(item: str, unit_key: str) -> tuple[str, str]:
    """(unit key, item id) an entry of a document's subjects is about: "5-1|U07" in a lead
    unit's letter is the supporting unit U07's item 5-1."""
    mid, _, other = item.partition("|")
    return (other or unit_key), mid


def histories(project: Project) -> dict[tuple[str, str], list[Entry]]:
    """(unit key, item id) -> its steps, oldest first."""
    register = Register(db_path(project), project.root)
    replies: dict[str, list] = defaultdict(list)
    out: dict[tuple[str, str], list[Entry]] = defaultdict(list)
    records = [r for r in register.list() if r.status != "void" and r.kind in STEP_OF and r.issued_on]
    for r in records:
        for reply in register.replies(r.doc_number) if r.status == "issued" else []:
            replies[r.doc_number].append(reply)
        for unit_key, items in r.subjects.items():
            for item in items:
                key = _owner(item, unit_key)
                detail = ""
                if r.kind == "约谈通知书" and r.details.get("meeting"):
                    detail = f"约谈时间{r.details['meeting'].replace('T', ' ')}"
                out[key].append(Entry(STEP_OF[r.kind], r.issued_on, r.doc_number, detail))
                for reply in replies[r.doc_number]:
                    out[key].append(Entry("答复", reply.date, r.doc_number, reply.note))
    for s in Steps(db_path(project)).list():
        d = s.detail
        if s.step == EXTEND:
            detail = f"由{d.get('original', '')}延期至{d['to']}，{s.actor}批准" + (f"（{d['doc']}）" if d.get("doc") else "")
            out[(s.unit, s.item)].append(Entry(EXTEND, s.day, d.get("doc", ""), detail, s.actor))
        elif s.step == REFUSE:
            out[(s.unit, s.item)].append(Entry(REFUSE, s.day, "", f"不予延期：{d.get('reason', '')}", s.actor))
        elif s.step == CLOSE:
            count = len(d.get("evidence", []))
            out[(s.unit, s.item)].append(Entry(CLOSE, s.day, s.doc_number or "", f"佐证材料{count}个", s.actor))
    for entries in out.values():
        entries.sort(key=lambda e: (e.day, COLUMNS.index(e.step) if e.step in COLUMNS else len(COLUMNS)))
    return dict(out)


def item_lines(project: Project, unit_key: str, item_id: str) -> list[str]:
    """The history of one item as lines for `register show`."""
    lines = []
    for e in histories(project).get((unit_key, item_id), []):
        who = f"（{e.actor}）" if e.actor else ""
        what = {"提醒": "工作提醒", "约谈": "约谈通知书"}.get(e.step, e.step)
        lines.append(f"{cn_date(e.day)}  {what}{who}  " + " ".join(p for p in (e.doc_number, e.detail) if p))
    return lines


def archive_steps(project: Project, subjects: dict[str, tuple[str, ...]],
                  all_history: dict[tuple[str, str], list[Entry]] | None = None) -> list[dict]:
    """业务行为 of the items a filed document took up: each item's steps (for the 件's metadata).
    ``all_history``: ``histories(project)``, when the caller has it already."""
    all_history = histories(project) if all_history is None else all_history
    out = []
    for unit_key, items in subjects.items():
        for item in items:
            owner = _owner(item, unit_key)
            for e in all_history.get(owner, []):
                out.append({"行为": e.step, "时间": e.day.isoformat(), "责任人": e.actor,
                            "说明": " ".join(p for p in (f"{owner[0]} {owner[1]}", e.doc_number, e.detail) if p)})
    return out

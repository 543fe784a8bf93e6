"""The office's steps on single items (migration 7): 延期, 不予延期, 销号.

A document's steps (登记, 生成, 答复, 作废, 归档) are in the register's ``events``;
a step the office takes on one item of one unit — an extension approved or
refused, an item verified complete (销号) — is a row here, with who took it, the
day it took effect and what it said (JSON). Together they are the one history
that `register show`, the 督办台账 and the archive read (notices.jobs.history).

Units are kept by id and items by item id ("7-1", "7-1@2026-Q4"), as the
register keeps a document's subjects, so a rename keeps the history.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from .store import Store

EXTEND, REFUSE, CLOSE = "延期", "不予延期", "销号"
STEPS = (EXTEND, REFUSE, CLOSE)


@dataclass(frozen=True)
class ItemStep:
    id: int
    unit: str  # unit id
    item: str  # item id
    step: str
    day: dt.date
    actor: str
    detail: dict = field(compare=False)
    doc_number: str | None
    at: dt.datetime


def _step(row) -> ItemStep:
    return ItemStep(row["id"], row["unit"], row["item"], row["step"], dt.date.fromisoformat(row["day"]),
                    row["actor"], json.loads(row["detail"]), row["doc_number"], dt.datetime.fromisoformat(row["at"]))


class Steps:
    def __init__(self, db: Path):
        self.store = Store(db)

    def add(self, unit: str, item: str, step: str, day: dt.date, actor: str = "", detail: dict | None = None,
            doc_number: str | None = None, conn=None) -> ItemStep:
        """Record one step (in the caller's transaction ``conn`` when given)."""
        if step not in STEPS:
            raise ValueError(step)
        now = dt.datetime.now().replace(microsecond=0).isoformat()
        args = (unit, item, step, day.isoformat(), actor or "", json.dumps(detail or {}, ensure_ascii=False),
                doc_number, now)
        sql = "INSERT INTO item_steps (unit, item, step, day, actor, detail, doc_number, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        if conn is not None:
            cur = conn.execute(sql, args)
            return _step(conn.execute("SELECT * FROM item_steps WHERE id = ?", (cur.lastrowid,)).fetchone())
        with self.store._transaction() as c:
            cur = c.execute(sql, args)
            return _step(c.execute("SELECT * FROM item_steps WHERE id = ?", (cur.lastrowid,)).fetchone())

    def list(self, unit: str | None = None, item: str | None = None, step: str | None = None) -> list[ItemStep]:
        """Steps in the order they were recorded."""
        if not self.store.path.exists():
            return []
        sql, args = "SELECT * FROM item_steps WHERE 1 = 1", []
        for column, value in (("unit", unit), ("item", item), ("step", step)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        with self.store._connect() as conn:
            return [_step(r) for r in conn.execute(sql + " ORDER BY id", args).fetchall()]

    def requests(self) -> list[dict]:
        """Extension requests that came with collected reports, newest round first:
        {unit, item, to, reason, round_id, as_of, collected_at, source}."""
        if not self.store.path.exists():
            return []
        with self.store._connect() as conn:
            rows = conn.execute("""
                SELECT p.unit, p.milestone_id, p.period, p.extension_to, p.extension_reason, p.round_id, p.source,
                       r.as_of, r.collected_at
                FROM reports p JOIN rounds r ON r.id = p.round_id
                WHERE p.extension_to IS NOT NULL ORDER BY r.as_of DESC, r.id DESC, p.seq""").fetchall()
        return [{"unit": r["unit"], "item": f"{r['milestone_id']}@{r['period']}" if r["period"] else r["milestone_id"],
                 "milestone_id": r["milestone_id"], "period": r["period"],
                 "to": dt.date.fromisoformat(r["extension_to"]), "reason": r["extension_reason"],
                 "round_id": r["round_id"], "as_of": dt.date.fromisoformat(r["as_of"]),
                 "collected_at": dt.datetime.fromisoformat(r["collected_at"]), "source": r["source"]} for r in rows]

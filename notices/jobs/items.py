"""`notices extend` and `notices close`: the office's decisions on single items.

延期: an extension approved before the item's deadline (a late one only with
--force) becomes the item's deadline for status, letters and the 序时进度表; the
plan's date stays in the item's history. 不予延期 records a refused request.
销号: the item verified complete, its evidence files copied into the project
(outputs/<年>/销号/<登记号>-<单位>-<事项>/), hashed and listed under a register
record of their own (kind 销号, series 销号登记), filed with the year's archive.

Items are named as the forms and documents name them: "7-1", "7-1 2026年第四季度",
"7-1 2026-Q4" or "7-1@2026-Q4".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoticesError
from ..file.outputs import fsync_folder, safe_filename, temp_prefix
from ..file.register import Register, batch_key, file_sha256
from ..file.steps import CLOSE, EXTEND, REFUSE, ItemStep, Steps
from ..model import Closure, Due, Extension, Milestone, Registry
from ..project import Project, db_path
from ..textfmt import cn_date

CLOSE_KIND = "销号"
CLOSE_SERIES = "销号登记"  # the register's own series for 销号 records: not a 发文字号


@dataclass(frozen=True)
class ItemRef:
    milestone: Milestone
    period: Due | None  # one period of a recurring milestone

    @property
    def key(self) -> str:
        return self.period.key if self.period else ""

    @property
    def item_id(self) -> str:
        return f"{self.milestone.id}@{self.key}" if self.period else self.milestone.id

    @property
    def label(self) -> str:
        """7-1 2026年第四季度, as the forms show it."""
        return f"{self.milestone.id} {self.period.period}" if self.period else self.milestone.id

    @property
    def words(self) -> str:
        """第7-1项（2026年第四季度）, as a sentence names it."""
        return f"第{self.milestone.id}项" + (f"（{self.period.period}）" if self.period else "")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def parse_item(words: list[str] | str, registry: Registry) -> ItemRef:
    """An item from how staff write it (see the module docstring)."""
    text = " ".join(words) if isinstance(words, (list, tuple)) else str(words)
    text = unicodedata.normalize("NFKC", text).strip()
    mid, _, period = text.replace("@", " ").partition(" ")
    mid = re.sub(r"\s*[-－—–_]\s*", "-", mid)
    milestone = next((m for m in registry.milestones if m.id == mid), None)
    if milestone is None:
        raise NoticesError(f"“{text}”不是任务登记表中的具体要求编号，应写成 7-1 或 7-1 2026年第四季度 这样的编号")
    period = _fold(period)
    if not milestone.recurring:
        if period:
            raise NoticesError(f"编号“{mid}”的具体要求不按周期重复，不用写期次（写成 {mid}）")
        return ItemRef(milestone, None)
    if milestone.ongoing or not milestone.dues:
        return ItemRef(milestone, None)
    if not period:
        shown = "、".join(d.period for d in milestone.dues[:4]) + ("……" if len(milestone.dues) > 4 else "")
        raise NoticesError(f"编号“{mid}”的具体要求按周期重复，请写明是哪一期，如“{mid} {milestone.dues[0].period}”"
                           f"（各期：{shown}）")
    due = next((d for d in milestone.dues if period in (_fold(d.period), d.key)), None)
    if due is None:
        raise NoticesError(f"“{period}”不是编号“{mid}”的期次；各期为："
                           + "、".join(d.period for d in milestone.dues))
    return ItemRef(milestone, due)


def item_words(registry: Registry, item_id: str) -> str:
    """"7-1@2026-Q4" -> "第7-1项（2026年第四季度）"."""
    mid, _, period = item_label(registry, item_id).partition(" ")
    return f"第{mid}项" + (f"（{period}）" if period else "")


def item_label(registry: Registry, item_id: str) -> str:
    """"7-1@2026-Q4" -> "7-1 2026年第四季度"."""
    mid, _, key = item_id.partition("@")
    if not key:
        return mid
    milestone = next((m for m in registry.milestones if m.id == mid), None)
    due = next((d for d in milestone.dues if d.key == key), None) if milestone else None
    return f"{mid} {due.period if due else key}"


# --- reading the decisions -------------------------------------------------------------
def _split(item_id: str) -> tuple[str, str]:
    mid, _, key = item_id.partition("@")
    return mid, key


def extension_of(step: ItemStep, name: str) -> Extension:
    mid, key = _split(step.item)
    d = step.detail
    return Extension(name, mid, key, dt.date.fromisoformat(d["to"]), step.day, step.actor, d.get("reason", ""),
                     d.get("doc", ""), dt.date.fromisoformat(d["original"]) if d.get("original") else None)


def decisions(project: Project) -> tuple[list[Extension], list[Closure]]:
    """Every approved extension and every 销号 of the project, units under their current
    names (a unit no longer in the directory is left out: its reports are, too)."""
    _, directory = project.load()
    extensions, closures = [], []
    for step in Steps(db_path(project)).list():
        name = directory.name_for_key(step.unit)
        if name is None:
            continue
        if step.step == EXTEND:
            extensions.append(extension_of(step, name))
        elif step.step == CLOSE:
            mid, key = _split(step.item)
            closures.append(Closure(name, mid, key, step.day, step.doc_number or "", step.actor))
    return extensions, closures


def _current(project: Project, unit_key: str, ref: ItemRef, calendar, roll: bool) -> tuple[dt.date, dt.date, Extension | None]:
    """(the date the item's deadline counts from, its effective deadline, the extension in force)."""
    registry, directory = project.load()
    name = directory.name_for_key(unit_key)
    steps = [s for s in Steps(db_path(project)).list(unit=unit_key, item=ref.item_id) if s.step == EXTEND]
    current = extension_of(max(steps, key=lambda s: (s.day, s.id)), name) if steps else None
    base = current.to if current else (ref.period.date if ref.period else ref.milestone.final_due)
    if base is None:
        raise NoticesError(f"编号“{ref.milestone.id}”是持续推进事项，没有完成时间，无需延期")
    return base, calendar.roll(base) if roll else base, current


def _unit_item(project: Project, unit: str, item: list[str] | str):
    """(the unit, the item) as staff name them, the unit responsible for the item."""
    registry, directory = project.load()
    try:
        found = directory.unit(unit)
    except KeyError as exc:
        raise NoticesError(exc.args[0]) from None
    ref = parse_item(item, registry)
    if found.name not in registry.task(ref.milestone.task_no).unit_names:
        raise NoticesError(f"{found.name}不是编号“{ref.milestone.id}”这项具体要求的责任单位")
    return found, ref


# --- 延期 -------------------------------------------------------------------------------
def extend(project: Project, unit: str, item: list[str] | str, to: dt.date, reason: str, approved_by: str,
           doc: str = "", on: dt.date | None = None, force: bool = False) -> tuple[Extension, ItemStep]:
    """Record an approved extension of one item to ``to`` (approved on ``on``, default today)."""
    from ..assess.calendar import calendar_from_config

    reason, approved_by = (reason or "").strip(), (approved_by or "").strip()
    if not reason:
        raise NoticesError("请用 --reason 写明延期理由")
    if not approved_by:
        raise NoticesError("请用 --approved-by 写明批准人")
    found, ref = _unit_item(project, unit, item)
    on = on or dt.date.today()
    calendar = calendar_from_config(project.config)
    roll = bool(project.config.section("status").get("roll_deadlines", True))
    base, deadline, current = _current(project, found.key, ref, calendar, roll)
    planned = ref.milestone.deadline + (f"，其中{ref.period.period}应于{cn_date(base)}前完成" if ref.period
                                        else f"（{cn_date(base)}）")
    when = f"完成时间为{planned}" + (f"（遇休息日顺延至{cn_date(deadline)}）" if deadline != base else "")
    if current is not None:
        when = f"已于{cn_date(current.approved_on)}经批准延期至{cn_date(current.to)}" + (
            f"（遇休息日顺延至{cn_date(deadline)}）" if deadline != base else "")
    if to <= base:
        raise NoticesError(f"{found.name}{ref.words}{when}，延期后的日期{cn_date(to)}应晚于它")
    if on > deadline and not force:
        raise NoticesError(f"{found.name}{ref.words}{when}，已于{cn_date(on)}之前到期：延期应在到期前批准，"
                           f"逾期后的申请按原完成时间判断。确需补办的，请加 --force（将记入办理记录）")
    detail = {"to": to.isoformat(), "original": base.isoformat(), "reason": reason, "doc": (doc or "").strip()}
    if on > deadline:
        detail["late"] = f"批准日期{cn_date(on)}晚于完成时间{cn_date(deadline)}，经确认（--force）仍予登记"
    step = Steps(db_path(project)).add(found.key, ref.item_id, EXTEND, on, approved_by, detail)
    return extension_of(step, found.name), step


def refuse(project: Project, unit: str, item: list[str] | str, reason: str, decided_by: str,
           on: dt.date | None = None) -> ItemStep:
    """Record that a requested extension was not granted (the request leaves the pending list)."""
    reason, decided_by = (reason or "").strip(), (decided_by or "").strip()
    if not reason or not decided_by:
        raise NoticesError("不予延期也须用 --reason 写明理由、用 --approved-by 写明决定人")
    found, ref = _unit_item(project, unit, item)
    return Steps(db_path(project)).add(found.key, ref.item_id, REFUSE, on or dt.date.today(), decided_by,
                                       {"reason": reason})


def pending_requests(project: Project) -> list[dict]:
    """Extension requests units made on their forms that the office has not decided yet
    (the latest request per item), each with the unit's current name and the item's label."""
    registry, directory = project.load()
    steps = Steps(db_path(project))
    decided = {}
    for s in steps.list():
        if s.step in (EXTEND, REFUSE):
            decided[(s.unit, s.item)] = max(decided.get((s.unit, s.item), s.at), s.at)
    out, seen = [], set()
    for req in steps.requests():
        key = (req["unit"], req["item"])
        if key in seen:
            continue
        seen.add(key)
        if key in decided and decided[key] >= req["collected_at"]:
            continue
        name = directory.name_for_key(req["unit"])
        if name is None:
            continue
        out.append({**req, "unit_name": name, "label": item_label(registry, req["item"]),
                    "words": item_words(registry, req["item"])})
    return out


# --- 销号 -------------------------------------------------------------------------------
def close(project: Project, unit: str, item: list[str] | str, on: dt.date, evidence: list[Path],
          by: str = "", note: str = "") -> tuple[object, ItemStep, bool]:
    """Record a 销号 with its evidence: (the register record, the step, whether this call
    made it — False when the item was closed before)."""
    found, ref = _unit_item(project, unit, item)
    files = [Path(p) for p in evidence]
    if not files:
        raise NoticesError("销号须附佐证材料：请用 --evidence 写明文件（可写多个）")
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        raise NoticesError("佐证材料文件不存在：" + "、".join(missing) + "。未销号")
    register = Register(db_path(project), project.root)
    steps = Steps(db_path(project))
    earlier = [s for s in steps.list(unit=found.key, item=ref.item_id) if s.step == CLOSE]
    if earlier:
        s = earlier[0]
        raise NoticesError(f"{found.name}{ref.words}已于{cn_date(s.day)}销号（{s.doc_number}），未重复销号")
    title = f"[{found.name}{ref.words}“{ref.milestone.requirement.rstrip('。')}”销号材料]"
    key = batch_key(CLOSE_KIND, found.key, ref.item_id, on)
    record = register.reserve([_request(title, found, ref, key, on, note)], allow_earlier=True, actor=by)[0]
    folder = project.outputs_dir / str(on.year) / CLOSE_KIND / safe_filename(
        f"{record.doc_number}-{found.display_short}-{ref.label}")
    copies = _copy_evidence(files, folder)
    record, made = register.record_many([(record.doc_number, copies)], actor=by)[0]
    step = steps.add(found.key, ref.item_id, CLOSE, on, by, {
        "evidence": [{"name": Path(p).name, "sha256": sha} for p, sha in copies], "note": note.strip()},
        record.doc_number)
    return record, step, made


def _request(title, unit, ref: ItemRef, key: str, on: dt.date, note: str):
    from ..file.register import Request

    return Request(CLOSE_KIND, CLOSE_SERIES, on.year, title, (unit.name,), (ref.item_id,), key, None, on, on, None,
                   {unit.key: [ref.item_id]}, {"note": note.strip()} if note.strip() else {})


def _copy_evidence(files: list[Path], folder: Path) -> list[tuple[Path, str]]:
    """Each file copied into ``folder`` under its own name (numbered when two share one),
    flushed to disk before its final name exists; (copy, SHA-256 of the source)."""
    folder.mkdir(parents=True, exist_ok=True)
    out, used = [], set()
    for src in files:
        name = safe_filename(src.name)
        stem, suffix = Path(name).stem, Path(name).suffix
        n = 2
        while name.lower() in used:
            name, n = f"{stem}-{n}{suffix}", n + 1
        used.add(name.lower())
        target = folder / name
        sha = file_sha256(src)
        if target.exists():
            if file_sha256(target) != sha:
                raise NoticesError(f"文件已存在且内容不同，未覆盖：{target}")
        else:
            tmp = folder / f"{temp_prefix()}{name}"
            shutil.copyfile(src, tmp)
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            tmp.replace(target)
        out.append((target, sha))
    fsync_folder(folder)
    return out


def extension_lines(project: Project) -> list[str]:
    """Approved extensions, one line each, for `notices extend` without arguments."""
    registry, _ = project.load()
    lines = []
    for e in sorted(decisions(project)[0], key=lambda e: (e.unit, e.milestone_id, e.period, e.approved_on)):
        item = f"{e.milestone_id}@{e.period}" if e.period else e.milestone_id
        lines.append(f"{e.unit} {item_words(registry, item)}：{cn_date(e.approved_on)}经{e.approved_by}批准，"
                     f"由{cn_date(e.original) if e.original else '原完成时间'}延期至{cn_date(e.to)}"
                     + (f"（{e.doc_number}）" if e.doc_number else "") + f"；理由：{e.reason}")
    return lines



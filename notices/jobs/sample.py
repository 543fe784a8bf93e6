"""A realistic sample round: every unit's reporting workbook, filled in.

The workbooks are the real ones (``make_templates``), filled cell by cell with
openpyxl as a unit would. Deterministic for a given seed. With ``mistakes``
(the default) a few units make the mistakes units do make:

* dates typed as text in several forms (2024年12月30日, 2024.12.30, 2024/12/30,
  full-width digits, a month only "2024年12月") and a percentage typed "80%";
* one 进展情况说明 merged over several rows;
* the unit's name written as an alias (应急局 for 县应急局);
* one unit returns nothing (its file is left out);
* a status typo: "完成" instead of "已完成";
* "已完成" without a completion date;
* a duplicate row (the same 编号 twice, with different content).

The first three are read with notes; the last three are errors, so collecting
the round refuses it until ``--accept-warnings``. ``mistakes=False`` gives a
clean round that collects without any error.
"""

from __future__ import annotations

import datetime as dt
import random
from copy import copy
from pathlib import Path

from openpyxl import load_workbook

from ..errors import NoticesError
from ..file.outputs import write_atomic
from ..project import Project
from ..render.progress_xlsx import FIRST_ROW, META_SHEET, SHEET, col_index, workbook_bytes
from .progress import make_templates, parse_round

_DONE_TEXTS = ("已按要求完成，相关工作已形成长效机制。", "已组织完成，并对照方案逐项复核。",
               "已完成部署和落实，相关台账已建立。", "按期完成，成效明显，下一步持续巩固。")
_DOING_TEXTS = ("正在按计划推进，已完成阶段性工作。", "已制定工作方案，正在组织实施。",
                "正在开展排查和整改，预计按期完成。", "已部署，部分乡镇（部门）已落实，正在督促。")
_NOT_STARTED_TEXTS = ("尚未启动，拟于下季度部署。", "正在等待上级部署，暂未启动。")
_NA_TEXTS = ("本单位无此类工作对象。",)
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超")

MISTAKES = ("text_dates", "merged_text", "alias_unit", "missing_file", "status_typo", "done_without_date",
            "duplicate_row")


def make_sample_round(project: Project, round_id: str, out_dir: Path, seed: int = 0,
                      mistakes: bool = True) -> list[Path]:
    """Write a filled workbook for every unit of the registry into ``out_dir``;
    return the files written (with mistakes, one unit's file is left out)."""
    round_id, _ = parse_round(round_id)
    out_dir = Path(out_dir)
    if out_dir.exists() and any(p.suffix.lower() in (".xlsx", ".xlsm") for p in out_dir.iterdir()):
        raise NoticesError(f"文件夹“{out_dir}”中已有填报表，为免混淆未做任何改动；请换一个空文件夹")
    registry, directory = project.load()
    year, month = map(int, round_id.split("-"))
    first_day = dt.date(year, month, 1)
    latest_done = first_day - dt.timedelta(days=1)  # before any cut-off date within the round's month
    rng = random.Random(seed)

    paths = make_templates(project, round_id, None, True, False, False, out_dir, generated_on=first_day)
    units = []
    for path in paths:
        wb = load_workbook(path)
        meta = {r[0]: r[1] for r in wb[META_SHEET].iter_rows(min_row=2, max_col=2, values_only=True)}
        units.append(meta["unit"])
        wb.close()

    plan: dict[str, int] = {}  # mistake -> index of the unit that makes it
    if mistakes and units:
        sizes = [len(_rows_of(registry, name)) for name in units]
        pool = list(range(len(units)))
        rng.shuffle(pool)
        # Units with enough rows to show a mistake first (text dates need six rows).
        pool.sort(key=lambda i: sizes[i] < 6)
        plan["missing_file"] = pool.pop()
        with_alias = [i for i in pool if _alias(registry.unit(units[i])) is not None]
        if with_alias:
            plan["alias_unit"] = with_alias[-1]
            pool.remove(with_alias[-1])
            pool.append(with_alias[-1])  # may still take another mistake if units are few
        for i, kind in enumerate(k for k in MISTAKES if k not in plan):
            if pool:
                plan[kind] = pool[i % len(pool)]

    milestones = {m.id: m for m in registry.milestones}
    written = []
    for index, (path, unit_name) in enumerate(zip(paths, units)):
        kinds = [k for k, i in plan.items() if i == index]
        if "missing_file" in kinds:
            path.unlink()
            continue
        wb = load_workbook(path)
        ws = wb[SHEET]
        unit = registry.unit(unit_name)
        person = _SURNAMES[rng.randrange(len(_SURNAMES))] + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
        phone = f"0415-{rng.randrange(7200000, 7299999)}"
        rows = list(range(FIRST_ROW, ws.max_row + 1))
        c = {key: col_index(key) for key in ("id", "unit", "period", "state", "completed_on", "percent", "text",
                                             "evidence", "reporter", "phone")}
        for r in rows:
            ms = milestones[ws.cell(r, c["id"]).value]
            window = _window(ms, ws.cell(r, c["period"]).value, registry.plan.start)
            state, done_on, percent, text, evidence = _answer(rng, ms, window, latest_done)
            ws.cell(r, c["state"], state)
            if done_on:
                ws.cell(r, c["completed_on"], done_on)
            if percent is not None:
                ws.cell(r, c["percent"], percent)
            ws.cell(r, c["text"], text)
            if evidence:
                ws.cell(r, c["evidence"], evidence)
            ws.cell(r, c["reporter"], person)
            ws.cell(r, c["phone"], phone)
        for kind in kinds:
            _MISTAKE[kind](ws, rows, c, unit, rng, registry.plan.start, latest_done)
        written.append(write_atomic(path, workbook_bytes(wb), overwrite=True))
        wb.close()
    return written


def _rows_of(registry, unit: str) -> list:
    return [m for t in registry.tasks if unit in t.unit_names for m in t.milestones]


def _window(ms, period: str | None, plan_start: dt.date) -> tuple[dt.date, dt.date | None]:
    """When the row's work could have been done: from the plan's start (or the end of
    the previous period) to the due date of the row's period (or the milestone's last)."""
    start = plan_start
    for due in ms.dues:
        if period and due.period == period:
            return start, due.date
        start = max(start, due.date + dt.timedelta(days=1))
    return plan_start, ms.final_due


def _answer(rng: random.Random, ms, window: tuple[dt.date, dt.date | None], latest: dt.date):
    start, due = window
    overdue = due is not None and due <= latest
    roll = rng.random()
    if roll < 0.04:
        return "不涉及", None, None, rng.choice(_NA_TEXTS), ""
    can_finish = latest >= start
    if can_finish and (roll < 0.8 if overdue else roll < 0.2):
        last = min(due or latest, latest)
        span = max((last - start).days, 0)
        done_on = start + dt.timedelta(days=rng.randrange(span + 1))
        evidence = f"《关于{ms.requirement[:12]}的工作总结》"
        return "已完成", done_on, 100, rng.choice(_DONE_TEXTS), evidence
    if roll < 0.85 or not can_finish:
        return "正在推进", None, rng.randrange(2, 19) * 5, rng.choice(_DOING_TEXTS), ""
    return "未启动", None, 0, rng.choice(_NOT_STARTED_TEXTS), ""


def _alias(unit) -> str | None:
    for name in [*unit.aliases, unit.short]:
        if name and name != unit.name:
            return name
    return None


def _force_done(ws, r, c, day: dt.date) -> None:
    ws.cell(r, c["state"], "已完成")
    ws.cell(r, c["percent"], 100)
    ws.cell(r, c["completed_on"], day)


def _done_day(rng: random.Random, start: dt.date, latest: dt.date) -> dt.date:
    span = max((latest - start).days, 0)
    return start + dt.timedelta(days=rng.randrange(span + 1))


def _text_dates(ws, rows, c, unit, rng, start, latest) -> None:
    """Completion dates typed as text in the forms staff use."""
    if latest < start:
        return
    forms = (lambda d: f"{d.year}年{d.month}月{d.day}日", lambda d: f"{d.year}.{d.month}.{d.day}",
             lambda d: f"{d.year}/{d.month}/{d.day}",
             lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}".translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
             lambda d: f"{d.year}年{d.month}月")
    for form, r in zip(forms, rows):
        day = _done_day(rng, start, latest)
        _force_done(ws, r, c, day)
        cell = ws.cell(r, c["completed_on"], form(day))
        cell.number_format = "@"
    if len(rows) > len(forms):
        ws.cell(rows[len(forms)], c["percent"], "80%")
        if ws.cell(rows[len(forms)], c["state"]).value == "已完成":
            ws.cell(rows[len(forms)], c["state"], "正在推进")
            ws.cell(rows[len(forms)], c["completed_on"]).value = None


def _merged_text(ws, rows, c, unit, rng, start, latest) -> None:
    """One 说明 over several rows."""
    span = rows[:3]
    if len(span) < 2:
        return
    col = c["text"]
    for r in span[1:]:
        ws.cell(r, col).value = None
    ws.cell(span[0], col, "以上几项工作由本单位统一部署，正在按方案要求同步推进，具体情况见佐证材料。")
    ws.merge_cells(start_row=span[0], start_column=col, end_row=span[-1], end_column=col)


def _alias_unit(ws, rows, c, unit, rng, start, latest) -> None:
    alias = _alias(unit)
    if alias:
        for r in rows:
            ws.cell(r, c["unit"], alias)


def _status_typo(ws, rows, c, unit, rng, start, latest) -> None:
    r = rows[len(rows) // 2]
    if latest >= start:
        _force_done(ws, r, c, _done_day(rng, start, latest))
    ws.cell(r, c["state"], "完成")


def _done_without_date(ws, rows, c, unit, rng, start, latest) -> None:
    r = rows[-1]
    ws.cell(r, c["state"], "已完成")
    ws.cell(r, c["percent"], 100)
    ws.cell(r, c["completed_on"]).value = None


def _duplicate_row(ws, rows, c, unit, rng, start, latest) -> None:
    """The first row again at the bottom, with a different answer."""
    src, dst = rows[0], ws.max_row + 1
    for col in range(1, ws.max_column + 1):
        a, b = ws.cell(src, col), ws.cell(dst, col)
        b.value = a.value
        b._style = copy(a._style)
    b_state = ws.cell(dst, c["state"])
    b_state.value = "正在推进" if b_state.value != "正在推进" else "未启动"
    ws.cell(dst, c["completed_on"]).value = None
    ws.cell(dst, c["percent"]).value = 50 if b_state.value == "正在推进" else 0
    ws.cell(dst, c["text"]).value = "（补充）" + (ws.cell(src, c["text"]).value or "")


_MISTAKE = {
    "text_dates": _text_dates,
    "merged_text": _merged_text,
    "alias_unit": _alias_unit,
    "status_typo": _status_typo,
    "done_without_date": _done_without_date,
    "duplicate_row": _duplicate_row,
}

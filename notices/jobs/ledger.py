"""`notices ledger`: the 督办台账 and each unit's deadline calendar, from the
assessment and the register's one history (notices.jobs.history)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from ..assess.status import (DONE, DUE_SOON, LATE_DONE, NO_RECORD, NOT_APPLICABLE, ON_TRACK, OVERDUE, RESOLVED,
                             UNREPORTED, ItemStatus, Summary, plan_order)
from ..compose.common import clean, deadline_label, rate_text
from ..errors import NoticesError
from ..file.outputs import next_free, safe_filename, write_atomic
from ..file.register import Register
from ..project import Project, db_path
from ..render.calendar_ics import Deadline, unit_calendar
from ..render.ledger_xlsx import GREEN, GREY, RED, YELLOW, LedgerRow, RankRow, write_ledger
from ..textfmt import cn_date
from .history import histories
from .status import assess_project

LAMP = {OVERDUE: RED, DUE_SOON: YELLOW, UNREPORTED: YELLOW, ON_TRACK: GREEN, DONE: GREEN, LATE_DONE: GREEN,
        NOT_APPLICABLE: GREY, NO_RECORD: GREY}  # 无记录 rows are left out of the 台账
RANK_RULES = ("完成率", "逾期事项", "逾期天数", "督办次数", "已销号")
LADDER_KINDS = ("督办函", "通报", "约谈通知书", "曝光")


def lamp(item: ItemStatus) -> str:
    """绿 on time or done, 黄 临期, 红 逾期, 灰 不涉及 / 无记录."""
    return LAMP[item.status]


@dataclass
class LedgerResult:
    workbook: Path
    calendars: list[Path] = field(default_factory=list)
    rows: int = 0
    lamps: dict[str, int] = field(default_factory=dict)
    red: list[str] = field(default_factory=list)
    black: list[str] = field(default_factory=list)


def _settings(project: Project) -> tuple[str, list[str], int, int, int]:
    section = project.config.section("ledger")
    where = getattr(project.config, "path", None) or "notices.toml"
    paper = str(section.get("paper") or "A3").upper()
    if paper not in ("A3", "A4"):
        raise NoticesError(f"{where}：[ledger] 中 paper = \"{paper}\" 无效，应为 \"A3\" 或 \"A4\"")
    rules = [str(r) for r in section.get("rank_by") or ["完成率", "逾期事项"]]
    unknown = [r for r in rules if r not in RANK_RULES]
    if unknown:
        raise NoticesError(f"{where}：[ledger] 中 rank_by 的“{'、'.join(unknown)}”无效，可用：{'、'.join(RANK_RULES)}")
    return paper, rules, int(section.get("red_list", 3)), int(section.get("black_list", 3)), \
        int(section.get("alarm_days", 3))


def _metrics(summary: Summary, letters: int) -> dict:
    rate = summary.rate_fraction
    return {"完成率": rate, "逾期事项": summary.overdue,
            "逾期天数": sum(i.days for i in summary.items if i.status == OVERDUE),
            "督办次数": letters, "已销号": sum(1 for i in summary.items if i.closed)}


def _key(m: dict, rules: list[str]) -> tuple:
    out = []
    for rule in rules:
        value = m[rule]
        if rule == "完成率":
            out += [value is None, -(value if value is not None else Fraction(0))]
        elif rule == "已销号":
            out.append(-value)
        else:
            out.append(value)
    return tuple(out)


def ranking(summaries: list[Summary], letters: dict[str, int], rules: list[str], red: int, black: int) -> list[RankRow]:
    """Units ranked by ``rules`` in turn (ties share a rank, the next skips); the first
    ``red`` that completed every due item with nothing overdue are the 红榜, the last
    ``black`` with items overdue the 黑榜."""
    rows = [(s, _metrics(s, letters.get(s.key, 0))) for s in summaries]
    rows.sort(key=lambda sm: _key(sm[1], rules))
    out: list[RankRow] = []
    previous = None
    for pos, (s, m) in enumerate(rows, 1):
        key = _key(m, rules)
        rank = out[-1].rank if out and key == previous else pos
        previous = key
        out.append(RankRow(rank, s.key, s.due, s.done, rate_text(s), m["逾期事项"], m["逾期天数"], m["督办次数"],
                           m["已销号"], ""))
    good = [r for r in out if r.due and r.done == r.due and r.overdue == 0][:max(red, 0)]
    bad = [r for r in out if r.overdue][::-1][:max(black, 0)]
    for r in good:
        r.board = "红榜"
    for r in bad:
        r.board = "黑榜"
    return out


def rules_text(rules: list[str], red: int, black: int) -> str:
    order = "；".join(f"{r}{'高' if r in ('完成率', '已销号') else '少'}者在前" for r in rules)
    return (f"排名规则：依次比较——{order}；各项均相同的并列同一名次。红榜：排名前{red}位中到期事项全部完成、没有逾期事项的单位；"
            f"黑榜：排名后{black}位中有逾期事项的单位。（notices.toml 的 [ledger] 中设置）")


def build_ledger(project: Project, as_of: dt.date, out: Path | None = None) -> LedgerResult:
    from ..compose.common import options_from_config

    paper, rules, red, black, alarm_days = _settings(project)
    registry, directory = project.load()
    assessment = assess_project(project, as_of)
    history = histories(project)
    register = Register(db_path(project), project.root)
    letters: dict[str, int] = defaultdict(int)
    replies_due: dict[str, list[tuple]] = defaultdict(list)
    for r in register.list():
        if r.status == "void" or r.issued_on is None or r.issued_on > as_of or r.kind not in LADDER_KINDS:
            continue
        for unit_key in r.subjects:
            name = directory.name_for_key(unit_key)
            if name is None:
                continue
            letters[name] += 1
            if r.reply_due and r.reply_due >= as_of:
                replies_due[name].append(r)
    rows, lamps = [], defaultdict(int)
    for summary in assessment.units:
        unit = directory.unit(summary.key)
        for item in sorted(summary.items, key=plan_order):
            if item.status == NO_RECORD:
                continue  # a period ended before the office began collecting: never judged
            steps: dict[str, list[str]] = defaultdict(list)
            for e in history.get((unit.key, item.item_id), []):
                if e.day <= as_of:
                    steps["延期" if e.step == "不予延期" else e.step].append(e.line)
            status = item.label + ("，已销号" if item.closed else "")
            rows.append(LedgerRow(summary.key, item.milestone_id, item.period, clean(item.requirement),
                                  deadline_label(item) if not item.ongoing else item.deadline_text,
                                  item.deadline.isoformat() if item.deadline and not item.ongoing else "",
                                  status, lamp(item), dict(steps)))
            lamps[lamp(item)] += 1
    area = options_from_config(project.config).area
    title = f"{registry.plan.title}督办台账（截至{cn_date(as_of)}）"
    ranked = ranking(assessment.units, letters, rules, red, black)
    folder = out or project.outputs_dir / "台账"
    folder.mkdir(parents=True, exist_ok=True)
    workbook = write_ledger(next_free(folder / f"督办台账-{as_of.isoformat()}.xlsx"), title, rows, ranked,
                           rules_text(rules, red, black), paper, project.config.fonts["song"])
    result = LedgerResult(workbook, rows=len(rows), lamps=dict(lamps),
                          red=[r.unit for r in ranked if r.board == "红榜"],
                          black=[r.unit for r in ranked if r.board == "黑榜"])
    cal_folder = next_free(folder / f"日历-{as_of.isoformat()}")
    cal_folder.mkdir(parents=True)
    for summary in assessment.units:
        unit = directory.unit(summary.key)
        deadlines = [Deadline(f"{unit.key}-{i.item_id}@notices", i.deadline,
                              f"【完成时限】{i.milestone_id}{(' ' + i.period) if i.period else ''} {clean(i.requirement)}",
                              f"{area}安全生产任务。完成时间：{deadline_label(i)}。截至{cn_date(as_of)}：{i.label}。")
                     for i in summary.items
                     if i.deadline and not i.ongoing and i.status not in (*RESOLVED, NOT_APPLICABLE, NO_RECORD)]
        for r in replies_due.get(summary.key, []):
            what = {"约谈通知书": "书面整改报告", "督办函": "书面整改情况（回复）"}.get(r.kind, "整改情况")
            deadlines.append(Deadline(f"{r.doc_number}-{unit.key}@notices", r.reply_due,
                                      f"【报送期限】{r.kind}（{r.doc_number}）要求报送{what}",
                                      f"{cn_date(r.issued_on)}{r.kind}（{r.doc_number}）：请于{cn_date(r.reply_due)}前报送{what}。"))
        if not deadlines:
            continue
        path = cal_folder / safe_filename(f"{unit.display_short}.ics")
        result.calendars.append(write_atomic(path, unit_calendar(unit.name, deadlines, as_of, alarm_days)))
    return result

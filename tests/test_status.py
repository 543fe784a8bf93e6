"""Status of every unit on every milestone, against hand-computed figures.

The tiny registry below (written to tmp_path, loaded by the real loader):

  1-1 建立工作机制      2024年底 (2024-12-31, a Tuesday)       units A B C
  1-2 完成隐患排查      2026年12月10日 (Thursday)               units A B C
  2-1 每季度检查        2025年 每季度, from the plan start: 2024 Q1 (03-31, a Sunday ->
                        04-01) … 2025 Q4 (2025-12-31), 8 quarters       units A B
  3-1 开展国庆检查      2025年10月1日 -> rolls to 2025-10-09    units A B
  3-2 分时段开展宣传    2026年底 (2026-12-31, Thursday)        units A B

A = 县应急管理局, B = 县教育局, C = 县消防救援大队. Rounds: 2026-10 (2026-10-20)
and 2026-11 (2026-11-20), plus earlier rounds for the quarterly item. as_of 2026-11-29
unless said otherwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from notices.assess.calendar import WorkCalendar
from notices.assess.status import (
    AssessOptions,
    Summary,
    asked_periods,
    assess,
    judge_milestone,
    latest_round,
    milestone_summary,
    options_from_config,
    rank_units,
    summary_sort_key,
)
from notices.config import load_config
from notices.model import Due, Milestone, Report
from notices.read.registry import load_registry

D = dt.date
A, B, C = "县应急管理局", "县教育局", "县消防救援大队"
AS_OF = D(2026, 11, 29)

PLAN = """\
plan:
  title: 某县测试方案
  table_title: 某县测试方案序时进度表
  issuer: 某县安全生产委员会
  issuer_short: 某安委
  doc_number: 某安委发〔2024〕1号
  date: 2024-03-26
  start: 2024-03-26
  end: 2026-12-31
categories:
  - no: 1
    name: 开展排查行动
    lead: 排查。
  - no: 2
    name: 开展宣传行动
    lead: 宣传。
tasks:
  - no: 1
    category: 1
    text: 建立机制并排查隐患。
    units: 县应急管理局、县教育局、县消防救援大队
    milestones:
      - id: "1-1"
        requirement: 建立工作机制
        deadline: 2024年底
      - id: "1-2"
        requirement: 完成隐患排查
        deadline: 2026年12月10日
  - no: 2
    category: 1
    text: 每季度开展检查。
    units: 县应急管理局、县教育局
    milestones:
      - id: "2-1"
        requirement: 每季度至少开展1次检查
        deadline: 2025年
        schedule: 每季度
  - no: 3
    category: 2
    text: 开展宣传。
    units: 县应急管理局、县教育局
    milestones:
      - id: "3-1"
        requirement: 开展国庆检查
        deadline: 2025年10月1日
      - id: "3-2"
        requirement: 分时段开展宣传
        deadline: 2026年底
"""

UNITS = """\
groups:
  - id: 部门
    name: 县直部门
units:
  - name: 县应急管理局
    short: 应急管理局
    aliases: [应急局]
    kind: 部门
    groups: [部门]
  - name: 县教育局
    short: 教育局
    kind: 部门
    groups: [部门]
  - name: 县消防救援大队
    short: 消防救援大队
    kind: 部门
    groups: [部门]
"""

OCT, NOV = ("2026-10", D(2026, 10, 20)), ("2026-11", D(2026, 11, 20))
ROUNDS = {rid: (rid, D(*day)) for rid, day in (
    ("2024-04", (2024, 4, 5)), ("2024-07", (2024, 7, 5)), ("2024-10", (2024, 10, 10)), ("2025-01", (2025, 1, 6)),
    ("2025-04", (2025, 4, 15)), ("2025-06", (2025, 6, 5)), ("2025-08", (2025, 8, 5)))}
QUARTERLY_A = [(ROUNDS[r], D(*day)) for r, day in (
    ("2024-04", (2024, 4, 1)), ("2024-07", (2024, 5, 10)), ("2024-10", (2024, 8, 10)), ("2025-01", (2024, 11, 10)),
    ("2025-04", (2025, 3, 10)), ("2025-06", (2025, 5, 20)), ("2025-08", (2025, 8, 1)))]
QUARTERLY_B = [(ROUNDS[r], D(*day)) for r, day in (
    ("2024-04", (2024, 3, 1)), ("2024-07", (2024, 6, 1)), ("2024-10", (2024, 9, 1)), ("2025-01", (2024, 12, 1)),
    ("2025-04", (2025, 4, 10)), ("2025-06", (2025, 6, 1)), ("2025-08", (2025, 7, 15)))]


def rep(unit, mid, state, completed=None, rnd=NOV, text=""):
    return Report(unit=unit, milestone_id=mid, state=state, completed_on=completed, text=text,
                  round_id=rnd[0], reported_on=rnd[1])


REPORTS = [
    # 1-1: A still working on it; B done on time (said so in October only); C done late.
    rep(A, "1-1", "正在推进", rnd=OCT),
    rep(A, "1-1", "正在推进", text="已起草制度文件"),
    rep(B, "1-1", "已完成", D(2024, 11, 30), rnd=OCT),
    rep(C, "1-1", "已完成", D(2025, 1, 10)),
    # 1-2 (due 2026-12-10, 11 days after as_of): A reports, B silent, C not concerned.
    rep(A, "1-2", "正在推进", text="已排查80%"),
    rep(C, "1-2", "不涉及"),
    # 2-1 quarterly, one line per unit per round (the store keeps one): both did 2024 (A's Q1
    # on 04-01, on time because 03-31 was a Sunday). 2025: A did Q1–Q3 and missed Q4; B missed
    # Q1, did Q2 twice (04-10, 06-01), Q3 and Q4.
    *(rep(A, "2-1", "已完成", done, rnd) for rnd, done in QUARTERLY_A),
    *(rep(B, "2-1", "已完成", done, rnd) for rnd, done in QUARTERLY_B),
    rep(A, "2-1", "正在推进"),
    rep(B, "2-1", "已完成", D(2025, 10, 20)),
    rep(B, "2-1", "已完成", D(2025, 10, 20), rnd=OCT),  # the same work reported twice counts once
    # 3-1 due 2025-10-01, a holiday: rolls to Thursday 2025-10-09.
    rep(A, "3-1", "已完成", D(2025, 10, 9)),
    rep(B, "3-1", "已完成", D(2025, 10, 10)),
    # 3-2 due 2026-12-31: A working on it; B silent (not pressing yet).
    rep(A, "3-2", "正在推进"),
]


def write_registry(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (folder / "units.yaml").write_text(UNITS, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reg, _ = load_registry(write_registry(tmp_path_factory.mktemp("reg") / "registry"))
    return reg


@pytest.fixture(scope="module")
def result(registry):
    return assess(registry, REPORTS, AS_OF)


def item(result, unit, mid):
    return next(i for i in result.items if i.unit == unit and i.milestone_id == mid)


def periods(result, unit, mid):
    return [i for i in result.items if i.unit == unit and i.milestone_id == mid]


def judge_item(ms, unit, reports, as_of, round_id, options):
    """The one item of a one-off milestone (or the first period of a recurring one)."""
    return judge_milestone(ms, unit, reports, as_of, round_id, options)[0]


# --- items -------------------------------------------------------------------------
def test_overdue_with_reason(result):
    it = item(result, A, "1-1")
    assert (it.status, it.days, it.unreported, it.due, it.done) == ("逾期", 698, False, True, False)
    assert it.reason == "完成时间2024年底（2024-12-31），截至2026-11-29已逾期698天，最近一次报送（2026-11轮）为“正在推进”"
    assert it.latest.text == "已起草制度文件"
    assert it.label == "逾期698天"


def test_done_on_time_needs_no_re_report(result):
    it = item(result, B, "1-1")
    assert (it.status, it.unreported, it.due, it.done) == ("已完成", False, True, True)
    assert it.reason == "完成时间2024年底（2024-12-31），已于2024-11-30完成"


def test_done_late(result):
    it = item(result, C, "1-1")
    assert (it.status, it.days, it.done) == ("逾期完成", 10, True)
    assert it.reason == "完成时间2024年底（2024-12-31），实际完成于2025-01-10，逾期10天"
    assert it.label == "逾期完成10天"


def test_due_soon_and_unreported(result):
    a = item(result, A, "1-2")
    assert (a.status, a.days, a.unreported, a.due, a.done) == ("临期", 11, False, False, False)
    assert a.reason == "完成时间2026年12月10日（2026-12-10），截至2026-11-29还剩11天，最近一次报送（2026-11轮）为“正在推进”"
    b = item(result, B, "1-2")
    assert (b.status, b.days, b.unreported, b.flagged) == ("未报送", 11, True, True)
    assert b.reason.endswith("还剩11天，从未报送进展")


def test_not_applicable(result):
    it = item(result, C, "1-2")
    assert (it.status, it.due, it.done, it.flagged) == ("不涉及", False, False, False)
    assert it.reason == "最近一次报送（2026-11轮）为“不涉及”，不计入统计"


def test_quarterly_missed_last_quarter(result, registry):
    its = periods(result, A, "2-1")
    assert len(its) == 8  # one item per quarter: each is its own obligation
    first = its[0]
    assert (first.period, first.period_key, first.item_id) == ("2024年第一季度", "2024-Q1", "2-1@2024-Q1")
    assert (first.due_date, first.deadline, first.status) == (D(2024, 3, 31), D(2024, 4, 1), "已完成")
    assert [i.status for i in its[:4]] == ["已完成"] * 4
    early = judge_item(registry.milestones[2], A, [], D(2024, 4, 2), "", AssessOptions())
    assert early.reason.startswith("完成时间2025年（每季度），本期2024年第一季度（2024-03-31，遇周末顺延至2024-04-01），"
                                   "截至2024-04-02已逾期1天")
    assert [(i.period, i.status, i.completed_on) for i in its[4:]] == [
        ("2025年第一季度", "已完成", D(2025, 3, 10)),
        ("2025年第二季度", "已完成", D(2025, 5, 20)),
        ("2025年第三季度", "已完成", D(2025, 8, 1)),
        ("2025年第四季度", "逾期", None),
    ]
    last = its[-1]
    # 2025-12-31 -> 2026-11-29: 333 days; the November report without a period speaks of the
    # work in hand: every quarter had ended, so of the last one
    assert (last.status, last.days, last.deadline, last.due, last.done, last.unreported) == (
        "逾期", 333, D(2025, 12, 31), True, False, False)
    assert last.reason == ("完成时间2025年（每季度），本期2025年第四季度（2025-12-31），截至2026-11-29已逾期333天，"
                           "最近一次报送（2026-11轮）为“正在推进”")
    # a done quarter never quotes another quarter's report
    assert its[4].latest.completed_on == D(2025, 3, 10)


def test_quarterly_missed_quarter_made_good_by_spare_work(result):
    its = periods(result, B, "2-1")
    assert [i.status for i in its[:4]] == ["已完成"] * 4
    # on time: Q2 04-10, Q3 07-15, Q4 10-20; Q1 made good by the spare 06-01 (62 days after 03-31)
    assert [(i.status, i.completed_on, i.days) for i in its[4:]] == [
        ("逾期完成", D(2025, 6, 1), 62),
        ("已完成", D(2025, 4, 10), 0),
        ("已完成", D(2025, 7, 15), 0),
        ("已完成", D(2025, 10, 20), 0),
    ]
    assert all(i.done for i in its)


def test_one_piece_of_work_serves_one_quarter():
    ms = Milestone("9-1", 9, "每季度检查", "2025年", "每季度",
                   [Due(D(2025, 3, 31), "Q1", "2025-Q1"), Due(D(2025, 6, 30), "Q2", "2025-Q2"),
                    Due(D(2025, 9, 30), "Q3", "2025-Q3")])
    rnd = ("r", D(2025, 10, 15))
    reports = [rep(A, "9-1", "已完成", D(2025, 4, 10), rnd), rep(A, "9-1", "已完成", D(2025, 7, 15), rnd)]
    its = judge_milestone(ms, A, reports, D(2025, 10, 20), "2026-11", AssessOptions(warn_days=0))
    # Q1 missed; 04-10 and 07-15 are Q2's and Q3's own: nothing spare for Q1.
    assert [i.status for i in its] == ["逾期", "已完成", "已完成"]
    assert (its[0].status, its[0].days) == ("逾期", 203)  # 2025-03-31 -> 2025-10-20


def test_holiday_roll(result, registry):
    a, b = item(result, A, "3-1"), item(result, B, "3-1")
    assert (a.status, a.deadline) == ("已完成", D(2025, 10, 9))
    assert (b.status, b.days) == ("逾期完成", 1)
    assert "（2025-10-01，遇法定节假日顺延至2025-10-09）" in b.reason
    fixed = assess(registry, REPORTS, AS_OF, AssessOptions(roll_deadlines=False))
    assert (item(fixed, A, "3-1").status, item(fixed, A, "3-1").days) == ("逾期完成", 8)
    assert item(fixed, B, "3-1").days == 9


def test_not_due_yet_and_silence_is_fine(result):
    a, b = item(result, A, "3-2"), item(result, B, "3-2")
    assert (a.status, a.days, a.due) == ("正常推进", 32, False)
    assert (b.status, b.unreported, b.flagged) == ("正常推进", False, False)
    assert b.reason == "完成时间2026年底（2026-12-31），截至2026-11-29尚未到期（还剩32天），从未报送进展"


# --- 临期 boundaries ------------------------------------------------------------------
ONE = Milestone("9-2", 9, "某项要求", "2026年12月10日", "", [Due(D(2026, 12, 10), "2026年12月10日")])


@pytest.mark.parametrize("as_of, status, days", [
    (D(2026, 11, 24), "正常推进", 16),  # N + 1 days left
    (D(2026, 11, 25), "临期", 15),  # exactly N
    (D(2026, 12, 10), "临期", 0),  # due today: 临期, not 逾期
    (D(2026, 12, 11), "逾期", 1),
])
def test_due_soon_boundaries(as_of, status, days):
    it = judge_item(ONE, A, [rep(A, "9-2", "正在推进", rnd=("r", D(2026, 11, 1)))], as_of, "r",
                    AssessOptions(warn_days=15))
    assert (it.status, it.days) == (status, days)
    if days == 0 and status == "临期":
        assert "今日到期" in it.reason and it.label == "临期（今日到期）"


def test_due_soon_in_workdays():
    ms = Milestone("9-3", 9, "节后报送", "2025年10月9日", "", [Due(D(2025, 10, 9), "2025年10月9日")])
    reports = [rep(A, "9-3", "正在推进", rnd=("r", D(2025, 9, 1)))]
    # From 2025-09-26 (Fri) to 10-09: 9-28 (make-up Sunday), 9-29, 9-30, 10-09 -> 4 working days, 13 calendar days.
    opts = AssessOptions(warn_days=4, warn_in_workdays=True)
    it = judge_item(ms, A, reports, D(2025, 9, 26), "r", opts)
    assert (it.status, it.days, it.workdays_left) == ("临期", 13, 4)
    assert "还剩13天（4个工作日）" in it.reason
    opts = AssessOptions(warn_days=3, warn_in_workdays=True)
    assert judge_item(ms, A, reports, D(2025, 9, 26), "r", opts).status == "正常推进"
    # counted in calendar days, 13 > 4
    assert judge_item(ms, A, reports, D(2025, 9, 26), "r", AssessOptions(warn_days=4)).status == "正常推进"


def test_make_up_workday_does_not_roll():
    ms = Milestone("9-4", 9, "某项要求", "2026年2月14日", "", [Due(D(2026, 2, 14), "2026年2月14日")])
    it = judge_item(ms, A, [rep(A, "9-4", "已完成", D(2026, 2, 15), ("r", D(2026, 2, 20)))], D(2026, 3, 1), "", AssessOptions())
    assert (it.status, it.deadline, it.days) == ("逾期完成", D(2026, 2, 14), 1)


def test_unknown_year_warns(registry):
    ms = Milestone("9-5", 9, "某项要求", "2027年1月1日", "", [Due(D(2027, 1, 2), "2027年1月2日")])
    opts = AssessOptions()
    it = judge_item(ms, A, [], D(2027, 1, 5), "", opts)
    assert it.deadline == D(2027, 1, 4)  # Saturday -> Monday, weekends only
    assert opts.calendar.warnings() == ["2027年的法定节假日安排尚未收录，按周末计算"]
    # an office that added the 2027 arrangement gets no warning
    opts = AssessOptions(calendar=WorkCalendar(extra_holidays=[D(2027, 1, 4)]))
    assert judge_item(ms, A, [], D(2027, 1, 8), "", opts).deadline == D(2027, 1, 5)
    assert opts.calendar.warnings() == []


# --- latest report and round ------------------------------------------------------------
def test_latest_report_and_round():
    reports = [rep(A, "1-1", "正在推进", rnd=OCT), rep(A, "1-1", "未启动", rnd=NOV)]
    assert latest_round(reports, AS_OF) == ("2026-11", D(2026, 11, 20))
    assert latest_round(reports, D(2026, 11, 19)) == ("2026-10", D(2026, 10, 20))
    assert latest_round([], AS_OF) == ("", None)
    ms = Milestone("1-1", 1, "x", "2026年底", "", [Due(D(2026, 12, 31), "2026年")])
    assert judge_item(ms, A, reports, D(2026, 11, 19), "2026-10", AssessOptions()).latest.state == "正在推进"
    assert judge_item(ms, A, reports, AS_OF, "2026-11", AssessOptions()).latest.state == "未启动"


def test_silent_in_latest_round_is_unreported(registry):
    # A answered 1-1 in October only: as of after November's round it is overdue AND unreported.
    reports = [r for r in REPORTS if not (r.unit == A and r.milestone_id == "1-1" and r.round_id == "2026-11")]
    it = item(assess(registry, reports, AS_OF), A, "1-1")
    assert (it.status, it.unreported, it.flagged) == ("逾期", True, True)
    assert it.reason.endswith("本轮（2026-11轮）未报送，最近一次报送（2026-10轮）为“正在推进”")


def test_reports_after_as_of_are_ignored(registry):
    res = assess(registry, REPORTS, D(2026, 11, 1))
    assert res.round_id == "2026-10"
    assert item(res, C, "1-1").status == "逾期"  # its completion was reported in November
    assert item(res, C, "1-1").unreported


# --- summaries -------------------------------------------------------------------------------
def test_unit_summaries(result):
    a, b, c = (result.unit(n) for n in (A, B, C))
    # A: 1-1 overdue, 1-2 due soon, 2-1 seven quarters done and 2025 Q4 overdue, 3-1 done, 3-2 not due
    assert a.counts == {"逾期": 2, "未报送": 0, "临期": 1, "逾期完成": 0, "正常推进": 1, "已完成": 8, "不涉及": 0,
                        "无记录": 0}
    assert (a.due, a.done, a.rate, a.overdue) == (10, 8, pytest.approx(0.8), 2)
    assert (a.worst.milestone_id, a.worst.days) == ("1-1", 698)
    assert b.counts == {"逾期": 0, "未报送": 1, "临期": 0, "逾期完成": 2, "正常推进": 1, "已完成": 8, "不涉及": 0,
                        "无记录": 0}
    assert (b.due, b.done, b.rate, b.unreported, b.worst) == (10, 10, 1.0, 1, None)
    assert c.counts["不涉及"] == 1 and (c.due, c.done, c.rate) == (1, 1, 1.0)
    assert [i.milestone_id for i in b.flagged] == ["1-2"]


def test_category_and_county_totals(result):
    cat1, cat2 = result.categories
    assert cat1.name == "（一）开展排查行动" and cat2.name == "（二）开展宣传行动"
    # category 1: 1-1 x3, 1-2 x3, 2-1 eight quarters x2
    assert (len(cat1.items), cat1.due, cat1.done, cat1.overdue) == (22, 19, 17, 2)
    assert (len(cat2.items), cat2.due, cat2.done) == (4, 2, 2)
    county = result.county
    assert (len(county.items), county.due, county.done, county.overdue, county.unreported) == (26, 21, 19, 2, 1)
    assert county.rate == pytest.approx(19 / 21)


def test_ranking_ties(result):
    ranked = [(rank, s.key) for rank, s in result.ranking()]
    assert ranked == [(1, B), (1, C), (3, A)]


def test_rank_units_competition_ranking():
    def fake(key, done, due, overdue):
        items = []
        from notices.assess.status import ItemStatus
        for i in range(due):
            items.append(ItemStatus(key, f"1-{i}", 1, 1, "", "", "已完成" if i < done else "逾期",
                                    due=True, done=i < done))
        assert sum(1 for i in items if i.status == "逾期") == overdue
        return Summary(key, key, items)

    units = [fake("乙", 1, 2, 1), fake("甲", 2, 2, 0), fake("丙", 2, 4, 2), fake("丁", 1, 4, 3),
             Summary("戊", "戊", [])]
    ranked = [(rank, s.key) for rank, s in rank_units(units)]
    # 甲 100%; 乙 and 丙 both 50% but 乙 has fewer overdue; 丁 25%; 戊 nothing due: last.
    assert ranked == [(1, "甲"), (2, "乙"), (3, "丙"), (4, "丁"), (5, "戊")]
    units.append(fake("己", 1, 2, 1))
    ranked = [(rank, s.key) for rank, s in rank_units(units)]
    assert ranked == [(1, "甲"), (2, "乙"), (2, "己"), (4, "丙"), (5, "丁"), (6, "戊")]


def test_worst_first_unit_order(result):
    assert [s.key for s in sorted(result.units, key=summary_sort_key)] == [A, B, C]


def test_milestone_summary_for_county(result):
    word, text = milestone_summary(result.by_milestone()["1-1"])
    assert word == "逾期"
    assert text == "已完成1个单位，逾期完成1个单位，逾期1个单位：县应急管理局（逾期698天）"
    word, text = milestone_summary(result.by_milestone()["1-2"])
    assert (word, text) == ("未报送", "未报送1个单位：县教育局，临期1个单位：县应急管理局，不涉及1个单位")


def test_single_unit_filter(registry):
    res = assess(registry, REPORTS, AS_OF, unit=B)
    assert {i.unit for i in res.items} == {B}
    assert [s.key for s in res.units] == [B]
    assert res.county.due == 10


def test_stray_reports_warn(registry):
    res = assess(registry, REPORTS + [rep(C, "2-1", "已完成", D(2025, 1, 1)), rep(A, "8-8", "已完成")], AS_OF)
    assert "县消防救援大队报送了第2-1项，但该项不是其负责事项（或编号不存在），已忽略" in res.warnings
    assert len(res.warnings) == 2


def test_no_rounds_at_all(registry):
    res = assess(registry, [], AS_OF)
    assert res.round_id == ""
    a = item(res, A, "1-1")
    assert (a.status, a.unreported) == ("逾期", True)
    assert a.reason.endswith("从未报送进展")
    assert res.county.done == 0 and res.county.due == 21


def test_options_from_config(tmp_path):
    path = tmp_path / "notices.toml"
    path.write_text("[status]\nwarn_days = 5\nwarn_in_workdays = true\nroll_deadlines = false\n"
                    '[calendar]\nextra_workdays = ["2027-01-02"]\n', encoding="utf-8")
    opts = options_from_config(load_config(path))
    assert (opts.warn_days, opts.warn_in_workdays, opts.roll_deadlines) == (5, True, False)
    assert opts.calendar.is_workday(D(2027, 1, 2))
    default = options_from_config(load_config(None))
    assert (default.warn_days, default.warn_in_workdays, default.roll_deadlines) == (15, False, True)

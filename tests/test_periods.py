"""Recurring requirements period by period, the tracking start, rejected rows and the
issuing office's own items — the pure assessment (tests/test_status.py's registry).

2-1 每季度 over 2024–2025: 8 quarters, 2024 Q1 due 03-31 (a Sunday -> 04-01).
"""

from __future__ import annotations

import datetime as dt

import pytest

from notices.assess.status import AssessOptions, asked_periods, assess, judge_milestone
from notices.model import Report
from notices.read.registry import load_registry

from test_status import A, B, C, AS_OF, D, write_registry

NOV = ("2026-11", D(2026, 11, 20))


def rep(unit, mid, state, completed=None, period="", rnd=NOV, text=""):
    return Report(unit=unit, milestone_id=mid, state=state, completed_on=completed, text=text,
                  round_id=rnd[0], reported_on=rnd[1], period=period)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    reg, _ = load_registry(write_registry(tmp_path_factory.mktemp("reg") / "registry"))
    return reg


def quarterly(registry):
    return next(m for m in registry.milestones if m.id == "2-1")


def test_each_period_is_its_own_item_with_its_own_report(registry):
    ms = quarterly(registry)
    jan = ("2026-01", D(2026, 1, 5))
    reports = [rep(A, "2-1", "已完成", D(2025, 8, 20), "2025-Q3", jan),
               rep(A, "2-1", "正在推进", None, "2025-Q4", jan, text="第四季度检查已部署")]
    its = {i.period_key: i for i in judge_milestone(ms, A, reports, D(2026, 1, 10), "2026-01", AssessOptions())}
    q3, q4, q2 = its["2025-Q3"], its["2025-Q4"], its["2025-Q2"]
    assert (q3.status, q3.completed_on, q3.latest.state) == ("已完成", D(2025, 8, 20), "已完成")
    # Q4's own report is quoted, never Q3's completion
    assert (q4.status, q4.days, q4.latest.text) == ("逾期", 10, "第四季度检查已部署")
    assert "最近一次报送（2026-01轮）为“正在推进”" in q4.reason
    # Q2: no report names it, and no completion fell in its window
    assert (q2.status, q2.latest, q2.unreported) == ("逾期", None, True)
    assert q2.reason.endswith("本期未报送")


def test_a_completion_reported_for_one_period_does_not_count_for_another(registry):
    ms = quarterly(registry)
    # done in Q1 2025 but reported as Q4's: counts for Q4 (late is judged by Q4's deadline)
    reports = [rep(A, "2-1", "已完成", D(2025, 2, 1), "2025-Q4")]
    its = {i.period_key: i for i in judge_milestone(ms, A, reports, AS_OF, "2026-11", AssessOptions())}
    assert its["2025-Q4"].status == "已完成"
    assert its["2025-Q1"].status == "逾期"


def test_periods_before_tracking_start_are_not_judged_unless_reported(registry):
    ms = quarterly(registry)
    opts = AssessOptions(tracking_start=D(2025, 7, 1))
    reports = [rep(A, "2-1", "未启动", None, "2024-Q2"),  # covered: judged
               rep(A, "2-1", "已完成", D(2025, 9, 1))]  # no period: Q3 2025's window
    its = {i.period_key: i for i in judge_milestone(ms, A, reports, AS_OF, "2026-11", opts)}
    assert its["2024-Q1"].status == "无记录"
    assert (its["2024-Q1"].due, its["2024-Q1"].flagged) == (False, False)
    assert "在开始收集进度（2025-07-01）之前已结束，没有该期的报送，不作判断" in its["2024-Q1"].reason
    assert its["2024-Q2"].status == "逾期"  # the unit itself said it had not started
    assert its["2025-Q2"].status == "无记录"  # ended 2025-06-30, before tracking
    assert its["2025-Q3"].status == "已完成"
    assert its["2025-Q4"].status == "逾期"  # ended after tracking started, nothing reported


def test_tracking_start_leaves_one_off_requirements_owed(registry):
    one_off = next(m for m in registry.milestones if m.id == "1-1")  # 2024年底
    [it] = judge_milestone(one_off, A, [], AS_OF, "", AssessOptions(tracking_start=D(2026, 11, 1)))
    assert (it.status, it.days) == ("逾期", 698)


def test_asked_periods(registry):
    ms = quarterly(registry)
    opts = AssessOptions(tracking_start=D(2025, 7, 1))
    assert [d.key for d in asked_periods(ms, D(2025, 8, 1), opts)] == ["2025-Q3"]
    assert [d.key for d in asked_periods(ms, D(2025, 10, 1), opts)] == ["2025-Q3", "2025-Q4"]
    # every quarter ended before tracking started: nothing to ask
    assert asked_periods(ms, AS_OF, AssessOptions(tracking_start=D(2026, 11, 29))) == []
    one_off = next(m for m in registry.milestones if m.id == "1-1")
    assert asked_periods(one_off, AS_OF, opts) == [None]


def test_not_applicable_said_once_stands_for_later_periods(registry):
    ms = quarterly(registry)
    its = judge_milestone(ms, B, [rep(B, "2-1", "不涉及", period="2024-Q1")], AS_OF, "2026-11", AssessOptions())
    assert {i.status for i in its} == {"不涉及"}


def test_rejected_row_is_told_apart_from_silence(registry):
    one_off = next(m for m in registry.milestones if m.id == "1-1")
    [it] = judge_milestone(one_off, A, [], AS_OF, "2026-11", AssessOptions(),
                           rejected={"": "进展状态“完成”不在可选范围内"})
    assert (it.status, it.unreported, it.rejected) == ("逾期", True, "进展状态“完成”不在可选范围内")
    assert it.reason.endswith("本轮报送的内容未被采用：进展状态“完成”不在可选范围内")
    res = assess(registry, [], AS_OF, rejected={(A, "1-1", ""): "进展状态“完成”不在可选范围内"})
    assert next(i for i in res.items if i.unit == A and i.milestone_id == "1-1").rejected
    assert not next(i for i in res.items if i.unit == B and i.milestone_id == "1-1").rejected


def test_the_issuing_office_is_kept_out_of_units_categories_and_the_total(registry):
    everyone = assess(registry, [], AS_OF)
    res = assess(registry, [], AS_OF, internal={C}, area_name="全区")
    assert [s.key for s in res.units] == [A, B]
    assert [s.key for s in res.internal_units] == [C]
    assert all(i.unit != C for i in res.items)
    assert all(i.unit != C for s in res.categories for i in s.items)
    assert [s.key for _, s in res.ranking()] == [A, B] or [s.key for _, s in res.ranking()] == [B, A]
    assert res.county.name == "全区"
    c_items = len(everyone.unit(C).items)
    assert len(res.county.items) == len(everyone.county.items) - c_items
    assert res.unit(C).items  # still there for the office's own list

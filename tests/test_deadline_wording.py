"""Deadline wording as offices write it: every form to the right date(s), schedule
or ongoing; unknown wording refused with the exact YAML that states its meaning."""

from __future__ import annotations

import datetime as dt

import pytest

from notices.assess.status import DONE, ON_TRACK, UNREPORTED, assess
from notices.model import Category, Milestone, PlanInfo, Registry, Report, Task, Unit
from notices.read.deadlines import DeadlineError, read_deadline

D = dt.date
START, END = D(2024, 3, 26), D(2026, 12, 31)


def dues(text, schedule="", start=START, end=END):
    return [d.date for d in read_deadline(text, schedule, start, end).dues]


@pytest.mark.parametrize("text, expected", [
    # 年 / 年底 / 年底前 / 年末
    ("2024年", [D(2024, 12, 31)]), ("2024年底", [D(2024, 12, 31)]), ("2024年底前", [D(2024, 12, 31)]),
    ("2024年末", [D(2024, 12, 31)]), ("2024年内", [D(2024, 12, 31)]), ("2025年度", [D(2025, 12, 31)]),
    ("于2025年底前完成", [D(2025, 12, 31)]),
    # N月 / N月底 / N月底前 / N月N日前
    ("2024年6月", [D(2024, 6, 30)]), ("2024年6月底", [D(2024, 6, 30)]), ("2024年6月底前", [D(2024, 6, 30)]),
    ("2025年2月", [D(2025, 2, 28)]), ("2024年12月底前", [D(2024, 12, 31)]),
    ("2024年9月15日前", [D(2024, 9, 15)]), ("2024年6月30日前完成", [D(2024, 6, 30)]),
    ("2024 年 6 月 30 日", [D(2024, 6, 30)]), ("２０２４年６月", [D(2024, 6, 30)]),
    ("2024.12.31", [D(2024, 12, 31)]), ("2024-06-30", [D(2024, 6, 30)]),
    # 第N季度 / 一季度末
    ("2024年第三季度", [D(2024, 9, 30)]), ("2025年一季度末", [D(2025, 3, 31)]), ("2025年第二季度末前", [D(2025, 6, 30)]),
    ("2025年4季度", [D(2025, 12, 31)]),
    # 上半年 / 下半年 / 年中
    ("2025年上半年", [D(2025, 6, 30)]), ("2025年下半年", [D(2025, 12, 31)]), ("2025年年中", [D(2025, 6, 30)]),
    # Chinese numerals
    ("二〇二四年六月底前", [D(2024, 6, 30)]), ("二○二五年十二月", [D(2025, 12, 31)]),
    ("二〇二五年三月三十一日前", [D(2025, 3, 31)]), ("二零二六年第三季度", [D(2026, 9, 30)]),
    # ranges: due when the range ends; with a schedule, every period within it
    ("2024年至2025年", [D(2025, 12, 31)]), ("2024—2026年", [D(2026, 12, 31)]), ("2024-2025年", [D(2025, 12, 31)]),
    ("2024年6月至2025年6月", [D(2025, 6, 30)]),
    ("2025年至2026年每年", [D(2025, 12, 31), D(2026, 12, 31)]),
    # recurring without a year: every period of the plan
    ("每年", [D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31)]),
    ("每年6月", [D(2024, 6, 30), D(2025, 6, 30), D(2026, 6, 30)]),
    ("每年6月底前", [D(2024, 6, 30), D(2025, 6, 30), D(2026, 6, 30)]),
    ("每年3月15日前", [D(2025, 3, 15), D(2026, 3, 15)]),  # 2024-03-15 is before the plan starts
    ("各年度序时推动", [D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31)]),
    ("逐年推进", [D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31)]),
    ("每半年", [D(2024, 6, 30), D(2024, 12, 31), D(2025, 6, 30), D(2025, 12, 31), D(2026, 6, 30), D(2026, 12, 31)]),
    # several dates; clauses that name none are commentary
    ("2024年底前完成，长期坚持", [D(2024, 12, 31)]), ("2024年6月、2025年6月", [D(2024, 6, 30), D(2025, 6, 30)]),
    ("2024年底前完成，2025年巩固提升", [D(2024, 12, 31)]),
])
def test_one_off_and_yearly_forms(text, expected):
    assert dues(text) == expected


def test_quarters_and_months():
    quarters = read_deadline("每季度", "", START, END).dues
    assert len(quarters) == 12 and quarters[0].date == D(2024, 3, 31) and quarters[-1].date == D(2026, 12, 31)
    assert (quarters[4].period, quarters[4].key) == ("2025年第一季度", "2025-Q1")
    assert dues("每季度末") == [d.date for d in quarters]
    assert dues("2025年起每季度") == [d.date for d in quarters[4:]]
    months = read_deadline("每月", "", START, END).dues
    assert len(months) == 34 and months[0].date == D(2024, 3, 31) and months[-1].key == "2026-12"
    tenth = dues("每月10日前")
    assert tenth[0] == D(2024, 4, 10) and tenth[-1] == D(2026, 12, 10) and len(tenth) == 33
    # The recurring schedule of plan.yaml over a one-off wording: every quarter up to that year.
    assert dues("2024年", "每季度") == [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]
    assert len(dues("各年度序时推动", "每季度")) == 12


def test_period_labels():
    assert [d.period for d in read_deadline("2025年第三季度", "", START, END).dues] == ["2025年第三季度"]
    assert [d.period for d in read_deadline("2025年上半年", "", START, END).dues] == ["2025年上半年"]
    assert [d.period for d in read_deadline("2025年6月", "", START, END).dues] == ["2025年6月"]
    assert [(d.period, d.key) for d in read_deadline("每年6月", "", START, END).dues][0] == ("2024年", "2024")


@pytest.mark.parametrize("text", ["长期坚持", "持续推进", "常态化", "常态化开展", "长期坚持、持续推进", "持续开展"])
def test_ongoing(text):
    read = read_deadline(text, "", START, END)
    assert read.ongoing and read.dues == ()


def test_month_without_year_needs_a_one_year_plan():
    one_year = (D(2025, 1, 1), D(2025, 12, 31))
    assert dues("十二月", "", *one_year) == [D(2025, 12, 31)]
    assert dues("6月底前", "", *one_year) == [D(2025, 6, 30)]
    assert dues("年底前", "", *one_year) == [D(2025, 12, 31)]
    assert dues("三季度末", "", *one_year) == [D(2025, 9, 30)]
    with pytest.raises(DeadlineError, match="“6月底前”无法识别"):
        read_deadline("6月底前", "", START, END)


@pytest.mark.parametrize("text", ["视情况而定", "明年年底", "2025年2月30日", "2025年13月", "按上级要求", "2026年至2024年"])
def test_unknown_wording_says_what_to_write(text):
    with pytest.raises(DeadlineError) as exc:
        read_deadline(text, "", START, END)
    message = str(exc.value)
    assert f"完成时间“{text}”无法识别为日期或周期" in message
    assert "due: " in message and "schedule: 每季度" in message and "ongoing: true" in message


def test_plan_yaml_states_the_meaning(tmp_path):
    """due / ongoing / schedule under a milestone whose wording is not understood."""
    from notices.read.registry import check_registry

    folder = tmp_path / "registry"
    folder.mkdir()
    (folder / "units.yaml").write_text(
        "groups:\n  - id: g\n    name: 分组\nunits:\n  - name: 区应急局\n    kind: 部门\n    groups: [g]\n", encoding="utf-8")
    (folder / "plan.yaml").write_text("""\
plan:
  title: 某区方案
  table_title: 某区方案进度表
  issuer: 某区安全生产委员会
  issuer_short: 某安委
  doc_number: ""
  date: 2024-03-26
  start: 2024-03-26
  end: 2026-12-31
categories:
  - no: 1
    name: 类别
    lead: ""
tasks:
  - no: 1
    category: 1
    text: 任务
    units: 区应急局
    milestones:
      - id: "1-1"
        requirement: 按上级部署
        deadline: 视上级部署
        due: 2025-06-30
      - id: "1-2"
        requirement: 两次
        deadline: 分两批
        due: [2024-12-31, 2025年6月]
      - id: "1-3"
        requirement: 巡查
        deadline: 视情况
        ongoing: true
      - id: "1-4"
        requirement: 报送
        deadline: 按要求
        schedule: 每半年
      - id: "1-5"
        requirement: 整改
        deadline: 长期坚持
      - id: "1-6"
        requirement: 错写
        deadline: 视情况
        due: 下个月
""", encoding="utf-8")
    reg, _, problems = check_registry(folder)
    ms = {m.id: m for m in reg.milestones}
    assert [d.date for d in ms["1-1"].dues] == [D(2025, 6, 30)] and ms["1-1"].due_stated
    assert [d.date for d in ms["1-2"].dues] == [D(2024, 12, 31), D(2025, 6, 30)]
    assert ms["1-3"].ongoing and not ms["1-3"].dues
    assert len(ms["1-4"].dues) == 6
    assert ms["1-5"].ongoing  # the wording alone says so
    assert [str(p) for p in problems if p.severity == "error"] == [
        f"{folder / 'plan.yaml'}:42: 到期日（due）应写成 2025-06-30 这样的日期，实为“下个月”"]


# --- ongoing work in the status ----------------------------------------------------------

def _registry(ms: Milestone) -> Registry:
    plan = PlanInfo("方案", "进度表", "机关", "代字", "", START, START, END)
    task = Task(1, 1, "任务", "甲局", milestones=[ms], unit_names=["甲局"], lead_names=["甲局"])
    return Registry(plan, [Category(1, "类别", "")], [task], [Unit("甲局")], [])


def _report(state, round_id, day):
    return Report("甲局", "1-1", state, round_id=round_id, reported_on=day)


def test_ongoing_never_overdue_judged_by_reports():
    ms = Milestone("1-1", 1, "常态化开展巡查", "持续推进", ongoing=True)
    reg = _registry(ms)
    # Years after the plan started, nothing collected yet: not overdue, nothing owed.
    (item,) = assess(reg, [], D(2026, 11, 29)).items
    assert item.status == ON_TRACK and not item.flagged and item.ongoing
    assert not item.due and "不按日期判断逾期" in item.reason and item.label == ON_TRACK
    # A round in which the unit reported: its report is the status.
    r1 = _report("正在推进", "2026-10", D(2026, 10, 31))
    (item,) = assess(reg, [r1], D(2026, 11, 29)).items
    assert item.status == ON_TRACK and not item.flagged and "“正在推进”" in item.reason
    (item,) = assess(reg, [_report("已完成", "2026-10", D(2026, 10, 31))], D(2026, 11, 29)).items
    assert item.status == DONE and not item.due  # outside 应完成 and the completion rate
    # A later round without its report: 未报送 (flagged), never 逾期.
    other = Report("乙局", "9-9", "正在推进", round_id="2026-11", reported_on=D(2026, 11, 29))
    result = assess(reg, [r1, other], D(2026, 11, 29))
    (item,) = result.items
    assert item.status == UNREPORTED and item.unreported and item.flagged and item.days == 0
    assert item.label == "未报送" and "本轮（2026-11轮）未报送" in item.reason
    assert result.county.due == 0 and result.county.overdue == 0


def test_ongoing_item_in_a_letter():
    from notices.compose.common import item_sentence, overdue_days

    ms = Milestone("1-1", 1, "常态化开展巡查", "持续推进", ongoing=True)
    reg = _registry(ms)
    r1 = _report("正在推进", "2026-10", D(2026, 10, 31))
    other = Report("乙局", "9-9", "正在推进", round_id="2026-11", reported_on=D(2026, 11, 29))
    (item,) = assess(reg, [r1, other], D(2026, 11, 29)).items
    text = item_sentence(item)
    assert text.startswith("第1项任务“常态化开展巡查”（序号1-1）为持续推进事项（完成时间为持续推进），每轮均须报送进展情况；")
    assert "你单位本轮未报送进展情况" in text and "逾期" not in text and "到期" not in text
    assert overdue_days(item) == "持续推进事项"

"""The escalation ladder (notices.assess.escalation): each rule, its memory, its thresholds.

Status as in test_status.py, as of 2026-11-29: A (县应急管理局) overdue on 1-1 and
2-1's 2025 fourth quarter (item "2-1@2025-Q4"); B (县教育局) owes a report on 1-2
(未报送); C (县消防救援大队) nothing flagged.
"""

from __future__ import annotations

import datetime as dt

from notices.assess.escalation import DUBAN, TONGBAO, YUETAN, PastDoc, Rules, propose, step_for
from test_status import AS_OF, A, B, C, registry, result  # noqa: F401  (fixtures)

D = dt.date
A_ITEMS = ["1-1", "2-1@2025-Q4"]


def letter(unit, ids, issued, due, replied=None, number="某安委办函〔2026〕1号"):
    return PastDoc(DUBAN, number, issued, {unit: tuple(ids)}, due, replied, "2026-10")


def bulletin(named: dict, issued, number="某安委办〔2026〕1号", round_id="2026-10", due=None):
    return PastDoc(TONGBAO, number, issued, {u: tuple(m) for u, m in named.items()}, due, None, round_id)


def step(result, unit, docs, rules=Rules()):  # noqa: F811
    return step_for(result.unit(unit), docs, AS_OF, rules)


def test_first_rung_letters_for_flagged_units_only(result):  # noqa: F811
    proposal = propose(result, [])
    assert proposal.units(DUBAN) == [A, B]
    assert proposal.units(TONGBAO) == proposal.units(YUETAN) == []
    a = next(s for s in proposal.steps if s.unit == A)
    assert a.reason == "规则一：逾期2项，尚未就此发督办函" and sorted(a.items) == A_ITEMS
    b = next(s for s in proposal.steps if s.unit == B)
    assert b.reason == "规则一：未报送1项，尚未就此发督办函"
    c = next(s for s in proposal.steps if s.unit == C)
    assert (c.action, c.reason) == ("", "无逾期或未报送事项")
    assert proposal.tongbao  # a round is collected and no 通报 of it yet


def test_waiting_while_the_reply_deadline_runs(result):  # noqa: F811
    s = step(result, A, [letter(A, A_ITEMS, D(2026, 11, 25), D(2026, 12, 2))])
    assert (s.action, s.waiting_until) == ("", D(2026, 12, 2))
    assert s.reason == ("已于2026年11月25日发督办函（某安委办函〔2026〕1号）（逾期2项），回复期限2026年12月2日未到；"
                        "届时仍未整改的，在通报中点名")


def test_a_new_failure_gets_its_own_letter_while_the_unit_waits(result):  # noqa: F811
    # the letter took up 1-1 only; 2025's fourth quarter is a failure no letter covered
    s = step(result, A, [letter(A, ["1-1"], D(2026, 11, 25), D(2026, 12, 2))])
    assert (s.action, s.items) == (DUBAN, ["2-1@2025-Q4"])
    assert s.reason.startswith("规则一：另有逾期1项尚未就此发督办函（已于2026年11月25日发督办函")


def test_second_rung_after_the_reply_deadline(result):  # noqa: F811
    s = step(result, A, [letter(A, A_ITEMS, D(2026, 11, 16), D(2026, 11, 23))])
    assert s.action == TONGBAO
    assert s.reason == ("规则二：2026年11月16日发督办函（某安委办函〔2026〕1号），回复期限2026年11月23日已过，"
                        "未回复，仍逾期2项")
    replied = step(result, A, [letter(A, A_ITEMS, D(2026, 11, 16), D(2026, 11, 23), D(2026, 11, 20))])
    assert replied.action == TONGBAO and "2026年11月20日已回复" in replied.reason  # replying is not catching up
    # the deadline day itself still belongs to the unit
    assert step_for(result.unit(A), [letter(A, A_ITEMS, D(2026, 11, 16), AS_OF)], AS_OF, Rules()).action == ""


def test_due_to_be_named_when_the_rounds_bulletin_is_out(result):  # noqa: F811
    out = bulletin({}, D(2026, 11, 26), number="某安委办〔2026〕2号", round_id="2026-11")
    s = step_for(result.unit(A), [letter(A, A_ITEMS, D(2026, 11, 16), D(2026, 11, 23)), out], AS_OF, Rules(), out)
    assert (s.action, s.deferred) == ("", True)
    assert s.reason.endswith("本轮通报（某安委办〔2026〕2号）已于2026年11月26日印发，将在下一轮进度收集后的通报中点名")
    proposal = propose(result, [letter(A, A_ITEMS, D(2026, 11, 16), D(2026, 11, 23)), out])
    assert proposal.units(TONGBAO) == [] and not proposal.tongbao and proposal.round_tongbao == out


def test_a_letter_about_other_items_does_not_count(result):  # noqa: F811
    # A's earlier letter was about 3-1, since done: the new failures start the ladder again.
    s = step(result, A, [letter(A, ["3-1"], D(2025, 10, 20), D(2025, 10, 27))])
    assert s.action == DUBAN and s.earlier == []


def test_third_rung_after_days_or_items(result):  # noqa: F811
    named = bulletin({A: A_ITEMS}, D(2026, 10, 20))  # 40 days before as_of
    s = step(result, A, [named])
    assert s.action == YUETAN
    assert s.reason == "规则三：2026年10月20日被通报点名（某安委办〔2026〕1号），满40天仍逾期2项"
    recent = bulletin({A: A_ITEMS}, D(2026, 11, 20))  # 9 days
    wait = step(result, A, [recent])
    assert wait.action == "" and "通报后满30天（2026年12月20日）仍逾期的约谈" in wait.reason
    assert wait.waiting_until == D(2026, 12, 20)
    assert step(result, A, [recent], Rules(yuetan_after_days=9)).action == YUETAN
    many = step(result, A, [recent], Rules(yuetan_overdue_items=2))
    assert many.action == YUETAN and "逾期达到2项" in many.reason
    assert step(result, A, [recent], Rules(yuetan_after_days=0, yuetan_overdue_items=0)).action == ""


def test_the_bulletins_report_deadline_is_waited_for(result):  # noqa: F811
    # named 40 days ago with 2 items overdue, but the 通报 gave until 12-03 to report: nothing yet
    named = bulletin({A: A_ITEMS}, D(2026, 10, 20), due=D(2026, 12, 3))
    s = step(result, A, [named], Rules(yuetan_overdue_items=2))
    assert (s.action, s.waiting_until) == ("", D(2026, 12, 3))
    assert s.reason == "2026年10月20日被通报点名（某安委办〔2026〕1号），通报要求2026年12月3日前报送整改情况，届时再议"
    passed = bulletin({A: A_ITEMS}, D(2026, 10, 20), due=D(2026, 10, 27))
    assert step(result, A, [passed]).action == YUETAN


def test_named_for_unreported_only_is_not_summoned(result):  # noqa: F811
    s = step(result, B, [bulletin({B: ["1-2"]}, D(2026, 9, 1))])
    assert s.action == ""  # nothing overdue: 约谈 is for overdue work, not for a missing report


def test_after_the_summons_the_tool_proposes_exposure_or_only_points_at_it(result):  # noqa: F811
    docs = [letter(A, ["1-1"], D(2026, 9, 1), D(2026, 9, 8)), bulletin({A: ["1-1"]}, D(2026, 9, 20)),
            PastDoc(YUETAN, "某安委办函〔2026〕9号", D(2026, 10, 25), {A: tuple(A_ITEMS)}, D(2026, 11, 5))]
    s = step(result, A, docs)  # rule 4 ([exposure] enabled, the default): proposed, the office decides
    assert s.action == "曝光" and s.reason.startswith("规则四：") and "由办公室研究决定" in s.reason
    assert [d.kind for d in s.earlier] == [DUBAN, TONGBAO, YUETAN]
    s = step(result, A, docs, Rules(exposure=False))
    assert s.action == "" and "公开曝光" in s.reason and [d.kind for d in s.earlier] == [DUBAN, TONGBAO, YUETAN]
    # while the rectification report it asked for is not yet due, nothing is said of exposure
    docs[-1] = PastDoc(YUETAN, "某安委办函〔2026〕9号", D(2026, 11, 25), {A: tuple(A_ITEMS)}, D(2026, 12, 9))
    waiting = step(result, A, docs)
    assert waiting.action == "" and "要求2026年12月9日前报送书面整改报告，届时再议" in waiting.reason


def test_caught_up_units_drop_out(result):  # noqa: F811
    s = step(result, C, [letter(C, ["1-1"], D(2025, 2, 1), D(2025, 2, 10))])
    assert s.action == "" and s.reason.startswith("已无逾期或未报送事项（此前2025年2月1日发督办函")


def test_documents_count_from_their_issue_whatever_the_as_of(result):  # noqa: F811
    # issued on 12-01 about data as of 11-29: re-planning for 11-29 must not propose it again
    issued = letter(A, A_ITEMS, D(2026, 12, 1), D(2026, 12, 8))
    s = step(result, A, [issued])
    assert s.action == "" and "回复期限2026年12月8日未到" in s.reason
    rounds_bulletin = bulletin({}, D(2026, 12, 2), round_id="2026-11")
    assert not propose(result, [issued, rounds_bulletin]).tongbao


def test_one_bulletin_per_round(result):  # noqa: F811
    assert not propose(result, [bulletin({}, D(2026, 11, 25), round_id="2026-11")]).tongbao
    assert propose(result, [bulletin({}, D(2026, 10, 25), round_id="2026-10")]).tongbao

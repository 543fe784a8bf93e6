"""The notice contexts (督办函, 通报, 约谈通知书) on the tiny registry of test_status:
they fit the templates' fields, render with the shipped templates, carry the
right unit's items only and the hand-computed figures."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest

from notices.compose.common import NoticeOptions, Office, office_from_config, options_from_config
from notices.compose.duban import duban_context
from notices.compose.tongbao import tongbao_context
from notices.compose.yuetan import yuetan_context
from notices.config import load_config
from notices.errors import NoticesError
from notices.render.engine import Template
from notices.render.template_build import FIELDS
from notices.shipped import shipped
from test_status import AS_OF, A, B, C, registry, result  # noqa: F401  (fixtures)

D = dt.date
OFFICE = Office("岫岩满族自治县安全生产委员会办公室", "岫安委办", "张三", "0415-1234567")
NOV20 = D(2026, 11, 20)


def render_text(name: str, ctx: dict) -> list[str]:
    """Validate ctx against the template's FIELDS, render the shipped template,
    return the text of each paragraph of document.xml."""
    provided, required = FIELDS[name]
    assert set(ctx) == provided
    template = Template(shipped("templates") / name, {})
    template.validate(set(ctx), required)
    out = template.render(ctx)
    xml = zipfile.ZipFile(io.BytesIO(out)).read("word/document.xml").decode("utf-8")
    paras = ("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", p)) for p in re.findall(r"<w:p[ >].*?</w:p>", xml, re.S))
    return [p for p in paras if p]


def assert_dates_ok(text: str) -> None:
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)
    assert not re.search(r"年0\d月|月0\d日", text)


# --- 督办函 -------------------------------------------------------------------------
def duban(registry, result, unit, **kw):
    return duban_context(registry, result.unit(unit), AS_OF, OFFICE, "岫安委办函〔2026〕12号", AS_OF, D(2026, 12, 7),
                         round_date=NOV20, **kw)


def test_duban_inline_items(registry, result):
    ctx = duban(registry, result, A)
    assert ctx["recipient"] == A and ctx["items"] == [] and ctx["attachments"] == []
    assert ctx["title"] == "关于督促加快推进测试任务落实的函"
    paras = render_text("督办函.docx", ctx)
    text = "\n".join(paras)
    # hand-computed (test_status): A due 10 (1-1, eight quarters of 2-1, 3-1), done 8; 1-1 overdue 698
    # days, 2-1's 2025 fourth quarter 333 days. The cut-off is said once, in the basis.
    assert "对截至2026年11月29日各责任单位任务落实情况进行了调度。你单位应完成事项10项，已完成8项，完成率80%；逾期2项。" in text
    assert text.count("2026年11月29日") == 2  # the basis and the 成文日期
    assert "根据《某县测试方案》（某安委发〔2024〕1号）要求" in text
    assert ("1. 第1项任务“建立工作机制”（序号1-1），完成时间为2024年底，已逾期698天；"
            "你单位最近一次于2026年11月20日报送为“正在推进”（已起草制度文件）。") in paras
    # a recurring requirement: the plan's wording, then the period in words
    assert ("2. 第2项任务“每季度至少开展1次检查”（序号2-1），完成时间为2025年（每季度），"
            "其中2025年第四季度应于2025年12月31日前完成，已逾期333天") in text
    assert "已逾期333天" in text
    assert "完成隐患排查" not in text  # A's 1-2 is 临期 and reported: not flagged
    assert "请于2026年12月7日前将整改情况书面报送县安委会办公室" in text
    assert "加盖单位公章" in text and "逾期未报送或整改不到位的，将按照方案要求予以通报。" in text
    assert "（联系人：张三，联系电话：0415-1234567）" in paras
    assert paras[-2:] == ["2026年11月29日", "（联系人：张三，联系电话：0415-1234567）"]
    assert_dates_ok(text)


def test_duban_only_own_items(registry, result):
    text = "\n".join(render_text("督办函.docx", duban(registry, result, B)))
    assert "县教育局：" in text
    assert "应完成事项10项，已完成10项，完成率100%；未报送1项。" in text
    assert "一、未报送事项" in text
    assert ("1. 第1项任务“完成隐患排查”（序号1-2），完成时间为2026年12月10日，距完成时间仅剩11天；"
            "你单位至今未报送进展情况。") in text
    for other in ("建立工作机制", "每季度至少开展1次检查", "已起草制度文件", A, C):
        assert other not in text


def test_duban_long_list_goes_to_an_attachment(registry, result):
    ctx = duban(registry, result, A, options=NoticeOptions(long_list=1))
    assert [(r["no"], r["task"], r["deadline"], r["overdue_days"]) for r in ctx["items"]] == [
        (1, "1-1", "2024年底", "698"), (2, "2-1", "2025年（每季度）：2025年第四季度（2025年12月31日）", "333")]
    assert ctx["items"][0]["latest"] == "2026年11月20日报送：正在推进（已起草制度文件）"
    # the only attachment, named after what it lists (A has overdue items only): unnumbered
    # in the 附件说明, labelled "附件" on its page
    assert ctx["attachments"] == ["逾期事项清单"]
    assert (ctx["items_label"], ctx["items_title"]) == ("附件", "逾期事项清单")
    paras = render_text("督办函.docx", ctx)
    text = "\n".join(paras)
    assert "你单位逾期未完成的事项共2项，详见附件，请逐项对照整改。" in paras
    assert "清单附后" not in text
    assert "（序号1-1）" not in text  # not inline
    assert "建立工作机制" in text and "698" in text  # in the table
    # 附件说明 before the signature; the 附件 page after the date and 附注
    note = paras.index("附件：逾期事项清单")
    date = paras.index("2026年11月29日")
    assert note < date < paras.index("（联系人：张三，联系电话：0415-1234567）") < paras.index("附件")
    assert paras[paras.index("附件") + 1] == "逾期事项清单"
    assert paras.index("建立工作机制") > paras.index("附件")


def test_duban_reply_deadline_in_working_days(registry, result):
    from notices.assess.calendar import add_workdays

    issued = D(2026, 11, 30)  # Monday: five working days later is Monday 12-07
    due = add_workdays(issued, NoticeOptions().reply_workdays)
    ctx = duban_context(registry, result.unit(A), AS_OF, OFFICE, "岫安委办函〔2026〕12号", issued, due)
    text = "\n".join(render_text("督办函.docx", ctx))
    assert "请于2026年12月7日前将整改情况书面报送县安委会办公室" in text
    assert "2026年11月30日" in text


def test_duban_unit_without_flagged_items(registry, result):
    with pytest.raises(NoticesError):
        duban(registry, result, C)


def test_config_notices_section():
    config = load_config(None)
    opts = options_from_config(config)
    assert (opts.reply_workdays, opts.long_list, opts.yuetan_report_workdays) == (5, 8, 5)
    with pytest.raises(NoticesError, match="office.name"):  # the example names no office
        office_from_config(config)
    config.data["office"]["name"] = "某某县安全生产委员会办公室"
    office = office_from_config(config)
    assert office.name == "某某县安全生产委员会办公室" and office.ref == "县安委会办公室"


# --- 通报 ------------------------------------------------------------------------------
def tongbao(registry, result, **kw):
    return tongbao_context(registry, result, OFFICE, "岫安委办发〔2026〕3号", D(2026, 12, 10), [A],
                           duban_refs={A: ("岫安委办函〔2026〕12号", D(2026, 11, 16))}, report_due=D(2026, 12, 17),
                           **kw)


def test_tongbao_figures_and_ranking(registry, result):
    ctx = tongbao(registry, result)
    assert ctx["recipients"] == "各乡镇人民政府，各街道办事处，县安委会各成员单位"
    assert ctx["organ_header"] == "岫岩满族自治县安全生产委员会办公室文件"
    # one group (no 乡镇 in this registry); C has 1 due item, fewer than 3: listed, not ranked
    [group] = ctx["ranking"]
    assert group["title"] == "一、县直部门"
    assert [(r["rank"], r["rank_merge"], r["unit"], r["due"], r["done"], r["overdue"], r["rate"])
            for r in group["rows"]] == [
        (1, "restart", B, 10, 10, 0, "100%"), (2, "restart", A, 10, 8, 2, "80%"), ("—", "restart", C, 1, 1, 0, "100%")]
    assert group["note"] == "注：到期事项不足3项的单位不参与排名，列于表末（名次栏为“—”）。"
    assert ctx["attachments"] == ["各单位任务完成情况排名", "某县测试方案序时进度表", "通报批评单位逾期事项清单"]
    paras = render_text("通报.docx", ctx)
    text = "\n".join(paras)
    # county 21 due, 19 done (90.5%), 2 overdue (A), 1 unreported (B); categories 19/17/2 and 2/2;
    # the cut-off is said once, in the basis
    assert ("全县应完成事项21项，已完成19项，完成率90.5%；逾期未完成2项，涉及1个单位；"
            "本轮未报送进展1项，涉及1个单位。") in paras
    assert text.count("2026年11月29日") == 1
    assert "（一）开展排查行动：应完成事项19项，已完成17项，完成率89.5%，逾期2项。" in paras
    assert "（二）开展宣传行动：应完成事项2项，已完成2项，完成率100%。" in paras
    assert ("按到期事项完成率从高到低排名（完成率相同的，逾期项数少者在前；二者均相同的，并列同一名次）；"
            "到期事项不足3项的单位不参与排名，排名情况见附件1。") in paras
    # the report deadline as a date, which the register keeps and the ladder waits for
    assert "于2026年12月17日前将整改情况书面报送县安委会办公室" in text and "个工作日内" not in text
    assert "一、总体情况" in paras and "四、工作要求" in paras
    assert "附件1" in paras and "一、县直部门" in paras and "岫岩满族自治县安全生产委员会办公室2026年12月10日印发" in paras
    assert_dates_ok(text)


def test_tongbao_ranks_departments_and_townships_apart(registry, result):
    import dataclasses

    towns = dataclasses.replace(registry, units=[dataclasses.replace(u, kind="乡镇") if u.name == A else u
                                                 for u in registry.units])
    ctx = tongbao(towns, result, options=NoticeOptions(rank_min_due=0))
    assert [(g["title"], [r["unit"] for r in g["rows"]], g["note"]) for g in ctx["ranking"]] == [
        ("一、县直部门", [B, C], ""), ("二、乡镇（街道）", [A], "")]
    text = "\n".join(render_text("通报.docx", ctx))
    assert "按到期事项完成率从高到低分部门和乡镇（街道）排名（" in text and "不参与排名" not in text


def test_tongbao_names_the_criticised_with_counts_and_lists_their_items_apart(registry, result):
    ctx = tongbao(registry, result)
    paras = render_text("通报.docx", ctx)
    assert "1个单位本轮未按要求报送进展：县教育局（1项）。" in paras
    assert "1个单位有逾期未完成事项：县应急管理局（2项）。" in paras
    assert "以下单位经督办仍未整改到位，予以通报批评：" in paras
    assert ("1. 县应急管理局。县安委会办公室已于2026年11月16日发函督办（岫安委办函〔2026〕12号），该单位仍未整改到位。"
            "应完成事项10项，已完成8项，完成率80%，逾期2项。") in paras
    assert "上述单位的逾期事项见附件3。" in paras
    body = "\n".join(p for p in paras[:paras.index("附件1")])
    assert "序号1-1" not in body and "建立工作机制" not in body  # item by item only in 附件3
    assert [(d["unit"], d["task"], d["deadline"], d["overdue_days"]) for d in ctx["details"]] == [
        (A, "1-1", "2024年底", "698"), (A, "2-1", "2025年（每季度）：2025年第四季度（2025年12月31日）", "333")]
    assert paras.index("附件3") > paras.index("附件1") and "建立工作机制" in paras


def test_tongbao_praise_one_unit_or_several(registry, result):
    one = render_text("通报.docx", tongbao(registry, result))
    assert "县消防救援大队到期事项全部完成，且无逾期事项，予以通报表扬。" in one  # B owes a report: not praised
    several = render_text("通报.docx", tongbao(registry, result, commended_units=[B, C]))
    assert "县教育局、县消防救援大队2个单位到期事项全部完成，且无逾期事项，予以通报表扬。" in several
    none = render_text("通报.docx", tongbao(registry, result, commended_units=[]))
    assert not any("予以通报表扬" in p for p in none)


def test_tongbao_without_criticism(registry, result):
    ctx = tongbao_context(registry, result, OFFICE, "岫安委办发〔2026〕3号", D(2026, 12, 10), [],
                          report_due=D(2026, 12, 17))
    text = "\n".join(render_text("通报.docx", ctx))
    assert "通报批评" not in text
    assert ("（一）压实工作责任。存在逾期或未报送事项的单位，主要负责同志要亲自研究部署，逐项分析原因，"
            "明确整改措施、责任人和完成时限，于2026年12月17日前将整改情况书面报送县安委会办公室。") in text
    assert ctx["details"] == [] and ctx["details_label"] == "" and "附件3" not in text


def test_tongbao_every_variant_of_its_conditional_sentences_reads_right(registry, result):
    """Each conditional sentence read in each of its forms (grammar by reading, not by shape)."""
    import dataclasses

    # the round's date differs from the cut-off: both are said, once each
    later = dataclasses.replace(result, as_of=D(2026, 11, 30))
    basis = tongbao(registry, later)["body"][0]["text"]
    assert basis.endswith("县安委会办公室依据2026年11月20日各单位报送的进展情况，对截至2026年11月30日各责任单位任务"
                          "落实情况进行了调度。现将有关情况通报如下：")
    same = dataclasses.replace(result, round_date=AS_OF)
    assert tongbao(registry, same)["body"][0]["text"].endswith(
        "县安委会办公室对截至2026年11月29日各责任单位任务落实情况进行了调度。现将有关情况通报如下：")
    # criticised, the letter's deadline not yet followed by data: no "仍未整改到位"
    fresh = tongbao_context(registry, result, OFFICE, "岫安委办发〔2026〕3号", D(2026, 12, 10), [A],
                            duban_refs={A: ("岫安委办函〔2026〕12号", D(2026, 12, 1))}, report_due=D(2026, 12, 17))
    texts = [p["text"] for p in fresh["body"]]
    assert "对以下单位予以通报批评：" in texts
    assert any(t.startswith("1. 县应急管理局。县安委会办公室已于2026年12月1日发函督办（岫安委办函〔2026〕12号）。应完成")
               for t in texts)
    # 工作要求 (一): criticised / lagging / nothing wrong
    first = {kind: next(p["text"] for p in ctx["body"] if p["text"].startswith(("（一）压实", "（一）巩固")))
             for kind, ctx in (("criticised", tongbao(registry, result)),
                               ("lagging", tongbao_context(registry, result, OFFICE, "x〔2026〕3号", D(2026, 12, 10), [],
                                                          report_due=D(2026, 12, 17))))}
    assert first["criticised"].startswith("（一）压实工作责任。被通报批评的单位要深刻反思，主要负责同志要亲自研究部署，逐项")
    assert first["lagging"].startswith("（一）压实工作责任。存在逾期或未报送事项的单位，主要负责同志要亲自研究部署，逐项")
    clean = dataclasses.replace(result, units=[result.unit(C)])
    ok = tongbao_context(registry, clean, OFFICE, "x〔2026〕3号", D(2026, 12, 10), [], report_due=D(2026, 12, 17))
    texts = [p["text"] for p in ok["body"]]
    assert "各单位到期事项均已完成，未发现逾期事项。" in texts
    assert "（一）巩固工作成效。各单位要保持工作力度，对照序时进度表扎实推进后续任务。" in texts  # no date owed
    assert not any("有逾期未完成事项" in t or "未按要求报送" in t for t in texts)


def test_tongbao_names_without_a_letter_claim_no_supervision(registry, result):
    # named with --force and no 督办函 behind it: no "经督办仍未整改到位"
    ctx = tongbao_context(registry, result, OFFICE, "岫安委办发〔2026〕3号", D(2026, 12, 10), [A],
                          report_due=D(2026, 12, 17))
    paras = render_text("通报.docx", ctx)
    assert "对以下单位予以通报批评：" in paras
    assert "经督办" not in "".join(paras) and "发函督办" not in "".join(paras)


# --- 约谈通知书 -----------------------------------------------------------------------
# before the data's cut-off (11-29): the data show the unit did not catch up after them
EARLIER = [("通报", "岫安委办发〔2026〕3号", D(2026, 11, 20)), ("督办函", "岫安委办函〔2026〕12号", D(2026, 11, 9))]


def yuetan(registry, result, unit=A, **kw):
    return yuetan_context(registry, registry.unit(unit), result.unit(unit), AS_OF, EARLIER, OFFICE,
                          "岫安委办函〔2026〕20号", D(2026, 12, 14), dt.datetime(2026, 12, 17, 9, 0),
                          "县安委会办公室会议室", D(2026, 12, 24), **kw)


def test_yuetan(registry, result):
    ctx = yuetan(registry, result)
    assert ctx["recipient"] == A
    paras = render_text("约谈通知书.docx", ctx)
    text = "\n".join(paras)
    assert "县应急管理局主要负责人：" in paras and "约谈通知书" in paras
    assert "《安全生产约谈实施办法（试行）》（安委〔2018〕2号）" in text
    # earlier documents cited by 文号 and date, oldest first
    assert ("县安委会办公室先后于2026年11月9日向你单位发出督办函（岫安委办函〔2026〕12号）、"
            "于2026年11月20日印发通报（岫安委办发〔2026〕3号）对你单位予以通报批评，你单位仍未整改到位。") in text
    assert "鉴于你单位任务推进迟缓、经督办仍未整改到位" in text
    assert "截至2026年11月29日，你单位应完成事项10项，已完成8项，完成率80%；逾期2项。" in text
    assert "已逾期698天" in text and "已逾期333天" in text and "完成隐患排查" not in text
    assert "时间：2026年12月17日（星期四）上午9:00。" in paras
    assert "地点：县安委会办公室会议室。" in paras
    assert "主要负责人须本人参加，不得委托他人代替" in text
    for what in ("情况说明", "原因分析", "整改方案"):
        assert what in text
    assert "须于2026年12月24日前将书面整改报告报送县安委会办公室" in text
    assert "（联系人：张三，联系电话：0415-1234567）" in paras
    assert_dates_ok(text)


def test_yuetan_names_the_leader(registry, result):
    import dataclasses

    unit = dataclasses.replace(registry.unit(A), leader="李四")
    ctx = yuetan_context(registry, unit, result.unit(A), AS_OF, EARLIER[1:], OFFICE, "岫安委办函〔2026〕20号",
                         D(2026, 12, 14), dt.datetime(2026, 12, 17, 14, 30), "县政府第一会议室", D(2026, 12, 24))
    text = "\n".join(render_text("约谈通知书.docx", ctx))
    assert "对你单位主要负责人（李四同志）进行约谈" in text
    assert "县安委会办公室已于2026年11月9日向你单位发出督办函（岫安委办函〔2026〕12号），你单位仍未整改到位。" in text
    assert "下午2:30" in text


def test_yuetan_without_history_claims_none(registry, result):
    # a 约谈 forced without any 督办函 or 通报 in the register, or with documents newer than the data
    for earlier in ([], [("督办函", "岫安委办函〔2026〕12号", D(2026, 12, 1))]):
        ctx = yuetan_context(registry, registry.unit(A), result.unit(A), AS_OF, earlier, OFFICE,
                             "岫安委办函〔2026〕20号", D(2026, 12, 14), dt.datetime(2026, 12, 17, 9, 0), "",
                             D(2026, 12, 24))
        text = "\n".join(p["text"] for p in ctx["body"])
        assert "鉴于你单位任务推进迟缓，县安委会办公室决定" in text
        assert "经督办" not in text and "仍未整改到位" not in text
    assert "此前，县安委会办公室已于2026年12月1日向你单位发出督办函（岫安委办函〔2026〕12号）。" in text


def test_yuetan_same_day_documents_in_ladder_order(registry, result):
    from notices.compose.yuetan import yuetan_context

    same_day = [("通报", "岫安委办〔2026〕3号", AS_OF), ("督办函", "岫安委办函〔2026〕12号", AS_OF)]
    ctx = yuetan_context(registry, registry.unit(A), result.unit(A), AS_OF, same_day, OFFICE, "岫安委办函〔2026〕20号",
                         AS_OF, dt.datetime(2026, 12, 3, 9, 0), "", D(2026, 12, 10))
    text = "\n".join(p["text"] for p in ctx["body"])
    assert text.index("发出督办函（岫安委办函〔2026〕12号）") < text.index("印发通报（岫安委办〔2026〕3号）")


def test_tongbao_recipients_and_area_from_config(registry, result, tmp_path):
    path = tmp_path / "notices.toml"
    path.write_text('[notices]\ntongbao_recipients = "各区人民政府，市安委会各成员单位"\narea = "全市"\n', encoding="utf-8")
    ctx = tongbao(registry, result, options=options_from_config(load_config(path)))
    assert ctx["recipients"] == "各区人民政府，市安委会各成员单位"
    assert ctx["body"][2]["text"].startswith("全市应完成事项")


def test_duban_asks_rather_than_directs_a_unit_headed_by_a_standing_committee_member(registry, result):
    usual = "\n".join(p["text"] for p in duban(registry, result, A)["body"])
    asked = "\n".join(p["text"] for p in duban(registry, result, A, standing=True)["body"])
    assert "请你单位主要负责同志亲自过问，分管负责同志具体抓" in usual
    assert "经单位主要负责人签字并加盖单位公章" in usual
    assert "请你单位高度重视，由分管负责同志具体抓，对照所列事项逐项分析逾期原因" in asked
    assert "主要负责" not in asked and "书面报告应写明逾期原因、已采取的整改措施、责任人和完成时限，加盖单位公章" in asked


def test_standing_committee_units_are_marked_in_the_shipped_directory():
    from notices.read.registry import load_registry

    reg, _ = load_registry(shipped("registry"))
    assert sorted(u.name for u in reg.units if u.standing) == ["县委宣传部", "县委政法委"]

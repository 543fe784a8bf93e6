"""Where things land on the printed page: the 序时进度表, a long 督办函 (附件 list),
the 通报 and the 约谈通知书 converted in one LibreOffice run, then measured from
pdftotext's word boxes (tests/pdfview.py) against GB/T 9704-2012
(../shared/reference/gbt9704.md, marked [S]) and the positions
notices/render/template_build.py sets out to hit.

Boxes are font boxes (ascent to descent): a glyph's ink starts ~1 mm below a
box's top, and the fonts are Linux substitutes for the official ones. Hence the
tolerances: TOL_EDGE for horizontal edges, TOL_BAND for vertical bands.

To look at the pages: NOTICES_PNG_DIR=/some/dir pytest tests/test_page_positions.py
writes every page as PNG there (pdfview.png_pages)."""

from __future__ import annotations

import math
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from conftest import needs_soffice
from notices.compose.table import HEADERS
from notices.file.pdf import convert
from notices.jobs.table import TableRequest, render_table
from notices.project import Project
from notices.render import template_build as TB
from pdfview import Page, pdf_boxes, png_pages
from test_compose_notices import tongbao, yuetan
from test_notice_pdf import HEAD as LIST_HEAD
from test_notice_pdf import _width, long_case, write_notice  # noqa: F401  (fixture)
from test_status import registry, result  # noqa: F401  (fixtures)

pytestmark = needs_soffice

MM_PER_PT = 25.4 / 72
LINE = TB.LINE / 20 * MM_PER_PT  # one exact 28 pt line of 3号 text, 9.88 mm
ZI4 = TB.CHAR / 20 * MM_PER_PT  # one 字 of 4号 (14 pt), 4.94 mm: the page number's indent [S]
TOL_EDGE = 1.0  # mm, a horizontal edge (a glyph's side bearing, the substitute font's widths)
TOL_CENTRE = 1.5  # mm, a centred line's middle against the type area's
TOL_BAND = 2.0  # mm, a vertical position (box top vs ink top, substitute fonts)


def tw_mm(twips: float) -> float:
    return twips / 1440 * 25.4


@dataclass(frozen=True)
class Area:
    """The 版心 (type area) in mm from the page's top-left corner."""
    left: float
    top: float
    right: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @classmethod
    def of(cls, sect: dict) -> Area:
        w, h = tw_mm(sect["width"]), tw_mm(sect["height"])
        return cls(tw_mm(sect["left"]), tw_mm(sect["top"]), w - tw_mm(sect["right"]), h - tw_mm(sect["bottom"]))


# Portrait: A4 210 × 297, margins top 37, bottom 35, left 28, right 26 [S] -> 版心 x 28..184, y 37..262.
PORTRAIT = Area.of(TB.PORTRAIT)
# 序时进度表: A4 landscape 297 × 210, the portrait margins turned with the page (template_build.LAND,
# README: an ordinary landscape section) -> 版心 x 37..262, y 28..184.
LANDSCAPE = Area.of(TB.LAND)
assert (PORTRAIT.right - PORTRAIT.left, PORTRAIT.bottom - PORTRAIT.top) == pytest.approx((156, 225), abs=0.1)
assert (LANDSCAPE.right - LANDSCAPE.left, LANDSCAPE.bottom - LANDSCAPE.top) == pytest.approx((225, 156), abs=0.1)


# --- the documents --------------------------------------------------------------------
@pytest.fixture(scope="module")
def pdfs(registry, result, long_case, tmp_path_factory) -> dict[str, tuple[dict, list[Page]]]:  # noqa: F811
    """name -> (context, pages); one LibreOffice run for the whole module."""
    folder = tmp_path_factory.mktemp("page-positions")
    # 序时进度表: the whole county from the shipped registry (a project with no registry of its own).
    spec, data = render_table(Project(folder / "project"), TableRequest())
    table = folder / "序时进度表.docx"
    table.write_bytes(data)
    cases = {
        "督办函": ("督办函.docx", long_case[0]),
        "约谈通知书": ("约谈通知书.docx", yuetan(registry, result)),
        "通报": ("通报.docx", tongbao(registry, result)),
    }
    paths = [write_notice(t, ctx, folder / f"{name}.docx") for name, (t, ctx) in cases.items()] + [table]
    made = convert(paths, folder / "pdf")
    if os.environ.get("NOTICES_PNG_DIR"):
        for pdf in made:
            png_pages(pdf, Path(os.environ["NOTICES_PNG_DIR"]))
    contexts = [ctx for _, ctx in cases.values()] + [{"spec": spec, "docx": table}]
    return {pdf.stem: (ctx, pdf_boxes(pdf)) for ctx, pdf in zip(contexts, made)}


# --- shared checks --------------------------------------------------------------------
def check_page_numbers(pages: list[Page], area: Area, first_numbered: bool) -> None:
    """The page number "— N —" on page N [S]: odd pages its right edge 1 字 (4号) in from the type area's
    right edge, even pages its left edge 1 字 in from the left; the 一字线 7 mm below
    the type area [S] (the dashes are drawn at the middle of the box)."""
    for pg in pages:
        numbers = [b for b in pg.lines if re.fullmatch(r"—\d+—", b.text)]
        if pg.no == 1 and not first_numbered:
            assert numbers == [], "page 1 of a 信函 has no page number [S]"
            continue
        assert [b.text for b in numbers] == [f"—{pg.no}—"], f"page {pg.no}: {[b.text for b in numbers]}"
        box = numbers[0]
        if pg.no % 2:
            assert box.x1 == pytest.approx(area.right - ZI4, abs=TOL_EDGE), (pg.no, box)
        else:
            assert box.x0 == pytest.approx(area.left + ZI4, abs=TOL_EDGE), (pg.no, box)
        assert box.y0 > area.bottom, (pg.no, box)
        assert box.cy == pytest.approx(area.bottom + TB.PAGE_NO_BELOW, abs=1.5), (pg.no, box)


def header_row(pg: Page, heads) -> list:
    """The header cells' words on `pg`: each head's topmost word, all on one row, in order."""
    cells = []
    for head in heads:
        found = [w for w in pg.words if w.text == head]
        assert found, f"page {pg.no}: no header cell {head}"
        cells.append(min(found, key=lambda w: w.y0))
    assert max(c.y0 for c in cells) - min(c.y0 for c in cells) < 0.5, f"page {pg.no}: header cells not on one row"
    assert [c.x0 for c in cells] == sorted(c.x0 for c in cells), f"page {pg.no}: header cells out of order"
    return cells


def check_repeated_header(pages: list[Page], heads, area: Area, row_tw: int) -> None:
    """On every page after the table's first, the header row comes first, at the top of the
    type area (within the row's minimum height `row_tw`, text centred in it)."""
    for pg in pages:
        top = header_row(pg, heads)[0].y0
        assert area.top <= top <= area.top + tw_mm(row_tw), (pg.no, top)
        body = [w for w in pg.words if w.y0 < area.bottom]
        assert min(w.y0 for w in body) == pytest.approx(top, abs=0.5), f"page {pg.no}: text above the header row"


def centred(box, area: Area) -> bool:
    return abs(box.cx - area.cx) <= TOL_CENTRE


# --- 序时进度表 ------------------------------------------------------------------------
def table_pages_estimate(spec, docx: Path) -> int:
    """Pages the rows need: per row the requirement and deadline in exact 15 pt lines of
    五号 (TB.TABLE_LINE); a task's text, units and remark are merged over its rows and
    stretch its last row when longer; rows never split, so a page breaks between rows,
    below the repeated header row (at least 28 pt); page 1 also holds the title (exact
    35 pt and 12 pt after). The category column spans whole categories: never the tallest."""
    xml = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    widths = [int(c.get(w + "w")) for c in xml.iter(w + "gridCol")]
    pitch = TB.TABLE_LINE / 20

    def lines(text: str, col: int) -> int:  # cell margins 85 twips each side (ooxml.table_props)
        return max(1, math.ceil(_width(text) * 10.5 / ((widths[col] - 170) / 20) - 1e-9))

    tasks: list[list] = []  # rows grouped by task: a "restart" of the task merge opens one
    for row in spec.rows:
        if row.task_merge == "restart" or not tasks:
            tasks.append([])
        tasks[-1].append(row)
    heights: list[float] = []
    for rows in tasks:
        own = [max(lines(r.requirement, 2), lines(r.deadline, 3)) * pitch for r in rows]
        merged = max(lines(rows[0].task, 1), lines(rows[0].units, 4), lines(rows[0].remark, 5)) * pitch
        own[-1] += max(0.0, merged - sum(own))
        heights += own
    room = (LANDSCAPE.bottom - LANDSCAPE.top) / MM_PER_PT - 560 / 20
    pages, left = 1, room - (700 + 240) / 20
    for h in heights:
        if h > left:
            pages, left = pages + 1, room
        left -= h
    return pages


def test_table_pages_numbers_and_header_rows(pdfs):
    ctx, pages = pdfs["序时进度表"]
    assert {round(pages[0].width), round(pages[0].height)} == {297, 210} and pages[0].width > pages[0].height
    # LibreOffice's line breaking (no line starts with punctuation, numbers kept whole) adds
    # lines; a page break inside a merged task cell saves some.
    estimate = table_pages_estimate(ctx["spec"], ctx["docx"])
    assert estimate >= 3, "the whole county's table runs to several pages"
    assert estimate - 1 <= len(pages) <= estimate + 2, (len(pages), estimate)
    check_page_numbers(pages, LANDSCAPE, first_numbered=True)
    # page 1: the title centred in the first line of the type area (an exact 35 pt line,
    # template_build._table_styles), the header row below it
    title = pages[0].line(ctx["spec"].title)
    assert centred(title, LANDSCAPE) and LANDSCAPE.top <= title.y0 <= LANDSCAPE.top + tw_mm(700), title
    assert header_row(pages[0], HEADERS)[0].y0 > title.y1
    check_repeated_header(pages[1:], HEADERS, LANDSCAPE, 560)
    # the table spans the type area (its grid sums to the 225 mm width)
    for pg in pages:
        body = [w for w in pg.words if w.y1 < LANDSCAPE.bottom]
        assert min(w.x0 for w in body) >= LANDSCAPE.left and max(w.x1 for w in body) <= LANDSCAPE.right, pg.no


# --- 信函格式: 督办函, 约谈通知书 --------------------------------------------------------
def check_letter_page1(pg: Page, ctx: dict, title: str) -> None:
    # 发文机关标志: centred, top edge 30 mm from the page top [S] (TB.LETTER_ORGAN_TOP), above
    # the red double line 4 mm below it (TB.LETTER_TOP_PAIR, 41.8 mm).
    organ = pg.line(ctx["organ"])
    assert organ.text == ctx["organ"] and centred(organ, PORTRAIT), organ
    assert organ.y0 == pytest.approx(TB.LETTER_ORGAN_TOP, abs=TOL_BAND), organ
    assert organ.y1 <= TB.LETTER_TOP_PAIR, organ
    # 发文字号: flush right on the type area's right edge (184 mm), its top 7/8 of a 3号
    # height (14 pt, 4.9 mm) below the double line's lower edge (TB._PAIR_BOTTOM_MM, 43.2 mm) [S].
    number = pg.line(ctx["doc_number"])
    assert number.x1 == pytest.approx(PORTRAIT.right, abs=TOL_EDGE), number
    assert number.y0 > TB._PAIR_BOTTOM_MM
    assert number.y0 == pytest.approx(TB._PAIR_BOTTOM_MM + 14 * MM_PER_PT, abs=TOL_BAND), number
    # 标题 2 lines below: its top 3 × 28 pt below the 发文字号's (the 发文字号's own line, 2 blank ones)
    check_title(pg, number, number.y0 + 3 * LINE, title)


def check_title(pg: Page, number, top: float, title: str) -> None:
    """The title's lines follow the 发文字号, the first with its top at `top`, every one centred [S]."""
    lines = [b for b in pg.lines if b.y0 > number.y1][:4]
    got, parts = "", []
    for b in lines:
        if got == title:
            break
        got += b.text
        parts.append(b)
    assert got == title, [b.text for b in lines]
    assert all(centred(b, PORTRAIT) for b in parts), parts
    assert parts[0].y0 == pytest.approx(top, abs=TOL_BAND), (parts[0], top)


def test_duban_long(pdfs):
    ctx, pages = pdfs["督办函"]
    check_page_numbers(pages, PORTRAIT, first_numbered=False)
    check_letter_page1(pages[0], ctx, ctx["title"])
    # the 附件 list: from the page led by "附件" to the end, the header row on every page
    first = next(i for i, pg in enumerate(pages) if pg.lines[0].text == "附件")
    attachment = pages[first:]
    assert len(attachment) >= 2, "the list runs over more than one page"
    label, heading = attachment[0].lines[:2]
    assert label.x0 == pytest.approx(PORTRAIT.left, abs=TOL_EDGE)  # "附件" flush left on line 1 [S]
    assert heading.text == ctx["items_title"] and centred(heading, PORTRAIT)
    assert header_row(attachment[0], LIST_HEAD)[0].y0 > heading.y1
    check_repeated_header(attachment[1:], LIST_HEAD, PORTRAIT, 500)


def test_yuetan(pdfs):
    ctx, pages = pdfs["约谈通知书"]
    assert len(pages) >= 3, "odd and even page numbers both shown"
    check_page_numbers(pages, PORTRAIT, first_numbered=False)
    check_letter_page1(pages[0], ctx, "约谈通知书")


# --- 文件格式: 通报 --------------------------------------------------------------------
def test_tongbao(pdfs):
    ctx, pages = pdfs["通报"]
    assert len(pages) >= 2, "odd and even page numbers both shown"
    check_page_numbers(pages, PORTRAIT, first_numbered=True)
    pg = pages[0]
    # 红头: centred, top edge 35 mm below the type area's top = 72 mm from the page top [S]
    # (TB.FILE_ORGAN_BEFORE).
    organ = pg.line(ctx["organ_header"])
    assert organ.text == ctx["organ_header"] and centred(organ, PORTRAIT), organ
    assert organ.y0 == pytest.approx(PORTRAIT.top + tw_mm(TB.FILE_ORGAN_BEFORE), abs=TOL_BAND), organ
    # 发文字号: centred, 2 lines below the 标志 [S]: the 标志's exact line (TB.ORGAN_LINE_MM,
    # 7.8 mm), 2 lines of 28 pt, and the 3号 text's drop in its 28 pt line (~3.5 mm, the
    # figure template_build uses for LETTER_NUMBER_BEFORE) -> ~103 mm.
    number = pg.line(ctx["doc_number"])
    assert number.text == ctx["doc_number"] and centred(number, PORTRAIT), number
    expected = PORTRAIT.top + tw_mm(TB.FILE_ORGAN_BEFORE) + TB.ORGAN_LINE_MM + 2 * LINE + 3.5
    assert number.y0 == pytest.approx(expected, abs=TOL_BAND), (number, expected)
    # 标题 2 lines below the red rule [S]; the rule hangs under the 发文字号's 28 pt line as its
    # bottom border (TB.SEPARATOR_SPACE 8 pt + TB.SEPARATOR_SZ 1.5 pt = 3.4 mm), so the title's
    # top is 3 × 28 pt + 3.4 mm below the 发文字号's -> ~135 mm.
    rule = (TB.SEPARATOR_SPACE + TB.SEPARATOR_SZ / 8) * MM_PER_PT
    check_title(pg, number, number.y0 + 3 * LINE + rule, ctx["title"])

"""What a 核稿 reviewer checks on the page, measured on LibreOffice renders of a
sample round (the shipped registry, `progress sample`): the 版记 at the foot of
the last page, 附件2 bound with page numbers running on (or issued apart with
"<文号>附件2"), the sealed and unsealed signature layouts, title lines broken
only where typeset allows, 28 字 a line and 22 lines a page.

Positions in mm from the page's top-left (tests/pdfview.py); the type area of
the portrait pages is x 28..184, y 37..262 (test_page_positions.PORTRAIT)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import needs_soffice, run_cli, working_folder
from notices.assess.escalation import DUBAN, TONGBAO, YUETAN
from notices.file.pdf import convert
from notices.jobs.issue import Batch
from notices.jobs.table import TableRequest, render_table
from notices.jobs.status import progress_for_table
from notices.project import Project
from notices.render import template_build as TB
from notices.render import typeset
from notices.render.engine import Template
from notices.shipped import shipped
from pdfview import Page, hrules, pdf_boxes
from test_notice_templates import CONTEXTS
from test_page_positions import LANDSCAPE, PORTRAIT, ZI4, check_page_numbers

pytestmark = needs_soffice

AS_OF = dt.date(2026, 11, 29)
NUMBER = "岫安委办〔2026〕1号"
ZI = 16 * 25.4 / 72 - 0.25 * 25.4 / 72  # one 3号 字 as set (TB.CHAR_SPACING): 5.56 mm
TOL = 1.0  # mm: a text edge (side bearings, substitute fonts)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    project = Project(working_folder(tmp_path_factory.mktemp("form")))
    for args in (("progress", "sample", "-r", "2026-11", "--out", str(project.root / "returned")),
                 ("progress", "collect", str(project.root / "returned"), "-r", "2026-11", "--as-of", "2026-11-29",
                  "--accept-warnings")):
        result = run_cli(project, *args)
        assert result.exit_code == 0, result.output
    return project


def render(name: str, ctx: dict, path: Path, **options) -> Path:
    path.write_bytes(Template(shipped("templates") / name, {}, options).render(ctx))
    return path


@pytest.fixture(scope="module")
def docs(project, tmp_path_factory) -> dict[str, tuple[dict, list[Page], Path]]:
    """name -> (context, pages, pdf), every document converted in one LibreOffice run."""
    folder = tmp_path_factory.mktemp("form-pdf")
    batch = Batch(project, AS_OF, AS_OF)
    bulletin = batch.jobs_for(TONGBAO)[0].context(NUMBER)
    # a one-page letter (its items in the attached list): the signature block sits under the
    # body text on the same page
    unit = batch.proposed(DUBAN)[0]
    batch.options.long_list = 2
    letter = batch.jobs_for(DUBAN, [unit])[0].context("岫安委办函〔2026〕1号")
    summons = batch.jobs_for(YUETAN, [unit], reason="版式测试")[0].context("岫安委办函〔2026〕2号")
    # plain CJK paragraphs: every full line shows how many 字 a line holds
    full = dict(CONTEXTS["督办函.docx"], body=[{"text": "安全生产治本攻坚三年行动" * 120, "level": 0}], items=[])
    separate = dict(bulletin, table=None)
    cases = {
        "通报": ("通报.docx", bulletin, {}),
        "通报-偶数页": ("通报.docx", bulletin, {"imprint_even_page": True}),
        "通报-附件另发": ("通报.docx", separate, {}),
        "通报-附件另发-偶数页": ("通报.docx", separate, {"imprint_even_page": True}),
        "督办函": ("督办函.docx", letter, {"sealed": True}),
        "督办函-短署名": ("督办函.docx", dict(letter, signer="岫岩县安委会办公室"), {"sealed": True}),
        "约谈通知书": ("约谈通知书.docx", summons, {"sealed": True}),
        "满页": ("督办函.docx", full, {"sealed": True}),
    }
    paths = [render(t, ctx, folder / f"{name}.docx", **opt) for name, (t, ctx, opt) in cases.items()]
    req = TableRequest(progress=progress_for_table(project, AS_OF, None), as_of=AS_OF, attachment=2, doc_number=NUMBER)
    spec, data = render_table(project, req)
    (folder / "附件2.docx").write_bytes(data)
    paths.append(folder / "附件2.docx")
    pdfs = convert(paths, folder / "pdf")
    contexts = [ctx for _, ctx, _ in cases.values()] + [{"spec": spec}]
    return {p.stem: (ctx, pdf_boxes(pdf), pdf) for p, ctx, pdf in zip(paths, contexts, pdfs)}


# --- 版记 ---------------------------------------------------------------------------
def imprint_rules(pdf: Path, page: int) -> list[tuple[float, float, float]]:
    """The 版记's rules: full type-area width (156 mm) black lines."""
    return [r for r in hrules(pdf, page, min_mm=150) if r[1] == pytest.approx(PORTRAIT.left, abs=1.5)]


@pytest.mark.parametrize("name", ["通报", "通报-附件另发"])
def test_imprint_at_the_foot_of_the_last_page(docs, name):
    ctx, pages, pdf = docs[name]
    last = pages[-1]
    printed, day = last.line(ctx["printer"]), last.line(f"{ctx['print_date_cn']}印发")
    assert day.y0 == pytest.approx(printed.y0, abs=0.5) and day.x1 == pytest.approx(PORTRAIT.right - ZI4, abs=TOL)
    rules = imprint_rules(pdf, last.no)
    assert rules, "no 版记 rules on the last page"
    bottom = max(y for y, _, _ in rules)
    # GB/T 9704 §9: the last rule on the bottom edge of the type area (262 mm)
    assert bottom == pytest.approx(PORTRAIT.bottom, abs=3.0), bottom
    assert all(x1 - x0 == pytest.approx(156, abs=1.5) for _, x0, x1 in rules)
    assert printed.y0 > bottom - 12 and printed.y1 < bottom  # the 印发 line just above the last rule
    assert not any("印发" in p.text() for p in pages[:-1])


@pytest.mark.parametrize("name", ["通报-偶数页", "通报-附件另发-偶数页"])
def test_imprint_on_an_even_page_without_page_number(docs, name):
    ctx, pages, pdf = docs[name]
    last = pages[-1]
    assert last.no % 2 == 0 and "印发" in last.text()
    assert not [b for b in last.lines if re.fullmatch(r"—\d+—", b.text)]  # GB/T 9704 §7.5
    assert max(y for y, _, _ in imprint_rules(pdf, last.no)) == pytest.approx(PORTRAIT.bottom, abs=3.0)
    assert last.text().startswith(ctx["printer"]) or last.lines[0].text.startswith(ctx["printer"])


# --- 附件2 --------------------------------------------------------------------------
def test_bound_table_landscape_with_running_page_numbers(docs):
    ctx, pages, _ = docs["通报"]
    table = ctx["table"]
    first = next(p for p in pages if p.width > p.height)
    landscape = [p for p in pages if p.width > p.height]
    assert landscape == pages[first.no - 1:first.no - 1 + len(landscape)] and len(landscape) >= 3
    assert pages[-1].width < pages[-1].height  # the 版记 on a portrait page after them
    portrait = [p for p in pages if p.width < p.height]
    check_page_numbers(portrait, PORTRAIT, first_numbered=True)  # every page "— N —", N running on
    check_page_numbers(landscape, LANDSCAPE, first_numbered=True)
    # "附件2" flush left on line 1, the title centred on line 3 (GB/T 9704 §8)
    label, title = first.line(table["label"]), first.line(table["title"][:6])
    assert label.text == "附件2" and label.x0 == pytest.approx(LANDSCAPE.left, abs=TOL)
    assert label.y0 == pytest.approx(LANDSCAPE.top + 3.5, abs=2.0)  # the 3号 text's drop in its 28 pt line
    assert title.y0 - label.y0 == pytest.approx(2 * 28 * 25.4 / 72, abs=3.0)
    assert "附件：1.各单位任务完成情况排名" in pages[0].text() + pages[1].text() + pages[2].text() + pages[3].text()


def test_separate_table_carries_the_document_number(docs):
    _, pages, _ = docs["附件2"]
    label = pages[0].lines[0]
    assert label.text == f"{NUMBER}附件2" and label.x0 == pytest.approx(LANDSCAPE.left, abs=TOL)


def test_attachment_note_wraps_under_the_name(docs):
    """附件说明: "附件：1." then the name; a name that wraps continues under its own first
    character, "2." under "1."."""
    _, pages, _ = docs["通报"]
    page = next(p for p in pages if "附件：" in p.text())
    first = page.line("附件：")
    lines = page.lines[page.lines.index(first):]
    assert first.x0 == pytest.approx(PORTRAIT.left + 2 * ZI, abs=TOL)
    name_x = next(w for w in page.words if w.text.startswith("各单位") and abs(w.y0 - first.y0) < 1).x0
    second = next(b for b in lines if b.text.startswith("2."))
    assert second.x0 == pytest.approx(first.x0 + 3 * ZI, abs=TOL)  # "2." under "1."
    following = [b for b in lines if b.y0 > second.y0 + 1 and not b.text.startswith(("岫岩", "2026"))][:1]
    for b in following:  # the second name wraps: its next line starts under the name
        assert b.x0 == pytest.approx(name_x, abs=TOL), (b, name_x)


# --- signature and date --------------------------------------------------------------
def signature_lines(pages: list[Page], ctx: dict):
    page = next(p for p in pages if any(b.text == ctx["date_cn"] for b in p.lines))
    day = next(b for b in page.lines if b.text == ctx["date_cn"])
    sig = max((b for b in page.lines if b.text == ctx["signer"] and b.y0 < day.y0), key=lambda b: b.y0)
    return page, sig, day


def test_sealed_date_four_zi_from_the_right_signature_centred(docs):
    ctx, pages, _ = docs["督办函-短署名"]
    page, sig, day = signature_lines(pages, ctx)
    assert day.x1 == pytest.approx(PORTRAIT.right - 4 * 320 / 1440 * 25.4, abs=TOL)  # 右空四字
    assert sig.cx == pytest.approx(day.cx, abs=1.5)  # 署名以成文日期为准居中
    assert day.y0 - sig.y0 == pytest.approx(28 * 25.4 / 72, abs=0.5)
    # the seal's place: 2 blank lines above the signature; a 42 mm seal centred 7 mm under the
    # signature's top has its top within one line (9.9 mm) of the text above
    above = max(b.y1 for b in page.lines if b.y1 < sig.y0 - 1)
    seal_top = sig.y0 + 7 - 21
    assert 0 < seal_top - above <= 28 * 25.4 / 72, (above, sig.y0)


@pytest.mark.parametrize("name", ["督办函", "约谈通知书"])
def test_sealed_long_signature_stays_in_the_type_area(docs, name):
    ctx, pages, _ = docs[name]
    _, sig, day = signature_lines(pages, ctx)
    assert day.x1 == pytest.approx(PORTRAIT.right - 4 * 320 / 1440 * 25.4, abs=TOL)
    assert sig.x1 <= PORTRAIT.right + 0.5 and sig.x1 == pytest.approx(PORTRAIT.right, abs=TOL)


def test_unsealed_date_two_zi_right_of_the_signature(docs):
    ctx, pages, _ = docs["通报"]
    _, sig, day = signature_lines(pages, ctx)
    assert sig.x1 == pytest.approx(PORTRAIT.right - 2 * ZI, abs=TOL)  # 右空二字
    assert day.x0 - sig.x0 == pytest.approx(2 * ZI, abs=TOL)  # 首字比署名首字右移二字


# --- title --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["通报", "督办函"])
def test_title_lines_break_only_at_allowed_points(docs, name):
    ctx, pages, _ = docs[name]
    title = ctx["title"]
    expected = typeset.title_breaks(title, TB.TITLE_PER_LINE)
    assert len(expected) >= 2, "the sample titles need two lines"
    start = pages[0].line(expected[0])
    got = [b for b in pages[0].lines if b.y0 >= start.y0 - 0.5][:len(expected)]
    assert [b.text for b in got] == list(expected)
    cuts = [sum(len(t) for t in expected[:i]) for i in range(1, len(expected))]
    assert set(cuts) <= set(typeset.break_points(title))  # between words, not next to 的/关于 …
    widths = [typeset.zi(t) for t in expected]
    assert len(set(widths)) == len(widths)  # a 梯形 or 菱形, never a rectangle
    for b in got:
        assert b.cx == pytest.approx(PORTRAIT.cx, abs=1.5)


# --- 28 字 a line, 22 lines a page ----------------------------------------------------
def test_full_page_holds_22_lines_of_28_zi(docs):
    _, pages, _ = docs["满页"]
    page = pages[1]  # all body text
    body = [b for b in page.lines if b.y1 < PORTRAIT.bottom]
    assert len(body) == 22, [b.text for b in body]  # GB/T 9704 §5.2.2: 22 lines a page
    full = [b for b in body if b.x0 == pytest.approx(PORTRAIT.left, abs=TOL)
            and b.x1 == pytest.approx(PORTRAIT.right, abs=TOL)]
    assert len(full) >= 18 and all(len(b.text) == 28 for b in full), [b.text for b in full]  # 28 字 a line
    assert body[0].y0 == pytest.approx(PORTRAIT.top, abs=4) and body[-1].y1 <= PORTRAIT.bottom


# --- 序时进度表 -----------------------------------------------------------------------
def test_table_heads_on_one_line_and_no_page_of_a_tail(docs):
    ctx, pages, _ = docs["附件2"]
    spec = ctx["spec"]
    for pg in pages:
        # every header cell on one line: the heads are words of their own, none split ("完成时/间")
        words = {w.text for w in pg.words}
        assert {"任务名称", "完成时间", "进展情况", "备注"} <= words, pg.no
        # no page holds only the tail of a cell: some row starts on every page
        starts = [r for r in spec.rows if (r.requirement or r.task)[:8] in pg.text()]
        assert starts, f"page {pg.no} holds no row's start"


def test_the_signature_never_starts_a_page_alone(tmp_path):
    """Whatever the body's length, the page that holds the signature holds the end of the
    body too (the last paragraph keeps with the 附件说明 and the signature, §7.3.5.4)."""
    base = dict(CONTEXTS["督办函.docx"], items=[], attachments=[], note="")
    paths = []
    for n in range(14, 24):  # body lengths around the end of page 1 and of page 2
        body = [{"text": f"第{i}段，" + "县安委会办公室对各责任单位任务落实情况进行了调度。" * 2, "level": 0}
                for i in range(1, n + 1)]
        path = tmp_path / f"{n}.docx"
        render("督办函.docx", dict(base, body=body), path, sealed=True)
        paths.append(path)
    for path, pdf in zip(paths, convert(paths, tmp_path / "pdf")):
        pages = pdf_boxes(pdf)
        page, sig, _ = signature_lines(pages, base)
        assert any("段" in b.text and b.y1 < sig.y0 for b in page.lines), (path.name, len(pages))

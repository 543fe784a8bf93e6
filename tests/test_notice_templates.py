"""The notice templates (督办函, 约谈通知书 in 信函格式; 通报 in 文件格式) as
GB/T 9704 measures them: page, 标志 and red lines, 发文字号, fonts, body levels,
signature, 版记, page numbers; then a LibreOffice render of each."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, needs_soffice, pdf_pages
from notices.render import template_build as TB
from notices.render.engine import Template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
NS = {"w": W[1:-1], "wp": WP[1:-1], "a": A[1:-1]}
NUMBER = re.compile(r"^\S+〔\d{4}〕[1-9]\d*号$")
ORGAN = "岫岩满族自治县安全生产委员会办公室"
LONG = "截至2026年11月20日，各单位应完成任务共计12项，实际完成8项，逾期4项。请各单位高度重视，认真对照任务清单逐项整改落实，确保按期完成。"
BODY = ([{"text": "按照县安委会工作安排，现就有关事项函告如下。", "level": 0},
         {"text": "一、基本情况", "level": 1}, {"text": "（一）总体进展", "level": 2}]
        + [{"text": LONG * 2, "level": 0} for _ in range(6)])
COMMON = dict(doc_number="岫安委办函〔2026〕12号", body=BODY, attachments=["逾期任务清单", "报送模板"],
              signer=ORGAN, date_cn="2026年11月29日", note="联系人：张三，电话：0415-1234567", cc="县应急管理局")
CONTEXTS = {
    "督办函.docx": dict(COMMON, organ=ORGAN, title="关于督促加快推进安全生产治本攻坚任务的函", recipient="县交通运输局",
                     items_label="附件1", items_title="逾期任务清单",
                     items=[dict(no=i, task=f"1-{i}", requirement="每季度至少开展1次检查", deadline="2026年6月底",
                                 overdue_days=12 * i, latest="未报送") for i in range(1, 4)]),
    "约谈通知书.docx": dict(COMMON, organ=ORGAN, recipient="县交通运输局"),
    "通报.docx": dict(COMMON, organ_header=ORGAN + "文件", doc_number="岫安委办发〔2026〕3号",
                    title="关于安全生产治本攻坚三年行动任务进展情况的通报", recipients="各乡镇人民政府，县安委会各成员单位",
                    ranking_label="附件1", ranking_title="各单位任务完成情况排名",
                    ranking=[dict(title="一、县直部门", note="", rows=[
                        dict(rank=1, rank_merge="restart", unit="县应急管理局", due=5, done=5, overdue=0, rate="100%"),
                        dict(rank=1, rank_merge="continue", unit="县消防救援大队", due=4, done=4, overdue=0, rate="100%"),
                        dict(rank=3, rank_merge="restart", unit="县交通运输局", due=6, done=3, overdue=3, rate="50%")])],
                    printer=ORGAN, print_date_cn="2026年11月29日", table=None,
                    details=[dict(no=1, unit="县交通运输局", task="1-1", requirement="每季度至少开展1次检查",
                                  deadline="2026年6月底", overdue_days="30")],
                    details_label="附件3", details_title="通报批评单位逾期事项清单"),
}
LETTERS = ("督办函.docx", "约谈通知书.docx")


def template(tmp_path: Path, name: str) -> Template:
    path = tmp_path / name
    path.write_bytes(TB.TEMPLATES[name]())
    return Template(path)


def render(tmp_path: Path, name: str, **changes) -> Path:
    out = tmp_path / "out" / name
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(template(tmp_path, name).render({**CONTEXTS[name], **changes}))
    return out


def parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith((".xml", ".rels"))}


def text_of(el) -> str:
    return "".join(t.text or "" for t in el.iter(W + "t"))


def paras(doc) -> list:
    return doc.findall("w:body/w:p", NS)


def find_para(doc, pattern: str):
    return next(p for p in doc.iter(W + "p") if re.search(pattern, text_of(p)))


def font(p) -> str:
    return p.find(".//w:r/w:rPr/w:rFonts", NS).get(W + "eastAsia")


def size(p) -> str:
    return p.find(".//w:r/w:rPr/w:sz", NS).get(W + "val")


def ppr(p, tag: str, attr: str):
    el = p.find(f"w:pPr/w:{tag}", NS)
    return None if el is None else el.get(W + attr)


def linked(p: dict, rid: str) -> etree._Element:
    rels = {r.get("Id"): r.get("Target") for r in p["word/_rels/document.xml.rels"]}
    return p["word/" + rels[rid]]


def refs(sect, kind: str) -> dict[str, str]:
    return {r.get(W + "type"): r.get(R + "id") for r in sect.findall(f"w:{kind}Reference", NS)}


# --- fields -----------------------------------------------------------------
@pytest.mark.parametrize("name", list(TB.FIELDS))
def test_fields_match_the_template(tmp_path, name):
    tpl = template(tmp_path, name)
    provided, required = TB.FIELDS[name]
    tpl.validate(provided, required)
    assert tpl.fields == provided


def test_every_template_is_in_the_build_and_the_shipped_copy_is_current():
    for name in TB.FIELDS:
        assert (ROOT / "templates" / name).read_bytes() == TB.TEMPLATES[name](), f"{name}: python templates/build.py"


# --- page -------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CONTEXTS))
def test_page_a4_portrait_with_standard_margins(tmp_path, name):
    sect = parts(render(tmp_path, name))["word/document.xml"].find("w:body/w:sectPr", NS)
    pg = sect.find("w:pgSz", NS)
    assert (pg.get(W + "w"), pg.get(W + "h"), pg.get(W + "orient")) == ("11906", "16838", None)
    mar = sect.find("w:pgMar", NS)
    assert [mar.get(W + k) for k in ("top", "bottom", "left", "right")] == ["2098", "1984", "1587", "1474"]


@pytest.mark.parametrize("name", list(CONTEXTS))
def test_fonts_named_with_east_asia_and_no_theme_fonts(tmp_path, name):
    p = parts(render(tmp_path, name))
    for part, root in p.items():
        assert "Theme=" not in etree.tostring(root).decode(), part
        for rf in root.iter(W + "rFonts"):
            assert rf.get(W + "eastAsia") and rf.get(W + "ascii") == rf.get(W + "eastAsia"), (part, etree.tostring(rf))


# --- 信函格式 ---------------------------------------------------------------
def _shapes(header) -> list[tuple[int, int, int, int, str]]:
    """(x, y, length, weight, colour) of each anchored line, EMU from the page."""
    out = []
    for anchor in header.iter(WP + "anchor"):
        assert anchor.find("wp:positionH", NS).get("relativeFrom") == "page"
        assert anchor.find("wp:positionV", NS).get("relativeFrom") == "page"
        x = int(anchor.find("wp:positionH/wp:posOffset", NS).text)
        y = int(anchor.find("wp:positionV/wp:posOffset", NS).text)
        assert anchor.find("a:graphic//a:prstGeom", NS).get("prst") == "line"
        ln = anchor.find(".//a:ln", NS)
        out.append((x, y, int(anchor.find("wp:extent", NS).get("cx")), int(ln.get("w")),
                    ln.find("a:solidFill/a:srgbClr", NS).get("val")))
    return out


@pytest.mark.parametrize("name", LETTERS)
def test_letter_mark_and_double_lines_on_page_one_only(tmp_path, name):
    p = parts(render(tmp_path, name))
    sect = p["word/document.xml"].find("w:body/w:sectPr", NS)
    assert sect.find("w:titlePg", NS) is not None
    headers = refs(sect, "header")
    assert set(headers) == {"first"}  # later pages carry no header
    header = linked(p, headers["first"])
    mark = header.find("w:p", NS)
    assert text_of(mark) == ORGAN
    assert font(mark) == "方正小标宋简体" and ppr(mark, "jc", "val") == "center"
    assert {c.get(W + "val") for c in mark.iter(W + "color")} == {"FF0000"}
    frame = mark.find("w:pPr/w:framePr", NS)
    assert frame.get(W + "vAnchor") == "page" and int(frame.get(W + "y")) == 1701  # 30 mm from the page top
    assert frame.get(W + "hAnchor") == "margin" and frame.get(W + "w") == str(TB.TEXT_WIDTH)
    mark_bottom = 30 + 22 * 25.4 / 72  # exact line = the 22 pt font
    shapes = _shapes(header)
    assert len(shapes) == 4
    for x, _, length, _, colour in shapes:
        assert (x, length, colour) == (756000, 6120000, "FF0000")  # 21 mm in, 170 mm long: 7 mm beyond the 版心
    (_, y1, _, w1, _), (_, y2, _, w2, _), (_, y3, _, w3, _), (_, y4, _, w4, _) = sorted(shapes, key=lambda s: s[1])
    assert w1 > w2 and w3 < w4  # thick over thin at the top; thin over thick at the bottom
    top_edge = (y1 - w1 / 2) / 36000
    assert abs(top_edge - (mark_bottom + 4)) < 0.05  # 4 mm below the 标志
    assert y2 - w2 / 2 > y1 + w1 / 2  # a visible gap
    bottom_edge = (y4 + w4 / 2) / 36000
    assert abs(bottom_edge - (297 - 20)) < 0.05  # 20 mm above the page bottom
    assert y3 + w3 / 2 < y4 - w4 / 2


@pytest.mark.parametrize("name", LETTERS)
def test_letter_number_title_recipient(tmp_path, name):
    doc = parts(render(tmp_path, name))["word/document.xml"]
    number, title, recipient = paras(doc)[:3]
    assert NUMBER.match(text_of(number)) and ppr(number, "jc", "val") == "right"
    assert ppr(number, "ind", "right") is None  # flush with the 版心's right edge
    assert font(number) == "仿宋_GB2312" and size(number) == "32"
    assert text_of(title) == ("关于督促加快推进安全生产治本攻坚任务的函" if name == "督办函.docx" else "约谈通知书")
    assert font(title) == "方正小标宋简体" and size(title) == "44" and ppr(title, "jc", "val") == "center"
    assert title.find(".//w:b", NS) is None
    assert ppr(title, "spacing", "before") == "1120"  # 2 lines
    assert text_of(recipient) == ("县交通运输局：" if name == "督办函.docx" else "县交通运输局主要负责人：")
    assert ppr(recipient, "jc", "val") == "left" and ppr(recipient, "ind", "firstLine") is None


@pytest.mark.parametrize("name", LETTERS)
def test_letter_no_page_number_on_page_one(tmp_path, name):
    p = parts(render(tmp_path, name))
    assert p["word/settings.xml"].find("w:evenAndOddHeaders", NS) is not None
    sect = p["word/document.xml"].find("w:body/w:sectPr", NS)
    footers = refs(sect, "footer")
    assert set(footers) == {"default", "even", "first"}
    first = linked(p, footers["first"])
    assert text_of(first) == "" and not list(first.iter(W + "instrText"))
    _check_page_footers(p, footers)


def _check_page_footers(p, footers):
    for kind, side in (("default", "right"), ("even", "left")):
        footer = linked(p, footers[kind])
        para = footer.find("w:p", NS)
        assert ppr(para, "jc", "val") == side and ppr(para, "ind", side) == "280"
        assert "PAGE" in "".join(t.text for t in footer.iter(W + "instrText"))
        assert text_of(para).startswith("— ") and text_of(para).endswith(" —")
        assert {rf.get(W + "eastAsia") for rf in footer.iter(W + "rFonts")} == {"宋体"}
        assert {sz.get(W + "val") for sz in footer.iter(W + "sz")} == {"28"}


# --- body, shared -----------------------------------------------------------
@pytest.mark.parametrize("name", list(CONTEXTS))
def test_body_levels_pick_font_and_indent(tmp_path, name):
    doc = parts(render(tmp_path, name))["word/document.xml"]
    body = find_para(doc, "^按照县安委会")
    h1, h2 = find_para(doc, "^一、基本情况$"), find_para(doc, "^（一）总体进展$")
    for p, face in ((body, "仿宋_GB2312"), (h1, "黑体"), (h2, "楷体_GB2312")):
        assert font(p) == face and size(p) == "32" and ppr(p, "ind", "firstLine") == "640"
        assert ppr(p, "spacing", "line") == "560" and ppr(p, "spacing", "lineRule") == "exact"
    assert h1.find("w:pPr/w:keepNext", NS) is not None


@pytest.mark.parametrize("name", list(CONTEXTS))
def test_attachment_note_names_aligned(tmp_path, name):
    doc = parts(render(tmp_path, name))["word/document.xml"]
    first, second = find_para(doc, "^附件："), find_para(doc, "^2.报送模板$")
    assert text_of(first) == "附件：1.逾期任务清单"
    # "附件：" 2 字 in; each name after a tab at 2 + 3 + 1.5 字: a wrapped line continues under the
    # name's first character, not under "2." (hanging indents)
    assert (ppr(first, "ind", "left"), ppr(first, "ind", "hanging")) == ("2080", "1440")
    assert (ppr(second, "ind", "left"), ppr(second, "ind", "hanging")) == ("2080", "480")
    assert first.find(".//w:r/w:tab", NS) is not None and second.find(".//w:r/w:tab", NS) is not None
    note = find_para(doc, "^（联系人")
    assert text_of(note) == "（联系人：张三，电话：0415-1234567）" and ppr(note, "ind", "firstLine") == "640"


def _width(text: str) -> int:
    """twips of a 3号 run: CJK 320, digits 160, each 5 tighter (TB.CHAR_SPACING), and a
    quarter 字 at each change between CJK and digits (typeset.AUTOSPACE)."""
    changes = sum(1 for a, b in zip(text, text[1:]) if (ord(a) > 0x2E80) != (ord(b) > 0x2E80))
    return sum(320 if ord(c) > 0x2E80 else 160 for c in text) + TB.CHAR_SPACING * len(text) + changes * 80


def signature_and_date(doc, signer=ORGAN, date="2026年11月29日"):
    sig = [p for p in doc.iter(W + "p") if text_of(p) == signer][-1]
    return sig, find_para(doc, rf"^{date}$")


@pytest.mark.parametrize("name", LETTERS)
def test_sealed_layout_date_four_zi_in_signature_centred_over_it(tmp_path, name):
    # a short signature: centred over the date, whose right end is 4 字 in (GB/T 9704 §7.3.5.1)
    doc = parts(render(tmp_path, name, signer="岫岩县安委会办公室"))["word/document.xml"]
    sig, day = signature_and_date(doc, "岫岩县安委会办公室")
    assert ppr(sig, "jc", "val") == ppr(day, "jc", "val") == "right" and ppr(day, "ind", "right") == "1280"
    assert int(ppr(sig, "ind", "right")) == 1280 + (_width("2026年11月29日") - _width("岫岩县安委会办公室")) // 2
    assert ppr(sig, "spacing", "before") == str(2 * TB.LINE)  # the seal's place: 2 lines below the text
    # a signature too long to centre stops at the type area's right edge
    sig, day = signature_and_date(parts(render(tmp_path, name))["word/document.xml"])
    assert (ppr(sig, "ind", "right"), ppr(day, "ind", "right")) == ("0", "1280")


def test_unsealed_layout_by_configuration(tmp_path):
    # 通报 (not in [layout] sealed): signature 2 字 from the right, one line below the text; the
    # date starting 2 字 right of the signature's start, i.e. where the signature would end 2 字 on
    sig, day = signature_and_date(parts(render(tmp_path, "通报.docx"))["word/document.xml"])
    assert ppr(sig, "jc", "val") == "right" and ppr(sig, "ind", "right") == "640"
    assert ppr(sig, "spacing", "before") == str(TB.LINE)
    assert ppr(day, "jc", "val") == "left" and int(ppr(day, "ind", "left")) == TB.TEXT_WIDTH - _width(ORGAN)
    # a 督办函 configured unsealed takes the same layout
    (tmp_path / "x.docx").write_bytes(TB.TEMPLATES["督办函.docx"]())
    out = tmp_path / "unsealed.docx"
    out.write_bytes(Template(tmp_path / "x.docx", {}, {"sealed": False}).render(CONTEXTS["督办函.docx"]))
    sig, day = signature_and_date(parts(out)["word/document.xml"])
    assert ppr(sig, "ind", "right") == "640" and int(ppr(day, "ind", "left")) == TB.TEXT_WIDTH - _width(ORGAN)


def test_date_longer_than_signature_goes_flush_right(tmp_path):
    doc = parts(render(tmp_path, "通报.docx", signer="县安委办"))["word/document.xml"]
    day = find_para(doc, r"^2026年11月29日$")
    assert int(ppr(day, "ind", "left")) == TB.TEXT_WIDTH - _width("2026年11月29日")


def test_optional_parts_drop_cleanly(tmp_path):
    doc = parts(render(tmp_path, "督办函.docx", items=[], attachments=[], note="", cc=""))["word/document.xml"]
    text = text_of(doc)
    assert "附件" not in text and "抄送" not in text and "（" not in text.replace("（一）", "")
    assert doc.find(".//w:tbl", NS) is None
    single = parts(render(tmp_path, "约谈通知书.docx", attachments=["材料清单"]))["word/document.xml"]
    assert text_of(find_para(single, "^附件：")) == "附件：材料清单"


def test_duban_items_table_is_an_attachment_after_the_signature(tmp_path):
    doc = parts(render(tmp_path, "督办函.docx"))["word/document.xml"]
    blocks = list(doc.find("w:body", NS))
    texts = [text_of(b) for b in blocks]
    note, label, title = (texts.index(t) for t in ("（联系人：张三，电话：0415-1234567）", "附件1", "逾期任务清单"))
    table = next(i for i, b in enumerate(blocks) if b.tag == W + "tbl")
    cc = texts.index("抄送：县应急管理局。")
    # body … 附件说明 … signature, date, 附注 | new page: label, title, table | 抄送 last
    assert texts.index("附件：1.逾期任务清单") < note < label < title < table < cc
    assert texts.index("2026年11月29日") == note - 1
    label, title = blocks[label], blocks[title]
    assert label.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert font(label) == "黑体" and size(label) == "32" and ppr(label, "jc", "val") == "left"
    assert ppr(label, "ind", "firstLine") is None and ppr(label, "ind", "left") is None  # flush left
    assert font(title) == "方正小标宋简体" and size(title) == "44" and ppr(title, "jc", "val") == "center"
    assert ppr(title, "spacing", "before") == "560"  # "附件" on line 1, the title on line 3
    rows = blocks[table].findall("w:tr", NS)
    assert [text_of(c) for c in rows[0].findall("w:tc", NS)] == ["序号", "任务序号", "具体要求", "完成时间", "逾期天数", "最近报送情况"]
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None  # repeated on every page
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    assert [text_of(c) for c in rows[3].findall("w:tc", NS)] == ["3", "1-3", "每季度至少开展1次检查", "2026年6月底", "36", "未报送"]
    assert sum(int(g.get(W + "w")) for g in blocks[table].findall("w:tblGrid/w:gridCol", NS)) == TB.TEXT_WIDTH
    assert blocks[table + 1].tag == W + "p"  # Word wants a paragraph after a table


def test_duban_without_items_has_no_attachment_page(tmp_path):
    doc = parts(render(tmp_path, "督办函.docx", items=[], attachments=[]))["word/document.xml"]
    assert doc.find(".//w:pageBreakBefore", NS) is None and doc.find(".//w:tbl", NS) is None
    assert "附件" not in text_of(doc) and "逾期任务清单" not in text_of(doc)


@pytest.mark.parametrize("name", LETTERS)
def test_letter_copy_to_without_rules(tmp_path, name):
    doc = parts(render(tmp_path, name))["word/document.xml"]
    cc = find_para(doc, "^抄送：")
    assert text_of(cc) == "抄送：县应急管理局。" and size(cc) == "28"
    assert (ppr(cc, "ind", "left"), ppr(cc, "ind", "right")) == ("280", "280")
    assert cc.find("w:pPr/w:pBdr", NS) is None and "印发" not in text_of(doc)


# --- 文件格式: 通报 ----------------------------------------------------------
def test_bulletin_red_header_number_and_rule(tmp_path):
    doc = parts(render(tmp_path, "通报.docx"))["word/document.xml"]
    organ, number, title, recipients = paras(doc)[:4]
    assert text_of(organ) == ORGAN + "文件" and font(organ) == "方正小标宋简体"
    assert {c.get(W + "val") for c in organ.iter(W + "color")} == {"FF0000"}
    assert ppr(organ, "jc", "val") == "center" and ppr(organ, "spacing", "before") == str(TB.X.mm(35))  # 72 mm
    assert NUMBER.match(text_of(number)) and ppr(number, "jc", "val") == "center"
    assert font(number) == "仿宋_GB2312" and size(number) == "32" and ppr(number, "spacing", "before") == "1120"
    rule = number.find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(W + "color") == "FF0000" and rule.get(W + "val") == "single"
    assert number.find("w:pPr/w:ind", NS) is None  # the rule spans the 版心: 156 mm
    assert 2.5 <= int(rule.get(W + "space")) * 25.4 / 72 <= 4.0  # ≈ 4 mm below the text, with the line's descent
    assert font(title) == "方正小标宋简体" and size(title) == "44" and ppr(title, "spacing", "before") == "1120"
    assert text_of(recipients) == "各乡镇人民政府，县安委会各成员单位："


def test_bulletin_page_numbers_from_page_one(tmp_path):
    p = parts(render(tmp_path, "通报.docx"))
    sect = p["word/document.xml"].find("w:body/w:sectPr", NS)
    assert sect.find("w:titlePg", NS) is None and not refs(sect, "header")
    footers = refs(sect, "footer")
    assert set(footers) == {"default", "even"}
    assert p["word/settings.xml"].find("w:evenAndOddHeaders", NS) is not None
    _check_page_footers(p, footers)


def test_bulletin_attachment_on_a_new_page_with_merged_ties(tmp_path):
    doc = parts(render(tmp_path, "通报.docx"))["word/document.xml"]
    label = find_para(doc, "^附件1$")
    assert label.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert font(label) == "黑体" and size(label) == "32" and ppr(label, "jc", "val") == "left"
    title = find_para(doc, "^各单位任务完成情况排名$")
    assert size(title) == "44" and ppr(title, "jc", "val") == "center" and ppr(title, "spacing", "before") == "560"
    table = doc.findall("w:body/w:tbl", NS)[0]
    rows = table.findall("w:tr", NS)
    assert [text_of(c) for c in rows[0].findall("w:tc", NS)] == ["名次", "单位", "到期事项数", "已完成", "逾期", "完成率"]
    ranks = [(r.find("w:tc/w:tcPr/w:vMerge", NS).get(W + "val"), text_of(r.find("w:tc", NS))) for r in rows[1:]]
    assert ranks == [("restart", "1"), ("continue", ""), ("restart", "3")]
    group = find_para(doc, "^一、县直部门$")  # each group of units under its heading, 黑体
    assert font(group) == "黑体" and group.getnext() is table
    # 附件3: the criticised units' items, on a page of its own (no 附件2 bound here)
    details = find_para(doc, "^附件3$")
    assert details.find("w:pPr/w:pageBreakBefore", NS) is not None
    assert [text_of(c) for c in doc.findall("w:body/w:tbl", NS)[1].findall("w:tr", NS)[0].findall("w:tc", NS)] == [
        "序号", "单位", "任务序号", "具体要求", "完成时间", "逾期天数"]
    no_rank = parts(render(tmp_path, "通报.docx", ranking=[], details=[]))["word/document.xml"]
    assert "附件1" not in text_of(no_rank) and "附件3" not in text_of(no_rank)
    assert len(no_rank.findall("w:body/w:tbl", NS)) == 1


@pytest.mark.parametrize("cc", ["县应急管理局", ""])
def test_bulletin_imprint_rules(tmp_path, cc):
    doc = parts(render(tmp_path, "通报.docx", cc=cc))["word/document.xml"]
    table = doc.findall("w:body/w:tbl", NS)[-1]
    # not joined to the ranking table: a paragraph stands between them, 1 pt high, so the 版记
    # (floated to the foot of the page) fits under a page the text nearly fills instead of
    # taking a page of its own behind a blank line
    gap = table.getprevious()
    assert gap.tag == W + "p" and not text_of(gap)
    assert (ppr(gap, "spacing", "lineRule"), int(ppr(gap, "spacing", "line"))) == ("exact", 20)
    tbl_pr = table.find("w:tblPr", NS)
    assert tbl_pr.find("w:tblW", NS).get(W + "w") == str(TB.TEXT_WIDTH)  # rules the width of the 版心
    b = {side: tbl_pr.find(f"w:tblBorders/w:{side}", NS) for side in ("top", "bottom", "insideH", "left", "right")}
    assert (b["top"].get(W + "sz"), b["insideH"].get(W + "sz"), b["bottom"].get(W + "sz")) == ("8", "6", "8")
    assert {b[s].get(W + "color") for s in ("top", "insideH", "bottom")} == {"000000"}
    assert b["left"].get(W + "val") == b["right"].get(W + "val") == "nil"
    mar = tbl_pr.find("w:tblCellMar", NS)  # no cell margins: the rules span the 版心 in every reader
    assert mar.find("w:left", NS).get(W + "w") == mar.find("w:right", NS).get(W + "w") == "0"
    # floated to the bottom of the type area, placed from the page's left edge at the left margin
    # (a floating table centred in the margins stays in the flow in LibreOffice)
    pos = tbl_pr.find("w:tblpPr", NS)
    assert (pos.get(W + "vertAnchor"), pos.get(W + "tblpYSpec")) == ("margin", "bottom")
    assert (pos.get(W + "horzAnchor"), pos.get(W + "tblpX")) == ("page", str(TB.PORTRAIT["left"]))
    rows = [text_of(r) for r in table.findall("w:tr", NS)]
    printer = table.findall("w:tr", NS)[-1]
    assert rows == ([f"抄送：{cc}。"] if cc else []) + [ORGAN + "2026年11月29日印发"]
    assert printer.find(".//w:r/w:tab", NS) is not None
    tab = printer.find(".//w:pPr/w:tabs/w:tab", NS)  # the date ends 1 字 (of 4号) in from the right
    assert tab.get(W + "val") == "right" and tab.get(W + "pos") == str(TB.TEXT_WIDTH - 280)
    assert ppr(printer.find(".//w:p", NS), "ind", "left") == "280"  # the printer 1 字 in
    assert {sz.get(W + "val") for sz in table.iter(W + "sz")} == {"28"}  # 4号


# --- LibreOffice --------------------------------------------------------------
def _bbox_words(pdf: Path, page: int) -> list[tuple[float, float, str]]:
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, check=True).stdout.decode()
    return [(float(m.group(1)), float(m.group(2)), m.group(3))
            for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out)]


def _red_rows_mm(pdf: Path) -> list[float]:
    """Rows of page 1 (in mm from the top) holding a wide run of red pixels."""
    ppm = subprocess.run(["pdftoppm", "-r", "127", "-f", "1", "-l", "1", str(pdf)], capture_output=True, check=True).stdout
    head, rest = ppm.split(b"\n", 1)
    dims, rest = rest.split(b"\n", 1)
    _, data = rest.split(b"\n", 1)
    w, h = map(int, dims.split())
    rows = []
    for y in range(h):
        line = data[y * w * 3:(y + 1) * w * 3]
        red = sum(1 for x in range(0, w * 3, 3) if line[x] > 200 and line[x + 1] < 80 and line[x + 2] < 80)
        if red > w * 0.7:
            rows.append(y / 5)  # 127 dpi = 5 px per mm
    return rows


@needs_soffice
def test_rendered_pages(tmp_path):
    from notices.file.pdf import convert

    docs = [render(tmp_path, name) for name in CONTEXTS]
    pdfs = dict(zip(CONTEXTS, convert(docs, tmp_path / "pdf")))
    for name, pdf in pdfs.items():
        pages = pdf_pages(pdf)
        assert len(pages) >= 2, name
        if name in LETTERS:
            assert not re.search(r"—\s*1\s*—", pages[0]), f"{name}: page 1 has a page number"
            assert re.search(r"—\s*2\s*—", pages[1]), name
            assert ORGAN in re.sub(r"\s+", "", pages[0])
            # 发文字号 in the upper part of page 1 (≈ 48 mm from the top), flush right
            words = _bbox_words(pdf, 1)
            number = next((x, y) for x, y, t in words if t.startswith("岫安委办函"))
            assert 120 < number[1] < 160 and number[0] > 300, number  # pt
            # the double lines: 170 mm red rows near 42 mm and 276 mm
            rows = _red_rows_mm(pdf)
            assert any(41 <= r <= 44 for r in rows) and any(275 <= r <= 277.5 for r in rows), rows
        else:
            for no, page in enumerate(pages, 1):
                assert re.search(rf"—\s*{no}\s*—", page), f"{name}: page {no} has no page number"
            flat = [re.sub(r"\s+", "", p) for p in pages]
            assert "附件1" in flat[-2] and "各单位任务完成情况排名" in flat[-2]
            assert "附件3" in flat[-1] and "通报批评单位逾期事项清单" in flat[-1] and "印发" in flat[-1]
            words = _bbox_words(pdf, 1)
            organ = next(y for _, y, t in words if t.startswith("岫岩满族自治县"))
            assert 195 < organ < 215, organ  # 72 mm = 204 pt from the top (font box, not ink)

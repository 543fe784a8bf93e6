"""The 序时进度表 as a user checks it: page, fonts, merges, numbering, filters."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from conftest import needs_soffice, pdf_pages, render_pdf, run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1]}


def parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xml") or n.endswith(".rels")}


def make(project, *args) -> Path:
    result = run_cli(project, "table", *args)
    assert result.exit_code == 0, result.output
    path = Path(re.search(r"已生成：(.+\.docx)", result.output).group(1))
    assert path.exists()
    return path


def text_of(el) -> str:
    return "".join(el.itertext())


def data_rows(doc):
    rows = doc.findall(".//w:tbl/w:tr", NS)
    return rows[0], rows[1:]


def test_page_setup_landscape_a4_with_rotated_margins(mini_project):
    doc = parts(make(mini_project))["word/document.xml"]
    sect = doc.find(".//w:body/w:sectPr", NS)
    size = sect.find("w:pgSz", NS)
    assert (size.get(W + "w"), size.get(W + "h"), size.get(W + "orient")) == ("16838", "11906", "landscape")
    mar = sect.find("w:pgMar", NS)
    # 28/26 mm top/bottom, 37/35 mm left/right: the 156 × 225 mm type area on its side
    assert [mar.get(W + k) for k in ("top", "bottom", "left", "right")] == ["1587", "1474", "2098", "1984"]
    grid = [int(c.get(W + "w")) for c in doc.findall(".//w:tblGrid/w:gridCol", NS)]
    assert sum(grid) == 16838 - 2098 - 1984


def test_header_row_repeats_and_no_row_splits(mini_project):
    doc = parts(make(mini_project))["word/document.xml"]
    header, rows = data_rows(doc)
    assert header.find("w:trPr/w:tblHeader", NS) is not None
    assert [text_of(c) for c in header.findall("w:tc", NS)] == ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"]
    assert rows and all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows)
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows)


def _merge_column(rows, col):
    out = []
    for r in rows:
        tc = r.findall("w:tc", NS)[col]
        vm = tc.find("w:tcPr/w:vMerge", NS)
        out.append((vm.get(W + "val") if vm is not None else None, text_of(tc)))
    return out


def test_category_and_task_cells_merge_vertically(mini_project):
    _, rows = data_rows(parts(make(mini_project))["word/document.xml"])
    # mini: cat 1 = lead + 1-1, 1-2, 2-1; cat 2 = lead + 3-1, 3-2
    cat = _merge_column(rows, 0)
    assert [v for v, _ in cat] == ["restart", "continue", "continue", "continue", "restart", "continue", "continue"]
    assert cat[0][1] == "（一）开展培训行动" and cat[4][1] == "（二）开展整治行动"
    assert all(t == "" for v, t in cat if v == "continue")
    task = _merge_column(rows, 1)
    assert [v for v, _ in task] == ["restart", "restart", "continue", "restart", "restart", "restart", "continue"]
    assert task[1][1].startswith("1. 组织主要负责人培训") and task[3][1] == "2. 每季度开展一次检查。"
    units = _merge_column(rows, 4)
    assert units[1] == ("restart", "县应急管理局、县消防救援大队") and units[2] == ("continue", "")
    assert [text_of(r.findall("w:tc", NS)[2]) for r in rows[1:4]] == ["重点开展甲类培训", "重点开展乙类培训", "每季度至少开展1次检查"]
    assert [text_of(r.findall("w:tc", NS)[3]) for r in rows[5:]] == ["2024年底", "各年度序时推动"]


def test_fonts_named_with_east_asia_and_no_theme_fonts(mini_project):
    p = parts(make(mini_project, "--as-attachment", "2"))
    for name in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
        raw = etree.tostring(p[name]).decode()
        assert "Theme=" not in raw, name
        for rf in p[name].iter(W + "rFonts"):
            assert rf.get(W + "eastAsia"), (name, etree.tostring(rf))
    doc = p["word/document.xml"]
    paras = doc.findall("w:body/w:p", NS)
    label, title = paras[0], paras[1]
    assert text_of(label) == "附件2"
    assert label.find(".//w:rFonts", NS).get(W + "eastAsia") == "黑体"
    assert label.find(".//w:sz", NS).get(W + "val") == "32"  # 3号
    assert text_of(title) == "某县安全生产测试方案序时进度表"
    assert title.find(".//w:rFonts", NS).get(W + "eastAsia") == "方正小标宋简体"
    assert title.find(".//w:sz", NS).get(W + "val") == "44"  # 2号
    header, rows = data_rows(doc)
    assert {rf.get(W + "eastAsia") for rf in header.iter(W + "rFonts")} == {"黑体"}
    assert {rf.get(W + "eastAsia") for r in rows for rf in r.iter(W + "rFonts")} == {"仿宋_GB2312"}
    assert {sz.get(W + "val") for r in rows for sz in r.iter(W + "sz")} == {"21"}  # 五号


def test_configured_font_names_replace_the_defaults(mini_project):
    (mini_project.root / "notices.toml").write_text('[fonts]\nbody = "仿宋"\ntitle = "方正小标宋_GBK"\n', encoding="utf-8")
    p = parts(make(mini_project))
    names = {rf.get(W + "eastAsia") for part in p.values() for rf in part.iter(W + "rFonts")}
    assert "仿宋" in names and "方正小标宋_GBK" in names
    assert "仿宋_GB2312" not in names and "方正小标宋简体" not in names


def test_page_numbers_odd_right_even_left(mini_project):
    p = parts(make(mini_project))
    assert p["word/settings.xml"].find("w:evenAndOddHeaders", NS) is not None
    sect = p["word/document.xml"].find(".//w:body/w:sectPr", NS)
    refs = {r.get(W + "type"): r.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for r in sect.findall("w:footerReference", NS)}
    rels = {r.get("Id"): r.get("Target") for r in p["word/_rels/document.xml.rels"]}
    for kind, align, side in (("default", "right", "right"), ("even", "left", "left")):
        footer = p["word/" + rels[refs[kind]]]
        para = footer.find("w:p", NS)
        assert para.find("w:pPr/w:jc", NS).get(W + "val") == align
        assert para.find("w:pPr/w:ind", NS).get(W + side) == "280"  # one 4号 字 in
        assert "PAGE" in "".join(t.text for t in footer.iter(W + "instrText"))
        texts = [t.text for t in footer.iter(W + "t")]
        assert texts[0] == "— " and texts[-1] == " —"
        assert {rf.get(W + "eastAsia") for rf in footer.iter(W + "rFonts")} == {"宋体"}
        assert {sz.get(W + "val") for sz in footer.iter(W + "sz")} == {"28"}  # 4号


def test_unit_filter_accepts_variants_and_keeps_only_its_tasks(mini_project):
    doc = parts(make(mini_project, "--unit", "应急局"))["word/document.xml"]
    text = text_of(doc)
    assert "（县应急管理局）" in text
    assert "重点开展甲类培训" in text and "每季度至少开展1次检查" in text
    assert "建立工作机制" not in text and "（二）开展整治行动" not in text


def test_unknown_unit_is_a_clear_error(mini_project):
    result = run_cli(mini_project, "table", "--unit", "县不存在局")
    assert result.exit_code == 1
    assert "单位名称“县不存在局”不在单位名录中" in result.output


def test_never_overwrites(mini_project, tmp_path):
    first = make(mini_project)
    second = make(mini_project)
    assert first != second and second.name == "序时进度表-2.docx"
    target = tmp_path / "mine.docx"
    target.write_bytes(b"keep")
    result = run_cli(mini_project, "table", "-o", str(target))
    assert result.exit_code == 1 and "文件已存在，未覆盖" in result.output
    assert target.read_bytes() == b"keep"
    assert run_cli(mini_project, "table", "-o", str(target), "--force").exit_code == 0
    assert zipfile.is_zipfile(target)


def test_output_is_reproducible(mini_project, tmp_path):
    a = make(mini_project, "-o", str(tmp_path / "a.docx"))
    b = make(mini_project, "-o", str(tmp_path / "b.docx"))
    assert a.read_bytes() == b.read_bytes()


@needs_soffice
def test_rendered_pages_carry_header_and_page_number(tmp_path):
    from notices.project import Project

    project = Project(tmp_path)  # the shipped registry: several pages
    pdf = render_pdf(make(project), tmp_path / "pdf")
    pages = pdf_pages(pdf)
    assert len(pages) >= 3
    for no, page in enumerate(pages, 1):
        assert "任务名称" in page and "具体要求" in page, f"第{no}页没有表头"
        assert re.search(rf"—\s*{no}\s*—", page), f"第{no}页没有页码"
    # No row split across pages: each requirement starts and ends on one page.
    registry, _ = project.load()
    flat = [re.sub(r"\s+", "", p) for p in pdf_pages(pdf, raw=True)]
    for ms in registry.milestones:
        req = re.sub(r"\s+", "", ms.requirement)
        head, tail = req[:10], req[-10:]
        assert any(head in p and tail in p for p in flat), f"{ms.id} 跨页或缺失"


def test_shipped_unit_table_has_exactly_its_tasks(shipped_project):
    registry, _ = shipped_project.load()
    doc = parts(make(shipped_project, "--unit", "县应急管理局"))["word/document.xml"]
    _, rows = data_rows(doc)
    tasks = {int(m.group(1)) for r in rows if (m := re.match(r"(\d+)\. ", text_of(r.findall("w:tc", NS)[1])))}
    expected = {t.no for t in registry.tasks if "县应急管理局" in t.unit_names}
    assert tasks == expected and 1 in tasks and 44 in tasks
    requirements = [text_of(r.findall("w:tc", NS)[2]) for r in rows]
    for task in registry.tasks:
        for ms in task.milestones:
            assert (ms.requirement in requirements) == (task.no in expected), ms.id


def test_progress_column(mini_project, tmp_path):
    from notices.jobs.table import TableRequest, make_table

    progress = {"1-1": ("逾期", "已完成1个单位，逾期1个单位"), "2-1": ("已完成", "已于2024-03-20完成")}
    import datetime as dt

    out = make_table(mini_project, TableRequest(progress=progress, as_of=dt.date(2026, 11, 29),
                                                output=tmp_path / "p.docx"))[0]
    doc = parts(out)["word/document.xml"]
    header, rows = data_rows(doc)
    assert [text_of(c) for c in header.findall("w:tc", NS)][-1] == "进展情况"
    assert all(len(r.findall("w:tc", NS)) == 7 for r in rows)
    by_id = {text_of(r.findall("w:tc", NS)[2]): text_of(r.findall("w:tc", NS)[6]) for r in rows}
    assert by_id["重点开展甲类培训"] == "【逾期】已完成1个单位，逾期1个单位"
    assert by_id["每季度至少开展1次检查"] == "【已完成】已于2024-03-20完成"
    assert by_id["重点开展乙类培训"] == ""
    assert "（截至2026年11月29日）" in text_of(doc)

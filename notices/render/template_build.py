"""Build the shipped .docx templates from code, reproducibly (same bytes every run).

Staff may open and edit the results in Word or WPS; `notices` validates an
edited template before use. Fonts are written with their canonical names
(config.FONT_ROLES) and swapped for the office's configured names at render time.
"""

from __future__ import annotations

from pathlib import Path

from ..config import FONT_ROLES
from . import ooxml as X

TITLE, BODY, HEI, KAI, SONG = (FONT_ROLES[k] for k in ("title", "body", "heading", "kai", "song"))

# A4 landscape for the table: the portrait margins turned with the page, so the
# type area is the standard 156 × 225 mm lying on its side.
A4_W, A4_H = 11906, 16838
LAND = dict(width=A4_H, height=A4_W, top=X.mm(28), bottom=X.mm(26), left=X.mm(37), right=X.mm(35))
LAND_TEXT_WIDTH = A4_H - LAND["left"] - LAND["right"]  # 12756 twips = 225 mm
CHAR = 280  # one 字 of 4号, the page-number indent

TABLE_SIZE = X.SIZE["五号"]
TABLE_LINE = 300  # exact 15 pt: compact rows for 10.5 pt text


def _table_styles() -> list[tuple[str, str, str, str]]:
    cell_p = X.ppr(line=TABLE_LINE, align="both")
    return [
        ("Title", "公文标题", X.ppr(align="center", line=700, before=0, after=240), X.rpr(TITLE, X.SIZE["二号"])),
        ("AttachmentLabel", "附件标识", X.ppr(align="left", line=560), X.rpr(HEI, X.SIZE["三号"])),
        ("Subtitle", "副标题", X.ppr(align="center", line=560, after=120), X.rpr(KAI, X.SIZE["三号"])),
        ("TableHead", "表头", X.ppr(align="center", line=TABLE_LINE), X.rpr(HEI, TABLE_SIZE)),
        ("TableText", "表格正文", cell_p, X.rpr(BODY, TABLE_SIZE)),
        ("TableCenter", "表格居中", X.ppr(align="center", line=TABLE_LINE), X.rpr(BODY, TABLE_SIZE)),
        # Narrow columns of names: justified CJK would spread a short line apart.
        ("TableLeft", "表格左对齐", X.ppr(align="left", line=TABLE_LINE), X.rpr(BODY, TABLE_SIZE)),
    ]


def _p(style: str, text: str, font: str, size: float) -> str:
    return X.para(X.run(text, X.rpr(font, size)), f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>')


def _tag(text: str) -> str:
    """A paragraph holding only a docxtpl paragraph/row tag."""
    return X.para(X.run(text), "")


def _cells(widths: list[int], items: list[tuple[str, str]], header: bool = False) -> str:
    out = ""
    for width, (style, text) in zip(widths, items):
        font = HEI if header else BODY
        out += X.cell(width, _p(style, text, font, TABLE_SIZE))
    return out


def _tag_row(widths: list[int], tag: str) -> str:
    cells = X.cell(widths[0], _tag(tag)) + "".join(X.cell(w, X.para()) for w in widths[1:])
    return X.row(cells, cant_split=False)


def progress_table(with_progress: bool) -> bytes:
    """序时进度表: 附件 label, title, optional subtitle, the table with merges."""
    if with_progress:
        widths = [1200, 3300, 2800, 1000, 1500, 756, 2200]
        heads = ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注", "进展情况"]
    else:
        widths = [1500, 4300, 3356, 1100, 1600, 900]
        heads = ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"]
    assert sum(widths) == LAND_TEXT_WIDTH
    data = [
        ("TableCenter", "{% vmerge row.cat_merge %}{{ row.category }}"),
        ("TableText", "{% vmerge row.task_merge %}{{ row.task }}"),
        ("TableText", "{{ row.requirement }}"),
        ("TableCenter", "{{ row.deadline }}"),
        ("TableLeft", "{% vmerge row.task_merge %}{{ row.units }}"),
        ("TableLeft", "{% vmerge row.task_merge %}{{ row.remark }}"),
    ]
    if with_progress:
        data.append(("TableText", "{% if row.status %}【{{ row.status }}】{% endif %}{{ row.progress }}"))
    table = (
        "<w:tbl>" + X.table_props(LAND_TEXT_WIDTH) + X.grid(widths)
        + X.row(_cells(widths, [("TableHead", h) for h in heads], header=True), header=True, height=560)
        + _tag_row(widths, "{%tr for row in rows %}")
        + X.row(_cells(widths, data))
        + _tag_row(widths, "{%tr endfor %}")
        + "</w:tbl>"
    )
    body = (
        _tag("{%p if attachment_label %}") + _p("AttachmentLabel", "{{ attachment_label }}", HEI, X.SIZE["三号"])
        + _tag("{%p endif %}")
        + _p("Title", "{{ title }}", TITLE, X.SIZE["二号"])
        + _tag("{%p if subtitle %}") + _p("Subtitle", "{{ subtitle }}", KAI, X.SIZE["三号"]) + _tag("{%p endif %}")
        + table
        # Word needs a paragraph after a table; keep it tiny so it adds no page.
        + X.para("", '<w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                 '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr>')
    )
    footers = {"rIdFooterOdd": "footer1.xml", "rIdFooterEven": "footer2.xml"}
    # Page number 一字线 7 mm below the type area; footer distance to its baseline.
    sect = X.sect_pr(**LAND, footer=LAND["bottom"] - X.mm(7) - X.mm(5),
                     footers={"default": "rIdFooterOdd", "even": "rIdFooterEven"}, landscape=True, line_pitch=312)
    parts = {
        "[Content_Types].xml": X.content_types(list(footers.values())),
        "_rels/.rels": X.package_rels(),
        "docProps/core.xml": X.core_xml("序时进度表"),
        "docProps/app.xml": X.app_xml(),
        "word/document.xml": X.document_xml(body, sect),
        "word/styles.xml": X.styles_xml(BODY, TABLE_SIZE, _table_styles()),
        "word/settings.xml": X.settings_xml(even_odd=True),
        "word/fontTable.xml": X.font_table_xml([TITLE, BODY, HEI, KAI, SONG]),
        "word/footer1.xml": X.page_number_footer("right", SONG, CHAR),
        "word/footer2.xml": X.page_number_footer("left", SONG, CHAR),
        "word/_rels/document.xml.rels": X.document_rels(footers),
    }
    return X.zip_bytes(parts)


TEMPLATES = {
    "序时进度表.docx": lambda: progress_table(with_progress=False),
    "序时进度表-进展.docx": lambda: progress_table(with_progress=True),
}


def build_all(dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in TEMPLATES.items():
        path = dest / name
        path.write_bytes(build())
        written.append(path)
    return written

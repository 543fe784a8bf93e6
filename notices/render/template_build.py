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
# Page number (GB/T 9704 §7.5): its 一字线 7 mm below the type area. The footer
# distance runs from the page bottom to the bottom of the "— N —" line, and the
# dashes sit mid-line, about 3 mm above that bottom in a 4号 line (3.2 mm measured
# in LibreOffice with the substitute 宋体; not measured in Word).
PAGE_NO_BELOW = 7.0
PAGE_NO_DASH_ABOVE = 3.0


def footer_distance(bottom_margin: int) -> int:
    """Word's footer distance (twips) that puts the 一字线 7 mm below the type area."""
    return bottom_margin - X.mm(PAGE_NO_BELOW) - X.mm(PAGE_NO_DASH_ABOVE)


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


def _cells(widths: list[int], items: list[tuple[str, str]], header: bool = False, keep_next: bool = False) -> str:
    out = ""
    for width, (style, text) in zip(widths, items):
        font = HEI if header else BODY
        p = _p(style, text, font, TABLE_SIZE)
        if keep_next:  # Word, WPS and LibreOffice keep a row whose paragraphs keep with next with the next row
            p = p.replace(f'<w:pStyle w:val="{style}"/>', f'<w:pStyle w:val="{style}"/><w:keepNext/>', 1)
        out += X.cell(width, p)
    return out


def _tag_row(widths: list[int], tag: str) -> str:
    cells = X.cell(widths[0], _tag(tag)) + "".join(X.cell(w, X.para()) for w in widths[1:])
    return X.row(cells, cant_split=False)


TABLE_TITLE_PER_LINE = LAND_TEXT_WIDTH // (22 * 20)  # 2号 字 in a 225 mm line: 28
# 序时进度表 columns (twips). Each head fits its column on one line in 五号 黑体
# (4 字 = 42 pt + the 8.5 pt cell margins = 1010 twips); 备注 holds 5 字 a line. With
# the progress column the widths were tried on the sample round's county table in
# LibreOffice: these give the fewest pages (31; 33 before, with heads that wrapped) with
# 进展情况 wide enough that its longest summary (21 units named) fits one page.
TABLE_WIDTHS = [1500, 4300, 3356, 1100, 1600, 900]
PROGRESS_WIDTHS = [1050, 2700, 2150, 1050, 1250, 1250, 3306]
TABLE_HEADS = ["任务名称", "任务内容", "具体要求", "完成时间", "责任单位", "备注"]


def _progress_table(with_progress: bool, rows: str) -> str:
    """The 序时进度表 itself (header row repeated on every page, category and task
    cells merged down), its rows from the Jinja list ``rows``."""
    widths = PROGRESS_WIDTHS if with_progress else TABLE_WIDTHS
    heads = TABLE_HEADS + (["进展情况"] if with_progress else [])
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
        # Left-aligned: justified CJK spreads a short last line's characters apart.
        data.append(("TableLeft", "{% if row.status %}【{{ row.status }}】{% endif %}{{ row.progress }}"))
    return ("<w:tbl>" + X.table_props(LAND_TEXT_WIDTH) + X.grid(widths)
            + X.row(_cells(widths, [("TableHead", h) for h in heads], header=True), header=True, height=560)
            + _tag_row(widths, f"{{%tr for row in {rows} %}}")
            # A category's lead row stays with its first task, a task's rows stay together, so
            # that a merged task cell crosses a page only when the task is longer than a page.
            + _tag_row(widths, "{%tr if row.keep_next %}") + X.row(_cells(widths, data, keep_next=True))
            + _tag_row(widths, "{%tr else %}") + X.row(_cells(widths, data))
            + _tag_row(widths, "{%tr endif %}")
            + _tag_row(widths, "{%tr endfor %}")
            + "</w:tbl>")


def _table_heading(label: str, title: str, subtitle: str) -> str:
    """"附件N" 3号黑体 flush left on line 1 and the title on line 3 (GB/T 9704
    §8), or the title alone on line 1; the optional subtitle under it."""
    title_run = f"{{{{ {title}|title_lines({TABLE_TITLE_PER_LINE}) }}}}"
    return (_tag(f"{{%p if {label} %}}") + _p("AttachmentLabel", f"{{{{ {label} }}}}", HEI, X.SIZE["三号"])
            + X.para(X.run(title_run, X.rpr(TITLE, X.SIZE["二号"])),
                     '<w:pPr><w:pStyle w:val="Title"/><w:spacing w:before="560" w:after="240"/></w:pPr>')
            + _tag("{%p else %}") + _p("Title", title_run, TITLE, X.SIZE["二号"]) + _tag("{%p endif %}")
            + _tag(f"{{%p if {subtitle} %}}") + _p("Subtitle", f"{{{{ {subtitle} }}}}", KAI, X.SIZE["三号"])
            + _tag("{%p endif %}"))


TINY_PARA = X.para("", '<w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                       '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr>')


def progress_table(with_progress: bool) -> bytes:
    """序时进度表: 附件 label, title, optional subtitle, the table with merges."""
    body = (_table_heading("attachment_label", "title", "subtitle")
            + _progress_table(with_progress, "rows")
            # Word needs a paragraph after a table; keep it tiny so it adds no page.
            + TINY_PARA)
    footers = {"rIdFooterOdd": "footer1.xml", "rIdFooterEven": "footer2.xml"}
    sect = X.sect_pr(**LAND, footer=footer_distance(LAND["bottom"]),
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
        "word/theme/theme1.xml": X.theme_xml(),
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


# ===========================================================================
# The notice templates: 督办函 and 约谈通知书 (信函格式), 通报 (文件格式).
# Portrait A4 with the GB/T 9704 margins; every position below is in mm from
# the page edge unless it says otherwise. See docs in each builder.
# ===========================================================================
PORTRAIT = dict(width=A4_W, height=A4_H, top=X.mm(37), bottom=X.mm(35), left=X.mm(28), right=X.mm(26))
TEXT_WIDTH = A4_W - PORTRAIT["left"] - PORTRAIT["right"]  # 8845 twips ≈ 156 mm 版心
ZI = 320  # one 字 of 3号
LINE = 560  # exact 28 pt, the usual Word setting for 22 lines a page
RED = "FF0000"
BLACK = "000000"
S2, S3, S4 = X.SIZE["二号"], X.SIZE["三号"], X.SIZE["四号"]

# 信函格式 (GB/T 9704 §10.1): 标志 top edge 30 mm from the page top; the red
# double lines 170 mm long, 21 mm from the page's left edge (7 mm beyond the
# 28 mm 订口), thick over thin 4 mm below the 标志 and thin over thick with its
# lower edge 20 mm above the page bottom. Weights are office practice.
LETTER_ORGAN_TOP = 30.0
ORGAN_SIZE = S2  # 22 pt 小标宋, one line for names up to 20 字
ORGAN_LINE_MM = ORGAN_SIZE * 25.4 / 72  # exact line height = font size
LETTER_LINE_X = 21.0
LETTER_LINE_LEN = 170.0
THICK_EMU = round(2.25 * X.EMU_PER_PT)
THIN_EMU = round(0.75 * X.EMU_PER_PT)
GAP_EMU = round(1.0 * X.EMU_PER_PT)  # clear space between the two strokes
LETTER_TOP_PAIR = LETTER_ORGAN_TOP + ORGAN_LINE_MM + 4.0  # top edge of the thick line
LETTER_BOTTOM_PAIR = 297.0 - 20.0  # lower edge of the thick line
# 发文字号 top 7/8 of a 3号 height below the pair; the body starts at 37 mm, and
# in an exact 28 pt line the 16 pt text sits about 3.5 mm below the line top
# (measured in LibreOffice; Word puts it within ~1 mm of that).
_PAIR_BOTTOM_MM = LETTER_TOP_PAIR + (THICK_EMU + GAP_EMU + THIN_EMU) / X.EMU_PER_MM
LETTER_NUMBER_BEFORE = X.mm(_PAIR_BOTTOM_MM + 16 * 7 / 8 * 25.4 / 72 - 37.0 - 3.5)

# 文件格式: 红头 top edge 35 mm below the 版心 top (72 mm from the page top).
FILE_ORGAN_BEFORE = X.mm(35)
SEPARATOR_SZ = 12  # 1.5 pt red rule under the 发文字号
SEPARATOR_SPACE = 8  # pt below the 发文字号 line box: the rule ≈ 4 mm below the text


# 28 字 a line (GB/T 9704 §5.2.2): 28 × 16 pt is 448 pt, more than the 442 pt of the
# 156 mm 版心, so every 3号 character is set 0.25 pt tighter (15.75 pt a 字, 441 pt a
# line) in the runs and in the styles: the same 28 字 in Word, WPS and LibreOffice
# (LibreOffice does not compress characters to a document grid the way Word does).
CHAR_SPACING = -5  # twentieths of a point after each 3号 character
TITLE_PER_LINE = TEXT_WIDTH // (22 * 20)  # 2号 字 in a 156 mm line: 20


def _rp(font: str = BODY, size: float = S3, color: str | None = None, bold: bool = False) -> str:
    return X.rpr(font, size, bold=bold, color=color, spacing=CHAR_SPACING if size == S3 else 0)


def _r(text: str, font: str = BODY, size: float = S3, color: str | None = None, bold: bool = False) -> str:
    return X.run(text, _rp(font, size, color, bold))


def _np(style: str, content: str, **kw) -> str:
    """A notice paragraph: named style plus the same formatting applied directly,
    so the page is right even where a reader ignores the style."""
    kw.setdefault("line", LINE)
    return X.para(content, X.ppr_full(style=style, **kw))


def _notice_styles() -> list[tuple[str, str, str, str]]:
    return [
        ("OrganMark", "发文机关标志", X.ppr(align="center", line=X.mm(ORGAN_LINE_MM)), X.rpr(TITLE, ORGAN_SIZE, color=RED)),
        ("DocNumber", "发文字号", X.ppr(line=LINE), _rp()),
        ("Title", "公文标题", X.ppr(align="center", line=700), X.rpr(TITLE, S2)),
        ("Recipient", "主送机关", X.ppr(align="left", line=LINE), _rp()),
        ("BodyText", "正文", X.ppr(first_line=2 * ZI, line=LINE, align="both"), _rp()),
        ("Heading1CN", "一级标题", X.ppr(first_line=2 * ZI, line=LINE, align="both", keep_next=True), _rp(HEI)),
        ("Heading2CN", "二级标题", X.ppr(first_line=2 * ZI, line=LINE, align="both"), _rp(KAI)),
        ("AttachmentNote", "附件说明", X.ppr(left=2 * ZI + 3 * ZI, line=LINE), _rp()),
        ("Signature", "署名", X.ppr(align="right", right=2 * ZI, line=LINE), _rp()),
        ("DocDate", "成文日期", X.ppr(align="right", line=LINE), _rp()),
        ("Annotation", "附注", X.ppr(first_line=2 * ZI, line=LINE), _rp()),
        ("CopyTo", "抄送", X.ppr(left=CHAR, right=CHAR, line=LINE), X.rpr(BODY, S4)),
        ("AttachmentLabel", "附件标识", X.ppr(align="left", line=LINE), _rp(HEI)),
        ("Subtitle", "副标题", X.ppr(align="center", line=LINE, after=120), _rp(KAI)),
        ("TableHead", "表头", X.ppr(align="center", line=TABLE_LINE), X.rpr(HEI, TABLE_SIZE)),
        ("TableText", "表格正文", X.ppr(line=TABLE_LINE, align="both"), X.rpr(BODY, TABLE_SIZE)),
        ("TableCenter", "表格居中", X.ppr(align="center", line=TABLE_LINE), X.rpr(BODY, TABLE_SIZE)),
        ("TableLeft", "表格左对齐", X.ppr(align="left", line=TABLE_LINE), X.rpr(BODY, TABLE_SIZE)),
    ]


def _body_paragraphs() -> str:
    """`body` is a list of {text, level}: 0 正文, 1 "一、" 黑体, 2 "（一）" 楷体.
    The level picks the paragraph, so each kind keeps its own style. A 正文
    paragraph that opens with a heading carries it in that heading's font, up to
    its first 。 (GB/T 9704 §7.3.3): "（一）…。" 楷体, "1. …。" 仿宋, bold where the
    office's [layout] bold_level3 says so. Quotes inside quotes become ‘’."""
    bold3 = "options.bold_level3|default(false)"

    def run_if(cond: str, value: str, **kw) -> str:  # a run only when cond holds ({%r %} drops the others)
        return X.run(f"{{%r if {cond} %}}") + _r(value, **kw) + X.run("{%r endif %}")

    opening = (run_if("para.text|heading_lead(2)", "{{ para.text|heading_lead(2) }}", font=KAI)
               + run_if(f"{bold3} and para.text|heading_lead(3)", "{{ para.text|heading_lead(3) }}", bold=True)
               + run_if(f"not {bold3} and para.text|heading_lead(3)", "{{ para.text|heading_lead(3) }}")
               + run_if("para.text|heading_rest", "{{ para.text|heading_rest }}"))
    return (
        _tag("{%p for para in body %}")
        + _tag("{%p if para.level == 1 %}")
        + _np("Heading1CN", _r("{{ para.text|quotes }}", HEI), first_line=2 * ZI, align="both", keep_next=True)
        + _tag("{%p elif para.level == 2 %}")
        + _np("Heading2CN", _r("{{ para.text|quotes }}", KAI), first_line=2 * ZI, align="both")
        + _tag("{%p elif loop.last %}")
        # the last paragraph keeps with the 附件说明 and the signature: a signature is never
        # alone at the top of a page (GB/T 9704 §7.3.5.4)
        + _np("BodyText", opening, first_line=2 * ZI, align="both", keep_next=True)
        + _tag("{%p else %}")
        + _np("BodyText", opening, first_line=2 * ZI, align="both")
        + _tag("{%p endif %}")
        + _tag("{%p endfor %}")
    )


NUMBER_ZI = 1.5  # room for "1." before an attachment's name (a tab stops after it)
TAB_RUN = "<w:r><w:tab/></w:r>"


def _attachment_note() -> str:
    """附件说明 one line below the body, indent 2 字: "附件：" + the name; several:
    "附件：1. …", "2. …" under "1.", every name starting at the same place, and a
    name that wraps continues under its own first character (hanging indents,
    a tab after the number)."""
    num = round(NUMBER_ZI * ZI)
    return (
        _tag("{%p if attachments %}")
        + _tag("{%p for a in attachments %}")
        + _tag("{%p if attachments|length == 1 %}")
        + _np("AttachmentNote", _r("附件：{{ a|quotes }}"), left=5 * ZI, hanging=3 * ZI, before=LINE, keep_next=True)
        + _tag("{%p elif loop.first %}")
        + _np("AttachmentNote", _r("附件：{{ loop.index }}.") + TAB_RUN + _r("{{ a|quotes }}"),
              left=5 * ZI + num, hanging=3 * ZI + num, before=LINE, keep_next=True)
        + _tag("{%p else %}")
        + _np("AttachmentNote", _r("{{ loop.index }}.") + TAB_RUN + _r("{{ a|quotes }}"), left=5 * ZI + num, hanging=num,
              keep_next=True)
        + _tag("{%p endif %}")
        + _tag("{%p endfor %}")
        + _tag("{%p endif %}")
    )


def _width(name: str) -> str:
    """Jinja: the printed width of a field in twips, as set in a 3号 run (CJK 1 字,
    digits ½, each character CHAR_SPACING tighter, the CJK-digit spacing:
    typeset.twips)."""
    return f"({name}|twips({ZI}, {CHAR_SPACING}))"


SEAL_GAP = 2 * LINE  # sealed: the signature 2 lines below the text (see _signature)


def _signature(sealed_default: bool) -> str:
    """署名 and 成文日期, in one of two layouts ([layout] sealed lists the kinds
    that take a seal; a template's own default when it is not configured):

    sealed (GB/T 9704 §7.3.5.1): the date 右空四字, the signature centred over it
    (if a long name would run past the type area it stops at the right edge).
    Two blank lines above the signature leave the seal's place: a 42 mm seal
    centred a little above the pair (署名和成文日期居印章中心偏下) then has its
    top about 0.6 line below the text, within the one line the standard allows.

    unsealed (§7.3.5.3): the signature 2 字 from the right, one line below the
    text; the date on the next line starting 2 字 right of the signature's start:
    left-aligned there, so that its own width (digits, CJK-digit spacing) does not
    matter; flush right if it would not fit.

    The indents that depend on the texts are worked out at render time
    ({% indent %}, see ooxml.patch_indent)."""
    sealed = f"options.sealed|default({str(sealed_default).lower()})"
    sig_right = f"[0, {4 * ZI} + ({_width('date_cn')} - {_width('signer')}) // 2]|max"
    date_left = f"[0, [{TEXT_WIDTH} - {_width('signer')}, {TEXT_WIDTH} - {_width('date_cn')}]|min]|max"
    return (
        _tag(f"{{%p if {sealed} %}}")
        + _np("Signature", _r(f"{{% indent right={sig_right} %}}{{{{ signer }}}}"), align="right", right=4 * ZI,
              before=SEAL_GAP, keep_next=True)
        + _np("DocDate", _r("{{ date_cn }}"), align="right", right=4 * ZI)
        + _tag("{%p else %}")
        + _np("Signature", _r("{{ signer }}"), align="right", right=2 * ZI, before=LINE, keep_next=True)
        + _np("DocDate", _r(f"{{% indent left={date_left} %}}{{{{ date_cn }}}}"), align="left", left=0)
        + _tag("{%p endif %}")
        + _tag("{%p if note %}")
        + _np("Annotation", _r("（{{ note|quotes }}）"), first_line=2 * ZI)
        + _tag("{%p endif %}")
    )


def _table(widths: list[int], heads: list[str], data: list[tuple[str, str]], loop: str) -> str:
    assert sum(widths) == TEXT_WIDTH, sum(widths)
    return (
        "<w:tbl>" + X.table_props(TEXT_WIDTH) + X.grid(widths)
        + X.row(_cells(widths, [("TableHead", h) for h in heads], header=True), header=True, height=500)
        + _tag_row(widths, f"{{%tr for {loop} %}}")
        + X.row(_cells(widths, data))
        + _tag_row(widths, "{%tr endfor %}")
        + "</w:tbl>"
    )


def _items_table() -> str:
    """督办函: the flagged items as an attachment (GB/T 9704 §7.3.7: after the
    signature, date and 附注, on a new page): "附件" 3号黑体 flush left on line 1,
    the title 2号小标宋 centred on line 3, then the table, its header row
    repeated on every page. Absent when ``items`` is empty (a short list stays
    inline in the body)."""
    widths = [600, 1050, 2945, 1400, 1050, 1800]  # 4-字 heads on one line: 4 × 210 + 170 margins
    heads = ["序号", "任务序号", "具体要求", "完成时间", "逾期天数", "最近报送情况"]
    data = [("TableCenter", "{{ it.no }}"), ("TableCenter", "{{ it.task }}"), ("TableText", "{{ it.requirement }}"),
            ("TableCenter", "{{ it.deadline }}"), ("TableCenter", "{{ it.overdue_days }}"), ("TableLeft", "{{ it.latest }}")]
    return (_tag("{%p if items %}")
            + _np("AttachmentLabel", _r("{{ items_label }}", HEI), align="left", page_break_before=True)
            + _np("Title", _r(f"{{{{ items_title|title_lines({TITLE_PER_LINE}) }}}}", TITLE, S2), align="center",
                  line=700, before=LINE, after=LINE // 2)
            + _tag("{%p endif %}")
            + _tag("{%p if items %}") + _table(widths, heads, data, "it in items")
            # Word needs a paragraph after a table; keep it tiny so it adds no page.
            + X.para("", '<w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                     '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr>')
            + _tag("{%p endif %}"))


def _ranking_tables() -> str:
    """通报 附件1: one ranking per group of units (县直部门, 乡镇（街道）), each under its
    heading, ties sharing a vertically merged 名次 cell; a note under a table says
    which units are listed but not ranked (too few due items)."""
    widths = [900, 3145, 1300, 1100, 1100, 1300]
    heads = ["名次", "单位", "到期事项数", "已完成", "逾期", "完成率"]
    data = [("TableCenter", "{% vmerge r.rank_merge %}{{ r.rank }}"), ("TableLeft", "{{ r.unit }}"),
            ("TableCenter", "{{ r.due }}"), ("TableCenter", "{{ r.done }}"), ("TableCenter", "{{ r.overdue }}"),
            ("TableCenter", "{{ r.rate }}")]
    return (_tag("{%p for g in ranking %}")
            + _np("Heading1CN", _r("{{ g.title }}", HEI), first_line=2 * ZI, align="both", keep_next=True, before=LINE // 2)
            + _table(widths, heads, data, "r in g.rows")
            + _tag("{%p if g.note %}")
            + _np("BodyText", _r("{{ g.note }}", size=X.SIZE["四号"]), first_line=2 * ZI, align="both")
            + _tag("{%p else %}") + TINY_PARA + _tag("{%p endif %}")
            + _tag("{%p endfor %}"))


def _details_table() -> str:
    """通报 附件3: the criticised units' overdue items, one row each (the body names the
    units with their counts only). After the bound 附件2 it opens the last portrait
    section, which starts a page already; alone it starts a page of its own."""
    widths = [600, 2045, 900, 2745, 1555, 1000]
    heads = ["序号", "单位", "任务序号", "具体要求", "完成时间", "逾期天数"]
    data = [("TableCenter", "{{ d.no }}"), ("TableLeft", "{{ d.unit }}"), ("TableCenter", "{{ d.task }}"),
            ("TableText", "{{ d.requirement }}"), ("TableCenter", "{{ d.deadline }}"),
            ("TableCenter", "{{ d.overdue_days }}")]
    title = _np("Title", _r(f"{{{{ details_title|title_lines({TITLE_PER_LINE}) }}}}", TITLE, S2), align="center",
                line=700, before=LINE, after=LINE // 2)
    return (_tag("{%p if details %}")
            + _tag("{%p if table %}")
            + _np("AttachmentLabel", _r("{{ details_label }}", HEI), align="left")
            + _tag("{%p else %}")
            + _np("AttachmentLabel", _r("{{ details_label }}", HEI), align="left", page_break_before=True)
            + _tag("{%p endif %}")
            + title
            + _tag("{%p endif %}")
            + _tag("{%p if details %}") + _table(widths, heads, data, "d in details") + TINY_PARA
            + _tag("{%p endif %}"))


def _letter_header() -> str:
    """First-page header of 信函格式: the 标志 in a frame at 30 mm, the two red
    double lines as page-anchored shapes. Later pages have no header."""
    organ = X.para(_r("{{ organ }}", TITLE, ORGAN_SIZE, RED),
                   X.ppr_full(style="OrganMark", align="center", line=X.mm(ORGAN_LINE_MM),
                              frame=X.frame_pr(0, X.mm(LETTER_ORGAN_TOP), TEXT_WIDTH)))
    x, length = X.emu(LETTER_LINE_X), X.emu(LETTER_LINE_LEN)
    top = X.emu(LETTER_TOP_PAIR)
    bottom = X.emu(LETTER_BOTTOM_PAIR)
    shapes = (
        X.line_shape(1, "红线上粗", x, top + THICK_EMU // 2, length, THICK_EMU)
        + X.line_shape(2, "红线上细", x, top + THICK_EMU + GAP_EMU + THIN_EMU // 2, length, THIN_EMU)
        + X.line_shape(3, "红线下细", x, bottom - THICK_EMU - GAP_EMU - THIN_EMU // 2, length, THIN_EMU)
        + X.line_shape(4, "红线下粗", x, bottom - THICK_EMU // 2, length, THICK_EMU)
    )
    anchor = X.para(shapes, '<w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/></w:pPr>')
    return X.header_xml(organ + anchor)


def _no_line_grid(sect: str) -> str:
    """Drop the "lines" document grid: lines are exact 28 pt anyway, and
    LibreOffice lays a lines grid over paragraphs even with snapToGrid off,
    pushing the 红头 ~3.5 mm down the page."""
    return sect.replace('<w:docGrid w:type="lines" ', "<w:docGrid ")


def _package(title: str, body: str, sect: str, headers: dict[str, tuple[str, str]],
             footers: dict[str, tuple[str, str]]) -> bytes:
    """headers/footers: relationship id -> (part name, xml)."""
    parts = {
        "[Content_Types].xml": X.content_types_with_headers([n for n, _ in footers.values()],
                                                            [n for n, _ in headers.values()]),
        "_rels/.rels": X.package_rels(),
        "docProps/core.xml": X.core_xml(title),
        "docProps/app.xml": X.app_xml(),
        "word/document.xml": X.document_xml_drawing(body, _no_line_grid(sect)),
        "word/styles.xml": X.styles_xml(BODY, S3, _notice_styles()),
        "word/settings.xml": X.settings_xml(even_odd=True),
        "word/fontTable.xml": X.font_table_xml([TITLE, BODY, HEI, KAI, SONG]),
        "word/theme/theme1.xml": X.theme_xml(),
    }
    for name, xml in [*headers.values(), *footers.values()]:
        parts[f"word/{name}"] = xml
    parts["word/_rels/document.xml.rels"] = X.document_rels_with_headers(
        {rid: n for rid, (n, _) in footers.items()}, {rid: n for rid, (n, _) in headers.items()})
    return X.zip_bytes(parts)


PORTRAIT_FOOTER = footer_distance(PORTRAIT["bottom"])  # "— N —" 7 mm below the 版心


EMPTY_FOOTER = X.EMPTY_FOOTER_RID


def _page_footers(first_empty: bool = False, empty: bool = False) -> dict[str, tuple[str, str]]:
    out = {"rIdFooterOdd": ("footer1.xml", X.page_number_footer("right", SONG, CHAR)),
           "rIdFooterEven": ("footer2.xml", X.page_number_footer("left", SONG, CHAR))}
    if first_empty:
        out["rIdFooterFirst"] = ("footer3.xml", X.empty_footer())
    if empty:
        out[EMPTY_FOOTER] = ("footer3.xml", X.empty_footer())
    return out


def _cc_letter() -> str:
    """信函 版记: only 抄送, 4号, 1 字 in from both sides, no rules."""
    return (_tag("{%p if cc %}")
            + _np("CopyTo", _r("抄送：{{ cc }}。", size=S4), left=CHAR, right=CHAR, before=LINE)
            + _tag("{%p endif %}"))


def letter(kind: str) -> bytes:
    """信函格式: 督办函 (title, optional items list as an attachment) or 约谈通知书
    (fixed title). Order: body, 附件说明, signature, date, 附注, the 附件 page
    (督办函 with items), 抄送 last.

    Page 1 carries the 标志 and the double lines in its own header and no page
    number (titlePg, empty first footer); later pages "— N —" odd right, even left.
    """
    if kind == "督办函":
        title, recipient = f"{{{{ title|title_lines({TITLE_PER_LINE}) }}}}", "{{ recipient }}："
    else:
        title, recipient = "约谈通知书", "{{ recipient }}主要负责人："
    body = (
        _np("DocNumber", _r("{{ doc_number }}"), align="right", before=LETTER_NUMBER_BEFORE)
        + _np("Title", _r(title, TITLE, S2), align="center", line=700, before=2 * LINE)
        + _np("Recipient", _r(recipient), align="left", before=LINE)
        + _body_paragraphs()
        + _attachment_note()
        + _signature(sealed_default=True)
        + (_items_table() if kind == "督办函" else "")
        + _cc_letter()
    )
    footers = _page_footers(first_empty=True)
    headers = {"rIdHeaderFirst": ("header1.xml", _letter_header())}
    sect = X.sect_pr(**PORTRAIT, footer=PORTRAIT_FOOTER,
                     footers={"default": "rIdFooterOdd", "even": "rIdFooterEven", "first": "rIdFooterFirst"},
                     title_page=True, line_pitch=LINE)
    sect = X.with_header_refs(sect, {"first": "rIdHeaderFirst"})
    return _package(kind, body, sect, headers, footers)


def _imprint() -> str:
    """版记 of 文件格式 (GB/T 9704 §9): a one-column table the width of the 版心,
    rules first and last 0.35 mm (sz 8), between rows 0.25 mm (sz 6), no side
    rules; 4号, 1 字 in from both sides; the printer left, the date right on a
    right tab. The table floats to the bottom of the 版心 of the
    page it falls on, the last page, in Word, WPS and LibreOffice alike
    (ooxml.imprint_table_props)."""
    # The 1 字 inset is the paragraphs' indents, not cell margins: LibreOffice moves a
    # floating table left by its left cell margin (Word's old placement of the text at
    # tblpX), so with no cell margins the rules are where Word puts them, on the 版心.
    tab = f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH - CHAR}"/></w:tabs>'
    printer = _r("{{ printer }}", size=S4) + "<w:r><w:tab/></w:r>" + _r("{{ print_date_cn }}印发", size=S4)

    def row(content: str, **ind) -> str:
        return X.row(X.cell(TEXT_WIDTH, _np("CopyTo", content, align="left", tabs=tab, **ind)), cant_split=True)

    return (
        # A paragraph between tables, or readers join them into one; tiny, so the 版记
        # (floated to the foot of the page) still fits under a page the body nearly fills.
        TINY_PARA
        + "<w:tbl>" + X.imprint_table_props(TEXT_WIDTH, 0, PORTRAIT["left"]) + X.grid([TEXT_WIDTH])
        + X.row(X.cell(TEXT_WIDTH, _tag("{%tr if cc %}")), cant_split=False)
        # 1 字 in from both sides; a long 抄送 wraps under the first organ after "抄送：" (3 字 of 4号)
        + row(_r("抄送：{{ cc }}。", size=S4), left=4 * CHAR, hanging=3 * CHAR, right=CHAR)
        + X.row(X.cell(TEXT_WIDTH, _tag("{%tr endif %}")), cant_split=False)
        # the printer 1 字 in from the left, the date ending 1 字 in from the right (right tab)
        + row(printer, left=CHAR, right=0)
        + "</w:tbl>"
        # Word needs a paragraph after a table; keep it tiny so it adds no page.
        + TINY_PARA
    )


def _section_break(sect: str) -> str:
    """A paragraph that ends a section with the properties ``sect`` (tiny, so it
    never needs a line of its own on a full page)."""
    return X.para("", '<w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                      f'<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>{sect}</w:pPr>')


LAND_FOOTER = footer_distance(LAND["bottom"])


def _bound_table() -> str:
    """附件2 bound into the 通报 (GB/T 9704 §8: before the 版记, page numbers
    continuing): the portrait part ends, a landscape section holds the 序时进度表
    (an ordinary landscape page, page numbers at its foot on the outer side: odd
    right, even left), then the 版记 follows on a portrait page of its own.
    Absent when ``table`` is empty (the table is issued as a separate file)."""
    portrait = X.sect_pr(**PORTRAIT, footer=PORTRAIT_FOOTER,
                         footers={"default": "rIdFooterOdd", "even": "rIdFooterEven"}, line_pitch=LINE)
    landscape = X.sect_pr(**LAND, footer=LAND_FOOTER, footers={"default": "rIdFooterOdd", "even": "rIdFooterEven"},
                          landscape=True, line_pitch=312, break_type="nextPage")
    return (_tag("{%p if table %}")
            + _section_break(_no_line_grid(portrait))
            + _table_heading("table.label", "table.title", "table.subtitle")
            + _progress_table(True, "table.rows")
            + _section_break(landscape)  # also the paragraph Word needs after a table
            + _tag("{%p endif %}"))


def bulletin() -> bytes:
    """通报 in 文件格式: 红头, centred 发文字号 over the red rule, title, 主送,
    body, 附件说明, signature and date (no seal unless [layout] sealed says so),
    附注, the ranking as 附件1 on a new page (optional), 附件2 bound as landscape
    pages (optional), the 版记 at the foot of the last page. Page numbers from page 1.

    With the 版记 on an even page ([layout] imprint_even_page, applied when the
    template is loaded: ooxml.imprint_on_even_page) the last section, the 版记's
    own page, starts on an even page and has no page number."""
    number_border = X.para_borders(bottom=(SEPARATOR_SZ, RED), space_bottom=SEPARATOR_SPACE)
    portrait = X.sect_pr(**PORTRAIT, footer=PORTRAIT_FOOTER,
                         footers={"default": "rIdFooterOdd", "even": "rIdFooterEven"}, line_pitch=LINE)
    body = (
        _np("OrganMark", _r("{{ organ_header }}", TITLE, ORGAN_SIZE, RED), align="center",
            line=X.mm(ORGAN_LINE_MM), before=FILE_ORGAN_BEFORE)
        + _np("DocNumber", _r("{{ doc_number }}"), align="center", before=2 * LINE, pbdr=number_border)
        + _np("Title", _r(f"{{{{ title|title_lines({TITLE_PER_LINE}) }}}}", TITLE, S2), align="center", line=700,
              before=2 * LINE)
        + _np("Recipient", _r("{{ recipients }}："), align="left", before=LINE)
        + _body_paragraphs()
        + _attachment_note()
        + _signature(sealed_default=False)
        + _tag("{%p if ranking %}")
        + _np("AttachmentLabel", _r("{{ ranking_label }}", HEI), align="left", page_break_before=True)
        + _np("Title", _r(f"{{{{ ranking_title|title_lines({TITLE_PER_LINE}) }}}}", TITLE, S2), align="center",
              line=700, before=LINE, after=LINE // 2)
        + _tag("{%p endif %}")
        + _tag("{%p if ranking %}") + _ranking_tables() + _tag("{%p endif %}")
        + _bound_table()
        + _details_table()
        # 版记 on an even page, no table bound: the 版记 needs a section of its own.
        + _tag("{%p if not table and options.imprint_even_page|default(false) %}")
        + _section_break(_no_line_grid(portrait))
        + _tag("{%p endif %}")
        + _imprint()
    )
    footers = _page_footers(empty=True)
    sect = X.sect_pr(**PORTRAIT, footer=PORTRAIT_FOOTER, footers={"default": "rIdFooterOdd", "even": "rIdFooterEven"},
                     line_pitch=LINE, break_type="nextPage")
    return _package("通报", body, sect, {}, footers)


def reminder() -> bytes:
    """工作提醒 (提示单): one page to one unit, not a 函 — no 标志 or red lines, no seal;
    the 发文字号 line only when reminders are numbered ([reminder] numbered). Title,
    主送, body, signature and date (unsealed layout), 附注 with the contact."""
    body = (
        _tag("{%p if doc_number %}")
        + _np("DocNumber", _r("{{ doc_number }}"), align="right")
        + _tag("{%p endif %}")
        + _np("Title", _r(f"{{{{ title|title_lines({TITLE_PER_LINE}) }}}}", TITLE, S2), align="center", line=700,
              before=LINE)
        + _np("Recipient", _r("{{ recipient }}："), align="left", before=LINE)
        + _body_paragraphs()
        + _signature(sealed_default=False)
    )
    sect = X.sect_pr(**PORTRAIT, footer=PORTRAIT_FOOTER, footers={"default": "rIdFooterOdd", "even": "rIdFooterEven"},
                     line_pitch=LINE)
    return _package("工作提醒", body, _no_line_grid(sect), {}, _page_footers())


TEMPLATES.update({
    "工作提醒.docx": reminder,
    "督办函.docx": lambda: letter("督办函"),
    "约谈通知书.docx": lambda: letter("约谈通知书"),
    "通报.docx": bulletin,
})

_COMMON = {"doc_number", "body", "attachments", "signer", "date_cn", "note", "cc"}
# template -> (fields the jobs provide, fields the template must use)
FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "督办函.docx": (_COMMON | {"organ", "title", "recipient", "items", "items_label", "items_title"},
                 {"organ", "doc_number", "title", "recipient", "body", "signer", "date_cn"}),
    "约谈通知书.docx": (_COMMON | {"organ", "recipient"},
                   {"organ", "doc_number", "recipient", "body", "signer", "date_cn"}),
    "工作提醒.docx": ({"doc_number", "title", "recipient", "body", "signer", "date_cn", "note"},
                  {"title", "recipient", "body", "signer", "date_cn"}),
    "通报.docx": (_COMMON | {"organ_header", "title", "recipients", "ranking", "ranking_label", "ranking_title",
                           "printer", "print_date_cn", "table", "details", "details_label", "details_title"},
                {"organ_header", "doc_number", "title", "recipients", "body", "signer", "date_cn",
                 "printer", "print_date_cn"}),
}

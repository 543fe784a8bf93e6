"""All raw WordprocessingML lives here: builders for templates, the font and
merge patches applied at render time, and the deterministic .docx writer.

Units: twips (1/20 pt); w:sz in half-points; borders in eighths of a point.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_DECL = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed: identical input gives identical bytes
# A line break inside a run's w:t, as docxtpl's resolve_listing writes a "\n" there
LINE_BREAK_IN_TEXT = '</w:t><w:br/><w:t xml:space="preserve">'

# 号 -> pt
SIZE = {"二号": 22, "三号": 16, "小三": 15, "四号": 14, "小四": 12, "五号": 10.5}


def mm(value: float) -> int:
    return round(value * 1440 / 25.4)


def half_points(pt: float) -> int:
    return round(pt * 2)


# --- runs and paragraphs --------------------------------------------------
def rpr(font: str, size_pt: float, bold: bool = False, color: str | None = None, spacing: int = 0) -> str:
    """Run properties with the font named for every script (no theme fonts)."""
    f = quoteattr(font)
    out = f"<w:rFonts w:ascii={f} w:hAnsi={f} w:eastAsia={f} w:cs={f} w:hint=\"eastAsia\"/>"
    if bold:
        out += "<w:b/><w:bCs/>"
    if color:
        out += f'<w:color w:val="{color}"/>'
    if spacing:
        out += f'<w:spacing w:val="{spacing}"/>'
    sz = half_points(size_pt)
    out += f'<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/>'
    return f"<w:rPr>{out}</w:rPr>"


def run(text: str, props: str = "", raw: bool = False) -> str:
    body = text if raw else escape(text)
    return f'<w:r>{props}<w:t xml:space="preserve">{body}</w:t></w:r>'


def ppr(style: str | None = None, align: str | None = None, first_line: int | None = None,
        before: int = 0, after: int = 0, line: int | None = None, line_rule: str = "exact",
        left: int | None = None, right: int | None = None, keep_next: bool = False,
        page_break_before: bool = False, snap: bool = False, extra: str = "") -> str:
    out = ""
    if style:
        out += f'<w:pStyle w:val="{style}"/>'
    if keep_next:
        out += "<w:keepNext/>"
    if page_break_before:
        out += "<w:pageBreakBefore/>"
    if not snap:
        out += '<w:snapToGrid w:val="0"/>'
    spacing = f'w:before="{before}" w:after="{after}"'
    if line:
        spacing += f' w:line="{line}" w:lineRule="{line_rule}"'
    out += f"<w:spacing {spacing}/>"
    ind = ""
    if left is not None:
        ind += f' w:left="{left}"'
    if right is not None:
        ind += f' w:right="{right}"'
    if first_line is not None:
        ind += f' w:firstLine="{first_line}"'
    if ind:
        out += f"<w:ind{ind}/>"
    if align:
        out += f'<w:jc w:val="{align}"/>'
    out += extra
    return f"<w:pPr>{out}</w:pPr>"


def para(content: str = "", props: str = "") -> str:
    return f"<w:p>{props}{content}</w:p>"


def field_run(instr: str, props: str) -> str:
    """A simple field (PAGE, NUMPAGES) with a cached result of 1."""
    return (f'<w:r>{props}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{props}<w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
            f'<w:r>{props}<w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r>{props}<w:t>1</w:t></w:r>'
            f'<w:r>{props}<w:fldChar w:fldCharType="end"/></w:r>')


def page_number_footer(align: str, font: str, indent: int) -> str:
    """GB/T 9704 page number: "— N —" in 4号 宋体, one 字 in from its side."""
    props = rpr(font, SIZE["四号"])
    side = {"right": f'w:right="{indent}"', "left": f'w:left="{indent}"'}.get(align, "")
    p = (f'<w:p><w:pPr><w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0"/>'
         f'{f"<w:ind {side}/>" if side else ""}<w:jc w:val="{align}"/></w:pPr>'
         f"{run('— ', props)}{field_run('PAGE', props)}{run(' —', props)}</w:p>")
    return f"{XML_HEAD}<w:ftr {NS_DECL}>{p}</w:ftr>"


def empty_footer() -> str:
    return f'{XML_HEAD}<w:ftr {NS_DECL}><w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr></w:p></w:ftr>'


# --- tables ---------------------------------------------------------------
def borders(tag: str, size: int = 4, color: str = "000000", sides=("top", "left", "bottom", "right", "insideH", "insideV")) -> str:
    inner = "".join(f'<w:{s} w:val="single" w:sz="{size}" w:space="0" w:color="{color}"/>' for s in sides)
    return f"<w:{tag}>{inner}</w:{tag}>"


def table_props(width: int, style: str | None = None) -> str:
    return ("<w:tblPr>" + (f'<w:tblStyle w:val="{style}"/>' if style else "")
            + f'<w:tblW w:w="{width}" w:type="dxa"/><w:jc w:val="center"/>'
            + borders("tblBorders") + '<w:tblLayout w:type="fixed"/>'
            + '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
            + '<w:tblLook w:val="0000"/></w:tblPr>')


def grid(widths: list[int]) -> str:
    return "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"


def row(cells: str, header: bool = False, cant_split: bool = True, height: int | None = None) -> str:
    trpr = ""
    if cant_split:
        trpr += "<w:cantSplit/>"
    if height:
        trpr += f'<w:trHeight w:val="{height}"/>'
    if header:
        trpr += "<w:tblHeader/>"
    return f"<w:tr><w:trPr>{trpr}</w:trPr>{cells}</w:tr>"


def cell(width: int, paragraphs: str, valign: str = "center") -> str:
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="{valign}"/></w:tcPr>'
            f"{paragraphs}</w:tc>")


# --- section and package parts -------------------------------------------
def sect_pr(width: int, height: int, top: int, bottom: int, left: int, right: int, footer: int,
            footers: dict[str, str], landscape: bool = False, title_page: bool = False,
            header: int = 851, line_pitch: int = 579, break_type: str | None = None) -> str:
    refs = "".join(f'<w:footerReference w:type="{kind}" r:id="{rid}"/>' for kind, rid in footers.items())
    refs += f'<w:type w:val="{break_type}"/>' if break_type else ""
    orient = ' w:orient="landscape"' if landscape else ""
    return (f"<w:sectPr>{refs}<w:pgSz w:w=\"{width}\" w:h=\"{height}\"{orient}/>"
            f'<w:pgMar w:top="{top}" w:right="{right}" w:bottom="{bottom}" w:left="{left}" '
            f'w:header="{header}" w:footer="{footer}" w:gutter="0"/>'
            + ("<w:titlePg/>" if title_page else "")
            + f'<w:docGrid w:type="lines" w:linePitch="{line_pitch}"/></w:sectPr>')


def document_xml(body: str, sect: str) -> str:
    return f"{XML_HEAD}<w:document {NS_DECL}><w:body>{body}{sect}</w:body></w:document>"


def styles_xml(body_font: str, body_size: float, styles: list[tuple[str, str, str, str]]) -> str:
    """Paragraph styles (id, name, pPr, rPr) over explicit, theme-free defaults."""
    defaults = (f"<w:docDefaults><w:rPrDefault>{rpr(body_font, body_size)}</w:rPrDefault>"
                '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
                "</w:docDefaults>")
    normal = (f'<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
              f'<w:qFormat/><w:pPr><w:widowControl w:val="0"/><w:jc w:val="both"/></w:pPr>{rpr(body_font, body_size)}</w:style>')
    table = ('<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
             '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
             '<w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
             "</w:tblCellMar></w:tblPr></w:style>")
    custom = "".join(
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{sid}"><w:name w:val="{name}"/>'
        f'<w:basedOn w:val="Normal"/><w:qFormat/>{p}{r}</w:style>'
        for sid, name, p, r in styles)
    return f"{XML_HEAD}<w:styles {NS_DECL}>{defaults}{normal}{table}{custom}</w:styles>"


def settings_xml(even_odd: bool) -> str:
    # CT_Settings is a sequence: defaultTabStop comes before evenAndOddHeaders.
    return (f"{XML_HEAD}<w:settings {NS_DECL}>"
            + '<w:defaultTabStop w:val="420"/>'
            + ("<w:evenAndOddHeaders/>" if even_odd else "")
            + '<w:characterSpacingControl w:val="compressPunctuation"/>'
            + '<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
            + "</w:settings>")


def font_table_xml(fonts: list[str]) -> str:
    inner = "".join(f'<w:font w:name={quoteattr(f)}><w:charset w:val="86"/><w:family w:val="auto"/></w:font>'
                    for f in dict.fromkeys(fonts))
    return f"{XML_HEAD}<w:fonts {NS_DECL}>{inner}</w:fonts>"


def content_types(footers: list[str]) -> str:
    ft = "".join(f'<Override PartName="/word/{f}" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml"/>' for f in footers)
    return (f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
            '<Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/>'
            '<Override PartName="/word/fontTable.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"/>'
            '<Override PartName="/word/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
            f"{ft}"
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>")


def package_rels() -> str:
    return (f'{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>")


def document_rels(footers: dict[str, str]) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ft = "".join(f'<Relationship Id="{rid}" Type="{base}/footer" Target="{name}"/>' for rid, name in footers.items())
    return (f'{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rIdStyles" Type="{base}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rIdSettings" Type="{base}/settings" Target="settings.xml"/>'
            f'<Relationship Id="rIdFonts" Type="{base}/fontTable" Target="fontTable.xml"/>'
            f'<Relationship Id="rIdTheme" Type="{base}/theme" Target="theme/theme1.xml"/>'
            f"{ft}</Relationships>")


A_DECL = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def theme_xml(latin: str = "Times New Roman", east_asia: str = "宋体") -> str:
    """The theme part every Word document carries (the schema's document part
    requires one). Nothing in our documents refers to theme fonts or colours:
    every run names its fonts (rpr), so this only satisfies readers and
    validators; the fonts named are ones every Chinese Windows has."""
    fonts = (f'<a:latin typeface={quoteattr(latin)}/><a:ea typeface={quoteattr(east_asia)}/>'
             f'<a:cs typeface={quoteattr(latin)}/>')
    colours = "".join(f"<a:{k}><a:srgbClr val=\"{v}\"/></a:{k}>" for k, v in (
        ("dk1", "000000"), ("lt1", "FFFFFF"), ("dk2", "44546A"), ("lt2", "E7E6E6"), ("accent1", "4472C4"),
        ("accent2", "ED7D31"), ("accent3", "A5A5A5"), ("accent4", "FFC000"), ("accent5", "5B9BD5"),
        ("accent6", "70AD47"), ("hlink", "0563C1"), ("folHlink", "954F72")))
    solid = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = f'<a:ln w="6350">{solid}</a:ln>'
    return (f'{XML_HEAD}<a:theme {A_DECL} name="notices"><a:themeElements>'
            f'<a:clrScheme name="notices">{colours}</a:clrScheme>'
            f'<a:fontScheme name="notices"><a:majorFont>{fonts}</a:majorFont><a:minorFont>{fonts}</a:minorFont></a:fontScheme>'
            '<a:fmtScheme name="notices">'
            f"<a:fillStyleLst>{solid * 3}</a:fillStyleLst>"
            f"<a:lnStyleLst>{line * 3}</a:lnStyleLst>"
            f"<a:effectStyleLst>{'<a:effectStyle><a:effectLst/></a:effectStyle>' * 3}</a:effectStyleLst>"
            f"<a:bgFillStyleLst>{solid * 3}</a:bgFillStyleLst>"
            "</a:fmtScheme></a:themeElements></a:theme>")


def core_xml(title: str) -> str:
    return (f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>notices</dc:creator></cp:coreProperties>")


def app_xml() -> str:
    return (f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            "<Application>notices</Application></Properties>")


def zip_bytes(parts: dict[str, str | bytes]) -> bytes:
    """A .docx from its parts, deterministic (fixed order and timestamps)."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buf.getvalue()


# --- the same .docx bytes, with unchanged parts compressed only once ----------
# zip_bytes goes through zipfile, which deflates every part on every call. A
# batch renders one template thousands of times and most of its parts (styles,
# fonts table, settings, rels) never change, so PackedPart holds a part already
# deflated exactly as zip_bytes deflates it (zlib default level, raw stream, one
# compress() call) and zip_packed lays out local headers, data, central directory
# and end record field for field as zipfile writes them to a seekable buffer.
# The result is byte-identical to zip_bytes (tests/test_engine_batch.py proves it
# for every template); ZIP64 is not needed for documents and not supported here.
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
_END = struct.Struct("<4s4H2LH")  # zipfile.structEndArchive
_DOS_DATE = (ZIP_DATE[0] - 1980) << 9 | ZIP_DATE[1] << 5 | ZIP_DATE[2]
_DOS_TIME = ZIP_DATE[3] << 11 | ZIP_DATE[4] << 5 | ZIP_DATE[5] // 2
_VERSION = 20  # zipfile.DEFAULT_VERSION: made by / needed to extract
_CREATE_SYSTEM = zipfile.ZipInfo().create_system  # as zipfile writes it here (3, or 0 on Windows)
_EXTERNAL_ATTR = 0o600 << 16  # zipfile's default for a file given as a ZipInfo without attributes
_UTF8_NAME = 0x800
_ZIP_LIMIT = (1 << 31) - 1  # zipfile.ZIP64_LIMIT


@dataclass(frozen=True)
class PackedPart:
    """One .docx part deflated once, ready to be copied into any number of packages."""

    name: bytes
    flags: int
    crc: int
    size: int
    deflated: bytes


def pack_part(name: str, data: str | bytes) -> PackedPart:
    """Deflate a part as zip_bytes would (zipfile's compressor for ZIP_DEFLATED)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    comp = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    deflated = comp.compress(raw) + comp.flush()
    try:
        encoded, flags = name.encode("ascii"), 0
    except UnicodeEncodeError:
        encoded, flags = name.encode("utf-8"), _UTF8_NAME
    return PackedPart(encoded, flags, zlib.crc32(raw), len(raw), deflated)


def zip_packed(parts: list[PackedPart]) -> bytes:
    """A .docx from packed parts: the same bytes zip_bytes gives for the same parts."""
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for p in parts:
        csize = len(p.deflated)
        if max(p.size, csize) * 1.05 > _ZIP_LIMIT or offset > _ZIP_LIMIT:  # where zipfile turns to ZIP64
            raise ValueError(f"part {p.name!r} is too large for a .docx written without ZIP64")
        head = _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, p.flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE,
                           p.crc, csize, p.size, len(p.name), 0)
        out += (head, p.name, p.deflated)
        central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _CREATE_SYSTEM, _VERSION, 0, p.flags,
                                     zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, p.crc, csize, p.size,
                                     len(p.name), 0, 0, 0, 0, _EXTERNAL_ATTR, offset) + p.name)
        offset += len(head) + len(p.name) + csize
    size = sum(map(len, central))
    end = _END.pack(b"PK\x05\x06", 0, 0, len(parts), len(parts), size, offset, 0)
    return b"".join(out + central + [end])


# --- render-time patches ----------------------------------------------------
_RFONTS = re.compile(r"<w:rFonts\b[^>]*>")
_THEME_ATTR = re.compile(r'\s+w:(?:ascii|hAnsi|eastAsia|cs)Theme="[^"]*"')


def rewrite_fonts(xml: str, mapping: dict[str, str]) -> str:
    """Swap canonical font names for the office's own; drop theme-font attributes."""
    swaps = {k: v for k, v in mapping.items() if k != v}

    def fix(m: re.Match) -> str:
        tag = _THEME_ATTR.sub("", m.group(0))
        for old, new in swaps.items():
            tag = tag.replace(f'"{old}"', quoteattr(new))
        return tag

    return _RFONTS.sub(fix, xml)


_VMERGE_CELL = re.compile(r"<w:tc[ >](?:(?!<w:tc[ >]).)*?{%\s*vmerge\s+.*?%}.*?</w:tc>", re.DOTALL)
_VMERGE_TAG = re.compile(r"{%\s*vmerge\s+(.*?)\s*%}", re.DOTALL)


def patch_vmerge(xml: str) -> str:
    """`{% vmerge EXPR %}` in a cell: EXPR is "restart" or "continue" per row.

    docxtpl's own `{% vm %}` merges on loop.first only, which cannot merge a
    category cell across rows of different tasks in a flat row loop.
    """

    def one(m: re.Match) -> str:
        cell_xml = m.group(0)
        expr = _VMERGE_TAG.search(cell_xml).group(1)
        value = f"{{{{ 'continue' if ({expr}) == 'continue' else 'restart' }}}}"
        vmerge = f'<w:vMerge w:val="{value}"/>'
        cell_xml = _VMERGE_TAG.sub("", cell_xml, count=1)
        if "<w:tcPr>" not in cell_xml and "<w:tcPr " not in cell_xml:
            cell_xml = re.sub(r"^(<w:tc[^>]*>)", r"\1<w:tcPr></w:tcPr>", cell_xml)
        if re.search(r"<w:gridSpan[^>]*/>", cell_xml):
            cell_xml = re.sub(r"(<w:gridSpan[^>]*/>)", lambda x: x.group(1) + vmerge, cell_xml, count=1)
        elif re.search(r"<w:tcW[^>]*/>", cell_xml):
            cell_xml = re.sub(r"(<w:tcW[^>]*/>)", lambda x: x.group(1) + vmerge, cell_xml, count=1)
        else:
            cell_xml = re.sub(r"(<w:tcPr[^>]*>)", lambda x: x.group(1) + vmerge, cell_xml, count=1)
        # A continued cell must be empty: keep its paragraphs, drop their text.
        cond = f"{{% if ({expr}) != 'continue' %}}"
        return re.sub(r"(<w:t(?: [^>]*)?>)(.*?)(</w:t>)", lambda x: f"{x.group(1)}{cond}{x.group(2)}{{% endif %}}{x.group(3)}",
                      cell_xml, flags=re.DOTALL)

    return _VMERGE_CELL.sub(one, xml)


_INDENT_PARA = re.compile(r"<w:p[ >](?:(?!<w:p[ >]).)*?{%\s*indent\s.*?%}.*?</w:p>", re.DOTALL)
_INDENT_TAG = re.compile(r"{%\s*indent\s+(left|right)\s*=\s*(.*?)\s*%}", re.DOTALL)


def patch_indent(xml: str) -> str:
    """`{% indent right=EXPR %}` (or left=) in a paragraph's text: the paragraph's
    w:ind gets that side from EXPR (twips) at render time.

    Positions that depend on the text (the signature centred over the date) are
    worked out when rendering, while the template itself keeps a plain number
    there, so it stays a valid document that Word opens and a validator accepts."""

    def one(m: re.Match) -> str:
        p = m.group(0)
        for side, expr in _INDENT_TAG.findall(p):
            value = f'w:{side}="{{{{ {expr.replace(chr(34), chr(39))} }}}}"'
            if re.search(rf'<w:ind\b[^>]*\bw:{side}="', p):
                p = re.sub(rf'(<w:ind\b[^>]*?)\bw:{side}="[^"]*"', lambda x: x.group(1) + value, p, count=1)
            elif "<w:ind" in p:
                p = re.sub(r"<w:ind\b", "<w:ind " + value, p, count=1)
            else:
                p = re.sub(r"(<w:jc\b|</w:pPr>)", f"<w:ind {value}/>\\1", p, count=1)
        return _INDENT_TAG.sub("", p)

    return _INDENT_PARA.sub(one, xml)


# XML 1.0 Char (§2.2) is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
# [#x10000-#x10FFFF]: the rest of C0, the surrogates (a lone one cannot even be
# encoded as UTF-8) and U+FFFE/U+FFFF cannot be held at all.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Remove characters XML 1.0 cannot hold (escaping is Jinja's job). A carriage
    return is legal but every parser reads it as a line feed (§2.11), so "\\r\\n"
    and "\\r" become "\\n", a line break like any other."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL_XML.sub("", text)


# --- headers, anchored shapes, frames, paragraph borders (notice templates) --
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
WPS_NS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
V_NS = "urn:schemas-microsoft-com:vml"
O_NS = "urn:schemas-microsoft-com:office:office"
NS_DECL_DRAWING = (f'{NS_DECL} xmlns:wp="{WP_NS}" xmlns:a="{A_NS}" xmlns:wps="{WPS_NS}" '
                   f'xmlns:mc="{MC_NS}" xmlns:v="{V_NS}" xmlns:o="{O_NS}"')
EMU_PER_MM = 36000
EMU_PER_PT = 12700


def emu(mm_value: float) -> int:
    return round(mm_value * EMU_PER_MM)


def header_xml(paragraphs: str) -> str:
    """A header part; its namespaces allow DrawingML and VML shapes."""
    return f"{XML_HEAD}<w:hdr {NS_DECL_DRAWING}>{paragraphs}</w:hdr>"


def document_xml_drawing(body: str, sect: str) -> str:
    return f"{XML_HEAD}<w:document {NS_DECL_DRAWING}><w:body>{body}{sect}</w:body></w:document>"


def line_shape(shape_id: int, name: str, x_emu: int, y_emu: int, length_emu: int, weight_emu: int,
               color: str = "FF0000") -> str:
    """A horizontal line anchored to the page (not the paragraph) at (x, y).

    y is the line's geometric centre: its stroke spreads half its weight above
    and half below. DrawingML (wps) for Word 2010+, WPS and LibreOffice, with a
    VML fallback for older readers. No text wraps around it.
    """
    pt = weight_emu / EMU_PER_PT
    anchor = (
        f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{251659264 + shape_id}" '
        'behindDoc="0" locked="1" layoutInCell="1" allowOverlap="1">'
        '<wp:simplePos x="0" y="0"/>'
        f'<wp:positionH relativeFrom="page"><wp:posOffset>{x_emu}</wp:posOffset></wp:positionH>'
        f'<wp:positionV relativeFrom="page"><wp:posOffset>{y_emu}</wp:posOffset></wp:positionV>'
        f'<wp:extent cx="{length_emu}" cy="0"/><wp:effectExtent l="0" t="{weight_emu // 2}" r="0" b="{weight_emu // 2}"/>'
        f'<wp:wrapNone/><wp:docPr id="{shape_id}" name={quoteattr(name)}/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{WPS_NS}"><wps:wsp><wps:cNvCnPr/>'
        f'<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{length_emu}" cy="0"/></a:xfrm>'
        '<a:prstGeom prst="line"><a:avLst/></a:prstGeom>'
        f'<a:ln w="{weight_emu}" cmpd="sng"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></a:ln></wps:spPr>'
        "<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor>"
    )
    left_pt, top_pt, len_pt = x_emu / EMU_PER_PT, y_emu / EMU_PER_PT, length_emu / EMU_PER_PT
    vml = (f'<w:pict><v:line id="_x0000_s{1024 + shape_id}" from="{left_pt:.2f}pt,{top_pt:.2f}pt" '
           f'to="{left_pt + len_pt:.2f}pt,{top_pt:.2f}pt" strokecolor="#{color}" strokeweight="{pt:.2f}pt" '
           'style="position:absolute;z-index:1;mso-position-horizontal-relative:page;'
           'mso-position-vertical-relative:page" o:allowincell="f"/></w:pict>')
    return (f'<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{anchor}</w:drawing></mc:Choice>'
            f"<mc:Fallback>{vml}</mc:Fallback></mc:AlternateContent></w:r>")


def frame_pr(x: int, y: int, width: int, h_anchor: str = "margin", v_anchor: str = "page",
             y_align: str | None = None) -> str:
    """w:framePr: the paragraph placed at a fixed spot, out of the text flow."""
    pos = f'w:yAlign="{y_align}"' if y_align else f'w:y="{y}"'
    return (f'<w:framePr w:w="{width}" w:wrap="notBeside" w:vAnchor="{v_anchor}" w:hAnchor="{h_anchor}" '
            f'w:x="{x}" {pos}/>')


def para_borders(top: tuple[int, str] | None = None, bottom: tuple[int, str] | None = None,
                 space_top: int = 0, space_bottom: int = 0) -> str:
    """w:pBdr with single top/bottom rules: (w:sz in eighths of a point, colour)."""
    out = ""
    if top:
        out += f'<w:top w:val="single" w:sz="{top[0]}" w:space="{space_top}" w:color="{top[1]}"/>'
    if bottom:
        out += f'<w:bottom w:val="single" w:sz="{bottom[0]}" w:space="{space_bottom}" w:color="{bottom[1]}"/>'
    return f"<w:pBdr>{out}</w:pBdr>"


def with_header_refs(sect: str, headers: dict[str, str]) -> str:
    """Add w:headerReference (kind -> relationship id) to a sect_pr()."""
    refs = "".join(f'<w:headerReference w:type="{kind}" r:id="{rid}"/>' for kind, rid in headers.items())
    return sect.replace("<w:sectPr>", "<w:sectPr>" + refs, 1)


def content_types_with_headers(footers: list[str], headers: list[str]) -> str:
    hd = "".join(f'<Override PartName="/word/{h}" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/>' for h in headers)
    return content_types(footers).replace("</Types>", hd + "</Types>")


def document_rels_with_headers(footers: dict[str, str], headers: dict[str, str]) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    hd = "".join(f'<Relationship Id="{rid}" Type="{base}/header" Target="{name}"/>' for rid, name in headers.items())
    return document_rels(footers).replace("</Relationships>", hd + "</Relationships>")


def ppr_full(style: str | None = None, align: str | None = None, first_line: int | None = None,
             hanging: int | None = None, before: int = 0, after: int = 0, line: int | None = None,
             line_rule: str = "exact", left: int | str | None = None, right: int | str | None = None,
             keep_next: bool = False, page_break_before: bool = False, frame: str = "", pbdr: str = "",
             tabs: str = "", snap: bool = False, tail: str = "") -> str:
    """Paragraph properties in the schema's element order (Word rejects others):
    pStyle keepNext pageBreakBefore framePr pBdr tabs snapToGrid spacing ind jc,
    then ``tail`` (rPr, sectPr). Indents may be Jinja expressions (str) worked out
    at render time."""
    out = f'<w:pStyle w:val="{style}"/>' if style else ""
    out += "<w:keepNext/>" if keep_next else ""
    out += "<w:pageBreakBefore/>" if page_break_before else ""
    out += frame + pbdr + tabs
    out += "" if snap else '<w:snapToGrid w:val="0"/>'
    spacing = f'w:before="{before}" w:after="{after}"'
    if line:
        spacing += f' w:line="{line}" w:lineRule="{line_rule}"'
    out += f"<w:spacing {spacing}/>"
    ind = "".join(f' w:{k}="{v}"' for k, v in (("left", left), ("right", right), ("firstLine", first_line),
                                               ("hanging", hanging)) if v is not None)
    out += f"<w:ind{ind}/>" if ind else ""
    out += f'<w:jc w:val="{align}"/>' if align else ""
    return f"<w:pPr>{out}{tail}</w:pPr>"


def imprint_table_props(width: int, inset: int, page_x: int, outer_sz: int = 8, inner_sz: int = 6,
                        caption: str = "版记") -> str:
    """A one-column table for a 版记: rules across its full width (top and
    bottom outer_sz, between rows inner_sz, none at the sides), text inset from
    both sides; floated to the bottom of the type area of the page it falls on.

    Horizontally it is placed ``page_x`` twips from the page's left edge (the left
    margin), not centred in the margins: LibreOffice keeps a floating table that
    is as wide as the type area in the text flow (no text could wrap beside it),
    where it ignores the bottom position; placed from the page edge it floats in
    LibreOffice too, as in Word and WPS. The caption names it for readers and for
    ``imprint_on_even_page``."""
    rules = (f'<w:tblBorders><w:top w:val="single" w:sz="{outer_sz}" w:space="0" w:color="000000"/>'
             '<w:left w:val="nil"/>'
             f'<w:bottom w:val="single" w:sz="{outer_sz}" w:space="0" w:color="000000"/>'
             '<w:right w:val="nil"/>'
             f'<w:insideH w:val="single" w:sz="{inner_sz}" w:space="0" w:color="000000"/>'
             '<w:insideV w:val="nil"/></w:tblBorders>')
    pos = ('<w:tblpPr w:leftFromText="0" w:rightFromText="0" w:topFromText="0" w:bottomFromText="0" '
           f'w:vertAnchor="margin" w:horzAnchor="page" w:tblpX="{page_x}" w:tblpYSpec="bottom"/>'
           '<w:tblOverlap w:val="never"/>')
    return (f"<w:tblPr>{pos}<w:tblW w:w=\"{width}\" w:type=\"dxa\"/>{rules}"
            '<w:tblLayout w:type="fixed"/>'
            f'<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="{inset}" w:type="dxa"/>'
            f'<w:bottom w:w="0" w:type="dxa"/><w:right w:w="{inset}" w:type="dxa"/></w:tblCellMar>'
            f'<w:tblLook w:val="0000"/><w:tblCaption w:val={quoteattr(caption)}/></w:tblPr>')


EMPTY_FOOTER_RID = "rIdFooterEmpty"  # the templates' footer part with nothing in it
_BODY_SECT = re.compile(r"<w:sectPr\b(?:(?!<w:sectPr\b).)*?</w:sectPr>\s*</w:body>", re.DOTALL)


def imprint_on_even_page(xml: str, empty_footer: str = EMPTY_FOOTER_RID) -> str:
    """The office wants the 版记 on an even page (封四): the document's last
    section, where the template puts the 版记 on a page of its own, starts on the
    next even page, and neither it nor a blank page before it carries a page
    number (GB/T 9704 §7.5): its footers become ``empty_footer`` (a relationship id).
    Applied to a template's document part when it is loaded (engine.Template)."""
    m = _BODY_SECT.search(xml)
    if not m:
        return xml
    sect = m.group(0)
    sect = re.sub(r'(<w:footerReference w:type="(?:default|even)" r:id=")[^"]*"', rf'\g<1>{empty_footer}"', sect)
    sect = re.sub(r'<w:type w:val="[^"]*"/>', "", sect)
    sect = re.sub(r"(<w:pgSz\b)", '<w:type w:val="evenPage"/>\\1', sect, count=1)
    return xml[:m.start()] + sect + xml[m.end():]


# --- combining rendered documents -------------------------------------------
_SECT_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar",
               "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote",
               "titlePg", "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange")


def _sect_child(sect, name: str):
    """sectPr's w:NAME, created where CT_SectPr's sequence puts it if missing."""
    tag = f"{{{W_NS}}}{name}"
    el = sect.find(tag)
    if el is None:
        rank = _SECT_ORDER.index(name)
        later = next((c for c in sect if isinstance(c.tag, str) and c.tag.startswith(f"{{{W_NS}}}")
                      and c.tag[len(W_NS) + 2:] in _SECT_ORDER[rank + 1:]), None)
        el = sect.makeelement(tag, {})
        later.addprevious(el) if later is not None else sect.append(el)
    return el


def _break_paragraph(etree, w: str, sect):
    """An empty paragraph, exact 1 pt so it never needs a page, that ends a section with ``sect``."""
    p = etree.Element(w + "p")
    ppr = etree.SubElement(p, w + "pPr")
    etree.SubElement(ppr, w + "spacing", {w + "before": "0", w + "after": "0", w + "line": "20",
                                          w + "lineRule": "exact"})
    rpr = etree.SubElement(ppr, w + "rPr")
    for tag in ("sz", "szCs"):
        etree.SubElement(rpr, w + tag, {w + "val": "2"})
    ppr.append(sect)
    return p


def combine_documents(docs: list[bytes], pages: list[int] | None = None, blank_footer: str = "") -> bytes:
    """One .docx from several rendered from the same template, to print a batch in one go.

    Each document becomes a section that starts on an odd page (so every letter
    begins on a front side when printed duplex) and restarts its page numbers
    at 1. Headers, footers, styles and relationships are shared, so every part
    but the body and docProps must be byte-identical to the first document's. The
    letters' custom properties (their 文号 and register) are left out: the print copy
    is not a registered document.

    Without ``pages`` each section is an odd-page section (w:type oddPage): right
    in Word and WPS, but LibreOffice 7.4 gives such a section's page 2 its
    first-page header and footer again (it makes the odd-page start a copy of the
    first-page style whose next style is the first-page style). With ``pages``,
    each document's page count as laid out, the sections start on the next page
    and a document with an odd count is followed by a blank page of its own (a
    section whose footers are ``blank_footer``, a relationship id of an empty
    footer): the same pages in every reader that lays the letters out alike.
    """
    import copy
    import io

    from lxml import etree

    if not docs:
        raise ValueError("no documents to combine")
    if pages is not None and len(pages) != len(docs):
        raise ValueError("one page count per document")
    packages = []
    for data in docs:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            packages.append({info.filename: zf.read(info) for info in zf.infolist()})
    first, own = packages[0], {"word/document.xml", "docProps/core.xml", "docProps/app.xml", CUSTOM_PART}
    for no, pkg in enumerate(packages[1:], 2):
        for name in sorted((first.keys() | pkg.keys()) - own):
            if first.get(name) != pkg.get(name):
                raise ValueError(f"document {no} differs from document 1 in part {name}")
    w = f"{{{W_NS}}}"
    root = etree.fromstring(first["word/document.xml"])
    body = root.find(w + "body")
    del body[:]
    for no, pkg in enumerate(packages, 1):
        content = list(etree.fromstring(pkg["word/document.xml"]).find(w + "body"))
        if not content or content[-1].tag != w + "sectPr":
            raise ValueError(f"document {no} has no section properties at the end of its body")
        # Its first section (usually its only one) starts a page (an odd one) at page 1.
        head = next((s for s in (c.find(f"{w}pPr/{w}sectPr") for c in content if c.tag == w + "p")
                     if s is not None), content[-1])
        _sect_child(head, "type").set(w + "val", "oddPage" if pages is None else "nextPage")
        _sect_child(head, "pgNumType").set(w + "start", "1")
        body.extend(content)
        if no == len(packages):
            break
        # A section break: the sectPr moves into a closing paragraph.
        closing = content[-1]
        body.append(_break_paragraph(etree, w, closing))
        if pages is not None and pages[no - 1] % 2:
            blank = copy.deepcopy(closing)
            for el in blank.findall(w + "headerReference") + blank.findall(w + "footerReference") \
                    + blank.findall(w + "titlePg") + blank.findall(w + "pgNumType"):
                blank.remove(el)
            for kind in ("default", "even"):
                ref = etree.Element(w + "footerReference", {w + "type": kind, f"{{{R_NS}}}id": blank_footer})
                blank.insert(0, ref)
            _sect_child(blank, "type").set(w + "val", "nextPage")
            body.append(_break_paragraph(etree, w, blank))
    parts = without_custom_properties(first)  # a copy for printing names no number of its own
    parts["word/document.xml"] = XML_HEAD + etree.tostring(root, encoding="unicode")
    return zip_bytes(parts)


# --- custom document properties (docProps/custom.xml) -------------------------
# Word shows them under 文件 > 属性 > 自定义; notices writes the register's facts
# there (文号, 文种, 单位, 批次, 登记簿 …) so a document names its own number and
# register, whatever happens to the database (notices register rebuild reads them).
CUSTOM_PART = "docProps/custom.xml"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id of user-defined properties


def custom_properties_xml(props: dict[str, str]) -> str:
    """docProps/custom.xml holding ``props`` as text properties, in order (pid from 2)."""
    items = "".join(f'<property fmtid="{_FMTID}" pid="{pid}" name={quoteattr(xml_safe(str(name)))}>'
                    f"<vt:lpwstr>{escape(xml_safe(str(value)))}</vt:lpwstr></property>"
                    for pid, (name, value) in enumerate(props.items(), 2))
    return f'{XML_HEAD}<Properties xmlns="{_CUSTOM_NS}" xmlns:vt="{_VT_NS}">{items}</Properties>'


def parse_custom_properties(xml: str | bytes) -> dict[str, str]:
    """name -> text of each property in a docProps/custom.xml ({} if it cannot be read)."""
    from lxml import etree

    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    out = {}
    for prop in root.iterchildren(f"{{{_CUSTOM_NS}}}property"):
        value = next(iter(prop), None)
        if prop.get("name") is not None and value is not None:
            out[prop.get("name")] = value.text or ""
    return out


def with_custom_declared(content_types: str, package_rels: str) -> tuple[str, str]:
    """[Content_Types].xml and _rels/.rels that declare docProps/custom.xml (unchanged
    where a template saved by Word declares it already)."""
    if "/docProps/custom.xml" not in content_types:
        content_types = content_types.replace(
            "</Types>", f'<Override PartName="/docProps/custom.xml" ContentType="{_CUSTOM_TYPE}"/></Types>')
    if _CUSTOM_REL not in package_rels:
        ids = set(re.findall(r'\bId="([^"]+)"', package_rels))
        rid = next(f"rId{n}" for n in range(100, 10000) if f"rId{n}" not in ids)
        package_rels = package_rels.replace(
            "</Relationships>", f'<Relationship Id="{rid}" Type="{_CUSTOM_REL}" Target="docProps/custom.xml"/>'
                                "</Relationships>")
    return content_types, package_rels


def _parts_of(docx: bytes) -> dict[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def with_custom_properties(parts: dict[str, str | bytes], props: dict[str, str]) -> dict[str, str | bytes]:
    """The parts of a package with ``props`` added to its custom properties (others kept)."""
    def text(name: str) -> str:
        data = parts[name]
        return data.decode("utf-8") if isinstance(data, bytes) else data

    merged = {**(parse_custom_properties(text(CUSTOM_PART)) if CUSTOM_PART in parts else {}), **props}
    out = dict(parts)
    out["[Content_Types].xml"], out["_rels/.rels"] = with_custom_declared(text("[Content_Types].xml"),
                                                                            text("_rels/.rels"))
    out[CUSTOM_PART] = custom_properties_xml(merged)
    return out


def add_custom_properties(docx: bytes, props: dict[str, str]) -> bytes:
    """A .docx (made elsewhere, e.g. the 通报's table) with ``props`` among its custom properties."""
    return zip_bytes(with_custom_properties(_parts_of(docx), props))


def without_custom_properties(parts: dict[str, str | bytes]) -> dict[str, str | bytes]:
    """The parts without docProps/custom.xml (a print copy is no registered document)."""
    out = {k: v for k, v in parts.items() if k != CUSTOM_PART}
    for name, pattern in (("[Content_Types].xml", r'<Override PartName="/docProps/custom\.xml"[^>]*/>'),
                          ("_rels/.rels", rf'<Relationship [^>]*Type="{re.escape(_CUSTOM_REL)}"[^>]*/>')):
        if name in out:
            data = out[name]
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            out[name] = re.sub(pattern, "", text)
    return out


def read_custom_properties(docx) -> dict[str, str]:
    """The custom properties of a .docx (a path or its bytes); {} when it has none or
    is no readable package."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as zf:
            try:
                info = zf.getinfo(CUSTOM_PART)
            except KeyError:
                return {}
            if info.file_size > 1 << 20:
                return {}
            return parse_custom_properties(zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}


def document_paragraphs(docx) -> list[str]:
    """The text of each non-empty paragraph of word/document.xml (a path or bytes), in
    order; [] when it cannot be read. For recognising an old document by its text."""
    import io

    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(docx) if isinstance(docx, bytes) else docx) as zf:
            info = zf.getinfo("word/document.xml")
            if info.file_size > 50 << 20:
                return []
            root = etree.fromstring(zf.read(info), etree.XMLParser(resolve_entities=False, no_network=True))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, etree.XMLSyntaxError):
        return []
    w = f"{{{W_NS}}}"
    out = []
    for p in root.iter(w + "p"):
        text = "".join(t.text or "" for t in p.iter(w + "t")).strip()
        if text:
            out.append(text)
    return out

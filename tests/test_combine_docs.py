"""combine_documents: a batch of 督办函 as one .docx for printing in one go, each
letter its own section starting on an odd page with page numbers from 1;
documents of different templates refused. Laid out by LibreOffice (each
letter's page count known), odd-page starts come from blank pages of their own,
and the bundle renders right in LibreOffice too."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from conftest import ROOT, needs_soffice, pdf_pages
from notices.render.engine import Template
from notices.render.ooxml import _SECT_ORDER, combine_documents
from test_notice_templates import BODY, CONTEXTS, NS, ORGAN, W, refs, text_of

TEMPLATES = ROOT / "templates"
# Long paragraphs per letter: 2, 3, 4 and 3 pages in LibreOffice 7.4, so both
# odd and even page counts meet an odd-page break.
LENGTHS = (1, 3, 6, 2)
NUMBER = re.compile(r"岫安委办函〔2026〕\d+号")


def number(i: int) -> str:
    return f"岫安委办函〔2026〕{i}号"


def render(name: str, **changes) -> bytes:
    return Template(TEMPLATES / name).render({**CONTEXTS[name], **changes})


@pytest.fixture(scope="module")
def letters() -> list[bytes]:
    return [render("督办函.docx", doc_number=number(i), recipient=f"测试单位{i}", body=BODY[:3 + k])
            for i, k in enumerate(LENGTHS, 1)]


@pytest.fixture(scope="module")
def combined(letters) -> bytes:
    return combine_documents(letters)


def read(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        return {n: zf.read(n) for n in zf.namelist()}


def body_of(data: bytes):
    return etree.fromstring(read(data)["word/document.xml"]).find("w:body", NS)


def section_breaks(body) -> list:
    """Each section's sectPr in order: the break paragraphs', then the body's."""
    return [p.find("w:pPr/w:sectPr", NS) for p in body.findall("w:p", NS)
            if p.find("w:pPr/w:sectPr", NS) is not None] + [body.find("w:sectPr", NS)]


def local(el) -> str:
    return etree.QName(el).localname


# --- the package ------------------------------------------------------------
def test_package_is_the_first_letters_with_every_part_valid(letters, combined):
    first, out = read(letters[0]), read(combined)
    assert list(out) == list(first)  # same parts, same order
    for name, data in out.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data)  # parses
        if name != "word/document.xml":
            assert data == first[name], name
    assert combine_documents(letters) == combined  # deterministic


def test_one_section_per_letter_odd_page_numbered_from_one(letters, combined):
    sects = section_breaks(body_of(combined))
    assert len(sects) == len(letters) == len(list(body_of(combined).iter(W + "sectPr")))
    original = body_of(letters[0]).find("w:sectPr", NS)
    for sect in sects:
        assert sect.find("w:type", NS).get(W + "val") == "oddPage"
        assert sect.find("w:pgNumType", NS).get(W + "start") == "1"
        assert sect.find("w:titlePg", NS) is not None
        assert refs(sect, "header") == refs(original, "header") == {"first": "rIdHeaderFirst"}
        assert refs(sect, "footer") == refs(original, "footer")
        assert set(refs(sect, "footer")) == {"default", "even", "first"}
        ranks = [_SECT_ORDER.index(local(c)) for c in sect]
        assert ranks == sorted(ranks), [local(c) for c in sect]  # CT_SectPr's sequence
        # nothing else changed
        rest = [etree.tostring(c) for c in sect if local(c) not in ("type", "pgNumType")]
        assert rest == [etree.tostring(c) for c in original]


def test_letters_in_order_each_whole_and_once(letters, combined):
    body = body_of(combined)
    segments, current = [], []
    for child in body:
        if child.tag == W + "sectPr":
            continue
        if child.find("w:pPr/w:sectPr", NS) is not None:
            assert not child.findall("w:r", NS)  # the break sits in an empty paragraph
            segments.append(current)
            current = []
        else:
            current.append(child)
    segments.append(current)
    assert len(segments) == len(letters)
    for i, (segment, letter) in enumerate(zip(segments, letters), 1):
        own = [c for c in body_of(letter) if c.tag != W + "sectPr"]
        assert [etree.tostring(c) for c in segment] == [etree.tostring(c) for c in own], i
        assert text_of(segment[0]) == number(i)  # 发文字号 opens its section
    numbers = [text_of(p) for p in body.iter(W + "p") if NUMBER.fullmatch(text_of(p))]
    assert numbers == [number(i) for i in range(1, len(letters) + 1)]
    assert all(text_of(body).count(n) == 1 for n in numbers)


def test_single_letter_is_the_same_letter(letters):
    one = combine_documents(letters[:1])
    assert {n: d for n, d in read(one).items() if n != "word/document.xml"} == \
        {n: d for n, d in read(letters[0]).items() if n != "word/document.xml"}
    body, original = body_of(one), body_of(letters[0])
    assert [etree.tostring(c) for c in body][:-1] == [etree.tostring(c) for c in original][:-1]
    (sect,) = section_breaks(body)
    assert [local(c) for c in sect if local(c) not in ("type", "pgNumType")] == [local(c) for c in original[-1]]


def test_nothing_to_combine():
    with pytest.raises(ValueError):
        combine_documents([])


def test_other_templates_refused(letters):
    with pytest.raises(ValueError, match=r"document 2 .*\[Content_Types\]\.xml"):
        combine_documents([letters[0], render("通报.docx")])
    # The 标志 is rendered into the header part: another organ's letters do not share it.
    with pytest.raises(ValueError, match=r"document 3 .*word/header1\.xml"):
        combine_documents([letters[0], letters[1], render("督办函.docx", organ="岫岩满族自治县人民政府办公室")])


# --- LibreOffice ----------------------------------------------------------------
# Export the blank pages LibreOffice inserts before an odd-page section: by
# default its PDF export drops them, and duplex printing needs them.
WITH_BLANKS = 'pdf:writer_pdf_Export:{"IsSkipEmptyPages":{"type":"boolean","value":"false"}}'


@pytest.fixture(scope="module")
def laid_out(letters, tmp_path_factory) -> tuple[bytes, list[int]]:
    """The bundle built as `issue --print-file` builds it where LibreOffice is installed."""
    from notices.file.pdf import count_pages

    tmp = tmp_path_factory.mktemp("letters")
    paths = []
    for i, data in enumerate(letters, 1):
        paths.append(tmp / f"{i}.docx")
        paths[-1].write_bytes(data)
    pages = count_pages(paths)
    assert pages and len(pages) == len(letters)
    return combine_documents(letters, pages, blank_footer="rIdFooterFirst"), pages


@pytest.fixture(scope="module")
def letter_pages(laid_out, tmp_path_factory) -> list[list[str]]:
    """The laid-out bundle's PDF pages, grouped by letter (each from its first page)."""
    from notices.file.pdf import convert

    tmp = tmp_path_factory.mktemp("combined")
    (tmp / "batch.docx").write_bytes(laid_out[0])
    pages = pdf_pages(convert([tmp / "batch.docx"], tmp / "pdf", fmt=WITH_BLANKS)[0])
    starts = [next(k for k, p in enumerate(pages) if number(i) in re.sub(r"\s+", "", p))
              for i in range(1, len(LENGTHS) + 1)]
    assert starts[0] == 0 and starts == sorted(starts)
    return [pages[a:b] for a, b in zip(starts, starts[1:] + [len(pages)])]


@needs_soffice
def test_laid_out_bundle_blank_sections_after_odd_letters(laid_out):
    data, pages = laid_out
    sects = section_breaks(body_of(data))
    odd = sum(1 for n in pages[:-1] if n % 2)
    assert odd and len(sects) == len(pages) + odd
    for sect in sects:
        assert sect.find("w:type", NS).get(W + "val") == "nextPage"
        ranks = [_SECT_ORDER.index(local(c)) for c in sect]
        assert ranks == sorted(ranks), [local(c) for c in sect]
    blanks = [s for s in sects if s.find("w:titlePg", NS) is None]
    assert len(blanks) == odd
    for sect in blanks:  # no header, no page number on the blank page
        assert not refs(sect, "header") and set(refs(sect, "footer").values()) == {"rIdFooterFirst"}


@needs_soffice
def test_rendered_letters_start_on_odd_pages(letter_pages):
    start, blanks = 1, 0
    for i, pages in enumerate(letter_pages, 1):
        assert start % 2 == 1, f"letter {i} starts on page {start}"
        filled = [p for p in pages if p.strip()]
        assert pages[:len(filled)] == filled  # blank pages only at the end
        if i < len(letter_pages):  # padded to an even count: the next letter starts on a front side
            assert len(pages) == len(filled) + len(filled) % 2, f"letter {i}: {len(filled)} pages, {len(pages)} used"
        else:
            assert len(pages) == len(filled)
        blanks += len(pages) - len(filled)
        assert pages[0].strip().startswith(ORGAN)  # the 标志 heads the letter's first page
        assert not re.search(r"—\s*\d+\s*—", pages[0]), f"letter {i}: page 1 has a page number"
        for no, page in enumerate(pages, 1):  # numbers restart: page N of a letter shows N
            assert all(int(n) == no for n in re.findall(r"—\s*(\d+)\s*—", page)), (i, no)
        start += len(pages)
    assert blanks, "no letter with an odd page count: the odd-page start was not exercised"
    assert any(re.search(r"—\s*\d+\s*—", p) for pages in letter_pages[1:] for p in pages)


@needs_soffice
def test_rendered_page_two_has_its_number_and_no_letterhead(letter_pages):
    for i, pages in enumerate(letter_pages, 1):
        assert re.search(r"—\s*2\s*—", pages[1]), f"letter {i}: page 2 has no page number"
        assert not pages[1].strip().startswith(ORGAN), f"letter {i}: page 2 carries the letterhead"

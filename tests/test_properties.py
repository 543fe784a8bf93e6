"""Property: whatever Unicode sits in a free-text field, the rendered .docx opens.

For every free-text field of the three notices' contexts and of the 序时进度表's
rows (the shipped templates, through notices.render.engine.Template), with
arbitrary text from hypothesis, lone surrogates included:

* the .docx is a valid zip and every XML part is well-formed (lxml, no DTD,
  no entities resolved);
* a w:t with leading or trailing spaces keeps them (xml:space="preserve");
* each field reads back, everywhere it appears, as exactly the input less what
  XML 1.0 cannot hold, with tabs and line breaks as Word shows them.

"What XML 1.0 cannot hold" is the complement of its Char production (§2.2):
U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, the surrogates U+D800-U+DFFF
and U+FFFE, U+FFFF, all removed; and a carriage return, which any parser
reads as a line feed (§2.11), so "\\r\\n" and "\\r" come back as "\\n".

Each value is wrapped in markers from the Private Use Area (U+E000-U+E002),
which the generated text does not use, to find it in the document. Runs are
derandomized and keep no example database, so CI sees the same examples.
"""

from __future__ import annotations

import io
import re
import zipfile
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from conftest import ROOT
from notices.compose.table import RESTART, TableRow
from notices.render.engine import Template

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
OPEN, MID, CLOSE = "\ue000", "\ue001", "\ue002"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MARKED = re.compile(f"{OPEN}(\\d+){MID}(.*?){CLOSE}", re.DOTALL)
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
PROFILE = settings(max_examples=50, derandomize=True, database=None, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Any code point but the markers; surrogates are excluded by default and wanted here.
TEXT = st.text(st.characters(exclude_categories=(), exclude_characters=OPEN + MID + CLOSE), max_size=30)


def expected(value: str) -> str:
    return NOT_XML.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class Fields:
    """Draws a text for each field it is called for; marks it and remembers it."""

    def __init__(self, data):
        self.data = data
        self.given: dict[int, str] = {}
        self._n = count()

    def __call__(self) -> str:
        n = next(self._n)
        value = self.data.draw(TEXT)
        self.given[n] = value
        return f"{OPEN}{n}{MID}{value}{CLOSE}"


def letter_common(f: Fields) -> dict:
    return dict(doc_number=f(), body=[{"text": f(), "level": level} for level in (0, 1, 2, 0)],
                attachments=[f(), f()], signer=f(), date_cn=f(), note=f(), cc=f())


def duban(f: Fields) -> dict:
    return dict(letter_common(f), organ=f(), title=f(), recipient=f(), items_label=f(), items_title=f(),
                items=[dict(no=f(), task=f(), requirement=f(), deadline=f(), overdue_days=f(), latest=f())
                       for _ in range(2)])


def yuetan(f: Fields) -> dict:
    return dict(letter_common(f), organ=f(), recipient=f())


def tongbao(f: Fields) -> dict:
    return dict(letter_common(f), organ_header=f(), title=f(), recipients=f(), ranking_label=f(), ranking_title=f(),
                ranking=[dict(title=f(), note=f(), rows=[dict(rank=f(), rank_merge="restart", unit=f(), due=f(), done=f(),
                                                              overdue=f(), rate=f()) for _ in range(2)])],
                printer=f(), print_date_cn=f(), table=bound(f),
                details=[dict(no=f(), unit=f(), task=f(), requirement=f(), deadline=f(), overdue_days=f())],
                details_label=f(), details_title=f())


def bound(f: Fields) -> dict:
    """附件2 bound into the 通报: the 序时进度表's fields under the names the 通报 gives them."""
    own = table(f, progress=True)
    return dict(label=own["attachment_label"], title=own["title"], subtitle=own["subtitle"], rows=own["rows"])


def table(f: Fields, progress: bool = False) -> dict:
    rows = [TableRow("lead", f(), RESTART, f(), RESTART)]
    rows += [TableRow("milestone", f(), RESTART, f(), RESTART, requirement=f(), deadline=f(), units=f(), remark=f(),
                      milestone_id="1-1", task_no=1, progress=f() if progress else "",
                      status=f() if progress else "") for _ in range(2)]
    return {"title": f(), "subtitle": f(), "attachment_label": f(), "rows": rows}


CASES = {"督办函.docx": duban, "约谈通知书.docx": yuetan, "通报.docx": tongbao,
         "序时进度表.docx": table, "序时进度表-进展.docx": lambda f: table(f, progress=True)}


@pytest.fixture(scope="module")
def templates():
    return {name: Template(ROOT / "templates" / name) for name in CASES}


def read_back(data: bytes) -> str:
    """Every part parsed (the package is valid and every part well-formed); the text of
    the parts Word shows, paragraph by paragraph, w:tab as a tab and w:br as a line break."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        parts = {n: etree.fromstring(zf.read(n), PARSER) for n in zf.namelist() if n.endswith((".xml", ".rels"))}
    texts = []
    for name, root in parts.items():
        assert root.getroottree().docinfo.doctype == "", name
        if not re.match(r"word/(document|header\d*|footer\d*)\.xml$", name):
            continue
        for t in root.iter(W + "t"):
            if t.text and t.text != t.text.strip(" "):
                assert t.get(XML_SPACE) == "preserve", f"{name}: spaces at the ends of {t.text!r} would be dropped"
        for p in root.iter(W + "p"):
            out = []
            for el in p.iter(W + "t", W + "tab", W + "br"):
                if el.getparent() is not None and _para_of(el) is p:
                    out.append(el.text or "" if el.tag == W + "t" else "\t" if el.tag == W + "tab" else "\n")
            texts.append("".join(out))
    return "\n\ue003".join(texts)


def _para_of(el):
    while el is not None and el.tag != W + "p":
        el = el.getparent()
    return el


@pytest.mark.parametrize("name", list(CASES))
def test_any_text_in_any_field_renders_to_a_valid_document(templates, name):
    build = CASES[name]

    @PROFILE
    @given(st.data())
    def check(data):
        fields = Fields(data)
        context = build(fields)
        text = read_back(templates[name].render(context))
        seen = {}
        for m in MARKED.finditer(text):
            seen.setdefault(int(m.group(1)), set()).add(m.group(2))
        missing = set(fields.given) - set(seen)
        assert not missing, f"fields not in the document: {[fields.given[n] for n in sorted(missing)]}"
        for n, found in seen.items():
            assert found == {expected(fields.given[n])}, (fields.given[n], found)

    check()


@PROFILE
@given(TEXT)
def test_xml_safe_is_exactly_the_xml_char_production(value):
    from notices.render.ooxml import xml_safe

    clean = xml_safe(value)
    assert clean == expected(value)
    assert all(c in "\t\n" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) >= 0x10000
               for c in clean)
    clean.encode("utf-8")  # no lone surrogate left

"""Schema validation of the .docx and .xlsx files notices writes, with an
independent validator: openxml-audit (ECMA-376, Office 2019 profile, offline).

What it reports and the standard allows is listed in ALLOWED, each with the
reason; everything else reported as an error fails the test."""

from __future__ import annotations

from pathlib import Path

from openxml_audit import OpenXmlValidator, ValidationSeverity


def _font_child_order(error) -> bool:
    """openpyxl writes a font's children in the order ECMA-376 lists them in
    sml.xsd (name, charset, family, b, i, …, color, sz, …). CT_Font there is
    <xsd:choice maxOccurs="unbounded">: any order is valid. The validator uses the
    Open XML SDK's data, which turns that choice into a sequence in the order
    Excel happens to write (b, i, …, sz, color, name, family, charset, scheme)."""
    return (error.part_uri == "/xl/styles.xml" and "/fonts[1]/font[" in (error.path or "")
            and "Unexpected element" in error.description)


ALLOWED = (_font_child_order,)
# Warnings are not failures, for instance Excel_InlineStrCells: an inline string
# cell (<c t="inlineStr">) is standard (ECMA-376 Part 1 §18.3.1.4); the validator
# only notes that Excel moves such strings to a shared table when it next saves.


_VALIDATOR = OpenXmlValidator()


def problems(path: Path) -> list[str]:
    """Errors the validator reports for `path` that the standard does not allow."""
    result = _VALIDATOR.validate(str(path))
    return [f"{e.part_uri} {e.path or ''}: {e.description}" for e in result.errors
            if e.severity == ValidationSeverity.ERROR and not any(allowed(e) for allowed in ALLOWED)]


def assert_valid(path: Path) -> None:
    found = problems(path)
    assert not found, f"{Path(path).name}:\n" + "\n".join(found[:20])

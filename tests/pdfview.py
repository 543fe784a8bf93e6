"""A PDF as a reader sees it: each page's words and lines with their boxes in
millimetres from the page's top-left corner (poppler's ``pdftotext
-bbox-layout``), and PNG pages (``pdftoppm``) for a person to look at.

Boxes are font boxes (ascent to descent), not ink: a glyph's visible top sits a
little below its box's top."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

MM_PER_PT = 25.4 / 72
_X = "{http://www.w3.org/1999/xhtml}"


@dataclass(frozen=True)
class Box:
    text: str
    x0: float  # mm from the page's left edge
    y0: float  # mm from the page's top edge
    x1: float
    y1: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Page:
    no: int  # 1-based
    width: float  # mm
    height: float
    words: list[Box]
    lines: list[Box]  # pdftotext's lines: their words joined without spaces

    def line(self, start: str) -> Box:
        """The first line (top to bottom) whose text starts with `start`."""
        found = [b for b in self.lines if b.text.startswith(start)]
        if not found:
            raise LookupError(f"page {self.no}: no line starts with {start!r}; lines: {[b.text for b in self.lines]}")
        return min(found, key=lambda b: b.y0)

    def text(self) -> str:
        return "".join(b.text for b in self.lines)


def _box(el, text: str) -> Box:
    x0, y0, x1, y1 = (float(el.get(k)) * MM_PER_PT for k in ("xMin", "yMin", "xMax", "yMax"))
    return Box(text, x0, y0, x1, y1)


def pdf_boxes(pdf: Path) -> list[Page]:
    """Every page of `pdf`: size, words and lines, in mm from the top-left."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True))
    pages = []
    for no, page in enumerate(root.iter(_X + "page"), 1):
        lines, words = [], []
        for line in page.iter(_X + "line"):
            ws = [_box(w, w.text or "") for w in line.iter(_X + "word")]
            words += ws
            lines.append(_box(line, "".join(w.text for w in ws)))
        pages.append(Page(no, float(page.get("width")) * MM_PER_PT, float(page.get("height")) * MM_PER_PT,
                          words, lines))
    return pages


def png_pages(pdf: Path, out_dir: Path, dpi: int = 50) -> list[Path]:
    """The pages as PNG files (name-1.png, …) in `out_dir`, for a person to look at."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / pdf.stem
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(pdf), str(prefix)], capture_output=True, check=True)
    return sorted(out_dir.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def hrules(pdf: Path, page: int, dpi: int = 127, min_mm: float = 100.0) -> list[tuple[float, float, float]]:
    """Horizontal rules drawn on `page` (1-based): (y, x0, x1) in mm of each pixel row
    holding a dark run at least `min_mm` long (text never makes one that long)."""
    ppm = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
                         capture_output=True, check=True).stdout
    magic, rest = ppm.split(b"\n", 1)
    dims, rest = rest.split(b"\n", 1)
    _, data = rest.split(b"\n", 1)
    w, h = map(int, dims.split())
    px_mm = 25.4 / dpi
    out = []
    for y in range(h):
        row = data[y * w:(y + 1) * w]
        start = None
        for x in range(w + 1):
            dark = x < w and row[x] < 128
            if dark and start is None:
                start = x
            elif not dark and start is not None:
                if (x - start) * px_mm >= min_mm:
                    out.append((y * px_mm, start * px_mm, x * px_mm))
                start = None
    return out

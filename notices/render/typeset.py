"""Typesetting rules applied to text at render time (Jinja filters in the
templates, see engine.make_env): printed widths, title line breaks, the lead-in
of numbered headings, nested quotation marks. Pure functions.

Title lines (GB/T 9704 §7.3.3: "回行时，要做到词意完整，排列对称，长短适宜，间距
恰当，标题排列应当使用梯形或菱形"): words come from rjieba (jieba's dictionary in
Rust: the dictionary is built in, loads in 0.1 s and has wheels for Windows),
with a few phrases of this domain added so that e.g. 安全生产 is never split.
"""

from __future__ import annotations

import itertools
import math
import re
from functools import lru_cache

from markupsafe import Markup, escape

from .ooxml import LINE_BREAK_IN_TEXT

# One 字 of 3号 is 16 pt; body runs are set 0.25 pt tighter (template_build.CHAR_SPACING)
# so that a line of the 156 mm 版心 holds 28 字 (GB/T 9704 §5.2.2).
ZI_TWIPS = 320


def is_wide(ch: str) -> bool:
    """A character printed one 字 wide (CJK, full-width forms, CJK punctuation)."""
    return ord(ch) >= 0x2E80 or ch in "“”‘’—…"


def zi(text: str) -> float:
    """Printed width in 字: wide characters 1, digits and Latin ½."""
    return sum(1.0 if is_wide(c) else 0.5 for c in text or "")


# Word, WPS and LibreOffice put extra space between CJK and Latin or digits
# (Word: autoSpaceDE/autoSpaceDN, on by default; LibreOffice always, it ignores
# both settings): about a quarter 字 at each change (measured 0.22 字 in
# LibreOffice 7.4), so "2026年11月29日" is about 8¼ 字 wide, not 7.
AUTOSPACE = 0.25


def twips(text: str, size_twips: int = ZI_TWIPS, spacing: int = 0) -> int:
    """Printed width of `text` in twips at a font of `size_twips` per 字, each
    character followed by `spacing` twips (w:spacing of the run), with the
    CJK-digit spacing (AUTOSPACE) at every change between the two."""
    text = text or ""
    changes = sum(1 for a, b in zip(text, text[1:]) if is_wide(a) != is_wide(b) and not (a + b).isspace())
    return round(sum(size_twips if is_wide(c) else size_twips / 2 for c in text) + spacing * len(text)
                 + changes * AUTOSPACE * size_twips)


# --- titles -----------------------------------------------------------------------
# Phrases of safety supervision kept whole, beyond the general dictionary.
PHRASES = ("安全生产", "治本攻坚", "三年行动", "进展情况", "专项整治", "隐患排查", "主要负责人", "安委会", "工作任务",
           "落实情况", "整改情况", "风险隐患", "督促检查", "序时进度")
# A line must not start with a particle or conjunction, nor end with a preposition,
# a conjunction or 的: these bind to the word on the other side.
NO_LINE_START = ("的", "之", "等", "了", "和", "与", "及", "或", "暨", "并")
NO_LINE_END = ("关于", "对于", "对", "就", "在", "的", "之", "和", "与", "及", "或", "暨", "并", "将", "把", "由")


@lru_cache(maxsize=1)
def _segmenter():
    import rjieba

    seg = rjieba.Jieba()
    for phrase in PHRASES:
        seg.add_word(phrase, None, None)
    return seg


def words(text: str) -> list[str]:
    return list(_segmenter().cut(text, False))


def break_points(text: str) -> list[int]:
    """Character offsets where a title may break: between words, not next to a
    word that binds to its neighbour, never inside brackets or quotes."""
    depth, inside = 0, set()
    for i, ch in enumerate(text):
        depth += (ch in "（(《“〔") - (ch in "）)》”〕")
        if depth > 0:
            inside.add(i + 1)
    ws = words(text)
    out, at = [], 0
    for left, right in zip(ws, ws[1:]):
        at += len(left)
        if left in NO_LINE_END or right in NO_LINE_START or at in inside or right[0] in "，,、。；：":
            continue
        out.append(at)
    return out


def _shape_ok(widths: list[float]) -> bool:
    """梯形 (lengths rising or falling) or 菱形 (the middle longest); never a
    rectangle of equal lines nor an hourglass."""
    if len(widths) == 2:
        return widths[0] != widths[1]
    inner = widths[1:-1]
    rising = all(a < b for a, b in zip(widths, widths[1:]))
    falling = all(a > b for a, b in zip(widths, widths[1:]))
    diamond = min(inner) > widths[0] and min(inner) > widths[-1]
    return rising or falling or diamond


# What a title is written in: CJK, CJK and full-width punctuation, digits and Latin.
# Anything else (symbols, private-use characters, line breaks of its own) is left to
# the word processor to break.
_TITLE_TEXT = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2014\u2018\u2019\u201c\u201d\u2026"
                         r"\u00b7 -~]+")


@lru_cache(maxsize=256)
def title_breaks(text: str, per_line: int) -> tuple[str, ...]:
    """`text` as title lines of at most `per_line` 字, broken only at allowed
    points into a 梯形 or 菱形, as even as that allows. A title with no such
    breaking is left to the word processor (one element)."""
    text = text.strip()
    total = zi(text)
    if total <= per_line or not _TITLE_TEXT.fullmatch(text):
        return (text,)
    points = break_points(text)
    for count in range(math.ceil(total / per_line), math.ceil(total / per_line) + 2):
        best = None
        for cuts in itertools.combinations(points, count - 1):
            lines = [text[a:b] for a, b in zip((0, *cuts), (*cuts, len(text)))]
            widths = [zi(line) for line in lines]
            if max(widths) > per_line or not _shape_ok(widths):
                continue
            mean = total / count
            cost = sum((w - mean) ** 2 for w in widths)
            if best is None or cost < best[0]:
                best = (cost, tuple(lines))
        if best:
            return best[1]
    return (text,)


# Written here at once rather than as a "\n" for docxtpl's resolve_listing, so the
# rendered part holds no "\n" and skips that pass over every paragraph (engine._finish).
LINE_BREAK = Markup(LINE_BREAK_IN_TEXT)


def title_lines(text: str, per_line: int = 20) -> Markup:
    """Jinja filter (inside a run's w:t): the title with a line break between its lines."""
    return LINE_BREAK.join(escape(line) for line in title_breaks(str(text or ""), int(per_line)))


# --- headings inside body paragraphs ------------------------------------------------
# GB/T 9704 §7.3.3: "（一）" 楷体, "1." 仿宋 (bold where the office wants it). A heading
# that opens a paragraph runs to its first 。, the paragraph's text follows on.
_LEAD = {
    2: re.compile(r"^（[一二三四五六七八九十]+）[^。]*。?"),
    3: re.compile(r"^\d+[.．、]\s*[^。]*。?"),
}


@lru_cache(maxsize=4096)  # a template asks for each paragraph's lead several times
def heading_lead(text: str, level: int) -> str:
    """The opening heading of a paragraph at `level` (2: "（一）…。", 3: "1. …。"), or ""."""
    m = _LEAD[int(level)].match(text or "")
    return nest_quotes(m.group(0)) if m else ""


@lru_cache(maxsize=4096)
def heading_rest(text: str) -> str:
    """The paragraph after its opening heading (all of it when it has none)."""
    for pattern in _LEAD.values():
        m = pattern.match(text or "")
        if m:
            return nest_quotes(text[m.end():]) if m.end() < len(text) else ""
    return nest_quotes(text or "")


# --- quotation marks ----------------------------------------------------------------
def nest_quotes(text: str) -> str:
    """Quotes inside quotes become single (GB/T 15834 §4.1: “…‘…’…”). Only
    when every “ has its ”: unbalanced text is left as it is."""
    if "“" not in text or text.count("“") != text.count("”"):
        return text
    out, depth = [], 0
    for ch in text:
        if ch == "“":
            out.append("‘" if depth % 2 else "“")
            depth += 1
        elif ch == "”":
            depth -= 1
            if depth < 0:
                return text
            out.append("’" if depth % 2 else "”")
        else:
            out.append(ch)
    return "".join(out)


FILTERS = {"zi": zi, "twips": twips, "title_lines": title_lines, "heading_lead": heading_lead,
           "heading_rest": heading_rest, "quotes": nest_quotes}

"""Which column of an office's 序时进度表 holds what, from its header words.

Offices head the same columns differently: 任务名称 / 重点任务 / 工作任务,
任务内容 / 工作举措 / 工作措施 / 目标任务, 具体要求 / 工作要求, 完成时间 / 完成时限 /
时间节点, 责任单位 / 牵头单位 + 配合单位 / 协同单位, an optional 序号, 备注. The
columns are found by these words (a header may span two rows: 责任单位 over
牵头单位 | 配合单位). Of the text columns (名称, 内容, 要求), three mean category,
task and requirement (our own layout); two mean task and requirement; one is
both. When the words are not found, ``--columns 任务=B,要求=C,时间=F,牵头=D,配合=E``
says it outright.

Roles: 类别 (category), 序号 (task number), 任务, 要求, 时间, 牵头 (责任单位), 配合, 备注.
"""

from __future__ import annotations

import re
import unicodedata

from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import NoticesError, Problem

ROLES = ("类别", "序号", "任务", "要求", "时间", "牵头", "配合", "备注")
HEADER_SCAN = 10

# Header words by what the column holds; exact words first, then words a header starts with.
WORDS = {
    "类别": ("任务类别", "类别", "工作类别", "任务分类", "分类"),
    "序号": ("序号", "编号", "任务序号", "序"),
    "名称": ("任务名称", "重点任务", "工作任务", "主要任务", "重点工作", "任务", "工作项目", "项目"),
    "内容": ("任务内容", "工作举措", "工作措施", "目标任务", "主要措施", "工作内容", "具体措施", "措施", "工作目标",
             "主要内容", "举措"),
    "要求": ("具体要求", "工作要求", "任务要求", "具体任务", "完成标准", "目标要求", "要求"),
    "时间": ("完成时间", "完成时限", "时间节点", "完成期限", "完成时间节点", "时限要求", "时间要求", "完成时限要求",
             "时限", "时间", "进度安排", "时间安排", "完成时间要求"),
    "牵头": ("责任单位", "牵头单位", "责任部门", "牵头部门", "主责单位", "责任主体", "牵头责任单位", "牵头负责单位",
             "牵头", "责任领导和单位"),
    "配合": ("配合单位", "协同单位", "配合部门", "协办单位", "参与单位", "协同部门", "协作单位", "配合"),
    "备注": ("备注", "说明"),
}
_LOOKUP = {word: kind for kind, words in WORDS.items() for word in words}
# Explicit mapping keys (--columns) and what they mean.
KEYS = {"类别": "类别", "分类": "类别", "序号": "序号", "任务": "任务", "名称": "任务", "内容": "任务",
        "要求": "要求", "措施": "要求", "时间": "时间", "时限": "时间", "完成时间": "时间", "牵头": "牵头",
        "责任": "牵头", "责任单位": "牵头", "配合": "配合", "协同": "配合", "配合单位": "配合", "备注": "备注"}


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def word_kind(text: str) -> str | None:
    """"完成时限（年月）" -> 时间; None for a cell that is no header word."""
    key = _key(text)
    if key in _LOOKUP:
        return _LOOKUP[key]
    bare = re.sub(r"[（(].*?[）)]$", "", key)
    if bare in _LOOKUP:
        return _LOOKUP[bare]
    for word, kind in sorted(_LOOKUP.items(), key=lambda kv: -len(kv[0])):
        if len(word) >= 3 and key.startswith(word) and len(key) <= len(word) + 6:
            return kind
    return None


def header_kinds(values: dict[int, str]) -> dict[str, int]:
    """Header word kind -> its (first) column, for one row."""
    found: dict[str, int] = {}
    for col in sorted(values):
        kind = word_kind(values[col])
        if kind and kind not in found:
            found[kind] = col
    return found


def roles_of(kinds: dict[str, int]) -> dict[str, int] | None:
    """The column of each role from the header kinds; None if the row is no header."""
    texts = [k for k in ("名称", "内容", "要求") if k in kinds]
    if "时间" not in kinds or "牵头" not in kinds or not texts:
        return None
    cols = {role: kinds[role] for role in ("类别", "序号", "时间", "牵头", "配合", "备注") if role in kinds}
    if len(texts) == 3 and "类别" not in cols:
        cols.update(类别=kinds["名称"], 任务=kinds["内容"], 要求=kinds["要求"])
    elif len(texts) >= 2:
        cols.update(任务=kinds[texts[0]], 要求=kinds[texts[-1]])
    else:
        cols.update(任务=kinds[texts[0]], 要求=kinds[texts[0]])
    return cols


def find_header(rows, scan: int = HEADER_SCAN) -> tuple[int, int, dict[str, int]] | None:
    """(header row index, first body row index, roles) within the first rows."""
    for i, row in enumerate(rows[:scan]):
        cols = roles_of(header_kinds(row.values))
        if cols is None:
            continue
        body = i + 1
        if body < len(rows):  # 责任单位 over 牵头单位 | 配合单位 (cells merged down repeat the row above)
            new = {c: v for c, v in rows[body].values.items() if v != row.values.get(c)}
            below = header_kinds(new)
            if below and set(below) <= {"牵头", "配合"}:
                cols.update(below)
                body += 1
        return i, body, cols
    return None


def is_header_row(values: dict[int, str], cols: dict[str, int]) -> bool:
    """A header repeated mid-table (a new page, a pasted section)."""
    return sum(1 for col in set(cols.values()) if word_kind(values.get(col, ""))) >= 3


def parse_columns(spec: str) -> dict[str, int]:
    """"任务=B,要求=C,时间=F,牵头=D,配合=E" -> role -> 0-based column (letters or 1-based numbers)."""
    cols: dict[str, int] = {}
    for part in re.split(r"[,，;；\s]+", unicodedata.normalize("NFKC", spec or "").strip()):
        if not part:
            continue
        if "=" not in part:
            raise NoticesError(f"--columns 中“{part}”应写成 名称=列，如 任务=B")
        key, value = (x.strip() for x in part.split("=", 1))
        role = KEYS.get(key)
        if role is None:
            raise NoticesError(f"--columns 中“{key}”不是可指定的列，可用：{'、'.join(ROLES)}")
        try:
            col = int(value) - 1 if value.isdigit() else column_index_from_string(value.upper()) - 1
        except ValueError:
            col = -1
        if col < 0:
            raise NoticesError(f"--columns 中“{part}”的列应写成字母（如 B）或从 1 起的序号")
        cols[role] = col
    missing = [r for r in ("任务", "时间", "牵头") if r not in cols]
    if missing:
        raise NoticesError(f"--columns 至少要指定 任务、时间、牵头 三列，缺少：{'、'.join(missing)}")
    cols.setdefault("要求", cols["任务"])
    return cols


def explicit_header(rows, cols: dict[str, int], scan: int = HEADER_SCAN) -> tuple[int, int]:
    """With --columns: the header row is the first row whose 时间 and 任务 cells are
    header words or labels, not data; (-1, 0) if the table has none."""
    for i, row in enumerate(rows[:scan]):
        time, task = row.get(cols["时间"]), row.get(cols["任务"])
        if time and task and (word_kind(time) == "时间" or not re.search(r"\d|[一二三四五六七八九十]", time)):
            return i, i + 1
    return -1, 0


def columns_found(label: str, rows, scan: int = HEADER_SCAN) -> Problem:
    """What the likeliest header row holds, for the message when inference fails."""
    candidates = [r for r in rows[:scan] if r.values]
    if not candidates:
        return Problem(label, "前几行没有任何内容")
    # The likeliest header: most header words, then most short cells (headers are short).
    row = max(candidates, key=lambda r: (len(header_kinds(r.values)), sum(len(v) <= 12 for v in r.values.values())))

    def shown(text: str) -> str:
        text = text.replace("\n", "")
        return text if len(text) <= 12 else text[:12] + "……"

    listed = "、".join(f"{get_column_letter(c + 1)} {shown(row.values[c])}" for c in sorted(row.values))
    kinds = header_kinds(row.values)
    missing = [name for name, ok in (("完成时间", "时间" in kinds), ("责任单位", "牵头" in kinds),
                                     ("任务或具体要求", any(k in kinds for k in ("名称", "内容", "要求")))) if not ok]
    return Problem(f"{label} 第{row.number}行",
                   f"找到的列：{listed}；未能认出{'、'.join(missing)}所在的列。请用 --columns 指明各列，"
                   f"如 --columns 任务=B,要求=C,时间=F,牵头=D,配合=E（可加 类别=、序号=、备注=）")

"""`notices register reply/void/verify`: what each tells, for the CLI and the web page."""

from __future__ import annotations

from ..errors import NoticesError
from ..file.register import DocRecord, Register, Reply
from ..textfmt import cn_date


def reply_line(reply: Reply) -> str:
    return f"已登记答复：{reply.doc_number}，{cn_date(reply.date)}" + (f"，{reply.note}" if reply.note else "") + "。"


def void_lines(record: DocRecord) -> list[str]:
    lines = [f"已作废：{record.doc_number}（{record.void_reason}）。该文号保留在登记簿中，不再使用。"]
    if record.outputs:
        lines.append("已生成的文件仍在原处，未删除：" + "、".join(o.path for o in record.outputs))
    return lines


def verify_lines(register: Register) -> tuple[list[str], NoticesError | None]:
    """Each recorded file re-hashed: the lines to tell (a file that differs, each; or the
    all-clear), and the error to end with when any differs."""
    checks = register.verify()
    if not checks:
        return ["登记簿中还没有已生成的文件，无需核对。"], None
    bad = [c for c in checks if c.state != "ok"]
    if not bad:
        return [f"共核对 {len(checks)} 个文件，全部与登记时一致。"], None
    return [f"{c.doc_number}  {c.path}：{c.state_zh}" for c in bad], NoticesError(
        f"共核对 {len(checks)} 个文件，{len(bad)} 个与登记时不符（改动 {sum(c.state == 'changed' for c in bad)} 个，"
        f"不存在 {sum(c.state == 'missing' for c in bad)} 个）")


def subjects_text(record: DocRecord, directory) -> str:
    """The units a document takes up, by their names today (the register keeps ids):
    "某某局（5-1、10-1）；…", or "—"."""
    return "；".join(f"{(directory.name_for_key(key) if directory else None) or key}（{'、'.join(items)}）"
                    for key, items in record.subjects.items()) or "—"

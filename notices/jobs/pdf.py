"""`notices pdf`: PDF/A copies of issued documents from the register.

The documents are chosen from the register (a year, a kind, or 文号), their
recorded .docx files converted in one LibreOffice run (notices.file.pdf), the
PDFs written next to the .docx (same name) or into one folder. Existing PDFs
are left alone unless forced. Each new PDF is checked for its PDF/A marker and
for fonts the document asks for but the PDF had to replace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import NoticesError
from ..file.pdf import ConversionError, Converted, convert, font_substitutions, pdfa_level
from ..file.register import CLOSE, DocRecord, Register, file_sha256, normalize_number
from ..project import Project, db_path
from ..textfmt import path_label

EVIDENCE_STAYS = "销号登记的是单位报来的佐证材料，按原格式归档（notices archive），不转换为 PDF"


def pdf_settings(project: Project) -> dict:
    """convert() keywords from [pdf] of notices.toml: soffice, timeout, workers."""
    section = project.config.section("pdf")
    timeout, workers = section.get("timeout", 60), section.get("workers", 0)
    if timeout <= 0:
        raise NoticesError(f"notices.toml 的 [pdf] timeout 应为正数（秒），现在是 {timeout}")
    if workers < 0:
        raise NoticesError(f"notices.toml 的 [pdf] workers 应为 0（自动）或正整数，现在是 {workers}")
    return {"soffice": section.get("soffice", ""), "timeout": float(timeout), "workers": int(workers)}


@dataclass(frozen=True)
class Item:
    doc_number: str
    docx: Path
    pdf: Path


@dataclass
class Selection:
    todo: list[Item] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)  # the PDF is there already
    missing: list[Item] = field(default_factory=list)  # the recorded .docx is gone
    changed: list[Item] = field(default_factory=list)  # to convert, but no longer what the register recorded

    def __len__(self) -> int:
        return len(self.todo) + len(self.skipped) + len(self.missing)


@dataclass
class Outcome:
    made: list[Item] = field(default_factory=list)
    failed: list[tuple[Item, str]] = field(default_factory=list)  # (item, why, in Chinese)
    not_pdfa: list[Item] = field(default_factory=list)
    # (requested font, used instead) -> the PDFs concerned
    substitutions: dict[tuple[str, str], list[Item]] = field(default_factory=dict)
    unchecked: list[Item] = field(default_factory=list)  # PDFs whose fonts could not be read


def _scope(year: int | None, kind: str | None) -> str:
    return (f"{year} 年的" if year else "") + (kind or "文件")


def select(project: Project, year: int | None = None, kind: str | None = None,
           numbers: Iterable[str] = (), out: Path | None = None, force: bool = False) -> Selection:
    """The issued documents asked for: by 文号 (as staff type them), or by year and kind."""
    numbers = list(dict.fromkeys(normalize_number(n) for n in numbers))
    if numbers and (year is not None or kind is not None):
        raise NoticesError("按文号转换时不要再用 --year 或 --kind")
    if not numbers and year is None and kind is None:
        raise NoticesError("请指定要转换的文件：--year 年份、--kind 文种，或一个或多个文号")
    if kind == CLOSE:
        raise NoticesError(EVIDENCE_STAYS)
    reg = Register(db_path(project), root=project.root)
    if numbers:
        records = [reg.get(n) for n in numbers]
        for r in records:
            if r.kind == CLOSE:
                raise NoticesError(f"{r.doc_number}：{EVIDENCE_STAYS}")
            if r.status == "void":
                raise NoticesError(f"{r.doc_number} 已作废（{r.void_reason}），不转换")
            if r.status != "issued":
                raise NoticesError(f"{r.doc_number} 只编了号、尚未生成文件，无可转换")
    else:
        # a 销号's files are the unit's evidence, not documents of ours
        records = [r for r in reg.list(year=year, kind=kind) if r.status == "issued" and r.kind != CLOSE]
        if not records:
            raise NoticesError(f"登记簿中没有已生成的{_scope(year, kind)}。用 notices register list 查看登记的文件")
    selection = Selection()
    for record in records:
        recorded = {reg.resolve(o.path): o.sha256 for o in record.outputs}
        for item in _items(reg, record, out):
            if not item.docx.is_file():
                selection.missing.append(item)
            elif item.pdf.exists() and not force:
                selection.skipped.append(item)
            else:
                selection.todo.append(item)
                if file_sha256(item.docx) != recorded.get(item.docx):
                    selection.changed.append(item)
    if not len(selection):
        raise NoticesError(f"登记的{_scope(year, kind)}中没有 Word 文件（.docx）可转换")
    return selection


def _items(reg: Register, record: DocRecord, out: Path | None) -> list[Item]:
    items = []
    for output in record.outputs:
        docx = reg.resolve(output.path)
        if docx.suffix.lower() == ".docx":
            items.append(Item(record.doc_number, docx, (out or docx.parent) / (docx.stem + ".pdf")))
    return items


def run(project: Project, selection: Selection, force: bool = False,
        progress: Callable[[Item, Converted], None] | None = None) -> Outcome:
    """Convert selection.todo to PDF/A in one LibreOffice run, then check each new PDF.

    Raises NoticesError only when nothing could be tried (LibreOffice missing, an
    existing PDF in the way); failures of single documents are in the outcome."""
    outcome = Outcome()
    if not selection.todo:
        return outcome
    by_source = {item.docx: item for item in selection.todo}

    def done(result: Converted) -> None:
        item = by_source[result.source]
        if result.ok:
            outcome.made.append(item)
        else:
            outcome.failed.append((item, result.status_zh))
        if progress is not None:
            progress(item, result)

    try:
        convert([i.docx for i in selection.todo], [i.pdf.parent for i in selection.todo], pdfa=True,
                overwrite=force, progress=done, **pdf_settings(project))
    except ConversionError:
        pass  # every document's outcome came through `done`
    for item in outcome.made:
        try:
            if pdfa_level(item.pdf) is None:
                outcome.not_pdfa.append(item)
            for pair in font_substitutions(item.docx, item.pdf):
                outcome.substitutions.setdefault(pair, []).append(item)
        except NoticesError:
            outcome.unchecked.append(item)
    return outcome


def convert_selection(project: Project, selection: Selection, force: bool, say: Callable[[str], None],
                      warn: Callable[[str], None], bad: Callable[[str], None]) -> Outcome:
    """`notices pdf` after choosing: refuse changed Word files unless forced, convert,
    and tell each step as the command does — ``say`` a line, ``warn`` a 注意, ``bad``
    a failure. Raises NoticesError naming every file that could not be converted."""
    from ..file.pdf import substitution_message

    root = project.root
    if selection.changed:
        names = "、".join(f"{i.doc_number}（{path_label(i.docx, root)}）" for i in selection.changed)
        if not force:
            raise NoticesError(f"{len(selection.changed)} 个 Word 文件与发文登记时不一致（SHA-256 不同，发出后被改动过）：{names}。"
                               f"未转换任何文件。请用 notices register verify 核对；确需按改动后的内容转换，请加 --force")
        warn(f"注意：以下 Word 文件与发文登记时不一致（发出后被改动过），按 --force 照现在的内容转换：{names}")
    for item in selection.skipped:
        say(f"跳过（已有 PDF）：{item.doc_number}  {path_label(item.pdf, root)}")
    for item in selection.missing:
        bad(f"找不到 Word 文件：{item.doc_number}  {path_label(item.docx, root)}")
    total = len(selection.todo)
    if total:
        say(f"正在转换 {total} 个文件为 PDF/A……")
    count = iter(range(1, total + 1))

    def progress(item, result):
        line = f"  [{next(count)}/{total}] {result.status_zh}：{item.doc_number}  {path_label(item.pdf, root)}"
        say(line) if result.ok else bad(line)

    outcome = run(project, selection, force=force, progress=progress)
    failed = len(outcome.failed) + len(selection.missing)
    summary = f"共 {len(selection)} 个文件：已转换 {len(outcome.made)} 个"
    if selection.skipped:
        summary += f"，跳过 {len(selection.skipped)} 个（已有 PDF，加 --force 重新转换）"
    say(summary + (f"，失败 {failed} 个。" if failed else "。"))
    for (requested, used), items in outcome.substitutions.items():
        message = substitution_message(requested, used).replace("；", f"（{len(items)} 个文件）；", 1)
        warn(f"注意：{message}（加 --force）。")
    if outcome.not_pdfa:
        warn(f"注意：{len(outcome.not_pdfa)} 个 PDF 未标明 PDF/A，可能是 LibreOffice 版本过旧（需 7.4 或更高）："
             + "、".join(i.pdf.name for i in outcome.not_pdfa))
    if outcome.unchecked:
        warn("注意：未能读取这些 PDF 的字体，未做字体检查：" + "、".join(i.pdf.name for i in outcome.unchecked))
    if failed:
        reasons = [f"{i.doc_number}（{path_label(i.docx, root)}）：文件不存在" for i in selection.missing]
        reasons += [f"{i.doc_number}（{i.docx.name}）：{why}" for i, why in outcome.failed]
        raise NoticesError(f"{failed} 个文件未能转为 PDF：" + "；".join(reasons))
    return outcome

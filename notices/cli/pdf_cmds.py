"""`notices pdf`: PDF/A copies of issued documents (notices.jobs.pdf)."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import NoticesError
from . import main, project_from


def _kind(ctx, param, value):
    if value is None:
        return None
    from ..file.register import kind_name

    try:
        return kind_name(value)
    except NoticesError as exc:
        raise click.BadParameter(exc.message) from None


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


@main.command("pdf")
@click.argument("numbers", nargs=-1, metavar="[文号]...")
@click.option("--year", "-y", type=int, metavar="年份", help="转换该年的全部已生成文件，如 2026。")
@click.option("--kind", "-k", callback=_kind, metavar="文种", help="只转换该文种：督办函、通报 或 约谈通知书。")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="PDF 存入该文件夹；默认与 Word 文件放在一起（同名）。")
@click.option("--force", is_flag=True, help="已有 PDF 时重新转换并覆盖；Word 文件发出后被改动过的，也照现在的内容转换。")
@click.pass_context
def pdf_cmd(ctx, numbers, year, kind, out, force):
    """把登记簿中已生成的督办函、通报、约谈通知书转为 PDF/A（长期保存格式），供归档和发送。

    \b
    示例：
      notices pdf --year 2026               2026 年的全部文件
      notices pdf --year 2026 --kind 督办函  2026 年的督办函
      notices pdf 某安委办函〔2026〕12号     指定文号（可写多个，[ ] 或【 】也可以）

    需要 LibreOffice（见 README“字体与 LibreOffice”）。已有的 PDF 不会覆盖，除非加 --force。
    Word 文件与发文登记时不一致（发出后被改动过）的，不转换，除非加 --force（并提示）。
    转换后检查字体：本机缺少公文字体、PDF 用了替代字体时会提示。
    """
    from ..file.pdf import substitution_message
    from ..jobs.pdf import run, select

    project = project_from(ctx, writes=True)
    root = project.root
    selection = select(project, year, kind, numbers, out, force)
    if selection.changed:
        names = "、".join(f"{i.doc_number}（{_shown(i.docx, root)}）" for i in selection.changed)
        if not force:
            raise NoticesError(f"{len(selection.changed)} 个 Word 文件与发文登记时不一致（SHA-256 不同，发出后被改动过）：{names}。"
                               f"未转换任何文件。请用 notices register verify 核对；确需按改动后的内容转换，请加 --force")
        click.secho(f"注意：以下 Word 文件与发文登记时不一致（发出后被改动过），按 --force 照现在的内容转换：{names}",
                    fg="yellow", err=True)
    for item in selection.skipped:
        click.echo(f"跳过（已有 PDF）：{item.doc_number}  {_shown(item.pdf, root)}")
    for item in selection.missing:
        click.secho(f"找不到 Word 文件：{item.doc_number}  {_shown(item.docx, root)}", fg="red", err=True)
    total = len(selection.todo)
    if total:
        click.echo(f"正在转换 {total} 个文件为 PDF/A……")
    count = iter(range(1, total + 1))

    def progress(item, result):
        line = f"  [{next(count)}/{total}] {result.status_zh}：{item.doc_number}  {_shown(item.pdf, root)}"
        click.echo(line) if result.ok else click.secho(line, fg="red", err=True)

    outcome = run(project, selection, force=force, progress=progress)
    failed = len(outcome.failed) + len(selection.missing)
    summary = f"共 {len(selection)} 个文件：已转换 {len(outcome.made)} 个"
    if selection.skipped:
        summary += f"，跳过 {len(selection.skipped)} 个（已有 PDF，加 --force 重新转换）"
    click.echo(summary + (f"，失败 {failed} 个。" if failed else "。"))
    for (requested, used), items in outcome.substitutions.items():
        message = substitution_message(requested, used).replace("；", f"（{len(items)} 个文件）；", 1)
        click.secho(f"注意：{message}（加 --force）。", fg="yellow", err=True)
    if outcome.not_pdfa:
        click.secho(f"注意：{len(outcome.not_pdfa)} 个 PDF 未标明 PDF/A，可能是 LibreOffice 版本过旧（需 7.4 或更高）："
                    + "、".join(i.pdf.name for i in outcome.not_pdfa), fg="yellow", err=True)
    if outcome.unchecked:
        click.secho("注意：未能读取这些 PDF 的字体，未做字体检查：" + "、".join(i.pdf.name for i in outcome.unchecked),
                    fg="yellow", err=True)
    if failed:
        reasons = [f"{i.doc_number}（{_shown(i.docx, root)}）：文件不存在" for i in selection.missing]
        reasons += [f"{i.doc_number}（{i.docx.name}）：{why}" for i, why in outcome.failed]
        raise NoticesError(f"{failed} 个文件未能转为 PDF：" + "；".join(reasons))

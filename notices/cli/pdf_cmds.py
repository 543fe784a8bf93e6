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


@main.command("pdf")
@click.argument("numbers", nargs=-1, metavar="[文号]...")
@click.option("--year", "-y", type=int, metavar="年份", help="转换该年的全部已生成文件，如 2026。")
@click.option("--kind", "-k", callback=_kind, metavar="文种", help="只转换该文种：督办函、通报、约谈通知书、工作提醒 或 曝光（销号的佐证材料按原格式归档，不转换）。")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="PDF 存入该文件夹；默认与 Word 文件放在一起（同名）。")
@click.option("--force", is_flag=True, help="已有 PDF 时重新转换并覆盖；Word 文件发出后被改动过的，也照现在的内容转换。")
@click.pass_context
def pdf_cmd(ctx, numbers, year, kind, out, force):
    """把登记簿中已生成的督办函、通报、约谈通知书、工作提醒、曝光通报转为 PDF/A（长期保存格式），供归档和发送。

    \b
    示例：
      notices pdf --year 2026               2026 年的全部文件
      notices pdf --year 2026 --kind 督办函  2026 年的督办函
      notices pdf 某安委办函〔2026〕12号     指定文号（可写多个，[ ] 或【 】也可以）

    需要 LibreOffice（见 README“字体与 LibreOffice”）。已有的 PDF 不会覆盖，除非加 --force。
    Word 文件与发文登记时不一致（发出后被改动过）的，不转换，除非加 --force（并提示）。
    转换后检查字体：本机缺少公文字体、PDF 用了替代字体时会提示。
    """
    from ..jobs.pdf import convert_selection, select

    project = project_from(ctx, writes=True)
    selection = select(project, year, kind, numbers, out, force)
    convert_selection(project, selection, force, say=click.echo,
                      warn=lambda line: click.secho(line, fg="yellow", err=True),
                      bad=lambda line: click.secho(line, fg="red", err=True))

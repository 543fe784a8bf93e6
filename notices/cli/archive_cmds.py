"""`notices archive`: the year's filing package, and its check."""

from __future__ import annotations

import click

from . import main, project_from



@main.group("archive", invoke_without_command=True)
@click.option("--year", "-y", type=int, metavar="年度", help="归档年度，如 2026。")
@click.pass_context
def archive_group(ctx, year):
    """年度归档：每份已发文件为一件，转为 PDF/A，编档号，生成归档文件目录、元数据和摘要清单。

    结果在 outputs/归档/<年度>/。再次运行只增加新发的文件，已归档的件不改号、不重写。
    档号所需的全宗号、机构代码和各文种保管期限在 notices.toml 的 [archive] 中设置。
    """
    if ctx.invoked_subcommand is not None:
        return
    if year is None:
        click.echo(ctx.get_help())
        return
    from ..jobs.archive import archive_year

    archive_year(project_from(ctx, writes=True), year, say=click.echo,
                 warn=lambda line: click.secho(line, fg="yellow", err=True))


@archive_group.command("verify")
@click.option("--year", "-y", type=int, required=True, metavar="年度", help="要核对的归档年度。")
@click.pass_context
def verify_cmd(ctx, year):
    """重新计算归档文件的 SHA-256 和 SM3 摘要，核对件号是否连续，列出被改动、缺失和多出的文件。"""
    from ..jobs.archive import verify_lines

    lines, ok = verify_lines(project_from(ctx, writes=True), year)
    for line in lines[:-1]:
        click.echo(line)
    if not ok:
        click.secho(lines[-1], fg="red", err=True)
        ctx.exit(1)
    click.echo(lines[-1])

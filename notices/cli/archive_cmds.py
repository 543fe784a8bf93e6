"""`notices archive`: the year's filing package, and its check."""

from __future__ import annotations

import click

from ..errors import NoticesError
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
    from ..jobs.archive import build_archive

    result = build_archive(project_from(ctx, writes=True), year)
    for item in result.new:
        click.echo(f"已归档：{item.archival_code}  {item.doc_number}  {item.pages} 页")
    for number, reason in result.skipped:
        click.secho(f"未归档：{number}：{reason}", fg="yellow", err=True)
    for record in result.voided:
        click.echo(f"作废文号（列入目录附表，不归档）：{record.doc_number}")
    for item in result.marked:
        click.echo(f"归档后作废：{item.archival_code}  {item.doc_number}（已在目录备注和该件元数据中注明，件号不变）")
    for line in result.warnings:
        click.secho(f"注意：{line}", fg="yellow", err=True)
    click.echo(f"{year} 年度：新归档 {len(result.new)} 件，此前已归档 {len(result.existing)} 件，"
               f"作废文号 {len(result.voided)} 个。归档文件在 {result.folder}")
    if result.skipped:
        raise NoticesError(f"有 {len(result.skipped)} 个文号未归档（原因见上）。处理后重新运行 notices archive --year {year}"
                           f" 即可补上，已归档的件不变")


@archive_group.command("verify")
@click.option("--year", "-y", type=int, required=True, metavar="年度", help="要核对的归档年度。")
@click.pass_context
def verify_cmd(ctx, year):
    """重新计算归档文件的 SHA-256 和 SM3 摘要，核对件号是否连续，列出被改动、缺失和多出的文件。"""
    from ..jobs.archive import verify_archive

    findings, notes = verify_archive(project_from(ctx, writes=True), year)
    for line in notes:
        click.echo(f"说明：{line}")
    for f in findings:
        click.echo(f"{f.state_zh}：{f.path}" + (f"（{f.detail}）" if f.detail else ""))
    if findings:
        click.secho(f"核对未通过：{len(findings)} 处问题。", fg="red", err=True)
        ctx.exit(1)
    click.echo(f"{year} 年度归档核对通过：全部文件摘要一致，件号连续，没有多出的文件。")

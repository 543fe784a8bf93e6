"""`notices issue`: 督办函 (通报 and 约谈通知书 follow)."""

from __future__ import annotations

import datetime as dt

import click

from . import main, parse_date, project_from


@main.group("issue")
def issue_group():
    """发文：督办函（通报、约谈通知书待实现）。文号在登记簿中依次分配，重复运行不重复发文。"""


@issue_group.command("duban")
@click.option("--as-of", "as_of", metavar="日期", help="进展截至日期，默认今天。")
@click.option("--date", "issued_on", metavar="日期", help="成文日期，默认今天。")
@click.option("--unit", "-u", "units", multiple=True, metavar="单位", help="只给该单位发（可重复）；默认发给所有有逾期或未报送事项的单位。")
@click.option("--dry-run", is_flag=True, help="只列出将要发出的督办函（文号为暂定），不写文件、不登记。")
@click.pass_context
def issue_duban_cmd(ctx, as_of, issued_on, units, dry_run):
    """给有逾期或未报送事项的单位发督办函，每个单位一份，存入 outputs/<年>/督办函/。"""
    from ..jobs.issue import issue_duban

    project = project_from(ctx)
    today = dt.date.today()
    done = issue_duban(project, parse_date(as_of) or today, parse_date(issued_on) or today, list(units) or None, dry_run)
    if not done:
        click.echo("没有需要发督办函的单位。")
    for item in done:
        if dry_run:
            click.echo(f"将发：{item.doc_number}  {item.unit}" + ("（已发过，不会重复）" if item.existing else ""))
        elif item.existing:
            click.echo(f"已存在：{item.doc_number}  {item.unit}（本批已发过，未重复发文）")
        else:
            click.echo(f"已发：{item.doc_number}  {item.unit}  {item.path}")
    if not dry_run:
        new = sum(1 for i in done if not i.existing)
        click.echo(f"共 {len(done)} 个单位，新发 {new} 份。")

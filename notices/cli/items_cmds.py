"""`notices extend` and `notices close`: 延期 and 销号 of single items."""

from __future__ import annotations

from pathlib import Path

import click

from ..textfmt import cn_date
from . import main, parse_date, project_from


class FilesOption(click.Option):
    """An option that takes every word after it up to the next option: --evidence a.pdf b.jpg."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("multiple", True)
        super().__init__(*args, **kwargs)

    def add_to_parser(self, parser, ctx):
        super().add_to_parser(parser, ctx)
        option = next(o for name in self.opts if (o := parser._long_opt.get(name) or parser._short_opt.get(name)))
        original = option.process

        def process(value, state):
            values = [value]
            while state.rargs and not state.rargs[0].startswith("-"):
                values.append(state.rargs.pop(0))
            for v in values:
                original(v, state)

        option.process = process


@main.command("extend")
@click.argument("unit", required=False, metavar="单位")
@click.argument("item", nargs=-1, metavar="事项")
@click.option("--to", "to", metavar="日期", help="延期至该日期，如 2027-01-31。")
@click.option("--reason", metavar="理由", help="延期（或不予延期）的理由。")
@click.option("--approved-by", "approved_by", metavar="批准人", help="批准（或决定不予延期）的人，如“县安委办主任张某”。")
@click.option("--doc", metavar="文号", default="", help="批准延期的文件文号（如有）。")
@click.option("--date", "on", metavar="日期", help="批准日期，默认今天。")
@click.option("--refuse", is_flag=True, help="不予延期：登记办公室的决定，该申请不再列为待决定。")
@click.option("--force", is_flag=True, help="事项已过完成时间仍登记延期（逾期后补办），记入办理记录。")
@click.pass_context
def extend_cmd(ctx, unit, item, to, reason, approved_by, doc, on, refuse, force):
    """登记经批准的延期：notices extend 单位 事项 --to 日期 --reason 理由 --approved-by 批准人 [--doc 文号]。

    \b
    事项写法与填报表、督办函中的一样：7-1，或按周期重复的 7-1 2026年第四季度。
    延期后，状态、督办函、通报和序时进度表都按新的日期判断，并写明“经批准延期至…”；
    原完成时间保留在办理记录中。延期须在完成时间之前批准，逾期后的须加 --force。
    不写单位和事项时，列出各单位在填报表中提出、尚待决定的延期申请和已批准的延期。
    """
    from ..errors import NoticesError
    from ..jobs.items import extend, extension_lines, pending_requests, refuse as refuse_item

    project = project_from(ctx, writes=bool(unit))
    if not unit:
        requests = pending_requests(project)
        click.echo(f"待决定的延期申请（{len(requests)} 项）：" if requests else "没有待决定的延期申请。")
        for r in requests:
            click.echo(f"  {r['unit_name']} {r['words']}：申请延期至{cn_date(r['to'])}；理由：{r['reason'] or '未写'}"
                       f"（{r['round_id']}轮填报，{r['source']}）")
        lines = extension_lines(project)
        if lines:
            click.echo(f"已批准的延期（{len(lines)} 项）：")
            for line in lines:
                click.echo(f"  {line}")
        return
    if not item:
        raise click.UsageError("请写明事项，如 notices extend 应急局 7-1 --to 2027-01-31 …")
    day = parse_date(on)
    if refuse:
        step = refuse_item(project, unit, list(item), reason, approved_by, day)
        click.echo(f"已登记：不予延期（{cn_date(step.day)}，{step.actor}决定；理由：{step.detail['reason']}）。")
        return
    if not to:
        raise NoticesError("请用 --to 写明延期至哪一天，如 --to 2027-01-31")
    ext, step = extend(project, unit, list(item), parse_date(to), reason, approved_by, doc, day, force)
    from ..jobs.items import item_words

    registry, _ = project.load()
    click.echo(f"已登记延期：{ext.unit} {item_words(registry, step.item)}，"
               f"由{cn_date(ext.original)}延期至{cn_date(ext.to)}（{cn_date(ext.approved_on)}经{ext.approved_by}批准"
               + (f"，{ext.doc_number}" if ext.doc_number else "") + "）。")
    if "late" in step.detail:
        click.secho(f"注意：{step.detail['late']}。", fg="yellow", err=True)


@main.command("close")
@click.argument("unit", metavar="单位")
@click.argument("item", nargs=-1, required=True, metavar="事项")
@click.option("--date", "on", metavar="日期", help="（必填）销号日期（核验完成的日期），如 2026-12-20。")
@click.option("--evidence", cls=FilesOption, type=click.Path(dir_okay=False, path_type=Path), metavar="文件…",
              help="佐证材料文件，可写多个（--evidence 验收报告.pdf 现场照片.jpg）。")
@click.option("--by", "by", default="", metavar="核验人", help="核验人。")
@click.option("--note", default="", metavar="说明", help="销号说明。")
@click.pass_context
def close_cmd(ctx, unit, item, on, evidence, by, note):
    """销号：核验某单位某事项已完成，佐证材料复制到工作目录、计算 SHA-256、列入登记簿，年度归档时一并归档。

    销号后该事项按已完成计，不再列入督办；通报中列出本期销号的事项。
    """
    from ..errors import NoticesError
    from ..jobs.items import close, item_words

    if not on:
        raise NoticesError("请用 --date 写明销号日期（核验完成的日期），如 --date 2026-12-20")
    project = project_from(ctx, writes=True)
    record, step, made = close(project, unit, list(item), parse_date(on), list(evidence), by, note)
    registry, _ = project.load()
    click.echo(f"已销号：{record.recipients[0]} {item_words(registry, step.item)}，{cn_date(step.day)}，"
               f"登记号 {record.doc_number}（佐证材料 {len(record.outputs)} 个）：")
    for out in record.outputs:
        click.echo(f"  {out.path}  SHA-256 {out.sha256}")


@main.command("ledger")
@click.option("--as-of", "as_of", metavar="日期", help="截至日期，默认今天。")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="写入该文件夹（默认 outputs/台账/）。")
@click.pass_context
def ledger_cmd(ctx, as_of, out):
    """督办台账：每个单位每个事项的全部经过（提醒、督办函、答复、通报、约谈、延期、销号、曝光，日期和文号），
    当前的灯（绿 按期、黄 临期、红 逾期、灰 不涉及），第二张表为红黑榜；另为每个单位生成一个日历文件（.ics），
    可导入 Outlook、WPS 或手机日历。

    纸张、排名规则和红黑榜名额在 notices.toml 的 [ledger] 中设置。
    """
    import datetime as dt

    from ..jobs.dates import check_date
    from ..jobs.ledger import build_ledger

    project = project_from(ctx)
    day = check_date(project, parse_date(as_of) or dt.date.today(), "截至日期")
    result = build_ledger(project, day, out)
    lamps = "，".join(f"{k}灯 {result.lamps.get(k, 0)} 项" for k in ("红", "黄", "绿", "灰"))
    click.echo(f"已生成督办台账：{result.workbook}（{result.rows} 项：{lamps}）")
    click.echo(f"红榜：{'、'.join(result.red) or '无'}；黑榜：{'、'.join(result.black) or '无'}")
    if result.calendars:
        click.echo(f"各单位日历 {len(result.calendars)} 个：{result.calendars[0].parent}")

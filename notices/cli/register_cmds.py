"""`notices register …`: the document register (发文登记簿) in outputs/notices.db."""

from __future__ import annotations

import datetime as dt

import click

from ..errors import NoticesError
from ..file.register import KINDS
from ..textfmt import path_label
from . import main, parse_date, project_from
from .status_cmds import columns


def _register(ctx):
    from ..file.register import Register
    from ..project import db_path

    project = project_from(ctx, writes=True)
    return Register(db_path(project), root=project.root)


def _day(day: dt.date | None) -> str:
    from ..textfmt import cn_date

    return cn_date(day) if day else ""


@main.group("register")
def register_group():
    """发文登记簿：查看已编号的督办函、通报、约谈通知书，登记答复、作废文号、核对输出文件，备份、恢复与重建。

    文号可写成 某安委办函〔2026〕12号，也可用半角 [ ] 或【 】，程序会自动规范为〔 〕。
    每次改动后自动备份到 outputs/备份/；数据库丢失或损坏时用 restore 恢复备份，或用 rebuild 从输出文件重建。
    """


@register_group.command("list")
@click.option("--year", "-y", type=int, metavar="年份", help="只列该年的文件，如 2026。")
@click.option("--kind", "-k", type=click.Choice(KINDS), metavar="文种",
              help="只列该文种：督办函、通报 或 约谈通知书。")
@click.pass_context
def list_cmd(ctx, year, kind):
    """列出登记簿中的文件（按年份、机关代字、序号排列）。"""
    reg = _register(ctx)
    records = reg.list(year=year, kind=kind)
    if not records:
        scope = (f"{year} 年的" if year else "") + (kind or "文件")
        click.echo(f"登记簿中还没有{scope}。生成督办函、通报或约谈通知书时会自动编号登记。")
        return
    rows = [["文号", "文种", "成文日期", "主送", "状态", "答复", "标题"]]
    for r in records:
        replies = reg.replies(r.doc_number)
        status = r.status_zh + (f"（{r.void_reason}）" if r.status == "void" and r.void_reason else "")
        rows.append([r.doc_number, r.kind, _day(r.issued_on), "、".join(r.recipients), status,
                     f"{len(replies)} 次" if replies else ("—" if r.status != "issued" or r.kind in ("销号", "工作提醒") else "未答复"), r.title])
    for line in columns(rows, [None, None, None, 24, None, None, None]):
        click.echo(line)
    counts = {s: sum(1 for r in records if r.status == s) for s in ("issued", "reserved", "void")}
    click.echo(f"共 {len(records)} 件：已生成 {counts['issued']}，已编号未生成 {counts['reserved']}，"
               f"已作废 {counts['void']}。")


@register_group.command("show")
@click.argument("target", nargs=-1, required=True, metavar="文号|单位 [事项]")
@click.pass_context
def show_cmd(ctx, target):
    """显示一个文号的全部登记内容（主送、涉及任务、输出文件、答复和办理记录），
    或一个单位一个事项的全部经过（工作提醒、督办函、答复、通报、约谈、延期、销号、曝光）。

    
    notices register show 某安委办函〔2026〕1号
    notices register show 应急局 7-1 2026年第四季度
    """
    from ..file.register import parse_number
    from ..jobs.register import subjects_text

    reg = _register(ctx)
    project = ctx.meta["notices.project"]
    try:
        parse_number(target[0])
    except NoticesError as exc:
        return _show_item(ctx, target, exc.message)
    doc_number = " ".join(target)
    r = reg.get(doc_number)
    subjects_label = {"通报": "点名单位", "曝光": "曝光单位", "工作提醒": "提醒单位", "销号": "销号单位"}.get(r.kind, "督办单位")
    lines = [
        ("文号", r.doc_number),
        ("文种", r.kind),
        ("标题", r.title),
        ("主送", "、".join(r.recipients) or "—"),
        ("涉及任务", "、".join(r.milestones) or "—"),
        (subjects_label, subjects_text(r, _directory(project))),
        ("轮次", r.round_id or "—"),
        ("数据截止", _day(r.as_of) or "—"),
        ("成文日期", _day(r.issued_on) or "—"),
        ("答复期限", _day(r.reply_due) or "—"),
        ("状态", r.status_zh + (f"（原因：{r.void_reason}）" if r.void_reason else "")),
        ("登记时间", r.created_at.strftime("%Y-%m-%d %H:%M")),
    ]
    for label, value in lines:
        click.echo(f"{label}：{value}")
    if r.outputs:
        click.echo("输出文件：")
        for out in r.outputs:
            click.echo(f"  {out.path}  SHA-256 {out.sha256}")
    replies = reg.replies(r.doc_number)
    if replies:
        click.echo("答复：")
        for reply in replies:
            click.echo(f"  {_day(reply.date)}  {reply.note}".rstrip())
    click.echo("办理记录：")
    for event in reg.events(r.doc_number):
        who = f"（{event.actor}）" if event.actor else ""
        click.echo(f"  {event.at.strftime('%Y-%m-%d %H:%M')}  {event.step}{who}  {event.detail}".rstrip())


def _directory(project):
    """The units' current names for the ids the register keeps; None when the
    registry does not load (the ids are still true)."""
    try:
        return project.load()[1]
    except NoticesError:
        return None


def _show_item(ctx, target, not_a_number: str) -> None:
    from ..jobs.history import item_lines
    from ..jobs.items import parse_item

    project = ctx.meta["notices.project"]
    registry, directory = project.load()
    try:
        unit = directory.unit(target[0])
    except KeyError as exc:
        raise NoticesError(f"{not_a_number}；也不是单位名称（{exc.args[0]}）") from None
    if len(target) < 2:
        raise NoticesError(f"请写明{unit.name}的哪一个事项，如 notices register show {target[0]} 7-1")
    ref = parse_item(list(target[1:]), registry)
    lines = item_lines(project, unit.key, ref.item_id)
    click.echo(f"{unit.name} {ref.words}：{ref.milestone.requirement}（完成时间：{ref.milestone.deadline}"
               + (f"，本期{ref.period.period}" if ref.period else "") + "）")
    if not lines:
        click.echo("登记簿中还没有这一事项的记录（工作提醒、督办函、通报、约谈、延期、销号、曝光）。")
    for line in lines:
        click.echo(f"  {line}")


@register_group.command("reply")
@click.argument("doc_number", metavar="文号")
@click.option("--date", "-d", "date_text", metavar="日期", help="答复日期，如 2026-12-05，默认为今天。")
@click.option("--note", "-n", default="", metavar="说明", help="答复内容摘要，如“已完成整改，附现场照片”。")
@click.pass_context
def reply_cmd(ctx, doc_number, date_text, note):
    """登记某单位对该文件的书面答复。"""
    day = parse_date(date_text) or dt.date.today()
    from ..jobs.register import reply_line

    click.echo(reply_line(_register(ctx).reply(doc_number, day, note.strip())))


@register_group.command("void")
@click.argument("doc_number", metavar="文号")
@click.option("--reason", "-r", metavar="原因", help="（必填）作废原因，如“主送单位有误，已重新发文”。")
@click.pass_context
def void_cmd(ctx, doc_number, reason):
    """作废一个文号：文号保留在登记簿中并标明作废原因，今后不再使用。"""
    if not reason or not reason.strip():
        raise NoticesError("请用 --reason 写明作废原因，如 --reason \"主送单位有误\"")
    from ..jobs.register import void_lines

    for line in void_lines(_register(ctx).void(doc_number, reason)):
        click.echo(line)


@register_group.command("verify")
@click.pass_context
def verify_cmd(ctx):
    """核对登记的每个输出文件：重新计算 SHA-256，列出被改动或已不存在的文件。有问题时退出码为 1。"""
    from ..jobs.register import verify_lines

    lines, error = verify_lines(_register(ctx))
    for line in lines:
        click.echo(f"  {line}" if error else line)
    if error:
        raise error


@register_group.command("rebuild")
@click.pass_context
def rebuild_cmd(ctx):
    """从输出文件夹重建登记簿：补登数据库中没有的公文（文号、文种、主送、日期、文件及其 SHA-256）。

    \b
    依据：每份公文文件中记下的登记信息（Word 文件属性中的“自定义”）；较早生成、没有这些信息的，
    按文件名和正文识别。答复、作废原因和办理记录取自 outputs/备份 中最近的备份，归档的件取自归档元数据。
    数据库中已有的记录不改动。无法恢复的内容逐条列出。重建后编号接着已见过的最大文号往下编。
    """
    from ..file.recover import rebuild
    from ..jobs.units import identity

    reg = _register(ctx)
    project = ctx.meta["notices.project"]
    report = rebuild(reg, project.outputs_dir, identity=identity(project))
    if report.backup is not None:
        click.echo(f"参考的备份：{path_label(report.backup, project.root)}")
    else:
        click.echo("没有可用的备份：答复、作废原因和办理记录只能从文件中能看出的部分恢复。")
    if report.from_files:
        click.echo(f"据输出文件补登 {len(report.from_files)} 个文号：" + "、".join(report.from_files))
    if report.from_backup:
        click.echo(f"据备份补登 {len(report.from_backup)} 个文号（没有文件）：" + "、".join(report.from_backup))
    if report.voided:
        click.echo(f"作废 {len(report.voided)} 个找不到任何记录的文号（以免重号）：" + "、".join(report.voided))
    if report.filed:
        click.echo(f"据归档元数据恢复 {report.filed} 件的归档记录。")
    if report.steps:
        click.echo(f"据备份恢复 {report.steps} 条延期、销号等事项办理记录。")
    for line in report.problems:
        click.secho(f"未能恢复：{line}", fg="yellow", err=True)
    click.echo(f"重建完成：原有记录 {report.kept} 个，补登 {report.added} 个"
               + (f"，{len(report.problems)} 处未能完全恢复（见上）" if report.problems else "") + "。"
               + "用 notices register list 查看。")


@register_group.command("backup")
@click.pass_context
def backup_cmd(ctx):
    """立即把数据库完整备份到 outputs/备份/（每次改动后也会自动备份）。"""
    from ..file.backup import make_backup

    reg = _register(ctx)
    project = ctx.meta["notices.project"]
    path = make_backup(reg.path, project.config.section("register").get("backup_count", 20))
    if path is None:
        raise NoticesError(f"还没有数据库（{reg.path}），无需备份")
    click.echo(f"已备份：{path}")


@register_group.command("backups")
@click.pass_context
def backups_cmd(ctx):
    """列出 outputs/备份/ 中的备份：时间、登记的文件数、最新的文号。"""
    from ..file.backup import backups, describe

    reg = _register(ctx)
    found = backups(reg.path)
    if not found:
        click.echo("还没有备份。每次发文、收集、登记答复等改动后会自动备份到 outputs/备份/。")
        return
    rows = [["备份文件", "时间", "登记文件数", "最新文号", "状态"]]
    for info in map(describe, reversed(found)):
        rows.append([info.path.name, info.taken_at.strftime("%Y-%m-%d %H:%M:%S"), str(info.documents),
                     info.latest or "—", "可用" if info.ok else info.problem])
    for line in columns(rows, [None, None, None, None, None]):
        click.echo(line)
    click.echo(f"共 {len(found)} 份，在 {found[0].parent}。恢复：notices register restore 备份文件")


@register_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=__import__("pathlib").Path), metavar="备份文件")
@click.option("--force", is_flag=True, help="备份比输出文件夹中的公文旧时也恢复（之后须运行 register rebuild 补登）。")
@click.pass_context
def restore_cmd(ctx, file, force):
    """用备份文件替换当前数据库（先把当前数据库另存一份）。

    备份中没有输出文件夹里已有的公文时（备份比它们旧），拒绝恢复：那样会把这些文号再发一次。
    """
    from ..file.recover import describe_strangers, restore

    reg = _register(ctx)
    project = ctx.meta["notices.project"]
    reg._store.close()
    keep = project.config.section("register").get("backup_count", 20)
    if not file.exists() and (reg.path.parent / "备份" / file.name).exists():
        file = reg.path.parent / "备份" / file.name
    saved, strangers = restore(reg.path, file, project.outputs_dir, keep, force)
    if saved is not None:
        click.echo(f"原数据库已另存：{saved}")
    click.echo(f"已恢复：{file} → {reg.path}")
    if strangers:
        click.secho(f"注意：{describe_strangers(strangers, project.outputs_dir)}。发文前请先运行 notices register rebuild"
                    f" 补登这些文件。", fg="yellow", err=True)

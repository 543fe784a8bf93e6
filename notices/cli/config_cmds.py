"""`notices config set`: change one item of notices.toml from the command line."""

from __future__ import annotations

import click

from . import main, project_from


@main.group("config")
def config_group():
    """配置文件（notices.toml）：设置单项。"""


@config_group.command("set")
@click.argument("key", metavar="节.项")
@click.argument("value", metavar="值")
@click.pass_context
def config_set(ctx, key, value):
    """把 notices.toml 中的一项设为给定的值，其余内容（含说明）不变。

    例：notices config set office.contact 张三；notices config set office.phone 0415-1234567；
    notices config set layout.sealed 督办函,约谈通知书
    """
    from ..config import CONFIG_FILE, set_value

    project = project_from(ctx)
    line = set_value(project.root / CONFIG_FILE, key, value)
    click.echo(f"已设置：{project.root / CONFIG_FILE}：{line}")

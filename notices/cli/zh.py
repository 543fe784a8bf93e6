"""Chinese for click's own words (usage, help headings, parameter errors).

click looks its messages up through module-level gettext functions; replacing
them with a lookup in this table keeps every message a user reads in Chinese.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.types

ZH = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Missing command.": "缺少命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Option {name!r} does not take a value.": "选项 {name!r} 不需要值。",
    "Aborted!": "已取消。",
    "Do you want to continue?": "是否继续？",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "deprecated": "已弃用",
    "env var: {var}": "环境变量：{var}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的是/否值，可用：{states}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "unknown error": "未知错误",
}
ZH_PLURAL = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "Did you mean {possibility}?": "是否要用 {possibility}？",
    "{value!r} is not {choice}.": "{value!r} 不是可选值：{choice}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
}


def _gettext(message: str) -> str:
    return ZH.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return ZH_PLURAL.get(singular, singular if n == 1 else plural)


def install() -> None:
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext

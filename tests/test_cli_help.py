"""Every command's help is Chinese: no click English left in usage lines or headings."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from notices.cli import main


def commands(group: click.Group, path: tuple[str, ...] = ()):
    yield path
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            yield from commands(cmd, path + (name,))
        else:
            yield path + (name,)


@pytest.mark.parametrize("path", list(commands(main)), ids=lambda p: " ".join(p) or "notices")
def test_help_is_chinese(path):
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="notices")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("用法： notices")
    for english in ("Usage:", "[OPTIONS]", "COMMAND", "Options:", "Commands:", "Show this message"):
        assert english not in result.output, (path, english)
    # click's notes after an option's help ([required], [default: …]) in Chinese too
    notes = re.findall(r"\[([^\]]*)\]", result.output)
    assert not [n for n in notes if re.search(r"required|default|env var|deprecated", n)], (path, notes)

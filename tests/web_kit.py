"""A working folder for the web page's tests, made as the README's first command makes
one (init, contact, a sample round of returned workbooks), and small helpers."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from notices.cli import main

AS_OF = "2026-11-29"
ROUND = "2026-11"


def cli(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["--project", str(root), *args], input=input, catch_exceptions=False)


def office(tmp: Path) -> Path:
    """示例办公室 with the sample round's returned workbooks in 报回/ (not collected)."""
    result = CliRunner().invoke(main, ["init", str(tmp / "示例办公室")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    root = tmp / "示例办公室"
    for key, value in (("office.contact", "张三"), ("office.phone", "0415-1234567")):
        assert cli(root, "config", "set", key, value).exit_code == 0
    made = cli(root, "progress", "sample", "--round", ROUND, "--out", str(root / "报回"))
    assert made.exit_code == 0, made.output
    return root


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def text(html: str) -> str:
    """The page's text without tags, entities decoded, for asserting on what a person reads."""
    import html as htmlmod

    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", html))

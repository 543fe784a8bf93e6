"""Project configuration: notices.toml in the project folder over shipped defaults."""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import NoticesError, Problem

CONFIG_FILE = "notices.toml"
EXAMPLE = Path(__file__).with_name("config.example.toml")

# Canonical font roles; templates are built with these names and rewritten to
# the configured ones at render time.
FONT_ROLES = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading": "黑体",
    "kai": "楷体_GB2312",
    "song": "宋体",
}


def _defaults() -> dict:
    with EXAMPLE.open("rb") as fh:
        return tomllib.load(fh)


def _merge(base: dict, over: dict, path: str, problems: list, label: str, lines: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        where = f"{label}:{lines.get(key, 0)}" if lines.get(key) else label
        if key not in base:
            problems.append(Problem(where, f"未知的配置项“{path}{key}”"))
        elif isinstance(base[key], dict):
            if not isinstance(value, dict):
                problems.append(Problem(where, f"配置项“{path}{key}”应为一节 [{path}{key}]"))
            else:
                out[key] = _merge(base[key], value, f"{path}{key}.", problems, label, lines)
        elif type(value) is not type(base[key]) and not (isinstance(base[key], float) and isinstance(value, int)):
            problems.append(Problem(where, f"配置项“{path}{key}”的值类型不对"))
        else:
            out[key] = value
    return out


def _key_lines(text: str) -> dict:
    """First line of each bare key, good enough to point staff at it."""
    lines: dict = {}
    for no, line in enumerate(text.splitlines(), 1):
        if m := re.match(r"\s*\[?\s*([A-Za-z_][\w-]*)", line):
            lines.setdefault(m.group(1), no)
    return lines


@dataclass
class Config:
    data: dict
    path: Path | None = None

    def section(self, name: str) -> dict:
        return self.data.get(name, {})

    @property
    def fonts(self) -> dict[str, str]:
        return {role: self.data["fonts"].get(role, name) for role, name in FONT_ROLES.items()}

    @property
    def font_swaps(self) -> dict[str, str]:
        """Template font name (canonical) -> the office's: what a Template rewrites."""
        return {FONT_ROLES[role]: name for role, name in self.fonts.items()}

    def layout(self, kind: str) -> dict:
        """The [layout] choices a notice template of ``kind`` reads (engine options)."""
        section = self.section("layout")
        return {"sealed": kind in section.get("sealed", []), "bold_level3": bool(section.get("bold_level3")),
                "imprint_even_page": bool(section.get("imprint_even_page"))}


def load_config(path: Path | None) -> Config:
    defaults = _defaults()
    if path is None or not path.exists():
        return Config(defaults, None)
    label = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise NoticesError(f"{label} 不是 UTF-8 编码，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{label}:{m.group(1)}" if m else label
        raise NoticesError("配置文件格式错误", [Problem(where, "TOML 格式错误：文字请加英文双引号，每项写成 名称 = 值")]) from None
    problems: list[Problem] = []
    merged = _merge(defaults, data, "", problems, label, _key_lines(text))
    if problems:
        raise NoticesError("配置文件有错误", problems)
    return Config(merged, path)

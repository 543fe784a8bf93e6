"""Project configuration: notices.toml in the project folder over shipped defaults."""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
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
    filled: list[str] = field(default_factory=list)  # keys taken from the registry, not the file

    def section(self, name: str) -> dict:
        return self.data.get(name, {})

    @property
    def fonts(self) -> dict[str, str]:
        return {role: self.data["fonts"].get(role, name) for role, name in FONT_ROLES.items()}

    @property
    def font_swaps(self) -> dict[str, str]:
        """Template font name (canonical) -> the office's: what a Template rewrites."""
        return {FONT_ROLES[role]: name for role, name in self.fonts.items()}

    def missing_contact(self) -> list[str]:
        """[office] items a 督办函 or 约谈通知书 names as its contact, left empty."""
        office = self.section("office")
        return [name for key, name in (("contact", "联系人"), ("phone", "联系电话")) if not str(office.get(key, "")).strip()]

    def layout(self, kind: str) -> dict:
        """The [layout] choices a notice template of ``kind`` reads (engine options)."""
        section = self.section("layout")
        return {"sealed": kind in section.get("sealed", []), "bold_level3": bool(section.get("bold_level3")),
                "imprint_even_page": bool(section.get("imprint_even_page"))}


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _parse_value(text: str, default):
    """What staff type on the command line, as the type the setting has."""
    if isinstance(default, bool):
        lowered = text.strip().lower()
        if lowered in ("true", "是", "1", "yes"):
            return True
        if lowered in ("false", "否", "0", "no"):
            return False
        raise NoticesError(f"“{text}”应为 true 或 false")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError:
            raise NoticesError(f"“{text}”应为整数") from None
    if isinstance(default, float):
        try:
            return float(text)
        except ValueError:
            raise NoticesError(f"“{text}”应为数字") from None
    if isinstance(default, list):
        return [v.strip() for v in re.split(r"[,，]", text) if v.strip()]
    return text


def set_values(path: Path, values: dict[str, object], template: Path = EXAMPLE) -> list[str]:
    """Set "section.key" values in notices.toml, keeping every comment and line
    around them (a missing file starts as the commented example). Values typed
    as text are converted to the setting's type; unknown keys are refused. The
    file is checked by loading it before it replaces the old one. Returns the
    lines written, as "section.key = value"."""
    defaults = _defaults()
    path = Path(path)
    text = path.read_bytes().decode("utf-8-sig") if path.exists() else template.read_text(encoding="utf-8")
    lines = text.splitlines()
    done = []
    for dotted, value in values.items():
        section, _, key = dotted.rpartition(".")
        table = defaults
        for part in section.split(".") if section else [None]:
            table = table.get(part) if isinstance(table, dict) and part is not None else None
        if not isinstance(table, dict) or key not in table or isinstance(table[key], dict):
            known = "、".join(f"{s}.{k}" for s in ("office", "numbering", "notices") for k in defaults.get(s, {}))
            raise NoticesError(f"没有配置项“{dotted}”。常用的有：{known}")
        if isinstance(value, str):
            value = _parse_value(value, table[key])
        rendered = f"{_quote_key(key)} = {_toml_value(value)}"
        lines = _set_line(lines, section, key, rendered)
        done.append(f"{dotted} = {_toml_value(value)}")
    new = "\n".join(lines) + "\n"
    try:
        tomllib.loads(new)
    except tomllib.TOMLDecodeError as exc:  # a bug here, not the user's: never write a broken file
        raise NoticesError(f"无法修改 {path}：{exc}") from None
    from .file.outputs import write_atomic

    write_atomic(path, new.encode("utf-8"), overwrite=True)
    load_config(path)  # refuses (naming the line) what the loader would refuse
    return done


def _quote_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else f'"{key}"'


def _set_line(lines: list[str], section: str, key: str, rendered: str) -> list[str]:
    """Replace the key's line in [section] (keeping a trailing comment), or add it
    after the section's last setting, or add the section at the end."""
    start = end = None
    for i, line in enumerate(lines):
        m = re.match(r"\s*\[([^\]]+)\]\s*(?:#.*)?$", line)
        if m:
            if start is not None:
                end = i
                break
            if m.group(1).strip() == section:
                start = i
    if start is None:
        return [*lines, "", f"[{section}]", rendered]
    end = end if end is not None else len(lines)
    pattern = re.compile(rf'\s*(?:"{re.escape(key)}"|{re.escape(key)})\s*=')
    last = start
    for i in range(start + 1, end):
        if pattern.match(lines[i]):
            comment = re.search(r"\s+#[^\"]*$", lines[i])
            lines = list(lines)
            lines[i] = rendered + (comment.group(0) if comment else "")
            return lines
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            last = i
    return [*lines[:last + 1], rendered, *lines[last + 1:]]


def load_config(path: Path | None) -> Config:
    defaults = _defaults()
    if path is None or not path.exists():
        return Config(defaults, None)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NoticesError(f"{path} 不是 UTF-8 编码，请另存为 UTF-8") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """The configuration in ``text`` (the contents of ``path``) over the defaults."""
    defaults = _defaults()
    label = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        where = f"{label}:{m.group(1)}" if m else label
        raise NoticesError("配置文件格式错误", [Problem(where, "TOML 格式错误：文字请加英文双引号，每项写成 名称 = 值")]) from None
    problems: list[Problem] = []
    merged = _merge(defaults, data, "", problems, label, _key_lines(text))
    if problems:
        raise NoticesError("配置文件有错误", problems)
    return Config(merged, path)

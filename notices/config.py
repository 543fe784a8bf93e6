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

    def missing_contact(self) -> list[str]:
        """[office] items a 督办函 or 约谈通知书 names as its contact, left empty."""
        office = self.section("office")
        return [name for key, name in (("contact", "联系人"), ("phone", "联系电话")) if not str(office.get(key, "")).strip()]

    def layout(self, kind: str) -> dict:
        """The [layout] choices a notice template of ``kind`` reads (engine options)."""
        section = self.section("layout")
        return {"sealed": kind in section.get("sealed", []), "bold_level3": bool(section.get("bold_level3")),
                "imprint_even_page": bool(section.get("imprint_even_page"))}


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


# --- `notices config set`: one value changed, the file's comments kept ------------------
_TRUE, _FALSE = ("true", "是", "1", "yes"), ("false", "否", "0", "no")


def _toml_value(default, text: str, key: str) -> str:
    """`text` as a TOML value of the default's type."""
    if isinstance(default, bool):
        if text.lower() not in _TRUE + _FALSE:
            raise NoticesError(f"配置项“{key}”应为 true 或 false（是/否），不是“{text}”")
        return "true" if text.lower() in _TRUE else "false"
    if isinstance(default, (int, float)):
        try:
            return str(type(default)(text))
        except ValueError:
            raise NoticesError(f"配置项“{key}”应为数字，不是“{text}”") from None
    if isinstance(default, list):
        items = [t.strip() for t in re.split(r"[,，、]", text) if t.strip()]
        return "[" + ", ".join(_toml_string(t) for t in items) + "]"
    return _toml_string(text)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _bare(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def set_value(path: Path, dotted: str, text: str) -> str:
    """Set ``section.key`` (e.g. office.contact) to ``text`` in the notices.toml at
    ``path`` (made from the commented example when missing), keeping every other
    line as it is; return the line written. The result is checked like any
    configuration before it replaces the file."""
    from .file.outputs import write_atomic

    *sections, key = dotted.split(".")
    node = _defaults()
    for part in sections:
        node = node.get(part) if isinstance(node, dict) else None
    if not sections or not isinstance(node, dict) or key not in node or isinstance(node[key], dict):
        known = "、".join(f"{s}.{k}" for s, v in _defaults().items() if isinstance(v, dict)
                         for k, x in v.items() if not isinstance(x, dict))
        raise NoticesError(f"没有配置项“{dotted}”。可设置的有：{known}")
    line = f"{_bare(key)} = {_toml_value(node[key], text, dotted)}"
    lines = (path.read_bytes().decode("utf-8-sig") if path.exists() else EXAMPLE.read_text(encoding="utf-8")).splitlines()
    header = "[" + ".".join(_bare(s) for s in sections) + "]"
    start = next((i for i, ln in enumerate(lines) if ln.split("#")[0].strip() == header), None)
    if start is None:
        lines += ["", header, line]
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines))
        own = re.compile(rf"^\s*{re.escape(_bare(key))}\s*=")
        found = next((i for i in range(start + 1, end) if own.match(lines[i])), None)
        if found is not None:
            lines[found] = line
        else:
            last = max((i for i in range(start + 1, end) if lines[i].strip() and not lines[i].lstrip().startswith("#")),
                       default=start)
            lines.insert(last + 1, line)
    text = "\n".join(lines) + "\n"
    parse_config(text, path)  # a value the configuration refuses never reaches the file
    write_atomic(path, text.encode("utf-8"), overwrite=True)
    return line

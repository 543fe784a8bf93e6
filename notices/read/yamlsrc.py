"""YAML reading that remembers line numbers, so every problem can say file:line."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import NoticesError, Problem


class LineDict(dict):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    pass


# YAML 1.2 booleans only: with 1.1's rules the key `no` (序号) and the values
# yes/no/on/off would silently become true/false.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_str(loader: _Loader, node: yaml.ScalarNode):
    # Dates stay text: the registry keeps deadlines exactly as written.
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


# libyaml's parser where PyYAML has it: a county's units.yaml of 1,000 units loads in a
# quarter of the time. Same resolvers and constructors; a file it refuses is parsed
# again by the Python parser, whose messages the hints below are written for.
_FastLoader = type("_FastLoader", (yaml.CSafeLoader,), {
    "yaml_implicit_resolvers": _Loader.yaml_implicit_resolvers,
    "yaml_constructors": _Loader.yaml_constructors,
}) if getattr(yaml, "__with_libyaml__", False) else None


# Aliases (*name) make one node stand for another: nine levels of ten aliases each
# stand for a billion strings ("billion laughs"), which str() of the value would
# build. A registry needs no aliases at all; a document whose tree, aliases expanded,
# has more nodes than this is refused before any value is built. The shipped
# registry has ~3,000 nodes; a county's largest plausible one, 1,000 tasks, ~60,000.
MAX_NODES = 1_000_000


def _expanded_size(node, memo: dict, limit: int) -> int:
    """Nodes in the tree under ``node`` with every alias expanded (stops past ``limit``)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once
    size = 1
    if isinstance(node, yaml.SequenceNode):
        children = node.value
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    else:
        children = []
    for child in children:
        size += _expanded_size(child, memo, limit)
        if size > limit:
            break
    memo[key] = size
    return size


def _load(text: str):
    if _FastLoader is not None:
        try:
            return _parse(_FastLoader, text)
        except yaml.YAMLError:
            pass
    return _parse(_Loader, text)


def _parse(kind, text: str):
    loader = kind(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}, MAX_NODES) > MAX_NODES:
            raise _TooLarge()
        return loader.construct_document(node)
    finally:
        loader.dispose()


class _TooLarge(Exception):
    pass


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        super().__init__(key)
        self.key, self.line = key, line


_HINTS = {
    "could not find expected ':'": "缺少冒号“:”",
    "mapping values are not allowed here": "此处不能出现冒号，含冒号的文字请加引号",
    "found character '\\t' that cannot start any token": "不能用制表符（Tab）缩进，请改用空格",
    "did not find expected key": "缩进不一致或缺少“- ”",
    "found undefined alias": "引用了未定义的别名",
    "found unexpected end of stream": "引号或括号未闭合",
    "while scanning a quoted scalar": "引号未闭合",
    # A quote left open runs on to the next quote, lines further down; the parser
    # stops there.
    "expected <block end>": "缩进不一致，或前面几行有未闭合的引号",
}


def _hint(exc: yaml.MarkedYAMLError) -> str:
    text = f"{exc.context or ''} {exc.problem or ''}"
    for key, hint in _HINTS.items():
        if key in text:
            return hint
    return "格式错误"


def load_yaml(path: Path, label: str | None = None):
    """Load a YAML file; raise NoticesError naming file:line on any problem."""
    label = label or str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise NoticesError(f"找不到文件：{label}") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise NoticesError(
            "文件不是 UTF-8 编码，请用记事本“另存为 UTF-8”后重试",
            [Problem(f"{label}:{line}", "不是 UTF-8 编码：此处有无法识别的字符，请另存为 UTF-8")],
        ) from None
    try:
        return _load(text)
    except _TooLarge:
        raise NoticesError(f"{label} 过于庞大", [Problem(
            label, f"别名（&名称 / *名称）展开后超过 {MAX_NODES:,} 项，请不要使用别名，直接写出内容")]) from None
    except RecursionError:
        raise NoticesError(f"{label} 嵌套过深", [Problem(label, "列表或映射嵌套层数过多，请检查缩进和括号")]) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        code = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise NoticesError(f"{label} 含有不允许的字符", [Problem(
            f"{label}:{line}", f"含有不允许的控制字符（{code}），请删除（可能是从其他软件复制来的不可见字符）")]) from None
    except _DuplicateKey as exc:
        raise NoticesError(
            f"{label} 有重复的键", [Problem(f"{label}:{exc.line}", f"键“{exc.key}”重复出现")]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise NoticesError(
            f"{label} 不是有效的 YAML", [Problem(f"{label}:{line}", f"YAML {_hint(exc)}")]
        ) from None
    except yaml.YAMLError as exc:
        raise NoticesError(f"{label} 不是有效的 YAML：{exc}") from None

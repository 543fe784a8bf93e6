"""Who issues the documents and what the jurisdiction is called: the office's
names and 机关代字 in notices.toml, and the words that depend on 县/市/区/旗.

Nothing here names a place. The office's names come from notices.toml; left
empty there, they are taken from the registry when its plan was issued by a
安全生产委员会 (the office is that committee's 办公室: X安全生产委员会 ->
X安全生产委员会办公室, 代字 X安委 -> X安委办 / X安委办函). A new registry
imported from a table names no issuer, so its notices.toml gets placeholders
("待填写") that ``registry check`` and ``issue`` point out until filled.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import NoticesError, Problem
from .textfmt import path_label

PLACEHOLDER = "待填写"
KINDS = ("督办函", "通报", "约谈通知书")
# notices.toml keys that name the office, and what each is, for messages.
IDENTITY = {
    "office.name": ("本办公室（发文机关）全称", "某某县安全生产委员会办公室"),
    "office.short": ("本办公室规范简称", "某安委办"),
    "numbering.督办函": ("督办函的机关代字", "某安委办函"),
    "numbering.通报": ("通报的机关代字", "某安委办"),
    "numbering.约谈通知书": ("约谈通知书的机关代字", "某安委办函"),
}


def unfilled(value) -> bool:
    text = str(value or "").strip()
    return not text or PLACEHOLDER in text or "请填写" in text


def derived_identity(issuer: str, issuer_short: str) -> dict[str, str]:
    """The office of the committee that issued the plan: key -> value; {} when the
    issuer is not a 委员会 with a 代字 ending in 委 (no safe guess)."""
    issuer, code = (issuer or "").strip(), (issuer_short or "").strip()
    if unfilled(issuer) or unfilled(code) or not issuer.endswith("委员会") or not code.endswith("委"):
        return {}
    short = code + "办"
    return {"office.name": issuer + "办公室", "office.short": short,
            "numbering.督办函": short + "函", "numbering.通报": short, "numbering.约谈通知书": short + "函"}


def plan_issuer(plan_yaml: Path) -> tuple[str, str]:
    """(issuer, issuer_short) of a plan.yaml, ("", "") when it cannot be read."""
    import yaml

    try:
        lines = Path(plan_yaml).read_text(encoding="utf-8-sig").splitlines()
        # Only the plan: block is parsed (the whole file takes ~50 ms, every command would pay it).
        start = next(i for i, line in enumerate(lines) if line.startswith("plan:"))
        end = next((i for i in range(start + 1, len(lines)) if lines[i][:1] not in ("", " ", "#", "\t")), len(lines))
        doc = yaml.safe_load("\n".join(lines[start:end]))
        plan = doc.get("plan") or {}
        return str(plan.get("issuer") or ""), str(plan.get("issuer_short") or "")
    except (OSError, ValueError, AttributeError, StopIteration, yaml.YAMLError):
        return "", ""


def get(config, key: str) -> str:
    section, name = key.split(".", 1)
    return str(config.section(section).get(name, "") or "")


def fill_from_registry(config, plan_yaml: Path) -> list[str]:
    """Empty identity values of ``config`` taken from the registry's issuer (in
    memory, notices.toml untouched); the keys filled."""
    empty = [k for k in IDENTITY if not get(config, k).strip()]
    if not empty:
        return []
    derived = derived_identity(*plan_issuer(plan_yaml))
    filled = []
    for key in empty:
        if key in derived:
            section, name = key.split(".", 1)
            config.data.setdefault(section, {})[name] = derived[key]
            filled.append(key)
    return filled


def identity_problems(config, keys: tuple[str, ...] = tuple(IDENTITY)) -> list[Problem]:
    """Each office name or 机关代字 among ``keys`` still empty or a placeholder,
    naming the line of notices.toml and the command that fills it."""
    out = []
    lines = label = None  # read from the file only when something is to be named (issue asks per document)
    for key in keys:
        what, example = IDENTITY[key]
        value = get(config, key)
        if unfilled(value):
            if lines is None:
                lines, label = _lines(config.path), path_label(config.path, Path.cwd()) if config.path else "notices.toml"
            where = f"{label}:{lines[key]}" if key in lines else label
            now = f"仍是“{value}”" if value.strip() else "未填写"
            out.append(Problem(where, f"{what}（{key}）{now}，发文前请填写，如：notices config set {key} {example}"))
    return out


def require_identity(config, keys: tuple[str, ...]) -> None:
    """NoticesError listing the unfilled ones among ``keys`` (before any document is numbered)."""
    problems = identity_problems(config, keys)
    if problems:
        raise NoticesError("notices.toml 中本办公室的名称或机关代字尚未填写，不能发文", problems)


def _lines(path: Path | None) -> dict[str, int]:
    """Line of each "section.key" in a notices.toml."""
    if path is None or not Path(path).exists():
        return {}
    out: dict[str, int] = {}
    section = ""
    for no, line in enumerate(Path(path).read_text(encoding="utf-8-sig").splitlines(), 1):
        if m := re.match(r"\s*\[([^\]]+)\]", line):
            section = m.group(1).strip()
        elif m := re.match(r'\s*"?([^"=\s]+)"?\s*=', line):
            out.setdefault(f"{section}.{m.group(1)}", no)
    return out


# --- the jurisdiction ------------------------------------------------------------

def area_values(jurisdiction: str, recipients: list[str] = ()) -> dict[str, str]:
    """[notices] wording for a 县 / 市 / 区 / 旗: 全区, 区安委会办公室, and the 通报's
    主送: ``recipients`` (如 各乡镇人民政府、各街道办事处) and the committee's members."""
    j = jurisdiction or "县"
    return {
        "notices.area": f"全{j}",
        "notices.office_ref": f"{j}安委会办公室",
        "notices.yuetan_place": f"{j}安委会办公室会议室",
        "notices.tongbao_recipients": "，".join([*recipients, f"{j}安委会各成员单位"]),
    }

"""The 发文计划 file: `notices plan --save` writes it, staff edit it (drop or add a
unit), `notices issue --plan` reads it back. YAML with Chinese keys; each
proposed unit carries its reason as a comment, so the file reads as a memo.

    截至日期: 2026-11-29
    成文日期: 2026-11-29
    进度轮次: 2026-11
    督办函:
      - 县交通运输局  # 规则一：逾期2项，尚未发督办函，发督办函
    通报:
      点名批评:
        - 县教育局  # 规则二：……
    约谈通知书:
      - 单位: 县交通运输局  # 规则三：……
        时间: 2026-12-03 09:00
        地点: 县安委会办公室会议室
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..assess.escalation import DUBAN, EXPOSE, REMIND, TONGBAO, YUETAN, Proposal
from ..directory import Directory
from ..errors import NoticesError, Problem
from .dates import parse_cn_date
from .yamlsrc import LineDict, LineList, load_yaml

AS_OF, ISSUED_ON, ROUND, NAMED, UNIT, TIME, PLACE, REASON = (
    "截至日期", "成文日期", "进度轮次", "点名批评", "单位", "时间", "地点", "原因")
KEYS = (AS_OF, ISSUED_ON, ROUND, REMIND, DUBAN, TONGBAO, YUETAN, EXPOSE)


@dataclass
class Meeting:
    """A 约谈: the unit, and the time and place when not the configured defaults."""

    unit: str
    time: dt.datetime | None = None
    place: str = ""


@dataclass
class IssuePlan:
    as_of: dt.date
    issued_on: dt.date
    round_id: str = ""
    duban: list[str] = field(default_factory=list)
    tongbao: bool = False
    named: list[str] = field(default_factory=list)
    yuetan: list[Meeting] = field(default_factory=list)
    remind: list[str] = field(default_factory=list)  # 工作提醒
    expose: list[str] = field(default_factory=list)  # units named in the 曝光 通报
    # (kind, unit) -> why it is issued although the ladder does not propose it; unit "" is
    # the 通报 itself (a second one for the round)
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    lines: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, unit) -> file:line


# --- writing --------------------------------------------------------------------------
def _scalar(text: str) -> str:
    """A YAML scalar: plain when safe, quoted otherwise."""
    return yaml.safe_dump(str(text), allow_unicode=True, default_flow_style=True, width=1 << 16).strip()\
        .removesuffix("...").strip()


def _comment(text: str) -> str:
    return " ".join(str(text).split())


def dump_plan(proposal: Proposal, issued_on: dt.date, meetings: dict[str, dt.datetime], place: str,
              tongbao_reason: str = "") -> str:
    """The plan as an editable file. ``meetings``: unit -> the 约谈 time proposed for it."""
    steps = proposal.steps
    lines = [
        f"# 发文计划：notices plan 按逐级督办规则提出，截至 {proposal.as_of.isoformat()}。",
        "# 可用记事本修改后，用 notices issue --plan 本文件 发文（先加 --dry-run 预览）。",
        "# 删去某一行即不给该单位发。要增加规则没有提出的单位，须写明原因，写成两行：",
        f"#   - {UNIT}: 单位名称",
        f"#     {REASON}: 为什么要发",
        "# “#”后面是提出的理由，只作说明，程序不读取。日期写成 2026-11-29，时间写成 2026-12-03 09:00。",
        f"{AS_OF}: {proposal.as_of.isoformat()}",
        f"{ISSUED_ON}: {issued_on.isoformat()}",
        f"{ROUND}: {_scalar(proposal.round_id)}" if proposal.round_id else f"{ROUND}: \"\"  # 尚未收集进度",
        "",
    ]

    def listed(action: str) -> list:
        return [s for s in steps if s.action == action]

    if proposal.reminders:
        lines.append(f"{REMIND}:  # 事项临近完成时间，尚未完成；不算督办函")
        for unit, items in proposal.reminders.items():
            said = "、".join(f"{i.milestone_id}{(' ' + i.period) if i.period else ''}"
                            f"（{'今日到期' if not i.days else f'还剩{i.days}天'}）" for i in items)
            lines.append(f"  - {_scalar(unit)}  # 临期{len(items)}项：{_comment(said)}")
        lines.append("")
    lines.append(f"{DUBAN}:" + ("" if listed(DUBAN) else " []"))
    lines += [f"  - {_scalar(s.unit)}  # {_comment(s.reason)}" for s in listed(DUBAN)]
    lines.append("")
    if proposal.tongbao:
        lines.append(f"{TONGBAO}:" + (f"  # {_comment(tongbao_reason)}" if tongbao_reason else ""))
        lines.append(f"  {NAMED}:" + ("" if listed(TONGBAO) else " []"))
        lines += [f"    - {_scalar(s.unit)}  # {_comment(s.reason)}" for s in listed(TONGBAO)]
    else:
        done = proposal.round_tongbao
        why = (f"本轮（{proposal.round_id}）通报已于{done.issued_on.isoformat()}印发（{done.doc_number}）" if done
               else "尚未收集进度，没有可通报的进展")
        lines.append(f"# {TONGBAO}：{why}，本计划不发。")
    lines.append("")
    lines.append(f"{YUETAN}:" + ("" if listed(YUETAN) else " []"))
    for s in listed(YUETAN):
        lines += [f"  - {UNIT}: {_scalar(s.unit)}  # {_comment(s.reason)}",
                  f"    {TIME}: {meetings[s.unit].strftime('%Y-%m-%d %H:%M')}",
                  f"    {PLACE}: {_scalar(place)}"]
    if listed(EXPOSE):
        lines += ["", f"{EXPOSE}:  # 公开曝光须经办公室研究决定；不曝光的单位请删去"]
        lines += [f"  - {_scalar(s.unit)}  # {_comment(s.reason)}" for s in listed(EXPOSE)]
    rest = [s for s in steps if not s.action]
    if rest:
        lines += ["", "# 本次不发文的单位："]
        lines += [f"#   {s.unit}：{_comment(s.reason)}" for s in rest]
    return "\n".join(lines) + "\n"


# --- reading --------------------------------------------------------------------------
_TIME = re.compile(r"^\s*(?P<day>.+?)\s+(?P<h>\d{1,2})[:：](?P<m>\d{2})\s*$")


def _date(value, where: str, problems: list) -> dt.date | None:
    day = parse_cn_date(str(value)) if value not in (None, "") else None
    if day is None:
        problems.append(Problem(where, f"“{value}”不是日期，请写成 2026-11-29"))
    return day


def parse_time(value, where: str, problems: list) -> dt.datetime | None:
    if value in (None, ""):
        return None
    m = _TIME.match(str(value))
    day = parse_cn_date(m.group("day")) if m else None
    if day is None or int(m.group("h")) > 23 or int(m.group("m")) > 59:
        problems.append(Problem(where, f"“{value}”不是时间，请写成 2026-12-03 09:00"))
        return None
    return dt.datetime.combine(day, dt.time(int(m.group("h")), int(m.group("m"))))


def _units(value, where: str, label: str, kind: str, plan: "IssuePlan", directory: Directory,
           problems: list) -> list[str]:
    """Units listed one a line ("- 县水利局"), or as "- 单位: 县水利局" with "原因: …"."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(where, f"“{label}”下应逐行列出单位，每行以“- ”开头"))
        return []
    out = []
    for i, item in enumerate(value):
        line = f"{where.rsplit(':', 1)[0]}:{value.line_of(i)}" if isinstance(value, LineList) else where
        reason = ""
        if isinstance(item, LineDict):
            for key in item:
                if key not in (UNIT, REASON):
                    problems.append(Problem(line, f"未知的项“{key}”，可写“{UNIT}”“{REASON}”"))
            reason = str(item.get(REASON) or "").strip()
            item = item.get(UNIT)
        name = _unit(item, line, directory, problems)
        if name and name in out:
            problems.append(Problem(line, f"单位“{item}”重复列出"))
        elif name:
            out.append(name)
            plan.lines[(kind, name)] = line
            if reason:
                plan.reasons[(kind, name)] = reason
    return out


def _unit(item, where: str, directory: Directory, problems: list) -> str | None:
    if not isinstance(item, str) or not item.strip():
        problems.append(Problem(where, f"“{item}”不是单位名称"))
        return None
    try:
        return directory.unit(item.strip()).name
    except KeyError as exc:
        problems.append(Problem(where, exc.args[0]))
        return None


def load_plan(path: Path, directory: Directory) -> IssuePlan:
    """Read an edited plan; every problem is reported as file:line, together."""
    label = str(path)
    data = load_yaml(Path(path), label)
    if not isinstance(data, LineDict):
        raise NoticesError(f"{label} 不是发文计划：应以“{AS_OF}:”等项开头，请用 notices plan --save 重新生成")
    problems: list[Problem] = []

    def at(mapping, key) -> str:
        return f"{label}:{mapping.line_of(key)}"

    for key in data:
        if key not in KEYS:
            problems.append(Problem(at(data, key), f"未知的项“{key}”，可用：{'、'.join(KEYS)}"))
    for key in (AS_OF, ISSUED_ON):
        if key not in data:
            problems.append(Problem(f"{label}:{data.line}", f"缺少“{key}”"))
    as_of = _date(data.get(AS_OF), at(data, AS_OF), problems) if AS_OF in data else None
    issued_on = _date(data.get(ISSUED_ON), at(data, ISSUED_ON), problems) if ISSUED_ON in data else None
    plan = IssuePlan(as_of, issued_on, str(data.get(ROUND) or ""))
    plan.duban = _units(data.get(DUBAN), at(data, DUBAN), DUBAN, DUBAN, plan, directory, problems)
    plan.remind = _units(data.get(REMIND), at(data, REMIND), REMIND, REMIND, plan, directory, problems)
    plan.expose = _units(data.get(EXPOSE), at(data, EXPOSE), EXPOSE, EXPOSE, plan, directory, problems)
    if TONGBAO in data:
        section = data[TONGBAO]
        plan.tongbao = True
        plan.lines[(TONGBAO, "")] = at(data, TONGBAO)
        if isinstance(section, LineDict):
            for key in section:
                if key not in (NAMED, REASON):
                    problems.append(Problem(at(section, key), f"“{TONGBAO}”下可写“{NAMED}”“{REASON}”，未知的项“{key}”"))
            if reason := str(section.get(REASON) or "").strip():
                plan.reasons[(TONGBAO, "")] = reason
            plan.named = _units(section.get(NAMED), at(section, NAMED), NAMED, TONGBAO, plan, directory, problems)
        elif section is not None:
            problems.append(Problem(at(data, TONGBAO), f"“{TONGBAO}”下应写“{NAMED}:”及点名批评的单位"))
    meetings = data.get(YUETAN) or []
    if not isinstance(meetings, list):
        problems.append(Problem(at(data, YUETAN), f"“{YUETAN}”下应逐项写“- {UNIT}: …”"))
        meetings = []
    for i, entry in enumerate(meetings):
        line = f"{label}:{meetings.line_of(i)}" if isinstance(meetings, LineList) else at(data, YUETAN)
        if isinstance(entry, str):  # "- 县交通运输局": defaults for time and place
            entry = LineDict({UNIT: entry})
            entry.key_lines = {}
        if not isinstance(entry, LineDict) or UNIT not in entry:
            problems.append(Problem(line, f"约谈事项应写成“- {UNIT}: 单位名称”，可另写“{TIME}”“{PLACE}”"))
            continue
        for key in entry:
            if key not in (UNIT, TIME, PLACE, REASON):
                problems.append(Problem(f"{label}:{entry.line_of(key) or meetings.line_of(i)}", f"未知的项“{key}”"))
        name = _unit(entry[UNIT], line, directory, problems)
        when = parse_time(entry.get(TIME), f"{label}:{entry.line_of(TIME) or meetings.line_of(i)}", problems)
        if name and any(m.unit == name for m in plan.yuetan):
            problems.append(Problem(line, f"单位“{entry[UNIT]}”重复列出"))
        elif name:
            plan.yuetan.append(Meeting(name, when, str(entry.get(PLACE) or "").strip()))
            plan.lines[(YUETAN, name)] = line
            if reason := str(entry.get(REASON) or "").strip():
                plan.reasons[(YUETAN, name)] = reason
    if problems:
        raise NoticesError(f"发文计划 {label} 有 {len(problems)} 处错误，未发文", problems)
    return plan

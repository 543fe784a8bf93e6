"""Units and groups from the names a plan's 责任单位 cells write. Used by ``registry import``.

Offices write one unit several ways: 区应急管理局 / 区应急局 / 应急局, 县住房和城乡
建设局 / 县住建局, 县发展改革局（科学技术局） / 县科技局. Names are reduced to a core
(without the jurisdiction word 县/区/市/旗, the parentheses, 人民政府, with 办公室 -> 办
and 委员会 -> 委) and clustered: equal cores, or one core an abbreviation of exactly
one other (住建局 of 住房和城乡建设局: first and last characters kept, the rest taken in
order). Each cluster becomes one unit whose other spellings are its aliases.

Collective phrases are never units: 各乡镇人民政府 / 各镇人民政府 / 各街道办事处 /
各乡镇（街道） / 各负有安全生产监管职责的部门 / 各成员单位 / 各有关部门 and any other
"各X" become groups, and "X等部门" refers to the group 有关部门. Members are the
towns and 街道 the table names; 成员单位 and 负有安全生产监管职责的部门 get tentative
members (reported, for the office to confirm); the rest start empty and are
reported with where to add members.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..directory import OTHERS, is_abbreviation, mentions, normalize
from ..model import Group, Unit

JURISDICTIONS = "县区市旗"

# Departments that commonly carry 安全生产监督管理职责 (行业领域监管): a first draft
# of the group, which the office confirms against its own 职责分工 document.
SUPERVISING = ("应急", "消防", "公安", "交通", "住建", "住房", "建设", "市场监", "自然资源", "生态环境", "环保",
               "水利", "水务", "农业", "文旅", "文化", "旅游", "教育", "卫健", "卫生健康", "工信", "工业和信息化",
               "商务", "林业", "林草", "城管", "城市管理", "综合行政执法", "邮政", "能源", "人防", "民政", "国资",
               "体育", "气象", "发展改革", "发改")

_PAREN = re.compile(r"[（(]([^（）()]*)[）)]")
_TOWN = re.compile(r"^(?!各)(.{1,8}?(?:镇|乡|苏木))(?:人民政府|政府)?$")
_STREET = re.compile(r"^(?!各)(.{1,8}?街道)(?:办事处|办)?$")
_ORG_END = ("局", "委", "办", "部", "队", "会", "院", "所", "站", "中心", "公司", "室", "处", "厅", "署", "社", "团", "馆")


@dataclass(frozen=True)
class GroupKind:
    id: str
    name: str  # as the group is named in units.yaml
    aliases: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()


TOWNS = GroupKind("乡镇", "乡镇人民政府", ("乡镇", "乡镇政府", "镇人民政府", "镇政府", "镇", "乡人民政府", "乡"))
STREETS = GroupKind("街道", "街道办事处", ("街道", "街道办"))
TOWNS_STREETS = GroupKind("乡镇街道", "乡镇（街道）", ("乡镇街道", "乡镇（街道办事处）", "镇（街道）", "镇街"),
                          ("乡镇", "街道"))
SUPERVISORS = GroupKind("监管部门", "负有安全生产监管职责的部门", ("负有安全生产监督管理职责的部门",))
MEMBERS = GroupKind("成员单位", "安委会成员单位", ("成员单位",))
RELATED = GroupKind(OTHERS, "有关部门", ("相关部门", "有关单位", "相关单位", "有关部门（单位）"))


def collective(name: str) -> GroupKind | None:
    """The group a collective phrase means ("各镇人民政府" -> 乡镇), None for a unit name."""
    text = normalize(name)
    bare = re.sub(r"^各", "", text)
    if re.fullmatch(r"(?:苏木)?(?:乡镇|乡[（(]?镇[）)]?|镇|乡)(?:人民政府|政府)?|苏木", bare):
        return TOWNS
    if re.fullmatch(r"街道(?:办事处|办)?", bare):
        return STREETS
    if re.fullmatch(r"(?:乡镇|镇|乡)[（(、和及与/]?街道(?:办事处|办)?[）)]?(?:人民政府)?", bare) or bare == "镇街":
        return TOWNS_STREETS
    if "负有" in bare and "职责" in bare and ("监管" in bare or "监督管理" in bare):
        return SUPERVISORS
    if re.fullmatch(rf"(?:[{JURISDICTIONS}]?安委会|[{JURISDICTIONS}]?安全生产委员会)?各?成员单位", text):
        return MEMBERS
    if re.fullmatch(r"(?:其他|其它)?(?:有关|相关)(?:部门|单位)(?:[（(](?:部门|单位)[）)])?", bare):
        return RELATED
    if text.startswith("各") and len(bare) >= 2:
        return GroupKind(bare, bare)
    return None


def infer_jurisdiction(title: str, names: list[str]) -> str:
    """县, 区, 市 or 旗: from the plan title ("某某区安全生产……") or, failing that, the
    first character most unit names share ("区应急管理局")."""
    m = re.search(rf"([{JURISDICTIONS}])(?:安全生产|安委|应急|人民政府)", title or "")
    if m:
        return m.group(1)
    counts = Counter(n[0] for n in (normalize(x) for x in names)
                     if len(n) > 2 and n[0] in JURISDICTIONS and not n.startswith("市场"))
    return counts.most_common(1)[0][0] if counts else "县"


# --- clustering ----------------------------------------------------------------------

def _strip_place(text: str, prefix: str) -> str:
    if prefix and text.startswith(prefix) and len(text) - len(prefix) >= 2 and not text.startswith("市场"):
        return text[len(prefix):]
    return text


def _fold(core: str) -> str:
    return core.replace("委员会", "委").replace("办公室", "办")


def cores(name: str, prefix: str) -> set[str]:
    """The forms a name is matched by: without the jurisdiction word, 人民政府,
    parentheses; 委员会 -> 委, 办公室 -> 办; the parenthesised second name too."""
    text = normalize(name)
    inner = [p for p in _PAREN.findall(text) if p.endswith(_ORG_END)]
    main = _PAREN.sub("", text)
    out = set()
    for part in [main, *inner]:
        core = _strip_place(part, prefix)
        core = re.sub(r"(?<=[镇乡])(?:人民政府|政府)$", "", core)
        core = re.sub(r"(?<=街道)(?:办事处|办)$", "", core)
        out.add(_fold(core))
        if core.startswith("委") and len(core) > 3:  # 县委宣传部 ~ 宣传部
            out.add(_fold(core[1:]))
    return {c for c in out if len(c) >= 2}


def unit_kind(name: str) -> str:
    text = _PAREN.sub("", normalize(name))
    if _STREET.match(text):
        return "街道"
    if _TOWN.match(text) and not text.endswith(("城乡", "县乡")):
        return "乡镇"
    if text.endswith(("公司", "集团", "企业")):
        return "其他"
    return "部门"


@dataclass
class UnitDraft:
    id: str
    name: str
    short: str
    aliases: list[str]
    kind: str
    groups: list[str]
    written: list[str]  # the spellings in the table, in order of first mention
    tentative: list[str] = field(default_factory=list)  # groups given by guess, for the office to confirm

    def unit(self) -> Unit:
        return Unit(self.name, self.short, list(self.aliases), self.kind, list(self.groups))


@dataclass
class GroupDraft:
    kind: GroupKind
    written: list[str] = field(default_factory=list)  # phrases in the table that mean it
    members: list[str] = field(default_factory=list)
    tentative: bool = False
    others: bool = False  # "X等部门" refers to it

    def group(self) -> Group:
        aliases = [a for a in dict.fromkeys([*self.kind.aliases, *(re.sub("^各", "", normalize(w)) for w in self.written)])
                   if a != self.kind.name and a != self.kind.id]
        return Group(self.kind.id, self.kind.name, aliases, list(self.kind.includes))


@dataclass
class UnitsDraft:
    units: list[UnitDraft]
    groups: list[GroupDraft]
    jurisdiction: str
    report: list[str] = field(default_factory=list)

    def directory(self):
        from ..directory import Directory

        return Directory([u.unit() for u in self.units], [g.group() for g in self.groups])


def draft_units(cells: list[str], jurisdiction: str, group_ids: list[str] = ()) -> UnitsDraft:
    """Units and groups from the 责任单位 / 配合单位 cells of a plan, in order of
    mention; ``group_ids``: groups the plan refers to by id (shared_groups)."""
    names: list[str] = []
    groups: dict[str, GroupDraft] = {}

    def add_group(kind: GroupKind, written: str) -> None:
        draft = groups.setdefault(kind.id, GroupDraft(kind))
        if written and written not in draft.written:
            draft.written.append(written)
        for sub in kind.includes:
            add_group({TOWNS.id: TOWNS, STREETS.id: STREETS}[sub], "")

    for cell in cells:
        for m in mentions(cell):
            if m.others:
                add_group(RELATED, "")
                groups[RELATED.id].others = True
                continue
            kind = collective(m.name)
            if kind is not None:
                add_group(kind, m.name)
            elif m.name not in names:
                names.append(m.name)
    for gid in group_ids:
        if gid not in groups:
            known = {k.id: k for k in (TOWNS, STREETS, TOWNS_STREETS, SUPERVISORS, MEMBERS, RELATED)}
            add_group(known.get(gid, GroupKind(gid, gid)), "")
    clusters = _cluster(names, jurisdiction)
    report: list[str] = []
    units: list[UnitDraft] = []
    width = max(2, len(str(len(clusters))))
    for i, variants in enumerate(clusters, 1):
        units.append(_unit(f"U{i:0{width}d}", variants, jurisdiction))
    _unique_aliases(units, report)
    for unit in units:  # towns and 街道 the table names are the members of their groups
        if unit.kind in ("乡镇", "街道"):
            gid = TOWNS.id if unit.kind == "乡镇" else STREETS.id
            unit.groups.append(gid)
            if gid not in groups:
                groups[gid] = GroupDraft(TOWNS if gid == TOWNS.id else STREETS)
    if SUPERVISORS.id in groups:
        for unit in units:
            if unit.kind == "部门" and any(k in w for w in unit.written + [unit.name] for k in SUPERVISING):
                unit.groups.append(SUPERVISORS.id)
                unit.tentative.append(SUPERVISORS.id)
        groups[SUPERVISORS.id].tentative = True
    if MEMBERS.id in groups:
        for unit in units:
            if unit.kind == "部门":
                unit.groups.append(MEMBERS.id)
                unit.tentative.append(MEMBERS.id)
        groups[MEMBERS.id].tentative = True
    for draft in groups.values():
        draft.members = [u.name for u in units if draft.kind.id in u.groups]
    ordered = sorted(groups.values(), key=lambda g: list(groups).index(g.kind.id))
    return UnitsDraft(units, ordered, jurisdiction, report)


def _cluster(names: list[str], prefix: str) -> list[list[str]]:
    """Spellings grouped by unit, in order of first mention."""
    parent = list(range(len(names)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    core_of = [cores(n, prefix) for n in names]
    owner: dict[str, int] = {}
    for i, cs in enumerate(core_of):  # the same core: the same unit
        for c in cs:
            if c in owner:
                union(i, owner[c])
            else:
                owner[c] = i
    # Abbreviations: a core that abbreviates the cores of exactly one other cluster joins it;
    # longest names first, so that 住房城乡建设局 has joined 住房和城乡建设局 before 住建局 looks.
    for i in sorted(range(len(names)), key=lambda k: -max(map(len, core_of[k]), default=0)):
        cs = core_of[i]
        targets = {find(j) for j, other in enumerate(core_of) if find(j) != find(i)
                   and any(is_abbreviation(a, b) for a in cs for b in other)}
        if len(targets) == 1:
            union(i, targets.pop())
    clusters: dict[int, list[str]] = {}
    for i, name in enumerate(names):
        clusters.setdefault(find(i), []).append(name)
    return list(clusters.values())


def _unit(uid: str, variants: list[str], prefix: str) -> UnitDraft:
    def main(name: str) -> str:
        return _PAREN.sub("", normalize(name))

    def core_len(name: str) -> int:
        return len(_strip_place(main(name), prefix))

    best = max(variants, key=lambda v: (core_len(v), main(v).startswith(prefix)))  # first of the longest
    name = main(best)
    if prefix and not name.startswith(prefix) and any(main(v).startswith(prefix) for v in variants):
        name = prefix + name  # 应急管理局 + 区应急局 -> 区应急管理局
    kind = unit_kind(name)
    short = _strip_place(name, prefix)
    if short.startswith("委"):  # 县委宣传部 -> 宣传部; 县委办公室 keeps its name
        short = short[1:] if len(short) > 3 and short[1:] not in ("办公室", "办") else name
    if kind == "乡镇":
        short = re.sub(r"(?:人民政府|政府)$", "", short)
    elif kind == "街道":
        short = re.sub(r"(?:办事处|办)$", "", short)
    aliases: list[str] = []
    for v in variants:
        text = normalize(v)
        forms = [text, main(text), _strip_place(main(text), prefix)]
        for inner in _PAREN.findall(text):  # 县发展改革局（科学技术局）: also 县科学技术局, 科学技术局
            if inner.endswith(_ORG_END):
                forms += [prefix + inner if prefix and name.startswith(prefix) else inner, inner]
        for form in forms:
            if form and form not in (name, short) and form not in aliases and len(form) >= 2 \
                    and not form.startswith("委"):
                aliases.append(form)
    return UnitDraft(uid, name, short if short != name else "", aliases, kind, [], list(variants))


def _unique_aliases(units: list[UnitDraft], report: list[str]) -> None:
    """A spelling that two units share means neither: dropped from both, and said."""
    owners: dict[str, set[str]] = {}
    for unit in units:
        for form in [unit.name, unit.short, *unit.aliases]:
            if form:
                owners.setdefault(normalize(form), set()).add(unit.id)
    for unit in units:
        keep = []
        for alias in unit.aliases:
            others = owners[normalize(alias)] - {unit.id}
            if others:
                report.append(f"写法“{alias}”可指不止一个单位，未作为“{unit.name}”的别称")
            else:
                keep.append(alias)
        unit.aliases = keep
        if unit.short and owners[normalize(unit.short)] - {unit.id}:
            unit.short = ""


def describe(draft: UnitsDraft, units_label: str) -> list[str]:
    """What the import formed, for the office to check: one line per unit (its
    spellings in the table, so a wrong merge can be split), one per group."""
    lines = [f"单位名录：{len(draft.units)} 个单位、{len(draft.groups)} 个分组（辖区用字“{draft.jurisdiction}”）"]
    for unit in draft.units:
        merged = f"；表中写法 {'、'.join(unit.written)} 合为一个单位" if len(unit.written) > 1 else ""
        lines.append(f"  {unit.id} {unit.name}（{unit.kind}{'，简称 ' + unit.short if unit.short else ''}{merged}）")
    if any(len(u.written) > 1 for u in draft.units):
        lines.append(f"  合并有误的，在 {units_label} 中把该单位拆成两项，各写各的 name 和 aliases。")
    lines.append("  本是同一单位却分成两项的（如“发展改革委”与“发展改革局”），把其中一项的写法加入另一项的 aliases，"
                 "再删去该项。")
    for group in draft.groups:
        said = [*group.written, *(["“……等部门”"] if group.others else [])]
        written = f"，表中写作 {'、'.join(said)}" if said else ""
        head = f"  分组“{group.kind.name}”（编号 {group.kind.id}{written}）"
        if group.kind.includes:
            lines.append(f"{head}：包含分组 {'、'.join(group.kind.includes)}")
        elif group.members:
            note = "，按单位名称暂定，请对照本地职责分工核定" if group.tentative else ""
            lines.append(f"{head}：成员 {len(group.members)} 个{note}：{'、'.join(group.members)}")
        else:
            lines.append(f"{head}：还没有成员单位，请在 {units_label} 中给成员单位的 groups 加上“{group.kind.id}”，"
                         f"表中没有列出的单位照样式增加")
    return lines + [f"  {line}" for line in draft.report]

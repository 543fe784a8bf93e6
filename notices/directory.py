"""The unit directory: resolve the names people write to the units they mean."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import NoticesError
from .model import Group, Unit

# Separators between names in a 责任单位 cell; trailing "等部门" and the like.
_SPLIT = re.compile(r"[、，,；;\s]+")
_TAIL = re.compile(r"(等(?:其他|其它)?(?:有关|相关)?(?:部门|单位))$")

# Roles on a task: the 牵头 (lead) units answer for it — a 督办函 goes to them —
# and the 配合 (supporting) units help; a cell without role words names lead units only.
LEAD, SUPPORT = "牵头", "配合"
OTHERS = "有关部门"  # the group "X等部门" refers to, when units.yaml defines one
_CLAUSES = re.compile(r"[，,；;。\n]+")
_LABEL = re.compile(r"(牵头单位|牵头部门|责任单位|责任部门|主责单位|牵头|配合单位|配合部门|协同单位|协办单位|参与单位|配合)[:：]")
_LEAD_MARK = re.compile(r"[（(]?(?:牵头|负责|主责|牵头负责)[）)]?$")
_SUPPORT_MARK = re.compile(r"[（(]?(?:配合|协助|协同|参与|协办|共同配合)[）)]?$")


def normalize(name: str) -> str:
    """Fold the forms staff type for the same name: width, brackets, spaces."""
    text = unicodedata.normalize("NFKC", name or "")
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"\s+", "", text)


class UnknownUnit(NoticesError, KeyError):
    """A name that means no unit, or more than one."""


@dataclass(frozen=True)
class Mention:
    """One name in a 责任单位 cell and the role the cell gives it."""

    name: str  # normalized, without role words and "等部门"
    role: str = LEAD
    others: bool = False  # the "等部门" of "X等部门": unnamed other units


def _role_of(label: str) -> str:
    return SUPPORT if label.startswith(("配合", "协同", "协办", "参与")) else LEAD


def mentions(cell: str, role: str = "") -> list[Mention]:
    """The names in a 责任单位 cell with their roles.

    "X牵头，Y、Z配合", "牵头单位：X；配合单位：Y", "X（牵头）、Y" give X the lead
    and Y, Z support; without role words every name leads (``role`` forces one,
    for a 配合单位 column). "X等部门" is X and a (supporting) mention of the unnamed others.
    """
    text = unicodedata.normalize("NFKC", cell or "")
    segments: list[tuple[str, str]] = []  # (text, explicit role or "")
    parts = _LABEL.split(text)
    if len(parts) > 1:
        if parts[0].strip(" ，,；;"):
            segments.append((parts[0], ""))
        for label, body in zip(parts[1::2], parts[2::2]):
            segments.append((body, _role_of(label)))
    else:
        segments = [(text, "")]
    found: list[tuple[str, str, bool]] = []  # (name, role or "", others)
    for body, label_role in segments:
        for clause in _CLAUSES.split(body):
            clause = clause.strip()
            clause_role = label_role
            if m := _LEAD_MARK.search(clause):
                clause_role, clause = LEAD, clause[:m.start()]
            elif m := _SUPPORT_MARK.search(clause):
                clause_role, clause = SUPPORT, clause[:m.start()]
            for part in _SPLIT.split(clause):
                name_role = clause_role
                if m := _LEAD_MARK.search(part):
                    name_role, part = LEAD, part[:m.start()]
                elif m := _SUPPORT_MARK.search(part):
                    name_role, part = SUPPORT, part[:m.start()]
                name = normalize(part)
                others = bool(_TAIL.search(name))
                name = _TAIL.sub("", name)
                if name:
                    found.append((name, name_role, False))
                if others:  # the unnamed others help the units named
                    found.append((OTHERS, SUPPORT, True))
    roles = {r for _, r, o in found if r and not o}
    # Marked leads and unmarked names: the unmarked support; otherwise unmarked names lead.
    default = role or (SUPPORT if roles == {LEAD} else LEAD)
    return [Mention(n, role or r or default, o) for n, r, o in found]


@dataclass(frozen=True)
class Resolution:
    units: tuple[str, ...] = ()  # full names, in order of first mention (lead units first)
    unknown: tuple[str, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    lead: tuple[str, ...] = ()  # units that answer for the task
    support: tuple[str, ...] = ()  # supporting units (never also lead)
    empty_groups: tuple[str, ...] = ()  # groups named that have no member units yet
    both: tuple[str, ...] = ()  # named as supporting but also lead: counted as lead


class Directory:
    def __init__(self, units: list[Unit], groups: list[Group]):
        self.units = units
        self.groups = {g.id: g for g in groups}
        self._unit_named = {}
        for unit in units:
            self._unit_named.setdefault(unit.name, unit)  # the first, as the linear search found it
        self._by_key = {}
        for unit in units:
            self._by_key.setdefault(unit.key, unit)
        self._by_name: dict[str, set[str]] = {}
        for unit in units:
            for alias in [unit.name, unit.short, *unit.aliases]:
                if alias:
                    self._by_name.setdefault(normalize(alias), set()).add(unit.name)
        self._group_by_name: dict[str, str] = {}
        for group in groups:
            for alias in [group.id, group.name, *group.aliases]:
                self._group_by_name.setdefault(normalize(alias), group.id)
                self._group_by_name.setdefault(normalize("各" + alias), group.id)

    # --- units -----------------------------------------------------------
    def lookup(self, name: str) -> list[str]:
        """Every unit a name may mean (empty: unknown; more than one: ambiguous)."""
        return sorted(self._by_name.get(normalize(name), ()))

    def unit(self, name: str) -> Unit:
        """The one unit a name means; KeyError with a Chinese message otherwise
        (for an unknown name, the closest names in the directory)."""
        found = self.lookup(name)
        if len(found) != 1:
            if found:
                reason = f"有歧义（可能是：{'、'.join(found)}）"
            else:
                close = self.suggest(name)
                reason = "不在单位名录中" + (f"。是否指：{'、'.join(close)}？" if close else "")
            raise UnknownUnit(f"单位名称“{name}”{reason}")
        return self._unit_named[found[0]]

    # --- stored keys -------------------------------------------------------
    def key_of(self, name: str) -> str:
        """The key the database keeps for the unit a name means (its id, else its name)."""
        return self.unit(name).key

    def name_for_key(self, key: str) -> str | None:
        """The current full name of the unit a stored key means: the unit with that id,
        else the one unit whose name or alias it is (records kept before ids, or under a
        name since changed and kept as an alias); None when no unit is meant."""
        unit = self._by_key.get(key)
        if unit is not None:
            return unit.name
        found = self.lookup(key)
        return found[0] if len(found) == 1 else None

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Full names of the units whose names (full, short, aliases) are closest to
        ``name``: an abbreviation or part of one first, then by edit distance."""
        key = normalize(name)
        if not key:
            return []
        best: dict[str, tuple] = {}
        for unit in self.units:
            for alias in [unit.name, unit.short, *unit.aliases]:
                other = normalize(alias)
                if not other:
                    continue
                distance = edit_distance(key, other)
                related = key in other or other in key or is_abbreviation(key, other) or is_abbreviation(other, key)
                if not related and distance > max(1, min(len(key), len(other)) // 2):
                    continue
                score = (not related, distance, unit.name)
                if unit.name not in best or score < best[unit.name]:
                    best[unit.name] = score
        return sorted(best, key=lambda n: best[n])[:limit]

    # --- groups ----------------------------------------------------------
    def group_id(self, name: str) -> str | None:
        return self._group_by_name.get(normalize(name))

    def members(self, group_id: str, _seen: frozenset = frozenset()) -> list[str]:
        """Units in a group, including those of groups it includes (no cycles)."""
        if group_id in _seen or group_id not in self.groups:
            return []
        names = [u.name for u in self.units if group_id in u.groups]
        for sub in self.groups[group_id].includes:
            names += [n for n in self.members(sub, _seen | {group_id}) if n not in names]
        return names

    # --- cells -----------------------------------------------------------
    @staticmethod
    def split(cell: str) -> list[str]:
        """The names in a 责任单位 cell, without role words and "等部门" tails."""
        return [m.name for m in mentions(cell) if not m.others]

    def resolve(self, cell: str, extra_groups: list[str] = (), support: str = "") -> Resolution:
        """Expand a 责任单位 cell (names and group references, with their roles) and a
        配合单位 cell to full unit names. The groups of ``extra_groups`` lead on every
        task. "等部门" means the group 有关部门 when units.yaml defines one."""
        lead: list[str] = []
        helping: list[str] = []
        unknown: list[str] = []
        ambiguous: list[tuple[str, tuple[str, ...]]] = []
        empty: list[str] = []

        seen = {LEAD: set(), "support": set()}

        def add(names, role):
            target, known = (lead, seen[LEAD]) if role == LEAD else (helping, seen["support"])
            for name in names:  # a set beside the list: a county of a thousand towns is linear
                if name not in known:
                    known.add(name)
                    target.append(name)

        def group(gid: str, role: str) -> None:
            members = self.members(gid)
            if not members and self.groups[gid].name not in empty:
                empty.append(self.groups[gid].name)
            add(members, role)

        for m in [*mentions(cell), *mentions(support, SUPPORT)]:
            if m.others:
                if (gid := self.group_id(m.name)) is not None:
                    group(gid, m.role)
                continue
            found = self.lookup(m.name)
            if len(found) == 1:
                add(found, m.role)
            elif len(found) > 1:
                ambiguous.append((m.name, tuple(found)))
            elif (gid := self.group_id(m.name)) is not None:
                group(gid, m.role)
            else:
                unknown.append(m.name)
        for gid in extra_groups:
            if gid in self.groups:
                group(gid, LEAD)
        both = [n for n in helping if n in lead]
        helping = [n for n in helping if n not in lead]
        return Resolution(tuple(lead + helping), tuple(unknown), tuple(ambiguous), tuple(lead), tuple(helping),
                          tuple(empty), tuple(both))


# --- names ---------------------------------------------------------------------

def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def is_abbreviation(short: str, full: str) -> bool:
    """住建局 of 住房和城乡建设局, 应急局 of 应急管理局, 发改局 of 发展和改革局: the
    short form keeps the first and last characters and takes the rest in order."""
    if not short or len(short) < 2 or len(short) >= len(full):
        return False
    if short[0] != full[0] or short[-1] != full[-1]:
        return False
    pos = 0
    for ch in short:
        pos = full.find(ch, pos)
        if pos < 0:
            return False
        pos += 1
    return True

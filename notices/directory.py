"""The unit directory: resolve the names people write to the units they mean."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import NoticesError
from .model import Group, Unit

# Separators between names in a 责任单位 cell; trailing "等部门" and the like.
_SPLIT = re.compile(r"[、，,；;\s]+")
_TAIL = re.compile(r"(等(?:有关|相关)?(?:部门|单位))$")


def normalize(name: str) -> str:
    """Fold the forms staff type for the same name: width, brackets, spaces."""
    text = unicodedata.normalize("NFKC", name or "")
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"\s+", "", text)


class UnknownUnit(NoticesError, KeyError):
    """A name that means no unit, or more than one."""


@dataclass(frozen=True)
class Resolution:
    units: tuple[str, ...] = ()  # full names, in order of first mention
    unknown: tuple[str, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()


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
        """The one unit a name means; KeyError with a Chinese message otherwise."""
        found = self.lookup(name)
        if len(found) != 1:
            reason = "不在单位名录中" if not found else f"有歧义（可能是：{'、'.join(found)}）"
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
        """The names in a 责任单位 cell, without "等部门" tails."""
        names = []
        # Split before normalizing: normalize() drops the spaces that separate names.
        for part in _SPLIT.split(unicodedata.normalize("NFKC", cell or "")):
            part = _TAIL.sub("", normalize(part))
            if part:
                names.append(part)
        return names

    def resolve(self, cell: str, extra_groups: list[str] = ()) -> Resolution:
        """Expand a 责任单位 cell (names and group references) to full unit names."""
        units: list[str] = []
        unknown: list[str] = []
        ambiguous: list[tuple[str, tuple[str, ...]]] = []

        def add(names):
            units.extend(n for n in names if n not in units)

        for name in self.split(cell):
            found = self.lookup(name)
            if len(found) == 1:
                add(found)
            elif len(found) > 1:
                ambiguous.append((name, tuple(found)))
            elif (gid := self.group_id(name)) is not None:
                add(self.members(gid))
            else:
                unknown.append(name)
        for gid in extra_groups:
            add(self.members(gid))
        return Resolution(tuple(units), tuple(unknown), tuple(ambiguous))

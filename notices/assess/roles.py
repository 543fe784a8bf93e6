"""Who answers for a task's items: the 督办函 goes to the lead units. Pure: no I/O.

A task names lead units (牵头) and supporting units (配合). Every one of them
reports progress and has its own status, but a 督办函 about the task's
overdue or unreported items goes to the lead units only — the lead answers
for its supporters' part — unless [escalation] duban_to says 全部责任单位. A
task that names no lead (only supporters) is answered for by all its units.

For the ladder (notices.assess.escalation): ``letter_units`` says which units
a 督办函 goes to for a task; ``letter_items`` regroups flagged items by the
unit whose letter lists them.
"""

from __future__ import annotations

from ..errors import NoticesError
from ..model import Registry, Task

LEAD_ONLY, ALL_UNITS = "牵头单位", "全部责任单位"
DUBAN_TO = (LEAD_ONLY, ALL_UNITS)


def duban_to_from_config(config) -> str:
    """[escalation] duban_to, checked."""
    value = str((config.section("escalation") if config is not None else {}).get("duban_to") or LEAD_ONLY)
    if value not in DUBAN_TO:
        where = getattr(config, "path", None) or "notices.toml"
        raise NoticesError(f"{where}：[escalation] 中 duban_to = \"{value}\" 无效，应为：{'、'.join(DUBAN_TO)}")
    return value


def letter_units(task: Task, duban_to: str = LEAD_ONLY) -> list[str]:
    """The units a 督办函 about this task's items goes to."""
    if duban_to == ALL_UNITS or not task.lead_names:
        return list(task.unit_names)
    leads = set(task.lead_names)
    return [u for u in task.unit_names if u in leads]


def letter_items(items, registry: Registry, duban_to: str = LEAD_ONLY) -> dict[str, list]:
    """Flagged items (anything with ``unit``, ``task_no``) grouped by the unit whose
    督办函 lists them: a supporting unit's item goes into each lead unit's letter,
    never a letter of its own; a lead unit's into its own. Order kept, no repeats."""
    recipients = {t.no: letter_units(t, duban_to) for t in registry.tasks}  # once per task, not per item
    sets = {no: set(units) for no, units in recipients.items()}
    out: dict[str, list] = {}
    seen: dict[str, set[int]] = {}
    for item in items:
        units = recipients.get(item.task_no, [item.unit])
        for unit in ([item.unit] if item.unit in sets.get(item.task_no, {item.unit}) else units):
            if id(item) not in seen.setdefault(unit, set()):
                seen[unit].add(id(item))
                out.setdefault(unit, []).append(item)
    return out


def route_items(flagged, registry: Registry, duban_to: str = LEAD_ONLY,
                internal: frozenset[str] | set[str] = frozenset()) -> dict[str, list]:
    """The ladder's routes: ``letter_items``, except that an item is never handed to the
    issuing office (which supervises, and is not supervised): a supporting unit's item on
    a task the office leads stays the supporting unit's own."""
    out: dict[str, list] = {}
    seen: dict[str, set[int]] = {}
    for unit, items in letter_items(flagged, registry, duban_to).items():
        for item in items:
            target = item.unit if unit in internal and item.unit != unit else unit
            if id(item) not in seen.setdefault(target, set()):
                seen[target].add(id(item))
                out.setdefault(target, []).append(item)
    return {unit: items for unit, items in out.items() if unit not in internal}

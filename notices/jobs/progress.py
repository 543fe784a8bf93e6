"""`notices progress`: reporting workbooks out, filled workbooks in, rounds stored.

A round is a month, "2026-11". Its cut-off date (as_of) is when what units
report was true; by default the day given with ``--round 2026-11-29``, else the
round's last day, or today if that is earlier.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from pathlib import Path

from .. import __version__
from ..errors import NoticesError
from ..file.outputs import next_free, safe_filename
from ..file.store import Store
from ..model import Registry, Report
from ..project import Project, db_path
from ..read.progress_xlsx import WORKBOOK_SUFFIXES, CollectResult, read_workbooks
from ..render.progress_xlsx import ALL_UNITS, TemplateRow, build_progress_workbook, write_progress_workbook
from .units import remember_units

_ROUND = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
# Spreadsheet-like files a unit may have sent instead of .xlsx: read so that each
# gets its one clear "save as .xlsx" line instead of being silently left out.
_WRONG_SPREADSHEETS = (".xls", ".et", ".xlsb", ".ods", ".csv")


def parse_round(text: str) -> tuple[str, dt.date | None]:
    """"2026-11", "2026年11月", or a date "2026-11-29" -> ("2026-11", the date or None)."""
    from ..read.dates import parse_cn_date

    clean = unicodedata.normalize("NFKC", str(text or "")).strip()
    if m := _ROUND.match(clean):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return f"{year:04d}-{month:02d}", None
    day = parse_cn_date(clean)
    if day is not None and parse_cn_date(clean, month_end=True) == day:
        return f"{day.year:04d}-{day.month:02d}", day
    raise NoticesError(f"轮次“{text}”无法识别，请写成 2026-11（年-月）或 2026-11-29（截止日期）")


def round_end(round_id: str) -> dt.date:
    year, month = map(int, round_id.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def default_as_of(round_id: str, given: dt.date | None = None, today: dt.date | None = None) -> dt.date:
    """The round's cut-off date: the one given, else the round's last day (today if earlier)."""
    if given is not None:
        return given
    return min(round_end(round_id), today or dt.date.today())


# --- templates ---------------------------------------------------------------

def _unit_rows(registry: Registry, unit: str | None, as_of: dt.date, options) -> list[TemplateRow]:
    """One row per milestone the unit answers for; for a recurring milestone one per
    period asked about (``assess.status.asked_periods``)."""
    from ..assess.status import asked_periods

    rows = []
    for task in registry.tasks:
        for ms in task.milestones:
            periods = asked_periods(ms, as_of, options)
            for name in task.unit_names:
                if unit is None or name == unit:
                    rows += [TemplateRow(ms, name, period=p) for p in periods]
    return rows


def form_options(project: Project, as_of: dt.date):
    """The assessment options a reporting form is made with: its periods start where
    tracking started (the first collected round, or this one when none is)."""
    from ..assess.status import options_from_config

    rounds = Store(db_path(project)).rounds()
    return options_from_config(project.config, rounds[0].as_of if rounds else as_of)


def make_templates(project: Project, round_id: str, units: list[str] | None, all_units: bool, county: bool,
                   prefill: bool, output_dir: Path | None = None, *,
                   generated_on: dt.date | None = None) -> list[Path]:
    """Write the reporting workbooks of a round; return the files written.

    One per unit named in ``units`` (any variant of a name), per unit of the
    registry with ``all_units``, and one for the whole county with ``county``.
    Files go to outputs/<round>/填报表/<round>-<unit short>.xlsx (or
    ``output_dir``); an existing file is never overwritten: a free name
    "…-2.xlsx" is taken instead.
    """
    round_id, day = parse_round(round_id)
    registry, directory = project.load()
    as_of = default_as_of(round_id, day)
    options = form_options(project, as_of)
    if not (units or all_units or county):
        raise NoticesError("请指定要生成哪些填报表：--unit 单位名称（可重复）、--all-units（每个单位一份）"
                           "或 --county（所有单位合为一份）")
    targets: list[str] = []
    if all_units:
        targets = [u.name for u in registry.units if _unit_rows(registry, u.name, as_of, options)]
    for name in units or []:
        try:
            full = directory.unit(name).name
        except KeyError as exc:
            raise NoticesError(exc.args[0]) from None
        if not _unit_rows(registry, full, as_of, options):
            raise NoticesError(f"单位“{full}”在方案中没有承担任何任务，无需填报")
        if full not in targets:
            targets.append(full)

    latest: dict[tuple[str, str, str], Report] = {}
    if prefill:
        stored = Store(db_path(project)).latest_reports(before_round=round_id)
        latest = {(name, mid, period): r for (key, mid, period), r in stored.items()
                  if (name := directory.name_for_key(key)) is not None}

    folder = Path(output_dir) if output_dir else project.outputs_dir / round_id / "填报表"
    generated_on = generated_on or dt.date.today()
    font = project.config.fonts.get("song", "宋体")
    from ..compose.common import options_from_config, office_ref

    area = options_from_config(project.config).area  # 全县 / 全区 …: the label of every unit's rows
    jobs: list[tuple[str, str, list[TemplateRow], str]] = []
    for name in targets:
        jobs.append((name, registry.unit(name).display_short, _unit_rows(registry, name, as_of, options), name))
    if county:
        jobs.append((area, area, _unit_rows(registry, None, as_of, options), ALL_UNITS))
    written = []
    for label, short, rows, meta_unit in jobs:
        for row in rows:
            row.prefill = latest.get((row.unit, row.milestone.id, row.period.key if row.period else ""))
        wb = build_progress_workbook(registry, rows, label, round_id, generated_on, __version__, font_name=font,
                                     office_ref=office_ref(project.config), meta_unit=meta_unit)
        path = next_free(folder / f"{safe_filename(f'{round_id}-{short}')}.xlsx")
        written.append(write_progress_workbook(wb, path))
    return written


# --- collecting ----------------------------------------------------------------

def expand_paths(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for its .xlsx/.xlsm files (and spreadsheets
    in other formats, so that they are reported rather than silently skipped).
    Excel's lock files (~$…) and our own temporary files (.~…) are left out."""
    out: list[Path] = []
    missing = []
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.iterdir(), key=lambda c: c.name):
                suffix = child.suffix.lower()
                if (child.is_file() and not child.name.startswith(("~$", ".~"))
                        and suffix in WORKBOOK_SUFFIXES + _WRONG_SPREADSHEETS):
                    out.append(child)
        elif p.is_file():
            out.append(p)
        else:
            missing.append(str(p))
    if missing:
        raise NoticesError(f"找不到以下文件或文件夹：{'、'.join(missing)}")
    unique: list[Path] = []
    seen: set[Path] = set()
    for p in out:  # each path resolved once (a set of all resolved paths per file made 848 files take 4 s)
        resolved = p.resolve()
        if resolved not in seen:
            seen.add(resolved)
            unique.append(p)
    return unique


def collect(project: Project, paths: list[Path], round_id: str, as_of: dt.date | None,
            accept_warnings: bool, replace: bool = False) -> CollectResult:
    """Read the filled workbooks of a round and store them.

    Refuses (NoticesError listing every problem, nothing stored) while any
    error remains, unless ``accept_warnings``: then what is valid is stored and
    each error is recorded as a skipped row. A round already stored is refused
    unless ``replace``.
    """
    round_id, day = parse_round(round_id)
    as_of = default_as_of(round_id, as_of or day)
    registry, directory = project.load()
    files = expand_paths(paths)
    if not files:
        raise NoticesError("没有找到要收集的填报表（.xlsx 文件）")
    store = Store(db_path(project))
    if store.has_round(round_id) and not replace:
        raise NoticesError(f"{round_id} 轮已经收集过，未做改动；如需用这次的文件重新收集并替换原有数据，请加 --replace")
    result = read_workbooks(files, registry, directory, round_id, as_of)
    errors = result.errors
    if errors and not accept_warnings:
        problems = errors + result.warnings
        raise NoticesError(
            f"{round_id} 轮未收集：{len(result.files)} 个文件中发现 {len(errors)} 处错误（另有 {len(result.warnings)} 条提示），"
            f"没有保存任何数据。请让有关单位改正后重新收集；或加 --accept-warnings，只收集无误的行，"
            f"有错误的行记为“已跳过”",
            problems,
        )
    keys = {u.name: u.key for u in registry.units}
    store.save_round(round_id, as_of, result, accept_warnings, replace=replace, unit_key=keys.get)
    remember_units(project, registry)
    return result


def collected_lines(result: CollectResult, registry=None) -> tuple[list[str], str, list[str]]:
    """What a collection stored: a line for each note and skipped row, the summary,
    then the extension requests the forms carried, for the office to decide."""
    notes = [f"提示：{p}" for p in result.warnings] + [f"已跳过：{p}" for p in result.errors]
    summary = (f"已收集：{len(result.files)} 个文件，{len(result.units)} 个单位，{len(result.reports)} 条填报"
               + (f"，跳过 {len(result.errors)} 处错误" if result.errors else "")
               + (f"，{len(result.warnings)} 条提示" if result.warnings else "") + "。")
    asked = [r for r in result.reports if r.extension_to is not None]
    if not asked:
        return notes, summary, []
    from ..textfmt import cn_date

    periods = {(m.id, d.key): d.period for m in registry.milestones for d in m.dues} if registry else {}
    requests = [f"延期申请 {len(asked)} 项，请办公室研究决定（批准：notices extend 单位 事项 --to 日期 --reason 理由 "
                f"--approved-by 批准人；不批准：加 --refuse；查看：notices extend）："]
    for r in asked:
        label = r.milestone_id + (f" {periods.get((r.milestone_id, r.period), r.period)}" if r.period else "")
        requests.append(f"  {r.unit} 第{label}项：申请延期至{cn_date(r.extension_to)}；理由：{r.extension_reason or '未写'}")
    return notes, summary, requests

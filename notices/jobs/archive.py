"""`notices archive --year`: the year's issued documents into a filing package;
`notices archive verify`: the package checked against what was filed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path

from .. import __version__
from ..compose.common import office_from_config
from ..errors import NoticesError
from ..file.archive import (
    FILES_DIR,
    MANIFEST,
    RETENTION,
    Archive,
    ArchiveResult,
    ArchiveSettings,
    Finding,
    Item,
    Staged,
    catalogue_name,
    manifest,
    settings_from_config,
)
from ..file.outputs import sweep_temps, temp_prefix, write_atomic
from ..file.pdf import convert, describe, sweep_leftovers
from ..file.register import DocRecord, Register
from ..project import Project, db_path
from ..render.archive_xlsx import write_catalogue
from .pdf import pdf_settings

KIND_ORDER = ("通报", "督办函", "约谈通知书", "曝光", "工作提醒", "销号")
CONVERTED = (".docx",)  # filed as PDF/A; anything else (a 工作提醒's text, a 曝光's web page, 销号 evidence) as it is


def archive_folder(project: Project, year: int) -> Path:
    return project.outputs_dir / "归档" / str(year)


def pdf_info(path: Path) -> tuple[int, str, str]:
    """(page count, producing program, format as claimed: PDF/A-2B or PDF) of a PDF."""
    pages, producer, level = describe(path)
    return pages, producer, f"PDF/A-{level}" if level else "PDF"


def _metadata(record: DocRecord, settings: ArchiveSettings, register: Register, code: str, piece: int,
              files, item_steps: list[dict] = ()) -> dict:
    """The 件's metadata, GB/T 18894-2016 elements by their Chinese names. ``item_steps``:
    the office's steps (延期, 不予延期, 销号) on the items the document took up, from the
    register's one history, in 业务行为 after the document's own."""
    retention = settings.retention[record.kind]
    steps = [{"行为": e.step, "时间": e.at.isoformat(), "责任人": e.actor, "说明": e.detail}
             for e in register.events(record.doc_number)]
    steps += list(item_steps)
    steps.append({"行为": "归档", "时间": dt.datetime.now().replace(microsecond=0).isoformat(), "责任人": "",
                  "说明": code})
    stamp = {"全宗号": settings.fonds, "年度": str(record.year), "保管期限": RETENTION[retention],
             "件号": f"{piece:04d}", "机构（问题）": settings.org_code}
    return {
        "档号": code,
        "题名": record.title,
        "文件编号": record.doc_number,
        "责任者": settings.responsible,
        "日期": record.issued_on.strftime("%Y%m%d") if record.issued_on else "",
        "文种": record.kind,
        "主送": list(record.recipients),
        "保管期限": RETENTION[retention],
        "密级": settings.secrecy,
        "机构或问题": settings.org_code,
        "计算机文件": [{"文件名": f.name, "格式": f.format, "大小": f.size, "页数": f.pages,
                       "创建程序": f.producer, "生成程序": f"notices {__version__}", "来源文件": f.source,
                       "SHA-256": f.sha256, "SM3": f.sm3} for f in files],
        "业务行为": steps,
        "归档章": stamp,
    }


def _order(record: DocRecord) -> tuple:
    return (record.issued_on or dt.date.min, KIND_ORDER.index(record.kind) if record.kind in KIND_ORDER else 9,
            record.organ_code, record.serial)


def build_archive(project: Project, year: int) -> ArchiveResult:
    office = office_from_config(project.config)
    settings = settings_from_config(project.config, office.name)
    register = Register(db_path(project), project.root)
    folder = archive_folder(project, year)
    archive = Archive(db_path(project), folder)
    unknown = archive.strangers(year)
    if unknown:
        raise NoticesError(f"归档包 {folder} 中有 {len(unknown)} 件数据库中没有记录（如 {unknown[0].stem}）：数据库可能被删除、"
                           f"清空或换成了旧的备份，现在归档会把这些档号给别的文件。未做任何改动。请先运行 "
                           f"notices register rebuild（会从归档元数据恢复这些件），再重新归档")
    project.outputs_dir.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(project.outputs_dir)  # killed runs' LibreOffice, staging folders and profiles
    result = ArchiveResult(folder)
    records = register.list(year=year)
    _mark_voided(archive, register, records, year, result)
    filed = {i.doc_number: i for i in archive.items(year)}
    result.existing = list(filed.values())
    result.voided = [r for r in records if r.status == "void" and r.doc_number not in filed]
    todo = []
    for r in sorted(records, key=_order):
        if r.doc_number in filed or r.status == "void":
            continue
        if r.status != "issued":
            result.skipped.append((r.doc_number, "已编号但未生成文件，未归档；重新运行该批发文即可补齐"))
            continue
        if r.kind not in settings.retention:
            raise NoticesError(f"配置文件 [archive.retention] 中没有“{r.kind}”的保管期限")
        changed = [c.path for c in register.check_outputs(r) if c.state != "ok"]
        if changed:
            result.skipped.append((r.doc_number, "输出文件缺失或与登记时不一致，未归档：" + "、".join(changed)))
            continue
        todo.append(r)
    if todo:
        _file(project, todo, settings, register, archive, result)
    _write_package_files(project, year, settings, records, archive)
    return result


def _void_mark(register: Register, record: DocRecord) -> dict:
    """The 作废 entry of a filed 件's metadata: when and why its number was voided."""
    event = next((e for e in reversed(register.events(record.doc_number)) if e.step == "作废"), None)
    return {"日期": event.at.date().isoformat() if event else "", "原因": record.void_reason or "",
            "时间": event.at.isoformat() if event else "", "责任人": event.actor if event else ""}


def _mark_voided(archive: Archive, register: Register, records: list[DocRecord], year: int,
                 result: ArchiveResult) -> None:
    """A number voided after its 件 was filed: the 件 stays (never renumbered), its
    metadata says so (作废, and the step in 业务行为); the 目录 notes it in 备注."""
    by_number = {r.doc_number: r for r in records}
    for item in archive.items(year):
        record = by_number.get(item.doc_number)
        if record is None or record.status != "void":
            continue
        path = archive.files_dir / f"{item.archival_code}.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            result.warnings.append(f"{item.archival_code} 的元数据无法读取，未能注明 {item.doc_number} 已作废")
            continue
        if meta.get("作废"):
            continue
        mark = _void_mark(register, record)
        meta["作废"] = {"日期": mark["日期"], "原因": mark["原因"]}
        meta.setdefault("业务行为", []).append({"行为": "作废", "时间": mark["时间"], "责任人": mark["责任人"],
                                            "说明": mark["原因"]})
        archive.rewrite_metadata(item, meta)
        result.marked.append(item)


def _file(project, todo, settings, register, archive, result) -> None:
    from .history import archive_steps, histories

    all_history = histories(project)

    sources = [register.resolve(o.path) for r in todo for o in r.outputs
               if Path(o.path).suffix.lower() in CONVERTED]
    staging = Path(tempfile.mkdtemp(prefix=temp_prefix() + "归档暂存-", dir=project.outputs_dir))  # outside the package
    try:
        pdfs = iter(convert(sources, staging, pdfa=True, **pdf_settings(project)) if sources else [])
        for n, record in enumerate(todo):
            staged = []
            for k, out in enumerate(record.outputs):
                if Path(out.path).suffix.lower() in CONVERTED:
                    pdf = next(pdfs)
                    staged.append((pdf, out.path, *pdf_info(pdf)))
                else:  # kept as it is: copied into the staging folder
                    suffix = Path(out.path).suffix.lower()
                    copy = staging / f"{n}-{k}{'.json.txt' if suffix == '.json' else suffix}"  # .json: the 件's metadata
                    shutil.copyfile(register.resolve(out.path), copy)
                    staged.append((copy, out.path, None, "", Path(out.path).suffix.lstrip(".").upper()))
            steps = [s for s in archive_steps(project, record.subjects, all_history)
                     if s["行为"] in ("延期", "不予延期", "销号")]
            item = archive.file(record.doc_number, record.year, settings, record.kind, Staged(
                staged, lambda code, piece, files, r=record, st=steps: _metadata(r, settings, register, code, piece,
                                                                                 files, st)))
            result.new.append(item)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_package_files(project, year, settings, records: list[DocRecord], archive: Archive) -> None:
    """The 目录 and the manifest over every 件 of the year (filing changes no record's status)."""
    items = sorted(archive.items(year), key=lambda i: (list(RETENTION).index(i.retention), i.org_code, i.piece))
    by_number = {r.doc_number: r for r in records}
    rows, stamps = [], []
    for n, item in enumerate(items, 1):
        r = by_number[item.doc_number]
        note = "主送：" + "、".join(r.recipients) if r.kind != "通报" else ""
        if r.status == "void":
            note = f"归档后作废：{r.void_reason}"
        rows.append((n, item.archival_code, r.doc_number, settings.responsible, r.title,
                     r.issued_on.strftime("%Y%m%d") if r.issued_on else "", settings.secrecy, item.pages, note))
        stamps.append((item.archival_code, item.fonds, str(item.year), RETENTION[item.retention], f"{item.piece:04d}",
                       item.org_code))
    filed = {i.doc_number for i in items}
    # a number voided after filing is its 件 with a note in 备注, never also a 作废 row
    voided = [(r.doc_number, r.kind, r.title, r.issued_on.isoformat() if r.issued_on else "", r.void_reason or "")
              for r in records if r.status == "void" and r.doc_number not in filed]
    folder = archive.folder
    folder.mkdir(parents=True, exist_ok=True)
    catalogue = folder / catalogue_name(year)
    sweep_temps(folder)
    tmp = folder / f"{temp_prefix()}{catalogue.name}"
    write_catalogue(tmp, year, rows, voided, stamps, project.config.fonts["song"])
    tmp.replace(catalogue)
    files = [(catalogue.name, *archive.record_package_file(year, catalogue))]
    files += [(f"{FILES_DIR}/{f.name}", f.size, f.sha256, f.sm3) for i in items for f in i.files]
    data = manifest(files, {
        "全宗号": settings.fonds, "年度": year, "责任者": settings.responsible,
        "生成时间": dt.datetime.now().replace(microsecond=0).isoformat(), "生成程序": f"notices {__version__}",
        "件数": len(items), "作废文号": [v[0] for v in voided],
        "归档后作废": [i.doc_number for i in items if by_number[i.doc_number].status == "void"]})
    write_atomic(folder / MANIFEST, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"), overwrite=True)
    archive.record_package_file(year, folder / MANIFEST)


def verify_archive(project: Project, year: int) -> tuple[list[Finding], list[str]]:
    """(what is wrong with the package, notes): a number voided after filing is a note
    when its 件 says so, a finding while the package does not say it yet."""
    folder = archive_folder(project, year)
    archive = Archive(db_path(project), folder)
    if not archive.items(year):
        raise NoticesError(f"{year} 年还没有归档，请先运行 notices archive --year {year}")
    findings = archive.verify(year)
    notes = []
    register = Register(db_path(project), project.root)
    by_number = {r.doc_number: r for r in register.list(year=year)}
    for item in archive.items(year):
        record = by_number.get(item.doc_number)
        if record is None or record.status != "void":
            continue
        try:
            marked = bool(json.loads((archive.files_dir / f"{item.archival_code}.json").read_text(encoding="utf-8"))
                          .get("作废"))
        except (OSError, ValueError):
            marked = False  # missing or changed: reported above
        if marked:
            notes.append(f"{item.archival_code}（{item.doc_number}）归档后已作废：{record.void_reason}；目录备注和元数据已注明")
        else:
            findings.append(Finding("void", item.archival_code,
                                    f"{item.doc_number} 已作废（{record.void_reason}），请运行 notices archive --year {year}"))
    return findings, notes


__all__ = ["build_archive", "verify_archive", "archive_folder", "Item"]


def archive_year(project: Project, year: int, say, warn) -> ArchiveResult:
    """`notices archive --year`: file the year and tell what was done, as the command
    does (``say`` a line, ``warn`` a line to notice). Raises NoticesError when a number
    could not be filed (after telling why, each)."""
    result = build_archive(project, year)
    for item in result.new:
        say(f"已归档：{item.archival_code}  {item.doc_number}  {item.pages} 页")
    for number, reason in result.skipped:
        warn(f"未归档：{number}：{reason}")
    for record in result.voided:
        say(f"作废文号（列入目录附表，不归档）：{record.doc_number}")
    for item in result.marked:
        say(f"归档后作废：{item.archival_code}  {item.doc_number}（已在目录备注和该件元数据中注明，件号不变）")
    for line in result.warnings:
        warn(f"注意：{line}")
    say(f"{year} 年度：新归档 {len(result.new)} 件，此前已归档 {len(result.existing)} 件，"
        f"作废文号 {len(result.voided)} 个。归档文件在 {result.folder}")
    if result.skipped:
        raise NoticesError(f"有 {len(result.skipped)} 个文号未归档（原因见上）。处理后重新运行 notices archive --year {year}"
                           f" 即可补上，已归档的件不变")
    return result


def verify_lines(project: Project, year: int) -> tuple[list[str], bool]:
    """`notices archive verify`: its lines (the last one the verdict) and whether it passed."""
    findings, notes = verify_archive(project, year)
    lines = [f"说明：{line}" for line in notes]
    lines += [f"{f.state_zh}：{f.path}" + (f"（{f.detail}）" if f.detail else "") for f in findings]
    if findings:
        return lines + [f"核对未通过：{len(findings)} 处问题。"], False
    return lines + [f"{year} 年度归档核对通过：全部文件摘要一致，件号连续，没有多出的文件。"], True

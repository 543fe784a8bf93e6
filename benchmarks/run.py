#!/usr/bin/env python3
"""notices benchmarks: batch generation, tables and collection at province scale.

    python benchmarks/run.py            # everything, 督办函 up to N = 10,000 (about 15 minutes)
    python benchmarks/run.py --quick    # N capped at 1,000 (a few minutes)
    python benchmarks/run.py --json out.json --work /tmp/bench   # results elsewhere; keep the data

Builds a deterministic synthetic province in a temporary folder — 100 counties
of 60 units each (the shipped 44-task registry; each county's 26 departments
plus 34 towns, a town answering for all 59 milestones) and a reporting round
per county with realistic shares of done, late, overdue and unreported items —
then measures, side by side:

  a. 督办函 for N = 100, 1,000, 10,000 units: the plain docxtpl loop
     (DocxTemplate → render → save per document), our engine on one core and
     our engine on two cores (render.pool); same template, same contexts (made
     by the real composer from each county's assessment). docs/s, ratio, peak RSS.
  b. `notices table` for a whole county and for one unit: whole-process wall time.
  c. `notices progress collect` of 50,032 rows in 848 unit files, of 600 of those
     files, and of one 50,032-row workbook; and the per-file cost of each reader.
  d. PDF conversion of 100 督办函: one LibreOffice process against the parallel conversion.
  e. the real `notices issue 督办函` for 1,000 letters, whole process on one core
     (register included), against the plain docxtpl loop over the same letters.

Each variant runs in a child process; its peak RSS comes from the kernel
(os.wait4 / getrusage RUSAGE_CHILDREN: the largest of the child and its workers).
Results are printed as a table and written as JSON (benchmarks/results.json).
The targets of issue 6 are checked and reported, never asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

COUNTIES = 100
TOWNS_PER_COUNTY = 34  # + the registry's 26 named departments (its 5 sample towns are dropped) = 60 units
ROUND, AS_OF, ISSUED = "2026-11", dt.date(2026, 11, 29), dt.date(2026, 11, 30)
COLLECT_FILES = 848  # 848 towns × 59 milestones = 50,032 rows
TARGETS = {"a_ratio_1core": 25.0, "a_2core_gain": 1.7, "a_rss_mb": 150.0, "b_county_s": 1.5, "c_rows_s": 5.0, "d_gain": 1.3,
           "e_ratio": 10.0}


# --- the synthetic province ------------------------------------------------------------
def county_name(k: int) -> str:
    return f"样例{k + 1:03d}县"


def write_registry(folder: Path, towns: list[str]) -> Path:
    """The shipped registry with its sample towns replaced by ``towns``."""
    import yaml

    shutil.copytree(ROOT / "registry", folder, dirs_exist_ok=True)
    text = (folder / "units.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    kept = [u for u in data["units"] if not u.get("sample")]
    lines = text[:text.index("\nunits:")].rstrip("\n").splitlines()
    out = ["\n".join(lines), "", "units:"]
    for u in kept:
        out.append(f"  - name: {u['name']}\n    short: {u.get('short') or u['name']}\n"
                   f"    aliases: {json.dumps(u.get('aliases') or [], ensure_ascii=False)}\n"
                   f"    kind: {u['kind']}\n    groups: {json.dumps(u.get('groups') or [], ensure_ascii=False)}")
    for i, name in enumerate(towns):
        group = "街道" if i % 10 == 9 else "乡镇"
        out.append(f"  - name: {name}\n    short: {name.removesuffix('人民政府').removesuffix('办事处')}\n"
                   f"    aliases: []\n    kind: {group}\n    groups: [{group}]")
    (folder / "units.yaml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def county_towns(k: int) -> list[str]:
    c = county_name(k)
    return [f"{c}第{i + 1}街道办事处" if i % 10 == 9 else f"{c}第{i + 1}镇人民政府" for i in range(TOWNS_PER_COUNTY)]


def round_reports(registry, seed: int):
    """A round as units answer it: most due work done (some late), a share overdue or unreported."""
    from notices.model import Report

    rng = random.Random(seed)
    reports = []
    start = registry.plan.start
    for task in registry.tasks:
        for ms in task.milestones:
            due = ms.final_due
            for unit in task.unit_names:
                roll = rng.random()
                late = due is not None and due <= AS_OF
                if roll < (0.10 if late else 0.15):
                    continue  # unreported
                if roll < 0.14:
                    reports.append(Report(unit, ms.id, "不涉及", text="本单位无此类工作对象。", round_id=ROUND,
                                          reported_on=AS_OF))
                elif roll < (0.72 if late else 0.30):
                    last = min(due or AS_OF, AS_OF) if rng.random() < 0.85 else AS_OF  # some done late
                    done = start + dt.timedelta(days=rng.randrange(max((last - start).days, 1)))
                    reports.append(Report(unit, ms.id, "已完成", done, 100, "已按要求完成，相关工作已形成长效机制。",
                                          f"《关于{ms.requirement[:10]}的工作总结》", "王伟", "0415-7200001",
                                          ROUND, AS_OF))
                elif roll < 0.95:
                    reports.append(Report(unit, ms.id, "正在推进", None, rng.randrange(2, 19) * 5,
                                          "正在按计划推进，已完成阶段性工作。", "", "王伟", "0415-7200001", ROUND, AS_OF))
                else:
                    reports.append(Report(unit, ms.id, "未启动", None, 0, "尚未启动，拟于下季度部署。",
                                          round_id=ROUND, reported_on=AS_OF))
    return reports


def make_county(root: Path, k: int) -> Path:
    """County k's office folder: registry, config, its collected round."""
    from types import SimpleNamespace

    from notices.file.store import Store
    from notices.project import Project, db_path
    from notices.read.registry import load_registry

    if root.exists():
        shutil.rmtree(root)
    write_registry(root / "registry", county_towns(k))
    (root / "outputs").mkdir(parents=True)
    shutil.copyfile(ROOT / "notices" / "config.example.toml", root / "notices.toml")
    registry, _ = load_registry(root / "registry")
    reports = round_reports(registry, seed=k)
    result = SimpleNamespace(problems=[], files=[], reports=reports, registry_version=registry.version)
    Store(db_path(Project(root))).save_round(ROUND, AS_OF, result, accept_warnings=False)
    return root


def make_contexts(work: Path, n: int, log) -> Path:
    """督办函 contexts for n letters, streamed to one pickle file: each county's
    flagged units as the real composer writes them (Batch.duban, from the county's
    assessment), county after county; past the province's ~5,500 flagged units the
    counties come round again with new 文号 (a later round)."""
    from notices.assess.escalation import DUBAN
    from notices.jobs.issue import Batch
    from notices.project import Project

    path = work / f"contexts-{n}.pkl"
    if path.exists():
        return path
    letters: list[tuple[int, dict]] = []  # (county, context)
    per_county = 0
    for k in range(COUNTIES):
        if k and len(letters) >= n:
            break
        root = make_county(work / "county-tmp", k)
        batch = Batch(Project(root), AS_OF, ISSUED)
        for job in batch.duban(batch.proposed(DUBAN)):
            letters.append((k, job.context("")))
        per_county = len(letters) / (k + 1)
    log(f"   {len({k for k, _ in letters})} 个县，平均每县 {per_county:.0f} 份督办函")
    offsets = []
    with open(path.with_suffix(".tmp"), "wb") as f:
        for i in range(n):
            k, ctx = letters[i % len(letters)]
            ctx = dict(ctx, doc_number=f"样例省安委办函〔2026〕{i + 1}号",
                       recipient=county_name(k) + ctx["recipient"].removeprefix("县"))
            offsets.append(f.tell())
            pickle.dump(ctx, f, protocol=pickle.HIGHEST_PROTOCOL)
    path.with_suffix(".idx").write_bytes(pickle.dumps(offsets))
    path.with_suffix(".tmp").rename(path)
    return path


def read_contexts(path: Path, n: int):
    with open(path, "rb") as f:
        for _ in range(n):
            yield pickle.load(f)


class ContextAt:
    """Context i of the file, read where it is needed: in a forked worker, as issue's
    workers compose theirs (each process opens the file once)."""

    def __init__(self, path: Path):
        self.path, self.offsets, self.files = path, pickle.loads(path.with_suffix(".idx").read_bytes()), {}

    def __call__(self, i: int) -> dict:
        f = self.files.get(os.getpid())
        if f is None:
            f = self.files[os.getpid()] = open(self.path, "rb")
        f.seek(self.offsets[i])
        return pickle.load(f)


# --- a. 督办函 ---------------------------------------------------------------------------
def docxtpl_ready(template: Path, where: Path) -> Path:
    """The template as plain docxtpl can render it: our two tags that docxtpl lacks
    (vertical merges, hanging indents) rewritten to plain Jinja the way the engine
    does it; the typesetting filters come with make_env's environment."""
    import zipfile

    from notices.render import ooxml

    plain = where.parent / f"{where.name}-template.docx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith("word/") and info.filename.endswith(".xml") and b"{%" in data:
                data = ooxml.patch_indent(ooxml.patch_vmerge(data.decode("utf-8"))).encode("utf-8")
            dst.writestr(info, data)
    return plain


def child_a(variant: str, n: int, contexts: Path, out: Path) -> dict:
    """Runs in a child process: one variant, n letters, files written to ``out``."""
    template = ROOT / "templates" / "督办函.docx"
    out.mkdir(parents=True, exist_ok=True)
    stream = read_contexts(contexts, n)
    from docxtpl import DocxTemplate  # imports before the clock: the same for every variant

    from notices.render.engine import Template, make_env
    from notices.render.pool import render_in_workers

    me = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = me.ru_utime + me.ru_stime  # CPU seconds of this process and its workers, from here on
    start = time.perf_counter()  # from here: preparing the template (ours: once), rendering, writing
    if variant == "docxtpl":
        plain, env = docxtpl_ready(template, out), make_env()  # once, before the loop: not docxtpl's work
        start = time.perf_counter()
        for i, ctx in enumerate(stream):
            doc = DocxTemplate(plain)
            doc.render(ctx, jinja_env=env, autoescape=True)
            doc.save(out / f"{i}.docx")
    elif variant == "engine-1":
        tpl = Template(template)
        for i, ctx in enumerate(stream):
            (out / f"{i}.docx").write_bytes(tpl.render(ctx))
    elif variant == "engine-2":  # as issue does it: template prepared here, contexts made in the workers
        tpl = Template(template)
        docs = render_in_workers({"d": (str(template), {})}, (("d", i) for i in range(n)), workers=2, chunk=32,
                                 prepared={"d": tpl}, make=ContextAt(contexts))
        for i, data in enumerate(docs):
            (out / f"{i}.docx").write_bytes(data)
    else:
        raise SystemExit(f"unknown variant {variant}")
    secs = time.perf_counter() - start
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime - cpu0
    return {"secs": secs, "docs": n, "rss_main_mb": me.ru_maxrss / 1024, "rss_workers_mb": kids.ru_maxrss / 1024,
            "cpu_s": cpu}


def same_text(a: Path, b: Path) -> bool:
    """The two documents say the same (docxtpl's and ours: the same letter)."""
    import re
    import zipfile

    def text(p):
        with zipfile.ZipFile(p) as z:
            return [re.sub(r"<[^>]+>", "", z.read(n).decode("utf-8")) for n in ("word/document.xml", "word/header1.xml")]
    return text(a) == text(b)


# A measured command is started by this tiny launcher, not by the benchmark itself: a
# process's peak RSS counts the memory of the process it was forked from until it
# execs, and the benchmark holds far more than a fresh interpreter (~8 MB) does.
LAUNCHER = """
import json, os, sys, time
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
_, status, ru = os.wait4(pid, 0)
with open(sys.argv[1], "w") as f:
    json.dump({"wall": time.perf_counter() - t, "maxrss_kb": ru.ru_maxrss, "status": status}, f)
"""


def launch(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB of the command or its largest waited-for child, its output)."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as tmp:
        report = Path(tmp.name)
    try:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        proc = subprocess.run([sys.executable, "-S", "-c", LAUNCHER, str(report), *cmd], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        text = proc.stdout.decode("utf-8", "replace")
        measured = json.loads(report.read_text())
    finally:
        report.unlink(missing_ok=True)
    if measured["status"] != 0 or proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)[:300]} failed:\n{text[-2000:]}")
    return measured["wall"], measured["maxrss_kb"] / 1024, text


def run_child(args: list[str]) -> dict:
    _, rss, out = launch([sys.executable, str(Path(__file__).resolve()), *args])
    result = json.loads(out.strip().splitlines()[-1])
    result["rss_tree_mb"] = rss  # the child or its largest worker
    return result


def ram_dir(work: Path) -> Path:
    """Where section a writes its documents: a RAM disk when there is one, so that
    the table compares rendering, not the disk (the same files are written either way)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="notices-bench-a-", dir=shm))
    return work / "out"


def bench_a(work: Path, sizes: list[int], log) -> dict:
    log(f"a. 准备 {max(sizes):,} 份督办函的上下文（按县评估、真实组稿）…")
    t = time.perf_counter()
    contexts = make_contexts(work, max(sizes), log)
    log(f"   用时 {time.perf_counter() - t:.0f} s")
    ram = ram_dir(work)
    places = [("内存盘" if str(ram).startswith("/dev/shm") else "磁盘", ram, n) for n in sizes]
    if places[0][0] == "内存盘" and 1000 in sizes:
        places.append(("磁盘", work / "out", 1000))  # the same at N = 1,000, written to the work folder's disk
    rows = []
    try:
        for where, base, n in places:
            row = {"n": n, "where": where, "dir": str(base)}
            for variant in ("docxtpl", "engine-1", "engine-2"):
                out = base / variant
                shutil.rmtree(out, ignore_errors=True)
                log(f"   N={n:,} {variant}（{where}）…")
                res = run_child(["--child-a", variant, str(n), str(contexts), str(out)])
                res["docs_per_s"] = n / res["secs"]
                row[variant] = res
                if variant != "docxtpl":
                    row[f"{variant}-same-text"] = same_text(base / "docxtpl" / "0.docx", out / "0.docx")
            for variant in ("engine-1", "engine-2"):
                row[f"ratio_{variant}"] = row[variant]["docs_per_s"] / row["docxtpl"]["docs_per_s"]
            row["gain_2core"] = row["engine-2"]["docs_per_s"] / row["engine-1"]["docs_per_s"]
            rows.append(row)
            for variant in ("docxtpl", "engine-1", "engine-2"):
                shutil.rmtree(base / variant, ignore_errors=True)
    finally:
        if str(ram).startswith("/dev/shm"):
            shutil.rmtree(ram, ignore_errors=True)
    return {"rows": rows, "issue_batch": bench_issue(work, log)}


def bench_issue(work: Path, log, reps: int = 3) -> dict:
    """Related: `notices issue 督办函` for one county (whole process, register included),
    a fresh county each time: what a batch costs beyond rendering."""
    log("   notices issue 督办函（一个县，整个进程）…")
    runs = []
    for rep in range(reps):
        county = make_county(work / f"county-issue-{rep}", 3)
        wall, rss, out = launch([sys.executable, "-m", "notices", "-C", str(county), "issue", "duban",
                                 "--as-of", AS_OF.isoformat(), "--date", ISSUED.isoformat()])
        docs = len(list((county / "outputs" / str(ISSUED.year) / "督办函").glob("*.docx")))
        runs.append((wall, rss, docs))
    wall = statistics.median(r[0] for r in runs)
    docs = runs[0][2]
    return {"docs": docs, "wall_s": wall, "ms_per_doc": 1000 * wall / docs, "rss_mb": max(r[1] for r in runs)}


# --- b. notices table ----------------------------------------------------------------------
def median_run(cmd: list[str], reps: int) -> dict:
    runs = [launch(cmd) for _ in range(reps)]
    return {"wall_s": statistics.median(r[0] for r in runs), "runs_s": [r[0] for r in runs],
            "rss_mb": max(r[1] for r in runs), "output": runs[-1][2].strip().splitlines()[-1:]}


def bench_b(work: Path, reps: int, log) -> dict:
    log("b. notices table …")
    county = make_county(work / "county-b", 0)
    notices = [sys.executable, "-m", "notices", "-C", str(county)]
    out = work / "tables"
    out.mkdir(exist_ok=True)
    cases = {
        "全县序时进度表": ["table", "-o", str(out / "全县.docx"), "--force"],
        "全县序时进度表（带进展，附件1，另出 Excel）": ["table", "--progress", "--as-of", "2026-11-29",
                                               "--as-attachment", "1", "--xlsx", "-o", str(out / "进展.docx"),
                                               "--force"],
        "一个单位（县应急管理局）": ["table", "--unit", "县应急管理局", "-o", str(out / "单位.docx"), "--force"],
    }
    rows = {}
    for label, args in cases.items():
        rows[label] = median_run(notices + args, reps)
    rows["python -c pass（解释器启动）"] = median_run([sys.executable, "-c", "pass"], reps)
    rows["import notices.cli"] = median_run([sys.executable, "-c", "import notices.cli"], reps)
    return {"rows": rows}


# --- c. collection -------------------------------------------------------------------------
def as_saved_by_excel(data: bytes) -> bytes:
    """A workbook as it comes back from a unit: openpyxl writes every Chinese character
    of a sheet as a character reference (&#23721;), Excel and WPS write UTF-8 text,
    which is a third smaller and three times faster to parse. Same cells otherwise."""
    import io
    import re
    import zipfile

    ref = re.compile(rb"&#(\d+);")

    def utf8(m):
        code = int(m.group(1))
        return chr(code).encode("utf-8") if code > 127 else m.group(0)

    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            part = src.read(item)
            if item.filename.startswith("xl/") and item.filename.endswith(".xml"):
                part = ref.sub(utf8, part)
            dst.writestr(item, part)
    return buf.getvalue()


def _write_unit_workbooks(args):
    """In a worker: the filled workbooks of some units."""
    root, names, out = args
    from notices import __version__
    from notices.read.registry import load_registry
    from notices.render.progress_xlsx import TemplateRow, build_progress_workbook, workbook_bytes

    registry, _ = load_registry(Path(root) / "registry")
    answers = {(r.unit, r.milestone_id): r for r in round_reports(registry, seed=99)}
    for name in names:
        unit = registry.unit(name)
        rows = [TemplateRow(ms, name, answers.get((name, ms.id)))
                for t in registry.tasks if name in t.unit_names for ms in t.milestones]
        wb = build_progress_workbook(registry, rows, name, ROUND, dt.date(2026, 11, 1), __version__)
        (Path(out) / f"{ROUND}-{unit.display_short}.xlsx").write_bytes(as_saved_by_excel(workbook_bytes(wb)))
    return len(names)


def make_collection(work: Path, log) -> tuple[Path, Path, Path, Path, Path]:
    """A city office whose registry lists 848 towns (25 counties' towns), their returned
    workbooks, 600 of them in a second folder, and one workbook holding every row."""
    from concurrent.futures import ProcessPoolExecutor

    from notices import __version__
    from notices.read.registry import load_registry
    from notices.render.progress_xlsx import COUNTY, TemplateRow, build_progress_workbook, workbook_bytes

    city = work / "city"
    files, six, single = work / "returned-848", work / "returned-600", work / "returned-one"
    raw = work / "returned-one-openpyxl"
    if (work / "city.done").exists():
        return city, files, six, single, raw
    for p in (city, files, six, single, raw):
        shutil.rmtree(p, ignore_errors=True)
    towns = [t for k in range(COUNTIES) for t in county_towns(k)][:COLLECT_FILES]
    write_registry(city / "registry", towns)
    (city / "outputs").mkdir(parents=True)
    files.mkdir()
    log(f"c. 生成 {len(towns)} 个单位的报回填报表（每份 59 行）…")
    t = time.perf_counter()
    parts = [towns[i::8] for i in range(8)]
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(_write_unit_workbooks, [(str(city), p, str(files)) for p in parts]))
    six.mkdir()
    for p in sorted(files.glob("*.xlsx"))[:600]:
        os.link(p, six / p.name)
    log(f"   用时 {time.perf_counter() - t:.0f} s；生成一份 50,032 行的汇总填报表…")
    registry, _ = load_registry(city / "registry")
    answers = {(r.unit, r.milestone_id): r for r in round_reports(registry, seed=99)}
    rows = [TemplateRow(ms, name, answers.get((name, ms.id))) for name in towns
            for t in registry.tasks if name in t.unit_names for ms in t.milestones]
    single.mkdir()
    raw.mkdir()
    wb = build_progress_workbook(registry, rows, COUNTY, ROUND, dt.date(2026, 11, 1), __version__)
    data = workbook_bytes(wb)
    (raw / f"{ROUND}-全部单位.xlsx").write_bytes(data)
    (single / f"{ROUND}-全部单位.xlsx").write_bytes(as_saved_by_excel(data))
    log(f"   用时 {time.perf_counter() - t:.0f} s")
    (work / "city.done").write_text("ok")
    return city, files, six, single, raw


def reader_costs(files: Path, count: int = 100) -> dict:
    """Per-file milliseconds of each way to read a unit's returned workbook (values of the
    report sheet and the _meta sheet), in this process."""
    import io
    import warnings

    from openpyxl import load_workbook

    from notices.read import xlsx_values

    datas = [p.read_bytes() for p in sorted(files.glob("*.xlsx"))[:count]]

    def openpyxl_normal(d):
        wb = load_workbook(io.BytesIO(d), data_only=True)
        [[c.value for c in r] for r in wb["进度填报"].iter_rows()]
        list(wb["_meta"].iter_rows(values_only=True))

    def openpyxl_read_only(d):
        wb = load_workbook(io.BytesIO(d), data_only=True, read_only=True)
        [[c.value for c in r] for r in wb["进度填报"].iter_rows()]
        list(wb["_meta"].iter_rows(values_only=True))
        wb.close()

    def ours(d):
        wb = xlsx_values.load(d)
        list(wb["进度填报"].iter_rows(values_only=True))
        list(wb["_meta"].iter_rows(values_only=True))

    readers = {"openpyxl（普通模式，原读法）": openpyxl_normal, "openpyxl read_only": openpyxl_read_only,
               "notices.read.xlsx_values（现读法）": ours}
    try:
        import python_calamine

        def calamine(d):
            wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(d))
            wb.get_sheet_by_name("进度填报").to_python()
            wb.get_sheet_by_name("_meta").to_python()

        readers["python-calamine（未采用）"] = calamine
    except ImportError:
        pass
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, fn in readers.items():
            fn(datas[0])
            t = time.perf_counter()
            for d in datas:
                fn(d)
            out[label] = 1000 * (time.perf_counter() - t) / len(datas)
    return out


def profile_collect(city: Path, folder: Path, workers: int) -> list[str]:
    """The top of a cProfile of one collection in this process (main process only)."""
    import cProfile
    import io
    import pstats

    from notices.jobs.progress import collect
    from notices.project import Project
    from notices.read import progress_xlsx

    saved = progress_xlsx.PARALLEL_MIN_FILES
    if workers == 1:
        progress_xlsx.PARALLEL_MIN_FILES = 10**9  # profile the work itself, not the wait for workers
    prof = cProfile.Profile()
    try:
        prof.runcall(collect, Project(city), [folder], ROUND, AS_OF, True, replace=True)
    finally:
        progress_xlsx.PARALLEL_MIN_FILES = saved
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(18)
    return [line for line in buf.getvalue().splitlines() if line.strip()][:40]


def bench_c(work: Path, reps: int, log) -> dict:
    city, files, six, single, raw = make_collection(work, log)
    log("c. notices progress collect …")
    notices = [sys.executable, "-m", "notices", "-C", str(city), "progress", "collect"]
    tail = ["-r", ROUND, "--as-of", AS_OF.isoformat(), "--accept-warnings", "--replace"]
    cases = {"848 个单位文件，50,032 行": (files, 50032), "其中 600 个文件，35,400 行": (six, 35400),
             "一个工作簿，50,032 行": (single, 50032),
             "同一工作簿，openpyxl 原样（字符引用）": (raw, 50032)}
    rows = {}
    for label, (folder, n_rows) in cases.items():
        res = median_run(notices + [str(folder)] + tail, reps)
        res["rows"] = n_rows
        res["rows_per_s"] = n_rows / res["wall_s"]
        rows[label] = res
    result = {"rows": rows, "reader_ms_per_file": reader_costs(files)}
    slow = [k for k, v in rows.items() if v["rows"] >= 50000 and v["wall_s"] >= TARGETS["c_rows_s"]]
    result["profiles"] = {}
    for label in slow[:2]:
        log(f"   {label} 未达 {TARGETS['c_rows_s']} s，剖析（单进程读取）…")
        result["profiles"][label] = profile_collect(city, cases[label][0], workers=1)
    return result


# --- e. notices issue end to end -------------------------------------------------------------
ISSUE_N = 1000
ISSUE_TOWNS = 1000  # one county this large flags a little over 1,000 units
ISSUE_PHASES = (  # (label, function) for the profile: cumulative time of each
    ("载入登记表（YAML）", "load_registry"), ("评估进展", "assess_project"), ("逐级督办提议", "propose"),
    ("组稿（上下文）", "duban_context"), ("渲染（模板→.docx）", "render"), ("写文件（含每份 fsync）", "_write"),
    ("检查输出文件夹", "check_outputs_known"), ("编号（一个事务）", "reserve"), ("登记（分块事务）", "record_many"),
    ("自动备份", "make_backup"))


def make_issue_county(work: Path, log) -> tuple[Path, list[str]]:
    """One county of ISSUE_TOWNS towns with its collected round, and the ISSUE_N units
    `issue` will write to (the first flagged ones)."""
    from types import SimpleNamespace

    from notices.assess.escalation import DUBAN
    from notices.file.store import Store
    from notices.jobs.issue import Batch
    from notices.project import Project, db_path
    from notices.read.registry import load_registry

    root = work / "county-e"
    units_file = work / "county-e-units.json"
    if root.exists() and units_file.exists():
        return root, json.loads(units_file.read_text(encoding="utf-8"))
    shutil.rmtree(root, ignore_errors=True)
    towns = [f"大县第{i + 1}街道办事处" if i % 10 == 9 else f"大县第{i + 1}镇人民政府" for i in range(ISSUE_TOWNS)]
    write_registry(root / "registry", towns)
    (root / "outputs").mkdir(parents=True)
    shutil.copyfile(ROOT / "notices" / "config.example.toml", root / "notices.toml")
    registry, _ = load_registry(root / "registry")
    result = SimpleNamespace(problems=[], files=[], reports=round_reports(registry, seed=1),
                             registry_version=registry.version)
    Store(db_path(Project(root))).save_round(ROUND, AS_OF, result, accept_warnings=False)
    units = Batch(Project(root), AS_OF, ISSUED).proposed(DUBAN)[:ISSUE_N]
    if len(units) < ISSUE_N:
        raise SystemExit(f"the county flags only {len(units)} units")
    units_file.write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")
    log(f"   一个县 {len(towns) + 26} 个单位，发督办函给其中 {len(units)} 个")
    return root, units


def issue_contexts(root: Path, units: list[str], path: Path) -> Path:
    """The contexts `issue` gives these letters (文号 1 … N), for the docxtpl loop."""
    from notices.jobs.issue import Batch
    from notices.project import Project

    if path.exists():
        return path
    batch = Batch(Project(root), AS_OF, ISSUED)
    offsets = []
    with open(path.with_suffix(".tmp"), "wb") as f:
        for i, job in enumerate(batch.duban(units), 1):
            offsets.append(f.tell())
            pickle.dump(job.context(f"岫安委办函〔{ISSUED.year}〕{i}号"), f, protocol=pickle.HIGHEST_PROTOCOL)
    path.with_suffix(".idx").write_bytes(pickle.dumps(offsets))
    path.with_suffix(".tmp").rename(path)
    return path


def one_core(cmd: list[str]) -> list[str]:
    taskset = shutil.which("taskset")
    return [taskset, "-c", "0", *cmd] if taskset else cmd


def bench_issue_e2e(work: Path, reps: int, log) -> dict:
    """e. The real `notices issue 督办函` for ISSUE_N letters, the whole process on one
    core (startup, registry, assessment, composing, rendering, files, numbering,
    recording, backup), against the plain docxtpl loop over the same letters' contexts
    (render and save each; contexts made beforehand, imports not timed), same disk."""
    log(f"e. notices issue 督办函 {ISSUE_N:,} 份（整个命令，单核）与 docxtpl 逐份对比")
    county, units = make_issue_county(work, log)
    contexts = issue_contexts(county, units, work / f"issue-contexts-{ISSUE_N}.pkl")
    out = work / "out-e"
    shutil.rmtree(out, ignore_errors=True)
    loop = run_child(["--child-a", "docxtpl", str(ISSUE_N), str(contexts), str(out / "docxtpl")])
    shutil.rmtree(out, ignore_errors=True)
    plan = work / "county-e-plan.yaml"  # as staff issue a large batch: a plan listing the letters
    plan.write_text(f"截至日期: {AS_OF.isoformat()}\n成文日期: {ISSUED.isoformat()}\n进度轮次: {ROUND}\n督办函:\n"
                    + "".join(f"  - {u}\n" for u in units), encoding="utf-8")
    args = ["issue", "--plan", str(plan)]
    runs = []
    for rep in range(max(1, reps)):
        fresh = work / f"county-e-run-{rep}"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(county, fresh)
        wall, rss, text = launch(one_core([sys.executable, "-m", "notices", "-C", str(fresh), *args]))
        made = len(list((fresh / "outputs" / str(ISSUED.year) / "督办函").glob("*.docx")))
        if made != ISSUE_N or f"新发 {ISSUE_N} 份" not in text:
            raise SystemExit(f"issue made {made} letters:\n{text[-500:]}")
        runs.append((wall, rss))
        shutil.rmtree(fresh, ignore_errors=True)
    wall = statistics.median(r[0] for r in runs)
    result = {"n": ISSUE_N, "units": len(units), "docxtpl_s": loop["secs"], "issue_s": wall,
              "issue_runs_s": [r[0] for r in runs], "issue_rss_mb": max(r[1] for r in runs),
              "ms_per_letter": 1000 * wall / ISSUE_N, "ratio": loop["secs"] / wall,
              "one_core": bool(shutil.which("taskset"))}
    result["profile"] = profile_issue(work, county, args)
    result["county"] = bench_issue(work, log)  # and a county of ordinary size (57 letters), as in section a
    return result


def profile_issue(work: Path, county: Path, args: list[str]) -> list[tuple[str, float]]:
    """One more run of the same command under cProfile (one core): seconds in each phase."""
    import pstats

    fresh = work / "county-e-profile"
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(county, fresh)
    prof = work / "issue-e.prof"
    wall, _, _ = launch(one_core([sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "notices", "-C",
                                  str(fresh), *args]))
    stats = pstats.Stats(str(prof)).stats
    rows = [("整个进程（剖析下）", wall)]
    for label, name in ISSUE_PHASES:
        rows.append((label, sum(v[3] for k, v in stats.items() if k[2] == name)))
    shutil.rmtree(fresh, ignore_errors=True)
    return rows


# --- d. PDF ----------------------------------------------------------------------------------
PDF_DOCS = 100


def bench_pdf(work: Path, reps: int, log) -> dict:
    """d. PDF conversion of 100 督办函: one LibreOffice process for the batch against
    the parallel conversion (file.pdf.convert with workers = cores), PDF/A as
    `notices pdf` and `archive` make them. Wall time of the conversion call
    (LibreOffice start included), best of ``reps``; outputs to fresh folders."""
    import shutil

    from notices.file.pdf import convert, find_soffice, page_count
    from notices.render.engine import Template

    try:
        find_soffice()
    except Exception:  # noqa: BLE001 — no LibreOffice here: say so, measure the rest
        log("d. PDF 转换：本机未装 LibreOffice，未测")
        return {"status": "未测（本机未装 LibreOffice）"}
    log(f"d. PDF 转换：{PDF_DOCS} 份督办函，单进程与并行（{os.cpu_count()} 核）")
    contexts = make_contexts(work, PDF_DOCS, log)
    src = work / "pdf-in"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    template = Template(ROOT / "templates" / "督办函.docx")
    docs = []
    for i, ctx in enumerate(read_contexts(contexts, PDF_DOCS)):
        docs.append(src / f"{i:03d}.docx")
        docs[-1].write_bytes(template.render(ctx))
    rows, pages = {}, 0
    for label, workers in (("单进程", 1), ("并行", os.cpu_count() or 1)):
        best = None
        for r in range(max(1, reps)):
            out = work / f"pdf-out-{workers}-{r}"
            shutil.rmtree(out, ignore_errors=True)
            start = time.perf_counter()
            made = convert(docs, out, pdfa=True, workers=workers)
            secs = time.perf_counter() - start
            best = secs if best is None else min(best, secs)
            pages = sum(page_count(p) for p in made)
            shutil.rmtree(out, ignore_errors=True)
        rows[label] = {"workers": workers, "wall_s": best, "docs_per_s": PDF_DOCS / best}
        log(f"   {label}（{workers} 个 LibreOffice）：{best:.2f} s，{PDF_DOCS / best:.1f} 份/秒")
    gain = rows["单进程"]["wall_s"] / rows["并行"]["wall_s"]
    return {"rows": rows, "gain": gain, "pages": pages, "docs": PDF_DOCS}


# --- the machine, the table, the targets ----------------------------------------------------
def machine() -> dict:
    from importlib import metadata

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    versions = {}
    for name in ("notices", "docxtpl", "python-docx", "Jinja2", "lxml", "openpyxl", "python-calamine", "PyYAML"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "未安装"
    load = os.getloadavg() if hasattr(os, "getloadavg") else ()
    return {"cpu": cpu, "cores": os.cpu_count(), "ram": ram, "os": platform.platform(), "load_at_start": load,
            "python": platform.python_version(), "versions": versions,
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def check_targets(results: dict) -> list[str]:
    lines = []
    a = results.get("a", {}).get("rows", [])
    for at_1000 in (r for r in a if r["n"] == 1000):
        r1, g2, where = at_1000["ratio_engine-1"], at_1000["gain_2core"], at_1000["where"]
        lines.append(f"a 单核 ≥ {TARGETS['a_ratio_1core']:.0f}× docxtpl（N=1,000，写入{where}）：{r1:.1f}× "
                     + ("达标" if r1 >= TARGETS["a_ratio_1core"] else "未达标"))
        lines.append(f"a 双核再快 ≥ {TARGETS['a_2core_gain']}×（N=1,000，写入{where}）：{g2:.2f}× "
                     + ("达标" if g2 >= TARGETS["a_2core_gain"] else "未达标"))
    if a:
        first = a[0]["where"]
        rss = {(r["n"], v): r[v]["rss_tree_mb"] for r in a if r["where"] == first for v in ("engine-1", "engine-2")}
        worst = max(rss.values())
        lines.append(f"a 引擎峰值内存 < {TARGETS['a_rss_mb']:.0f} MB：最高 {worst:.0f} MB "
                     + ("达标" if worst < TARGETS["a_rss_mb"] else "未达标"))
        ns = sorted({n for n, _ in rss})
        if 1000 in ns and ns[-1] > 1000:
            for v in ("engine-1", "engine-2"):
                grow = rss[(ns[-1], v)] - rss[(1000, v)]
                lines.append(f"a {v} 内存从 N=1,000 到 N={ns[-1]:,}：{grow:+.1f} MB "
                             + ("（平）" if abs(grow) < 10 else "（增长）"))
        else:
            lines.append("a 内存是否随 N 增长：--quick 未跑 N=10,000，未检查")
    b = results.get("b", {}).get("rows", {})
    if "全县序时进度表" in b:
        w = b["全县序时进度表"]["wall_s"]
        lines.append(f"b 全县序时进度表 < {TARGETS['b_county_s']} s：{w:.2f} s " + ("达标" if w < TARGETS["b_county_s"] else "未达标"))
    c = results.get("c", {}).get("rows", {})
    for label, r in c.items():
        if r["rows"] >= 50000 and "openpyxl 原样" not in label:
            lines.append(f"c {label} < {TARGETS['c_rows_s']:.0f} s：{r['wall_s']:.2f} s "
                         + ("达标" if r["wall_s"] < TARGETS["c_rows_s"] else "未达标"))
    d = results.get("d", {})
    if "gain" in d:
        lines.append(f"d 并行 PDF 转换 ≥ {TARGETS['d_gain']}× 单进程：{d['gain']:.2f}× "
                     + ("达标" if d["gain"] >= TARGETS["d_gain"] else "未达标"))
    else:
        lines.append(f"d 并行 PDF 转换：{d.get('status', '未测')}")
    e = results.get("e")
    if e:
        lines.append(f"e notices issue 整个命令 ≥ {TARGETS['e_ratio']:.0f}× docxtpl（N={e['n']:,}，单核）：{e['ratio']:.1f}× "
                     + ("达标" if e["ratio"] >= TARGETS["e_ratio"] else f"未达标（差 {TARGETS['e_ratio'] / e['ratio']:.1f} 倍）"))
    return lines


def table(results: dict) -> str:
    out = []
    a = results.get("a", {}).get("rows", [])
    if a:
        out.append("a. 督办函（同一模板、同一上下文；每种做法在单独的子进程中运行）")
        out.append(f"{'N':>7} | 写入 | {'做法':<8} | {'秒':>7} | {'份/秒':>7} | {'倍数':>6} | 峰值内存 MB | 与 docxtpl 同文")
        for r in a:
            for v, name in (("docxtpl", "docxtpl"), ("engine-1", "引擎 单核"), ("engine-2", "引擎 双核")):
                x = r[v]
                ratio = 1.0 if v == "docxtpl" else r[f"ratio_{v}"]
                rss = f"{x['rss_tree_mb']:.0f}" + ("（主进程与工作进程中最大者）" if v == "engine-2" else "")
                same = "" if v == "docxtpl" else ("是" if r[f"{v}-same-text"] else "否")
                out.append(f"{r['n']:>7,} | {r['where']} | {name:<8} | {x['secs']:>7.2f} | {x['docs_per_s']:>7.0f} | "
                           f"{ratio:>5.1f}× | {rss} | {same}")
            out.append(f"{'':>7} |        双核/单核 {r['gain_2core']:.2f}×")
        ib = results["a"].get("issue_batch")
        if ib:
            out.append(f"  相关：notices issue 督办函，一个县 {ib['docs']} 份（整个进程，含编号登记、写文件）："
                       f"{ib['wall_s']:.2f} s，每份 {ib['ms_per_doc']:.1f} ms，峰值内存 {ib['rss_mb']:.0f} MB")
    b = results.get("b", {}).get("rows", {})
    if b:
        out.append("")
        out.append("b. notices table（整个进程，含启动；取中位数）")
        for label, r in b.items():
            out.append(f"  {label:<40} {r['wall_s']:>6.2f} s   峰值内存 {r['rss_mb']:.0f} MB")
    c = results.get("c", {})
    if c.get("rows"):
        out.append("")
        out.append("c. notices progress collect（整个进程，含启动与入库；取中位数）")
        for label, r in c["rows"].items():
            out.append(f"  {label:<24} {r['wall_s']:>6.2f} s   {r['rows_per_s']:>8,.0f} 行/秒   峰值内存 {r['rss_mb']:.0f} MB")
        out.append("  读一个单位的报回表（59 行，每份毫秒）：")
        for label, ms in c["reader_ms_per_file"].items():
            out.append(f"    {label:<36} {ms:>6.2f} ms")
        for label, lines in c.get("profiles", {}).items():
            out.append(f"  剖析（{label}，单进程）：")
            out += ["    " + line for line in lines]
    d = results.get("d")
    if d is not None:
        out.append("")
        if "rows" not in d:
            out.append(f"d. PDF 转换（100 份，单进程与并行）：{d.get('status', '')}")
        else:
            out.append(f"d. PDF 转换（{d['docs']} 份督办函，共 {d['pages']} 页，PDF/A；取最好一次）")
            for label, r in d["rows"].items():
                out.append(f"  {label}（{r['workers']} 个 LibreOffice） {r['wall_s']:>6.2f} s   {r['docs_per_s']:>6.1f} 份/秒")
            out.append(f"  并行/单进程 {d['gain']:.2f}×")
    e = results.get("e")
    if e:
        out.append("")
        out.append(f"e. notices issue 督办函 {e['n']:,} 份，整个命令{'（单核）' if e['one_core'] else ''}，与 docxtpl 逐份对比")
        out.append(f"  docxtpl 逐份（只计渲染和保存）{e['docxtpl_s']:>8.2f} s")
        out.append(f"  notices issue（整个进程）     {e['issue_s']:>8.2f} s   每份 {e['ms_per_letter']:.2f} ms   "
                   f"峰值内存 {e['issue_rss_mb']:.0f} MB")
        out.append(f"  倍数 {e['ratio']:.1f}×")
        out.append("  剖析（cProfile 下，秒，各段可能互相包含）：")
        for label, secs in e["profile"]:
            out.append(f"    {label:<24} {secs:>7.2f}")
        ib = e.get("county")
        if ib:
            out.append(f"  一个普通大小的县 {ib['docs']} 份（整个进程，两核）：{ib['wall_s']:.2f} s，每份 {ib['ms_per_doc']:.1f} ms")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="notices benchmarks (issue 6)")
    ap.add_argument("--quick", action="store_true", help="cap N at 1,000 (CI-sized run)")
    ap.add_argument("--json", type=Path, default=HERE / "results.json", help="where to write the results")
    ap.add_argument("--work", type=Path, help="keep the synthetic data here (reused by the next run)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each whole-process run (median)")
    ap.add_argument("--sections", default="abcde", help="which sections to run, e.g. ab")
    ap.add_argument("--child-a", nargs=4, metavar=("VARIANT", "N", "CONTEXTS", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_a:
        variant, n, contexts, out = args.child_a
        print(json.dumps(child_a(variant, int(n), Path(contexts), Path(out))))
        return 0

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    work = args.work or Path(tempfile.mkdtemp(prefix="notices-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sizes = [100, 1000] if args.quick else [100, 1000, 10000]
    results = {"machine": machine(), "quick": args.quick, "sizes": sizes}
    log(f"工作目录：{work}")
    started = time.perf_counter()
    try:
        if "a" in args.sections:
            results["a"] = bench_a(work, sizes, log)
        if "b" in args.sections:
            results["b"] = bench_b(work, args.reps, log)
        if "c" in args.sections:
            results["c"] = bench_c(work, args.reps, log)
        if "d" in args.sections:
            results["d"] = bench_pdf(work, args.reps, log)
        if "e" in args.sections:
            results["e"] = bench_issue_e2e(work, args.reps, log)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results["targets"] = check_targets(results)
    results["total_s"] = time.perf_counter() - started
    results["load_at_end"] = os.getloadavg() if hasattr(os, "getloadavg") else ()
    m = results["machine"]
    print(f"机器：{m['cpu']}，{m['cores']} 核，{m['ram']}，{m['os']}，Python {m['python']}；{m['date']}")
    load = m.get("load_at_start") or ()
    if load:
        # The load at the end counts this run's own last processes: only the start tells of others.
        print(f"开始时负载 {load[0]:.2f}，结束时 {results['load_at_end'][0]:.2f}"
              + ("（开始时机器上另有程序在运行，数字偏慢、双核收益偏低）" if load[0] > 0.7 else ""))
    print(table(results))
    print("")
    print("目标（issue 6）：")
    for line in results["targets"]:
        print("  " + line)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\n结果已写入 {args.json}（共用时 {results['total_s']:.0f} s）")
    return 0


if __name__ == "__main__":
    sys.exit(main())

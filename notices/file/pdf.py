"""PDF copies through LibreOffice in headless mode: one process per batch.

``convert`` runs one LibreOffice process over a whole batch, with a private
profile (clear of a desktop LibreOffice the user has open) and, off Windows,
``notices/fonts/fonts.conf`` mapping official font names to free substitutes.

Each document gets ``timeout`` seconds: the clock restarts whenever LibreOffice
shows progress (a line on its output, a file appearing or growing in the
staging folder). A process that stalls longer is killed with its whole process
group; the documents before the one it was working on are kept, that one is
marked timed out, and the rest go on in a new process. LibreOffice writes into
a staging folder inside the output folder; each finished file is then linked
into place, so no half-written file ever carries its final name and an
existing file is never replaced unless ``overwrite``.

``font_substitutions`` compares the fonts a .docx asks for with the fonts
embedded in its PDF, so a render with stand-in fonts does not pass unnoticed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .outputs import sweep_temps, temp_prefix, usual_mode
from ..errors import NoticesError

FONTS_CONF = Path(__file__).resolve().parents[1] / "fonts" / "fonts.conf"
INSTALL_HINT = ("未找到 LibreOffice，无法转换 PDF。Debian/Ubuntu：sudo apt-get install libreoffice-writer-nogui；"
                "Windows：从 https://zh-cn.libreoffice.org/download/ 下载安装后，把 program 文件夹加入 PATH，"
                "或在 notices.toml 的 [pdf] soffice 中写明路径，"
                "如 soffice = 'C:\\Program Files\\LibreOffice\\program\\soffice.exe'。")

# PDF/A-2b: the archival profile for the filing; LibreOffice takes filter options as JSON (7.4+).
PDFA = {"SelectPdfVersion": {"type": "long", "value": "2"}}
_PDF_FILTERS = {  # export filter by source type (the options need a filter name, which is per application)
    ".xlsx": "calc_pdf_Export", ".xls": "calc_pdf_Export", ".ods": "calc_pdf_Export", ".csv": "calc_pdf_Export",
    ".pptx": "impress_pdf_Export", ".ppt": "impress_pdf_Export", ".odp": "impress_pdf_Export",
    ".odg": "draw_pdf_Export",
}
_POLL = 0.1  # seconds between looks at a running LibreOffice
# A second process costs a LibreOffice start (~1 s); below this many documents
# each, it does not pay for itself.
PARALLEL_MIN_SHARE = 10


def find_soffice(configured: str = "") -> str:
    """The LibreOffice program: the configured one ([pdf] soffice), else soffice on PATH,
    else the usual Windows install folders."""
    if configured:
        folder = Path(configured)
        if folder.is_dir():  # the program folder itself
            configured = str(folder / ("soffice.exe" if os.name == "nt" else "soffice"))
        found = shutil.which(configured) or (configured if Path(configured).is_file() else None)
        if not found:
            raise NoticesError(f"notices.toml 的 [pdf] soffice 写的“{configured}”不存在。" + INSTALL_HINT)
        return found
    candidates = ["soffice", "libreoffice"]
    if os.name == "nt":
        for base in (os.environ.get("ProgramFiles"), os.environ.get("ProgramFiles(x86)"),
                     r"C:\Program Files", r"C:\Program Files (x86)"):
            if base:
                candidates.append(str(Path(base) / "LibreOffice" / "program" / "soffice.exe"))
    for candidate in candidates:
        found = shutil.which(candidate) or (candidate if os.path.isabs(candidate) and Path(candidate).is_file() else None)
        if found:
            return found
    raise NoticesError(INSTALL_HINT)


# --- results ---------------------------------------------------------------------------
STATUS_ZH = {"ok": "已转换", "failed": "未能转换", "timeout": "转换超时", "exists": "已存在，未覆盖"}


@dataclass(frozen=True)
class Converted:
    """What became of one input."""

    source: Path
    target: Path
    status: str  # 'ok' | 'failed' | 'timeout' | 'exists'

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


class ConversionError(NoticesError):
    """Some inputs were not converted; ``results`` has every input's outcome, in order."""

    def __init__(self, message: str, results: list[Converted]):
        super().__init__(message)
        self.results = results


# --- convert ---------------------------------------------------------------------------
# A text document keeps the blank pages its layout asks for (an odd/even section
# start: the 版记 on an even page, a letter of a print bundle on a front side); by
# default LibreOffice's PDF export drops them and the pages after change sides.
KEEP_BLANKS = {"IsSkipEmptyPages": {"type": "boolean", "value": "false"}}


def _filter_for(fmt: str, source: Path, pdfa: bool) -> str:
    ext, _, rest = fmt.partition(":")
    if ext != "pdf":
        if pdfa:
            raise ValueError(f"PDF/A needs a pdf format, not {fmt!r}")
        return fmt
    name, _, options = rest.partition(":")
    writer = source.suffix.lower() not in _PDF_FILTERS
    if not pdfa and not writer:
        return fmt
    name = name or _PDF_FILTERS.get(source.suffix.lower(), "writer_pdf_Export")
    merged = {**(KEEP_BLANKS if writer else {}), **(json.loads(options) if options else {}), **(PDFA if pdfa else {})}
    return f"pdf:{name}:{json.dumps(merged, separators=(',', ':'))}"


def _group_kwargs() -> dict:
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def _kill(proc: subprocess.Popen) -> None:
    """Kill LibreOffice with everything it started (soffice -> oosplash -> soffice.bin)."""
    try:
        if os.name == "nt":
            subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        else:
            os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _events(log: str) -> list[bool]:
    """One entry per document LibreOffice has reached, in order: True when it got as far
    as storing it ("convert … -> …"), False when loading or exporting failed outright."""
    events = []
    for line in log.splitlines():
        if line.startswith("convert "):
            events.append(True)
        elif line.startswith(("Error: source file could not be loaded", "Error: no export filter")):
            events.append(False)
    return events


def _complete(path: Path, ext: str) -> bool:
    """A finished file: for a PDF, one that ends with its trailer."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if size == 0:
        return False
    if ext != "pdf":
        return True
    with path.open("rb") as fh:
        fh.seek(max(0, size - 1024))
        return b"%%EOF" in fh.read()


def _place(src: Path, dst: Path, overwrite: bool) -> bool:
    """Move a finished file into place; False if dst exists and may not be replaced."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    if overwrite:
        try:
            os.replace(src, dst)
            return True
        except OSError:  # another drive: copy next to dst, then rename
            pass
    else:
        try:
            os.link(src, dst)  # exclusive: fails if dst appeared meanwhile
            os.unlink(src)
            return True
        except FileExistsError:
            return False
        except OSError:  # no hard links here, or another drive
            pass
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=dst.suffix, dir=dst.parent)
    usual_mode(fd)
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        if not overwrite and dst.exists():
            return False
        os.replace(tmp, dst)
        return True
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_LEFT = re.compile(r"\.~(\d+)@([0-9a-f]{8})-")


def _orphans() -> list[int]:
    """LibreOffice processes (Linux: from /proc) that a notices run of this computer
    started and that outlived it: their command line names a temporary folder of
    a process that is gone. A SIGKILLed `archive` or `pdf` cannot stop them itself;
    left alone they write into staging folders after those are swept."""
    from .outputs import _host_tag, pid_alive

    proc = Path("/proc")
    if not proc.is_dir():
        return []
    mine = _host_tag()
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if "soffice" not in cmd and "oosplash" not in cmd:
            continue
        owners = {int(m.group(1)) for m in _LEFT.finditer(cmd) if m.group(2) == mine}
        if owners and not any(pid_alive(pid) for pid in owners):
            found.append(int(entry.name))
    return found


def sweep_leftovers(folder: Path) -> None:
    """What killed runs left: their LibreOffice processes (ended), their staging folders
    in ``folder`` and their LibreOffice profiles in the temporary folder (removed)."""
    for pid in _orphans():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    if _orphans():
        time.sleep(0.2)  # let the kernel take them down before their folders go
    sweep_temps(folder)
    sweep_temps(Path(tempfile.gettempdir()))


class _Run:
    """One LibreOffice process over ``todo`` (indices into the batch). ``dead_starts``:
    how many processes before it in a row were stuck on their first document."""

    def __init__(self, job: "_Batch", todo: list[int], staging: Path, dead_starts: int = 0):
        self.job, self.todo, self.staging, self.dead_starts = job, todo, staging, dead_starts
        self.outs = [staging / job.targets[i].name for i in todo]
        self.finalized = 0  # todo[:finalized] are settled

    def state(self, log: str) -> tuple[int, bool]:
        """(documents reached, whether the last one reached got as far as storing)."""
        events = _events(log)
        reached, storing = len(events), bool(events and events[-1])
        last_out = max((k for k, out in enumerate(self.outs) if out.exists()), default=-1)
        if last_out + 1 >= reached:  # the files say more than the log (or the log is silent)
            reached, storing = last_out + 1, True
        return reached, storing

    def settle(self, upto: int) -> None:
        """Settle todo[finalized:upto] by their files: placed, or failed."""
        for k in range(self.finalized, min(upto, len(self.todo))):
            self.job.settle(self.todo[k], self.outs[k])
        self.finalized = max(self.finalized, min(upto, len(self.todo)))

    def go(self) -> list[int]:
        """Run; return what is left for another process."""
        job = self.job
        # named like our temporary files: a killed run's profile is swept (sweep_leftovers)
        with tempfile.TemporaryDirectory(prefix=temp_prefix() + "lo-", ignore_cleanup_errors=True) as scratch:
            profile = Path(scratch) / "profile"
            log_path = Path(scratch) / "log.txt"
            filt = job.filters[self.todo[0]]
            cmd = [job.exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nologo", "--nodefault", "--convert-to", filt, "--outdir", str(self.staging),
                   *(str(job.paths[i]) for i in self.todo)]
            with log_path.open("wb") as log_fh:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log_fh, stderr=log_fh,
                                        env=job.env, **_group_kwargs())
                try:
                    killed = self._watch(proc, log_path)
                finally:
                    if proc.poll() is None:
                        _kill(proc)
            log = log_path.read_bytes().decode("utf-8", "replace")
        job.note_errors(log)
        reached, storing = self.state(log)
        n = len(self.todo)
        if not killed and (reached >= n or proc.returncode == 0):
            self.settle(n)
            return []
        # Killed (stalled) or died early: the document in hand is the culprit. A file
        # being stored counts only if it is certainly whole (a PDF with its trailer).
        in_hand_done = job.ext == "pdf" and reached > 0 and _complete(self.outs[reached - 1], job.ext)
        current = reached - 1 if reached and storing and not in_hand_done else reached
        self.settle(current)
        if current >= n:
            return []
        job.give_up(self.todo[current], self.outs[current], "timeout" if killed else "failed")
        # Stuck on the first document twice running: LibreOffice itself is the trouble
        # (a dialog, a broken install), so do not spend a timeout on every document.
        self.dead_starts = self.dead_starts + 1 if current == 0 else 0
        if self.dead_starts >= 2 and current + 1 < n:
            job.errors.append("LibreOffice 连续两次在第一个文件上出错或无响应，其余文件未转换")
            for i, out in zip(self.todo[current + 1:], self.outs[current + 1:]):
                job.give_up(i, out, "failed")
            return []
        return self.todo[current + 1:]

    def _watch(self, proc: subprocess.Popen, log_path: Path) -> bool:
        """Wait for the process, settling documents as it moves on; True if it was killed."""
        last_sign, last_change = None, time.monotonic()
        while True:
            try:
                proc.wait(timeout=_POLL)
                return False
            except subprocess.TimeoutExpired:
                pass
            try:
                log = log_path.read_bytes().decode("utf-8", "replace")
                files = tuple(sorted((e.name, e.stat().st_size) for e in os.scandir(self.staging)))
            except OSError:
                continue
            reached, storing = self.state(log)
            self.settle(reached - 1 if storing else reached)  # LibreOffice has moved past these
            sign = (len(log), files)
            now = time.monotonic()
            if sign != last_sign:
                last_sign, last_change = sign, now
            elif now - last_change > self.job.timeout:
                _kill(proc)
                return True


class _Batch:
    def __init__(self, paths, out_dirs, fmt, timeout, exe, pdfa, overwrite, progress):
        self.paths = paths
        self.ext = fmt.split(":")[0]
        self.targets = [d / (p.stem + "." + self.ext) for p, d in zip(paths, out_dirs)]
        self.filters = [_filter_for(fmt, p, pdfa) for p in paths]
        self.timeout, self.exe, self.overwrite, self.progress = timeout, exe, overwrite, progress
        self.results: dict[int, Converted] = {}
        self.workers = 1
        self.lock = threading.Lock()  # parallel runs settle and report through one door
        self.errors: list[str] = []
        self.env = dict(os.environ)
        if FONTS_CONF.exists() and os.name != "nt":
            self.env["FONTCONFIG_FILE"] = str(FONTS_CONF)
        self.staging = Path()

    def note_errors(self, log: str) -> None:
        self.errors += [line.strip() for line in log.splitlines()
                        if line.startswith("Error:") and "could not be loaded" not in line]

    def _done(self, i: int, status: str) -> None:
        with self.lock:
            self.results[i] = result = Converted(self.paths[i], self.targets[i], status)
            if self.progress is not None:
                self.progress(result)

    def settle(self, i: int, out: Path) -> None:
        if not _complete(out, self.ext):
            out.unlink(missing_ok=True)
            self._done(i, "failed")
        elif _place(out, self.targets[i], self.overwrite):
            self._done(i, "ok")
        else:
            self._done(i, "exists")

    def give_up(self, i: int, out: Path, status: str) -> None:
        out.unlink(missing_ok=True)  # half written
        self._done(i, status)

    def rounds(self) -> list[list[int]]:
        """Indices grouped for one process each: one export filter per process, and no two
        inputs with the same output name (LibreOffice writes both to the staging folder)."""
        groups: dict[tuple[str, int], list[int]] = {}
        seen: dict[tuple[str, str], int] = {}
        for i, (p, f) in enumerate(zip(self.paths, self.filters)):
            name = self.targets[i].name.casefold()
            nth = seen[(f, name)] = seen.get((f, name), -1) + 1
            groups.setdefault((f, nth), []).append(i)
        return list(groups.values())

    def _drive(self, todo: list[int], staging: Path) -> None:
        """One process after another over ``todo`` until every document is settled."""
        staging.mkdir(exist_ok=True)
        dead_starts = 0
        while todo:
            run = _Run(self, todo, staging, dead_starts)
            todo, dead_starts = run.go(), run.dead_starts

    def run(self) -> None:
        sweep_leftovers(self.targets[0].parent)  # a killed run's LibreOffice, staging folder and profile
        self.staging = Path(tempfile.mkdtemp(prefix=temp_prefix() + "pdf-", dir=self.targets[0].parent))
        try:
            for todo in self.rounds():
                # Contiguous shares keep each process's documents in input order.
                n = min(self.workers, len(todo) // PARALLEL_MIN_SHARE) or 1
                shares = [todo[k * len(todo) // n:(k + 1) * len(todo) // n] for k in range(n)]
                if n == 1:
                    self._drive(todo, self.staging / "0")
                    continue
                with ThreadPoolExecutor(n) as pool:
                    for done in [pool.submit(self._drive, share, self.staging / str(k))
                                 for k, share in enumerate(shares)]:
                        done.result()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)


def convert(paths: Sequence[Path], out_dir: Path | Sequence[Path], fmt: str = "pdf", timeout: float = 60.0,
            soffice: str = "", pdfa: bool = False, overwrite: bool = False,
            progress: Callable[[Converted], None] | None = None, workers: int = 1) -> list[Path]:
    """Convert documents in one LibreOffice run; return the files made, in input order.

    ``out_dir``: one folder for all, or one per input. ``fmt``: a LibreOffice
    --convert-to target ("pdf", or "pdf:writer_pdf_Export:{json options}");
    ``pdfa`` exports PDF/A-2b. ``timeout``: seconds each document may take.
    ``progress`` is called with each input's outcome as soon as it is known
    (in input order, except that inputs needing another export filter, such as
    spreadsheets, come in a later process). An existing output is an error (nothing is converted) unless
    ``overwrite``. If any input is not converted, the others are still placed
    and ConversionError (a NoticesError, with every outcome) names the failures.
    ``workers``: up to this many LibreOffice processes side by side, each with
    its own profile and an in-order share of at least PARALLEL_MIN_SHARE
    documents (0: one per CPU core); small batches always use one process.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        return []
    out_dirs = [Path(out_dir)] * len(paths) if isinstance(out_dir, (str, os.PathLike)) else [Path(d) for d in out_dir]
    if len(out_dirs) != len(paths):
        raise ValueError("one output folder per input, or one for all")
    if timeout <= 0:
        raise NoticesError(f"转换超时时间应为正数（秒），不是 {timeout}")
    batch = _Batch(paths, out_dirs, fmt, float(timeout), "", pdfa, overwrite, progress)
    batch.workers = max(1, workers or os.cpu_count() or 1)
    missing = [p for p in paths if not p.is_file()]
    if missing:
        raise NoticesError("找不到要转换的文件：" + "、".join(str(p) for p in missing))
    keys = [os.path.normcase(str(t.resolve())) for t in batch.targets]
    dupes = sorted({t.name for t, k in zip(batch.targets, keys) if keys.count(k) > 1})
    if dupes:
        raise NoticesError("多个文件会转换成同一个文件，请改名后再转换：" + "、".join(dupes))
    existing = [t for t in batch.targets if t.exists()] if not overwrite else []
    if existing:
        raise NoticesError("文件已存在，未覆盖：" + "、".join(str(t) for t in existing))
    batch.exe = find_soffice(soffice)
    for d in dict.fromkeys(out_dirs):
        d.mkdir(parents=True, exist_ok=True)
    batch.run()
    results = [batch.results[i] for i in range(len(paths))]
    bad = {s: [r for r in results if r.status == s] for s in ("failed", "timeout", "exists")}
    if any(bad.values()):
        parts = []
        if bad["failed"]:
            detail = f"（{batch.errors[-1]}）" if batch.errors else ""
            parts.append(f"LibreOffice 未能转换 {len(bad['failed'])} 个文件：" +
                         "、".join(r.source.name for r in bad["failed"]) + detail)
        if bad["timeout"]:
            parts.append(f"{len(bad['timeout'])} 个文件转换超时（每个文件限 {timeout:g} 秒），已跳过：" +
                         "、".join(r.source.name for r in bad["timeout"]))
        if bad["exists"]:
            parts.append("转换期间出现了同名文件，未覆盖：" + "、".join(str(r.target) for r in bad["exists"]))
        done = sum(r.ok for r in results)
        raise ConversionError("；".join(parts) + (f"。其余 {done} 个文件已转换" if done else ""), results)
    return [r.target for r in results]


# --- reading PDFs ---------------------------------------------------------------------
def _reader(pdf: Path):
    from pypdf import PdfReader

    try:
        return PdfReader(str(pdf))
    except Exception as exc:  # pypdf raises its own errors for damaged files
        raise NoticesError(f"无法读取 PDF 文件 {pdf}：{exc}") from None


def page_count(pdf: Path) -> int:
    return len(_reader(pdf).pages)


def count_pages(docs: Sequence[Path], soffice: str = "") -> list[int] | None:
    """Each document's page count as LibreOffice lays it out (one run over all of
    them, in a temporary folder), or None when LibreOffice is not there or fails."""
    try:
        exe = find_soffice(soffice)
    except NoticesError:
        return None
    with tempfile.TemporaryDirectory(prefix=temp_prefix()) as tmp:
        staged = []
        for i, doc in enumerate(docs):  # copies: names of their own, nothing written beside the originals
            staged.append(Path(tmp) / f"{i:05d}.docx")
            shutil.copyfile(doc, staged[-1])
        try:
            return [page_count(pdf) for pdf in convert(staged, Path(tmp) / "pdf", soffice=exe)]
        except NoticesError:
            return None


def pdfa_level(pdf: Path) -> str | None:
    """The PDF/A part and conformance claimed in the XMP metadata ("2B"), or None."""
    return _pdfa_level(_reader(pdf))


def describe(pdf: Path) -> tuple[int, str, str | None]:
    """(page count, producing program, PDF/A level or None), the file read once."""
    reader = _reader(pdf)
    return len(reader.pages), str((reader.metadata or {}).get("/Producer", "") or ""), _pdfa_level(reader)


def _pdfa_level(reader) -> str | None:
    meta = _get(_get(reader.trailer, "/Root"), "/Metadata")
    if meta is None:
        return None
    xmp = meta.get_data().decode("utf-8", "replace")
    part = re.search(r"pdfaid:part\s*(?:=\s*[\"']|>)\s*(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance\s*(?:=\s*[\"']|>)\s*([A-Za-z])", xmp)
    return (part.group(1) + (conformance.group(1).upper() if conformance else "")) if part else None


_SUBSET = re.compile(r"^[A-Z]{6}\+")


def _get(obj, key):
    value = obj.get(key) if obj is not None else None
    return value.get_object() if value is not None else None


def embedded_fonts(pdf: Path) -> list[str]:
    """Fonts in the PDF (/BaseFont and /FontDescriptor /FontName), subset prefix stripped."""
    names: dict[str, None] = {}
    seen: set[int] = set()

    def add(name) -> None:
        if name is not None:
            text = _SUBSET.sub("", str(name).lstrip("/"))
            if text:
                names.setdefault(text)

    def visit(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for font in (_get(resources, "/Font") or {}).values():
            font = font.get_object()
            for sub in [font, *(d.get_object() for d in (_get(font, "/DescendantFonts") or []))]:
                add(_get(sub, "/BaseFont"))
                add(_get(_get(sub, "/FontDescriptor"), "/FontName"))
        for ref in (_get(resources, "/XObject") or {}).values():
            key = getattr(ref, "idnum", None)
            if key in seen:
                continue
            if key is not None:
                seen.add(key)
            xobj = ref.get_object()
            if _get(xobj, "/Subtype") == "/Form":
                visit(_get(xobj, "/Resources"))

    for page in _reader(pdf).pages:
        visit(_get(page, "/Resources"))
    return list(names)


# --- fonts --------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_PARTS = ("document", "header", "footer", "footnotes", "endnotes")

# PostScript names of the usual Chinese office fonts on Windows: a PDF names its
# fonts this way, a .docx by the (Chinese) family name.
PS_NAMES = {
    "宋体": ("SimSun",), "新宋体": ("NSimSun",), "黑体": ("SimHei",), "仿宋": ("FangSong",),
    "仿宋_GB2312": ("FangSong_GB2312",), "楷体": ("KaiTi",), "楷体_GB2312": ("KaiTi_GB2312",),
    "微软雅黑": ("MicrosoftYaHei",), "等线": ("DengXian",), "隶书": ("LiSu",), "幼圆": ("YouYuan",),
    "华文中宋": ("STZhongsong",), "华文仿宋": ("STFangsong",), "华文楷体": ("STKaiti",), "华文宋体": ("STSong",),
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "FZXBSJW--GB1-0"),
    "方正小标宋_GBK": ("FZXiaoBiaoSong-B05", "FZXBSK--GBK1-0"),
    "方正仿宋_GBK": ("FZFangSong-Z02", "FZFSK--GBK1-0"), "方正楷体_GBK": ("FZKai-Z03", "FZKTK--GBK1-0"),
    "方正黑体_GBK": ("FZHei-B01", "FZHTK--GBK1-0"), "方正仿宋简体": ("FZFangSong-Z02S", "FZFSJW--GB1-0"),
}


class _Styles:
    """styles.xml: the w:rFonts of each style (through basedOn), the default paragraph
    style and the document defaults."""

    def __init__(self, root):
        self.styles = {}
        self.default_para = None
        self.defaults = None
        if root is None:
            return
        for style in root.iter(f"{_W}style"):
            sid = style.get(f"{_W}styleId")
            self.styles[sid] = style
            if style.get(f"{_W}type") == "paragraph" and style.get(f"{_W}default") in ("1", "true", "on"):
                self.default_para = sid
        self.defaults = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr/{_W}rFonts")

    def chain(self, sid: str | None) -> list:
        out, seen = [], set()
        while sid and sid in self.styles and sid not in seen:
            seen.add(sid)
            style = self.styles[sid]
            out.append(style.find(f"{_W}rPr/{_W}rFonts"))
            based = style.find(f"{_W}basedOn")
            sid = based.get(f"{_W}val") if based is not None else None
        return out


def _font_of(chain: list, attr: str) -> str | None:
    """The first w:rFonts in precedence order that sets attr; None for a theme font."""
    for el in chain:
        if el is None:
            continue
        if el.get(f"{_W}{attr}Theme"):
            return None
        name = (el.get(f"{_W}{attr}") or "").strip()
        if name:
            return name
    return None


def requested_fonts(docx: Path) -> list[str]:
    """The fonts the document's text is set in, by name: the East Asian font (w:rFonts
    w:eastAsia) of runs with Chinese or other non-ASCII characters, the ASCII font
    (w:ascii) of runs with ASCII ones (a PAGE field counts as digits). Each run's font
    is its own w:rFonts, else its character style's, else its paragraph style's
    (styles.xml, through basedOn), else the document defaults. Body, headers,
    footers and notes are read; theme fonts and styles no text uses are left out,
    so an unused style cannot raise a false alarm."""
    from lxml import etree

    names: dict[str, None] = {}
    with zipfile.ZipFile(docx) as z:
        listing = z.namelist()
        styles = _Styles(etree.fromstring(z.read("word/styles.xml")) if "word/styles.xml" in listing else None)
        parts = [(_TEXT_PARTS.index(m.group(1)), n) for n in listing
                 if (m := re.match(r"^word/([a-z]+?)\d*\.xml$", n)) and m.group(1) in _TEXT_PARTS]
        for _, part in sorted(parts):
            for para in etree.fromstring(z.read(part)).iter(f"{_W}p"):
                pstyle = para.find(f"{_W}pPr/{_W}pStyle")
                para_chain = styles.chain(pstyle.get(f"{_W}val") if pstyle is not None else styles.default_para)
                for run in para.iterchildren(f"{_W}r", f"{_W}hyperlink", f"{_W}fldSimple", f"{_W}ins",
                                             f"{_W}smartTag", f"{_W}sdt"):
                    for r in ([run] if run.tag == f"{_W}r" else run.iter(f"{_W}r")):
                        text = "".join(t.text or "" for t in r.iter(f"{_W}t"))
                        if r.find(f"{_W}instrText") is not None:
                            text += "1"  # a field's result: a page number
                        attrs = [a for a, wanted in (("eastAsia", any(ord(c) > 127 for c in text)),
                                                     ("ascii", any(c.isascii() and not c.isspace() for c in text)))
                                 if wanted]
                        if not attrs:
                            continue
                        rstyle = r.find(f"{_W}rPr/{_W}rStyle")
                        chain = [r.find(f"{_W}rPr/{_W}rFonts"),
                                 *styles.chain(rstyle.get(f"{_W}val") if rstyle is not None else None),
                                 *para_chain, styles.defaults]
                        for attr in attrs:
                            name = _font_of(chain, attr)
                            if name:
                                names.setdefault(name)
    return list(names)


def _key(name: str) -> str:
    return re.sub(r"[\s_]+", "", name).casefold()


def _matches(embedded: str, names: Iterable[str]) -> bool:
    """An embedded (PostScript) name is one of names, give or take a style suffix."""
    ke = _key(embedded)
    for name in names:
        kn = _key(name)
        if kn and (ke == kn or (ke.startswith(kn) and ke[len(kn)] in "-,")
                   or ke in (kn + "ps", kn + "mt", kn + "psmt")):
            return True
    return False


def _fc(*args: str) -> str | None:
    """Run a fontconfig tool with our fonts.conf; None where there is none (Windows)."""
    if os.name == "nt" or not shutil.which(args[0]):
        return None
    env = dict(os.environ)
    if FONTS_CONF.exists():
        env["FONTCONFIG_FILE"] = str(FONTS_CONF)
    try:
        out = subprocess.run(list(args), capture_output=True, env=env, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.decode("utf-8", "replace") if out.returncode == 0 else None


def _fc_pattern(family: str) -> str:
    return re.sub(r"([\\\-:,])", r"\\\1", family)


@lru_cache(maxsize=None)
def _faces(file: str) -> tuple[str, ...]:
    """PostScript names of every face in a font file (all of a .ttc collection)."""
    out = _fc("fc-query", "-f", "%{postscriptname}\n", file) or ""
    return tuple(line for line in out.splitlines() if line)


@lru_cache(maxsize=None)
def _installed(family: str) -> tuple[str, ...] | None:
    """PostScript names of the installed fonts of this family (no substitution); None
    where fontconfig cannot tell."""
    out = _fc("fc-list", "--format", "%{file}\n", ":family=" + _fc_pattern(family))
    if out is None:
        return None
    return tuple(ps for file in dict.fromkeys(out.splitlines()) if file for ps in _faces(file))


@lru_cache(maxsize=None)
def _substitute(family: str) -> tuple[str, tuple[str, ...]] | None:
    """The font fontconfig would use for this family: (family name, PostScript names)."""
    out = _fc("fc-match", "-f", "%{family[0]}\t%{file}", _fc_pattern(family))
    if not out or "\t" not in out:
        return None
    name, file = out.split("\t", 1)
    return name, _faces(file)


def _display(embedded: str) -> str:
    return re.sub(r"-(Regular|Medium|Bold|Light|Book|Roman|Normal)\b.*$", "", embedded)


def font_substitutions(docx: Path, pdf: Path) -> list[tuple[str, str]]:
    """(requested, used instead) for each font the .docx asks for that is not in its PDF.

    A requested font counts as present when the PDF embeds it under its own name,
    its usual PostScript name (宋体 = SimSun) or, where fontconfig is available, the
    name of an installed font of that family. The stand-in is the font fontconfig
    would pick (with notices' fonts.conf) if the PDF has it; otherwise the embedded
    fonts no requested font accounts for. A font that is installed but not in the
    PDF is simply unused, and a missing font with no stand-in in the PDF had no text.
    """
    requested = requested_fonts(docx)
    embedded = embedded_fonts(pdf)
    explained: set[str] = set()
    missing = []
    for name in requested:
        installed = _installed(name)
        hits = [e for e in embedded if _matches(e, [name, *PS_NAMES.get(name, ()), *(installed or ())])]
        if hits:
            explained.update(hits)
        elif not installed:
            missing.append(name)
    used: dict[str, str] = {}
    for name in missing:
        sub = _substitute(name)
        if sub:
            hits = [e for e in embedded if _matches(e, [sub[0], *sub[1]])]
            if hits:
                explained.update(hits)
                used[name] = sub[0]
    leftover = [_display(e) for e in embedded if e not in explained]
    for name in missing:
        if name not in used and leftover:
            used[name] = "、".join(dict.fromkeys(leftover))
    return [(name, used[name]) for name in missing if name in used]


def substitution_message(requested: str, used: str) -> str:
    return f"本机缺少字体“{requested}”，PDF 中以“{used}”代替；请安装该字体后重新转换"

"""Writing output files: safe names, never a half-written or overwritten file.

``write_atomic`` writes to a temporary file in the target folder, flushes it
to disk, then links it to its final name (exclusive: an existing file is never
replaced unless asked). A process killed half-way leaves at most the temporary
file, never a partial file under a final name.

Temporary files are named ``.~<pid>@<host>-<random><suffix>``: the writer's
process id and a short tag of this computer's name. A run killed with SIGKILL
(or by a power cut) cannot remove its own; the next ``write_atomic`` into the
same folder removes those whose writer is no longer alive on this computer
(``sweep_temps``). Files of live processes, of other computers (a shared
folder) and any other file are left alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import socket
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..errors import NoticesError

_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
# Windows' device names, also with any extension ("aux.txt") or trailing spaces ("CON .txt").
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
             *(f"{dev}{n}" for dev in ("COM", "LPT") for n in "0123456789¹²³")}
_EDGES = re.compile(r"^[\s.]+|[\s.]+$")  # Windows drops trailing dots and spaces; a leading dot hides a file
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_TEMP = re.compile(r"^\.~(?P<pid>\d+)@(?P<host>[0-9a-f]{8})-")


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name that is valid on Windows and cannot leave its folder: characters
    Windows forbids and path separators become "_", so do runs of dots; no leading
    or trailing dot or space; a reserved device name gets a "_" before it; at most
    ``limit`` characters, a short suffix such as ".docx" kept when the name is cut."""
    text = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", name or ""))
    m = _SUFFIX.search(text)
    suffix = m.group(0) if m else ""
    stem = _EDGES.sub("", re.sub(r"\.{2,}", "_", text[: len(text) - len(suffix)]))
    if not stem:
        stem = "未命名"
    if stem.split(".")[0].rstrip().upper() in _RESERVED:
        stem = "_" + stem
    stem = _EDGES.sub("", stem[: max(limit - len(suffix), 1)]) or "未命名"
    return stem + suffix


# --- temporary files of this and of dead processes ------------------------------------
@lru_cache(maxsize=1)
def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_prefix() -> str:
    """The name prefix of this process's temporary files and folders."""
    return f".~{os.getpid()}@{_host_tag()}-"


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer (True when unsure)."""
    if pid <= 0:
        return True
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _pid_alive_windows(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks (on Windows os.kill would terminate it)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, another user's
        return True
    return True


def _pid_alive_windows(pid: int) -> bool:
    import ctypes
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.OpenProcess.restype = wintypes.HANDLE
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
    try:
        code = wintypes.DWORD()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


_swept: set[str] = set()


def sweep_temps(folder: Path, force: bool = False) -> list[Path]:
    """Remove the temporary files (and folders) that dead processes of this computer
    left in ``folder`` — only there, only names of ``temp_prefix``'s form. Done once
    per folder per process unless ``force``; returns what was removed."""
    folder = Path(folder)
    key = os.path.normcase(os.path.abspath(folder))
    if key in _swept and not force:
        return []
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    _swept.add(key)
    mine = _host_tag()
    for entry in entries:
        m = _TEMP.match(entry.name)
        if not m or m["host"] != mine or pid_alive(int(m["pid"])):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)  # what is in use stays for next time
            else:
                os.unlink(entry.path)
        except OSError:  # in use (Windows), removed meanwhile, no permission: leave it
            pass
        if not os.path.lexists(entry.path):
            removed.append(Path(entry.path))
    return removed


def _create_temp(folder: Path, suffix: str) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOINHERIT", 0)
    prefix = temp_prefix()
    for _ in range(100):
        tmp = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            return os.open(tmp, flags, 0o666), tmp  # the usual permissions (umask), not mkstemp's 0600
        except FileExistsError:
            continue
    raise NoticesError(f"无法在“{folder}”中创建临时文件")


@lru_cache(maxsize=1)
def file_mode() -> int:
    """The mode a new file gets here (0o666 less the umask): what open() gives, and
    what files made through mkstemp (0600) are set to, so every output has one mode."""
    if os.name == "nt":
        return 0o666
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def usual_mode(fd_or_path) -> None:
    """Give a file made by mkstemp the mode of any other output (file_mode)."""
    if os.name == "nt":
        return
    if isinstance(fd_or_path, int):
        os.fchmod(fd_or_path, file_mode())
    else:
        os.chmod(fd_or_path, file_mode())


def fsync_file(path: Path) -> None:
    """Flush a file another program wrote (LibreOffice's PDFs) to disk before it is moved into place."""
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def fsync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` durable (POSIX; Windows has no directory handles for this)."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_atomic(path: Path, data: bytes, overwrite: bool = False, identical_ok: bool = False,
                 sync_folder: bool = True) -> Path:
    """Write via a temporary file in the same folder, flushed to disk, then linked
    or renamed into place.

    Without overwrite, an existing file is an error and stays untouched; the
    final link is exclusive, so two writers cannot both win. ``identical_ok``:
    an existing file holding exactly ``data`` is accepted (another run wrote
    this very file, or a killed run wrote it before recording it).
    ``sync_folder`` False: the caller makes the new name durable (fsync_folder), once
    for many files.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sweep_temps(path.parent)
    if path.exists() and not overwrite:
        if identical_ok and _holds(path, data):
            return path
        raise NoticesError(f"文件已存在，未覆盖：{path}")
    fd, tmp = _create_temp(path.parent, path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if path appeared meanwhile
            except FileExistsError:
                if identical_ok and _holds(path, data):
                    return path
                raise NoticesError(f"文件已存在，未覆盖：{path}") from None
            except OSError:
                # File systems without hard links (FAT, some shares): Windows' rename
                # refuses an existing target; elsewhere best effort.
                if path.exists():
                    raise NoticesError(f"文件已存在，未覆盖：{path}") from None
                if os.name == "nt":
                    try:
                        os.rename(tmp, path)
                    except FileExistsError:
                        raise NoticesError(f"文件已存在，未覆盖：{path}") from None
                else:
                    os.replace(tmp, path)
        if sync_folder:
            fsync_folder(path.parent)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def next_free(path: Path) -> Path:
    """path, or path with -2, -3 … before the suffix if it is taken."""
    path = Path(path)
    if not path.exists():
        return path
    n = 2
    while (candidate := path.with_name(f"{path.stem}-{n}{path.suffix}")).exists():
        n += 1
    return candidate

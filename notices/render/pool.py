"""Render a large batch in worker processes, giving the documents back in order.

A prepared Template holds compiled Jinja and does not pickle, so each worker is
given the templates as (path, fonts) and prepares each one once, the first time
it needs it. The caller's process composes the contexts and writes the files;
workers only turn (template, context) into .docx bytes. Rendering is pure, so
the bytes are those the caller's own Template would give.

Work goes out in chunks of documents (one round trip per chunk, not per
document) and at most a few chunks per worker are in flight, so memory stays
flat however long the batch, and the contexts are composed only as the workers
need them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Iterable, Iterator

from ..errors import NoticesError, Problem

TemplateSpec = tuple[str, dict[str, str]]  # (template path, fonts)

_specs: dict[str, TemplateSpec] = {}
_prepared: dict = {}


def cpu_workers() -> int:
    return os.cpu_count() or 1


def _init(specs: dict[str, TemplateSpec]) -> None:
    # Ctrl+C is the main process's to handle: it stops the batch and shuts the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _specs.clear()
    _specs.update(specs)
    _prepared.clear()


def _render_chunk(chunk: list[tuple[str, dict]]):
    from .engine import Template

    out = []
    try:
        for key, context in chunk:
            if key not in _prepared:
                path, fonts = _specs[key]
                _prepared[key] = Template(path, fonts)
            out.append(_prepared[key].render(context))
    except NoticesError as exc:  # sent back as plain data: its problems survive pickling
        return "error", exc.message, [(p.where, p.message, p.severity) for p in exc.problems]
    return "ok", out


def mp_context():
    # fork starts a worker in milliseconds with everything already imported; elsewhere
    # (Windows, macOS) the platform's default start method.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def render_in_workers(specs: dict[str, TemplateSpec], items: Iterable[tuple[str, dict]], workers: int,
                      chunk: int = 16, ahead: int = 2) -> Iterator[bytes]:
    """Render each (template key, context) of ``items`` with the template ``specs[key]``
    in ``workers`` processes; yield the documents' bytes in the order of ``items``.

    ``items`` is read lazily, ``ahead`` chunks per worker at a time. A render error
    in a worker is raised here as the NoticesError it was; stopping early (an
    exception in the caller, Ctrl+C) cancels what has not started and ends the workers.
    """
    it = iter(items)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp_context(), initializer=_init, initargs=(specs,))
    pending: deque = deque()

    def submit() -> bool:
        batch = list(islice(it, chunk))
        if batch:
            pending.append(pool.submit(_render_chunk, batch))
        return bool(batch)

    try:
        for _ in range(workers * ahead):
            if not submit():
                break
        while pending:
            try:
                result = pending.popleft().result()
            except BrokenProcessPool:
                raise NoticesError("生成公文的子进程意外退出（可能是内存不足），本批未全部完成；"
                                   "重新运行同一命令即可补齐") from None
            if result[0] == "error":
                raise NoticesError(result[1], [Problem(*p) for p in result[2]])
            submit()
            yield from result[1]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

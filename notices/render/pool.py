"""Render a large batch in worker processes, giving the documents back in order.

A prepared Template holds compiled Jinja and does not pickle, so each worker is
given the templates as (path, fonts, options) and prepares each one once, the first time
it needs it — or, where workers are forked (Linux), starts with the caller's own
prepared templates and composes the contexts itself from what it inherited. The
caller's process writes the files. Rendering and composing are pure, so the
bytes are those the caller's own Template would give.

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
from typing import Callable, Iterable, Iterator

from ..errors import NoticesError, Problem

TemplateSpec = tuple  # (template path, fonts, options): Template's arguments

_specs: dict[str, TemplateSpec] = {}
_prepared: dict = {}
_inherited: dict = {}  # templates the caller already prepared: a forked worker starts with them
_make = None  # how a forked worker makes a context from an item's payload (None: the payload is the context)
_inherited_make: list = [None]


def cpu_workers() -> int:
    """The cores this process may run on (taskset, a container's CPU set), else all."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # Windows, macOS
        return os.cpu_count() or 1


def _init(specs: dict[str, TemplateSpec]) -> None:
    # Ctrl+C is the main process's to handle: it stops the batch and shuts the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _specs.clear()
    _specs.update(specs)
    _prepared.clear()
    _prepared.update(_inherited)  # empty in a spawned worker: it prepares each template itself
    global _make
    _make = _inherited_make[0]  # None in a spawned worker: it is sent contexts


def _render_chunk(chunk: list[tuple[str, dict]]):
    from .engine import Template

    out = []
    try:
        for key, context in chunk:
            if _make is not None:
                context = _make(context)
            if key not in _prepared:
                _prepared[key] = Template(*_specs[key])
            # a (context, custom properties) pair, or the context alone
            out.append(_prepared[key].render(*context) if isinstance(context, tuple) else
                       _prepared[key].render(context))
    except NoticesError as exc:  # sent back as plain data: its problems survive pickling
        return "error", exc.message, [(p.where, p.message, p.severity) for p in exc.problems]
    return "ok", out


def mp_context():
    # fork starts a worker in milliseconds with everything already imported; elsewhere
    # (Windows, macOS) the platform's default start method.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def render_in_workers(specs: dict[str, TemplateSpec], items: Iterable[tuple[str, object]], workers: int,
                      chunk: int = 16, ahead: int = 2, prepared: dict | None = None,
                      make: Callable[[object], dict] | None = None) -> Iterator[bytes]:
    """Render each (template key, context) of ``items`` with the template ``specs[key]``
    in ``workers`` processes; yield the documents' bytes in the order of ``items``.

    ``items`` is read lazily, ``ahead`` chunks per worker at a time. A render error
    in a worker is raised here as the NoticesError it was; stopping early (an
    exception in the caller, Ctrl+C) cancels what has not started and ends the workers.
    ``prepared``: the caller's own Templates for some keys (made from the same
    specs); forked workers inherit them instead of preparing their own (~25 ms each).
    ``make``: items are (key, payload) and ``make(payload)`` gives the context (or a
    (context, custom document properties) pair, as an item's context may be). A
    forked worker inherits ``make`` (with everything it reaches: the registry, the
    assessment) and composes the contexts itself, so only the payloads cross between
    processes and composing is shared out too; where workers are spawned, this
    process makes each context and sends it.
    """
    forked = mp_context().get_start_method() == "fork"
    it = iter(items) if make is None or forked else ((key, make(payload)) for key, payload in items)
    _inherited.clear()
    _inherited.update(prepared or {})
    _inherited_make[0] = make if forked else None
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
        _inherited.clear()
        _inherited_make[0] = None
        pool.shutdown(wait=True, cancel_futures=True)

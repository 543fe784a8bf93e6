"""Long actions (issuing, PDF, the archive) run in a thread of their own while the page
shows their progress. Each thread backs the database up after its own changes
(store.written is per thread), as the CLI does after a command."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import NoticesError

KEEP_SECONDS = 6 * 3600  # a finished task's page stays this long


@dataclass
class Task:
    id: str
    title: str
    back: str  # the page it was started from
    total: int = 0
    done: int = 0
    lines: list[str] = field(default_factory=list)  # what the CLI prints, in order
    notes: list[str] = field(default_factory=list)  # 注意：…
    files: list[tuple[str, list[Path]]] = field(default_factory=list)  # (label, files) to download
    numbers: list[str] = field(default_factory=list)  # 文号 issued: offered for PDF
    error: dict | None = None  # {"message", "problems"}
    finished: bool = False
    started: float = field(default_factory=time.time)
    ended: float = 0.0

    def step(self, n: int = 1) -> None:
        self.done += n

    def state(self) -> dict:
        return {"total": self.total, "done": self.done, "finished": self.finished, "failed": self.error is not None,
                "lines": len(self.lines)}


class Tasks:
    def __init__(self):
        self._tasks: dict[str, Task] = {}
        self._lock = threading.Lock()

    def get(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    def start(self, title: str, back: str, work: Callable[[Task], None],
              failed: Callable[[BaseException], dict], after: Callable[[Task], None]) -> Task:
        """Run ``work(task)`` in a new thread. An exception becomes ``failed(exc)`` (the
        user's message); ``after(task)`` runs in the same thread whatever happened."""
        task = Task(secrets.token_hex(8), title, back)
        with self._lock:
            now = time.time()
            for key in [k for k, t in self._tasks.items() if t.finished and now - t.ended > KEEP_SECONDS]:
                del self._tasks[key]
            self._tasks[task.id] = task

        def run():
            try:
                work(task)
            except BaseException as exc:  # noqa: BLE001 - told to the user, never a traceback
                task.error = failed(exc)
            finally:
                try:
                    after(task)
                finally:
                    task.ended = time.time()
                    task.finished = True

        threading.Thread(target=run, name=f"notices-task-{task.id}", daemon=True).start()
        return task


def problem_dict(exc: NoticesError) -> dict:
    return {"message": exc.message, "problems": [str(p) for p in exc.problems]}

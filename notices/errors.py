"""User-facing errors. Messages are Chinese; every one names where the problem is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about an input: where it is and what is wrong."""

    where: str  # "registry/plan.yaml:12" or "应急管理局.xlsx 进度填报!G12"
    message: str
    severity: str = "error"  # "error" or "warning"
    # (unit, milestone id, period key) a workbook row was about, when known: a rejected
    # row is then told apart from an item never reported
    subject: tuple[str, str, str] | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class NoticesError(Exception):
    """An error the user can act on; the CLI prints it without a traceback."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = list(problems or [])

    def __str__(self) -> str:
        lines = [self.message] + [str(p) for p in self.problems]
        return "\n".join(lines)

"""Errors the pipeline reports to users; the CLI maps each to an exit code and a message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class DiplokgError(Exception):
    """Base class: a problem to show the user as a message, never as a traceback."""

    exit_code = 1


class InputError(DiplokgError):
    """Bad input from the user: a file, a query or a parameter. Exit code 2."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the check allows."""

    file: Path | None
    message: str
    line: int | None = None
    column: int | None = None
    focus: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = str(self.file) if self.file else "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        details = [self.message]
        if self.focus:
            details.append(f"focus node: {self.focus}")
        if self.path:
            details.append(f"path: {self.path}")
        return f"{where}: " + "; ".join(details)


class InvalidInput(InputError):
    """One or more problems found in the project's input files."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the input"
        super().__init__(heading + ":\n" + "\n".join(f"  {p}" for p in problems))


class NoResult(DiplokgError):
    """A query ran fine but found nothing. Exit code 1."""

    exit_code = 1

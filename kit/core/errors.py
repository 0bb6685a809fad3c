"""The kit's exceptions.

Every error a user can cause is a ``KitError``. It carries one or more ``Problem``
records (file, block or sheet, row, field, value, expected) so that all problems in a
file are reported together, and prints as plain Chinese lines without a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .vocab import FailureKind


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    message: str
    file: str = ""
    block: str = ""  # YAML block or Excel sheet, in the form's terms
    row: int | None = None  # 1-based row of the block (or sheet row in xlsx)
    field: str = ""
    value: str | None = None
    expected: str = ""
    line: int | None = None  # line in a YAML file, when known

    def __str__(self) -> str:
        where = [self.file or "<输入>"]
        if self.line is not None:
            where[0] += f":{self.line}"
        loc = " ".join(
            p
            for p in (
                self.block,
                f"第{self.row}行" if self.row is not None else "",
                self.field,
            )
            if p
        )
        text = f"{where[0]}: {loc + '：' if loc else ''}{self.message}"
        extra = []
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            extra.append(f"值为 {shown!r}")
        if self.expected:
            extra.append(f"应为{self.expected}")
        if extra:
            text += f"（{'；'.join(extra)}）"
        return text


class KitError(Exception):
    """Base of every error caused by input; carries the problems found."""

    def __init__(self, problems: list[Problem] | Problem | str, file: str = ""):
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class LoadError(KitError):
    """A data file (YAML or xlsx) cannot be read into a department."""


class ParamsError(KitError):
    """A papermill parameter file is invalid."""


@dataclass
class ProblemCollector:
    """Collects problems while reading one file, then raises them together."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, **where) -> None:
        self.problems.append(Problem(message, file=self.file, **where))

    def raise_if_any(self, cls: type[KitError] = LoadError) -> None:
        if self.problems:
            raise cls(self.problems)


# --- Narrow errors: every error class of the kit is defined here ----------------------------------
class FileMissing(LoadError):
    """The path names nothing (or a symlink to nothing): a caller may word this its own way."""


class RulesError(KitError):
    """A rule file is invalid (a packaging or authoring error, reported like any input error)."""


class FamilyError(KitError):
    """A family folder is invalid or a family id unknown."""


class FormError(KitError):
    """A published form cannot be read at all (not a PDF, encrypted, scanned, truncated ...)."""


class NotThisLayout(FormError):
    """A layout module found none of its family's blocks in the form: the family's printed structure
    does not fit (kit import then tries the next family). Any other refusal of a layout — a year not
    printed, forms that cannot be told apart, a document that does not load — stands as it is."""


class OutputError(KitError):
    """A file could not be written into the output folder (full disk, permissions, …)."""


class Stopped(Exception):
    """This process was asked to stop (SIGINT/SIGTERM): nothing more is written."""


class BatchInterrupted(Stopped):
    """A batch was stopped by SIGINT or SIGTERM (workers and kernels stopped, manifest written):
    ``done`` of ``total`` departments of this run were recorded."""

    def __init__(self, signame: str, done: int, total: int):
        super().__init__(signame)
        self.signame, self.done, self.total = signame, done, total


class BatchHalted(OutputError):
    """The output folder failed mid-batch (e.g. the disk is full): every department has a status in
    ``rows``; ``manifest_written`` says whether the manifest could still say so."""

    def __init__(self, reason: str, rows: list[dict[str, Any]], manifest_written: bool):
        super().__init__(reason)
        self.reason, self.rows, self.manifest_written = reason, rows, manifest_written


class ReadStopped(Exception):
    """A signal asked the form reader to stop (not a fault of the file)."""


class DepartmentTimeout(BaseException):
    """Raised in a cell run in the kit's own process (``kit.run.inline``) when the department's
    time is up or the process is asked to stop; a BaseException, so that ``except Exception`` in
    a cell does not swallow it."""


class WarmKernelError(RuntimeError):
    """The warm kernel could not be started or reset; ``failure_kind`` says how it failed."""

    def __init__(self, message: str, failure_kind: FailureKind = FailureKind.ERROR):
        super().__init__(message)
        self.failure_kind = failure_kind

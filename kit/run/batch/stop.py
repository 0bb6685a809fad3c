"""Stopping a batch: SIGINT/SIGTERM caught in the main process (``_Stop``), and the row of a
department a worker could not finish."""
from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from ...core.errors import OutputError, Stopped
from ..kernels import on_stop_signals
from ...core.vocab import FailureKind
from .job import error_page
from .plan import Job, Row


class _Interrupt(Exception):
    """Raised in the main loop once a stop signal has arrived."""


class _Stop:
    """SIGINT/SIGTERM for the batch's lifetime (``kit.run.kernels.on_stop_signals``): note the signal and
    run ``on_signal`` (stop the workers now)."""

    def __init__(self):
        self.on_signal: list[Callable[[], Any]] = []
        self._caught: list[str] = []
        self._signals = None

    @property
    def signame(self) -> str:
        return self._caught[0] if self._caught else ""

    @property
    def requested(self) -> bool:
        return bool(self._caught)

    def check(self) -> None:
        if self._caught:
            raise _Interrupt()

    def _run(self, _signame: str) -> None:
        for fn in list(self.on_signal):
            try:
                fn()
            except Exception:  # noqa: BLE001 - stopping must go on
                pass

    def __enter__(self) -> _Stop:
        self._signals = on_stop_signals(self._run)
        self._caught = self._signals.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._signals.__exit__(*exc)


def _crash_row(job: Job, why: str, started: float, kind: FailureKind = FailureKind.ERROR) -> dict[str, Any]:
    row = Row(job.dept_code, status=kind, seconds=round(time.monotonic() - started, 2), error=why,
              fingerprint=job.fingerprint, params=Path(job.params_path).name)
    try:
        row.report = error_page(job, row)
    except (OutputError, Stopped):
        row.report = ""
    except Exception:  # noqa: BLE001 - the row is what matters
        row.report = ""
    return asdict(row)

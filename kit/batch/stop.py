"""Stopping a batch: SIGINT/SIGTERM caught in the main process (``_Stop``), and the row of a
department a worker could not finish."""
from __future__ import annotations

import signal
import threading
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

from ..rendering import OutputError, Stopped
from ..vocab import FailureKind
from .job import error_page
from .plan import Job, Row


class _Interrupt(Exception):
    """Raised in the main loop once a stop signal has arrived."""


class _Stop:
    """SIGINT/SIGTERM handlers for the batch's lifetime: note the signal, stop the workers now."""

    def __init__(self):
        self.signame = ""
        self.on_signal: list[Callable[[], Any]] = []
        self._saved: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        return bool(self.signame)

    def check(self) -> None:
        if self.signame:
            raise _Interrupt()

    def _handler(self, signum, _frame) -> None:
        if not self.signame:
            self.signame = signal.Signals(signum).name
            for fn in self.on_signal:
                try:
                    fn()
                except Exception:  # noqa: BLE001 - stopping must go on
                    pass

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._saved.items():
            signal.signal(sig, old)


def _crash_row(job: Job, why: str, started: float, kind: FailureKind = FailureKind.ERROR) -> dict[str, Any]:
    row = Row(job.dept_code, status=kind.value, seconds=round(time.monotonic() - started, 2), error=why,
              fingerprint=job.fingerprint, params=Path(job.params_path).name)
    try:
        row.report = error_page(job, row)
    except (OutputError, Stopped):
        row.report = ""
    except Exception:  # noqa: BLE001 - the row is what matters
        row.report = ""
    return asdict(row)

"""Words shared by the report, the terminal and the batch index, each with its Chinese label."""
from __future__ import annotations

from enum import Enum


class FailureKind(str, Enum):
    """Why a department has no good report; the manifest's ``status`` when not ``ok``.

    Decided where the failure is caught (``kit.render``, ``kit.batch``), never from its text.
    """

    ERROR = "error"  # the inputs could not be read, a cell raised, or the worker crashed
    TIMEOUT = "timeout"  # the department ran past --timeout
    KERNEL_DIED = "kernel_died"  # the kernel process ended during the department
    NOT_REACHED = "not_reached"  # the batch stopped (interrupted, or its output failed) before it

    @property
    def label(self) -> str:
        return _FAILURE_LABELS[self]


_FAILURE_LABELS = {
    FailureKind.ERROR: "出错",
    FailureKind.TIMEOUT: "超时",
    FailureKind.KERNEL_DIED: "内核崩溃",
    FailureKind.NOT_REACHED: "未运行",
}

"""The kit's words: statuses, severities, score bases and run outcomes, each with its Chinese label.

One place for the report, the terminal and the batch index, so that they cannot drift apart.
Machine values (``"fail"``, ``"exact"`` …) stay in the JSON contract; people see the labels.
"""
from __future__ import annotations

from enum import Enum


class _Labelled(str, Enum):
    """A machine word that compares equal to its string value and knows its Chinese label."""

    def __new__(cls, value: str, label: str, order: int):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        obj.order = order
        return obj

    def __str__(self) -> str:  # the machine word in text, f-strings and CSS classes (as enum.StrEnum does)
        return str.__str__(self)

    def __format__(self, spec: str) -> str:
        return str.__format__(str.__str__(self), spec)

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}

    @classmethod
    def orders(cls) -> dict[str, int]:
        return {m.value: m.order for m in cls}


class Status(_Labelled):
    """The result of one check row."""

    FAIL = ("fail", "不符", 0)
    UNVERIFIABLE = ("unverifiable", "无法核实", 1)
    PASS = ("pass", "通过", 2)


class Severity(_Labelled):
    ERROR = ("error", "错误", 0)
    WARNING = ("warning", "警告", 1)
    INFO = ("info", "提示", 2)


class Basis(_Labelled):
    """How a recomputed score was reached."""

    EXACT = ("exact", "按规则复核", 0)
    PROXY = ("proxy", "替代口径复核", 1)
    JUDGEMENT = ("judgement", "专业判断（保留自评分）", 2)
    UNVERIFIABLE = ("unverifiable", "资料不足，无法复核", 3)
    OVERRIDE = ("override", "审核人员调整", 4)


class ReviewStatus(_Labelled):
    """Whether a department's review is whole (every point re-checked, no input missing), partial, or none."""

    COMPLETE = ("complete", "已完成复核", 0)
    PARTIAL = ("partial", "部分复核", 1)
    NONE = ("none", "未能复核", 2)  # not one score point could be re-checked
    UNSCORED = ("unscored", "未评分：只核对数据关系", 3)  # no score table printed or read: identities only


class WeightSource(_Labelled):
    """Where a score row's weight comes from."""

    RULE = ("rule", "按规则分值", 0)  # the rule file fixes it
    TABLE = ("table", "按表内分值", 1)  # the 分值 the form prints (rows the department writes itself)


class FindingKind(_Labelled):
    """What a non-passing finding is to the auditor: a problem, missing inputs, or a quirk of the print."""

    PROBLEM = ("problem", "问题", 0)
    UNVERIFIABLE = ("unverifiable", "无法核实", 1)
    FORMAT = ("format", "格式与解析说明", 2)


class RunStatus(_Labelled):
    """The outcome of rendering one department in a batch: the manifest's ``status``."""

    OK = ("ok", "已生成", 0)
    ERROR = ("error", "出错", 1)  # the inputs could not be read, a cell raised, or the worker crashed
    TIMEOUT = ("timeout", "超时", 2)  # the department ran past --timeout
    KERNEL_DIED = ("kernel_died", "内核崩溃", 3)  # the kernel process ended during the department
    NOT_REACHED = ("not_reached", "未运行", 4)  # the batch stopped (interrupted, or its output failed) before it


class FailureKind(_Labelled):
    """Why a department has no good report (the ``RunStatus`` values other than ``ok``).

    Decided where the failure is caught (``kit.run.rendering``, ``kit.run.batch``), never from its text.
    """

    ERROR = RunStatus.ERROR.value, RunStatus.ERROR.label, 1
    TIMEOUT = RunStatus.TIMEOUT.value, RunStatus.TIMEOUT.label, 2
    KERNEL_DIED = RunStatus.KERNEL_DIED.value, RunStatus.KERNEL_DIED.label, 3
    NOT_REACHED = RunStatus.NOT_REACHED.value, RunStatus.NOT_REACHED.label, 4


class Decision(_Labelled):
    """The auditor's decision on one finding (the review file, ``kit.engine.review``)."""

    PENDING = ("pending", "待定", 0)  # no decision yet
    CONFIRMED = ("confirmed", "确认", 1)  # a problem the reviewer stands by
    EXPLAINED = ("explained", "已说明", 2)  # the department explained it (its explanation kept)
    RECTIFIED = ("rectified", "已整改", 3)  # the department corrected it
    REJECTED = ("rejected", "不采纳", 4)  # not adopted, with the reviewer's reason

    @classmethod
    def parse(cls, text: object) -> "Decision | None":
        """A decision from its Chinese label or machine word; None when neither."""
        s = str(text or "").strip()
        for m in cls:
            if s in (m.value, m.label):
                return m
        return None

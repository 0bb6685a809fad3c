"""整改建议: what the department is asked to do about each finding, in the form's own terms.

Each check declares its request (``@check(..., advice=...)``, kit/engine/checks/; a re-score check made
from a rule file asks for the recomputed score, or for the missing input of a proxy re-score; a
finding downgraded to a warning may have a request of its own). Used by the report's 问题清单
and by the 问题清单.xlsx tracking workbook, so both ask for the same thing.
"""
from __future__ import annotations

from typing import Any

from ..engine.checks import declared
from ..engine.checks.rescore import PROXY, RESCORE
from ..core.vocab import Severity, Status

SUPPLY = "请补充：{missing}。"


def advice(row: dict[str, Any], labels: dict[str, str] | None = None, rescored: set[str] | frozenset = frozenset()) -> str:
    """The request for one finding (a machine-named record of ``AuditResult.findings``).

    ``labels`` names missing inputs in Chinese (``AuditResult.missing_inputs``); ``rescored`` holds
    the ids of the checks that re-score an indicator (B3 … C3).
    """
    labels = labels or {}
    cid, subject = str(row.get("check_id", "")), str(row.get("subject", ""))
    missing = "、".join(labels.get(k, k) for k in (row.get("missing") or ()))
    if row.get("status") == Status.UNVERIFIABLE:
        return SUPPLY.format(missing=missing) if missing else "无需处理（表上没有可核对的内容）。"
    if cid in rescored:
        expected = _score_text(row.get("expected"))
        if row.get("proxy") and missing:
            return PROXY.format(missing=missing, subject=subject, expected=expected)
        return RESCORE.format(subject=subject, expected=expected)
    c = declared(cid)
    if c is None:
        return "请核实并说明。"
    downgraded = row.get("severity") == Severity.WARNING and c.severity != Severity.WARNING
    text = c.advice_warning if c.advice_warning and downgraded else c.advice
    return text.format(subject=subject)


def _score_text(value: Any) -> str:
    from .tables import score

    return score(value)

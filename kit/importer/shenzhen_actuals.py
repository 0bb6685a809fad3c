"""实际完成指标值 printed apart from their indicators (a text layer): which value belongs to which row.

A value is placed only when every best matching of values to indicators gives it the same row.
"""
from __future__ import annotations

import re

_PCT = re.compile(r"^[≥≤<>]?\d+(?:\.\d+)?%$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$")


def _compat(ind: dict, value: str) -> int:
    """How well a printed 实际完成值 fits an indicator: 3 same text as its target or name, 2 same
    kind of statement, 1 same kind of number, 0 cannot be its value."""
    target, level3 = ind.get("target", ""), ind.get("level3", "")
    if value in (target, level3):
        return 3
    if "满意度" in value:
        return 2 if "满意度" in level3 + ind.get("level2", "") else 0
    if "完成" in value and not re.search(r"\d", value):
        return 2 if "完成" in target else 0
    ratio_like = "%" in target or level3.endswith(("比例", "率"))
    if _PCT.match(value) or ("%" in value and re.search(r"\d", value)):
        return 1 if ratio_like else 0
    if _PLAIN.match(value):
        return 1 if not ratio_like else 0
    return 0


def match_actuals(inds: list[dict], values: list[str]) -> tuple[dict[int, int], dict[int, list[int]]]:
    """Assign printed values to indicators: the assignments shared by every best matching.

    Returns ({value index: indicator index} for the certain ones, {value index: candidate
    indicators} for the values left out). A value is placed only when every matching of
    highest total fit gives it the same indicator.
    """
    n = len(values)
    scores = [[_compat(ind, v) for ind in inds] for v in values]
    best_total = -1
    best: list[tuple[int, ...]] = []
    order = sorted(range(n), key=lambda v: sum(1 for s in scores[v] if s))
    limit = [0]

    def search(k: int, used: set[int], acc: list[int], total: int) -> None:
        nonlocal best_total, best
        limit[0] += 1
        if limit[0] > 200000:
            return
        if k == n:
            if total > best_total:
                best_total, best = total, []
            if total == best_total:
                assign = [0] * n
                for v, i in zip(order, acc):
                    assign[v] = i
                best.append(tuple(assign))
            return
        v = order[k]
        for i, s in enumerate(scores[v]):
            if s and i not in used:
                used.add(i)
                acc.append(i)
                search(k + 1, used, acc, total + s)
                acc.pop()
                used.discard(i)
        acc.append(-1)  # the value may belong to no indicator (fit 0)
        search(k + 1, used, acc, total)
        acc.pop()

    search(0, set(), [], 0)
    certain: dict[int, int] = {}
    unsure: dict[int, list[int]] = {}
    if limit[0] > 200000 or not best:
        return {}, {v: [i for i, s in enumerate(scores[v]) if s] for v in range(n)}
    for v in range(n):
        choices = {b[v] for b in best}
        if len(choices) == 1 and -1 not in choices:
            certain[v] = choices.pop()
        else:
            unsure[v] = sorted(c for c in choices if c >= 0)
    return certain, unsure


def actual_reason(ind: dict, value: str) -> str:
    s = _compat(ind, value)
    if s == 3:
        return "与本行的指标值或三级指标文字相同"
    if s == 2:
        return "内容与本行指标同类（满意度、完成情况），且是唯一能对应的一行"
    return "数值类型与本行指标相符（百分比或数值），其余各值均已有确定归属"

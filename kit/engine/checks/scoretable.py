"""Category C: integrity of the scoring table (severity: error).

``difference`` is expected − actual, as in every category (复核 − 自评).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ...core.values import fmt_score
from ..scoretypes import ZERO, IndicatorScore
from .base import Context, Result, check
from ...core.vocab import Severity, Status

CENT = Decimal("0.01")


@check("C1", "自评分数在 0 与权重之间", "C", advice="更正“{subject}”的自评分数，使其在 0 与该指标分数之间。")
def c1(ctx: Context):
    for s in ctx.scores:
        if s.row is None or s.placeholder:
            continue  # reported by E6 (incomplete table); a row with neither 分值 nor 得分 has nothing to check
        name = s.rule.name
        if not s.weight_known:
            yield Result(Status.UNVERIFIABLE, name, f"表上没有分值，无法核对自评 {fmt_score(s.self_score)} 分是否超过分值",
                         None, s.self_score, None, s.location, ("weights",), severity=Severity.INFO)
        elif s.self_score is None:
            yield Result(Status.UNVERIFIABLE, name, f"自评分数缺失或无法读出（原文“{s.row.self_score.raw}”）",
                         location=s.location, missing=("self_score",))
        elif ZERO <= s.self_score <= s.weight:
            yield Result(Status.PASS, name, f"自评 {fmt_score(s.self_score)} 分，在 0～{fmt_score(s.weight)} 分之内",
                         s.weight, s.self_score, None, s.location)
        else:
            yield Result(Status.FAIL, name, f"自评 {fmt_score(s.self_score)} 分，超出 0～{fmt_score(s.weight)} 分的范围",
                         s.weight, s.self_score, (s.weight if s.self_score > s.weight else ZERO) - s.self_score, s.location)


def attainable(ctx: Context, s: IndicatorScore) -> tuple[list[Decimal] | None, str]:
    """The attainable scores of an indicator (None: any value in range) and a description."""
    att = s.rule.attainable
    if "set" in att:
        return list(att["set"]), "、".join(fmt_score(x) for x in att["set"])
    if "step" in att:
        step = att["step"]
        n = int(s.weight / step)
        return [step * k for k in range(n + 1)], f"0～{fmt_score(s.weight)} 之间 {fmt_score(step)} 的整数倍"
    if att.get("fraction_of_projects"):
        n = s.inputs.get("n")
        if n is None:
            n = Decimal(len(ctx.dept.tasks)) if ctx.dept.tasks else None
        if not n:
            return None, ""
        n_int = int(n)
        return [s.weight * k / n for k in range(n_int + 1)], f"{fmt_score(s.weight)} × k/{n_int}（k 为整数，0～{n_int}）"
    return None, ""


@check("C2", "自评分数属于评分标准可得的分值", "C",
       advice="按评分标准可得的分值更正“{subject}”的自评分数。", advice_warning="核对年度主要任务清单：补列遗漏的项目，或说明哪一项未按时完成（自评分数对应的项目数与表上不同）。")
def c2(ctx: Context):
    for s in ctx.scores:
        if s.row is None or s.self_score is None:
            continue
        values, desc = attainable(ctx, s)
        if values is None:
            continue  # continuous rule: C1 covers the range
        name = s.rule.name
        nearest = min(values, key=lambda v: abs(v - s.self_score))
        if abs(nearest - s.self_score) <= ctx.tol_score:
            yield Result(Status.PASS, name, f"自评 {fmt_score(s.self_score)} 分是可得分值", desc, s.self_score, None, s.location)
            continue
        other = other_project_count(ctx, s) if s.rule.attainable.get("fraction_of_projects") else None
        if other is not None:
            # The score is what the rule gives for another number of planned projects: the task
            # list, not the score, is what to question.
            k, n, listed = other
            yield Result(
                Status.FAIL, name,
                f"自评 {fmt_score(s.self_score)} 分 = {fmt_score(s.weight)} × {k}/{n}，相当于计划 {n} 项、按时完成 {k} 项；"
                f"但表上“年度主要任务完成情况”列 {listed} 项。请核对任务清单是否漏列项目，或说明哪一项未按时完成",
                f"计划项目数 {listed}", f"自评分数对应计划项目数 {n}", None, s.location, severity=Severity.WARNING,
            )
        else:
            yield Result(Status.FAIL, name, f"自评 {fmt_score(s.self_score)} 分不是按评分标准可得的分值（可得：{desc}）",
                         desc, s.self_score, nearest - s.self_score, s.location)


def other_project_count(ctx: Context, s: IndicatorScore) -> tuple[int, int, int] | None:
    """(k, n, listed): the self score is weight × k/n, as printed to the cent, for a project count n
    within three of the count listed on the form (a few tasks left off the list, or listed twice).
    """
    listed = s.inputs.get("n")
    listed = int(listed) if listed is not None else len(ctx.dept.tasks)
    if not listed or s.self_score is None or s.weight <= 0:
        return None
    for n in sorted(range(max(1, listed - 3), listed + 4), key=lambda m: (abs(m - listed), m)):
        if n == listed:
            continue
        k = (s.self_score * n / s.weight).to_integral_value()
        if 0 <= k <= n and (s.weight * k / n).quantize(CENT, rounding=ROUND_HALF_UP) == s.self_score.quantize(CENT):
            return int(k), n, listed
    return None


@check("C4", "权重已印出且与评分规则一致", "C", advice="补印“{subject}”的分数（权重），并与评分标准核对。")
def c4(ctx: Context):
    for s in ctx.scores:
        if s.row is None:
            continue
        name = s.rule.name
        printed = s.weight_printed
        if printed is None or printed.value is None:
            if s.weight_implied is not None:
                same = s.weight_implied == s.weight
                yield Result(
                    Status.FAIL, name,
                    f"权重印为“{printed.raw if printed else ''}”，按 {fmt_score(ctx.rules.total)} − 其余权重推得 "
                    f"{fmt_score(s.weight_implied)} 分" + ("，与评分规则一致" if same else f"，与评分规则 {fmt_score(s.weight)} 分不符"),
                    s.weight, printed.raw if printed else None, None, s.location,
                    severity=Severity.WARNING if same else Severity.ERROR,
                )
            else:
                yield Result(Status.FAIL, name, f"权重印为“{printed.raw if printed else ''}”，无法读出，按评分规则取 {fmt_score(s.weight)} 分",
                             s.weight, printed.raw if printed else None, None, s.location, severity=Severity.WARNING)
        elif printed.value == s.weight:
            yield Result(Status.PASS, name, f"权重 {fmt_score(printed.value)} 分，与评分规则一致", s.weight, printed.value, ZERO, s.location)
        else:
            yield Result(Status.FAIL, name, f"权重 {fmt_score(printed.value)} 分，评分规则为 {fmt_score(s.weight)} 分",
                         s.weight, printed.value, s.weight - printed.value, s.location)


@check("C5", "总分与等级（复核后等级是否改变）", "C", Severity.WARNING, advice="按复核后的总分更正自评等级。")
def c5(ctx: Context):
    t, g = ctx.totals, ctx.grades
    msg = (f"自评总分 {fmt_score(t['self'])} 分（{g['self']}），复核总分 {fmt_score(t['recomputed'])} 分（{g['recomputed']}）")
    if not {g["self"], g["recomputed"]} <= {"优", "良", "中", "差"}:  # 不予评级 / 无法评级: nothing to compare
        yield Result(Status.UNVERIFIABLE, "总分与等级", msg, g["recomputed"], g["self"], None, "评分表·合计")
        return
    status = Status.PASS if g["self"] == g["recomputed"] else Status.FAIL
    if status == Status.FAIL:
        msg += "，等级改变"
    diff = None if t["self"] is None else t["recomputed"] - t["self"]  # 复核 − 自评, as everywhere
    yield Result(status, "总分与等级", msg, g["recomputed"], g["self"], diff, "评分表·合计")

"""Re-score checks: the checks a rule file makes from its own indicators.

An indicator of a rule file that names a check id no module declares (``check: B3``) makes that
check here: titled with the indicator's name, it reports the recomputed score against the self
score (error when the rule is exact, warning on a proxy). The rule file is its one declaration;
an indicator may list the prose figures its re-score compares (``params.figures``). A declared
check may also report re-scores of its indicators (``rescore_result``, as F3 and F14 do).
"""
from __future__ import annotations

from functools import partial

from ..scoretypes import IndicatorScore
from ..rules import RuleSet
from ...core.values import fmt_score
from .base import CATEGORIES, Check, Context, Result, declared
from ...core.vocab import Basis, Severity, Status

# 整改建议 of a re-score: {expected} is the recomputed score; PROXY when a proxy input stood in.
RESCORE = "按评分标准更正“{subject}”的自评分数（复核应得 {expected} 分），或提供支持自评分数的资料。"
PROXY = "提供{missing}，以便按规则复核“{subject}”；按替代口径复核应得 {expected} 分。"


def rescore_results(ctx: Context, check_id: str):
    """One row per indicator whose rule names ``check_id``: the recomputed score vs the self score."""
    for s in ctx.scores:
        if s.rule.check == check_id:
            yield rescore_result(ctx, s)


def rescore_result(ctx: Context, s: IndicatorScore) -> Result:
    name = s.rule.name
    if s.error:
        return Result(Status.FAIL, name, f"复核计算出错：{s.error}", location=s.location, severity=Severity.ERROR)
    if s.engine_basis == Basis.UNVERIFIABLE:
        return Result(Status.UNVERIFIABLE, name, f"无法复核：{s.note}", actual=s.self_score, location=s.location, missing=s.missing)
    proxy = s.engine_basis == Basis.PROXY
    if s.self_score is None:
        return Result(Status.FAIL, name, f"自评分数缺失；复核应得 {fmt_score(s.engine_score)} 分（{s.note}）",
                      s.engine_score, None, None, s.location, s.missing, proxy=proxy)
    diff = s.engine_score - s.self_score
    if abs(diff) <= ctx.tol_score:
        return Result(Status.PASS, name, f"自评 {fmt_score(s.self_score)} 分，复核相符（{s.note}）", s.engine_score, s.self_score, diff,
                      s.location, s.missing, proxy=proxy)
    return Result(Status.FAIL, name, f"自评 {fmt_score(s.self_score)} 分，复核应得 {fmt_score(s.engine_score)} 分（{s.note}）",
                  s.engine_score, s.self_score, diff, s.location, s.missing, proxy=proxy)


def rule_checks(rules: RuleSet) -> dict[str, Check]:
    """The checks this rule file makes: one per check id its indicators name that no module declares."""
    names: dict[str, list] = {}
    for ind in rules.indicators:
        if ind.check and declared(ind.check) is None:
            names.setdefault(ind.check, []).append(ind)
    out = {}
    for cid, inds in names.items():
        figures = tuple(f for ind in inds for f in (ind.params.get("figures") or ()))
        out[cid] = Check(cid, "、".join(ind.name for ind in inds), cid[:1] if cid[:1] in CATEGORIES else "B", Severity.ERROR,
                         partial(rescore_results, check_id=cid), advice=RESCORE, rescores=True, figures=figures,
                         figure_subject=inds[0].name if len(inds) == 1 else "")
    return out

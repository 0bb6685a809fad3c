"""Category D: what the texts say vs what the tables say (severity: warning).

``difference`` is expected − actual (the table's figure minus the text's), as in every category.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from ...model import NARRATIVE_SECTIONS
from ..prose import EXECUTION_RATE_LABELS
from ...core.values import fmt_score
from ..scoretypes import HUNDRED, ZERO
from ...core.values import fmt_amount, fmt_pct
from .base import Context, GOALS_TABLE, Result, TASK, check
from .identities import more_less, prose_tolerance
from .ratios import indicator_outcome, rate
from ...core.vocab import Severity, Status

# Prose count label -> profile count key; a family adds its own (family.yaml prose_labels count_field).
COUNT_KEYS = {"年末在编在职人数": "on_staff", "年末其他人员人数": "other_staff", "年末离退休人数": "retired"}
CENT = Decimal("0.01")


def _q(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


@check("D1", "自评报告所述执行率与表内数据一致", "D", Severity.WARNING,
       advice="更正自评报告中的执行率，或写明其计算口径。", figures=EXECUTION_RATE_LABELS)
def d1(ctx: Context):
    b = ctx.dept.budget
    found = False
    for key, f in ctx.prose.rates.items():
        if f.label not in EXECUTION_RATE_LABELS:
            continue
        found = True
        loc = "自评报告·" + NARRATIVE_SECTIONS.get(f.source.split(":", 1)[-1], f.source)
        if f.label == "预算收入执行率":
            yield Result(Status.UNVERIFIABLE, f.label, f"自评报告称{f.label} {fmt_pct(f.value)}，表上没有预算收入数据", None, f.value,
                         None, loc, ("revenue_budget", "revenue_actual"))
            continue
        proxy = False
        if f.label == "财政专项拨款执行率":
            bud = sum((t.budget.fiscal.value or ZERO for t in ctx.dept.tasks), ZERO)
            act = sum((t.actual.fiscal.value or ZERO for t in ctx.dept.tasks), ZERO)
            table = rate(act, bud)
            how = "各任务财政拨款 执行数 ÷ 预算数"
            proxy = True
        else:
            table = rate(b.actual.total.value, b.adjusted.total.value)
            how = "年末执行数 ÷ 全年调整后预算数"
        if table is None:
            yield Result(Status.UNVERIFIABLE, f.label, f"表内数据不足，无法计算{f.label}", None, f.value, None, loc, ("budget.adjusted.total",))
            continue
        extra = ""
        vs_initial = rate(b.actual.total.value, b.initial.total.value)
        if f.label != "财政专项拨款执行率" and vs_initial is not None:
            extra = f"；按年初预算计为 {fmt_pct(vs_initial)}"
        diff = _q(table) - f.value
        if abs(diff) <= ctx.tol_rate:
            yield Result(Status.PASS, f.label, f"自评报告称{f.label} {fmt_pct(f.value)}，与表内 {how} = {fmt_pct(table)} 相符",
                         _q(table), f.value, diff, loc, proxy=proxy)
        else:
            yield Result(Status.FAIL, f.label, f"自评报告称{f.label} {fmt_pct(f.value)}，表内 {how} = {fmt_pct(table)}{extra}",
                         _q(table), f.value, diff, loc, proxy=proxy)
    if not found:
        yield Result(Status.UNVERIFIABLE, "执行率", "自评报告中没有执行率数字", location="自评报告·部门预算执行情况", missing=())


@check("D2", "自评报告表头的部门预算总额 = 年初预算", "D", Severity.WARNING, advice="更正自评报告表头的部门预算总额，使其等于年初预算批复数。", amounts=True)
def d2(ctx: Context):
    stated = ctx.dept.narrative.budget_total.value
    initial = ctx.dept.budget.initial.total.value
    loc = "自评报告·表头"
    if stated is None or initial is None:
        yield Result(Status.UNVERIFIABLE, "部门预算总额", "自评报告表头未写部门预算总额（或年初预算缺失）", location=loc,
                     missing=("narrative.budget_total",) if stated is None else ("budget.initial.total",))
        return
    diff = initial - stated
    if abs(diff) <= ctx.tol_amount:
        yield Result(Status.PASS, "部门预算总额", f"表头部门预算总额 {fmt_amount(stated)} 元 = 年初预算", initial, stated, diff, loc)
    else:
        yield Result(Status.FAIL, "部门预算总额", f"表头部门预算总额 {fmt_amount(stated)} 元，年初预算 {fmt_amount(initial)} 元",
                     initial, stated, diff, loc)


@check("D3", "文字中重复出现的数目前后一致", "D", Severity.WARNING,
       advice="统一文字中前后不一致的数目，并与填报数核对。", figures=("年末在编在职人数", "年末其他人员人数", "年末离退休人数"), figure_kinds=("count",))
def d3(ctx: Context):
    counts = ctx.dept.profile.counts
    keys = {**COUNT_KEYS, **(ctx.family.count_fields() if ctx.family else {})}
    by_label: dict[str, list] = {}
    for f in ctx.prose.figures:
        if f.kind == "count" and f.label in keys:
            by_label.setdefault(f.label, []).append(f)
    if not by_label:
        yield Result(Status.UNVERIFIABLE, "人员及机构数", "文字中没有机构、人员等数目", location="部门基本情况", missing=())
        return
    for label, figs in by_label.items():
        table = counts.get(keys[label])
        values = sorted({f.value for f in figs})
        shown = "、".join(f"{f.value}{f.unit}" for f in figs)
        loc = "部门基本情况"
        if table is not None and table.value is not None:
            values_all = set(values) | {table.value}
            if len(values_all) == 1:
                yield Result(Status.PASS, label, f"{label}：文字 {shown}，与填报数 {table.value} 一致", table.value, values[0], ZERO, loc)
            else:
                other = next(v for v in values if v != table.value) if any(v != table.value for v in values) else values[0]
                yield Result(Status.FAIL, label, f"{label}：文字中为 {shown}，填报数为 {table.value}", table.value, other,
                             table.value - other, loc)
        elif len(values) == 1:
            yield Result(Status.PASS, label, f"{label}：文字中 {len(figs)} 处均为 {values[0]}", values[0], values[0], ZERO, loc)
        else:
            yield Result(Status.FAIL, label, f"{label}：文字中前后不一致（{shown}）", values[0], values[-1], values[0] - values[-1], loc)


@check("D4", "自评报告的表述与评分一致", "D", Severity.WARNING, advice="使自评报告的表述与“{subject}”的评分一致：更正表述，或按实际情况调整评分。")
def d4(ctx: Context):
    rows = 0
    loc = "自评报告·部门履职绩效情况"
    # “三公”经费均未超出预算 vs the 三公 figures.
    said, evidence = ctx.prose.claim("three_public_within_budget")
    if said is True:
        rows += 1
        tb, ta = ctx.dept.supplementary.get("three_public_budget"), ctx.dept.supplementary.get("three_public_actual")
        if tb is None or ta is None:
            yield Result(Status.UNVERIFIABLE, "“三公”经费", f"自评报告称“{evidence}”，但没有“三公”经费预算与实际数可核对",
                         location=loc, missing=("three_public_budget", "three_public_actual"))
        elif ta.value > tb.value:
            yield Result(Status.FAIL, "“三公”经费", f"自评报告称“{evidence}”，但“三公”经费实际 {fmt_amount(ta.value)} 元超过预算 {fmt_amount(tb.value)} 元",
                         tb.value, ta.value, tb.value - ta.value, loc)
        else:
            yield Result(Status.PASS, "“三公”经费", f"自评报告称“{evidence}”，与“三公”经费数据相符", tb.value, ta.value, tb.value - ta.value, loc)
    params = ctx.rules.check_params("D4")  # which indicators the claims concern: the rule file says
    for c in params.get("claims", ()):
        claim_key, indicator, what = c["claim"], c["indicator"], c["what"]
        said, evidence = ctx.prose.key_work() if claim_key == "key_work_completed" else ctx.prose.claim(claim_key)
        if said is not True:
            continue
        rows += 1
        s = ctx.score(indicator)
        if s.self_score is None:
            yield Result(Status.UNVERIFIABLE, s.rule.name, f"自评报告称“{evidence}”，但自评分数缺失", location=s.location, missing=("self_score",))
        elif s.self_score < s.weight - ctx.tol_score:
            yield Result(Status.FAIL, s.rule.name,
                         f"自评报告称“{evidence}”，但“{s.rule.name}”自评 {fmt_score(s.self_score)} 分，低于满分 {fmt_score(s.weight)} 分",
                         s.weight, s.self_score, s.weight - s.self_score, s.location)
        else:
            yield Result(Status.PASS, s.rule.name, f"自评报告称“{what}”，“{s.rule.name}”自评满分，一致", s.weight, s.self_score, ZERO, s.location)
    # Indicators that missed their targets vs a full 效果性 score (the rule says: deduct when missed).
    eff = ctx.score(params["effect_indicator"]) if params.get("effect_indicator") else None
    missed = [ind for ind in ctx.dept.indicators if indicator_outcome(ind.target, ind.actual)[0] == "missed"]
    if ctx.dept.indicators and eff is not None and eff.self_score is not None:
        rows += 1
        if missed and eff.self_score >= eff.weight - ctx.tol_score:
            names = "、".join(f"“{i.level3}”（指标值 {i.target}，实际 {i.actual}）" for i in missed)
            yield Result(Status.FAIL, eff.rule.name, f"{len(missed)} 项绩效指标未达到指标值：{names}；效果性仍自评满分 {fmt_score(eff.self_score)} 分",
                         f"低于 {fmt_score(eff.weight)}", eff.self_score, None, eff.location)
        else:
            msg = ("绩效指标均未发现未达标" if not missed else f"{len(missed)} 项指标未达标，效果性已扣分")
            yield Result(Status.PASS, eff.rule.name, f"{msg}（效果性自评 {fmt_score(eff.self_score)} 分）", None, eff.self_score, None, eff.location)
    if rows == 0:
        yield Result(Status.UNVERIFIABLE, "自评报告表述", "自评报告中没有可与评分核对的表述", location=loc, missing=())


@check("D5", "调整后预算与年初不同时须说明调整原因", "D", Severity.WARNING, advice="补写“预算调整（如有）原因及情况说明”，并附预算调整批复文件。")
def d5(ctx: Context):
    b = ctx.dept.budget
    ini, adj = b.initial.total.value, b.adjusted.total.value
    loc = "部门预算总表·预算调整（如有）原因及情况说明"
    if ini is None or adj is None:
        yield Result(Status.UNVERIFIABLE, "预算调整原因", "年初或调整后预算缺失", location=loc, missing=("budget.initial.total",))
        return
    diff = adj - ini
    reason = b.adjustment_reason.strip()
    if abs(diff) <= ctx.tol_amount:
        yield Result(Status.PASS, "预算调整原因", "预算未调整，无需说明", ini, adj, -diff, loc)
    elif reason:
        yield Result(Status.PASS, "预算调整原因", f"预算调整 {fmt_amount(diff)} 元，已说明原因", ini, adj, -diff, loc)
    else:
        pct = diff / ini * HUNDRED if ini else None
        # Nothing is wrong with either amount: what is missing is the explanation of their difference.
        yield Result(Status.FAIL, "预算调整原因",
                     f"调整后预算比年初{'增加' if diff > 0 else '减少'} {fmt_amount(abs(diff))} 元"
                     + (f"（{'+' if diff > 0 else ''}{fmt_pct(pct)}）" if pct is not None else "") + "，但调整原因说明为空",
                     "调整原因及情况说明", "（未填写）", None, loc)


@check("D6", "绩效指标的方向合理（如平均住院日不应“提高”）", "D", Severity.WARNING, advice="核实“{subject}”的指标方向，更正指标值的表述（如平均住院日应为“较上年降低”）。")
def d6(ctx: Context):
    lower_better = ctx.rules.text.get("lower_is_better", ())
    raise_words = ctx.rules.text.get("raise_words", ())
    lower_words = ctx.rules.text.get("lower_words", ())
    rows = 0
    for i, ind in enumerate(ctx.dept.indicators, start=1):
        t = ind.target
        up = any(w in t for w in raise_words) or t.strip().startswith(("≥", ">"))
        down = any(w in t for w in lower_words) or t.strip().startswith(("≤", "<"))
        if not (up or down):
            continue
        rows += 1
        loc = f"年度绩效指标完成情况 第{i}行"
        subject = f"{ind.level2}：{ind.level3}"
        hit = next((w for w in lower_better if w in ind.level3), None)
        if hit and up and not down:
            yield Result(Status.FAIL, subject, f"“{ind.level3}”越低越好（{hit}），指标值却为“{t}”，方向可能写反",
                         "降低/≤", t, None, loc)
        else:
            yield Result(Status.PASS, subject, f"指标值“{t}”方向合理", None, t, None, loc)
    if rows == 0:
        yield Result(Status.UNVERIFIABLE, "绩效指标方向", "没有带方向的指标值", location="年度绩效指标完成情况", missing=())


# --- D7: a budget figure stated in a task's 主要内容 vs the table ------------------------------
_WAN = re.compile(r"(\d+(?:\.\d+)?)\s*万元")
_PCT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def derivation(content: str, stated: Decimal) -> str:
    """'1679.34 万元 × 85%' when the text's other figures give the stated one (万元), else ''.

    A figure derived in the text (an amount applied for, a share of a base) explains why it
    differs from the table: the difference is then one to explain, not an arithmetic slip.
    """
    wan = stated / 10000
    places = -wan.normalize().as_tuple().exponent if wan != wan.to_integral_value() else 0
    half = Decimal(1).scaleb(-max(places, 0)) / 2
    for a in _WAN.finditer(content):
        base = Decimal(a.group(1))
        if base == wan:
            continue
        for p in _PCT.finditer(content):
            pct = Decimal(p.group(1))
            if abs(base * pct / 100 - wan) <= half:
                return f"{a.group(1)} 万元 × {p.group(1)}%"
    return ""


@check("D7", "主要内容所述预算数与表上预算数一致", "D", Severity.WARNING,
       advice="在“{subject}”主要内容中说明文字所述金额与表上预算数的关系（如申报数与批复数），或更正其一。",
       amounts=True, figures=("预算数",), figure_subject=TASK)
def d7(ctx: Context):
    found = False
    for f in ctx.prose.figures:
        if not f.source.startswith("task:") or f.kind != "amount" or f.label != "预算数" or not f.row:
            continue
        if f.year is not None and f.year != ctx.dept.year:
            continue
        i = f.row
        if i > len(ctx.dept.tasks):
            continue
        t = ctx.dept.tasks[i - 1]
        loc = f"年度主要任务完成情况 第{i}行·主要内容"
        budget = t.budget.total.value
        found = True
        if budget is None or f.value is None:
            yield Result(Status.UNVERIFIABLE, t.name, "表上预算数或文字所述金额缺失，无法核对", location=loc)
            continue
        diff = budget - f.value
        if abs(diff) <= prose_tolerance(ctx, [f]):
            yield Result(Status.PASS, t.name, f"主要内容所述“{f.raw}”与表上预算数 {fmt_amount(budget)} 元一致",
                         budget, f.value, diff, loc)
            continue
        how = derivation(t.content, f.value)
        why = (f"；文字中 {(f.value / 10000).normalize():f} 万元 = {how}，是按比例计算（申报）的数额，"
               "不是表上的预算数" if how else "")
        yield Result(
            Status.FAIL, t.name,
            f"主要内容称“{f.raw}”（{fmt_amount(f.value)} 元），比表上预算数 {fmt_amount(budget)} 元{more_less(f.value - budget)}{why}。"
            "请部门说明两者的关系",
            budget, f.value, diff, loc,
        )
    if not found:
        yield Result(Status.PASS, "年度主要任务·主要内容", "主要内容中没有另行写明的预算数", location="年度主要任务完成情况·主要内容")


def _same_text(a: str, b: str) -> bool:
    """Equal once spaces and line breaks are ignored (extraction spreads text over lines)."""
    return bool(a.strip()) and re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)


@check("D8", "年度总体目标：实际完成情况不应照抄预期目标", "D", Severity.WARNING, advice="按实际完成情况填写“目标完成实际情况”，写明完成的数量、质量、时效和效果。", table=GOALS_TABLE)
def d8(ctx: Context):
    g = ctx.dept.goals
    loc = "年度总体目标完成情况·目标完成实际情况"
    if not g.expected.strip():
        yield Result(Status.UNVERIFIABLE, "年度总体目标", "未填写预期目标，无法比较", location="年度总体目标完成情况·预期目标")
    elif not g.actual.strip():
        yield Result(Status.FAIL, "年度总体目标", "“目标完成实际情况”未填写", "实际完成情况", "（未填写）", None, loc)
    elif _same_text(g.expected, g.actual):
        n = len(re.sub(r"\s+", "", g.actual))
        yield Result(Status.FAIL, "年度总体目标",
                     f"“目标完成实际情况”与“预期目标”逐字相同（{n} 字），没有写明目标实际完成了什么",
                     "实际完成情况", "与预期目标相同", None, loc)
    else:
        yield Result(Status.PASS, "年度总体目标", "实际完成情况与预期目标不同", location=loc)


@check("D9", "绩效指标：实际完成值不应照抄指标值", "D", Severity.WARNING, advice="填写“{subject}”实际完成的数值或事实，并附佐证材料。")
def d9(ctx: Context):
    if not ctx.dept.indicators:
        yield Result(Status.UNVERIFIABLE, "年度绩效指标", "没有年度绩效指标", location="年度绩效指标完成情况", missing=("indicators",))
        return
    copied = 0
    for i, ind in enumerate(ctx.dept.indicators, start=1):
        if _same_text(ind.target, ind.actual):
            copied += 1
            yield Result(Status.FAIL, f"{ind.level2}：{ind.level3}",
                         f"实际完成指标值照抄指标值“{ind.target.strip()}”，没有写明实际完成了多少",
                         "实际完成值", ind.actual, None, f"年度绩效指标完成情况 第{i}行·实际完成指标值")
    if not copied:
        yield Result(Status.PASS, "年度绩效指标", f"{len(ctx.dept.indicators)} 项指标的实际完成值均未照抄指标值",
                     location="年度绩效指标完成情况")

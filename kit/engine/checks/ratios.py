"""Category B: ratios and indicator re-scoring (error when the rule is exact, warning on a proxy).

``difference`` is always expected − actual (复核 − 自评 for scores), as in category A.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from ...model import BUDGET_PARTS
from ...core.values import fmt_score
from ..scoretypes import HUNDRED
from ...core.values import fmt_amount, fmt_pct, parse_num
from .base import Context, INDICATORS_TABLE, Result, check
from ...core.vocab import Severity, Status


CENT = Decimal("0.01")


def rate(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if num is None or den is None or den == 0:
        return None
    return num / den * HUNDRED


# A budget line's column for each stage of the budget totals (年初 is the line's 预算金额).
_LINE_COLUMN = {"initial": "budget", "adjusted": "adjusted", "actual": "actual"}


def _stage_pairs(ctx: Context, first: str, second: str):
    """(subject, first value, second value, location) for the totals and every basic/project line."""
    b = ctx.dept.budget
    for p in BUDGET_PARTS:
        yield BUDGET_PARTS[p], getattr(getattr(b, first), p).value, getattr(getattr(b, second), p).value, "部门预算总表"
    for block, lines in (("部门基本支出", ctx.dept.basic_lines), ("项目支出", ctx.dept.project_lines)):
        for i, ln in enumerate(lines, start=1):
            yield (ln.name or f"{block}第{i}行", getattr(ln, _LINE_COLUMN[first]).value,
                   getattr(ln, _LINE_COLUMN[second]).value, f"{block} 第{i}行")


@check("B1", "预算支出执行率（执行数 ÷ 调整后预算数）", "B", Severity.WARNING, advice="说明执行数超过调整后预算的原因，并提供追加预算的批复文件。", amounts=True)
def b1(ctx: Context):
    for subject, adjusted, actual, loc in _stage_pairs(ctx, "adjusted", "actual"):
        r = rate(actual, adjusted)
        if r is None:
            if adjusted == 0 and actual == 0:
                continue  # an empty line (e.g. no transfer payments): nothing to execute
            yield Result(Status.UNVERIFIABLE, subject, "调整后预算数或执行数缺失（或为 0），无法计算执行率", location=loc,
                         missing=("budget.adjusted.total",) if adjusted is None else ())
            continue
        if actual > adjusted + ctx.tol_amount:
            yield Result(Status.FAIL, subject, f"执行数 {fmt_amount(actual)} 元超过调整后预算 {fmt_amount(adjusted)} 元（执行率 {fmt_pct(r)}）",
                         adjusted, actual, adjusted - actual, loc)
        else:
            r = r.quantize(CENT, rounding=ROUND_HALF_UP)  # stored as shown: to the hundredth of a point
            yield Result(Status.PASS, subject, f"执行率 {fmt_pct(r)}", HUNDRED, r, HUNDRED - r, loc)


@check("B2", "预算调整幅度（调整后 ÷ 年初 − 1）", "B", Severity.INFO, advice="在“预算调整（如有）原因及情况说明”中说明该项调整的原因和依据。")
def b2(ctx: Context):
    threshold = ctx.opts["adjustment_threshold_pct"]
    for subject, initial, adjusted, loc in _stage_pairs(ctx, "initial", "adjusted"):
        r = rate(adjusted, initial)
        if r is None:
            if initial == 0 and adjusted == 0:
                continue
            yield Result(Status.UNVERIFIABLE, subject, "年初预算或调整后预算缺失（或为 0），无法计算调整幅度", location=loc)
            continue
        change = (r - HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        text = f"调整幅度 {'+' if change > 0 else ''}{fmt_pct(change)}（年初 {fmt_amount(initial)} → 调整后 {fmt_amount(adjusted)} 元）"
        status = Status.FAIL if abs(change) > threshold + ctx.tol_rate else Status.PASS
        if status == Status.FAIL:
            text += f"，超过 {fmt_score(threshold)}%"
        yield Result(status, subject, text, threshold, change, threshold - abs(change), loc)


# --- B14: indicator targets -----------------------------------------------------------------
_NUMBERS = re.compile(r"(\d+(?:\.\d+)?)\s*(%?)")
_VS_LAST_YEAR = re.compile(r"较上年|同比|比上年")


def indicator_outcome(target: str, actual: str) -> tuple[str, str, Decimal | None, list[Decimal]]:
    """(kind, comparator, target value, actual values); kind: met | missed | vs_last_year | same_text | text."""
    t = target.strip()
    a = actual.strip()
    if _VS_LAST_YEAR.search(t):
        return "vs_last_year", "", None, []
    tn = parse_num(t)
    if tn.value is not None and "trailing_junk" not in tn.notes:
        values = [Decimal(m.group(1)) for m in _NUMBERS.finditer(a)]
        if values:
            cmp_ = tn.comparator or "≥"  # a bare number is read as a floor (sign lost in extraction: E5)
            ok = {
                "≥": lambda v: v >= tn.value, ">": lambda v: v > tn.value, "≤": lambda v: v <= tn.value,
                "<": lambda v: v < tn.value, "=": lambda v: v == tn.value,
            }[cmp_]
            return ("met" if all(ok(v) for v in values) else "missed"), cmp_, tn.value, values
    if a and t == a:
        return "same_text", "", None, []
    return "text", "", None, []


@check("B14", "绩效指标是否达到指标值", "B", Severity.WARNING, advice="说明“{subject}”未达到指标值的原因，并在效果性评分中相应扣分。", table=INDICATORS_TABLE)
def b14(ctx: Context):
    if not ctx.dept.indicators:
        yield Result(Status.UNVERIFIABLE, "年度绩效指标", "没有年度绩效指标", location="年度绩效指标完成情况", missing=("indicators",))
        return
    for i, ind in enumerate(ctx.dept.indicators, start=1):
        loc = f"年度绩效指标完成情况 第{i}行"
        subject = f"{ind.level2}：{ind.level3}"
        kind, cmp_, tv, values = indicator_outcome(ind.target, ind.actual)
        if kind == "met":
            yield Result(Status.PASS, subject, f"指标值 {ind.target}，实际 {ind.actual}，已达到", ind.target, ind.actual, None, loc)
        elif kind == "missed":
            worst = min(values) if cmp_ in ("≥", ">") else max(values)
            yield Result(Status.FAIL, subject, f"指标值 {ind.target}，实际 {ind.actual}，未达到", ind.target, ind.actual,
                         tv - worst, loc)
        elif kind == "vs_last_year":
            yield Result(Status.UNVERIFIABLE, subject, f"指标值“{ind.target}”需与上年实际值比较，实际“{ind.actual}”",
                         ind.target, ind.actual, None, loc, (f"prior_year:{ind.level3}",))
        elif kind == "same_text":
            yield Result(Status.UNVERIFIABLE, subject, f"实际完成值照抄指标值“{ind.target}”，没有实际数据",
                         ind.target, ind.actual, None, loc, (f"evidence:{ind.level3}",))
        else:
            yield Result(Status.UNVERIFIABLE, subject, f"定性指标：指标值“{ind.target}”，实际“{ind.actual}”，无法以数值比较",
                         ind.target, ind.actual, None, loc, (f"evidence:{ind.level3}",), severity=Severity.INFO)


@check("B15", "年度主要任务执行数不超过预算数", "B", Severity.WARNING, advice="说明“{subject}”执行数超过预算数的原因及审批依据。", amounts=True)
def b15(ctx: Context):
    if not ctx.dept.tasks:
        yield Result(Status.UNVERIFIABLE, "年度主要任务", "没有年度主要任务", location="年度主要任务完成情况", missing=("tasks",))
        return
    for i, t in enumerate(ctx.dept.tasks, start=1):
        loc = f"年度主要任务完成情况 第{i}行"
        parts = []
        over = []
        for part, label in (("total", "总数"), ("fiscal", "财政拨款"), ("other", "其他资金")):
            bud, act = getattr(t.budget, part).value, getattr(t.actual, part).value
            if bud is None or act is None:
                continue
            r = rate(act, bud)
            if r is not None:
                parts.append(f"{label} {fmt_pct(r)}")
            if act > bud + ctx.tol_amount:
                over.append((label, bud, act))
        bt, at = t.budget.total.value, t.actual.total.value
        if bt is None or at is None:
            yield Result(Status.UNVERIFIABLE, t.name, "预算数或执行数缺失，无法计算执行率", location=loc)
        elif over:
            label, bud, act = over[0]
            yield Result(Status.FAIL, t.name, f"{label}执行数 {fmt_amount(act)} 元超过预算数 {fmt_amount(bud)} 元",
                         bud, act, bud - act, loc)
        else:
            yield Result(Status.PASS, t.name, "执行率：" + ("、".join(parts) if parts else "无预算无支出"),
                         bt, at, bt - at, loc)


# --- B16, B17: patterns a reviewer looks for in the amounts ------------------------------------
def _execution_pairs(ctx: Context):
    """(where, 调整后/预算数, 执行数) for the totals, every expenditure line and every task column."""
    b = ctx.dept.budget
    for p in BUDGET_PARTS:
        yield f"部门预算总表·{BUDGET_PARTS[p]}", getattr(b.adjusted, p).value, getattr(b.actual, p).value
    for block, lines in (("部门基本支出", ctx.dept.basic_lines), ("项目支出", ctx.dept.project_lines),
                         ("转移支付", ctx.dept.transfer_lines)):
        for i, ln in enumerate(lines, start=1):
            yield f"{block} 第{i}行", ln.adjusted.value, ln.actual.value
    for i, t in enumerate(ctx.dept.tasks, start=1):
        for part, label in (("total", "总数"), ("fiscal", "财政拨款"), ("other", "其他资金")):
            yield f"年度主要任务完成情况 第{i}行·{label}", getattr(t.budget, part).value, getattr(t.actual, part).value


@check("B16", "执行数与调整后预算数逐项相等（以支定调）", "B", Severity.WARNING, advice="提供年度预算调整、调剂的批复文件，说明调整后预算与执行数逐项相等的原因（是否按实际支出调整预算）。")
def b16(ctx: Context):
    """Every 执行数 equal to its 调整后预算 to the cent, after an adjustment: budgets fitted to spending."""
    pairs = [(w, a, x) for w, a, x in _execution_pairs(ctx) if a is not None and x is not None and (a or x)]
    loc = "部门预算总表、支出明细、年度主要任务完成情况"
    if len(pairs) < 3:
        yield Result(Status.UNVERIFIABLE, "执行数与调整后预算", "可比较的调整后预算数与执行数不足 3 组", location=loc)
        return
    unequal = [(w, a, x) for w, a, x in pairs if a != x]
    ini, adj = ctx.dept.budget.initial.total.value, ctx.dept.budget.adjusted.total.value
    adjusted = ini is not None and adj is not None and adj != ini
    if unequal:
        w, a, x = unequal[0]
        yield Result(Status.PASS, "执行数与调整后预算", f"{len(pairs)} 组中 {len(unequal)} 组执行数与调整后预算数不同（如{w}）",
                     None, len(unequal), None, loc)
    elif not adjusted:
        yield Result(Status.PASS, "执行数与调整后预算", f"{len(pairs)} 组执行数均等于预算数，且预算未作调整", None, len(pairs), None, loc)
    else:
        change = rate(adj - ini, ini)
        yield Result(
            Status.FAIL, "执行数与调整后预算",
            f"部门总表、支出明细和各任务共 {len(pairs)} 组执行数与调整后预算数（任务为预算数）全部相等、精确到分，"
            f"而调整后预算比年初{'增加' if adj > ini else '减少'} {fmt_amount(abs(adj - ini))} 元"
            f"（{'+' if adj > ini else ''}{fmt_pct(change)}）：预算可能是按实际支出调整的（以支定调）",
            "执行数与调整后预算数不完全相同", f"{len(pairs)} 组全部相等", None, loc,
        )


def catch_all_names(ctx: Context) -> tuple[str, ...]:
    return tuple(ctx.rules.text.get("catch_all_task_names") or ("其他", "其它", "其他支出", "其它支出", "其他项目", "其他经费"))


def catch_all_limit(ctx: Context) -> Decimal:
    """Largest share (%) of all task spending a catch-all task may carry before it is a finding."""
    raw = ctx.rules.text.get("catch_all_share_pct") or ("50",)
    return Decimal(str(raw[0]))


@check("B17", "名为“其他”的任务不应承担大部分支出", "B", Severity.WARNING, advice="将“{subject}”按实际用途分解为具体任务，分别列明预算数、执行数和完成情况。")
def b17(ctx: Context):
    tasks = ctx.dept.tasks
    loc = "年度主要任务完成情况"
    total = sum((t.actual.total.value for t in tasks if t.actual.total.value is not None), Decimal(0))
    if not tasks or total <= 0:
        yield Result(Status.UNVERIFIABLE, "名为“其他”的任务", "没有可计算占比的任务执行数", location=loc, missing=("tasks",))
        return
    names = catch_all_names(ctx)
    limit = catch_all_limit(ctx)
    hits = [(i, t) for i, t in enumerate(tasks, start=1)
            if re.sub(r"\s+", "", t.name) in names and t.actual.total.value is not None]
    if not hits:
        yield Result(Status.PASS, "名为“其他”的任务", "没有名为“其他”的任务", location=loc)
        return
    for i, t in hits:
        share = rate(t.actual.total.value, total)
        where = f"{loc} 第{i}行"
        if share > limit:
            yield Result(
                Status.FAIL, t.name,
                f"名为“{t.name}”的任务执行数 {fmt_amount(t.actual.total.value)} 元，占各任务执行数合计 "
                f"{fmt_amount(total)} 元的 {fmt_pct(share)}（超过 {fmt_score(limit)}%）：大部分支出没有归入具体任务，"
                "无法据此评价任务完成情况",
                f"≤ {fmt_score(limit)}%", fmt_pct(share), None, where,
            )
        else:
            yield Result(Status.PASS, t.name, f"“{t.name}”占各任务执行数的 {fmt_pct(share)}，未超过 {fmt_score(limit)}%",
                         f"≤ {fmt_score(limit)}%", fmt_pct(share), None, where)

"""Category A: arithmetic identities of the form (severity: error).

Sign convention of every check: ``difference = expected − actual`` (the reviewer's figure minus
the form's), the same way round as 复核 − 自评 in the score table.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ...model import BUDGET_PARTS, BUDGET_STAGES
from ...core.values import fmt_score
from ...core.values import fmt_amount
from .base import Context, Result, TASK, check
from ...core.vocab import Status

ZERO = Decimal(0)
LINE_COLUMNS = {"initial": "budget", "adjusted": "adjusted", "actual": "actual"}  # stage -> line field


def amounts_equal(ctx: Context, subject: str, expected, actual, location: str, what: str,
                  missing: tuple[str, ...] = (), tol: Decimal | None = None) -> Result:
    """pass when |actual − expected| ≤ tolerance; unverifiable when a side is missing."""
    if expected is None or actual is None:
        return Result(Status.UNVERIFIABLE, subject, f"{what}：数值缺失，无法核对", location=location, missing=missing)
    tol = ctx.tol_amount if tol is None else tol
    diff = expected - actual
    if abs(diff) <= tol:
        return Result(Status.PASS, subject, f"{what}：{fmt_amount(actual)} 元，相符", expected, actual, diff, location)
    return Result(Status.FAIL, subject, f"{what}：表上 {fmt_amount(actual)} 元，应为 {fmt_amount(expected)} 元，{more_less(actual - expected)}",
                  expected, actual, diff, location)


def more_less(excess: Decimal, unit: str = "元") -> str:
    """'多 100.00 元' / '少 38,310.00 元': a difference in words, so no sign needs reading."""
    shown = fmt_amount(abs(excess)) if unit == "元" else fmt_score(abs(excess))
    return f"{'多' if excess > 0 else '少'} {shown} {unit}"


def _sum(values) -> Decimal | None:
    values = list(values)
    if any(v is None for v in values):
        return None
    return sum(values, ZERO)


@check("A1", "部门支出总金额 = 基本支出 + 项目支出", "A", advice="核对部门预算总表，更正总额或基本支出、项目支出，使总额等于两者之和，并说明差额原因。", amounts=True)
def a1(ctx: Context):
    for stage, label in BUDGET_STAGES.items():
        row = getattr(ctx.dept.budget, stage)
        parts = _sum([row.basic.value, row.project.value])
        yield amounts_equal(
            ctx, f"{label}·部门支出总金额", parts, row.total.value, f"部门预算总表·{label}",
            f"{label}：总额 = 基本支出 + 项目支出",
            missing=tuple(f"budget.{stage}.{p}" for p in BUDGET_PARTS if getattr(row, p).value is None),
        )


def _lines_vs_total(ctx: Context, lines, part: str, block: str):
    if not lines:
        yield Result(Status.UNVERIFIABLE, f"{block}明细", f"{block}没有明细行，无法核对", location=block, missing=(f"{part}_lines",))
        return
    for stage, label in BUDGET_STAGES.items():
        col = LINE_COLUMNS[stage]
        total = getattr(getattr(ctx.dept.budget, stage), part).value
        s = _sum(getattr(ln, col).value for ln in lines)
        yield amounts_equal(ctx, f"{label}·{BUDGET_PARTS[part]}", s, total, f"{block}·{label}",
                            f"{label}：{block}各行之和 = {BUDGET_PARTS[part]}")


@check("A2", "基本支出 = 人员经费 + 公用经费", "A", advice="核对基本支出明细，更正人员经费、公用经费或基本支出合计，使两者一致。", amounts=True)
def a2(ctx: Context):
    # Compared as (lines sum) vs (table total): expected is the sum of the lines.
    for r in _lines_vs_total(ctx, ctx.dept.basic_lines, "basic", "部门基本支出"):
        yield r


@check("A3", "项目支出各行之和 = 项目支出总金额", "A", advice="核对项目支出明细，更正各行金额或项目支出合计，使两者一致。", amounts=True)
def a3(ctx: Context):
    yield from _lines_vs_total(ctx, ctx.dept.project_lines, "project", "项目支出")


def _task_split(ctx: Context, side: str, label: str):
    if not ctx.dept.tasks:
        yield Result(Status.UNVERIFIABLE, "年度主要任务", "没有年度主要任务，无法核对", location="年度主要任务完成情况", missing=("tasks",))
        return
    for i, t in enumerate(ctx.dept.tasks, start=1):
        sp = getattr(t, side)
        parts = _sum([sp.fiscal.value, sp.other.value])
        yield amounts_equal(ctx, t.name, parts, sp.total.value, f"年度主要任务完成情况 第{i}行·{label}",
                            f"{label}：总数 = 财政拨款 + 其他资金")


@check("A4", "任务预算数：总数 = 财政拨款 + 其他资金", "A", advice="更正“{subject}”预算数的资金来源拆分，使总数等于财政拨款与其他资金之和。", amounts=True)
def a4(ctx: Context):
    yield from _task_split(ctx, "budget", "预算数")


@check("A5", "任务执行数：总数 = 财政拨款 + 其他资金", "A", advice="更正“{subject}”执行数的资金来源拆分，使总数等于财政拨款与其他资金之和。", amounts=True)
def a5(ctx: Context):
    yield from _task_split(ctx, "actual", "执行数")


def _tasks_vs_dept(ctx: Context, side: str, stage: str, label: str):
    if not ctx.dept.tasks:
        yield Result(Status.UNVERIFIABLE, "年度主要任务", "没有年度主要任务，无法核对", location="年度主要任务完成情况", missing=("tasks",))
        return
    s = _sum(getattr(t, side).total.value for t in ctx.dept.tasks)
    total = getattr(ctx.dept.budget, stage).total.value
    yield amounts_equal(ctx, f"各任务{label}之和", total, s, "年度主要任务完成情况·合计",
                        f"各任务{label}总数之和 = 部门{BUDGET_STAGES[stage]}")


@check("A6", "各任务执行数之和 = 部门年末执行数", "A", advice="补齐或更正年度主要任务的执行数，使各任务合计等于部门年末执行数。", amounts=True)
def a6(ctx: Context):
    yield from _tasks_vs_dept(ctx, "actual", "actual", "执行数")


@check("A7", "各任务预算数之和 = 部门调整后预算数", "A", advice="补齐或更正年度主要任务的预算数，使各任务合计等于部门调整后预算数。", amounts=True)
def a7(ctx: Context):
    yield from _tasks_vs_dept(ctx, "budget", "adjusted", "预算数")


def prose_tolerance(ctx: Context, figures) -> Decimal:
    """Half a unit of the last printed digit per figure (57.69万元 → ±50 元), when enabled."""
    if not ctx.opts["prose_rounding"]:
        return ctx.tol_amount
    tol = ZERO
    for f in figures:
        raw = re.sub(r"[^\d.]", "", str(getattr(f, "printed", "") or getattr(f, "raw", "")).split("万")[0].split("元")[0])
        places = len(raw.split(".")[1]) if "." in raw else 0
        scale = Decimal(10000) if getattr(f, "printed_unit", "") == "万元" else Decimal(1)
        tol += scale * Decimal(1).scaleb(-places) / 2
    return max(tol, ctx.tol_amount)



@check("A8", "主要内容中列出的金额之和 = 任务预算数", "A",
       advice="更正“{subject}”主要内容所列各项金额或表上预算数，使两者一致；未列全的分项予以补列。",
       amounts=True, figures=("合计",), figure_kinds=("item",), figure_subject=TASK)
def a8(ctx: Context):
    found = False
    for i, t in enumerate(ctx.dept.tasks, start=1):
        loc = f"年度主要任务完成情况 第{i}行·主要内容"
        budget = t.budget.total.value
        items = ctx.prose.itemised(t.content)
        if items is not None and items.items and not items.complete:
            found = True
            yield Result(Status.UNVERIFIABLE, t.name, f"主要内容中有列项未写金额（{'；'.join(items.unpriced)[:40]}），列出金额之和不能与预算数比较",
                         location=loc, missing=(f"item_amounts:{t.name}",))
        elif items is not None and items.items:
            found = True
            s = sum((f.value for f in items.items), ZERO)
            tol = prose_tolerance(ctx, items.items)
            r = amounts_equal(ctx, t.name, budget, s, loc, f"主要内容所列 {len(items.items)} 项金额之和（万元已换算为元）与预算数",
                              tol=tol)
            if r.status == Status.FAIL:
                r.message = (f"主要内容所列 {len(items.items)} 项金额合计 {fmt_amount(s)} 元，"
                             f"比表上预算数 {fmt_amount(budget)} 元{more_less(s - budget)}")
            yield r
            if items.stated_total is not None:
                st = items.stated_total.value
                r = amounts_equal(ctx, t.name, s, st, loc, "主要内容写明的“合计”与所列各项之和", tol=tol)
                yield r
    if not found:
        yield Result(Status.UNVERIFIABLE, "年度主要任务·主要内容", "主要内容中没有可核对的金额清单",
                     location="年度主要任务完成情况·主要内容", missing=())


@check("A9", "自评报告：下年预算 = 基本支出 + 项目支出", "A",
       advice="更正自评报告中下年预算的总额或基本支出、项目支出，使总额等于两者之和。",
       amounts=True, figures=("下年预算", "下年基本支出", "下年项目支出"), figure_subject="下年预算")
def a9(ctx: Context):
    ny = ctx.prose.next_year
    total, basic, project = ny.get("total"), ny.get("basic"), ny.get("project")
    loc = "自评报告·部门预算编制情况"
    if not (total and basic and project) or None in (total.value, basic.value, project.value):
        missing = tuple(k for k, v in (("total", total), ("basic", basic), ("project", project)) if not v)
        yield Result(Status.UNVERIFIABLE, "下年预算", "自评报告中未找到完整的下年预算（总额、基本支出、项目支出）",
                     location=loc, missing=tuple(f"narrative.next_year.{m}" for m in missing))
        return
    s = basic.value + project.value
    r = amounts_equal(ctx, "下年预算", s, total.value, loc, "下年预算总额 = 基本支出 + 项目支出",
                      tol=prose_tolerance(ctx, [total, basic, project]))
    if r.status == Status.FAIL:
        r.message = (f"自评报告称下年预算“{total.raw}”，但基本支出“{basic.raw}”+ 项目支出“{project.raw}”"
                     f"= {fmt_amount(s)} 元，所称总额{more_less(total.value - s)}")
    yield r


@check("A10", "评分表权重之和：总分 100，各一级指标 20/20/60", "A", advice="按评分标准更正评分表的权重。")
def a10(ctx: Context):
    scores = [s for s in ctx.scores if s.row is not None]
    def w(s):
        # An unreadable weight ('#####') counts at the rule's weight: the implied weight would make
        # the sum hold by construction (C4 reports the implied value).
        return s.weight_printed.value if s.weight_printed is not None and s.weight_printed.value is not None else s.weight

    ws = [w(s) for s in scores]
    if len(scores) < len(ctx.scores) or any(x is None for x in ws):
        yield Result(Status.UNVERIFIABLE, "评分表权重", "评分表缺行或有无法读出的权重，无法核对权重之和",
                     location="评分表·分数", missing=())
        return
    total = sum(ws, ZERO)
    yield _score_sum(ctx, "权重合计", ctx.rules.total, total, "评分表·分数")
    for l1, expected in ctx.rules.level1_weights.items():
        sub = sum((w(s) for s in scores if s.rule.level1 == l1), ZERO)
        yield _score_sum(ctx, f"{l1}权重合计", expected, sub, f"评分表·{l1}")
    for l1, expected in ctx.rules.level1_weights.items():
        got = ctx.totals["by_level1"].get(l1, {}).get("self")
        if got is not None and got > expected + ctx.tol_score:
            yield Result(Status.FAIL, f"{l1}自评得分合计", f"{l1}自评得分合计 {fmt_score(got)} 分，超过其权重 {fmt_score(expected)} 分",
                         expected, got, expected - got, f"评分表·{l1}")


def _score_sum(ctx: Context, subject: str, expected: Decimal, actual: Decimal, loc: str) -> Result:
    diff = expected - actual
    if abs(diff) <= ctx.tol_score:
        return Result(Status.PASS, subject, f"{subject} {fmt_score(actual)} 分，相符", expected, actual, diff, loc)
    return Result(Status.FAIL, subject, f"{subject} {fmt_score(actual)} 分，应为 {fmt_score(expected)} 分", expected, actual, diff, loc)


_STAFF_TOTAL = re.compile(r"(?:在职人员总数|在职职工总数|在职总人数|职工总数)[为共]?\s*(\d+)\s*人")


@check("A11", "人员构成：在职总数 = 在编 + 编外", "A", advice="核实并更正人员构成数字（在职总数、在编、编外）。")
def a11(ctx: Context):
    p = ctx.dept.profile
    on = p.counts.get("on_staff")
    other = p.counts.get("other_staff")
    text = "\n".join((p.staffing, p.organisation))
    m = _STAFF_TOTAL.search(text)
    if m is None or on is None or other is None or on.value is None or other.value is None:
        yield Result(Status.UNVERIFIABLE, "在职人员总数", "表上未写明在职人员总数（或缺在编、编外人数），无法核对人员构成",
                     location="部门基本情况·人员编制情况", missing=("staff_total",))
        return
    stated = Decimal(m.group(1))
    s = on.value + other.value
    if stated == s:
        yield Result(Status.PASS, "在职人员总数", f"在职人员总数 {stated} 人 = 在编 {on.value} + 编外 {other.value}", s, stated, ZERO,
                     "部门基本情况·人员编制情况")
    else:
        yield Result(Status.FAIL, "在职人员总数", f"在职人员总数 {stated} 人，但在编 {on.value} + 编外 {other.value} = {s} 人",
                     s, stated, s - stated, "部门基本情况·人员编制情况")

"""Category F: the form against its template family, and the structure of 财政部-style tables.

The checks of the families that print an execution-rate block (年度预算执行情况), their own
绩效指标 with 分值 and 得分, printed group weights and a printed total and grade (F1, whether the
data file fits its family at all, is every family's: ``fit.py``):

F2 执行率 printed vs recomputed · F3 执行率得分 = 分值 × 执行率 · F4 资金来源 rows add up to the total ·
F5 全年执行数 ≤ 全年预算数 · F6 年初 0 with 调整后 > 0 (new money) · F7 得分 = 分值 × 得分系数 ·
F8 targets met, missed, unreadable, and their 得分 · F9 Σ 分值 of the table = the rule's total ·
F10 Σ 得分 = printed 总分, 总分分值 · F11 printed 等级 · F12 printed group weights and scores ·
F13 scores within the step values of the printed 评分标准 · F14 framework ratios re-run.

A block marked incomplete in the data file (``incomplete: [block]``, a page cut short) makes
the sums over it "unverifiable: table incomplete", never an error.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..formulas import agrees, exec_exact, printed_places, round_to, shown
from ..scoretypes import HUNDRED, ZERO, IndicatorScore
from ...model import BLOCK_LABELS
from ..scoring import grade, score_rows
from ...core.values import Num, fmt_pct, fmt_score, norm_label
from .base import Context, INDICATORS_TABLE, Result, check
from .rescore import rescore_result
from ...core.vocab import Basis, Severity, Status

FUNDS = BLOCK_LABELS["funds"]
COLUMNS = {"initial": "年初预算数", "adjusted": "全年预算数", "actual": "全年执行数"}
BASE_LABEL = {"adjusted": "全年预算数", "initial": "年初预算数"}


def _cut(ctx: Context, block: str) -> str:
    """The message of a sum over a block cut short on the page ('' when the block is whole)."""
    return f"表格不完整（“{BLOCK_LABELS.get(block, block)}”在页面截断处未印全），无法核实" if ctx.incomplete(block) else ""


def _exec_score(ctx: Context) -> IndicatorScore | None:
    return next((s for s in ctx.scores if s.rule.printed_in == "funds"), None)


def _row_loc(i: int) -> str:
    return f"{FUNDS} 第{i}行"


def _amt(ctx: Context, n: Num) -> str:
    return shown(n, ctx.dept.header.unit)


def _na(n: Num) -> bool:
    return "not_applicable" in n.notes


def _no_funds(ctx: Context):
    if ctx.incomplete("funds"):
        return Result(Status.UNVERIFIABLE, FUNDS, _cut(ctx, "funds"), location=FUNDS)
    return Result(Status.UNVERIFIABLE, FUNDS, "表上没有年度预算执行情况（资金来源各行）", location=FUNDS, missing=("funds",))


@check("F2", "执行率 = 全年执行数 ÷ 全年预算数", "F", Severity.WARNING, advice="按“全年执行数 ÷ 全年预算数”更正“{subject}”的执行率，或写明其计算口径。")
def f2(ctx: Context):
    funds = ctx.dept.funds
    if not funds.rows:
        yield _no_funds(ctx)
        return
    chosen = ctx.opts.get("exec_rate_base")  # None: rules with no such option (no template) — the column printed
    for i, r in enumerate(funds.rows, start=1):
        base = chosen or ("adjusted" if r.adjusted.ok or not r.initial.ok else "initial")
        printed = funds.rate if i == 1 and funds.rate.ok else r.rate
        budget, actual = getattr(r, base), r.actual
        loc = _row_loc(i)
        if not (budget.ok and actual.ok):
            if printed.ok:
                lacking = "、".join(COLUMNS[k] for k, n in ((base, budget), ("actual", actual)) if not n.ok)
                yield Result(Status.UNVERIFIABLE, r.source, f"执行率印为 {printed.raw}，但{lacking}未印出，无法复算", None, printed.value,
                             None, loc, ("funds.total.actual",) if i == 1 and not actual.ok else ())
            continue
        if budget.value == 0:
            if actual.value != 0:
                yield Result(Status.FAIL, r.source, f"{BASE_LABEL[base]}为 0，执行数却为 {_amt(ctx, actual)}", None, actual.value,
                             None, loc)
            continue  # 0 ÷ 0: nothing budgeted, nothing spent (the forms print 0.00%)
        rate = actual.value / budget.value * HUNDRED
        how = f"{_amt(ctx, actual)} ÷ {_amt(ctx, budget)} = {fmt_pct(rate)}"
        if not printed.ok:
            if i == 1:
                yield Result(Status.PASS, r.source, f"执行率未印出；按 全年执行数 ÷ {BASE_LABEL[base]} 为 {how}", rate, None, None,
                             loc, severity=Severity.INFO)
            continue
        ok, expected, places = agrees(printed, rate, "half_up", ctx.tol_rate)
        ok = ok or abs(printed.value - rate) <= ctx.tol_rate
        precision = f"（按表上 {places} 位小数）" if places < 2 else ""
        if ok:
            yield Result(Status.PASS, r.source, f"执行率印为 {printed.raw}，复算 {how}{precision}，一致", expected, printed.value,
                         printed.value - expected, loc)
        else:
            yield Result(Status.FAIL, r.source, f"执行率印为 {printed.raw}，复算 {how}，应为 {fmt_score(expected)}%{precision}",
                         expected, printed.value, printed.value - expected, loc)


@check("F3", "执行率得分 = 分值 × 执行率（不超过分值）", "F", advice="按“分值 × 执行率”（不超过分值）更正年度预算执行情况的得分，或更正执行率。")
def f3(ctx: Context):
    s = _exec_score(ctx)
    funds = ctx.dept.funds
    if s is None:
        return
    if not funds.rows and funds.score.blank:
        yield _no_funds(ctx)
        return
    mode = ctx.opts.get("exec_score_rounding", "half_up")
    subject = f"{s.rule.name}得分"
    loc = f"{FUNDS}·得分"
    if funds.weight.ok and funds.weight.value != s.weight:
        yield Result(Status.FAIL, f"{s.rule.name}分值", f"分值印为 {funds.weight.raw}，规则为 {fmt_score(s.weight)} 分（按规则计）",
                     s.weight, funds.weight.value, funds.weight.value - s.weight, f"{FUNDS}·分值")
    elif funds.weight.ok:
        yield Result(Status.PASS, f"{s.rule.name}分值", f"分值 {funds.weight.raw} 分，与规则一致", s.weight, funds.weight.value, ZERO,
                     f"{FUNDS}·分值")
    if s.error:
        yield Result(Status.FAIL, subject, f"复核计算出错：{s.error}", location=loc)
    elif s.engine_basis == Basis.UNVERIFIABLE:
        yield Result(Status.UNVERIFIABLE, subject, f"无法复核：{s.note}", actual=s.self_score, location=loc, missing=s.missing)
    else:
        rate = s.inputs["rate"]
        full_at = ctx.opts.get("exec_full_at_pct", HUNDRED)
        exact = exec_exact(s.weight, rate, full_at)
        proxy = bool(s.inputs.get("from_printed_rate"))
        cap = f"；执行率 {fmt_pct(rate)} 超过 100%，得分以分值 {fmt_score(s.weight)} 分为上限" if rate > HUNDRED else ""
        if not funds.score.ok:
            shown_raw = funds.score.raw.strip() or "空白"
            yield Result(Status.FAIL, subject, f"得分未填写（表上为“{shown_raw}”）；按执行率应得 {fmt_score(s.engine_score)} 分{cap}",
                         s.engine_score, None, None, loc, s.missing, severity=Severity.WARNING, proxy=proxy)
        else:
            ok, expected, places = agrees(funds.score, exact, mode, ctx.tol_score)
            precision = f"，按表上 {places} 位小数" if places < 2 else ""
            how = (f"执行率 {fmt_pct(rate)} 不低于 {fmt_score(full_at)}% 得满分" if rate >= full_at < HUNDRED
                   else f"{fmt_score(s.weight)} × {fmt_pct(min(rate, HUNDRED))}{cap}")
            printed_rate = funds.rate if funds.rate.ok else funds.rows[0].rate if funds.rows else funds.rate
            cents = round_to(exact, 2, mode)
            if ok and places < 2 and funds.score.value != cents and not (
                    printed_rate.ok and exec_exact(s.weight, printed_rate.value, full_at) == funds.score.value):
                # right only if scores are rounded to whole points (8.62 → 9): one reading holds, the other not
                yield Result(Status.FAIL, subject, f"得分 {funds.score.raw}，复核 {how} = {fmt_score(cents)}：只有按 {places} 位小数"
                             f"取舍时才成立（{fmt_score(cents)} → {funds.score.raw}，{'+' if funds.score.value > cents else ''}"
                             f"{fmt_score(funds.score.value - cents)}），按不取舍的规则应为 {fmt_score(cents)} 分",
                             cents, funds.score.value, funds.score.value - cents, loc, s.missing, severity=Severity.WARNING,
                             proxy=proxy)
            elif ok:
                yield Result(Status.PASS, subject, f"得分 {funds.score.raw}，复核 {how}（{_mode_text(mode)}{precision}）一致",
                             expected, funds.score.value, funds.score.value - expected, loc, s.missing, proxy=proxy)
            else:
                yield Result(Status.FAIL, subject, f"得分 {funds.score.raw}，复核 {how}，应为 {fmt_score(expected)} 分"
                             f"（{_mode_text(mode)}{precision}）", expected, funds.score.value, funds.score.value - expected,
                             loc, s.missing, proxy=proxy)
    # Some variants (Guizhou) print 分值 and 得分 on every 资金来源 row too.
    base = ctx.opts.get("exec_rate_base", "adjusted")
    for i, r in enumerate(funds.rows[1:], start=2):
        budget = getattr(r, base)
        if not (r.weight.ok and r.score.ok and budget.ok and r.actual.ok) or budget.value == 0:
            continue
        rate = r.actual.value / budget.value * HUNDRED
        exact = exec_exact(r.weight.value, rate, ctx.opts.get("exec_full_at_pct", HUNDRED))
        ok, expected, places = agrees(r.score, exact, mode, ctx.tol_score)
        how = f"{fmt_score(r.weight.value)} × {fmt_pct(min(rate, HUNDRED))} = {fmt_score(round_to(exact, 2, mode))}（执行率 {fmt_pct(rate)}）"
        at = f"，按表上 {places} 位小数为 {fmt_score(expected)} 分" if places < 2 else ""
        yield Result(Status.PASS if ok else Status.FAIL, f"{r.source}得分",
                     f"本行得分 {r.score.raw}，" + (f"与 {how} 一致" if ok else f"按 {how}{at}，不符"),
                     expected, r.score.value, r.score.value - expected, _row_loc(i), severity=Severity.WARNING)


def _mode_text(mode: str) -> str:
    return {"half_up": "四舍五入", "truncate": "截尾", "tolerance": "容差"}[mode]


@check("F4", "资金来源各行之和 = 年度资金总额", "F", advice="核对年度预算执行情况的资金来源，更正各行金额或年度资金总额，使各资金来源之和等于年度资金总额。")
def f4(ctx: Context):
    rows = ctx.dept.funds.rows
    if len(rows) < 2:
        if ctx.incomplete("funds"):
            yield _no_funds(ctx)
        return
    total, parts = rows[0], rows[1:]
    cut = _cut(ctx, "funds")
    for key, label in COLUMNS.items():
        t = getattr(total, key)
        cells = [getattr(p, key) for p in parts]
        printed = [c for c in cells if c.ok]
        if not t.ok or not printed:
            continue  # the column is not printed, or has no breakdown
        unreadable = [p.source for p, c in zip(parts, cells) if not c.ok and not c.blank and not _na(c)]
        blanks = [p.source for p, c in zip(parts, cells) if c.blank or _na(c)]
        s = sum((c.value for c in printed), ZERO)
        how = " + ".join(c.raw.strip() for c in printed) + f" = {fmt_score(s)}{ctx.dept.header.unit}"
        subject = f"{label}：分项之和与{total.source.rstrip(':：')}"
        if cut or unreadable:
            why = cut or ("、".join(unreadable) + " 的金额无法读出，无法核实")
            yield Result(Status.UNVERIFIABLE, subject, why, t.value, s, None, FUNDS)
        elif abs(s - t.value) <= ctx.tol_amount:
            yield Result(Status.PASS, subject, f"{how}，与总额 {_amt(ctx, t)} 一致" + (f"（{'、'.join(blanks)} 未填金额）" if blanks else ""),
                         t.value, s, s - t.value, FUNDS)
        else:
            yield Result(Status.FAIL, subject, f"{how}，与总额 {_amt(ctx, t)} 不符" + (f"（{'、'.join(blanks)} 未填金额）" if blanks else ""),
                         t.value, s, s - t.value, FUNDS, severity=Severity.WARNING if blanks else None)


@check("F5", "全年执行数不超过全年预算数", "F", Severity.WARNING, advice="说明“{subject}”全年执行数超过全年预算数的原因，并提供追加预算的批复文件。")
def f5(ctx: Context):
    rows = ctx.dept.funds.rows
    if not rows:
        yield _no_funds(ctx)
        return
    base = ctx.opts.get("exec_rate_base", "adjusted")
    found = False
    for i, r in enumerate(rows, start=1):
        budget, actual = getattr(r, base), r.actual
        if not (budget.ok and actual.ok):
            continue
        found = True
        if actual.value > budget.value + ctx.tol_amount:
            extra = "（表上没有调整后预算数，年中追加的预算未列示）" if base == "initial" else ""
            yield Result(Status.FAIL, r.source, f"全年执行数 {_amt(ctx, actual)} 超过{BASE_LABEL[base]} {_amt(ctx, budget)}{extra}",
                         budget.value, actual.value, actual.value - budget.value, _row_loc(i))
        else:
            yield Result(Status.PASS, r.source, f"全年执行数 {_amt(ctx, actual)} 不超过{BASE_LABEL[base]} {_amt(ctx, budget)}",
                         budget.value, actual.value, actual.value - budget.value, _row_loc(i))
    if not found:
        yield Result(Status.UNVERIFIABLE, FUNDS, f"没有同时印出{BASE_LABEL[base]}和全年执行数的行", location=FUNDS,
                     missing=("funds.total.actual",))


@check("F6", "年初预算为 0、调整后有预算（年中新增资金）", "F", Severity.INFO, advice="说明“{subject}”年初未安排预算、年中新增资金的来源和依据，并附预算调整批复文件。")
def f6(ctx: Context):
    seen = new = 0
    for i, r in enumerate(ctx.dept.funds.rows, start=1):
        if not (r.initial.ok and r.adjusted.ok):
            continue
        seen += 1
        if r.initial.value == 0 and r.adjusted.value > 0:
            new += 1
            yield Result(Status.FAIL, r.source, f"年初预算数 {_amt(ctx, r.initial)}，全年预算数（调整后）{_amt(ctx, r.adjusted)}："
                         "年中新增的资金，应说明追加依据", r.initial.value, r.adjusted.value, r.adjusted.value, _row_loc(i))
    if not seen:
        yield Result(Status.PASS, FUNDS, "表上没有同时印出年初预算数和调整后预算数的行", location=FUNDS)
    elif not new:
        yield Result(Status.PASS, FUNDS, "没有年初预算为 0、年中新增预算的资金来源", location=FUNDS)


def _indicator_scores(ctx: Context) -> list[IndicatorScore]:
    """The scored rows of the department's own 绩效指标 (their printed 分值 is their weight)."""
    return [s for s in ctx.scores if s.weight_source == "table" and s.item is not None
            and hasattr(s.item, "target")]


def _ind_loc(s: IndicatorScore) -> str:
    return f"{BLOCK_LABELS['indicators']} 第{s.row_no}行"


@check("F7", "得分 = 分值 × 得分系数", "F", advice="按“分值 × 得分系数”更正“{subject}”的得分，或更正得分系数。")
def f7(ctx: Context):
    rows = [s for s in _indicator_scores(ctx) if s.item.coefficient.ok]
    if not rows:
        yield Result(Status.PASS, "得分系数", "表上没有得分系数", location=BLOCK_LABELS["indicators"], severity=Severity.INFO)
        return
    for s in rows:
        ind = s.item
        name = ind.level3
        if not s.weight_known:
            yield Result(Status.UNVERIFIABLE, name, f"得分系数 {ind.coefficient.raw}，但分值未印出", location=_ind_loc(s),
                         missing=("weights",))
            continue
        exact = s.weight * s.inputs.get("coefficient", ZERO)
        if s.self_score is None:
            yield Result(Status.FAIL, name, f"得分未填写；按得分系数应为 {fmt_score(exact)} 分", exact, None, None, _ind_loc(s),
                         severity=Severity.WARNING)
            continue
        ok, expected, _ = agrees(ind.score, exact, "tolerance", ctx.tol_score)
        how = f"{fmt_score(s.weight)} × {ind.coefficient.raw} = {fmt_score(exact)}"
        yield Result(Status.PASS if ok else Status.FAIL, name, f"得分 {ind.score.raw}，" + ("与 " + how + " 一致" if ok else "应为 " + how),
                     exact, s.self_score, s.self_score - exact, _ind_loc(s))


def _last_row(ctx: Context, s: IndicatorScore, block: str) -> bool:
    """The row printed where the page was cut: its blank cells are cut off, not left empty."""
    return ctx.incomplete(block) and s.row_no == len(score_rows(ctx.dept, block))


@check("F8", "绩效指标完成情况与得分（完成得满分、未完成按比例）", "F", Severity.WARNING,
       advice="说明“{subject}”未完成指标值的原因，并按完成情况更正该指标的得分（完成得满分，未完成按比例计分）。", table=INDICATORS_TABLE)
def f8(ctx: Context):
    rows = [s for s in _indicator_scores(ctx) if not s.item.coefficient.ok]
    if not rows:
        cut = _cut(ctx, "indicators")
        if not cut and ctx.family is not None and not ctx.family.graded:  # no template asks for indicators
            yield Result(Status.PASS, BLOCK_LABELS["indicators"], "本表没有绩效指标", location=BLOCK_LABELS["indicators"],
                         severity=Severity.INFO)
            return
        yield Result(Status.UNVERIFIABLE, BLOCK_LABELS["indicators"], cut or "没有绩效指标", location=BLOCK_LABELS["indicators"],
                     missing=() if cut else ("indicators",))
        return
    if not ctx.incomplete("indicators") and not any(s.item.score.ok or s.item.weight.ok or not s.item.score.blank
                                                    for s in rows):
        yield from _targets_only(ctx, rows)  # a form with no 分值/得分 columns: targets against actuals only
        return
    for s in rows:
        ind = s.item
        name = f"{ind.level2}：{ind.level3}" if ind.level2 else ind.level3
        loc = _ind_loc(s)
        status = s.inputs.get("status", "")
        full = s.weight_known and s.self_score is not None and s.self_score >= s.weight
        if s.error:
            yield Result(Status.FAIL, name, f"复核计算出错：{s.error}", location=loc, severity=Severity.ERROR)
        elif status == "na":
            continue
        elif _last_row(ctx, s, "indicators") and (status in ("no_actual", "no_target") or s.self_score is None):
            yield Result(Status.UNVERIFIABLE, name, "本行在页面截断处，实际完成值、分值或得分未印全，无法核实", ind.target, ind.actual,
                         None, loc)
        elif status == "met":
            if not s.weight_known:
                yield Result(Status.UNVERIFIABLE, name, s.note, s.engine_score, s.self_score, None, loc, ("weights",), severity=Severity.INFO)
            elif s.self_score is None:
                yield Result(Status.FAIL, name, f"{s.note}；得分未填写", s.weight, None, None, loc)
            elif s.self_score >= s.weight - ctx.tol_score:
                yield Result(Status.PASS, name, s.note, s.weight, s.self_score, s.self_score - s.weight, loc)
            else:
                why = (f"偏差原因：{ind.deviation.strip()}" if ind.deviation.strip() else "表上未写偏差原因")
                yield Result(Status.FAIL, name, f"{s.note}；自评只得 {fmt_score(s.self_score)} 分（完成指标值应得满分，{why}）",
                             s.weight, s.self_score, s.self_score - s.weight, loc)
        elif status == "missed":
            if s.self_score is None:
                yield Result(Status.FAIL, name, f"{s.note}；得分未填写", s.engine_score, None, None, loc)
            elif full:
                yield Result(Status.FAIL, name, f"未完成指标值却得满分 {fmt_score(s.self_score)} 分：{s.note}", s.engine_score,
                             s.self_score, None if s.engine_score is None else s.self_score - s.engine_score, loc,
                             severity=Severity.ERROR)
            elif s.engine_basis == Basis.EXACT and abs(s.self_score - s.engine_score) > ctx.tol_score:
                places = printed_places(ind.score.raw)
                rounding = (f"（只有按 {places} 位小数取舍时才成立：{fmt_score(s.engine_score)} → {ind.score.raw}）"
                            if places < 2 and round_to(s.engine_score, places) == s.self_score else "")
                yield Result(Status.FAIL, name, f"自评 {fmt_score(s.self_score)} 分；{s.note}{rounding}", s.engine_score, s.self_score,
                             s.self_score - s.engine_score, loc)
            else:
                yield Result(Status.PASS, name, f"自评 {fmt_score(s.self_score)} 分；{s.note}", s.engine_score, s.self_score,
                             None if s.engine_score is None else s.self_score - s.engine_score, loc)
        elif status == "qualitative":
            yield Result(Status.UNVERIFIABLE, name, s.note, ind.target, ind.actual, None, loc, (f"evidence:{ind.level3}",),
                         severity=Severity.INFO)
        else:  # no target, no actual, unreadable, words for a figure, a bound, several figures, units differ
            note = s.note.replace("，保留自评分数", "")
            if full:
                note += f"；却得满分 {fmt_score(s.self_score)} 分"
            elif s.self_score is None:
                note += "；得分未填写"
            yield Result(Status.UNVERIFIABLE, name, note, ind.target, ind.actual, None, loc, s.missing,
                         severity=Severity.WARNING if full else Severity.INFO)


def _targets_only(ctx: Context, rows: list[IndicatorScore]):
    """The indicators of a form that prints no 分值 and no 得分: nothing to re-score (said once); each
    target against its actual — a missed target, or an actual of no figure with a 偏差原因, is a warning."""
    label = BLOCK_LABELS["indicators"]
    yield Result(Status.PASS, label, "表上没有分值、得分栏，没有可复核的分数；只核对各指标的完成情况", location=label, severity=Severity.INFO)
    for s in rows:
        ind, status = s.item, s.inputs.get("status", "")
        name = f"{ind.level2}：{ind.level3}" if ind.level2 else ind.level3
        why = f"；偏差原因：{ind.deviation.strip()}" if ind.deviation.strip() else "；表上未写偏差原因"
        note = s.note.replace("，保留自评分数", "").replace("；表上没有分值，无法核对是否应得满分", "")
        if status == "met":
            yield Result(Status.PASS, name, note, ind.target, ind.actual, None, _ind_loc(s), severity=Severity.INFO)
        elif status == "missed":
            yield Result(Status.FAIL, name, f"未达到指标值：{note}{why}", ind.target, ind.actual, None, _ind_loc(s), severity=Severity.WARNING)
        elif status in ("no_actual", "no_number") and ind.deviation.strip():
            yield Result(Status.FAIL, name, f"未达到指标值 {ind.target}：{note}{why}", ind.target, ind.actual, None, _ind_loc(s),
                         severity=Severity.WARNING)
        elif status not in ("na", "qualitative"):
            yield Result(Status.UNVERIFIABLE, name, note, ind.target, ind.actual, None, _ind_loc(s), s.missing, severity=Severity.INFO)


def _table_rows_block(ctx: Context) -> str:
    tr = ctx.rules.table_rows
    return tr.block if tr else ctx.rules.score_block


@check("F9", "绩效指标分值之和与规则一致", "F", advice="按评分标准更正绩效指标的分值，使各指标分值之和等于规定的分值。")
def f9(ctx: Context):
    tr = ctx.rules.table_rows
    if tr is None or tr.weight_total is None:
        return
    block = tr.block
    label = BLOCK_LABELS.get(block, block)
    rows = [r for r in score_rows(ctx.dept, block) if not _empty(r)]
    cut = _cut(ctx, block)
    weights = [r.weight for r in rows]
    subject = f"{label}分值之和"
    if cut:
        printed = sum((w.value for w in weights if w.ok), ZERO)
        yield Result(Status.UNVERIFIABLE, subject, f"{cut}（已印出部分之和 {fmt_score(printed)} 分）", tr.weight_total, printed, None,
                     label)
        return
    if not any(w.ok for w in weights):
        yield Result(Status.UNVERIFIABLE, subject, f"表上没有分值（权重）栏，无法核对各指标分值之和是否为 {fmt_score(tr.weight_total)} 分"
                     "，也无法核对得分是否超过分值", tr.weight_total, None, None, label, ("weights",), severity=Severity.INFO)
        got = [r.self_score.value for r in rows if r.self_score.ok]
        if got:  # the weights are not printed, their total is: Σ 得分 cannot exceed it
            s = sum(got, ZERO)
            yield Result(Status.PASS if s <= tr.weight_total else Status.FAIL, f"{label}得分之和",
                         f"各指标得分之和 {' + '.join(fmt_score(g) for g in got)} = {fmt_score(s)} 分，"
                         + ("不超过" if s <= tr.weight_total else "超过") + f"其分值 {fmt_score(tr.weight_total)} 分",
                         tr.weight_total, s, None if s <= tr.weight_total else s - tr.weight_total, label)
        return
    lacking = [str(i) for i, (r, w) in enumerate(zip(rows, weights), start=1) if not w.ok and not r.self_score.blank]
    total = sum((w.value for w in weights if w.ok), ZERO)
    if lacking:
        yield Result(Status.UNVERIFIABLE, subject, f"第 {'、'.join(lacking)} 行分值未印出或无法读出（其余之和 {fmt_score(total)} 分）",
                     tr.weight_total, total, None, label, ("weights",))
    elif total == tr.weight_total:
        yield Result(Status.PASS, subject, f"各指标分值之和 {fmt_score(total)} 分，与规则 {fmt_score(tr.weight_total)} 分一致",
                     tr.weight_total, total, ZERO, label)
    else:
        yield Result(Status.FAIL, subject, f"各指标分值之和 {fmt_score(total)} 分，规则为 {fmt_score(tr.weight_total)} 分",
                     tr.weight_total, total, total - tr.weight_total, label)
        yield from _where_the_frame_differs(ctx, rows, tr.level1_weights)
    for l1, w in tr.level1_weights.items():
        members = [r for r in rows if _same_group(r.level1, l1)]
        unnamed = [r for r in rows if not r.level1.strip()]
        s = sum((r.weight.value for r in members if r.weight.ok), ZERO)
        if unnamed:
            yield Result(Status.UNVERIFIABLE, f"{l1}分值", f"有 {len(unnamed)} 行未印一级指标，无法按一级指标汇总（{l1}已识别 {fmt_score(s)} 分）",
                         w, s, None, label)
        elif s == w:
            yield Result(Status.PASS, f"{l1}分值", f"{l1}各指标分值之和 {fmt_score(s)} 分，与规则一致", w, s, ZERO, label)
        else:
            yield Result(Status.FAIL, f"{l1}分值", f"{l1}各指标分值之和 {fmt_score(s)} 分，规则为 {fmt_score(w)} 分", w, s, s - w, label)


def _where_the_frame_differs(ctx: Context, rows, fixed: dict):
    """Σ分值 is off the rule's: each first-level group against the family's printed frame
    (``frame.level1`` of family.yaml, e.g. 产出 50 / 效益 30 / 满意度 10), to show where the points are."""
    typical = (ctx.family.frame.get("level1") if ctx.family is not None else None) or {}
    label = BLOCK_LABELS["indicators"]
    for l1, w in typical.items():
        if l1 in fixed:
            continue  # the rule file fixes it: checked below
        w = Decimal(str(w))
        members = [r for r in rows if _same_group(r.level1, l1)]
        s = sum((r.weight.value for r in members if r.weight.ok), ZERO)
        parts = " + ".join(r.weight.raw for r in members)
        if not members:
            continue
        if s == w:
            yield Result(Status.PASS, f"{l1}分值", f"{l1}各行分值 {parts} = {fmt_score(s)} 分，与模板的一级指标分值一致", w, s, ZERO, label)
        else:
            yield Result(Status.FAIL, f"{l1}分值", f"{l1}各行分值 {parts} = {fmt_score(s)} 分，模板的一级指标分值为 {fmt_score(w)} 分",
                         w, s, s - w, label)


def _empty(r) -> bool:
    """A printed row with neither 分值 nor 得分 (e.g. 生态效益 指标1: / / /): nothing to add up."""
    return not r.weight.ok and not r.self_score.ok and all(n.blank or _na(n) for n in (r.weight, r.self_score))


def _same_group(printed: str, name: str) -> bool:
    a, b = norm_label(printed), norm_label(name)
    return bool(a) and (a == b or a in b or b in a)


@check("F10", "得分之和 = 表上总分；总分分值 = 100", "F", advice="更正自评表的总分，使其等于各项得分之和；总分分值应为 100 分。")
def f10(ctx: Context):
    e = ctx.dept.self_eval
    rules = ctx.rules
    cut = next((_cut(ctx, b) for b in sorted(ctx.rules.scored_blocks()) if ctx.incomplete(b)), "")
    scored = [s for s in ctx.scores if s.row is not None and not s.placeholder]
    # 总分 分值
    if e.total_weight.ok:
        if e.total_weight.value != rules.total:
            yield Result(Status.FAIL, "总分分值", f"总分分值印为 {e.total_weight.raw}，应为 {fmt_score(rules.total)} 分", rules.total,
                         e.total_weight.value, e.total_weight.value - rules.total, "总分·分值")
        known = [s for s in scored if s.weight_known]
        wsum = sum((s.weight for s in known), ZERO)
        if cut:
            yield Result(Status.UNVERIFIABLE, "分值合计", f"{cut}（已印出分值合计 {fmt_score(wsum)} 分）", e.total_weight.value, wsum,
                         None, "总分·分值")
        elif len(known) == len(scored):
            status = Status.PASS if wsum == e.total_weight.value else Status.FAIL
            parts = " + ".join(fmt_score(s.weight) for s in scored)
            yield Result(status, "分值合计", f"各项分值之和 {parts} = {fmt_score(wsum)} 分，"
                         + (f"与表上总分分值 {e.total_weight.raw} 一致" if status == Status.PASS
                            else f"不等于表上总分分值 {e.total_weight.raw}"),
                         e.total_weight.value, wsum, wsum - e.total_weight.value, "总分·分值")
    # 总分 得分
    self_sum = sum((s.self_score for s in scored if s.self_score is not None), ZERO)
    unscored = [s for s in scored if s.self_score is None]
    if e.total.blank:
        cut = cut or (_cut(ctx, "self_eval") if ctx.incomplete("self_eval") else "")
        if not cut and not any(s.row.weight.ok or s.row.self_score.ok or not s.row.self_score.blank for s in scored):
            yield Result(Status.PASS, "总分", "表上没有分值、得分，也没有总分：没有可核对的分数", location="总分", severity=Severity.INFO)
            return
        if cut:
            yield Result(Status.UNVERIFIABLE, "总分", f"{cut}；总分未能读到", location="总分")
        else:
            yield Result(Status.UNVERIFIABLE, "总分", f"表上未印总分（各项得分之和 {fmt_score(self_sum)} 分）", None, self_sum, None,
                         "总分", severity=Severity.INFO)
        return
    if not e.total.ok:
        yield Result(Status.UNVERIFIABLE, "总分", f"总分印为“{e.total.raw}”，无法读出", location="总分")
        return
    printed = e.total.value
    if cut:
        yield Result(Status.UNVERIFIABLE, "总分", f"{cut}（已印出得分之和 {fmt_score(self_sum)} 分，表上总分 {e.total.raw}）", printed,
                     self_sum, None, "总分")
        return
    if unscored:
        yield Result(Status.UNVERIFIABLE, "总分", f"有 {len(unscored)} 项得分未填写，无法核对总分 {e.total.raw}", printed, self_sum, None,
                     "总分")
        return
    if abs(printed - self_sum) <= ctx.tol_score:
        yield Result(Status.PASS, "总分", f"各项得分之和 {fmt_score(self_sum)} 分，与表上总分 {e.total.raw} 一致", printed, self_sum,
                     self_sum - printed, "总分")
        return
    ex = _exec_score(ctx)
    msg = f"各项得分之和 {fmt_score(self_sum)} 分，表上总分为 {e.total.raw}"
    if ex is not None and ex.self_score is not None and abs(self_sum - ex.self_score - printed) <= ctx.tol_score:
        msg += f"：总分只含绩效指标得分 {fmt_score(self_sum - ex.self_score)} 分，未计入{ex.rule.name}得分 {fmt_score(ex.self_score)} 分"
    yield Result(Status.FAIL, "总分", msg, self_sum, printed, printed - self_sum, "总分")


@check("F11", "表上等级与总分相符；复核总分与等级", "F", Severity.WARNING, advice="按自评总分和等级标准更正自评等级。")
def f11(ctx: Context):
    e = ctx.dept.self_eval
    bands = ctx.opts["grade_bands"]
    recomputed = f"复核总分 {fmt_score(ctx.totals.get('recomputed'))} 分（{ctx.grades.get('recomputed')}）"
    if ctx.misfit:
        return  # F1 says why there is no grade
    if not e.total.ok:
        if e.grade.strip():
            yield Result(Status.UNVERIFIABLE, "自评等级", f"表上等级“{e.grade}”，但总分未印出或无法读出；{recomputed}",
                         None, e.grade, None, "自评等级")
        else:
            yield Result(Status.PASS, "复核等级", f"表上未印总分和等级；{recomputed}", ctx.grades.get("recomputed"), None, None,
                         "总分", severity=Severity.INFO)
        return
    expected = grade(e.total.value, bands)
    if not e.grade.strip():
        yield Result(Status.PASS, "自评等级", f"表上未印等级；按表上总分 {e.total.raw} 应为“{expected}”；{recomputed}", expected, None,
                     None, "总分", severity=Severity.INFO)
    elif e.grade.strip().rstrip("级等") == expected:
        yield Result(Status.PASS, "自评等级", f"等级“{e.grade}”与总分 {e.total.raw} 相符；{recomputed}", expected, e.grade, None, "自评等级")
    else:
        yield Result(Status.FAIL, "自评等级", f"等级印为“{e.grade}”，按总分 {e.total.raw} 应为“{expected}”；{recomputed}", expected,
                     e.grade, None, "自评等级")


@check("F12", "分组分值、得分 = 所含各行之和（一级、二级）", "F", advice="更正“{subject}”，使一级、二级指标的分值和得分等于所含各行之和。")
def f12(ctx: Context):
    groups = ctx.dept.score_groups
    if not groups:
        return
    block = _table_rows_block(ctx)
    rows = [r for r in score_rows(ctx.dept, block) if not _empty(r)]
    last = rows[-1] if rows else None
    cut = ctx.incomplete(block) or ctx.incomplete("score_groups")
    for g in groups:
        if g.level == 2:
            members = [(r.weight, r.self_score) for r in rows
                       if norm_label(r.level2) == norm_label(g.name) and (not g.parent or _same_group(r.level1, g.parent))]
            open_ = last is not None and norm_label(last.level2) == norm_label(g.name)
            what = "所含三级指标"
        else:
            subs = [x for x in groups if x.level == 2 and norm_label(x.parent) == norm_label(g.name)]
            if subs:
                members = [(x.weight, x.self_score) for x in subs]
                what = "所含二级指标"
            else:
                members = [(r.weight, r.self_score) for r in rows if _same_group(r.level1, g.name)]
                what = "所含三级指标"
            open_ = last is not None and _same_group(last.level1, g.name)
        name = f"{g.name}（{'一' if g.level == 1 else '二'}级）"
        for attr, label, values in (("weight", "分值", [m[0] for m in members]), ("self_score", "得分", [m[1] for m in members])):
            printed = getattr(g, attr)
            if not printed.ok:
                continue
            s = sum((v.value for v in values if v.ok), ZERO)
            if not members:
                yield Result(Status.UNVERIFIABLE, f"{name}{label}", f"表上没有属于“{g.name}”的行" + ("（表格截断）" if cut else ""),
                             printed.value, None, None, "评分表")
            elif cut and open_:
                yield Result(Status.UNVERIFIABLE, f"{name}{label}", f"表格不完整（页面截断处在本组内），{what}{label}已印出部分之和 "
                             f"{fmt_score(s)}，表上为 {printed.raw}", printed.value, s, None, "评分表")
            elif any(not v.ok for v in values):
                yield Result(Status.UNVERIFIABLE, f"{name}{label}", f"{what}有{label}未印出或无法读出（其余之和 {fmt_score(s)}）",
                             printed.value, s, None, "评分表")
            elif s == printed.value:
                yield Result(Status.PASS, f"{name}{label}", f"{what}{label}之和 {' + '.join(fmt_score(v.value) for v in values)} = "
                             f"{fmt_score(s)}，与表上 {printed.raw} 一致", printed.value, s, ZERO, "评分表")
            else:
                yield Result(Status.FAIL, f"{name}{label}", f"{what}{label}之和 {fmt_score(s)}，表上为 {printed.raw}", printed.value, s,
                             s - printed.value, "评分表")


_DEDUCT = re.compile(r"扣\s*(\d+(?:\.\d+)?)\s*分")
_AWARD = re.compile(r"[计得给]\s*(\d+(?:\.\d+)?)\s*分")


def step_values(criteria: str, weight: Decimal) -> list[Decimal] | None:
    """The scores a printed 评分标准 allows: its 计/得 X 分 values, and weight − k × each 扣 X 分
    step; 0 where it says 扣完为止 / 不得分 / 计 0 分. None when it states neither."""
    text = re.sub(r"\s+", "", criteria or "")
    awards = {Decimal(x) for x in _AWARD.findall(text)}
    steps = {Decimal(x) for x in _DEDUCT.findall(text)}
    if not awards and not steps:
        return None
    values = set(awards) | {weight} if ("满分" in text or steps) else set(awards)
    for step in steps:
        if step > 0:
            k = 0
            while weight - step * k >= 0:
                values.add(weight - step * k)
                k += 1
    if "扣完为止" in text or "不得分" in text or "扣完" in text:
        values.add(ZERO)
    return sorted(values)


@check("F13", "自评得分属于评分标准的可得分值", "F", advice="按评分标准可得的分值更正“{subject}”的自评得分。")
def f13(ctx: Context):
    block = _table_rows_block(ctx)
    for i, r in enumerate(score_rows(ctx.dept, block), start=1):
        if not (r.weight.ok and r.self_score.ok) or not r.criteria.strip():
            continue
        values = step_values(r.criteria, r.weight.value)
        if values is None:
            continue
        desc = "、".join(fmt_score(v) for v in values)
        nearest = min(values, key=lambda v: abs(v - r.self_score.value))
        loc = f"{BLOCK_LABELS.get(block, block)} 第{i}行"
        if abs(nearest - r.self_score.value) <= ctx.tol_score:
            yield Result(Status.PASS, r.level3, f"自评 {r.self_score.raw} 分是评分标准可得的分值", desc, r.self_score.value, None, loc)
        else:
            yield Result(Status.FAIL, r.level3, f"自评 {r.self_score.raw} 分不是评分标准可得的分值（可得：{desc}）", desc,
                         r.self_score.value, r.self_score.value - nearest, loc)


@check("F14", "框架指标按表上数据复核", "F", advice="按评分标准和表上数据更正“{subject}”的自评得分，或提供支持自评分数的资料。")
def f14(ctx: Context):
    block = _table_rows_block(ctx)
    for s in ctx.scores:
        if s.rule.check != "F14" or s.row is None:
            continue
        if s.self_score is None and _last_row(ctx, s, block) and s.engine_basis not in (Basis.UNVERIFIABLE, Basis.JUDGEMENT):
            yield Result(Status.UNVERIFIABLE, s.rule.name, f"表格截断，自评分数未能读到；按表上数据复核应得 {fmt_score(s.engine_score)} 分"
                         f"（{s.note}）", s.engine_score, None, None, s.location)
        elif s.engine_basis == Basis.JUDGEMENT and not s.error:
            yield Result(Status.PASS, s.rule.name, s.note, None, s.self_score, None, s.location, severity=Severity.INFO)
        else:
            yield rescore_result(ctx, s)


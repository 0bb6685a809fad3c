"""Category G: the identities any printed form implies, on every form whatever its family.

The F checks compare a 财政部-style form with its scoring rules and its own sums (execution rate,
rows against the total, Σ分值, Σ得分 against 总分, group weights). These add what a reviewer checks
on any form, with or without a scoring template:

G1 a total printed 0 or blank beside filled parts · G2 a budget adjusted beyond a threshold with no
reason given · G3 a carry-over (上年结转) absent at the start of the year and present in the year ·
G4 staff counts against 编制 · G5 sums the text states against the parts it lists (amounts and counts) ·
G6 a report dated before the year it reports on could close · G7 the execution score under the weight
the form prints (families without an execution rule) · G8 a cell that still holds the template's
instructions where the department's words belong · G9 a bare number in a column of words (偏差原因 "0",
a 年度总体目标 written as amounts).

Limits and words (the adjustment threshold, carry-over and template-prompt words) are data: the
``thresholds:`` of the family (kit/families/generic/family.yaml gives the defaults). A block marked
``incomplete`` makes its identities unverifiable, never errors. Each finding names the printed cells
or the sentence it compared.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ...families import thresholds
from ..formulas import agrees, exec_exact, round_to
from ..scoretypes import HUNDRED, ZERO
from ...model import BLOCK_LABELS
from ..prose import stated_sums
from ...core.values import Num, fmt_pct, fmt_score
from ...core.vocab import Severity, Status
from .base import Context, Result, check

FUNDS = BLOCK_LABELS["funds"]
COLUMNS = {"initial": "年初预算数", "adjusted": "全年预算数", "actual": "全年执行数"}
QUOTE = 60  # characters of a sentence quoted in a finding


def _limits(ctx: Context) -> dict:
    return thresholds(ctx.family) if ctx.family is not None else {}


def _amt(ctx: Context, n: Num) -> str:
    unit = ctx.dept.header.unit
    raw = n.raw.strip()
    return raw + (unit if unit and not raw.endswith(unit) else "")


def is_prompt(text: str, words) -> bool:
    """A cell holding the template's own instructions (说明…(100字以内)), not the department's words."""
    t = (text or "").strip()
    return bool(t) and any(w in t for w in words)


@check("G1", "总额印为 0 或空白而分项有数", "G",
       advice="补填“{subject}”：年度资金总额（总分）应等于其下各资金来源（各项得分）之和，不应印为 0 或空白。")
def g1(ctx: Context):
    rows = ctx.dept.funds.rows
    if len(rows) >= 2:
        total, parts = rows[0], rows[1:]
        for key, label in COLUMNS.items():
            t = getattr(total, key)
            filled = [(p, getattr(p, key)) for p in parts if getattr(p, key).ok and getattr(p, key).value != 0]
            if not filled:
                continue
            listed = "、".join(f"{p.source} {_amt(ctx, c)}" for p, c in filled)
            subject = f"{total.source}·{label}"
            if t.ok and t.value == 0:
                yield Result(Status.FAIL, subject, f"总额行{label}印为 {t.raw}，其下分项却有数（{listed}）",
                             sum((c.value for _, c in filled), ZERO), t.value, None, f"{FUNDS} 第1行")
            elif t.blank and not ctx.incomplete("funds"):
                yield Result(Status.FAIL, subject, f"总额行{label}空白，其下分项却有数（{listed}）", None, None, None,
                             f"{FUNDS} 第1行", severity=Severity.WARNING)
    e = ctx.dept.self_eval
    scored = [s for s in ctx.scores if s.row is not None and s.self_score]
    if e.total.ok and e.total.value == 0 and scored:
        got = sum((s.self_score for s in scored), ZERO)
        yield Result(Status.FAIL, "总分", f"总分印为 {e.total.raw}，各项得分却有 {fmt_score(got)} 分", got, e.total.value,
                     got - e.total.value, "总分")


@check("G2", "预算调整幅度超过限度须说明原因", "G", Severity.WARNING,
       advice="在年度预算执行情况的“原因”栏写明预算调整（追加或调减）的原因，并附预算调整批复文件。")
def g2(ctx: Context):
    total = ctx.dept.funds.total
    if total is None or not (total.initial.ok and total.adjusted.ok):
        return
    limits = _limits(ctx)
    limit = Decimal(str(limits.get("budget_adjustment_pct", "5")))
    ini, adj = total.initial.value, total.adjusted.value
    if ini == adj:
        return
    how = f"年初预算数 {_amt(ctx, total.initial)}，全年预算数 {_amt(ctx, total.adjusted)}"
    if ini == 0:
        change, what = None, "全部预算为年中追加"
    else:
        change = (adj - ini) / ini * HUNDRED
        what = f"调整 {'+' if change > 0 else ''}{fmt_score(adj - ini)}（{'+' if change > 0 else ''}{fmt_pct(change)}）"
        if abs(change) <= limit:
            yield Result(Status.PASS, f"{total.source}·预算调整", f"{how}，{what}，未超过 {fmt_score(limit)}%", limit, change,
                         None, f"{FUNDS} 第1行")
            return
    reason = ctx.dept.funds.reason.strip()
    prompt = is_prompt(reason, limits.get("prompt_words", ()))
    if reason and not prompt:
        yield Result(Status.PASS, f"{total.source}·预算调整", f"{how}，{what}；表上说明了原因：{reason[:QUOTE]}", None, change,
                     None, f"{FUNDS}·原因")
        return
    why = "原因栏只有模板的填写说明" if prompt else "表上没有说明调整原因"
    yield Result(Status.FAIL, f"{total.source}·预算调整",
                 f"{how}，{what}" + (f"，超过 {fmt_score(limit)}%" if change is not None else "") + f"；{why}",
                 limit, change, None, f"{FUNDS} 第1行")


@check("G3", "上年结转资金年初未列、年中才有", "G", Severity.WARNING,
       advice="将“{subject}”列入年初预算数；如确系年中才确定的结转资金，请说明原因。")
def g3(ctx: Context):
    words = tuple(_limits(ctx).get("carry_over_words", ()))
    for i, r in enumerate(ctx.dept.funds.rows[1:], start=2):
        if not any(w in r.source for w in words) or not (r.initial.ok and r.adjusted.ok):
            continue
        if r.initial.value == 0 and r.adjusted.value > 0:
            yield Result(Status.FAIL, r.source, f"{r.source}年初预算数 {_amt(ctx, r.initial)}，全年预算数 {_amt(ctx, r.adjusted)}："
                         "上年结转资金在年初即可确定，应列入年初预算", r.adjusted.value, r.initial.value,
                         r.adjusted.value - r.initial.value, f"{FUNDS} 第{i}行")
        else:
            yield Result(Status.PASS, r.source, f"{r.source}年初 {_amt(ctx, r.initial)}，全年 {_amt(ctx, r.adjusted)}",
                         r.adjusted.value, r.initial.value, None, f"{FUNDS} 第{i}行")


@check("G4", "实有人数不超过核定编制", "G", Severity.WARNING,
       advice="核对部门基本情况中的“{subject}”与核定编制数；超编的，说明超编原因及消化措施。")
def g4(ctx: Context):
    counts = ctx.dept.profile.counts
    posts = counts.get("authorized_posts")
    if posts is None or not posts.ok or posts.value == 0:
        return
    for key, label in (("actual_staff", "实有人数"), ("on_staff", "在编在职人数")):
        n = counts.get(key)
        if n is None or not n.ok:
            continue
        ratio = n.value / posts.value * HUNDRED
        how = f"{label} {n.raw} ÷ 核定编制 {posts.raw} = {fmt_pct(ratio)}"
        if n.value > posts.value:
            yield Result(Status.FAIL, label, f"{how}：超出编制 {fmt_score(n.value - posts.value)} 人", posts.value, n.value,
                         n.value - posts.value, BLOCK_LABELS["profile"])
        else:
            yield Result(Status.PASS, label, f"{how}，未超出编制", posts.value, n.value, None, BLOCK_LABELS["profile"])


def _texts(ctx: Context) -> list[tuple[str, str]]:
    """(where, text) of every printed text that may state a sum with its parts."""
    d = ctx.dept
    out = [("年度总体目标·预期目标", d.goals.expected), ("年度总体目标·实际完成情况", d.goals.actual)]
    out += [(f"部门基本情况·{k}", getattr(d.profile, k)) for k in ("duties", "organisation", "staffing")]
    out += [(f"自评报告·{s.title or s.key}", s.text) for s in d.narrative.sections]
    out += [(f"自评结果·{k}", getattr(d.self_eval, k)) for k in ("conclusion", "problems", "measures")]
    out += [(f"{BLOCK_LABELS['indicators']} 第{i}行·实际完成值", ind.actual) for i, ind in enumerate(d.indicators, start=1)]
    return [(w, t) for w, t in out if t and t.strip()]


@check("G5", "文字所述总数 = 所列分项之和", "G",
       advice="更正{subject}中的总数或所列分项，使所述总数等于各分项之和；有未列出的分项的，应逐项写明。")
def g5(ctx: Context):
    for where, text in _texts(ctx):
        for s in stated_sums(text):
            got = sum((v for _, v in s.parts), ZERO)
            parts = " + ".join(raw for raw, _ in s.parts)
            quote = s.sentence if len(s.sentence) <= QUOTE else s.sentence[:QUOTE] + "…"
            subject = f"“{quote}”"
            shown_sum = fmt_score(got / s.factor) + s.total_raw.lstrip("0123456789.,")
            if got == s.total:
                yield Result(Status.PASS, subject, f"所述 {s.total_raw} = {parts}，一致", s.total, got, ZERO, where)
            elif len(s.parts) == 1 and got < s.total:
                yield Result(Status.PASS, subject, f"所述 {s.total_raw}，其中 {parts}，未超过总数", s.total, got, None, where,
                             severity=Severity.INFO)
            elif got > s.total:
                yield Result(Status.FAIL, subject, f"所述 {s.total_raw}，其中所列 {parts} = {shown_sum}，超过总数", s.total, got,
                             got - s.total, where)
            else:
                yield Result(Status.FAIL, subject, f"所述 {s.total_raw}，其中所列 {parts} = {shown_sum}，少于总数"
                             "（如有未列出的分项，应写明）", s.total, got, got - s.total, where, severity=Severity.WARNING)


_DATE = re.compile(r"((?:19|20)\d\d)\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})")


@check("G6", "报告日期在年度结束之后", "G", Severity.WARNING,
       advice="核对自评表的填报日期；年度自评应在年度结束、决算数据确定后据实填报。")
def g6(ctx: Context):
    raw = ctx.dept.header.date.strip()
    if not raw or not ctx.dept.year:
        return
    m = _DATE.search(raw)
    if not m:
        yield Result(Status.UNVERIFIABLE, "报告日期", f"报告日期“{raw}”无法读出", location=BLOCK_LABELS["header"],
                     severity=Severity.INFO)
        return
    date = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    year = ctx.dept.year
    if date <= (year, 12, 31):
        yield Result(Status.FAIL, "报告日期", f"报告日期 {raw} 不晚于 {year} 年度的最后一天：年度尚未结束、决算未出，"
                     "不能据实评价全年的执行情况", f"{year + 1}年", raw, None, BLOCK_LABELS["header"])
    else:
        yield Result(Status.PASS, "报告日期", f"报告日期 {raw} 在 {year} 年度结束之后", None, raw, None, BLOCK_LABELS["header"])


@check("G7", "执行率得分 = 表上印出的分值 × 执行率", "G",
       advice="按“分值 × 执行率”（不超过分值）更正年度预算执行情况的得分，或更正执行数、预算数。")
def g7(ctx: Context):
    if any(s.rule.printed_in == "funds" for s in ctx.scores):
        return  # the family's own rule scores it (F3)
    f = ctx.dept.funds
    total = f.total
    if total is None or not (f.weight.ok and f.score.ok):
        return
    budget = total.adjusted if total.adjusted.ok else total.initial
    if budget.ok and total.actual.ok and budget.value:
        rate = total.actual.value / budget.value * HUNDRED
        how = f"{_amt(ctx, total.actual)} ÷ {_amt(ctx, budget)} = {fmt_pct(rate)}"
    elif f.rate.ok or total.rate.ok:
        printed = f.rate if f.rate.ok else total.rate
        rate, how = printed.value, f"表上印出的执行率 {printed.raw}"
    else:
        yield Result(Status.UNVERIFIABLE, "执行率得分", "执行数或预算数未印出，执行率无法计算", None, f.score.value, None, FUNDS)
        return
    yield score_under_weight(ctx, "执行率得分", f.weight.value, rate, f.score, f.rate if f.rate.ok else total.rate, how,
                             f"{FUNDS}·得分")


def score_under_weight(ctx: Context, subject: str, weight: Decimal, rate: Decimal, score: Num, printed_rate: Num,
                       how: str, loc: str) -> Result:
    """分值 × 执行率 (capped at 分值) against the printed 得分, at its printed precision. A score right only
    when rounded to its printed places is a warning unless 分值 × the printed rate gives it exactly."""
    exact = exec_exact(weight, rate)
    ok, expected, places = agrees(score, exact, "half_up", ctx.tol_score)
    text = f"{fmt_score(weight)} × {fmt_pct(min(rate, HUNDRED))}（{how}）= {fmt_score(round_to(exact, 2))}"
    if not ok:
        return Result(Status.FAIL, subject, f"得分 {score.raw}，按 {text}，不符", round_to(exact, 2), score.value,
                      score.value - round_to(exact, 2), loc)
    if score.value == round_to(exact, 2) or places >= 2:
        return Result(Status.PASS, subject, f"得分 {score.raw}，与 {text} 一致", expected, score.value, ZERO, loc)
    if printed_rate.ok and exec_exact(weight, printed_rate.value) == score.value:
        return Result(Status.PASS, subject, f"得分 {score.raw} = {fmt_score(weight)} × 表上执行率 {printed_rate.raw}"
                      f"（精确为 {fmt_score(round_to(exact, 2))}）", expected, score.value, ZERO, loc)
    return Result(Status.FAIL, subject, f"得分 {score.raw}，按 {text}：只有按 {places} 位小数取舍时才成立"
                  f"（{fmt_score(round_to(exact, 2))} → {score.raw}，{'+' if score.value > exact else ''}"
                  f"{fmt_score(score.value - round_to(exact, 2))}）", round_to(exact, 2), score.value,
                  score.value - round_to(exact, 2), loc, severity=Severity.WARNING)


@check("G8", "栏目仍为模板的填写说明", "G", Severity.WARNING,
       advice="删除“{subject}”栏中模板的填写说明，按实际情况填写该栏内容。")
def g8(ctx: Context):
    words = tuple(_limits(ctx).get("prompt_words", ()))
    d = ctx.dept
    cells = [("年度总体目标·实际完成情况", d.goals.actual), ("自评结果·评价结论", d.self_eval.conclusion),
             ("自评结果·存在问题", d.self_eval.problems), ("自评结果·改进措施", d.self_eval.measures)]
    for where, text in cells:
        if is_prompt(text, words):
            quote = text.strip() if len(text.strip()) <= QUOTE else text.strip()[:QUOTE] + "…"
            yield Result(Status.FAIL, where, f"“{where.split('·')[-1]}”仍是模板的填写说明（“{quote}”），未填写内容", None, text.strip(),
                         None, where)


_BARE_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?%?$")


@check("G9", "文字栏填的是数字", "G", Severity.WARNING,
       advice="在“{subject}”的文字栏中用文字写明偏差原因（或目标、完成情况），不要只填数字。")
def g9(ctx: Context):
    d = ctx.dept
    for i, ind in enumerate(d.indicators, start=1):
        text = ind.deviation.strip()
        if text and _BARE_NUMBER.match(text):
            yield Result(Status.FAIL, ind.level3, f"偏差原因分析栏填的是数字“{text}”，不是原因说明", None, text, None,
                         f"{BLOCK_LABELS['indicators']} 第{i}行·偏差原因")
    for where, text in (("年度总体目标·预期目标", d.goals.expected), ("年度总体目标·实际完成情况", d.goals.actual)):
        if text.strip() and _BARE_NUMBER.match(text.strip()):
            yield Result(Status.FAIL, where, f"“{where.split('·')[-1]}”只填了数字“{text.strip()}”，没有写目标或完成情况", None,
                         text.strip(), None, where, severity=Severity.INFO)

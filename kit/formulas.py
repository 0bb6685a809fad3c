"""Scoring formulas: small registered plug-ins, shared by every family's rule file.

A rule file names an indicator's formula (``formula: fixed_assets``); ``@formula("name")``
registers the function that recomputes it. Each returns an ``Outcome``: the score and its basis
— ``exact`` (all inputs on the form or supplied), ``proxy`` (an input stands in for one the form
lacks), ``judgement`` (discretionary: the self score is kept), ``unverifiable`` (inputs missing:
the self score is kept and the missing inputs named).

Where an indicator mixes a mechanical sub-item with judgement sub-items, the judgement part is
assumed to be at most its full points: recomputed = min(self score, judgement points + part).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Callable

from .model import NOT_APPLICABLE, Department, ScoreRow
from .values import Num, fmt_amount, fmt_pct, fmt_score, normalise_text

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def band_score(bands, x: Decimal) -> Decimal:
    """The score of the first band whose condition ``x`` meets (rule files end with a fallback)."""
    for b in bands:
        if b.matches(x):
            return b.score
    raise ValueError("band table has no fallback entry")  # validated when the rule file loads


REGISTRY: dict[str, Callable[["Env", "IndicatorScore"], "Outcome"]] = {}


def formula(name: str):
    """Register a scoring formula under the name rule files use."""
    def deco(fn):
        REGISTRY[name] = fn
        return fn
    return deco


@dataclass
class IndicatorScore:
    rule: Any  # kit.rules.IndicatorRule (rules imports this module, not the other way)
    row: ScoreRow | None = None  # the form's row, when found
    row_no: int | None = None  # 1-based row of the form's scoring table
    weight: Decimal = ZERO  # the rule's weight
    weight_printed: Num | None = None
    weight_implied: Decimal | None = None  # 100 − Σ other printed weights, when the weight is unreadable
    self_score: Decimal | None = None
    engine_score: Decimal | None = None  # recomputed by the formula (before any override)
    recomputed: Decimal | None = None
    basis: str = "unverifiable"
    engine_basis: str = "unverifiable"
    note: str = ""
    missing: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)  # figures the checks report (ratio, band …)
    error: str | None = None  # exception text when the formula crashed
    override: Any = None  # kit.rules.Override
    where: str = "评分表"  # the block the printed row is in (Chinese)
    weight_source: str = "rule"  # 'rule': the rule file fixes the weight; 'table': the printed 分值 is the weight
    item: Any = None  # the printed row the table-row formulas read (an Indicator, or the ScoreRow)

    @property
    def weight_known(self) -> bool:
        """False when the weight is the printed 分值 and none can be read (a table without a weight column)."""
        if self.weight_source != "table":
            return True
        return self.weight_printed is not None and self.weight_printed.value is not None

    @property
    def placeholder(self) -> bool:
        """A printed row of the department's own table with neither 分值 nor 得分 (e.g. 指标1: / / /)."""
        return (self.weight_source == "table" and not self.weight_known and self.row is not None
                and self.row.self_score.value is None)

    @property
    def location(self) -> str:
        if self.row_no:
            return f"{self.where} 第{self.row_no}行"
        return self.where if self.row is not None else f"{self.where}（缺少此行）"


@dataclass
class Outcome:
    score: Decimal | None
    basis: str
    note: str
    missing: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)


class Env:
    """What the formulas read: the department, the rules, the effective options, prose figures."""

    def __init__(self, dept: Department, rules: Any, opts: dict, prose):
        self.dept = dept
        self.rules = rules
        self.opts = opts
        self.prose = prose  # checks.base.ProseCache

    def supp(self, key: str) -> Any:
        v = self.dept.supplementary.get(key)
        if isinstance(v, Num):
            return v.value
        return v

    def count(self, key: str) -> Decimal | None:
        n = self.dept.profile.counts.get(key)
        return n.value if n is not None else None


def _kept(self_score: Decimal | None, basis: str, note: str, missing=(), inputs=None) -> Outcome:
    return Outcome(self_score, basis, note, tuple(missing), inputs or {})


def _mixed(s: IndicatorScore, judgement_points: Decimal, part: Decimal) -> Decimal:
    """min(self, judgement points + mechanical part): the judgement part is at most full."""
    cap = judgement_points + part
    return cap if s.self_score is None else min(s.self_score, cap)


@formula("judgement")
def f_judgement(env: Env, s: IndicatorScore) -> Outcome:
    return _kept(s.self_score, "judgement", "主观评分项，保留自评分数（只核对分数范围与可得分值）")


@formula("disclosure")
def f_disclosure(env: Env, s: IndicatorScore) -> Outcome:
    if env.supp("classified") is True:
        return Outcome(s.weight, "exact", "涉密部门按规定不公开，直接得分", inputs={"classified": True})
    parts = s.rule.params["part_scores"]
    b, f = env.supp("budget_disclosure"), env.supp("final_disclosure")
    missing = [k for k, v in (("budget_disclosure", b), ("final_disclosure", f)) if v is None]
    if missing:
        return _kept(s.self_score, "unverifiable", "缺少预决算公开情况，保留自评分数", missing)
    score = parts[b] + parts[f]
    return Outcome(score, "exact", f"部门预算公开“{b}”{fmt_score(parts[b])} 分 + 部门决算公开“{f}”{fmt_score(parts[f])} 分",
                   inputs={"budget_disclosure": b, "final_disclosure": f})


def adjustment_ratio(env: Env) -> tuple[Decimal | None, str, bool, tuple[str, ...]]:
    """(ratio %, description, is_proxy, missing) of 调整、调剂资金累计 / 部门预算总规模."""
    dept = env.dept
    base = dept.budget.initial.total.value
    if base is None or base == 0:
        return None, "", False, ("budget.initial.total",)
    supplied = env.supp("cumulative_adjustment")
    if supplied is not None:
        return supplied / base * HUNDRED, f"累计调整调剂 {fmt_amount(supplied)} 元（补充资料）", False, ()
    measure = env.opts["adjustment_measure"]
    if measure == "supplied":
        return None, "", False, ("cumulative_adjustment",)
    if measure == "net":
        adj = dept.budget.adjusted.total.value
        if adj is None:
            return None, "", False, ("budget.adjusted.total",)
        amount = abs(adj - base)
        return amount / base * HUNDRED, f"替代口径：调整后与年初预算之差 {fmt_amount(amount)} 元", True, ()
    lines = dept.basic_lines + dept.project_lines + dept.transfer_lines
    if not lines or any(ln.budget.value is None or ln.adjusted.value is None for ln in lines):
        return None, "", False, ("cumulative_adjustment",)
    amount = sum((abs(ln.adjusted.value - ln.budget.value) for ln in lines), ZERO)
    return amount / base * HUNDRED, f"替代口径：各支出行调整额绝对值之和 {fmt_amount(amount)} 元", True, ()


def adjustment_points(env: Env, ratio: Decimal, full: Decimal) -> tuple[Decimal, Decimal]:
    """(points of the 10% rule, percentage points counted as over)."""
    threshold = env.opts["adjustment_threshold_pct"]
    if ratio <= threshold:
        return full, ZERO
    over = ratio - threshold
    mode = env.opts["over_10pct_deduction"]
    if mode == "per_full_point":
        over = Decimal(math.floor(over))
    elif mode == "per_started_point":
        over = Decimal(math.ceil(over))
    return max(ZERO, full - env.opts["deduction_per_point"] * over), over


@formula("adjustment_rule")
def f_adjustment_rule(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    ratio, how, proxy, missing = adjustment_ratio(env)
    if ratio is None:
        return _kept(s.self_score, "unverifiable", "缺少调整、调剂累计数，保留自评分数", missing)
    part, over = adjustment_points(env, ratio, p["rule_points"])
    score = _mixed(s, p["judgement_points"], part)
    note = (f"调整、调剂比例 {fmt_pct(ratio)}（{how}），上限 {fmt_score(env.opts['adjustment_threshold_pct'])}%，"
            f"第2项得 {fmt_score(part)} 分；其余两项为主观评分，按不超过满分 {fmt_score(p['judgement_points'])} 分计")
    return Outcome(score, "proxy" if proxy else "exact", note,
                   inputs={"ratio": ratio, "part": part, "over": over, "proxy": proxy, "how": how})


@formula("procurement")
def f_procurement(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    plan, actual = env.supp("procurement_plan"), env.supp("procurement_actual")
    missing = [k for k, v in (("procurement_plan", plan), ("procurement_actual", actual)) if v is None]
    if missing:
        return _kept(s.self_score, "unverifiable", "缺少政府采购计划与实际金额，保留自评分数", missing)
    if plan == 0:
        return _kept(s.self_score, "unverifiable", "政府采购计划金额为 0，执行率无法计算", ("procurement_plan",))
    rate = actual / plan * HUNDRED
    part = ZERO if actual > plan else p["rule_points"] * actual / plan
    score = _mixed(s, p["judgement_points"], part)
    note = f"政府采购执行率 {fmt_pct(rate)}" + ("，实际超过计划得 0 分" if actual > plan else f"，第1项得 {fmt_score(part)} 分")
    return Outcome(score, "exact", note, inputs={"ratio": rate, "part": part})


def _banded(s: IndicatorScore, ratio: Decimal, what: str, basis: str = "exact", extra: str = "", **inputs) -> Outcome:
    score = band_score(s.rule.bands(), ratio)
    return Outcome(score, basis, f"{what} {fmt_pct(ratio)} → {fmt_score(score)} 分{extra}", inputs={"ratio": ratio, **inputs})


@formula("fixed_assets")
def f_fixed_assets(env: Env, s: IndicatorScore) -> Outcome:
    used, total = env.supp("fixed_assets_in_use"), env.supp("fixed_assets_total")
    missing = [k for k, v in (("fixed_assets_in_use", used), ("fixed_assets_total", total)) if v is None]
    if missing or total == 0:
        return _kept(s.self_score, "unverifiable", "缺少固定资产总额，保留自评分数", missing or ("fixed_assets_total",))
    return _banded(s, used / total * HUNDRED, "固定资产利用率")


@formula("funded_staff")
def f_funded_staff(env: Env, s: IndicatorScore) -> Outcome:
    posts = env.supp("authorized_posts")
    if posts is None:
        posts = env.count("authorized_posts")
    on = env.count("on_staff")
    missing = [k for k, v in (("authorized_posts", posts), ("profile.on_staff", on)) if v is None]
    if missing or posts == 0:
        return _kept(s.self_score, "unverifiable", "缺少核定编制数，保留自评分数（编制床位不是人员编制）",
                     missing or ("authorized_posts",))
    return _banded(s, on / posts * HUNDRED, f"财政供养人员控制率（在编 {on} ÷ 核定编制 {posts}）")


@formula("contract_staff")
def f_contract_staff(env: Env, s: IndicatorScore) -> Outcome:
    on = env.count("on_staff")
    contract = env.supp("contract_staff")
    source = "补充资料的编外人员数"
    if contract is None and env.opts["contract_staff_source"] == "other_staff":
        contract = env.count("other_staff")
        source = "年末其他人员人数作为编外人员数"
    missing = [k for k, v in (("profile.on_staff", on), ("contract_staff", contract)) if v is None]
    if missing or on + contract == 0:
        return _kept(s.self_score, "unverifiable", "缺少在编或编外人员数，保留自评分数", missing or ("contract_staff",))
    ratio = contract / (on + contract) * HUNDRED
    return _banded(s, ratio, f"编外人员控制率（编外 {contract} ÷（在编 {on} + 编外 {contract}），以{source}）",
                   contract=contract, on_staff=on)


def public_line(env: Env) -> tuple[Decimal | None, Decimal | None]:
    """(adjusted, actual) of the 公用经费 line(s) of 基本支出."""
    lines = [ln for ln in env.dept.basic_lines if "公用" in ln.name]
    if not lines or any(ln.adjusted.value is None or ln.actual.value is None for ln in lines):
        return None, None
    return sum((ln.adjusted.value for ln in lines), ZERO), sum((ln.actual.value for ln in lines), ZERO)


@formula("public_funds")
def f_public_funds(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    bands = s.rule.bands()
    tb, ta = env.supp("three_public_budget"), env.supp("three_public_actual")
    three = None
    if tb is not None and ta is not None and tb > 0 and ta >= 0:
        three_ratio = ta / tb * HUNDRED
        three = band_score(bands, three_ratio)
    db, da = env.supp("daily_public_budget"), env.supp("daily_public_actual")
    daily_proxy = False
    if (db is None or da is None) and env.opts["daily_public_proxy"] == "public_line":
        db, da = public_line(env)
        daily_proxy = db is not None
    daily = None
    negative = [x for x in (db, da, tb, ta) if x is not None and x < 0]  # no control rate from a negative amount
    if db is not None and da is not None and db > 0 and da >= 0:
        daily_ratio = da / db * HUNDRED
        daily = band_score(bands, daily_ratio)
    inputs: dict[str, Any] = {"proxy": daily_proxy}
    notes = []
    missing = []
    if three is None:
        missing += ["three_public_budget", "three_public_actual"]
        notes.append(f"缺少“三公”经费预算与实际数，“三公”部分按不超过满分 {fmt_score(p['part_points'])} 分计")
    else:
        inputs["three_public_ratio"] = three_ratio
        inputs["three_public_score"] = three
        notes.append(f"“三公”经费控制率 {fmt_pct(three_ratio)} → {fmt_score(three)} 分")
    if daily is None:
        missing += ["daily_public_budget", "daily_public_actual"]
        notes.append("缺少日常公用经费数据")
    else:
        inputs["daily_ratio"] = daily_ratio
        inputs["daily_score"] = daily
        notes.append(("日常公用经费控制率（替代口径：基本支出“公用经费”行 实际 ÷ 调整后）" if daily_proxy else "日常公用经费控制率")
                     + f" {fmt_pct(daily_ratio)} → {fmt_score(daily)} 分")
    if negative:
        notes.append("预算数或实际数为负（" + "、".join(fmt_amount(x) for x in negative) + " 元），该部分不计算控制率")
    note = "；".join(notes)
    if three is None and daily is None:
        return _kept(s.self_score, "unverifiable", note, missing, inputs)
    if three is not None and daily is not None:
        return Outcome(three + daily, "proxy" if daily_proxy else "exact", note, tuple(missing), inputs)
    known = three if three is not None else daily
    score = _mixed(s, p["part_points"], known)
    return Outcome(score, "proxy", note, tuple(missing), inputs)


@formula("quarterly")
def f_quarterly(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    keys = ("q1_progress", "q2_progress", "q3_progress", "q4_progress")
    prog = [env.supp(k) for k in keys]
    missing = [k for k, v in zip(keys, prog) if v is None]
    if missing:
        return _kept(s.self_score, "unverifiable", "缺少各季度末累计支出进度，保留自评分数", missing)
    ratios = [pq / t for pq, t in zip(prog, p["schedule"])]
    if env.opts["cap_quarterly_ratio"]:
        ratios = [min(r, Decimal(1)) for r in ratios]
    quarter_part = sum(ratios, ZERO) * p["quarter_points"]
    if env.opts["quarterly_rate_mode"] == "ratio":
        mean = sum(ratios, ZERO) / 4
    else:
        mean = sum(prog, ZERO) / 4 / HUNDRED
    score = min(s.weight, quarter_part + p["mean_points"] * mean)
    note = ("季度执行率 " + "、".join(fmt_pct(r * HUNDRED) for r in ratios)
            + f"，季度得分 {fmt_score(quarter_part)} + 全年平均 {fmt_pct(mean * HUNDRED)} × {fmt_score(p['mean_points'])}")
    return Outcome(score, "exact", note, inputs={"ratios": ratios, "mean": mean})


@formula("timeliness")
def f_timeliness(env: Env, s: IndicatorScore) -> Outcome:
    n, k = env.supp("projects_planned"), env.supp("projects_on_time")
    if n is not None and k is not None:
        source = "补充资料"
    else:
        tasks = env.dept.tasks
        if not tasks:
            return _kept(s.self_score, "unverifiable", "缺少计划完成项目数，保留自评分数", ("projects_planned", "projects_on_time"))
        done = tuple(s.rule.params.get("done_words") or ())
        n = Decimal(len(tasks))
        k = Decimal(sum(1 for t in tasks if t.status.strip() in done))
        source = f"年度主要任务完成情况：{int(n)} 项中 {int(k)} 项为“已完成”"
    if n == 0:
        return _kept(s.self_score, "unverifiable", "计划完成项目总数为 0", ("projects_planned",))
    score = s.weight if k >= n else s.weight * k / n
    return Outcome(score, "exact", f"{source}，{fmt_score(s.weight)} × {k}/{n} = {fmt_score(score)} 分",
                   inputs={"n": n, "k": k})


@formula("key_work")
def f_key_work(env: Env, s: IndicatorScore) -> Outcome:
    per = s.rule.params["per_incomplete"]
    inc = env.supp("key_tasks_incomplete")
    if inc is not None:
        score = max(ZERO, s.weight - per * inc)
        return Outcome(score, "exact", f"未完成重点工作 {inc} 项（补充资料）→ {fmt_score(score)} 分", inputs={"incomplete": inc})
    done, evidence = env.prose.key_work()
    if done is True:
        return Outcome(s.weight, "exact", f"自评报告称重点工作均已完成（“{evidence}”）→ {fmt_score(s.weight)} 分",
                       inputs={"incomplete": ZERO, "evidence": evidence})
    why = f"自评报告称有重点工作未完成（“{evidence}”），但未说明项数" if done is False else "自评报告未说明重点工作完成情况"
    return _kept(s.self_score, "unverifiable", why + "，保留自评分数", ("key_tasks_incomplete",), {"evidence": evidence})


@formula("satisfaction")
def f_satisfaction(env: Env, s: IndicatorScore) -> Outcome:
    rates = env.prose.satisfaction_rates()
    if not rates:
        return _kept(s.self_score, "unverifiable", "未找到满意度数值，保留自评分数", ("satisfaction_rate",))
    values = [f.value for f in rates]
    agg = env.opts["satisfaction_aggregate"]
    x = min(values) if agg == "min" else sum(values, ZERO) / len(values)
    shown = "、".join(f"{f.qualifier}{f.label} {fmt_pct(f.value)}" for f in rates)
    how = "" if len(values) == 1 else ("，取最低值" if agg == "min" else "，取平均值")
    return _banded(s, x, f"满意度（{shown}{how}）", rates=values)


@formula("petitions")
def f_petitions(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    reply = env.supp("petition_reply_rate")
    timely = env.supp("petition_timely_rate")
    found = env.prose.petition_rates()
    reply = reply if reply is not None else found.get("reply")
    timely = timely if timely is not None else found.get("timely")
    missing = [k for k, v in (("petition_reply_rate", reply), ("petition_timely_rate", timely)) if v is None]
    if missing:
        return _kept(s.self_score, "unverifiable", "缺少信访回复率，保留自评分数", missing)
    part = (p["reply_points"] if reply >= p["full_rate"] else ZERO) + (p["timely_points"] if timely >= p["full_rate"] else ZERO)
    channel = env.supp("petition_channel")
    note = f"信访办理回复率 {fmt_pct(reply)}、及时办理回复率 {fmt_pct(timely)} → {fmt_score(part)} 分"
    if channel is None:
        score = _mixed(s, p["channel_points"], part)
        note += f"；渠道机制 {fmt_score(p['channel_points'])} 分为主观评分，按不超过满分计"
    else:
        score = part + (p["channel_points"] if channel else ZERO)
        note += f"；渠道机制（补充资料）{'已建立' if channel else '未建立'}"
    return Outcome(score, "exact", note, inputs={"reply": reply, "timely": timely, "part": part})


# --- Printed precision and rounding (财政部-style forms print rates and scores to 0, 1 or 2 places) ---
def printed_places(raw: str) -> int:
    """Decimals of the first number printed in ``raw`` ('100.00%' → 2, '60%' → 0)."""
    m = re.search(r"\d+(?:\.(\d+))?", normalise_text(raw or ""))
    return len(m.group(1) or "") if m else 0


def round_to(x: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """``x`` to ``places`` decimals: truncated under mode 'truncate', else half-up."""
    return x.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN if mode == "truncate" else ROUND_HALF_UP)


def agrees(printed: Num, exact: Decimal, mode: str, tol: Decimal) -> tuple[bool, Decimal, int]:
    """Whether a printed figure agrees with the exact value at the printed precision.

    mode 'half_up' / 'truncate': the exact value rounded that way to the printed places must be
    what is printed; 'tolerance': |printed − exact| ≤ max(tol, half a unit of the last printed
    place). Returns (agrees, the exact value at the printed precision, printed places).
    """
    places = printed_places(printed.raw)
    expected = round_to(exact, places, mode)
    if mode == "tolerance":
        slack = max(tol, Decimal(5).scaleb(-places - 1))
        return abs(printed.value - exact) <= slack, expected, places
    return printed.value == expected, expected, places


def exec_exact(weight: Decimal, rate: Decimal, full_at: Decimal = HUNDRED) -> Decimal:
    """分值 × 执行率, the rate capped at 100% (执行率*该指标分值，最高不得超过分值上限); full 分值 from
    ``full_at`` % on (some provinces: full marks at ≥ 90%)."""
    return weight if rate >= full_at else weight * min(rate, HUNDRED) / HUNDRED


def exec_score(weight: Decimal, rate: Decimal, mode: str, full_at: Decimal = HUNDRED) -> Decimal:
    """``exec_exact`` to cents per ``mode`` (truncated, or left for the audit's half-up rounding)."""
    raw = exec_exact(weight, rate, full_at)
    return round_to(raw, 2, mode) if mode == "truncate" else raw


def shown(n: Num, unit: str = "") -> str:
    """A printed amount as printed, with the table's unit ('880万元')."""
    return f"{n.raw.strip()}{unit if unit and not n.raw.strip().endswith(unit) else ''}"


_BASE_LABEL = {"adjusted": "全年预算数", "initial": "年初预算数"}


def exec_inputs(dept: Department, base: str) -> tuple[Num | None, Num | None, Num]:
    """(budget, actual, printed rate) of the total row of 年度预算执行情况; None where there is no total row."""
    f = dept.funds
    total = f.total
    if total is None:
        return None, None, f.rate
    return getattr(total, base), total.actual, (f.rate if f.rate.ok else total.rate)


@formula("exec_rate")
def f_exec_rate(env: Env, s: IndicatorScore) -> Outcome:
    """执行率 = 全年执行数 / 全年预算数 (or 年初预算数, option exec_rate_base); 得分 = 分值 × 执行率, capped."""
    base = env.opts.get("exec_rate_base", "adjusted")
    mode = env.opts.get("exec_score_rounding", "half_up")
    full_at = env.opts.get("exec_full_at_pct", HUNDRED)
    unit = env.dept.header.unit
    budget, actual, printed_rate = exec_inputs(env.dept, base)
    if budget is None:
        return _kept(s.self_score, "unverifiable", "表上没有年度预算执行情况（资金来源各行），保留自评分数", ("funds",))
    if budget.ok and actual.ok and budget.value != 0:
        rate = actual.value / budget.value * HUNDRED
        score = exec_score(s.weight, rate, mode, full_at)
        capped = rate > HUNDRED
        note = (f"执行率 = 全年执行数 {shown(actual, unit)} ÷ {_BASE_LABEL[base]} {shown(budget, unit)} = {fmt_pct(rate)}"
                + ("，超过 100% 按 100% 计" if capped else "")
                + (f"；执行率不低于 {fmt_score(full_at)}% 得满分 {fmt_score(s.weight)} 分" if rate >= full_at
                   else f"；得分 = {fmt_score(s.weight)} × {fmt_pct(min(rate, HUNDRED))} = {fmt_score(round_to(score, 2, mode))} 分"))
        printed = s.row.self_score if s.row is not None else None
        if printed is not None and printed.ok and printed_places(printed.raw) < 2 and printed.value != round_to(score, 2, mode):
            ok, _, places = agrees(printed, exec_exact(s.weight, rate, full_at), mode, env.opts.get("tolerance_score", ZERO))
            if ok:  # printed to fewer places and right at that precision: the form's own figure stands
                note += f"（表上印为 {printed.raw}，按其 {places} 位小数一致）"
                score = printed.value
        return Outcome(score, "exact", note, inputs={"rate": rate, "capped": capped, "base": base, "budget": budget.value,
                                                     "actual": actual.value})
    missing = tuple(k for k, n in ((f"funds.total.{base}", budget), ("funds.total.actual", actual)) if not n.ok)
    if budget.ok and budget.value == 0:
        missing += (f"funds.total.{base}",)
    what = "、".join(EXEC_INPUT_LABELS[k] for k in missing) + "未印出或为 0"
    if printed_rate.ok:
        rate = printed_rate.value
        score = exec_score(s.weight, rate, mode, full_at)
        return Outcome(score, "proxy", f"{what}，执行率无法复算；按表上印出的执行率 {printed_rate.raw} 计："
                       f"{fmt_score(s.weight)} × {fmt_pct(min(rate, HUNDRED))} = {fmt_score(round_to(score, 2, mode))} 分",
                       missing, inputs={"rate": rate, "capped": rate > HUNDRED, "base": base, "from_printed_rate": True})
    return _kept(s.self_score, "unverifiable", f"{what}，执行率无法计算，保留自评分数", missing)


EXEC_INPUT_LABELS = {
    "funds.total.adjusted": "年度预算执行情况·总额行的全年预算数（调整后）",
    "funds.total.initial": "年度预算执行情况·总额行的年初预算数",
    "funds.total.actual": "年度预算执行情况·总额行的全年执行数",
    "funds": "年度预算执行情况（资金来源各行）",
}
# Labels of the inputs these formulas may list as missing (the audit's 需补充资料).
INPUT_LABELS = {**EXEC_INPUT_LABELS, "weights": "各绩效指标的分值（权重）"}


# --- Targets and actuals of the department's own indicators -----------------------------------
# Units the forms print after a figure; longest first so that 人次 wins over 人.
UNITS = sorted({
    "%", "‰", "人次", "万人次", "万人", "人", "万元", "亿元", "元", "次", "篇", "份", "天", "日", "个", "项", "座", "起", "户",
    "台", "套", "辆", "件", "家", "所", "场", "批", "处", "条", "名", "期", "年", "月", "小时", "分钟", "公里", "千米", "米",
    "平方米", "平米", "亩", "万亩", "吨", "册", "本", "棵", "株", "张", "间", "块", "宗", "类", "栋", "个月", "周", "课时",
    "学时", "元/人", "元/平方米", "公顷", "立方米", "千瓦", "分", "万", "次/年", "人/次",
    "km", "kg", "kW", "MW", "GB", "TB", "mm", "cm", "m2", "m3", "m²", "m³",
}, key=len, reverse=True)
_LATIN_UNIT = re.compile(r"(?<=\d)\s*(?:km|kg|kW|MW|GB|TB|mm|cm|m2|m3|m²|m³)(?![A-Za-z])")
_UNIT_RE = "|".join(re.escape(u) for u in UNITS)
_NUM = r"\d+(?:\.\d+)?"
_SIGNS = {"≥": "≥", "≧": "≥", ">=": "≥", "≤": "≤", "≦": "≤", "<=": "≤", ">": ">", "<": "<", "=": "="}
_WORD_PREFIX = [("大于等于", "≥"), ("不低于", "≥"), ("不少于", "≥"), ("不小于", "≥"), ("至少", "≥"),
                ("小于等于", "≤"), ("不高于", "≤"), ("不超过", "≤"), ("不多于", "≤"), ("不大于", "≤"), ("控制在", "≤"),
                ("大于", ">"), ("高于", ">"), ("超过", ">"), ("小于", "<"), ("低于", "<"), ("等于", "=")]
_WORD_SUFFIX = [("及以上", "≥"), ("以上", "≥"), ("及以下", "≤"), ("以下", "≤"), ("以内", "≤"), ("之内", "≤")]
_VS_LAST_YEAR = re.compile(r"较上年|同比|比上年|较去年")
_DATE = re.compile(r"(?P<y>(?:19|20)\d\d)\s*年(?:\s*(?P<m>\d{1,2})\s*月)?(?:\s*(?P<d>\d{1,2})\s*日)?")
# OCR damage inside or right after a figure: letters standing for digits (O, l, I, S …) or symbols.
_GARBLED = re.compile(r"\d\s*[A-Za-z&#@$^*~`|\\?？!！]|[A-Za-z&#@$^*~`|\\]\s*\d|\d%[^\s\u4e00-\u9fff，。；、（）().,;:]")
NATURE_SIGNS = {"=": "=", "≥": "≥", "≤": "≤", ">": ">", "<": "<", "正向": "≥", "反向": "≤", "正向指标": "≥",
                "反向指标": "≤", "≧": "≥", "≦": "≤", ">=": "≥", "<=": "≤"}


@dataclass(frozen=True)
class Figure:
    """A target or an actual as read: kind and, for a figure, comparator, value(s), unit."""

    kind: str  # number | range | date | text | blank | na | vs_last_year | several | unreadable | bound
    text: str
    cmp: str = ""  # ≥ ≤ > < = ('' when none printed)
    value: Decimal | None = None
    high: Decimal | None = None  # upper end of a range
    unit: str = ""
    date: tuple[int, int, int] | None = None  # (year, month or 12, day or 31) of a deadline


def _norm(text: str) -> str:
    t = normalise_text(text or "").strip()
    t = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", t)  # thousands separators: 1,200人 is one figure
    return t.replace("≧", "≥").replace("≦", "≤").replace("＞", ">").replace("＜", "<").replace("＝", "=")


def _date(m: re.Match) -> tuple[int, int, int]:
    return int(m["y"]), int(m["m"] or 12), int(m["d"] or 31)


def read_target(text: str, unit_col: str = "") -> Figure:
    """An indicator's 指标值: comparator, figure and unit, a range, a deadline, or words."""
    t = _norm(text)
    if not t:
        return Figure("blank", text)
    if t in NOT_APPLICABLE:
        return Figure("na", text)
    if _VS_LAST_YEAR.search(t):
        return Figure("vs_last_year", text)
    if not re.search(r"\d", t):
        return Figure("text", text)
    d = _DATE.search(t)
    if d and len(re.findall(r"\d+", t)) == sum(1 for g in ("y", "m", "d") if d[g]):
        return Figure("date", text, cmp=_lead_sign(t) or "", date=_date(d))
    r = re.search(rf"({_NUM})\s*({_UNIT_RE})?\s*[-~—－至到]\s*({_NUM})\s*({_UNIT_RE})?", t)
    if r:
        return Figure("range", text, "", Decimal(r[1]), Decimal(r[3]), r[4] or r[2] or unit_col)
    nums = re.findall(_NUM, t)
    if len(nums) != 1:
        return Figure("several", text)
    m = re.search(rf"({_NUM})\s*({_UNIT_RE})?", t)
    cmp_ = _lead_sign(t[:m.start()]) or _tail_sign(t[m.end():])
    return Figure("number", text, cmp_, Decimal(m[1]), unit=m[2] or unit_col)


def _lead_sign(head: str) -> str:
    head = head.strip()
    for sign in (">=", "<=", "≥", "≤", ">", "<", "="):
        if head.endswith(sign) or head.startswith(sign):
            return _SIGNS[sign]
    for word, sign in _WORD_PREFIX:
        if word in head:
            return sign
    return ""


def _tail_sign(tail: str) -> str:
    for word, sign in _WORD_SUFFIX:
        if tail.strip().startswith(word):
            return sign
    return ""


def read_actual(text: str, unit_col: str = "") -> Figure:
    """An indicator's 实际完成值: a figure, or why it is not one (blank, words, unreadable …)."""
    t = _norm(text)
    if not t:
        return Figure("blank", text)
    if t in NOT_APPLICABLE:
        return Figure("na", text)
    if _GARBLED.search(_LATIN_UNIT.sub("", t)) or (not re.search(r"[\d\u4e00-\u9fff]", t)):
        return Figure("unreadable", text)  # e.g. '9O%', '95%s', 'IOO%': never read as words or as a number
    if not re.search(r"\d", t):
        return Figure("text", text)
    d = _DATE.search(t)
    if d and len(re.findall(r"\d+", t)) == sum(1 for g in ("y", "m", "d") if d[g]):
        return Figure("date", text, date=_date(d))
    nums = re.findall(_NUM, t)
    if len(nums) != 1:
        return Figure("several", text)
    m = re.search(rf"({_NUM})\s*({_UNIT_RE})?", t)
    rest = t[m.end():].strip()
    if rest and not re.fullmatch(r"[\u4e00-\u9fff，。、；：（）() .,;:]*", rest):
        return Figure("unreadable", text)  # stray characters where the unit belongs
    sign = _lead_sign(t[:m.start()]) or _tail_sign(rest)
    if sign and sign != "=":
        return Figure("bound", text, sign, Decimal(m[1]), unit=m[2] or unit_col)  # '≥80%' is a bound, not a value
    return Figure("number", text, "", Decimal(m[1]), unit=m[2] or unit_col)


def direction(target: Figure, nature: str, name: str, lower_words) -> tuple[str, str]:
    """(comparator, where it comes from) for a numeric target."""
    if target.cmp:
        return target.cmp, ""
    sign = NATURE_SIGNS.get(_norm(nature))
    if sign:
        return sign, "指标性质"
    hit = next((w for w in lower_words if w in name), None)
    if hit:
        return "≤", f"越低越好（{hit}）"
    if target.kind == "date":
        return "≤", "完成时限"
    return "≥", "未印比较符号，按 ≥"


def completion(target: Figure, actual: Figure, cmp_: str) -> tuple[bool, Decimal | None]:
    """(met, completion ratio ≤ 1 when missed) of an actual against a numeric target."""
    a, t = actual.value, target.value
    if target.kind == "range":
        if target.value <= a <= target.high:
            return True, None
        return False, (a / target.value if a < target.value else (target.high / a if a else None))
    ok = {"≥": a >= t, ">": a > t, "≤": a <= t, "<": a < t, "=": a >= t}[cmp_]
    if ok:
        return True, None
    if cmp_ in ("≤", "<"):
        return False, (t / a if a else None)
    return False, (a / t if t else None)


COEFFICIENT_NOTE = "得分 = 分值 × 得分系数"


def coefficient_value(n: Num) -> Decimal | None:
    """A printed 得分系数 as a fraction: '80%' or '80' → 0.8, '0.8' → 0.8."""
    if not n.ok:
        return None
    return n.value / HUNDRED if (n.unit == "%" or n.value > 1) else n.value


@formula("target_completion")
def f_target_completion(env: Env, s: IndicatorScore) -> Outcome:
    """A 绩效指标 row the department wrote itself: met → full 分值; missed → in proportion (or by
    judgement, option missed_target_scoring); a printed 得分系数 → 分值 × 系数; words → judgement."""
    ind = s.item
    w = s.weight
    known = s.weight_known
    base = {"weight_known": known}
    coef = coefficient_value(ind.coefficient) if getattr(ind, "coefficient", None) is not None else None
    target = read_target(ind.target, ind.unit)
    actual = read_actual(ind.actual, ind.unit)
    info = {**base, "target": target, "actual": actual}
    if coef is not None and known:
        score = w * coef
        return Outcome(score, "exact", f"{COEFFICIENT_NOTE}：{fmt_score(w)} × {ind.coefficient.raw} = {fmt_score(score)} 分",
                       inputs={**info, "status": "coefficient", "coefficient": coef})
    if target.kind == "na" and actual.kind in ("na", "blank"):
        return _kept(s.self_score, "judgement", "本行不适用（表上为“/”）", inputs={**info, "status": "na"})
    if target.kind == "blank":
        return _kept(s.self_score, "unverifiable", "指标值未填写，无从判断是否完成，保留自评分数",
                     (f"evidence:{ind.level3}",), {**info, "status": "no_target"})
    if target.kind in ("text", "vs_last_year", "several"):
        same = _norm(ind.actual) == _norm(ind.target)
        why = {"text": "定性指标", "vs_last_year": "指标值需与上年比较", "several": "指标值含多个数值"}[target.kind]
        note = f"{why}（指标值“{ind.target}”，实际“{ind.actual or '未填写'}”），按专业判断保留自评分数"
        if same:
            note += "；实际完成值与指标值文字相同，缺少实际情况"
        return _kept(s.self_score, "judgement", note, inputs={**info, "status": "qualitative", "same_text": same})
    miss = {
        "blank": ("实际完成值未填写", "no_actual"),
        "unreadable": (f"实际完成值无法读出（原文“{ind.actual}”）", "unreadable"),
        "text": (f"实际完成值未给出数值（“{ind.actual}”），无法与指标值 {ind.target} 比较", "no_number"),
        "bound": (f"实际完成值“{ind.actual}”是一个界限而不是实际数值（照抄了指标值的写法）", "bound"),
        "several": (f"实际完成值“{ind.actual}”含多个数值，无法与指标值比较", "several"),
        "na": (f"实际完成值为“{ind.actual}”", "no_actual"),
        "vs_last_year": (f"实际完成值“{ind.actual}”无法读出数值", "no_number"),
        "range": (f"实际完成值“{ind.actual}”是一个区间", "several"),
        "date": (f"实际完成值“{ind.actual}”是日期，指标值不是", "unit_mismatch"),
    }
    if target.kind == "date" and actual.kind != "date":
        if actual.kind in ("number", "bound"):
            actual = Figure("text", ind.actual)
        why, status = miss.get(actual.kind, (f"实际完成值“{ind.actual}”不是日期", "unit_mismatch"))
        return _kept(s.self_score, "unverifiable", why + "，保留自评分数", (f"evidence:{ind.level3}",), {**info, "status": status})
    if target.kind != "date" and actual.kind not in ("number",):
        why, status = miss[actual.kind]
        return _kept(s.self_score, "unverifiable", why + "，保留自评分数", (f"evidence:{ind.level3}",), {**info, "status": status})
    lower = env.rules.text.get("lower_is_better", ())
    cmp_, why_cmp = direction(target, ind.nature, ind.level3, lower)
    if target.kind == "date":
        met = {"≤": actual.date <= target.date, "<": actual.date < target.date, "=": actual.date <= target.date,
               "≥": actual.date >= target.date, ">": actual.date > target.date}[cmp_]
        info.update(cmp=cmp_, status="met" if met else "missed", ratio=None, late=not met)
        if met:
            return _full(s, known, f"完成时限 {ind.target}，实际 {ind.actual}，按时完成", info)
        return _kept(s.self_score, "judgement", f"完成时限 {ind.target}，实际 {ind.actual}，未按时完成；"
                     "时限指标不按比例计分，保留自评分数", inputs=info)
    if target.unit and actual.unit and target.unit != actual.unit:
        return _kept(s.self_score, "unverifiable", f"指标值单位“{target.unit}”与实际完成值单位“{actual.unit}”不一致，无法比较，保留自评分数",
                     (f"evidence:{ind.level3}",), {**info, "status": "unit_mismatch"})
    met, ratio = completion(target, actual, cmp_)
    what = (f"指标值 {_with_unit(ind.target, ind.unit)}" + (f"（{why_cmp}）" if why_cmp else "")
            + f"，实际 {_with_unit(ind.actual, ind.unit)}")
    info.update(cmp=cmp_, status="met" if met else "missed", ratio=ratio)
    if met:
        return _full(s, known, what + "，已完成", info)
    if ratio is None:
        return _kept(s.self_score, "unverifiable", what + "，未完成，完成比例无法计算，保留自评分数",
                     (f"evidence:{ind.level3}",), info)
    if env.opts.get("missed_target_scoring", "proportional") == "judgement":
        return _kept(s.self_score, "judgement", what + f"，未完成（完成比例 {fmt_pct(ratio * HUNDRED)}），按专业判断扣分，保留自评分数",
                     inputs=info)
    if not known:
        return _kept(s.self_score, "unverifiable", what + f"，未完成（完成比例 {fmt_pct(ratio * HUNDRED)}）；表上没有分值，无法按比例计分",
                     ("weights",), info)
    score = w * ratio
    formula_text = "目标/实际" if cmp_ in ("≤", "<") or (target.kind == "range" and actual.value > target.high) else "实际/目标"
    return Outcome(score, "exact", what + f"，未完成：{fmt_score(w)} × {formula_text} {fmt_pct(ratio * HUNDRED)} = {fmt_score(score)} 分",
                   inputs=info)


def _with_unit(text: str, unit: str) -> str:
    """A printed figure with the unit column's unit when the figure itself has none."""
    return text + (unit if unit and unit not in text else "")


def _full(s: IndicatorScore, known: bool, what: str, info: dict) -> Outcome:
    if not known:
        return _kept(s.self_score, "unverifiable", what + "；表上没有分值，无法核对是否应得满分，保留自评分数", ("weights",), info)
    return Outcome(s.weight, "exact", what + f"，得满分 {fmt_score(s.weight)} 分", inputs=info)


# --- Ratios of the MOF-2013 framework, re-run from printed inputs --------------------------------
def input_value(env: Env, key: str) -> tuple[Decimal | None, str]:
    """A printed input by key, with its printed text: 'counts.on_staff', 'supp.three_public_budget',
    'funds.total.adjusted', or a difference 'a - b'."""
    if " - " in key:
        (a, ta), (b, tb) = (input_value(env, k.strip()) for k in key.split(" - ", 1))
        return (None if a is None or b is None else a - b), f"（{ta} − {tb}）"
    kind, _, name = key.partition(".")
    n: Any = None
    unit = ""
    if kind == "counts":
        n = env.dept.profile.counts.get(name)
    elif kind == "supp":
        n = env.dept.supplementary.get(name)
    elif kind == "funds":
        total = env.dept.funds.total
        n = getattr(total, name.partition(".")[2], None) if total is not None else None
        unit = env.dept.header.unit
    if isinstance(n, Num) and n.ok:
        return n.value, shown(n, unit)
    return None, ""


def input_keys(key: str) -> list[str]:
    """The missing-input keys of a formula input (supplementary keys, profile counts, funds cells)."""
    out = []
    for k in ([k.strip() for k in key.split(" - ")] if " - " in key else [key]):
        kind, _, name = k.partition(".")
        if kind == "supp" or (kind == "counts" and name == "authorized_posts"):
            out.append(name)
        elif kind == "counts":
            out.append(f"profile.{name}")
        else:
            out.append(k)
    return out


def framework_ratio(env: Env, params: dict) -> tuple[Decimal | None, str, tuple[str, ...]]:
    """(ratio in %, how it was computed, missing input keys) from ``ratio: {num, den}`` or
    ``change: {current, previous}`` (变动率 = (本年 − 上年) / 上年)."""
    change = "change" in params
    a_key, b_key = ((params["change"]["current"], params["change"]["previous"]) if change
                    else (params["ratio"]["num"], params["ratio"]["den"]))
    (a, ta), (b, tb) = input_value(env, a_key), input_value(env, b_key)
    missing = tuple(k for key, v in ((a_key, a), (b_key, b)) if v is None for k in input_keys(key))
    if missing or b == 0:
        return None, "", missing or tuple(input_keys(b_key))
    if change:
        r = (a - b) / b * HUNDRED
        return r, f"=（{ta} − {tb}）÷ {tb} = {fmt_pct(r)}", ()
    r = a / b * HUNDRED
    return r, f"= {ta} ÷ {tb} = {fmt_pct(r)}", ()


def deduction(env: Env, ratio: Decimal, full: dict, deduct: dict, weight: Decimal) -> tuple[Decimal, Decimal]:
    """(score, distance in points) of 'full marks while the ratio meets ``full``; beyond it
    ``points`` per ``per`` percentage points, down to 0' (每超过/低于 … 扣 … 分，扣完为止)."""
    (op, bound), = full.items()
    bound = Decimal(str(bound))
    if {"le": ratio <= bound, "lt": ratio < bound, "ge": ratio >= bound, "gt": ratio > bound}[op]:
        return weight, ZERO
    dist = abs(ratio - bound)
    per, points = Decimal(str(deduct.get("per", "1"))), Decimal(str(deduct["points"]))
    steps = dist / per
    mode = env.opts.get("deduction_steps", "proportional")
    if mode == "full_steps":
        steps = Decimal(math.floor(steps))
    elif mode == "started_steps":
        steps = Decimal(math.ceil(steps))
    return max(ZERO, weight - points * steps), dist


@formula("ratio_score")
def f_ratio_score(env: Env, s: IndicatorScore) -> Outcome:
    """A framework ratio re-run from printed inputs, scored by the rule file's bands or deduction."""
    p = s.rule.params
    ratio, how, missing = framework_ratio(env, p)
    if ratio is None:
        return _kept(s.self_score, "unverifiable", f"缺少计算“{s.rule.name}”的数据，保留自评分数", missing)
    if "bands" in p:
        score = band_score(p["bands"], ratio)
        rule_text = "；".join(b.describe() for b in p["bands"])
    else:
        score, _ = deduction(env, ratio, p["full"], p["deduct"], s.weight)
        (op, bound), = p["full"].items()
        sign = {"le": "≤", "lt": "<", "ge": "≥", "gt": ">"}[op]
        per = p["deduct"].get("per", "1")
        rule_text = (f"{sign}{bound}% 得满分，每{'超过' if op in ('le', 'lt') else '低于'} {per} 个百分点扣 "
                     f"{p['deduct']['points']} 分，扣完为止")
    return Outcome(score, "exact", f"{s.rule.name} {how}；{rule_text} → {fmt_score(score)} 分", inputs={"ratio": ratio})


@formula("ratio_judgement")
def f_ratio_judgement(env: Env, s: IndicatorScore) -> Outcome:
    """A framework ratio computed for the auditor to see; the local 评分标准 decides, so the self score is kept."""
    ratio, how, missing = framework_ratio(env, s.rule.params)
    if ratio is None:
        return _kept(s.self_score, "judgement", "按本地评分标准评分，保留自评分数（缺少计算比率的数据）")
    return _kept(s.self_score, "judgement", f"{s.rule.name} {how}；按本地评分标准评分，保留自评分数", inputs={"ratio": ratio})

"""The 深圳市 2022 table's own formulas (plug-in of the family, loaded by ``kit.engine.scoretypes.formulas``).

Each re-scores one indicator of ``rules.yaml`` from the supplementary inputs, the profile counts
and the prose: 预决算信息公开, 财务合规性 (调整、调剂 10%), 政府采购, 固定资产利用率, 人员控制率,
公用经费控制率, 季度序时进度, 项目完成及时性, 重点工作, 满意度, 信访.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from kit.engine.scoretypes import HUNDRED, ZERO, Env, IndicatorScore, Outcome, band_score, banded, formula, kept, mixed
from kit.core.values import fmt_amount, fmt_pct, fmt_score
from kit.core.vocab import Basis


@formula("disclosure")
def f_disclosure(env: Env, s: IndicatorScore) -> Outcome:
    if env.supp("classified") is True:
        return Outcome(s.weight, Basis.EXACT, "涉密部门按规定不公开，直接得分", inputs={"classified": True})
    parts = s.rule.params["part_scores"]
    b, f = env.supp("budget_disclosure"), env.supp("final_disclosure")
    missing = [k for k, v in (("budget_disclosure", b), ("final_disclosure", f)) if v is None]
    if missing:
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少预决算公开情况，保留自评分数", missing)
    score = parts[b] + parts[f]
    return Outcome(score, Basis.EXACT, f"部门预算公开“{b}”{fmt_score(parts[b])} 分 + 部门决算公开“{f}”{fmt_score(parts[f])} 分",
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
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少调整、调剂累计数，保留自评分数", missing)
    part, over = adjustment_points(env, ratio, p["rule_points"])
    score = mixed(s, p["judgement_points"], part)
    note = (f"调整、调剂比例 {fmt_pct(ratio)}（{how}），上限 {fmt_score(env.opts['adjustment_threshold_pct'])}%，"
            f"第2项得 {fmt_score(part)} 分；其余两项为主观评分，按不超过满分 {fmt_score(p['judgement_points'])} 分计")
    return Outcome(score, Basis.PROXY if proxy else Basis.EXACT, note,
                   inputs={"ratio": ratio, "part": part, "over": over, "proxy": proxy, "how": how})


@formula("procurement")
def f_procurement(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    plan, actual = env.supp("procurement_plan"), env.supp("procurement_actual")
    missing = [k for k, v in (("procurement_plan", plan), ("procurement_actual", actual)) if v is None]
    if missing:
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少政府采购计划与实际金额，保留自评分数", missing)
    if plan == 0:
        return kept(s.self_score, Basis.UNVERIFIABLE, "政府采购计划金额为 0，执行率无法计算", ("procurement_plan",))
    rate = actual / plan * HUNDRED
    part = ZERO if actual > plan else p["rule_points"] * actual / plan
    score = mixed(s, p["judgement_points"], part)
    note = f"政府采购执行率 {fmt_pct(rate)}" + ("，实际超过计划得 0 分" if actual > plan else f"，第1项得 {fmt_score(part)} 分")
    return Outcome(score, Basis.EXACT, note, inputs={"ratio": rate, "part": part})


@formula("fixed_assets")
def f_fixed_assets(env: Env, s: IndicatorScore) -> Outcome:
    used, total = env.supp("fixed_assets_in_use"), env.supp("fixed_assets_total")
    missing = [k for k, v in (("fixed_assets_in_use", used), ("fixed_assets_total", total)) if v is None]
    if missing or total == 0:
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少固定资产总额，保留自评分数", missing or ("fixed_assets_total",))
    return banded(s, used / total * HUNDRED, "固定资产利用率")


@formula("funded_staff")
def f_funded_staff(env: Env, s: IndicatorScore) -> Outcome:
    posts = env.supp("authorized_posts")
    if posts is None:
        posts = env.count("authorized_posts")
    on = env.count("on_staff")
    missing = [k for k, v in (("authorized_posts", posts), ("profile.on_staff", on)) if v is None]
    if missing or posts == 0:
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少核定编制数，保留自评分数（编制床位不是人员编制）",
                     missing or ("authorized_posts",))
    return banded(s, on / posts * HUNDRED, f"财政供养人员控制率（在编 {on} ÷ 核定编制 {posts}）")


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
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少在编或编外人员数，保留自评分数", missing or ("contract_staff",))
    ratio = contract / (on + contract) * HUNDRED
    return banded(s, ratio, f"编外人员控制率（编外 {contract} ÷（在编 {on} + 编外 {contract}），以{source}）",
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
        return kept(s.self_score, Basis.UNVERIFIABLE, note, missing, inputs)
    if three is not None and daily is not None:
        return Outcome(three + daily, Basis.PROXY if daily_proxy else Basis.EXACT, note, tuple(missing), inputs)
    known = three if three is not None else daily
    score = mixed(s, p["part_points"], known)
    return Outcome(score, Basis.PROXY, note, tuple(missing), inputs)


@formula("quarterly")
def f_quarterly(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    keys = ("q1_progress", "q2_progress", "q3_progress", "q4_progress")
    prog = [env.supp(k) for k in keys]
    missing = [k for k, v in zip(keys, prog) if v is None]
    if missing:
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少各季度末累计支出进度，保留自评分数", missing)
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
    return Outcome(score, Basis.EXACT, note, inputs={"ratios": ratios, "mean": mean})


@formula("timeliness")
def f_timeliness(env: Env, s: IndicatorScore) -> Outcome:
    n, k = env.supp("projects_planned"), env.supp("projects_on_time")
    if n is not None and k is not None:
        source = "补充资料"
    else:
        tasks = env.dept.tasks
        if not tasks:
            return kept(s.self_score, Basis.UNVERIFIABLE, "缺少计划完成项目数，保留自评分数", ("projects_planned", "projects_on_time"))
        done = tuple(s.rule.params.get("done_words") or ())
        n = Decimal(len(tasks))
        k = Decimal(sum(1 for t in tasks if t.status.strip() in done))
        source = f"年度主要任务完成情况：{int(n)} 项中 {int(k)} 项为“已完成”"
    if n == 0:
        return kept(s.self_score, Basis.UNVERIFIABLE, "计划完成项目总数为 0", ("projects_planned",))
    score = s.weight if k >= n else s.weight * k / n
    return Outcome(score, Basis.EXACT, f"{source}，{fmt_score(s.weight)} × {k}/{n} = {fmt_score(score)} 分",
                   inputs={"n": n, "k": k})


@formula("key_work")
def f_key_work(env: Env, s: IndicatorScore) -> Outcome:
    per = s.rule.params["per_incomplete"]
    inc = env.supp("key_tasks_incomplete")
    if inc is not None:
        score = max(ZERO, s.weight - per * inc)
        return Outcome(score, Basis.EXACT, f"未完成重点工作 {inc} 项（补充资料）→ {fmt_score(score)} 分", inputs={"incomplete": inc})
    done, evidence = env.prose.key_work()
    if done is True:
        return Outcome(s.weight, Basis.EXACT, f"自评报告称重点工作均已完成（“{evidence}”）→ {fmt_score(s.weight)} 分",
                       inputs={"incomplete": ZERO, "evidence": evidence})
    why = f"自评报告称有重点工作未完成（“{evidence}”），但未说明项数" if done is False else "自评报告未说明重点工作完成情况"
    return kept(s.self_score, Basis.UNVERIFIABLE, why + "，保留自评分数", ("key_tasks_incomplete",), {"evidence": evidence})


@formula("satisfaction")
def f_satisfaction(env: Env, s: IndicatorScore) -> Outcome:
    rates = env.prose.satisfaction_rates()
    if not rates:
        return kept(s.self_score, Basis.UNVERIFIABLE, "未找到满意度数值，保留自评分数", ("satisfaction_rate",))
    values = [f.value for f in rates]
    agg = env.opts["satisfaction_aggregate"]
    x = min(values) if agg == "min" else sum(values, ZERO) / len(values)
    shown = "、".join(f"{f.qualifier}{f.label} {fmt_pct(f.value)}" for f in rates)
    how = "" if len(values) == 1 else ("，取最低值" if agg == "min" else "，取平均值")
    return banded(s, x, f"满意度（{shown}{how}）", rates=values)


def petition_rates(env: Env) -> dict[str, Decimal]:
    """The 信访 rates the prose quotes: {'reply': …, 'timely': …} (those found)."""
    out: dict[str, Decimal] = {}
    for key, name in (("reply", "信访回复率"), ("timely", "信访及时处理率")):
        f = env.prose.rates.get(name)
        if f is not None and f.value is not None:
            out[key] = f.value
    return out


@formula("petitions")
def f_petitions(env: Env, s: IndicatorScore) -> Outcome:
    p = s.rule.params
    reply = env.supp("petition_reply_rate")
    timely = env.supp("petition_timely_rate")
    found = petition_rates(env)
    reply = reply if reply is not None else found.get("reply")
    timely = timely if timely is not None else found.get("timely")
    missing = [k for k, v in (("petition_reply_rate", reply), ("petition_timely_rate", timely)) if v is None]
    if missing:
        return kept(s.self_score, Basis.UNVERIFIABLE, "缺少信访回复率，保留自评分数", missing)
    part = (p["reply_points"] if reply >= p["full_rate"] else ZERO) + (p["timely_points"] if timely >= p["full_rate"] else ZERO)
    channel = env.supp("petition_channel")
    note = f"信访办理回复率 {fmt_pct(reply)}、及时办理回复率 {fmt_pct(timely)} → {fmt_score(part)} 分"
    if channel is None:
        score = mixed(s, p["channel_points"], part)
        note += f"；渠道机制 {fmt_score(p['channel_points'])} 分为主观评分，按不超过满分计"
    else:
        score = part + (p["channel_points"] if channel else ZERO)
        note += f"；渠道机制（补充资料）{'已建立' if channel else '未建立'}"
    return Outcome(score, Basis.EXACT, note, inputs={"reply": reply, "timely": timely, "part": part})

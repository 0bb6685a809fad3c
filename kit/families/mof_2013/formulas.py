"""The MOF-2013 framework's ratios, re-run from printed inputs (plug-in of the family, loaded by
``kit.engine.scoretypes.formulas``): ``ratio_score`` scores a ratio by the rule file's bands or deduction,
``ratio_judgement`` shows it and keeps the self score.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from kit.engine.formulas import shown
from kit.engine.scoretypes import HUNDRED, ZERO, Env, IndicatorScore, Outcome, band_score, formula, kept
from kit.core.values import Num, fmt_pct, fmt_score
from kit.core.vocab import Basis


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
        return kept(s.self_score, Basis.UNVERIFIABLE, f"缺少计算“{s.rule.name}”的数据，保留自评分数", missing)
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
    return Outcome(score, Basis.EXACT, f"{s.rule.name} {how}；{rule_text} → {fmt_score(score)} 分", inputs={"ratio": ratio})


@formula("ratio_judgement")
def f_ratio_judgement(env: Env, s: IndicatorScore) -> Outcome:
    """A framework ratio computed for the auditor to see; the local 评分标准 decides, so the self score is kept."""
    ratio, how, missing = framework_ratio(env, s.rule.params)
    if ratio is None:
        return kept(s.self_score, Basis.JUDGEMENT, "按本地评分标准评分，保留自评分数（缺少计算比率的数据）")
    return kept(s.self_score, Basis.JUDGEMENT, f"{s.rule.name} {how}；按本地评分标准评分，保留自评分数", inputs={"ratio": ratio})

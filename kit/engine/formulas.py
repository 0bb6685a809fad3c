"""Shared scoring plug-ins: formulas that several families' rule files name.

``judgement`` (keep the self score), the execution rate of 年度预算执行情况 (``exec_rate``, with the
printed precision and rounding of 财政部-style forms) and the department's own 绩效指标 rows
(``target_completion``, with the reading of targets and actuals the checks share). A family's own
formulas live beside its data (``kit/families/<id>/formulas.py``); the core types in
``kit/engine/scoretypes.py``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from ..model import NOT_APPLICABLE, Department
from .scoretypes import HUNDRED, ZERO, Env, IndicatorScore, Outcome, formula, kept
from ..core.values import Num, fmt_pct, fmt_score, normalise_text
from ..core.vocab import Basis


@formula("judgement")
def f_judgement(env: Env, s: IndicatorScore) -> Outcome:
    return kept(s.self_score, Basis.JUDGEMENT, "主观评分项，保留自评分数（只核对分数范围与可得分值）")



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
        return kept(s.self_score, Basis.UNVERIFIABLE, "表上没有年度预算执行情况（资金来源各行），保留自评分数", ("funds",))
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
        return Outcome(score, Basis.EXACT, note, inputs={"rate": rate, "capped": capped, "base": base, "budget": budget.value,
                                                     "actual": actual.value})
    missing = tuple(k for k, n in ((f"funds.total.{base}", budget), ("funds.total.actual", actual)) if not n.ok)
    if budget.ok and budget.value == 0:
        missing += (f"funds.total.{base}",)
    what = "、".join(EXEC_INPUT_LABELS[k] for k in missing) + "未印出或为 0"
    if printed_rate.ok:
        rate = printed_rate.value
        score = exec_score(s.weight, rate, mode, full_at)
        return Outcome(score, Basis.PROXY, f"{what}，执行率无法复算；按表上印出的执行率 {printed_rate.raw} 计："
                       f"{fmt_score(s.weight)} × {fmt_pct(min(rate, HUNDRED))} = {fmt_score(round_to(score, 2, mode))} 分",
                       missing, inputs={"rate": rate, "capped": rate > HUNDRED, "base": base, "from_printed_rate": True})
    return kept(s.self_score, Basis.UNVERIFIABLE, f"{what}，执行率无法计算，保留自评分数", missing)


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
    bounded = next((w for w in env.rules.text.get("bounded_rates", ()) if w in ind.level3), None)
    for side, fig, raw in (("指标值", target, ind.target), ("实际完成值", actual, ind.actual)):
        if bounded and fig.kind == "number" and fig.unit == "%" and fig.value > HUNDRED:  # "290%" for ≥90%
            return kept(s.self_score, Basis.UNVERIFIABLE, f"{side}“{raw}”超过 100%，{bounded}不可能超过 100%"
                         "（多为“≥”等符号的识别错误），无法读出，保留自评分数", (f"evidence:{ind.level3}",),
                         {**base, "target": target, "actual": actual, "status": "unreadable"})
    info = {**base, "target": target, "actual": actual}
    if coef is not None and known:
        score = w * coef
        return Outcome(score, Basis.EXACT, f"{COEFFICIENT_NOTE}：{fmt_score(w)} × {ind.coefficient.raw} = {fmt_score(score)} 分",
                       inputs={**info, "status": "coefficient", "coefficient": coef})
    if target.kind == "na" and actual.kind in ("na", "blank"):
        return kept(s.self_score, Basis.JUDGEMENT, "本行不适用（表上为“/”）", inputs={**info, "status": "na"})
    if target.kind == "blank":
        return kept(s.self_score, Basis.UNVERIFIABLE, "指标值未填写，无从判断是否完成，保留自评分数",
                     (f"evidence:{ind.level3}",), {**info, "status": "no_target"})
    if target.kind in ("text", "vs_last_year", "several"):
        same = _norm(ind.actual) == _norm(ind.target)
        why = {"text": "定性指标", "vs_last_year": "指标值需与上年比较", "several": "指标值含多个数值"}[target.kind]
        note = f"{why}（指标值“{ind.target}”，实际“{ind.actual or '未填写'}”），按专业判断保留自评分数"
        if same:
            note += "；实际完成值与指标值文字相同，缺少实际情况"
        return kept(s.self_score, Basis.JUDGEMENT, note, inputs={**info, "status": "qualitative", "same_text": same})
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
        return kept(s.self_score, Basis.UNVERIFIABLE, why + "，保留自评分数", (f"evidence:{ind.level3}",), {**info, "status": status})
    if target.kind != "date" and actual.kind not in ("number",):
        why, status = miss[actual.kind]
        return kept(s.self_score, Basis.UNVERIFIABLE, why + "，保留自评分数", (f"evidence:{ind.level3}",), {**info, "status": status})
    lower = env.rules.text.get("lower_is_better", ())
    cmp_, why_cmp = direction(target, ind.nature, ind.level3, lower)
    cost = next((w for w in env.rules.text.get("cost_groups", ()) if w in (ind.level2 or "")), None)
    if not target.cmp and not NATURE_SIGNS.get(_norm(ind.nature)) and cost and _money(target.unit):
        cmp_, why_cmp = "≤", f"{ind.level2}以金额计，越低越好"
    if target.kind == "date":
        met = {"≤": actual.date <= target.date, "<": actual.date < target.date, "=": actual.date <= target.date,
               "≥": actual.date >= target.date, ">": actual.date > target.date}[cmp_]
        info.update(cmp=cmp_, status="met" if met else "missed", ratio=None, late=not met)
        if met:
            return _full(s, known, f"完成时限 {ind.target}，实际 {ind.actual}，按时完成", info)
        return kept(s.self_score, Basis.JUDGEMENT, f"完成时限 {ind.target}，实际 {ind.actual}，未按时完成；"
                     "时限指标不按比例计分，保留自评分数", inputs=info)
    if target.unit and actual.unit and _same_unit(target.unit) != _same_unit(actual.unit):
        return kept(s.self_score, Basis.UNVERIFIABLE, f"指标值单位“{target.unit}”与实际完成值单位“{actual.unit}”不一致，无法比较，保留自评分数",
                     (f"evidence:{ind.level3}",), {**info, "status": "unit_mismatch"})
    met, ratio = completion(target, actual, cmp_)
    what = (f"指标值 {_with_unit(ind.target, ind.unit)}" + (f"（{why_cmp}）" if why_cmp else "")
            + f"，实际 {_with_unit(ind.actual, ind.unit)}")
    info.update(cmp=cmp_, status="met" if met else "missed", ratio=ratio)
    if met:
        return _full(s, known, what + "，已完成", info)
    if ratio is None:
        return kept(s.self_score, Basis.UNVERIFIABLE, what + "，未完成，完成比例无法计算，保留自评分数",
                     (f"evidence:{ind.level3}",), info)
    if env.opts.get("missed_target_scoring", "proportional") == "judgement":
        return kept(s.self_score, Basis.JUDGEMENT, what + f"，未完成（完成比例 {fmt_pct(ratio * HUNDRED)}），按专业判断扣分，保留自评分数",
                     inputs=info)
    if not known:
        return kept(s.self_score, Basis.UNVERIFIABLE, what + f"，未完成（完成比例 {fmt_pct(ratio * HUNDRED)}）；表上没有分值，无法按比例计分",
                     ("weights",), info)
    score = w * ratio
    formula_text = "目标/实际" if cmp_ in ("≤", "<") or (target.kind == "range" and actual.value > target.high) else "实际/目标"
    return Outcome(score, Basis.EXACT, what + f"，未完成：{fmt_score(w)} × {formula_text} {fmt_pct(ratio * HUNDRED)} = {fmt_score(score)} 分",
                   inputs=info)


# Units printed for the same thing: "200万" of a cost beside "195.5万元".
_UNIT_SAME = {"万": "万元"}
_MONEY = frozenset({"万元", "元", "亿元"})


def _same_unit(unit: str) -> str:
    return _UNIT_SAME.get(unit, unit)


def _money(unit: str) -> bool:
    return _same_unit(unit) in _MONEY


def _with_unit(text: str, unit: str) -> str:
    """A printed figure with the unit column's unit when the figure itself has none."""
    return text + (unit if unit and unit not in text else "")


def _full(s: IndicatorScore, known: bool, what: str, info: dict) -> Outcome:
    if not known:
        return kept(s.self_score, Basis.UNVERIFIABLE, what + "；表上没有分值，无法核对是否应得满分，保留自评分数", ("weights",), info)
    return Outcome(s.weight, Basis.EXACT, what + f"，得满分 {fmt_score(s.weight)} 分", inputs=info)

"""Recomputing the scores of a form's score rows, the totals and the grade.

The rows are the rule file's indicators and, where the department writes its own table, every
row it prints (weighted by its printed 分值).

For every indicator of the rule file the form's row is found, and its score is recomputed by
the indicator's formula: ``exact`` (all inputs on the form or supplied), ``proxy`` (an input
stands in for one the form lacks), ``judgement`` (the rule is discretionary: the self score is
kept), ``unverifiable`` (inputs missing: the self score is kept and the missing inputs named)
or ``override`` (an auditor's score from the params file, with its reason).

Where an indicator mixes a mechanical sub-item with judgement sub-items (财务合规性, 政府采购,
公用经费 without 三公 data, 信访 without the channel fact), the judgement part is assumed to be
at most its full points: recomputed = min(self score, judgement points + mechanical part).
"""
from __future__ import annotations

import difflib
from decimal import Decimal

from .formulas import INPUT_LABELS
from .scoretypes import ZERO, Env, IndicatorScore
from ..model import Department, ScoreRow
from .rules import Override, RuleSet, formulas
from ..core.values import fmt_score, norm_label
from ..core.vocab import Basis


# Labels of inputs that are neither supplementary keys nor form fields (missing-input list).
EXTRA_INPUT_LABELS = {
    "satisfaction_rate": "满意度调查结果（%）",
    "budget.initial.total": "年初预算批复·部门支出总金额",
    "budget.adjusted.total": "全年调整后预算数·部门支出总金额",
    "budget.actual.total": "年末执行数·部门支出总金额",
    "profile.on_staff": "年末在编在职人数",
    "profile.other_staff": "年末其他人员人数",
    "tasks": "年度主要任务完成情况",
    "public_line": "基本支出中的“公用经费”行",
    "self_score": "自评分数",
    **INPUT_LABELS,
}


# --- The printed rows that carry scores ------------------------------------------------------
SCORE_BLOCK_LABELS = {"scores": "评分表", "indicators": "绩效指标"}


def score_rows(dept: Department, block: str) -> list[ScoreRow]:
    """The printed score rows of a block, as ``ScoreRow``: the score table itself, or the 绩效指标
    table of families whose indicators carry 分值 and 得分."""
    if block == "indicators":
        return [ScoreRow(i.level1, i.level2, i.level3, i.weight, "", "", i.score) for i in dept.indicators]
    return list(dept.scores)


def funds_row(dept: Department, rule) -> ScoreRow | None:
    """The execution-rate score printed in 年度预算执行情况 (分值, 得分), as a score row."""
    f = dept.funds
    if not f.rows and f.weight.blank and f.score.blank:
        return None
    return ScoreRow(rule.level1, rule.level2, rule.name, f.weight, "", "", f.score)


# --- Matching the form's rows to the rule's indicators ------------------------------------
def match_rows(rows: list[ScoreRow], rules: RuleSet) -> tuple[dict[str, tuple[int, ScoreRow]], list[tuple[int, ScoreRow]]]:
    """{indicator id: (row_no, row)} and the form's rows that match no indicator."""
    matched: dict[str, tuple[int, ScoreRow]] = {}
    left: list[tuple[int, ScoreRow]] = []
    table_named = [r for r in rules.indicators if not r.printed_in]
    for i, row in enumerate(rows, start=1):
        rule = rules.indicator(row.level3)
        if rule is not None and rule.id not in matched and not rule.printed_in:
            matched[rule.id] = (i, row)
        else:
            left.append((i, row))
    # Second pass: close matches for names damaged in extraction.
    extra = []
    for i, row in left:
        free = {norm_label(r.name): r for r in table_named if r.id not in matched}
        hit = difflib.get_close_matches(norm_label(row.level3), list(free), n=1, cutoff=0.8)
        if hit:
            matched[free[hit[0]].id] = (i, row)
        else:
            extra.append((i, row))
    return matched, extra


def table_rule(rules: RuleSet, row_no: int, row: ScoreRow):
    """A rule for a row the department wrote itself: its printed 分值 is its weight."""
    from .rules import IndicatorRule  # the rule dataclass; rules does not import scoring

    return IndicatorRule(
        id=f"row{row_no}", level1=row.level1, level2=row.level2, name=row.level3,
        weight=row.weight.value if row.weight.value is not None else ZERO,
        formula=rules.table_rows.formula, check=None, attainable={"continuous": True}, params={},
    )


def rescore(env: Env, overrides: list[Override] = ()) -> tuple[list[IndicatorScore], list[tuple[int, ScoreRow]]]:
    """One ``IndicatorScore`` per rule indicator (rule order), then one per row the department
    wrote itself when the rule file scores such rows; and the form's rows matching nothing."""
    rules = env.rules
    block = rules.table_rows.block if rules.table_rows else rules.score_block
    where = SCORE_BLOCK_LABELS.get(block, block)
    rows = score_rows(env.dept, block)
    matched, extra = match_rows(rows, rules)
    printed = {rid: row.weight.value for rid, (_, row) in matched.items()}
    unreadable = [rid for rid, w in printed.items() if w is None]
    table_named = [r for r in rules.indicators if not r.printed_in]
    by_override = {o.indicator: o for o in overrides}
    items = rows if block == "indicators" else list(env.dept.scores)
    plan: list[IndicatorScore] = []
    for rule in rules.indicators:
        s = IndicatorScore(rule=rule, weight=rule.weight, where=where)
        if rule.printed_in == "funds":
            s.where = "年度预算执行情况"
            s.row = funds_row(env.dept, rule)
        elif rule.id in matched:
            s.row_no, s.row = matched[rule.id]
            s.item = items[s.row_no - 1]
            if s.row.weight.value is None and len(unreadable) == 1 and len(matched) == len(table_named):
                s.weight_implied = rules.total - sum((w for w in printed.values() if w is not None), ZERO)
        if s.row is not None:
            s.weight_printed = s.row.weight
            s.self_score = s.row.self_score.value
        if rule.weight_from_table:  # the local table's printed 分值 is this indicator's weight
            if s.row is None:
                continue  # a framework indicator this city's table does not print: not part of its total
            s.weight_source = "table"
            s.weight = s.weight_printed.value if s.weight_printed is not None and s.weight_printed.ok else ZERO
        plan.append(s)
    if rules.table_rows is not None:
        for row_no, row in extra:
            s = IndicatorScore(rule=table_rule(rules, row_no, row), row=row, row_no=row_no, where=where,
                               weight_source="table", item=(env.dept.indicators if block == "indicators"
                                                            else env.dept.scores)[row_no - 1])
            s.weight = s.rule.weight
            s.weight_printed = row.weight
            s.self_score = row.self_score.value
            plan.append(s)
        extra = []
    out = []
    for s in plan:
        rule = s.rule
        try:
            o = formulas()[rule.formula](env, s)
            if o.score is not None:
                o.score = max(ZERO, o.score)
                if s.weight_known:  # a recomputed score never exceeds the weight (when one is printed)
                    o.score = min(o.score, s.weight)
            s.engine_score, s.engine_basis, s.note, s.missing, s.inputs = o.score, o.basis, o.note, o.missing, o.inputs
        except Exception as exc:  # a formula that crashes keeps the self score; the check reports it
            s.error = f"{type(exc).__name__}: {exc}"
            s.engine_score, s.engine_basis, s.note = s.self_score, Basis.UNVERIFIABLE, f"复核计算出错：{s.error}"
        if s.self_score is None and s.engine_basis in (Basis.JUDGEMENT, Basis.UNVERIFIABLE):
            s.missing = tuple(dict.fromkeys(s.missing + ("self_score",)))
        s.recomputed, s.basis = s.engine_score, s.engine_basis
        ov = by_override.get(rule.id)
        if ov is not None:
            s.recomputed, s.basis = ov.score, Basis.OVERRIDE
            s.note = (f"审核调整为 {fmt_score(ov.score)} 分（理由：{ov.reason}）；"
                      f"程序复核 {fmt_score(s.engine_score)} 分（{s.engine_basis}）：{s.note}")
        out.append(s)
    return out, extra


# --- Totals and grade --------------------------------------------------------------------------
def totals(scores: list[IndicatorScore], rules: RuleSet) -> dict:
    by: dict[str, dict[str, Decimal]] = {}
    for l1 in dict.fromkeys([s.rule.level1 for s in scores]):
        rows = [s for s in scores if s.rule.level1 == l1]
        unknown = any(not s.weight_known and not s.placeholder for s in rows)  # no 分值 printed: no sum
        by[l1] = {
            "weight": None if unknown else sum((s.weight for s in rows), ZERO),
            "self": sum((s.self_score or ZERO for s in rows), ZERO),
            "recomputed": sum((s.recomputed or ZERO for s in rows), ZERO),
        }
    # A form that prints no score at all has no self total (not 0).
    unscored = all(s.self_score is None for s in scores if s.row is not None)
    return {
        "self": None if unscored else sum((v["self"] for v in by.values()), ZERO),
        "recomputed": sum((v["recomputed"] for v in by.values()), ZERO),
        "by_level1": by,
    }


def grade(total: Decimal, bands: dict[str, Decimal]) -> str:
    """Half-open bands: [优, 100] 优, [良, 优) 良, [中, 良) 中, below 差."""
    for g in ("优", "良", "中"):
        if total >= bands[g]:
            return g
    return "差"

"""DataFrame views of a department's blocks, with the form's column names (JupyterLab, report).

These read the blocks by attribute only (no import of ``blocks``), so the model's dataclasses
can offer them as methods without an import circle.
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

from .labels import (
    BLOCK_LABELS, BUDGET_PARTS, BUDGET_STAGES, FUND_FIELDS, INDICATOR_EXTRA_FIELDS, INDICATOR_FIELDS, LINE_FIELDS,
    SCORE_GROUP_FIELDS, TASK_AMOUNT_PARTS, TASK_FIELDS,
)


def _value(n: Any) -> Any:
    """An exact value, or the printed text when nothing numeric could be read."""
    return n.value if n.value is not None else (n.raw or None)


def budget_frame(dept) -> pd.DataFrame:
    rows = []
    for stage, label in BUDGET_STAGES.items():
        row = getattr(dept.budget, stage)
        rows.append({"口径": label, **{BUDGET_PARTS[p]: getattr(row, p).value for p in BUDGET_PARTS}})
    return pd.DataFrame(rows).set_index("口径")


def lines_frame(lines) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                LINE_FIELDS["no"]: ln.no,
                LINE_FIELDS["name"]: ln.name,
                LINE_FIELDS["budget"]: ln.budget.value,
                LINE_FIELDS["adjusted"]: ln.adjusted.value,
                LINE_FIELDS["actual"]: ln.actual.value,
            }
            for ln in lines
        ],
        columns=list(LINE_FIELDS.values()),
    )


def tasks_frame(dept) -> pd.DataFrame:
    rows = []
    for t in dept.tasks:
        row = {TASK_FIELDS["name"]: t.name, TASK_FIELDS["status"]: t.status}
        for side, label in (("budget", "预算数"), ("actual", "执行数")):
            split = getattr(t, side)
            for part, plabel in TASK_AMOUNT_PARTS.items():
                row[f"{label}·{plabel}"] = getattr(split, part).value
        row[TASK_FIELDS["content"]] = t.content
        rows.append(row)
    return pd.DataFrame(rows)


def indicators_frame(dept) -> pd.DataFrame:
    rows = []
    for i in dept.indicators:
        row = {INDICATOR_FIELDS[k]: getattr(i, k) for k in INDICATOR_FIELDS}
        for k, label in INDICATOR_EXTRA_FIELDS.items():
            v = getattr(i, k)
            row[label] = v.raw if hasattr(v, "raw") else v
        rows.append(row)
    df = pd.DataFrame(rows)
    # Columns the form does not print (every cell blank) are left out.
    return df.loc[:, [c for c in df.columns if df[c].astype(str).str.strip().ne("").any()]] if len(df) else df


def scores_frame(dept) -> pd.DataFrame:
    rows = []
    for s in dept.scores:
        rows.append(
            {
                "一级指标": s.level1,
                "二级指标": s.level2,
                "三级指标": s.level3,
                "分数": s.weight.value,
                "分数（原文）": s.weight.raw,
                "自评分数": s.self_score.value,
                "自评分数（原文）": s.self_score.raw,
            }
        )
    return pd.DataFrame(rows)


def funds_frame(dept) -> pd.DataFrame:
    return pd.DataFrame(
        [{FUND_FIELDS[k]: (_value(getattr(r, k)) if k != "source" else r.source) for k in FUND_FIELDS}
         for r in dept.funds.rows],
        columns=list(FUND_FIELDS.values()),
    )


def score_groups_frame(dept) -> pd.DataFrame:
    return pd.DataFrame(
        [{SCORE_GROUP_FIELDS["level"]: g.level, SCORE_GROUP_FIELDS["name"]: g.name,
          SCORE_GROUP_FIELDS["parent"]: g.parent, SCORE_GROUP_FIELDS["weight"]: _value(g.weight),
          SCORE_GROUP_FIELDS["self_score"]: _value(g.self_score)} for g in dept.score_groups],
        columns=list(SCORE_GROUP_FIELDS.values()),
    )


def narrative_frame(dept) -> pd.DataFrame:
    return pd.DataFrame([{"部分": s.part, "标题": s.title, "内容": s.text} for s in dept.narrative.sections])


def load_findings_frame(dept) -> pd.DataFrame:
    cols = ["级别", "位置", "行", "字段", "原文", "说明"]
    return pd.DataFrame(
        [[f.severity, f.block, f.row, f.field, f.raw, f.message] for f in dept.load_findings], columns=cols
    )


def all_frames(dept) -> dict[str, pd.DataFrame]:
    """Every block that holds something, keyed by its Chinese name, plus the load findings."""
    present = dept.present_blocks()
    makers = {
        "budget": lambda: budget_frame(dept),
        "basic_lines": lambda: lines_frame(dept.basic_lines),
        "project_lines": lambda: lines_frame(dept.project_lines),
        "transfer_lines": lambda: lines_frame(dept.transfer_lines),
        "tasks": lambda: tasks_frame(dept),
        "funds": lambda: funds_frame(dept),
        "indicators": lambda: indicators_frame(dept),
        "score_groups": lambda: score_groups_frame(dept),
        "scores": lambda: scores_frame(dept),
        "narrative": lambda: narrative_frame(dept),
    }
    out = {BLOCK_LABELS[k]: make() for k, make in makers.items() if k in present}
    out["加载提示"] = load_findings_frame(dept)
    return out


def _fmt(n) -> str:
    return f"{n.value:,.2f}" if n.value is not None else n.raw or "—"


def department_html(dept) -> str:
    """A short summary for JupyterLab's rich display."""
    e = html.escape
    present = dept.present_blocks()
    parts = [f"<h3>{e(dept.name)}（部门编码 {e(dept.code)}，{dept.year} 年度）</h3>"]
    if "budget" in present:
        b = dept.budget
        parts.append(f"<p>年初预算 {e(_fmt(b.initial.total))} 元；调整后预算 {e(_fmt(b.adjusted.total))} 元；"
                     f"年末执行 {e(_fmt(b.actual.total))} 元。</p>")
    counts = [(BLOCK_LABELS[k], len(getattr(dept, k))) for k in ("tasks", "indicators", "scores", "score_groups")
              if k in present]
    parts.append("<p>" + "，".join(f"{label} {n} 行" for label, n in counts)
                 + f"，加载提示 {len(dept.load_findings)} 条。</p>")
    if "budget" in present:
        parts.append(budget_frame(dept).to_html())
    elif "funds" in present:
        parts.append(funds_frame(dept).to_html(index=False))
    parts.append("<p>各部分数据：<code>dept.frames()</code></p>")
    return "".join(parts)

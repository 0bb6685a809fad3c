# The report's charts as drawn before (constrained layout, one bar call per bar): the "before" of
# benchmarks/runtime.py --charts. Not used by the kit.
"""The report's charts: functions taking the department or the audit result, returning figures.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot state, nothing leaks between
calls) and turned into PNG bytes by ``figure_png`` at a fixed dpi with no software or date
metadata, so the same inputs give byte-identical images (matplotlib #23693). Money is Decimal
in the kit; charts are the one place where it becomes float.
"""
from __future__ import annotations

import io
from decimal import Decimal

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.text import Text

from kit.model import BUDGET_STAGES, Department
from kit.core.text import for_terminal
from kit.report.fonts import setup_fonts

DPI = 110
WAN = Decimal(10000)
# A sober palette that survives greyscale printing (dark, mid, light).
COLOURS = {"initial": "#9db4cf", "adjusted": "#3f6e9e", "actual": "#c9822b"}
SELF_COLOUR = "#3f6e9e"
RECOMPUTED_COLOUR = "#c9822b"
WEIGHT_COLOUR = "#e3e7ec"


# The execution-rate panel's scale; a rate beyond it (a 1 元 budget spent 360,000 元) is drawn at
# the edge with its value written, never placed off the canvas (that overflowed the rasteriser).
RATE_AXIS_MAX = 130.0
# Rows drawn in the task chart; a longer list would make an image beyond what can be rasterised.
MAX_TASK_ROWS = 60


def plain(text: str) -> str:
    """Department text for a label, drawn as written: '$' would start matplotlib's math text.

    An escaped dollar (``\\$``) is shown as '$' and stops a pair of dollars being read as math;
    nothing else in non-math text is interpreted (LaTeX is switched off in ``figure_png``).
    Controls and bidi marks are drawn as visible escapes, as in the tables.
    """
    return for_terminal(str(text)).replace("$", "\\$")


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float(value / WAN)


def _fmt_wan(x: float) -> str:
    return f"{x:,.2f}"


def _new_figure(width: float, height: float) -> Figure:
    setup_fonts()
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig


def _short(text: str, limit: int = 16) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def budget_chart(dept: Department) -> Figure:
    """年初预算 / 调整后预算 / 执行数 for 基本支出, 项目支出 and 合计 (万元), as horizontal bars."""
    parts = (("total", "部门支出合计"), ("basic", "基本支出"), ("project", "项目支出"))
    fig = _new_figure(8.0, 3.6)
    ax = fig.add_subplot()
    h = 0.26
    top = bottom = 0.0
    for i, (stage, label) in enumerate(BUDGET_STAGES.items()):
        row = getattr(dept.budget, stage)
        for j, (part, _plabel) in enumerate(parts):
            v = _wan(getattr(row, part).value)
            y = j + (i - 1) * h
            if v is None:
                ax.text(0, y, " 无数值", va="center", fontsize=8)
                continue
            top, bottom = max(top, v), min(bottom, v)
            ax.barh(y, v, h * 0.92, color=COLOURS[stage], label=label if j == 0 else None)
            # A negative amount's label ends at its bar's end, inside the axis (the limits below).
            ax.text(v, y, f" {_fmt_wan(v)}" if v >= 0 else f"{_fmt_wan(v)} ", va="center", fontsize=7.5,
                    ha="left" if v >= 0 else "right")
    ax.set_yticks(range(len(parts)), [p[1] for p in parts])
    ax.invert_yaxis()
    ax.set_xlim(bottom * 1.22 if bottom < 0 else 0, top * 1.22 if top > 0 else 1)
    ax.set_xlabel("金额（万元）")
    ax.set_title("部门预算：年初批复、调整后与年末执行", fontsize=10)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}")
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def tasks_chart(dept: Department) -> Figure:
    """Per 年度主要任务: 预算数 vs 执行数 (万元, log scale) and the execution rate."""
    tasks = list(dept.tasks)[:MAX_TASK_ROWS]
    n = max(len(tasks), 1)
    fig = _new_figure(9.0, 1.2 + 0.38 * n)
    ax, ax_rate = fig.subplots(1, 2, sharey=True, width_ratios=[3, 1.3])
    names = [f"{i + 1}. {plain(_short(t.name))}" for i, t in enumerate(tasks)]
    ys = list(range(len(tasks)))
    h = 0.38
    for y, t in zip(ys, tasks):
        b, a = _wan(t.budget.total.value), _wan(t.actual.total.value)
        if b is not None and b > 0:
            ax.barh(y - h / 2, b, h, color=COLOURS["adjusted"], label="预算数" if y == 0 else None)
        if a is not None and a > 0:
            ax.barh(y + h / 2, a, h, color=COLOURS["actual"], label="执行数" if y == 0 else None)
        if b and a is not None and t.budget.total.value:
            rate = float(t.actual.total.value / t.budget.total.value * 100)
            shown = min(max(rate, 0.0), RATE_AXIS_MAX)
            ax_rate.barh(y, shown, 0.6, color=COLOURS["adjusted"] if abs(rate - 100) < 0.005 else "#b5462f")
            beyond = rate > RATE_AXIS_MAX
            ax_rate.text(shown, y, f"{rate:,.2f}% " if beyond else f" {rate:,.2f}%", va="center", fontsize=7,
                         ha="right" if beyond else "left", color="white" if beyond else "black")
        else:
            ax_rate.text(0, y, " 无法计算", va="center", fontsize=7)
    ax.set_xscale("log")
    ax.set_yticks(ys, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("金额（万元，对数刻度）")
    more = len(dept.tasks) - len(tasks)
    ax.set_title("年度主要任务：预算数与执行数" + (f"（仅列前 {len(tasks)} 项，另有 {more} 项见上表）" if more > 0 else ""),
                 fontsize=10)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}")
    ax_rate.axvline(100, color="#555555", lw=0.8, ls="--")
    ax_rate.set_xlim(0, 130)
    ax_rate.set_xlabel("执行率（%）")
    ax_rate.set_title("执行率", fontsize=10)
    for a_ in (ax, ax_rate):
        a_.spines[["top", "right"]].set_visible(False)
    return fig


def scores_chart(audit_or_scores) -> Figure:
    """Per 三级指标: 分数 (weight), 自评分数 and 复核分数; rows that cannot be recomputed are marked."""
    scores: pd.DataFrame = getattr(audit_or_scores, "scores", audit_or_scores)
    n = max(len(scores), 1)
    fig = _new_figure(9.0, 1.3 + 0.3 * n)
    ax = fig.add_subplot()
    ys = list(range(len(scores)))
    labels = []
    for y, row in zip(ys, scores.itertuples(index=False)):
        labels.append(plain(_short(str(row.indicator), 14)))
        w = None if row.weight is None or pd.isna(row.weight) else float(row.weight)
        s = None if row.self_score is None or pd.isna(row.self_score) else float(row.self_score)
        r = None if row.recomputed_score is None or pd.isna(row.recomputed_score) else float(row.recomputed_score)
        if w is not None:
            ax.barh(y, w, 0.8, color=WEIGHT_COLOUR, label="分数（权重）" if y == 0 else None)
        if s is not None:
            ax.barh(y - 0.15, s, 0.3, color=SELF_COLOUR, label="自评分数" if y == 0 else None)
        if r is not None:
            ax.barh(y + 0.15, r, 0.3, color=RECOMPUTED_COLOUR, label="复核分数" if y == 0 else None)
        else:
            ax.text(0.1, y + 0.15, "无法复核", va="center", fontsize=7, color="#7a2f1f")
    ax.set_yticks(ys, labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("分值")
    ax.set_title("评分复核：各三级指标的分数、自评分数与复核分数", fontsize=10)
    ax.legend(loc="lower right", frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def figure_png(fig: Figure) -> bytes:
    """PNG bytes at a fixed dpi without the Software tag: the same figure gives the same bytes."""
    buf = io.BytesIO()
    # Labels are plain text even under a matplotlibrc with text.usetex: LaTeX would read
    # department text ('%', '_', '#', '\\') as markup. Ticks made while drawing follow the rc.
    for text in fig.findobj(Text):
        text.set_usetex(False)
    with matplotlib.rc_context({"text.usetex": False}):
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    return buf.getvalue()

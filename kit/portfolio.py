"""The batch index page: every department of a batch, from its ``manifest.json``.

``notebooks/portfolio.ipynb`` calls these functions; an auditor can run it over any manifest.
Everything a department wrote (names, error texts) is escaped by ``kit.report.tables``.
"""
from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from .report import tables as t
from .vocab import FailureKind
from .report.charts import RECOMPUTED_COLOUR, SELF_COLOUR, _new_figure, figure_png

STATUS_LABELS = {"ok": "已生成", **{kind.value: kind.label for kind in FailureKind}}
SEVERITY_KEYS = ("error", "warning", "info")


def load_manifest(path: str | Path) -> pd.DataFrame:
    """The manifest's rows as a DataFrame (one row per department, sorted by code)."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    df = pd.DataFrame(doc.get("departments", []))
    if df.empty:
        return df
    return df.sort_values("dept_code").reset_index(drop=True)


def _dec(value) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def summary(df: pd.DataFrame) -> str:
    """Counts by status and by recomputed grade."""
    if df.empty:
        return t.note("本批次没有部门。", "warn")
    status = Counter(df["status"])
    grades = Counter(g for g in df.get("recomputed_grade", []) if g)
    changed = sum(
        1 for a, b in zip(df.get("self_grade", []), df.get("recomputed_grade", [])) if a and b and a != b
    )
    rows = [[STATUS_LABELS.get(k, k), status.get(k, 0)] for k in STATUS_LABELS if status.get(k)]
    rows += [[f"复核等级：{g}", grades.get(g, 0)] for g in ("优", "良", "中", "差") if grades.get(g)]
    rows.append(["复核后等级变化的部门", changed])
    return t.table(rows, ["项目", "部门数"], numeric=[1], caption=f"本批次共 {len(df)} 个部门")


def departments_table(df: pd.DataFrame) -> str:
    """One line per department with totals, grade change, findings and a link to its report."""
    rows, classes = [], []
    for r in df.itertuples(index=False):
        findings = r.findings if isinstance(r.findings, dict) else {}
        s, c = _dec(r.self_total), _dec(r.recomputed_total)
        diff = "" if s is None or c is None else t.score(c - s)
        link = (
            t.Raw(f'<a href="{t.esc(r.report)}">{t.esc(r.dept_code)}</a>') if r.report else t.esc(r.dept_code)
        )
        grade = f"{r.self_grade or '—'} → {r.recomputed_grade or '—'}" if r.self_grade or r.recomputed_grade else "—"
        rows.append([
            link,
            r.name or "—",
            t.badge("pass" if r.status == "ok" else "fail", STATUS_LABELS.get(r.status, r.status)),
            t.score(s) if s is not None else "—",
            t.score(c) if c is not None else "—",
            diff or "—",
            grade,
            *(findings.get(k, 0) for k in SEVERITY_KEYS),
        ])
        classes.append("" if r.status == "ok" else "kit-row-fail")
    return t.table(
        rows,
        ["部门编码", "部门名称", "状态", "自评总分", "复核总分", "差异", "等级（自评→复核）", "错误", "警告", "提示"],
        numeric=[3, 4, 5, 7, 8, 9],
        row_classes=classes,
    )


def score_change_chart(df: pd.DataFrame) -> Figure | None:
    """Distribution of (复核总分 − 自评总分) across departments."""
    diffs = [
        float(c - s)
        for s, c in ((_dec(a), _dec(b)) for a, b in zip(df.get("self_total", []), df.get("recomputed_total", [])))
        if s is not None and c is not None
    ]
    if not diffs:
        return None
    fig = _new_figure(7.5, 3.0)
    ax = fig.add_subplot()
    lo, hi = min(diffs + [0.0]), max(diffs + [0.0])
    bins = max(5, min(30, len(set(diffs))))
    ax.hist(diffs, bins=bins, range=(lo - 0.5, hi + 0.5), color=SELF_COLOUR)
    ax.axvline(0, color=RECOMPUTED_COLOUR, lw=1)
    ax.set_xlabel("复核总分 − 自评总分（分）")
    ax.set_ylabel("部门数")
    ax.set_title("复核后分数变化的分布", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def failing_checks(df: pd.DataFrame) -> list[tuple[str, int]]:
    """(check id and title, number of departments failing it), most frequent first."""
    counter: Counter = Counter()
    for checks in df.get("failing_checks", []):
        if isinstance(checks, list):
            counter.update(set(checks))
    return counter.most_common()


def failing_checks_chart(df: pd.DataFrame, top: int = 12) -> Figure | None:
    most = failing_checks(df)[:top]
    if not most:
        return None
    fig = _new_figure(7.5, 1.0 + 0.3 * len(most))
    ax = fig.add_subplot()
    labels = [label if len(label) <= 22 else label[:21] + "…" for label, _ in most]
    ax.barh(range(len(most)), [n for _, n in most], color=RECOMPUTED_COLOUR)
    ax.set_yticks(range(len(most)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("不符的部门数")
    ax.set_title("最常见的不符检查", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def chart(fig: Figure | None, alt: str) -> str:
    return t.note("没有可绘制的数据。") if fig is None else t.figure(figure_png(fig), alt)


def failures_table(df: pd.DataFrame) -> str:
    bad = df[df["status"] != "ok"] if not df.empty else df
    if bad.empty:
        return t.note("所有部门均已生成报告。", "ok")
    return t.table(
        [
            [r.dept_code, r.name or "—", STATUS_LABELS.get(r.status, r.status), t.text_block(r.error or "")]
            for r in bad.itertuples(index=False)
        ],
        ["部门编码", "部门名称", "状态", "原因"],
    )


def failing_checks_table(df: pd.DataFrame) -> str:
    most = failing_checks(df)
    if not most:
        return t.note("没有不符的检查。", "ok")
    return t.table([[label, n] for label, n in most], ["检查", "不符的部门数"], numeric=[1])

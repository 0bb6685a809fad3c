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

from ..report import tables as t
from ..report.charts import RECOMPUTED_COLOUR, SELF_COLOUR, _new_figure, figure_png
from ..core.vocab import ReviewStatus, RunStatus

STATUS_LABELS = RunStatus.labels()
SEVERITY_KEYS = ("error", "warning", "info")


def load_manifest(path: str | Path) -> pd.DataFrame:
    """The manifest's rows as a DataFrame (one row per department, riskiest first), with each
    department's counts taken from its own audit JSON beside the manifest.

    The counts are computed by ``kit.engine.audit.summarise`` from the same JSON the department's
    report was built from (when it was rendered, into its manifest row; or here, for a row an
    older kit wrote), so the index and every report show the same numbers (problems by severity,
    无法核实, 格式与解析说明, points that could not be re-checked).
    """
    path = Path(path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    df = pd.DataFrame(doc.get("departments", []))
    if df.empty:
        return df
    extra = [_department_counts(path.parent, r) for r in df.to_dict("records")]
    # The rows' own points and review_status are in the counts now (one column each).
    df = df.drop(columns=[c for c in ("points", "review_status") if c in df.columns])
    df = pd.concat([df.reset_index(drop=True), pd.DataFrame(extra)], axis=1)
    return order_by_risk(df)


COUNT_COLUMNS = ("errors", "warnings", "infos", "unverifiable", "format_notes", "points_unverifiable",
                 "points_rechecked", "points_total", "review_status", "diff", "decided", "pending", "rectified")


def _department_counts(folder: Path, row: dict) -> dict:
    """Counts of one department (absent when its report failed): from its manifest row, which
    ``kit render`` fills from the same ``summarise`` of the same JSON; from ``<code>.json`` for a
    row written by a kit that did not record them."""
    empty = dict.fromkeys(COUNT_COLUMNS)
    if row.get("status") != RunStatus.OK:
        return empty
    try:
        counts = _recorded_counts(row) if row.get("points") and row.get("review_status") else _json_counts(folder, row)
    except (OSError, ValueError, KeyError, TypeError, ArithmeticError):
        return empty
    s, c = _dec(row.get("self_total")), _dec(row.get("recomputed_total"))
    review = counts.pop("review")
    return {
        **counts, "diff": None if s is None or c is None else c - s,
        # The reviewer's progress on the problems (the review file, kit.engine.review)
        "decided": sum(v for k, v in review.items() if k != "pending"), "pending": review["pending"],
        "rectified": review["rectified"],
    }


def _recorded_counts(row: dict) -> dict:
    f, p = row["findings"], row["points"]
    return {
        "errors": f["error"], "warnings": f["warning"], "infos": f["info"], "unverifiable": f["unverifiable"],
        "format_notes": f["format"], "points_unverifiable": Decimal(p["unverifiable"]),
        "points_rechecked": Decimal(p["rechecked"]), "points_total": Decimal(p["total"]),
        "review_status": row["review_status"],
        "review": {k[len("review_"):]: v for k, v in f.items() if k.startswith("review_")},
    }


def _json_counts(folder: Path, row: dict) -> dict:
    from ..engine.audit import summarise

    doc = json.loads((folder / f"{row['dept_code']}.json").read_text(encoding="utf-8"))
    sm = summarise(doc.get("findings", []), doc.get("scores", []), doc.get("missing_inputs", []))
    return {
        "errors": sm["problems"]["error"], "warnings": sm["problems"]["warning"], "infos": sm["problems"]["info"],
        "unverifiable": sm["unverifiable"], "format_notes": sm["format"],
        "points_unverifiable": sm["points"]["unverifiable"], "points_rechecked": sm["points_rechecked"],
        "points_total": sm["points_total"], "review_status": sm["status_label"], "review": sm["review"],
    }


SORTS = {  # key -> (label, sort key of a row): the first is the default
    "risk": ("风险（默认）", lambda r: (r["status"] == RunStatus.OK, _num(r["diff"]), -_num(r["errors"]),
                                        -_num(r["points_unverifiable"]), -_num(r["warnings"]), r["dept_code"])),
    "diff": ("复核−自评（降分多的在前）", lambda r: (_num(r["diff"], 10 ** 6), r["dept_code"])),
    "errors": ("错误数", lambda r: (-_num(r["errors"]), r["dept_code"])),
    "unverifiable": ("无法复核的分数", lambda r: (-_num(r["points_unverifiable"]), r["dept_code"])),
    "code": ("部门编码", lambda r: (r["dept_code"],)),
}


def _num(v, missing=0):
    if v is None or (isinstance(v, float) and v != v):
        return Decimal(missing)
    return Decimal(str(v))


def order_by_risk(df: pd.DataFrame) -> pd.DataFrame:
    """Failed departments first, then the largest score cut, most errors, most points unverifiable."""
    if df.empty:
        return df
    recs = sorted(df.to_dict("records"), key=SORTS["risk"][1])
    return pd.DataFrame(recs, columns=df.columns).reset_index(drop=True)


def _dec(value) -> Decimal | None:
    """A figure of the manifest, or None when absent (None, '', or pandas' NaN for a missing cell)."""
    try:
        d = None if value is None or value == "" else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return None if d is None or not d.is_finite() else d


def summary(df: pd.DataFrame) -> str:
    """Counts by generation status, by review status and recomputed grade, and findings in all."""
    if df.empty:
        return t.note("本批次没有部门。", "warn")
    status = Counter(df["status"])
    grades = Counter(g for g in df.get("recomputed_grade", []) if g)
    review = Counter(x for x in df.get("review_status", []) if isinstance(x, str))
    changed = sum(
        1 for a, b in zip(df.get("self_grade", []), df.get("recomputed_grade", [])) if a and b and a != b
    )
    rows = [[STATUS_LABELS.get(k, k), status.get(k, 0)] for k in STATUS_LABELS if status.get(k)]
    rows += [[f"复核状态：{k}", review[k]] for k in (s.label for s in ReviewStatus) if review.get(k)]
    rows += [[f"复核等级：{g}", grades.get(g, 0)] for g in ("优", "良", "中", "差") if grades.get(g)]
    rows.append(["复核后等级变化的部门", changed])
    totals = [[label, int(sum(_num(v) for v in df[col]))] for col, label in
              (("errors", "问题·错误"), ("warnings", "问题·警告"), ("infos", "问题·提示"), ("unverifiable", "无法核实"),
               ("format_notes", "格式与解析说明"))]
    return (t.table(rows, ["项目", "部门数"], numeric=[1], caption=f"本批次共 {len(df)} 个部门")
            + t.table(totals, ["检查结果", "条数（各部门合计）"], numeric=[1], caption="各部门报告中的检查结果合计"))


# A batch larger than this lists its riskiest PAGE_ROWS departments on the index page and every
# department on pages of PAGE_ROWS by code (departments-001.html …) and in departments.csv: the
# index of 10,000 departments stays a page a browser opens at once (no 9 MB table).
PAGE_ROWS = 500
LIST_CSV = "departments.csv"
LIST_HEADER = ["部门编码", "部门名称", "生成状态", "复核状态", "自评总分", "复核总分", "差异（复核−自评）",
               "等级（自评→复核）", "错误", "警告", "提示", "无法核实", "无法复核分数", "格式说明", "已决定", "待定"]


def list_page_name(k: int) -> str:
    """The file of the k-th page (1-based) of the list of every department, by code."""
    return f"departments-{k:03d}.html"


def _by_code(df: pd.DataFrame) -> list[dict]:
    return sorted(df.to_dict("records"), key=lambda r: r["dept_code"])


def _paging_note(df: pd.DataFrame) -> str:
    recs = _by_code(df)
    links = []
    for k in range(0, len(recs), PAGE_ROWS):
        chunk = recs[k:k + PAGE_ROWS]
        name = list_page_name(k // PAGE_ROWS + 1)
        links.append(f'<a href="{t.esc(name)}">{t.esc(chunk[0]["dept_code"])}–{t.esc(chunk[-1]["dept_code"])}</a>')
    return (f'<p class="kit-note kit-note-info">本批次共 {len(df):,} 个部门：下表列出风险最高的 {PAGE_ROWS} 个（可按其他口径重新排序）。'
            f'全部部门按部门编码分页列出（每页 {PAGE_ROWS} 个，可用浏览器的“查找”搜索部门编码或名称）：{"、".join(links)}；'
            f'全部部门的同一表格也写入 <a href="{LIST_CSV}">{LIST_CSV}</a>（可用 Excel 打开、筛选）。</p>')


def _cells(r: dict) -> list:
    s, c = _dec(r.get("self_total")), _dec(r.get("recomputed_total"))
    link = t.Raw(f'<a href="{t.esc(r["report"])}">{t.esc(r["dept_code"])}</a>') if r.get("report") else r["dept_code"]
    grade = (f"{r.get('self_grade') or '—'} → {r.get('recomputed_grade') or '—'}"
             if r.get("self_grade") or r.get("recomputed_grade") else "—")
    review = r.get("review_status") if isinstance(r.get("review_status"), str) else None
    return [
        link, r.get("name") or "—",
        t.badge("pass" if r["status"] == RunStatus.OK else "fail", STATUS_LABELS.get(r["status"], r["status"])),
        t.badge("pass" if review == ReviewStatus.COMPLETE.label else "unverifiable", review) if review else "—",
        t.score(s) if s is not None else "—", t.score(c) if c is not None else "—",
        _signed(r.get("diff")), grade,
        *(_count(r.get(k)) for k in ("errors", "warnings", "infos", "unverifiable")),
        t.score(r["points_unverifiable"]) if r.get("points_unverifiable") is not None else "—",
        _count(r.get("format_notes")), _count(r.get("decided")), _count(r.get("pending")),
    ]


def write_department_lists(df: pd.DataFrame, folder: str | Path = ".") -> list[Path]:
    """For a batch of more than ``PAGE_ROWS`` departments: every department on pages of
    ``PAGE_ROWS`` by code and in ``departments.csv`` (UTF-8 with BOM, for Excel). Nothing for a
    smaller batch (its index page lists them all). Returns the files written."""
    import csv
    import io

    from .rendering import write_atomic

    folder = Path(folder)
    if len(df) <= PAGE_ROWS:
        return []
    recs = _by_code(df)
    css = "\n".join((Path(__file__).resolve().parents[1] / "templates" / "kit_report" / "static" / n).read_text(encoding="utf-8")
                    for n in ("kit.css", "components.css"))
    written = []
    pages = (len(recs) + PAGE_ROWS - 1) // PAGE_ROWS
    for k in range(pages):
        chunk = recs[k * PAGE_ROWS:(k + 1) * PAGE_ROWS]
        nav = " ".join(f'<a href="{list_page_name(i + 1)}">{i + 1}</a>' if i != k else f"<strong>{i + 1}</strong>"
                       for i in range(pages))
        body = t.table([_cells(r) for r in chunk], LIST_HEADER, numeric=range(4, 16),
                       row_classes=["" if r["status"] == RunStatus.OK else "kit-row-fail" for r in chunk],
                       caption=f"全部部门（按部门编码）第 {k + 1}/{pages} 页：{chunk[0]['dept_code']}–{chunk[-1]['dept_code']}",
                       col_classes=["kit-code", "kit-w-name"])
        page = (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><meta name="generator" content="kit">'
                f"<title>批量汇总 · 全部部门 第 {k + 1} 页</title><style>{css}</style></head>"
                f'<body class="kit-report kit-portfolio-page"><main><div class="kit-out">'
                f'<p><a href="index.html">返回汇总页</a> · <a href="{LIST_CSV}">{LIST_CSV}</a> · 页：{nav}</p>'
                f"{body}</div></main></body></html>\n")
        path = folder / list_page_name(k + 1)
        write_atomic(path, page.encode("utf-8"))
        written.append(path)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["部门编码", "部门名称", "生成状态", "复核状态", "自评总分", "复核总分", "差异（复核−自评）", "自评等级", "复核等级",
                "错误", "警告", "提示", "无法核实", "无法复核分数", "格式说明", "已决定", "待定", "报告"])
    for r in recs:
        w.writerow([_csv(v) for v in (r["dept_code"], r.get("name"), STATUS_LABELS.get(r["status"], r["status"]),
                    r.get("review_status"), r.get("self_total"), r.get("recomputed_total"), r.get("diff"),
                    r.get("self_grade"), r.get("recomputed_grade"), r.get("errors"), r.get("warnings"), r.get("infos"),
                    r.get("unverifiable"), r.get("points_unverifiable"), r.get("format_notes"), r.get("decided"),
                    r.get("pending"), r.get("report"))])
    write_atomic(folder / LIST_CSV, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    written.append(folder / LIST_CSV)
    return written


def _csv(v) -> str:
    """A cell of the CSV: empty for a missing value; text that a spreadsheet would read as a
    formula (=, +, -, @ first) is prefixed with an apostrophe."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    text = str(v)
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except (InvalidOperation, ValueError):
        return False


def departments_table(df: pd.DataFrame) -> str:
    """One line per department, riskiest first, re-sortable without scripts (CSS radio buttons).

    The counts are those of each department's report (``load_manifest``). Beyond ``PAGE_ROWS``
    departments, the riskiest ``PAGE_ROWS`` are listed here and every department on the pages
    ``write_department_lists`` writes.
    """
    if df.empty:
        return t.note("本批次没有部门。")
    paging = ""
    if len(df) > PAGE_ROWS:
        paging = _paging_note(df)
        df = df.head(PAGE_ROWS)
    recs = df.to_dict("records")
    ranks = {key: {r["dept_code"]: i for i, r in enumerate(sorted(recs, key=fn), 1)} for key, (_, fn) in SORTS.items()}
    rows, classes, styles = [], [], []
    for r in recs:
        rows.append(_cells(r))
        classes.append("" if r["status"] == RunStatus.OK else "kit-row-fail")
        styles.append(";".join(f"--kit-o-{key}:{ranks[key][r['dept_code']]}" for key in SORTS))
    header = LIST_HEADER
    # The rank of every ordering rides on each row; the checked radio button picks one (no script).
    # A long code wraps inside its cell instead of running over the name beside it.
    table = t.table(rows, header, numeric=range(4, 16), row_classes=classes, cls="kit-sort-table",
                    caption="各部门（问题数与各部门报告一致；已决定、待定为复核人员对问题的决定）",
                    col_classes=["kit-code", "kit-w-name"], row_styles=styles)
    radios = "".join(f'<input type="radio" name="kit-sort" id="kit-sort-{key}" class="kit-sort-{key}"'
                     f'{" checked" if i == 0 else ""}>' for i, key in enumerate(SORTS))
    labels = "".join(f'<label for="kit-sort-{key}">{t.esc(label)}</label>' for key, (label, _) in SORTS.items())
    return f'{paging}<div class="kit-sortable">{radios}<p class="kit-sort-bar">排序：{labels}</p>{table}</div>'


def _count(v) -> str:
    return "—" if v is None or (isinstance(v, float) and v != v) else str(int(v))


def _signed(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    d = Decimal(str(v))
    return ("+" if d > 0 else "") + t.score(d) if d != 0 else "0"


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


def failing_checks(df: pd.DataFrame, format_notes: bool = False) -> list[tuple[str, int]]:
    """(check id and title, number of departments failing it), most frequent first: the problems,
    or (``format_notes=True``) the notes on the printed form's format, which are not problems."""
    from ..engine.audit import FORMAT_CHECKS

    counter: Counter = Counter()
    for checks in df.get("failing_checks", []):
        if isinstance(checks, list):
            counter.update({c for c in checks if (c.split(" ", 1)[0] in FORMAT_CHECKS) == format_notes})
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
    bad = df[df["status"] != RunStatus.OK] if not df.empty else df
    if bad.empty:
        return t.note("所有部门均已生成报告。", "ok")
    more = ""
    if len(bad) > PAGE_ROWS:
        more = t.note(f"共 {len(bad):,} 个部门生成失败，此处列出前 {PAGE_ROWS} 个；全部见 {LIST_CSV}（生成状态一栏）。", "warn")
        bad = bad.head(PAGE_ROWS)
    return more + t.table(
        [
            [r.dept_code, r.name or "—", STATUS_LABELS.get(r.status, r.status), t.text_block(r.error or "")]
            for r in bad.itertuples(index=False)
        ],
        ["部门编码", "部门名称", "状态", "原因"],
    )


def failing_checks_table(df: pd.DataFrame) -> str:
    most = failing_checks(df)
    notes = failing_checks(df, format_notes=True)
    parts = [t.table([[label, n] for label, n in most], ["检查", "不符的部门数"], numeric=[1], caption="问题")
             if most else t.note("没有不符的检查。", "ok")]
    if notes:
        parts.append(t.table([[label, n] for label, n in notes], ["检查", "部门数"], numeric=[1],
                             caption="格式与解析说明（表上印刷或提取的问题，不是问题）"))
    return "".join(parts)


def refused_table(manifest_file: str | Path) -> str:
    """The files of the batch's parameter folders that were not read as departments, with why
    (the manifest's ``refused``, from ``kit.run.batch.collect_params``)."""
    try:
        refused = json.loads(Path(manifest_file).read_text(encoding="utf-8")).get("refused") or []
    except (OSError, ValueError, AttributeError):
        refused = []
    rows = [[r.get("file", ""), r.get("reason", "")] for r in refused if isinstance(r, dict)]
    if not rows:
        return t.note("所给参数文件夹中的文件均已读取（隐藏文件和与参数文件同名的复核文件除外）。", "ok")
    return t.table(rows, ["文件", "原因"], caption=f"未作为部门读取的文件 {len(rows)} 个")

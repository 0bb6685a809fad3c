"""Excel workbooks: a fill-in template for departments, and lossless reading and writing.

One sheet per block of the form, headed with the form's own terms. Every data cell is a
text cell (number format ``@``) holding the value exactly as printed, so Excel keeps
``"022006"`` and ``"1978799355.27"``. Reading accepts what Excel does to a workbook a person
filled in (numbers typed into General cells, merged cells, percent formats) and reports
everything it cannot accept -- formulas, dates in amount cells, missing or unknown sheets and
columns -- together, naming the sheet, row and column.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import os
import re
import tempfile
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import KitError, LoadError, Problem
from .intake import build
from .safeio import read_bounded
from .xlsxguard import MAX_CELLS, MAX_UNZIPPED_BYTES, check_archive  # noqa: F401 (limits re-exported)
from .model import (
    BLOCK_LABELS,
    BUDGET_PARTS,
    BUDGET_STAGES,
    COUNT_FIELDS,
    DEPARTMENT_FIELDS,
    FORMAT,
    FUND_FIELDS,
    FUNDS_FIELDS,
    GOAL_FIELDS,
    HEADER_FIELDS,
    INDICATOR_EXTRA_FIELDS,
    INDICATOR_FIELDS,
    INDICATOR_NUM_FIELDS,
    SCORE_GROUP_FIELDS,
    SELF_EVAL_FIELDS,
    LINE_FIELDS,
    NARRATIVE_SECTIONS,
    PROFILE_TEXTS,
    SCORE_FIELDS,
    SUPPLEMENTARY,
    TASK_AMOUNT_PARTS,
    TASK_FIELDS,
    Department,
    Source,
    to_document,
)
from .yamlio import NumberText

# --- Layout: one place that both the writer and the reader follow ------------------------------
S_GUIDE = "填表说明"
S_INFO = BLOCK_LABELS["department"]  # 基本信息 (also holds 部门基本情况)
S_BUDGET = BLOCK_LABELS["budget"]
S_LINES = {k: BLOCK_LABELS[k] for k in ("basic_lines", "project_lines", "transfer_lines")}
S_TASKS = BLOCK_LABELS["tasks"]
S_GOALS = BLOCK_LABELS["goals"]
S_INDICATORS = BLOCK_LABELS["indicators"]
S_SCORES = BLOCK_LABELS["scores"]
S_NARRATIVE = BLOCK_LABELS["narrative"]
S_SUPP = BLOCK_LABELS["supplementary"]
S_STRAY = BLOCK_LABELS["stray"]

S_FUNDS = BLOCK_LABELS["funds"]
S_GROUPS = BLOCK_LABELS["score_groups"]
S_SELF = BLOCK_LABELS["self_eval"]

# The sheet of each block, in workbook order; a family's workbook has the sheets of its blocks.
BLOCK_SHEETS = (
    ("budget", S_BUDGET), *S_LINES.items(), ("tasks", S_TASKS), ("funds", S_FUNDS), ("goals", S_GOALS),
    ("indicators", S_INDICATORS), ("scores", S_SCORES), ("score_groups", S_GROUPS), ("self_eval", S_SELF),
    ("narrative", S_NARRATIVE), ("supplementary", S_SUPP), ("stray", S_STRAY),
)
# The default family's (Shenzhen's) workbook.
DATA_SHEETS = (
    S_INFO, S_BUDGET, *S_LINES.values(), S_TASKS, S_GOALS, S_INDICATORS, S_SCORES, S_NARRATIVE, S_SUPP, S_STRAY,
)
ALL_SHEETS = (S_GUIDE, *DATA_SHEETS)
# Which sheet each top-level document block comes from (for error locations).
BLOCK_SHEET = {
    "format": S_INFO,
    "department": S_INFO,
    "profile": S_INFO,
    "budget": S_BUDGET,
    **S_LINES,
    "tasks": S_TASKS,
    "goals": S_GOALS,
    "indicators": S_INDICATORS,
    "scores": S_SCORES,
    "narrative": S_NARRATIVE,
    "supplementary": S_SUPP,
    "stray": S_STRAY,
    "family": S_INFO,
    "incomplete": S_INFO,
    "header": S_INFO,
    "funds": S_FUNDS,
    "score_groups": S_GROUPS,
    "self_eval": S_SELF,
}

KEY_COL, VALUE_COL = "项目", "内容"
STAGE_COL = "口径"
REASON_COL = "预算调整（如有）原因及情况说明"
NARRATIVE_TOTAL_LABEL = "部门预算总额（元）"
SECTION_COLS = {"key": "部分代码", "part": "部分标题", "title": "标题", "text": "内容"}
SUPP_COLS = ("代码", "项目", "值")
STRAY_COL = "原文"


@dataclass(frozen=True)
class Col:
    key: tuple  # path inside a row's document, e.g. ('budget', 'total')
    header: str
    kind: str = "text"  # 'text' or 'num' (amounts, scores, counts)
    width: float = 14
    wrap: bool = False


def _task_cols() -> list[Col]:
    cols = [
        Col(("name",), TASK_FIELDS["name"], width=22, wrap=True),
        Col(("content",), TASK_FIELDS["content"], width=60, wrap=True),
        Col(("status",), TASK_FIELDS["status"], width=10),
    ]
    for side, label in (("budget", "预算数"), ("actual", "执行数")):
        for part, plabel in TASK_AMOUNT_PARTS.items():
            cols.append(Col((side, part), f"{label}·{plabel}", "num", 17))
    return cols


TABLES: dict[str, list[Col]] = {
    **{
        sheet: [
            Col(("no",), LINE_FIELDS["no"], width=6),
            Col(("name",), LINE_FIELDS["name"], width=24, wrap=True),
            Col(("budget",), LINE_FIELDS["budget"], "num", 18),
            Col(("adjusted",), LINE_FIELDS["adjusted"], "num", 20),
            Col(("actual",), LINE_FIELDS["actual"], "num", 18),
        ]
        for sheet in S_LINES.values()
    },
    S_TASKS: _task_cols(),
    S_GOALS: [Col((k,), v, width=70, wrap=True) for k, v in GOAL_FIELDS.items()],
    S_INDICATORS: [
        Col(("level1",), INDICATOR_FIELDS["level1"], width=10),
        Col(("level2",), INDICATOR_FIELDS["level2"], width=14),
        Col(("level3",), INDICATOR_FIELDS["level3"], width=40, wrap=True),
        Col(("target",), INDICATOR_FIELDS["target"], width=24, wrap=True),
        Col(("actual",), INDICATOR_FIELDS["actual"], width=30, wrap=True),
    ],
    S_SCORES: [
        Col(("level1",), SCORE_FIELDS["level1"], width=10),
        Col(("level2",), SCORE_FIELDS["level2"], width=12),
        Col(("level3",), SCORE_FIELDS["level3"], width=20, wrap=True),
        Col(("weight",), SCORE_FIELDS["weight"], "num", 8),
        Col(("description",), SCORE_FIELDS["description"], width=40, wrap=True),
        Col(("criteria",), SCORE_FIELDS["criteria"], width=60, wrap=True),
        Col(("self_score",), SCORE_FIELDS["self_score"], "num", 10),
    ],
    S_NARRATIVE: [
        Col(("key",), SECTION_COLS["key"], width=22),
        Col(("part",), SECTION_COLS["part"], width=26, wrap=True),
        Col(("title",), SECTION_COLS["title"], width=30, wrap=True),
        Col(("text",), SECTION_COLS["text"], width=90, wrap=True),
    ],
    S_STRAY: [Col(("text",), STRAY_COL, width=40, wrap=True)],
}
BUDGET_COLS = [
    Col(("stage",), STAGE_COL, width=18),
    *[Col((p,), label, "num", 22) for p, label in BUDGET_PARTS.items()],
    Col(("reason",), REASON_COL, width=50, wrap=True),
]
# 基本信息 rows: (document path, label, kind)
INFO_ROWS: list[tuple[tuple, str, str]] = [
    *[(("department", k), v, "text") for k, v in DEPARTMENT_FIELDS.items()],
    *[(("profile", k), v, "text") for k, v in PROFILE_TEXTS.items()],
    *[(("profile", "counts", k), v, "num") for k, v in COUNT_FIELDS.items()],
]
_PROSE_INFO = {("profile", k) for k in PROFILE_TEXTS}
# Rows of 基本信息 for the families other than the default one (and for a file marking blocks incomplete).
FAMILY_ROW = (("family",), "模板类型", "text")
INCOMPLETE_ROW = (("incomplete",), "不完整的栏目", "text")
HEADER_ROWS = [(("header", k), v, "text") for k, v in HEADER_FIELDS.items()]
ALL_INFO_ROWS = [*INFO_ROWS, FAMILY_ROW, INCOMPLETE_ROW, *HEADER_ROWS]
# 绩效指标 with every column the 财政部-style forms print.
INDICATOR_COLS_FULL = [
    *TABLES[S_INDICATORS],
    *[Col((k,), v, "num" if k in INDICATOR_NUM_FIELDS else "text", 12 if k in INDICATOR_NUM_FIELDS else 16,
          k == "deviation") for k, v in INDICATOR_EXTRA_FIELDS.items()],
]
# 年度预算执行情况: the total row's 分值 / 得分 / 执行率 on top, then one row per 资金来源.
FUNDS_TOP = {k: v for k, v in FUNDS_FIELDS.items() if k not in ("rows", "reason")}  # numbers; 原因 is text (YAML only)
FUNDS_HEADER_ROW = len(FUNDS_TOP) + 2
FUNDS_REASON_COL = 4  # 原因说明 (text) in D1, its value in E1: the numbers' rows stay as they were
FUND_COLS = [Col(("source",), FUND_FIELDS["source"], width=24, wrap=True),
             *[Col((k,), v, "num", 16) for k, v in FUND_FIELDS.items() if k != "source"]]
TABLES[S_GROUPS] = [Col((k,), v, "num" if k in ("weight", "self_score") else "text", 14)
                    for k, v in SCORE_GROUP_FIELDS.items()]
SELF_ROWS = [(("self_eval", k), v, "num" if k in ("total", "total_weight") else "text") for k, v in SELF_EVAL_FIELDS.items()]


def family_sheets(family) -> tuple[str, ...]:
    """The data sheets of a family's workbook (the default family: ``DATA_SHEETS``)."""
    if family is None:
        return DATA_SHEETS
    return (S_INFO, *[sheet for block, sheet in BLOCK_SHEETS if block in family.blocks])


def _is_default(family) -> bool:
    from .families import DEFAULT_FAMILY

    return family is None or family.id == DEFAULT_FAMILY


def _info_rows(family, doc: dict | None) -> list[tuple[tuple, str, str]]:
    if _is_default(family):
        return INFO_ROWS + ([INCOMPLETE_ROW] if doc and doc.get("incomplete") else [])
    rows = [r for r in INFO_ROWS if r[0][0] == "department"] + [FAMILY_ROW, INCOMPLETE_ROW]
    if "header" in family.blocks:
        rows += HEADER_ROWS
    if "profile" in family.blocks:
        rows += [r for r in INFO_ROWS if r[0][0] == "profile"]
    return rows


def _incomplete_text(keys) -> str:
    return "、".join(BLOCK_LABELS.get(k, k) for k in keys or ())


def _incomplete_keys(text: Any) -> list[str]:
    """'年度绩效指标完成情况、自评结果' (labels or keys, any separator) → block keys."""
    by_label = {_norm_header(v): k for k, v in BLOCK_LABELS.items()}
    out = []
    for part in re.split(r"[、,，;；\s]+", str(text or "")):
        if part.strip():
            out.append(by_label.get(_norm_header(part), part.strip()))
    return out

MAX_XLSX_BYTES = 20 * 1024 * 1024  # a department workbook is tens of KB
MAX_CELL_CHARS = 32767  # Excel's limit for one cell
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_TEXT = "@"

# --- Cell text escaping (OOXML's _xHHHH_ convention) -------------------------------------------
# XML cannot hold most control characters and normalises CR, so they are written as _xHHHH_,
# and a literal "_xHHHH_" in the text is protected as "_x005F_xHHHH_", as Excel does.
_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: "_x005F_" if m.group(0) == "_" else f"_x{ord(m.group(0)):04X}_", text)


def _unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# --- Writing ---------------------------------------------------------------------------------
def write_template(path: str | Path, family: str | None = None) -> None:
    """Write the blank fill-in workbook of a family (default: Shenzhen's): one sheet per block of
    the family with its headers, data cells as text; the score rows its rule file fixes prefilled."""
    from .families import get_family

    _save(_build_workbook(None, str(path), None if family is None else get_family(family)), Path(path))


def write_workbook(dept: Department, path: str | Path) -> None:
    """Write a department into its family's template layout, every printed value as a text cell."""
    from .families import get_family

    family = None if not dept.family else get_family(dept.family)
    _save(_build_workbook(to_document(dept), str(path), None if _is_default(family) else family), Path(path))


def _build_workbook(doc: dict | None, file: str, family=None):
    from openpyxl import Workbook

    w = _Writer(Workbook(), file)
    sheets = family_sheets(family)
    w.guide(family, sheets)
    w.info(doc, family)
    if S_BUDGET in sheets:
        w.budget(doc)
    for key, sheet in S_LINES.items():
        if sheet in sheets:
            w.table(sheet, TABLES[sheet], doc.get(key, []) if doc else None)
    if S_TASKS in sheets:
        w.table(S_TASKS, TABLES[S_TASKS], doc["tasks"] if doc else None)
    if S_FUNDS in sheets:
        w.funds(doc, family)
    if S_GOALS in sheets:
        w.table(S_GOALS, TABLES[S_GOALS], [doc["goals"]] if doc else None, blank_rows=1)
    if S_INDICATORS in sheets:
        cols = TABLES[S_INDICATORS] if _is_default(family) else INDICATOR_COLS_FULL
        w.table(S_INDICATORS, cols, doc["indicators"] if doc else None)
    if S_SCORES in sheets:
        w.table(S_SCORES, TABLES[S_SCORES], doc["scores"] if doc else _prefilled_scores(family))
    if S_GROUPS in sheets:
        w.table(S_GROUPS, TABLES[S_GROUPS], doc.get("score_groups", []) if doc else None, blank_rows=12)
    if S_SELF in sheets:
        w.keyed(S_SELF, SELF_ROWS, doc)
    if S_NARRATIVE in sheets:
        w.narrative(doc)
    if S_SUPP in sheets:
        w.supplementary(doc, family)
    if S_STRAY in sheets:
        w.table(S_STRAY, TABLES[S_STRAY], [{"text": t} for t in doc["stray"]] if doc else None, blank_rows=5)
    w.problems_raise()
    return w.wb


def _rules(family):
    from .rules import load_rules

    return load_rules(family.rules_path)


def _prefilled_scores(family) -> list[dict] | None:
    """The score-table rows a (non-default) family's rule file names, for the blank template."""
    if _is_default(family):
        return None  # the Shenzhen workbook stays as it was: blank rows
    rows = []
    for ind in _rules(family).indicators:
        if ind.printed_in:
            continue
        rows.append({"level1": ind.level1, "level2": ind.level2, "level3": ind.name,
                     "weight": "" if ind.weight_from_table else format(ind.weight, "f")})
    return rows + [{}] * 20  # room for the city's own rows


class _Writer:
    def __init__(self, wb, file: str):
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = wb
        self.file = file
        self.problems: list[Problem] = []
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill("solid", fgColor="DDEBF7")
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.top = Alignment(vertical="top")
        self.first = True

    def sheet(self, title: str):
        if self.first:
            ws = self.wb.active
            ws.title = title
            self.first = False
        else:
            ws = self.wb.create_sheet(title)
        return ws

    def problems_raise(self) -> None:
        if self.problems:
            raise KitError(self.problems)

    # cells
    def header(self, ws, row: int, headers: list[str], widths: list[float]) -> None:
        from openpyxl.utils import get_column_letter

        for i, (h, wdt) in enumerate(zip(headers, widths), start=1):
            c = ws.cell(row=row, column=i, value=h)
            c.font = self.header_font
            c.fill = self.header_fill
            c.alignment = self.wrap
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = wdt
            # The whole column is text, so values typed into new rows keep leading zeros too.
            ws.column_dimensions[letter].number_format = _TEXT
        ws.freeze_panes = ws.cell(row=row + 1, column=1).coordinate

    def put(self, ws, row: int, col: int, value: Any, wrap: bool = False) -> None:
        """A text cell holding ``value`` exactly; never a formula."""
        c = ws.cell(row=row, column=col)
        c.number_format = _TEXT
        c.alignment = self.wrap if wrap else self.top
        if value is None:
            return
        text = ("是" if value else "否") if isinstance(value, bool) else str(value)
        if text == "":
            return
        stored = _escape(text)
        if len(stored) > MAX_CELL_CHARS:
            self.problems.append(
                Problem("文字过长，Excel 单元格放不下", file=self.file, block=ws.title, row=row,
                        field=str(ws.cell(row=1, column=col).value or ""), value=text[:40],
                        expected=f"不超过 {MAX_CELL_CHARS} 个字符")
            )
            return
        c.value = stored
        # openpyxl infers 'f' for '=...' and 'e' for '#N/A'; the text is data, so force a string.
        c.data_type = "s"
        if text.startswith(_FORMULA_LEAD):
            c.quotePrefix = True  # Excel keeps it text even when the cell is edited

    # sheets
    def guide(self, family=None, sheets=DATA_SHEETS) -> None:
        ws = self.sheet(S_GUIDE)
        ws.column_dimensions["A"].width = 110
        title = "部门整体支出绩效自评表 填报模板（kit-dept/1）" if _is_default(family) else f"{family.title} 填报模板（kit-dept/1）"
        ws.cell(row=1, column=1, value=title).font = self.header_font
        for i, line in enumerate(GUIDE_LINES if _is_default(family) else family_guide(family, sheets), start=3):
            c = ws.cell(row=i, column=1, value=line)
            c.alignment = self.wrap
            c.data_type = "s"

    def info(self, doc: dict | None, family=None) -> None:
        ws = self.sheet(S_INFO)
        self.header(ws, 1, [KEY_COL, VALUE_COL], [20, 90])
        for r, (path, label, _kind) in enumerate(_info_rows(family, doc), start=2):
            ws.cell(row=r, column=1, value=label).font = self.header_font
            if path == ("family",):
                value = family.id if family is not None else (doc or {}).get("family")
            elif path == ("incomplete",):
                value = _incomplete_text((doc or {}).get("incomplete"))
            else:
                value = _get(doc, path) if doc else None
            self.put(ws, r, 2, value, wrap=path in _PROSE_INFO)

    def keyed(self, sheet: str, rows: list[tuple[tuple, str, str]], doc: dict | None) -> None:
        """A sheet of 项目 / 内容 rows (自评结果)."""
        ws = self.sheet(sheet)
        self.header(ws, 1, [KEY_COL, VALUE_COL], [20, 90])
        for r, (path, label, kind) in enumerate(rows, start=2):
            ws.cell(row=r, column=1, value=label).font = self.header_font
            self.put(ws, r, 2, _get(doc, path) if doc else None, wrap=kind == "text")

    def funds(self, doc: dict | None, family=None) -> None:
        """年度预算执行情况: 分值 / 得分 / 执行率 of the total row, then the 资金来源 rows."""
        ws = self.sheet(S_FUNDS)
        f = (doc or {}).get("funds") or {}
        weight = None
        if doc is None and family is not None:
            weight = next((format(i.weight, "f") for i in _rules(family).indicators if i.printed_in == "funds"), None)
        for r, (key, label) in enumerate(FUNDS_TOP.items(), start=1):
            ws.cell(row=r, column=1, value=label).font = self.header_font
            self.put(ws, r, 2, f.get(key) if doc else (weight if key == "weight" else None))
        ws.cell(row=1, column=FUNDS_REASON_COL, value=FUNDS_FIELDS["reason"]).font = self.header_font  # 原因: text, beside
        self.put(ws, 1, FUNDS_REASON_COL + 1, f.get("reason") if doc else None, wrap=True)
        self.header(ws, FUNDS_HEADER_ROW, [c.header for c in FUND_COLS], [c.width for c in FUND_COLS])
        rows = f.get("rows", []) if doc else None
        if rows is None and family is not None and family.workbook.get("funds_sources"):
            rows = [{"source": src} for src in family.workbook["funds_sources"]] + [{}] * 4
        self._rows(ws, FUNDS_HEADER_ROW + 1, FUND_COLS, rows, 8)

    def budget(self, doc: dict | None) -> None:
        ws = self.sheet(S_BUDGET)
        self.header(ws, 1, [c.header for c in BUDGET_COLS], [c.width for c in BUDGET_COLS])
        b = doc["budget"] if doc else {}
        for r, (stage, label) in enumerate(BUDGET_STAGES.items(), start=2):
            ws.cell(row=r, column=1, value=label).font = self.header_font
            for i, part in enumerate(BUDGET_PARTS, start=2):
                self.put(ws, r, i, b.get(stage, {}).get(part) if b else None)
        reason_col = len(BUDGET_COLS)
        for r in range(2, 2 + len(BUDGET_STAGES)):
            self.put(ws, r, reason_col, None, wrap=True)
        self.put(ws, 2, reason_col, b.get("adjustment_reason") if b else None, wrap=True)
        # As on the form: one explanation spanning the three rows.
        ws.merge_cells(start_row=2, start_column=reason_col, end_row=1 + len(BUDGET_STAGES), end_column=reason_col)

    def table(self, sheet: str, cols: list[Col], rows: list[dict] | None, blank_rows: int = 30) -> None:
        ws = self.sheet(sheet)
        self.header(ws, 1, [c.header for c in cols], [c.width for c in cols])
        self._rows(ws, 2, cols, rows, blank_rows)

    def _rows(self, ws, start: int, cols: list[Col], rows: list[dict] | None, blank_rows: int) -> None:
        if rows is None:  # template: pre-format empty rows as text
            for r in range(start, start + blank_rows):
                for i, c in enumerate(cols, start=1):
                    self.put(ws, r, i, None, wrap=c.wrap)
            return
        for r, row in enumerate(rows, start=start):
            for i, c in enumerate(cols, start=1):
                self.put(ws, r, i, _get(row, c.key), wrap=c.wrap)

    def narrative(self, doc: dict | None) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        ws = self.sheet(S_NARRATIVE)
        cols = TABLES[S_NARRATIVE]
        ws.cell(row=1, column=1, value=NARRATIVE_TOTAL_LABEL).font = self.header_font
        self.put(ws, 1, 2, doc["narrative"]["budget_total"] if doc else None)
        self.header(ws, 3, [c.header for c in cols], [c.width for c in cols])
        sections = doc["narrative"]["sections"] if doc else None
        self._rows(ws, 4, cols, sections, 10)
        last = 3 + max(len(sections or []), 10) + 20
        dv = DataValidation(type="list", formula1='"' + ",".join(NARRATIVE_SECTIONS) + '"', allow_blank=True)
        dv.error = "部分代码应为：" + "、".join(f"{k}（{v}）" for k, v in NARRATIVE_SECTIONS.items())[:220]
        ws.add_data_validation(dv)
        dv.add(f"A4:A{last}")

    def supplementary(self, doc: dict | None, family=None) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        ws = self.sheet(S_SUPP)
        self.header(ws, 1, list(SUPP_COLS), [22, 50, 24])
        supp = doc["supplementary"] if doc else {}
        flag = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
        disclosure = DataValidation(type="list", formula1='"合规,有缺陷,未公开"', allow_blank=True)
        ws.add_data_validation(flag)
        ws.add_data_validation(disclosure)
        from .families import get_family

        listed = (family or get_family(None)).supplementary
        keys = [k for k in SUPPLEMENTARY if listed is None or k in listed or k in supp]
        for r, (key, (label, kind)) in enumerate(((k, SUPPLEMENTARY[k]) for k in keys), start=2):
            self.put(ws, r, 1, key)
            self.put(ws, r, 2, label)
            self.put(ws, r, 3, supp.get(key))
            if kind == "flag":
                flag.add(f"C{r}")
            elif kind == "disclosure":
                disclosure.add(f"C{r}")


GUIDE_LINES = [
    "1. 每个工作表对应自评表的一个部分，表头使用表上的栏目名称；请勿改动工作表名称和表头。",
    "2. 所有数值按表上印刷的原样填写：金额以“元”为单位（如 1978799355.27），不加千位分隔符、不换算成万元；"
    "表上显示为“#####”或带有异常字符（如“98.82&”）的，照原样填写，工具会在加载提示中列出。",
    "3. 数据单元格已设为“文本”格式，请保持：这样“022006”不会丢失前导零，金额不会被改写。"
    "请勿填写公式（以“=”开头的内容按文字保存，不会计算）。",
    "4. 基本信息：按“项目”一栏的名称在“内容”一栏填写；部门编码照原样填写（如 022006）；科室数等人数、床位数为表述中的数字，没有的留空。",
    "5. 部门预算总表：三行分别为年初预算批复、全年调整后预算数、年末执行数；“预算调整（如有）原因及情况说明”只填一处。",
    "6. 部门基本支出、项目支出、转移支付项目支出、年度主要任务完成情况、年度绩效指标完成情况、评分表：每行一项，按表上顺序填写，空行会被跳过。",
    "7. 年度主要任务完成情况：预算数、执行数各分为 总数 / 其中财政拨款 / 其他资金 三栏。",
    "8. 自评报告：第 1 行填写报告抬头的部门预算总额；下方每行一个部分，“部分代码”从下拉列表选择："
    + "；".join(f"{k} = {v}" for k, v in NARRATIVE_SECTIONS.items())
    + "。",
    "9. 补充资料：表上没有、评分规则需要的数据，按“代码”一行填写“值”一栏；是/否项填“是”或“否”，公开情况填“合规”“有缺陷”或“未公开”；不知道的留空（不要填 0）。",
    "10. 无归属文字：表上印有但不属于任何栏目的文字（如“Zero”“医院公章”），每行一条。",
    "11. 填好后运行 `kit validate 文件.xlsx` 检查；所有问题会一次列出，并注明工作表和行号。",
]


def family_guide(family, sheets) -> list[str]:
    """填表说明 of a family's workbook."""
    lines = [
        "1. 每个工作表对应自评表的一个部分，表头使用表上的栏目名称；请勿改动工作表名称和表头。本工作簿的工作表："
        + "、".join(sheets) + "。",
        "2. 所有数值按表上印刷的原样填写（金额按表上的单位，如万元，单位填在基本信息的“金额单位”一栏）；表上为“-”“/”的照原样填写"
        "（表示不适用）；表上空白的留空，不要填 0。",
        "3. 数据单元格已设为“文本”格式，请保持。请勿填写公式（以“=”开头的内容按文字保存，不会计算）。",
        f"4. 基本信息：“模板类型”为 {family.id}，请勿改动；表格在页面截断处未印全的栏目，在“不完整的栏目”中列出"
        "（如“年度绩效指标完成情况、自评结果”），其合计将标为无法核实而不是错误。",
    ]
    if S_FUNDS in sheets:
        lines.append("5. 年度预算执行情况：前三行填总额行的分值、得分、执行率；下方每个资金来源一行，第一行为总额"
                     "（年度资金总额），其后为其中各项。")
    if S_INDICATORS in sheets:
        lines.append("6. 年度绩效指标完成情况：每个三级指标一行；分值、得分照表上填写，表上没有的栏留空。")
    if S_SCORES in sheets:
        lines.append("7. 评分表：已列出规则能按表上数据复核的指标，表上没有的行请删除，表上其他指标逐行补充；分值填表上印的分值。")
    if S_GROUPS in sheets:
        lines.append("8. 评分表分组：表上印出的一级、二级指标分值（如“投入(16分)”），层级填 1 或 2，二级指标填上级指标。")
    lines.append("9. 填好后运行 `kit validate 文件.xlsx` 检查；所有问题会一次列出，并注明工作表和行号。")
    return lines


def _get(doc: Any, path: tuple) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def _merge(into: dict, more: dict) -> None:
    for k, v in more.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


def _drop_blank(row: dict, keys) -> dict:
    """A row without its blank optional columns (the YAML leaves out columns a form does not print)."""
    return {k: v for k, v in row.items() if k not in keys or (v is not None and str(v) != "")}


def _set(doc: dict, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        doc = doc.setdefault(part, {})
    doc[path[-1]] = value


def _save(wb, path: Path) -> None:
    """Save atomically: a temporary file in the same folder, renamed over the target."""
    name = str(path)
    if not path.parent.is_dir():
        raise KitError(Problem("输出文件夹不存在", file=name, expected="已存在的文件夹"))
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise KitError(
            Problem(f"无法写出工作簿：{exc.strerror or exc}（如文件正在 Excel 中打开，请先关闭）", file=name)
        ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --- Reading ---------------------------------------------------------------------------------
def read_workbook(path: str | Path) -> Department:
    """Read a filled workbook (template layout) into a department.

    Raises ``LoadError`` listing every problem, each naming the sheet, row and column.
    """
    path = Path(path)
    data, digest = _read_bytes(path)
    wb = _open(path, data)
    reader = _Reader(str(path), wb)
    doc = reader.read()
    problems = list(reader.problems)
    dept = None
    try:
        required = reader.family.required if reader.family is not None else ("budget",)
        dept = build(doc, Source(str(path), "xlsx", digest), reader.locate, required)
    except LoadError as exc:
        # A missing sheet is reported once, not once per field it would have held.
        problems += [p for p in exc.problems if p.block not in reader.missing]
    if problems:
        raise LoadError(problems)
    assert dept is not None
    return dept


def _read_bytes(path: Path) -> tuple[bytes, str]:
    # A regular file of at most MAX_XLSX_BYTES, or an error naming it (devices, FIFOs, loops, names).
    data = read_bounded(path, MAX_XLSX_BYTES, "数据文件")
    return data, hashlib.sha256(data).hexdigest()


def _open(path: Path, data: bytes):
    """The openpyxl workbook, or a LoadError saying in plain words why the file is not one."""
    import io

    from openpyxl import load_workbook

    name = str(path)
    expected = "用 Excel 或本工具（kit template）生成的 .xlsx 工作簿"
    if not data.strip():
        raise LoadError(Problem("文件是空的，不是 Excel 工作簿", file=name, expected=expected))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise LoadError(Problem("这是旧版 .xls（或加密的）工作簿，无法读取", file=name,
                                expected="在 Excel 中“另存为” .xlsx 格式"))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError(Problem("不是有效的 Excel 工作簿（文件内容不是 .xlsx 格式，可能只是改了扩展名）",
                                file=name, expected=expected))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise LoadError(Problem("压缩包里没有 Excel 工作簿内容（可能是其他文件改了扩展名）", file=name,
                                        expected=expected))
            # What the parts would unpack into, counted while streaming; stops at the first limit.
            check_archive(zf, name)
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (e.g. some data validations); irrelevant here.
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except LoadError:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl/zipfile/lxml raise many types for a bad file
        raise LoadError(
            Problem(f"工作簿已损坏，无法打开（{type(exc).__name__}）", file=name, expected=expected)
        ) from None


def _norm_header(text: Any) -> str:
    """Header text compared leniently: NFKC, no spaces, no leading '*', no '(元)'."""
    if text is None:
        return ""
    t = unicodedata.normalize("NFKC", str(text))
    t = re.sub(r"\s+", "", t).lstrip("*").replace("(元)", "")
    return t


class _Reader:
    def __init__(self, file: str, wb):
        self.file = file
        self.wb = wb
        self.problems: list[Problem] = []
        self.where: dict[tuple, tuple[str, int | None]] = {}  # document path -> (sheet, row)
        self.missing: set[str] = set()
        self.family = None  # kit.families.Family named in 基本信息 (None: the default family)

    def problem(self, message: str, sheet: str = "", row: int | None = None, field: str = "",
                value: Any = None, expected: str = "") -> None:
        self.problems.append(
            Problem(message, file=self.file, block=sheet, row=row, field=field,
                    value=None if value is None else str(value), expected=expected)
        )

    def locate(self, path: tuple) -> tuple[str, int | None]:
        for n in range(len(path), 0, -1):
            if path[:n] in self.where:
                return self.where[path[:n]]
        return (BLOCK_SHEET.get(path[0], str(path[0])) if path else "", None)

    # -- cells --
    def cell(self, ws, row: int, col: int, header: str, kind: str) -> Any:
        """A cell's value as document text; problems for what cannot be accepted."""
        c = ws.cell(row=row, column=col)
        v = c.value
        field = f"{header}（{c.coordinate}）" if header else c.coordinate
        if type(c).__name__ == "MergedCell" and not (ws.title == S_BUDGET and header == REASON_COL):
            # Only the top-left cell of a merge keeps its value; this row's own value is gone.
            self.problem("单元格与上方或左侧的单元格合并了，本行的值已丢失", ws.title, row, field,
                         expected="取消合并，每行填写自己的值")
            return None
        if v is None:
            return None
        if c.data_type == "f" or not isinstance(v, (str, int, float, bool, _dt.datetime, _dt.date, _dt.time,
                                                     _dt.timedelta, Decimal)):
            shown = v if isinstance(v, str) else getattr(v, "text", None) or type(v).__name__
            self.problem("不接受公式，请填写表上印刷的数值或文字", ws.title, row, field, shown,
                         "按表上原样填写的值（不要以“=”开头）")
            return None
        if c.data_type == "e":
            self.problem("单元格是 Excel 错误值", ws.title, row, field, v, "按表上原样填写的值")
            return None
        if isinstance(v, bool):
            return v  # the model decides whether a 是/否 belongs here
        if isinstance(v, (_dt.datetime, _dt.date, _dt.time, _dt.timedelta)):
            if kind == "num":
                self.problem("数字单元格被 Excel 识别成了日期", ws.title, row, field, _date_text(v),
                             "数字（请把单元格设为“文本”格式后按表上原样重填）")
                return None
            return _date_text(v)
        if isinstance(v, (int, float, Decimal)):
            text = _number_text(v, c.number_format)
            if text is None:
                self.problem("不是有限数值", ws.title, row, field, v, "数字")
                return None
            return NumberText(text)  # flagged as typed-as-number (a code loses its leading zeros)
        return _unescape(v)

    def text_or_blank(self, value: Any) -> Any:
        return "" if value is None else value

    # -- sheets --
    def family_named(self, names: list[str]):
        """The family the 基本信息 sheet names in its 模板类型 row (None: the default family)."""
        from .families import get_family

        if S_INFO not in names:
            return None
        ws = self.wb[S_INFO]
        for r in range(2, min(ws.max_row, 60) + 1):
            if _norm_header(ws.cell(row=r, column=1).value) == _norm_header(FAMILY_ROW[1]):
                v = ws.cell(row=r, column=2).value
                if v is None or not str(v).strip():
                    return None
                try:
                    fam = get_family(str(v).strip())
                except KitError:
                    self.problem("未知的模板类型", S_INFO, r, FAMILY_ROW[1], v,
                                 "kit template --family 生成的工作簿中的模板类型")
                    return None
                return None if _is_default(fam) else fam
        return None

    def read(self) -> dict:
        names = list(self.wb.sheetnames)
        self.family = self.family_named(names)
        sheets = family_sheets(self.family)
        known = {S_GUIDE, *sheets}
        unknown = [n for n in names if n not in known]
        for sheet in sheets:
            if sheet not in names:
                self.missing.add(sheet)
        for n in unknown:
            # A renamed sheet most likely is one of the missing ones.
            hint = difflib.get_close_matches(n, sorted(self.missing), n=1, cutoff=0.4) or difflib.get_close_matches(
                n, list(sheets), n=1
            )
            self.problem(
                "未知工作表" + (f"，是否应为 “{hint[0]}”？" if hint else "（如为草稿，请删除该工作表）"),
                n, expected="模板中的工作表：" + "、".join(sheets),
            )
        for sheet in sheets:
            if sheet in self.missing:
                self.problem("缺少工作表", sheet, expected="模板中的全部工作表：" + "、".join(sheets))
        # Sheets this family's workbook does not have are absent blocks, not missing sheets.
        self.missing |= {sheet for _, sheet in BLOCK_SHEETS if sheet not in sheets}

        doc: dict[str, Any] = {"format": FORMAT}
        if self.family is not None:
            doc["family"] = self.family.id
        if S_INFO not in self.missing:
            self.info(self.wb[S_INFO], doc)
        if S_BUDGET not in self.missing:
            doc["budget"] = self.budget(self.wb[S_BUDGET])
        for key, sheet in S_LINES.items():
            if sheet not in self.missing:
                doc[key] = [r for _, r in self.table(self.wb[sheet], key)]
        if S_TASKS not in self.missing:
            doc["tasks"] = [r for _, r in self.table(self.wb[S_TASKS], "tasks")]
        if S_GOALS not in self.missing:
            rows = self.table(self.wb[S_GOALS], "goals", indexed=False)
            if len(rows) > 1:
                self.problem("年度总体目标只应填写一行", S_GOALS, rows[1][0], expected="第 2 行一行")
            doc["goals"] = rows[0][1] if rows else {}
        if S_FUNDS not in self.missing:
            doc["funds"] = self.funds(self.wb[S_FUNDS])
        if S_INDICATORS not in self.missing:
            cols = TABLES[S_INDICATORS] if self.family is None else INDICATOR_COLS_FULL
            doc["indicators"] = [_drop_blank(r, INDICATOR_EXTRA_FIELDS)
                                 for _, r in self.table(self.wb[S_INDICATORS], "indicators", cols=cols)]
        if S_SCORES not in self.missing:
            doc["scores"] = [r for _, r in self.table(self.wb[S_SCORES], "scores")]
        if S_GROUPS not in self.missing:
            doc["score_groups"] = [r for _, r in self.table(self.wb[S_GROUPS], "score_groups")]
        if S_SELF not in self.missing:
            doc["self_eval"] = self.keyed_sheet(self.wb[S_SELF], SELF_ROWS, "自评结果的项目").get("self_eval", {})
        if S_NARRATIVE not in self.missing:
            doc["narrative"] = self.narrative(self.wb[S_NARRATIVE])
        if S_SUPP not in self.missing:
            doc["supplementary"] = self.supplementary(self.wb[S_SUPP])
        if S_STRAY not in self.missing:
            doc["stray"] = [r["text"] for _, r in self.table(self.wb[S_STRAY], "stray")]
        return doc

    def header_map(self, ws, cols: list[Col], search_rows: int = 10) -> tuple[int, dict[int, Col]] | None:
        """Find the header row (the first row naming the first column) and map columns."""
        want = {_norm_header(c.header): c for c in cols}
        first = _norm_header(cols[0].header)
        for r in range(1, min(ws.max_row, search_rows) + 1):
            row_vals = {i: _norm_header(ws.cell(row=r, column=i).value) for i in range(1, ws.max_column + 1)}
            if first not in row_vals.values():
                continue
            mapping: dict[int, Col] = {}
            for i, h in row_vals.items():
                if not h:
                    continue
                if h in want and want[h] not in mapping.values():
                    mapping[i] = want[h]
                else:
                    hint = difflib.get_close_matches(h, [c.header for c in cols if c not in mapping.values()], n=1)
                    self.problem(
                        "未知的表头" + (f"，是否应为 “{hint[0]}”？" if hint else ""),
                        ws.title, r, ws.cell(row=r, column=i).coordinate, ws.cell(row=r, column=i).value,
                        "以下之一：" + "、".join(c.header for c in cols),
                    )
            for c in cols:
                if c not in mapping.values():
                    self.problem("缺少表头列", ws.title, r, c.header, expected="表头包含：" + "、".join(x.header for x in cols))
            return r, mapping
        self.problem("找不到表头行", ws.title, expected="第 1 行为表头：" + "、".join(c.header for c in cols))
        return None

    def data_rows(self, ws, header_row: int, mapping: dict[int, Col]):
        """(sheet row, {col: value}) for each non-empty row under the header."""
        for r in range(header_row + 1, ws.max_row + 1):
            raw = {i: ws.cell(row=r, column=i).value for i in range(1, ws.max_column + 1)}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
                continue  # empty rows are skipped
            for i, v in raw.items():
                if i not in mapping and v is not None and not (isinstance(v, str) and not v.strip()):
                    self.problem("数据填在了没有表头的列中", ws.title, r, ws.cell(row=r, column=i).coordinate, v,
                                 "填在有表头的列中")
            yield r, {i: self.cell(ws, r, i, c.header, c.kind) for i, c in mapping.items()}

    def table(self, ws, block: str, indexed: bool = True, cols: list[Col] | None = None,
              prefix: tuple = ()) -> list[tuple[int, dict]]:
        cols = cols or TABLES[ws.title]
        found = self.header_map(ws, cols)
        if not found:
            return []
        header_row, mapping = found
        out = []
        for r, values in self.data_rows(ws, header_row, mapping):
            row: dict = {}
            for c in cols:
                i = next((i for i, m in mapping.items() if m is c), None)
                _set(row, c.key, self.text_or_blank(values.get(i)) if i is not None else "")
            path = (prefix or (block,)) + ((len(out),) if indexed else ())
            self.where[path] = (ws.title, r)
            out.append((r, row))
        return out

    def keyed_rows(self, ws, labels: dict[str, Any], key_header: str, what: str) -> dict[str, tuple[int, int]]:
        """Rows identified by the label in column A: label -> (row, first value column)."""
        seen: dict[str, tuple[int, int]] = {}
        for r in range(2, ws.max_row + 1):
            label = ws.cell(row=r, column=1).value
            rest = [ws.cell(row=r, column=i).value for i in range(2, ws.max_column + 1)]
            if any(v is not None and str(v).strip() for v in rest[1:]):
                self.problem("数据填在了没有表头的列中", ws.title, r, expected=f"只填“{VALUE_COL}”一栏（B 列）")
            if label is None or (isinstance(label, str) and not label.strip()):
                if any(v is not None and str(v).strip() for v in rest):
                    self.problem(f"这一行缺少{key_header}，无法确定填的是哪一项", ws.title, r, key_header,
                                 expected=f"{what}之一")
                continue
            norm = _norm_header(label)
            match = next((k for k in labels if _norm_header(k) == norm), None)
            if match is None:
                hint = difflib.get_close_matches(str(label), list(labels), n=1)
                self.problem(f"未知的{key_header}" + (f"，是否应为 “{hint[0]}”？" if hint else ""),
                             ws.title, r, key_header, label, f"{what}：" + "、".join(labels))
                continue
            if match in seen:
                self.problem(f"{key_header}重复", ws.title, r, key_header, label, f"每项只填一行（已在第{seen[match][0]}行）")
                continue
            seen[match] = (r, 2)
        return seen

    def info(self, ws, doc: dict) -> None:
        doc.setdefault("department", {})
        if self.family is None:
            doc.setdefault("profile", {"counts": {}})
        rows = ALL_INFO_ROWS if self.family is None else _info_rows(self.family, None)
        got = self.keyed_sheet(ws, rows, "基本信息的项目")
        for key, value in got.items():
            if key == "family":
                continue  # read first (family_named)
            if key == "incomplete":
                doc["incomplete"] = _incomplete_keys(value)
            elif isinstance(value, dict) and isinstance(doc.get(key), dict):
                _merge(doc[key], value)
            else:
                doc[key] = value

    def keyed_sheet(self, ws, rows: list[tuple[tuple, str, str]], what: str) -> dict:
        """A sheet of 项目 / 内容 rows as a document fragment (absent rows and blank values left out)."""
        self.header_check(ws, [KEY_COL, VALUE_COL])
        by_label = {label: (path, kind) for path, label, kind in rows}
        out: dict = {}
        for label, (r, col) in self.keyed_rows(ws, by_label, KEY_COL, what).items():
            path, kind = by_label[label]
            v = self.cell(ws, r, col, label, kind)
            self.where[path] = (ws.title, r)
            if v is None:
                continue  # absent: the model says if it is required
            _set(out, path, v)
        return out

    def funds(self, ws) -> dict:
        out: dict[str, Any] = {}
        by_label = {_norm_header(v): k for k, v in FUNDS_TOP.items()}
        for r in range(1, FUNDS_HEADER_ROW):
            key = by_label.get(_norm_header(ws.cell(row=r, column=1).value))
            if key is None:
                continue
            v = self.cell(ws, r, 2, FUNDS_TOP[key], "num")
            self.where[("funds", key)] = (ws.title, r)
            out[key] = self.text_or_blank(v)
        if _norm_header(ws.cell(row=1, column=FUNDS_REASON_COL).value) == _norm_header(FUNDS_FIELDS["reason"]):
            v = self.cell(ws, 1, FUNDS_REASON_COL + 1, FUNDS_FIELDS["reason"], "text")
            if v not in (None, ""):
                out["reason"] = v
        out["rows"] = [r for _, r in self.table(ws, "funds", cols=FUND_COLS, prefix=("funds", "rows"))]
        return out

    def header_check(self, ws, headers: list[str]) -> None:
        got = [_norm_header(ws.cell(row=1, column=i).value) for i in range(1, len(headers) + 1)]
        if got != [_norm_header(h) for h in headers]:
            self.problem("第 1 行表头不对", ws.title, 1, value="、".join(g or "（空）" for g in got),
                         expected="、".join(headers))

    def budget(self, ws) -> dict:
        found = self.header_map(ws, BUDGET_COLS)
        out: dict[str, Any] = {}
        if not found:
            return out
        header_row, mapping = found
        by_label = {label: stage for stage, label in BUDGET_STAGES.items()}
        reasons: list[tuple[int, Any]] = []
        seen: dict[str, int] = {}
        for r, values in self.data_rows(ws, header_row, mapping):
            by_key = {mapping[i].key[0]: v for i, v in values.items()}
            label = by_key.get("stage")
            if by_key.get("reason") not in (None, ""):
                reasons.append((r, by_key["reason"]))
            if label is None or not str(label).strip():
                if any(by_key.get(p) not in (None, "") for p in BUDGET_PARTS):
                    self.problem("这一行缺少口径，无法确定是哪一行预算", ws.title, r, STAGE_COL,
                                 expected="、".join(BUDGET_STAGES.values()))
                continue
            stage = by_label.get(_norm_header(label)) or next(
                (s for lab, s in by_label.items() if _norm_header(lab) == _norm_header(label)), None)
            if stage is None:
                hint = difflib.get_close_matches(str(label), list(by_label), n=1)
                self.problem("未知的口径" + (f"，是否应为 “{hint[0]}”？" if hint else ""), ws.title, r, STAGE_COL,
                             label, "、".join(BUDGET_STAGES.values()))
                continue
            if stage in seen:
                self.problem("口径重复", ws.title, r, STAGE_COL, label, f"每个口径一行（已在第{seen[stage]}行）")
                continue
            seen[stage] = r
            out[stage] = {p: self.text_or_blank(by_key.get(p)) for p in BUDGET_PARTS}
            self.where[("budget", stage)] = (ws.title, r)
        for stage, label in BUDGET_STAGES.items():
            if stage not in out:
                self.problem("缺少这一行预算", ws.title, None, label, expected="口径栏依次为：" + "、".join(BUDGET_STAGES.values()))
                out[stage] = {}
        if len(reasons) > 1:
            self.problem("预算调整原因只应填写一处", ws.title, reasons[1][0], REASON_COL,
                         expected=f"只填在第{reasons[0][0]}行（三行合并的单元格）")
        out["adjustment_reason"] = reasons[0][1] if reasons else ""
        if reasons:
            self.where[("budget", "adjustment_reason")] = (ws.title, reasons[0][0])
        return out

    def narrative(self, ws) -> dict:
        out: dict[str, Any] = {"budget_total": ""}
        total_row = None
        for r in range(1, min(ws.max_row, 10) + 1):
            if _norm_header(ws.cell(row=r, column=1).value) == _norm_header(NARRATIVE_TOTAL_LABEL):
                total_row = r
                break
        if total_row is None:
            self.problem(f"找不到“{NARRATIVE_TOTAL_LABEL}”一行", ws.title, 1, expected=f"第 1 行 A 列为“{NARRATIVE_TOTAL_LABEL}”，B 列为金额")
        else:
            v = self.cell(ws, total_row, 2, NARRATIVE_TOTAL_LABEL, "num")
            out["budget_total"] = self.text_or_blank(v)
            self.where[("narrative", "budget_total")] = (ws.title, total_row)
        out["sections"] = [row for _, row in self._sections(ws, total_row)]
        return out

    def _sections(self, ws, total_row: int | None):
        cols = TABLES[S_NARRATIVE]
        found = self.header_map(ws, cols)
        if not found:
            return []
        header_row, mapping = found
        out = []
        for r, values in self.data_rows(ws, header_row, mapping):
            row = {c.key[0]: "" for c in cols}
            for i, v in values.items():
                row[mapping[i].key[0]] = self.text_or_blank(v)
            row["key"] = _SECTION_BY_NAME.get(_norm_header(row["key"]), row["key"])
            self.where[("narrative", "sections", len(out))] = (ws.title, r)
            out.append((r, row))
        return out

    def supplementary(self, ws) -> dict:
        self.header_check(ws, list(SUPP_COLS))
        out: dict[str, Any] = {}
        by_label = {label: key for key, (label, _) in SUPPLEMENTARY.items()}
        seen: dict[str, int] = {}
        for r in range(2, ws.max_row + 1):
            code, label = ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value
            extra = [ws.cell(row=r, column=i).value for i in range(4, ws.max_column + 1)]
            if any(v is not None and str(v).strip() for v in extra):
                self.problem("数据填在了没有表头的列中", ws.title, r, expected="只填“值”一栏（C 列）")
            key = str(code).strip() if code is not None else ""
            if not key and label is not None:
                key = by_label.get(str(label).strip(), "")
            if not key:
                if ws.cell(row=r, column=3).value not in (None, ""):
                    self.problem("这一行缺少代码，无法确定填的是哪一项", ws.title, r, SUPP_COLS[0],
                                 expected="补充资料的代码之一")
                continue
            if key not in SUPPLEMENTARY:
                hint = difflib.get_close_matches(key, list(SUPPLEMENTARY), n=1)
                self.problem("未知的补充资料代码" + (f"，是否应为 “{hint[0]}”？" if hint else ""), ws.title, r,
                             SUPP_COLS[0], code, "以下之一：" + "、".join(SUPPLEMENTARY))
                continue
            if key in seen:
                self.problem("补充资料代码重复", ws.title, r, SUPP_COLS[0], key, f"每项一行（已在第{seen[key]}行）")
                continue
            seen[key] = r
            kind = SUPPLEMENTARY[key][1]
            v = self.cell(ws, r, 3, SUPPLEMENTARY[key][0], "num" if kind in ("amount", "pct", "count") else "text")
            self.where[("supplementary", key)] = (ws.title, r)
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            out[key] = v
        return out


_SECTION_BY_NAME = {_norm_header(v): k for k, v in NARRATIVE_SECTIONS.items()}


def _date_text(v: Any) -> str:
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time(0) else v.isoformat(sep=" ")
    if isinstance(v, _dt.timedelta):
        return str(v)
    return v.isoformat()


def _number_text(v: int | float | Decimal, number_format: str | None) -> str | None:
    """The exact text of a number cell: ints as is, floats by their shortest repr, no exponent."""
    if isinstance(v, int):
        d = Decimal(v)
    else:
        try:
            d = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
        except InvalidOperation:
            return None
    if not d.is_finite():
        return None
    if number_format and "%" in number_format:
        # Typed as '26.54%' into a General cell: Excel stores 0.2654 and shows the percent.
        return format(d.scaleb(2), "f") + "%"
    return format(d, "f")

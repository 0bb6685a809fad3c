"""Writing workbooks: the blank fill-in template of a family, and a department's data.

Every data cell is a text cell (number format ``@``) holding the value exactly as printed, so
Excel keeps ``"022006"`` and ``"1978799355.27"``; the file is written atomically.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ...core.errors import KitError, Problem
from ...core.safeio import replace_atomic
from ...model import (
    FUNDS_FIELDS,
    BUDGET_PARTS,
    BUDGET_STAGES,
    NARRATIVE_SECTIONS,
    SUPPLEMENTARY,
    Department,
    to_document,
)
from .layout import (
    BUDGET_COLS, Col, DATA_SHEETS, FUNDS_HEADER_ROW, FUNDS_REASON_COL, FUNDS_TOP, FUND_COLS, GUIDE_LINES, INDICATOR_COLS_FULL,
    KEY_COL, MAX_CELL_CHARS, NARRATIVE_TOTAL_LABEL, SELF_ROWS, SUPP_COLS, S_BUDGET, S_FUNDS, S_GOALS, S_GROUPS,
    S_GUIDE, S_INDICATORS, S_INFO, S_LINES, S_NARRATIVE, S_SCORES, S_SELF, S_STRAY, S_SUPP, S_TASKS, TABLES,
    VALUE_COL, _FORMULA_LEAD, _PROSE_INFO, _TEXT, _escape, _get, _incomplete_text, _info_rows, _is_default,
    family_guide, family_sheets,
)


# --- Writing ---------------------------------------------------------------------------------
def write_template(path: str | Path, family: str | None = None) -> None:
    """Write the blank fill-in workbook of a family (default: Shenzhen's): one sheet per block of
    the family with its headers, data cells as text; the score rows its rule file fixes prefilled."""
    from ...families import get_family

    _save(_build_workbook(None, str(path), None if family is None else get_family(family)), Path(path))


def write_workbook(dept: Department, path: str | Path) -> None:
    """Write a department into its family's template layout, every printed value as a text cell."""
    from ...families import get_family

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
    from ...engine.rules import load_rules

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
        from ...families import get_family

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


def _save(wb, path: Path) -> None:
    """Save atomically (``kit.core.safeio.replace_atomic``)."""
    name = str(path)
    if not path.parent.is_dir():
        raise KitError(Problem("输出文件夹不存在", file=name, expected="已存在的文件夹"))
    buf = io.BytesIO()
    wb.save(buf)
    try:
        replace_atomic(path, buf.getvalue())
    except OSError as exc:
        raise KitError(
            Problem(f"无法写出工作簿：{exc.strerror or exc}（如文件正在 Excel 中打开，请先关闭）", file=name)
        ) from None

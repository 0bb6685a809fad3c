"""问题清单.xlsx: the findings as a workbook for tracking 整改 (rectification).

One workbook per department (``<code>-问题清单.xlsx`` beside its report) and one for a batch
(``问题清单.xlsx``, every department's rows). Each row is one finding, with its 问题键 (the key the
review file and ``kit review-import`` match rows by): where on the form, what it should be and what
the form says (复核 − 填报), the 整改要求 and the reviewer's 复核决定, then the columns the department
fills: 部门说明, 整改状态 (a drop-down, starting 未整改) and 整改完成日期 (a date), with 责任单位 and
整改时限. Findings not adopted (不采纳) are not sent. Format notes are on a sheet of their own.

Cells are typed: 序号 and 年度 are numbers, 差异 and the figures a number where the kit has one
(with a number format), dates are dates. Text the kit writes is never a formula: a value starting
with ``=``, ``+``, ``-`` or ``@`` is stored as a string and kept so when edited.
"""
from __future__ import annotations

import io
from copy import copy
from pathlib import Path
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from ..core.safeio import replace_atomic
from ..files.xlsxio.layout import _FORMULA_LEAD, MAX_CELL_CHARS, _escape  # one escaping rule for every workbook the kit writes

SHEET = "问题清单"
FORMAT_SHEET = "格式与解析说明"
INFO_SHEET = "说明"
KEY = "问题键"
COLUMNS = [  # (header, width, wrap)
    ("序号", 6, False), (KEY, 30, True), ("部门编码", 10, False), ("部门名称", 18, True), ("年度", 6, False),
    ("类别", 10, False), ("问题归类", 18, True), ("结论", 8, False), ("检查编号", 8, False), ("检查项", 22, True), ("对象", 18, True),
    ("问题", 48, True), ("表内位置", 22, True), ("应为（复核）", 16, True), ("实际（填报）", 16, True),
    ("差异（复核−填报）", 14, False), ("整改要求", 40, True), ("复核决定", 16, True), ("责任单位", 16, True),
    ("整改时限", 12, False), ("部门说明", 30, True), ("整改状态", 10, False), ("整改完成日期", 12, False),
    ("复核意见", 24, True),
]
REPLY = ("部门说明", "整改完成日期", "复核意见")  # left empty for the department and the reviewer
STATUS_CHOICES = ("未整改", "整改中", "已整改", "不适用")
DATE_COLUMNS = ("整改时限", "整改完成日期")
NUMBER_COLUMNS = ("应为（复核）", "实际（填报）", "差异（复核−填报）")
FORMAT_COLUMNS = [("序号", 6, False), ("部门编码", 10, False), ("结论", 8, False), ("检查项", 24, True),
                  ("说明", 60, True), ("原文", 20, True), ("表内位置", 26, True)]


def finding_rows(audit) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(rows to track: 问题 then 无法核实, format notes), as the report orders and words them.

    A row's figures are text as the report shows them; ``_num`` holds the exact numbers behind
    them (plain strings) so the workbook can type those cells.
    """
    from ..engine.audit import verdict_label
    from ..core.vocab import Decision
    from .advice import advice
    from .places import Places
    from .sections import advice_context, signed

    d = audit.department
    labels, rescored = advice_context(audit)
    places = Places(d)
    extra = dict(getattr(audit.params, "sign_off", {}) or {}) if audit.params is not None else {}
    from .facts import facts, shown_difference

    track, notes = [], []
    for kind, kind_label in (("problem", "问题"), ("unverifiable", "无法核实")):
        records = audit.issues(kind, labels="machine").to_dict("records")
        group = {}
        if kind == "problem":  # in the report's order: one fact after another, its checks together
            fs = facts(audit, records)
            group = {f["key"]: f"{i}. {g.kind}：{g.title}" for i, g in enumerate(fs, 1) for f in g.findings}
            records = [f for g in fs for f in g.findings] + [r for r in records if r["key"] not in group]
        for r in records:
            e = audit.review.get(r["key"])
            if e is not None and e.decision is Decision.REJECTED:
                continue  # not adopted: nothing to rectify (the report's appendix keeps it)
            nums = {h: format(v, "f") for h, v in (("应为（复核）", r["expected"]), ("实际（填报）", r["actual"]),
                                                  ("差异（复核−填报）", shown_difference(r["check_id"], r["difference"])
                                                   if kind == "problem" else None))
                    if isinstance(v, Decimal)}
            status = "已整改" if e is not None and e.decision is Decision.RECTIFIED else (e.status if e else "") or "未整改"
            track.append({
                KEY: r["key"], "部门编码": d.code, "部门名称": d.name, "年度": str(d.year), "类别": kind_label,
                "问题归类": group.get(r["key"], ""),
                "结论": verdict_label(r["status"], r["severity"]), "检查编号": r["check_id"], "检查项": r["title"],
                "对象": str(r["subject"]), "问题": r["message"], "表内位置": places.cite(r["location"]),
                "应为（复核）": _shown(r["expected"]), "实际（填报）": _shown(r["actual"]),
                "差异（复核−填报）": signed(shown_difference(r["check_id"], r["difference"]))
                if kind == "problem" and r["difference"] is not None else "",
                "整改要求": advice(r, labels, rescored),
                "复核决定": audit.decision_text(r["key"]),
                "责任单位": extra.get("responsible_unit") or d.name,
                "整改时限": extra.get("rectify_deadline", ""),
                "部门说明": e.explanation if e is not None else "",
                "整改状态": status,
                "整改完成日期": e.rectified_on if e is not None else "",
                "_num": nums,
            })
    for r in audit.issues("format", labels="machine").to_dict("records"):
        notes.append({"部门编码": d.code, "结论": verdict_label(r["status"], r["severity"]), "检查项": f"{r['check_id']} {r['title']}",
                      "说明": r["message"], "原文": _shown(r["actual"]), "表内位置": places.cite(r["location"])})
    return track, notes


def _shown(value: Any) -> str:
    from .tables import number

    if value is None:
        return ""
    return str(number(value))


def tracking_document(audit) -> dict[str, list]:
    """What one department's 问题清单.xlsx holds, as plain rows: the audit notebook publishes it
    with its result, so ``kit render`` writes the workbook without auditing again."""
    track, notes = finding_rows(audit)
    d = audit.department
    s = audit.summary()
    info = [
        ("部门", f"{d.name}（{d.code}）{d.year} 年度"),
        ("自评总分 / 复核总分", f"{_pts(audit.totals['self'])}（{audit.grade['self']}） / "
                           f"{_pts(audit.totals['recomputed'])}（{audit.grade['recomputed']}）"),
        ("复核状态", f"{s['status_label']}：可复核 {_pts(s['points_rechecked'])} / {_pts(s['points_total'])} 分"),
        ("问题", f"{sum(s['problems'].values())} 条（错误 {s['problems']['error']}、警告 {s['problems']['warning']}、"
               f"提示 {s['problems']['info']}）；无法核实 {s['unverifiable']} 项；格式与解析说明 {s['format']} 条"),
    ]
    return {"track": track, "notes": notes, "info": [list(x) for x in info]}


def tracking_bytes(doc: dict[str, list]) -> bytes:
    """The 问题清单.xlsx of ``tracking_document``'s rows, as bytes (kit render writes it with the page)."""
    return _workbook_bytes(doc["track"], doc["notes"], [tuple(x) for x in doc["info"]])


def write_tracking(doc: dict[str, list], path: str | Path) -> Path:
    """Write a 问题清单.xlsx from ``tracking_document``'s rows (atomically)."""
    return _write(Path(path), doc["track"], doc["notes"], [tuple(x) for x in doc["info"]])


def write_issues_workbook(audit, path: str | Path) -> Path:
    """One department's 问题清单.xlsx, from its audit (JupyterLab and tests)."""
    return write_tracking(tracking_document(audit), path)


def write_batch_workbook(paths: Iterable[str | Path], path: str | Path) -> Path:
    """The batch's 问题清单.xlsx: the rows of every department's workbook, one after another.

    Read and written a department at a time (a stream): 10,000 departments take the memory of one.
    """
    book = _Book(stream=True)
    count, unread = 0, []
    for p in sorted(map(Path, paths)):
        try:
            sheets = _department_rows(p)
        except Exception:  # noqa: BLE001 - a workbook edited into something openpyxl cannot read: named, not fatal
            unread.append(p.name)
            continue
        for row in sheets[SHEET]:
            book.track(row)
        for row in sheets[FORMAT_SHEET]:
            book.note(row)
        count += 1
    info = [("部门数", str(count)), ("来源", "各部门的 <部门编码>-问题清单.xlsx")]
    if unread:
        info.append(("未能读取", "、".join(unread) + "（文件已损坏或不是 Excel 工作簿，其问题未列入本表）"))
    return replace_atomic(Path(path), book.finish(info))


def _department_rows(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The rows of one department's 问题清单.xlsx, by sheet (read whole before any is written)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        out: dict[str, list[dict[str, Any]]] = {SHEET: [], FORMAT_SHEET: []}
        for sheet, rows_out in out.items():
            if sheet not in wb.sheetnames:
                continue
            rows = wb[sheet].iter_rows(values_only=True)
            header = next(rows, None) or ()
            for values in rows:
                if any(v not in (None, "") for v in values):
                    rows_out.append({h: _unescaped(v) if isinstance(v, str) or v is None else v
                                     for h, v in zip(header, values) if h != "序号"})
        return out
    finally:
        wb.close()


def _unescaped(v: Any) -> str:
    from ..files.xlsxio.layout import _unescape

    return "" if v is None else _unescape(str(v))


def _pts(x) -> str:
    from .tables import score

    return score(x)


def _write(path: Path, track: list[dict[str, str]], notes: list[dict[str, str]], info: list[tuple[str, str]]) -> Path:
    """Write a workbook atomically (temporary file, then rename)."""
    return replace_atomic(path, _workbook_bytes(track, notes, info))


def _workbook_bytes(track: list[dict[str, Any]], notes: list[dict[str, Any]], info: list[tuple[str, str]]) -> bytes:
    book = _Book()
    for row in track:
        book.track(row)
    for row in notes:
        book.note(row)
    return book.finish(info)


class _Book:
    """A 问题清单 workbook filled row by row: the 问题清单 and 格式与解析说明 sheets, then 说明.

    ``stream``: openpyxl's write-only mode, each sheet's rows going to a temporary file rather
    than memory (a batch's workbook); it costs more for one department's few dozen rows.
    """

    def __init__(self, stream: bool = False):
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill

        self.wb = Workbook(write_only=stream)
        if not stream:
            self.wb.remove(self.wb.active)  # the sheets are made below, in their order
        self.head_font, self.head_fill = Font(bold=True), PatternFill("solid", fgColor="E8EDF2")
        self.reply_fill = PatternFill("solid", fgColor="FFF8E1")  # the department's columns
        self.wrap, self.top = Alignment(wrap_text=True, vertical="top"), Alignment(vertical="top")
        self.sheets = {}
        self.counts = {SHEET: 0, FORMAT_SHEET: 0}
        for title, columns, fill_cols in ((SHEET, COLUMNS, ("部门说明", "整改状态", "整改完成日期")),
                                          (FORMAT_SHEET, FORMAT_COLUMNS, ())):
            ws = self.wb.create_sheet(title)
            # Widths and the frozen header are written before the first row (write-only mode).
            for j, (_h, width, _w) in enumerate(columns, 1):
                ws.column_dimensions[_letter(j)].width = width
            ws.freeze_panes = "A2"
            header = []
            for h, _, _ in columns:
                c = self._cell(ws)
                _put(c, h)
                c.font, c.fill = self.head_font, self.reply_fill if h in fill_cols else self.head_fill
                header.append(c)
            ws.append(header)
            self.sheets[title] = (ws, columns)
        # Each row cell starts from a copy of its column's style (openpyxl's own recipe for copying a
        # style): assigning an Alignment hashes it again for every cell, a fifth of the time.
        self.aligned = {}
        for wrap, alignment in ((True, self.wrap), (False, self.top)):
            c = self._cell(ws)
            c.alignment = alignment
            self.aligned[wrap] = c._style

    def _cell(self, ws):
        from openpyxl.cell import WriteOnlyCell

        return WriteOnlyCell(ws)

    def _row(self, title: str, row: dict[str, Any]) -> None:
        ws, columns = self.sheets[title]
        self.counts[title] += 1
        nums = row.get("_num") or {}
        cells = []
        for h, _, w in columns:
            c = self._cell(ws)
            c._style = copy(self.aligned[w])
            if h == "序号":
                c.value = self.counts[title]
            elif h == "年度":
                _put_number(c, row.get(h), "0")
            elif h in NUMBER_COLUMNS and (h in nums or not isinstance(row.get(h), str)):
                _put_number(c, nums.get(h, row.get(h)), "#,##0.00", fallback=row.get(h))
            elif h in DATE_COLUMNS:
                _put_date(c, row.get(h))
            else:
                c.number_format = "@"
                _put(c, row.get(h, ""))
            cells.append(c)
        ws.append(cells)

    def track(self, row: dict[str, Any]) -> None:
        self._row(SHEET, row)

    def note(self, row: dict[str, Any]) -> None:
        self._row(FORMAT_SHEET, row)

    def finish(self, info: list[tuple[str, str]]) -> bytes:
        from openpyxl.worksheet.datavalidation import DataValidation

        for title, (ws, columns) in self.sheets.items():
            if self.counts[title]:
                ws.auto_filter.ref = f"A1:{_letter(len(columns))}{self.counts[title] + 1}"
        ws, _columns = self.sheets[SHEET]
        headers = [h for h, _, _ in COLUMNS]
        last = max(self.counts[SHEET] + 1, 2) + 500

        def letter(h: str) -> str:
            return _letter(headers.index(h) + 1)

        dv = DataValidation(type="list", formula1='"' + ",".join(STATUS_CHOICES) + '"', allow_blank=True,
                            showErrorMessage=True, errorTitle="整改状态", error="请从列表中选择：" + "、".join(STATUS_CHOICES))
        ws.data_validations.append(dv)  # write-only sheets have no add_data_validation
        dv.add(f"{letter('整改状态')}2:{letter('整改状态')}{last}")
        dates = DataValidation(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                               allow_blank=True, showErrorMessage=True, errorTitle="日期",
                               error="请填写日期，例如 2023-06-30")
        ws.data_validations.append(dates)
        for h in DATE_COLUMNS:
            dates.add(f"{letter(h)}2:{letter(h)}{last}")
        wi = self.wb.create_sheet(INFO_SHEET)
        wi.column_dimensions["A"].width, wi.column_dimensions["B"].width = 22, 90
        lines = info + [
            ("用途", "按“问题清单”逐条整改：部门填写“部门说明”“整改状态”“整改完成日期”（黄色列），复核人填写“复核意见”；"
                   "填好后交回复核人，由 kit review-import 按“问题键”读回复核文件。请勿修改“问题键”。"),
            ("差异", "差异 = 复核（应为）− 填报（实际），与报告一致；不足为负数。"),
            ("整改状态", "、".join(STATUS_CHOICES)),
        ]
        for k, v in lines:
            key, value = self._cell(wi), self._cell(wi)
            _put(key, k)
            key.font = self.head_font
            _put(value, v)
            value.alignment = self.wrap
            wi.append([key, value])
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _put_number(cell, value: Any, fmt: str, fallback: Any = None) -> None:
    """A number cell when ``value`` is an exact number Excel can hold (15 significant digits), else text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.value, cell.number_format = value, fmt
        return
    try:
        d = Decimal(str(value).replace(",", "").lstrip("+")) if value not in (None, "") else None
    except InvalidOperation:
        d = None
    if d is not None and d.is_finite() and len(d.as_tuple().digits) <= 15:
        cell.value = int(d) if d == d.to_integral_value() and fmt == "0" else float(d)
        cell.number_format = fmt
    else:
        cell.number_format = "@"
        _put(cell, value if fallback is None else fallback)


def _put_date(cell, value: Any) -> None:
    import datetime as dt

    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        cell.value = value
    else:
        try:
            cell.value = dt.date.fromisoformat(str(value).strip()) if value not in (None, "") else None
        except ValueError:
            _put(cell, value)  # not a date: kept as written, the reader says so
            return
    cell.number_format = "yyyy-mm-dd"


def _put(cell, value: Any) -> None:
    """A text cell holding ``value`` exactly; never a formula."""
    text = "" if value is None else str(value)
    if not text:
        return
    cell.value = _escape(text)[:MAX_CELL_CHARS]
    cell.data_type = "s"  # openpyxl would read '=…' as a formula
    if text.startswith(_FORMULA_LEAD):
        cell.quotePrefix = True  # Excel keeps it text when the cell is edited

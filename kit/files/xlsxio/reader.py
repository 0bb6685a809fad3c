"""Reading a filled workbook (the template's layout) into a department.

Accepts what Excel does to a workbook a person filled in (numbers typed into General cells,
merged cells, percent formats) and reports everything it cannot accept -- formulas, dates in
amount cells, missing or unknown sheets and columns -- together, naming the sheet, row and column.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import warnings
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ...core.errors import KitError, LoadError, Problem
from ..intake import build
from ...core.safeio import read_bounded
from ...core.xlsxguard import check_archive
from ...model import (
    FUNDS_FIELDS,
    BUDGET_PARTS,
    BUDGET_STAGES,
    FORMAT,
    INDICATOR_EXTRA_FIELDS,
    NARRATIVE_SECTIONS,
    SUPPLEMENTARY,
    Department,
    Source,
)
from ...core.yamlio import NumberText
from .layout import (
    ALL_INFO_ROWS, BLOCK_SHEET, BLOCK_SHEETS, BUDGET_COLS, Col, FAMILY_ROW, FUNDS_HEADER_ROW, FUNDS_REASON_COL, FUNDS_TOP,
    FUND_COLS, INDICATOR_COLS_FULL, KEY_COL, MAX_XLSX_BYTES, NARRATIVE_TOTAL_LABEL, REASON_COL, SELF_ROWS,
    STAGE_COL, SUPP_COLS, S_BUDGET, S_FUNDS, S_GOALS, S_GROUPS, S_GUIDE, S_INDICATORS, S_INFO, S_LINES,
    S_NARRATIVE, S_SCORES, S_SELF, S_STRAY, S_SUPP, S_TASKS, TABLES, VALUE_COL, _drop_blank, _incomplete_keys,
    _info_rows, _is_default, _merge, _norm_header, _set, _unescape, family_sheets
)


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
        from ...families import get_family

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

"""The Shenzhen form from a PDF's ruled tables: each cell placed by its column header.

pdfplumber gives each table as cells on a grid (``sources.Table``). A table is recognised by
its header cells (部门支出总金额, 任务名称, 评分标准 ...); a table continued on the next page is
recognised by its repeated header, or, without one, by the same column edges as the table
before it. Header cells name each column, so data cells are placed by ``layout``; a merged
一级/二级指标 cell covers the rows below it (a merged cell cut by a page break continues on the
next page, ``inferred``). Cell text is joined line by line with measured widths
(``wrap.join_cell_lines``). Text outside every table is the title (the year), the repeated
page header, or stray text (a seal, a page number) listed as not placed.
"""
from __future__ import annotations

import difflib
import re

from ..model import NARRATIVE_SECTIONS
from .record import Record, cell_source, lines_source
from .shenzhen_vocab import (
    HEAD_RE,
    INDICATOR_LEVEL2,
    LINE_BLOCK_LABELS,
    NARRATIVE_ORDER,
    PART_NUMERALS,
    PART_RE,
    PROFILE_LABELS,
    STAGE_LABELS,
    TITLE_RE,
    YEAR_TITLE,
    is_label,
    label_key,
    norm,
)
from .shenzhen_cells import place_amount, unit_of
from .sources import Cell, Form, Table
from .wrap import join_cell_lines

KINDS = ("info", "budget", "lines", "tasks", "goals", "indicators", "scores", "narr_head", "narrative")


class CellLayout:
    def __init__(self, form: Form, record: Record):
        self.form = form
        self.rec = record
        self.rows: dict[str, int] = {"tasks": 0, "indicators": 0, "scores": 0, "sections": 0,
                                     "basic_lines": 0, "project_lines": 0, "transfer_lines": 0}
        self.carry: dict[str, Cell | None] = {}
        self.seen_reason = False
        self.sections: list[tuple[Cell | None, Cell, Cell]] = []

    # helpers
    def text(self, t: Table, cell: Cell) -> str:
        inner = (cell.x1 - cell.x0) - 2 * t.pad
        return join_cell_lines(cell.lines, inner).strip()

    def place(self, path: tuple, t: Table, cell: Cell, how: str = "layout", reason: str = "", amount: bool = False,
              unit: str = "") -> None:
        value = self.text(t, cell)
        if amount:
            place_amount(self.rec, path, value, cell_source(cell), unit, how, reason, verify=cell.raw)
        else:
            self.rec.place(path, value, cell_source(cell), how, reason)

    def units(self, cols: dict[int, list[str]], table: str) -> dict[int, str]:
        """Each column's printed unit (its own header label's, else the table's spanning label's)."""
        out = {col: next((unit_of(x) for x in reversed(labels) if unit_of(x)), "") for col, labels in cols.items()}
        printed = {u for u in out.values() if u}
        if printed - {"元"}:
            self.rec.note(f"{table}表头印出金额单位“{'、'.join(sorted(printed))}”：金额按原样保留并注明单位"
                          "（如 “197879.94万元”），审核时换算为元比较")
        return out

    def header_rows(self, t: Table) -> tuple[list[int], dict[int, list[str]]]:
        """Header rows (all their cells printed labels) and each column's labels, top down."""
        heads: list[int] = []
        cols: dict[int, list[str]] = {}
        for r, row in enumerate(t.rows(), start=1):
            texts = [norm(c.raw) for c in row]
            if any(texts) and all(not x or is_label(x) or x in ("分数",) for x in texts):
                heads.append(r)
                for c in row:
                    label = norm(c.raw)
                    if not label:
                        continue
                    for col in range(c.col, c.col + c.colspan):
                        if label not in cols.setdefault(col, []):
                            cols[col].append(label)
        return heads, cols

    def classify(self, t: Table) -> str | None:
        return classify_table(t)

    # the whole form
    def run(self) -> None:
        prev_kind, prev_edges = None, None
        for t in self.form.tables:
            kind = self.classify(t)
            edges = sorted({round(c.x0) for c in t.cells} | {round(c.x1) for c in t.cells})
            if kind is None and prev_kind and _same_edges(edges, prev_edges):
                kind = prev_kind
                self.rec.note(f"第{t.page}页表{t.index}没有表头，列位置与上一页的表相同，按其续表读取")
            if kind is None:
                for c in t.cells:
                    if c.raw.strip():
                        self.rec.not_placed(c.raw, cell_source(c), "无法识别所属栏目的表格中的文字")
                continue
            getattr(self, kind)(t)
            prev_kind, prev_edges = kind, edges
        self.free_text()
        self.narrative_sections()

    # tables
    def info(self, t: Table) -> None:
        for row in t.rows():
            for k, c in enumerate(row):
                label = norm(c.raw)
                nxt = row[k + 1] if k + 1 < len(row) else None
                if nxt is None:
                    continue
                if label == "部门名称":
                    self.place(("department", "name"), t, nxt)
                elif label == "部门编码":
                    self.place(("department", "code"), t, nxt)
                elif label in PROFILE_LABELS:
                    self.place(("profile", PROFILE_LABELS[label]), t, nxt)
                else:
                    continue
                self.rec.labels_read += 1

    def budget(self, t: Table) -> None:
        heads, cols = self.header_rows(t)
        fields = {}
        for col, labels in cols.items():
            joined = "".join(labels)
            if "部门支出总金额" in joined:
                fields[col] = "total"
            elif "基本支出总金额" in joined:
                fields[col] = "basic"
            elif "项目支出总金额" in joined:
                fields[col] = "project"
            elif "预算调整" in joined:
                fields[col] = "reason"
        units = self.units(cols, "预算总表")
        for r, row in enumerate(t.rows(), start=1):
            if r in heads:
                continue
            stage = next((STAGE_LABELS[label_key(c.raw)] for c in row if label_key(c.raw) in STAGE_LABELS), None)
            for c in row:
                f = fields.get(c.col)
                if f == "reason":
                    if not self.seen_reason:
                        self.place(("budget", "adjustment_reason"), t, c)
                        self.seen_reason = True
                elif f and stage and c.row == r:
                    self.place(("budget", stage, f), t, c, amount=True, unit=units.get(c.col, ""))
                elif f and c.row == r:
                    self.rec.not_placed(c.raw, cell_source(c), "预算总表中找不到行标签的数值")

    def lines(self, t: Table) -> None:
        fields: dict[int, str] = {}
        block = None
        units: dict[int, str] = {}
        for r, row in enumerate(t.rows(), start=1):
            texts = [norm(c.raw) for c in row]
            if "序号" in texts:
                fields = {}
                units = self.units({c.col: [norm(c.raw)] for c in row}, "支出明细表")
                for c in row:
                    label = norm(c.raw)
                    if label in LINE_BLOCK_LABELS:
                        block = LINE_BLOCK_LABELS[label]
                    elif label == "序号":
                        fields[c.col] = "no"
                    elif "项目名称" in label:
                        fields[c.col] = "name"
                    elif "预算调整后金额" in label:
                        fields[c.col] = "adjusted"
                    elif "预算金额" in label:
                        fields[c.col] = "budget"
                    elif "实际支出金额" in label:
                        fields[c.col] = "actual"
                self.rec.labels_read += 1
                continue
            if block is None or not any(c.raw.strip() for c in row if c.row == r):
                continue
            k = self.rows[block]
            for c in row:
                f = fields.get(c.col)
                if f and c.row == r:
                    self.place((block, k, f), t, c, amount=f in ("budget", "adjusted", "actual"), unit=units.get(c.col, ""))
            self.rows[block] += 1

    def tasks(self, t: Table) -> None:
        heads, cols = self.header_rows(t)
        fields = {}
        for col, labels in cols.items():
            joined = "".join(labels)
            side = "budget" if "预算数" in joined else "actual" if "执行数" in joined else None
            part = "total" if labels[-1] == "总数" else "fiscal" if "财政拨款" in labels[-1] else "other" if "其他资金" in labels[-1] else None
            if "任务名称" in joined:
                fields[col] = ("name",)
            elif "主要内容" in joined:
                fields[col] = ("content",)
            elif "完成情况" in labels[-1]:
                fields[col] = ("status",)
            elif side and part:
                fields[col] = (side, part)
        units = self.units(cols, "年度主要任务表")
        if heads and self.rows["tasks"]:
            self.rec.note(f"第{t.page}页：年度主要任务表跨页，表头重复印出，已略过")
        for r, row in enumerate(t.rows(), start=1):
            if r in heads or not any(c.raw.strip() for c in row if c.row == r):
                continue
            k = self.rows["tasks"]
            for c in row:
                f = fields.get(c.col)
                if f and c.row == r:
                    self.place(("tasks", k) + f, t, c, amount=len(f) == 2, unit=units.get(c.col, ""))
            self.rows["tasks"] += 1

    def goals(self, t: Table) -> None:
        heads, cols = self.header_rows(t)
        for r, row in enumerate(t.rows(), start=1):
            if r in heads:
                continue
            for c in row:
                labels = "".join(cols.get(c.col, []))
                if "目标完成实际情况" in labels:
                    self.place(("goals", "actual"), t, c)
                elif "预期目标" in labels:
                    self.place(("goals", "expected"), t, c)

    def _levels_table(self, t: Table, block: str, mapping) -> None:
        heads, cols = self.header_rows(t)
        fields = {}
        seen_score = False
        for col in sorted(cols):
            f = mapping(cols[col])
            if f == "weight" and seen_score:
                f = "self_score"  # the second 分数 column is the self score
            if f == "weight":
                seen_score = True
            if f:
                fields[col] = f
        first_data = None
        for r, row in enumerate(t.rows(), start=1):
            if r in heads or not any(c.raw.strip() for c in row if c.row == r and fields.get(c.col) not in ("level1", "level2")):
                continue
            k = self.rows[block]
            first_data = r if first_data is None else first_data
            for c in row:
                f = fields.get(c.col)
                if not f:
                    continue
                if f in ("level1", "level2"):
                    self._level(t, c, block, k, f, c.row == first_data)
                elif c.row == r:
                    self.place((block, k, f), t, c, amount=f in ("weight", "self_score"))
            self.rows[block] += 1

    def _level(self, t: Table, c: Cell, block: str, k: int, f: str, at_top: bool) -> None:
        """一级/二级指标 from a cell that may be merged over several rows and cut by a page break:
        the part of a merged cell continued at the top of a page prints nothing."""
        key = f"{block}.{f}"
        text = self.text(t, c)
        if text:
            self.carry[key] = (t, c)
            self.rec.place((block, k, f), text, cell_source(c))
        elif at_top and self.carry.get(key) and self.carry[key][1].page < c.page:
            pt, pc = self.carry[key]
            self.rec.place((block, k, f), self.text(pt, pc), cell_source(c), "inferred",
                           f"合并单元格跨页，本页续接的部分没有印字；沿用上页（第{pc.page}页）的“{self.text(pt, pc)}”")
        else:
            self.rec.absent((block, k, f), "", cell_source(c), "这一格没有印字", blank="")

    def indicators(self, t: Table) -> None:
        def mapping(labels):
            last = labels[-1] if labels else ""
            return {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "指标值": "target",
                    "实际完成指标值": "actual"}.get(last)

        self._levels_table(t, "indicators", mapping)

    def scores(self, t: Table) -> None:
        def mapping(labels):
            last = labels[-1] if labels else ""
            return {"一级指标": "level1", "二级指标": "level2", "三级指标": "level3", "分数": "weight",
                    "指标说明": "description", "评分标准": "criteria", "自评分数": "self_score"}.get(last)

        self._levels_table(t, "scores", mapping)

    def narr_head(self, t: Table) -> None:
        for row in t.rows():
            for k, c in enumerate(row[:-1]):
                label = norm(c.raw)
                if label_key(c.raw).replace("(元)", "") == "部门预算总额":
                    self.place(("narrative", "budget_total"), t, row[k + 1], amount=True, unit=unit_of(label))
                elif label in ("部门名称", "部门编码"):
                    key = "name" if label == "部门名称" else "code"
                    have = self.rec.doc.get("department", {}).get(key)
                    if have is None:
                        self.place(("department", key), t, row[k + 1])
                    elif norm(self.text(t, row[k + 1])) != norm(have):
                        self.rec.note(f"自评报告表头的{label}“{self.text(t, row[k + 1])}”与自评表的“{have}”不同")
                else:
                    continue
                self.rec.labels_read += 1

    def narrative(self, t: Table) -> None:
        for r, row in enumerate(t.rows(), start=1):
            title = next((c for c in row if TITLE_RE.match(_flat(c))), None)
            if title is None:
                continue
            part = next((c for c in row if c.col < title.col), None)
            text = next((c for c in row if c.col > title.col), None)
            self.sections.append((t, part, title, text))

    def narrative_sections(self) -> None:
        groups: list[list] = []
        last_part = None
        for item in self.sections:
            t, part, title, text = item
            key = (part.page, part.table, part.row) if part is not None else None
            if _numeral(_flat(title)) == "一" or not groups or (key and key != last_part and part.raw.strip()):
                groups.append([])
            groups[-1].append(item)
            last_part = key
        for g, group in enumerate(groups):
            part_text = next((self.text(t, p) for t, p, _ti, _tx in group if p is not None and p.raw.strip()), "")
            m = PART_RE.match(part_text)
            gi = PART_NUMERALS.index(m.group(1)) if m and m.group(1) in PART_NUMERALS else g
            order = NARRATIVE_ORDER[gi] if gi < len(NARRATIVE_ORDER) else ()
            for j, (t, part, title, text) in enumerate(group):
                title_text = self.text(t, title)
                if j >= len(order):
                    self.rec.not_placed(title_text, cell_source(title), "自评报告中多出的一节")
                    continue
                key = order[j]
                base = ("narrative", "sections", self.rows["sections"])
                label = NARRATIVE_SECTIONS[key]
                m = TITLE_RE.match(title_text) or TITLE_RE.match(_flat(title))
                sim = difflib.SequenceMatcher(None, m.group(2) if m else title_text, label).ratio()
                if sim >= 0.6:
                    self.rec.place(base + ("key",), key, cell_source(title))
                else:
                    self.rec.place(base + ("key",), key, cell_source(title), "inferred",
                                   f"标题与“{label}”不尽相同，按其在第{gi + 1}部分中的位置")
                if part is not None and part_text:
                    self.rec.place(base + ("part",), part_text, cell_source(part),
                                   "layout" if part.raw.strip() else "inferred", "" if part.raw.strip() else "合并单元格跨页续接")
                else:
                    self.rec.absent(base + ("part",), "", cell_source(title), "没有部分标题", blank="")
                self.rec.place(base + ("title",), title_text, cell_source(title))
                if text is not None:
                    self.place(base + ("text",), t, text)
                else:
                    self.rec.absent(base + ("text",), "", cell_source(title), "这一节没有正文", blank="")
                self.rows["sections"] += 1

    def free_text(self) -> None:
        dep = self.rec.doc.get("department", {})
        stray = list(self.rec.doc.get("stray", []))
        for ln in self.form.free_lines:
            s = ln.text.strip()
            m = YEAR_TITLE.search(s)
            if m and "year" not in dep:
                self.rec.place(("department", "year"), int(m.group(1)), lines_source([ln]), verify=s)
                self.rec.labels_read += 1
                continue
            if HEAD_RE.match(s) or (dep.get("name") and dep.get("code") and norm(s) == norm(f"{dep['name']}部门编码{dep['code']}")):
                self.rec.labels_read += 1
                continue
            if is_label(s) or re.fullmatch(r"第?\s*\d+\s*页(?:\s*/?\s*共?\s*\d+\s*页)?|-\s*\d+\s*-", s):
                self.rec.labels_read += 1
                continue
            stray.append(s)
            self.rec.not_placed(s, lines_source([ln]), "表格之外、不属于任何栏目的文字（印章等），列入“无归属文字”")
        self.rec.doc["stray"] = stray


def classify_table(t: Table) -> str | None:
    """Which block a table holds, from its printed labels (exact label cells, not words
    inside texts: a narrative may well mention 评价指标)."""
    if any(TITLE_RE.match(_flat(c)) for c in t.cells if c.col <= 2):
        return "narrative"
    labels = {label_key(c.raw) for c in t.cells if c.row <= 3 and is_label(c.raw)}
    if {"部门名称", "部门编码"} <= labels:
        return "narr_head" if any(x.startswith("部门预算总额") for x in labels) else "info"
    if label_key("部门支出总金额（元）") in labels:
        return "budget"
    if "序号" in labels and "项目名称" in labels:
        return "lines"
    if labels & {"任务名称", "年度主要任务完成情况"}:
        return "tasks"
    if "预期目标" in labels:
        return "goals"
    if labels & {"评分标准", "评价指标", "指标说明"}:
        return "scores"
    if {"三级指标", "指标值"} <= labels:
        return "indicators"
    return None


def _numeral(title: str) -> str:
    """The numeral of a section title '（一）…' ('' when the title does not read as one)."""
    m = TITLE_RE.match(title)
    return m.group(1) if m else ""


def _flat(c: Cell) -> str:
    return c.raw.replace("\n", "").strip()


def _same_edges(a: list[int] | None, b: list[int] | None, tol: int = 2) -> bool:
    if not a or not b or len(a) != len(b):
        return False
    return all(abs(x - y) <= tol for x, y in zip(a, b))


__all__ = ["CellLayout", "INDICATOR_LEVEL2", "KINDS"]

"""Reading one form: its cells into blocks (by the label that opened last), the head, the texts and
the tail, the blocks cut by the page, and what is left over (to ``stray``).

The blocks of numbers are read by the bases of ``FormReader``: ``funds`` (项目资金 / 预算执行情况,
年度总体目标), ``indicators`` (绩效指标 and the 总分 row) and ``resolve`` (decisions that need the
whole table: 一级指标 names, the printed sums).
"""
from __future__ import annotations

from typing import Callable

from ...model import BLOCK_LABELS
from ..sources import Form
from ..cells import Grid, Tok, kind, norm, readable_number
from ..record import Record
from .funds import FundsReading
from .indicators import IndicatorReading
from .place import Placed, span_src, where
from .resolve import TableDecisions
from .split import Part
from .words import (
    BLOCK_ORDER, EXTRA_TEXT, FUNDS_LABEL, FUNDS_SPECIFIC, FUNDS_START, GOALS_START, HEADER_LABELS, IND_START, INLINE,
    INLINE_PATHS, SELF_TEXTS, TAIL, TITLE_CONT, TITLE_YEAR, TOTAL, funds_col, ind_col, is_title, unnumbered,
)


class FormReader(FundsReading, IndicatorReading, TableDecisions):
    """One form of the file: its cells into blocks by their labels, each block read into the record.

    The blocks of funds and goals, of indicators and the 总分 row, and the decisions that need the
    whole indicator table are read by the three bases (``funds``, ``indicators``, ``resolve``)."""

    def __init__(self, form: Form, grid: Grid, part: Part, rec: Record, last: bool):
        self.form, self.grid, self.part, self.rec = form, grid, part, rec
        self.last = last  # the form runs to the end of the file (a cut there is the page's end)
        self.rows = grid.rows[part.start:part.stop]
        self.toks = [t for row in self.rows for t in row if not t.carried]
        self.used: set[int] = set()
        self.blocks: dict[str, list[Tok]] = {}
        self.order: list[str] = []  # blocks in printed order
        self.ind_fields: list[str] = []
        self.groups: list[dict] = []  # score groups: name, weight, name_tok, rows
        self.notes_text: list[Tok] = []
        self.inds: list[dict] = []  # per indicator: {'cells': {f: Tok}, 'how': ..., 'placed': Placed, 'group': k}
        self.closed: set[str] = set()
        self.inline: list[tuple[tuple, str, Tok]] = []  # 单位名称:… printed above the table
        self.heads: dict[str, Tok] = {}  # indicator column -> its printed header cell

    # helpers
    def take(self, *toks: Tok) -> None:
        self.used.update(t.idx for t in toks)

    def place(self, path: tuple, tok: Tok, how: str = "layout", reason: str = "", value=None, numeric: bool = False) -> None:
        value = tok.text if value is None else value
        if numeric and not readable_number(value):
            self.rec.absent(path, tok.text, tok.src, "此栏应为数字，印出的不是数字，未导入")
            self.take(tok)
            return
        self.rec.place(path, value, tok.src, how, reason, verify=tok.text if numeric else None)
        self.take(tok)

    # sections
    def run(self) -> None:
        self.scan()
        self.header(self.blocks.get("header", []))
        if "funds" in self.blocks:
            self.funds(self.blocks["funds"])
        if "goals" in self.blocks:
            self.goals(self.blocks["goals"])
        if "indicators" in self.blocks:
            self.indicators(self.blocks["indicators"])
        if "total" in self.blocks:
            self.total(self.blocks["total"])
        for key in ("self_eval", "extra", "tail"):
            if key in self.blocks:
                getattr(self, key)(self.blocks[key])
        self.resolve_indicators()
        self.incomplete()
        self.leftovers()

    def scan(self) -> None:
        """Each cell to the block whose label opened last."""
        state = "header"
        for t in self.toks:
            k = t.key
            new = None
            if FUNDS_START.match(k) and state != "funds":
                new = "funds"
            elif funds_col(k) in FUNDS_SPECIFIC and state not in ("funds",):
                new = "funds"
            elif GOALS_START.match(k) and state != "goals":
                new = "goals"
            elif (IND_START.match(k) or (ind_col(k) == "level1" and state != "indicators")) and state != "indicators":
                new = "indicators"
            elif TOTAL.match(k) and state == "indicators":
                new = "total"
            elif k in SELF_TEXTS:
                new = "self_eval"
            elif EXTRA_TEXT.match(k):
                new = "extra"
            elif TAIL.match(k) and state != "header":
                new = "tail"
            if new:
                state = new
                if new not in self.order:
                    self.order.append(new)
            self.blocks.setdefault(state, []).append(t)
        if "header" in self.blocks and "header" not in self.order:
            self.order.insert(0, "header")

    def head_labels(self, toks: list[Tok], is_head: Callable[[int, Tok], bool]) -> int:
        """A block's header labels at its start (blank cells passed over), each taken and counted;
        ``is_head(i, cell)`` says whether the cell is one (and notes what it names). Returns the
        index of the first cell after them."""
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.text:
                if not is_head(i, t):
                    break
                self.take(t)
                self.rec.labels_read += 1
            i += 1
        return i

    def _value_run(self, toks: list[Tok], i: int, stop_at: Callable[[str], bool]) -> tuple[list[Tok], int]:
        """Cells after a label up to the next label (and, where rows are printed, the row's end)."""
        out = []
        row = toks[i].row
        j = i + 1
        while j < len(toks):
            t = toks[j]
            if stop_at(t.key) or (self.grid.style != "stream" and t.row != row):
                break
            out.append(t)
            j += 1
        return out, j

    def _is_label(self, key: str) -> bool:
        k = key.rstrip(":：")
        return bool(k in HEADER_LABELS or is_title(key) or FUNDS_START.match(key) or GOALS_START.match(key)
                    or IND_START.match(key) or TOTAL.match(key) or k in SELF_TEXTS or EXTRA_TEXT.match(key)
                    or TAIL.match(key) or funds_col(key) or ind_col(key) or INLINE.match(key))

    # head --------------------------------------------------------------------------------------
    def header(self, toks: list[Tok]) -> None:
        found: dict[tuple, Tok] = {}
        leftover: list[Tok] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            k = t.key
            if not t.text:
                i += 1
                continue
            if is_title(k) and "title" not in found:
                title, used = t.text, [t]
                if i + 1 < len(toks) and TITLE_CONT.match(toks[i + 1].key):
                    used.append(toks[i + 1])
                    title = title + toks[i + 1].text
                    i += 1
                src = used[0].src if len(used) == 1 else span_src(used)
                self.rec.place(("header", "title"), title, src)
                self.take(*used)
                found[("header", "title")] = t
                m = TITLE_YEAR.search(norm(title))
                if m:
                    self.rec.place(("department", "year"), int(m.group(1)), src, verify=title)
                i += 1
                continue
            label = k.rstrip(":：")
            if label in HEADER_LABELS:
                path = HEADER_LABELS[label]
                vals, j = self._value_run(toks, i, self._is_label)
                vals = [v for v in vals if v.text]
                self.take(t)
                self.rec.labels_read += 1
                if vals and path not in found:
                    text = " ".join(v.text for v in vals)
                    self.rec.place(path, text, vals[0].src if len(vals) == 1 else span_src(vals))
                    self.take(*vals)
                    found[path] = vals[0]
                elif vals:
                    prev = self.rec.doc.get(path[0], {}).get(path[1])
                    if prev != " ".join(v.text for v in vals):
                        self.rec.note(f"{vals[0].src.get('line', '')}：“{label}”又印作“{' '.join(v.text for v in vals)}”，"
                                      f"已取前面的“{prev}”".lstrip("："))
                    self.take(*vals)
                i = max(j, i + 1)
                continue
            inline = list(INLINE.finditer(t.text))
            if inline:
                self.take(t)
                for m in inline:
                    key = norm(m.group(1))
                    path = INLINE_PATHS.get(key)
                    if path and m.group(2):
                        self.inline.append((path, m.group(2), t))
                    else:
                        self.rec.not_placed(f"{m.group(1)}：{m.group(2)}", t.src, "表头信息（填报日期、编号等），数据文件没有此栏目")
                i += 1
                continue
            if FUNDS_LABEL.match(k) or funds_col(k):
                i += 1
                continue
            leftover.append(t)
            i += 1
        for path, value, tok in self.inline:
            if path in found:
                if norm(self.rec.doc[path[0]][path[1]]) != norm(value):
                    self.rec.note(f"表头“{tok.text}”与表内所印“{self.rec.doc[path[0]][path[1]]}”不同，已取表内所印")
                continue
            self.rec.place(path, value, tok.src, verify=tok.text)
            found[path] = tok
        if ("department", "name") not in found and ("header", "implementer") in found:
            self.rec.place(("department", "name"), self.rec.doc["header"]["implementer"], found[("header", "implementer")].src,
                           "inferred", "表上没有部门（单位）名称一栏；取实施单位")
        self.stray_rows(leftover)

    def stray_rows(self, toks: list[Tok]) -> None:
        """Printed cells that fit no field: one stray text per printed row ('标签：值；标签：值')."""
        by_row: dict[int, list[Tok]] = {}
        for t in toks:
            if t.text and t.idx not in self.used:
                by_row.setdefault(t.row, []).append(t)
        for row in by_row.values():
            parts, k = [], 0
            while k < len(row):
                a = row[k]
                if k + 1 < len(row) and kind(a.text) == "text" and not self._is_label(row[k + 1].key):
                    parts.append(f"{unnumbered(a.text)}：{row[k + 1].text}")
                    k += 2
                else:
                    parts.append(unnumbered(a.text))
                    k += 1
            text = "；".join(parts)
            self.rec.doc.setdefault("stray", []).append(text)
            self.rec.not_placed(text, span_src(row), "表上印出、但数据文件没有对应栏目的内容，已放入无归属文字")
            self.take(*row)

    def _by_column(self, cells: list[Tok], cols: list[tuple[str, Tok]]) -> Placed:
        """PDF cells: each to the column whose printed header stands above it."""
        out = Placed()
        for c in cells:
            f = next((name for name, h in cols if c.under(h)), None)
            if f is None:
                if c.text and not c.carried:
                    out.open_cells.append(c)
                continue
            if f not in out.cells:
                out.cells[f] = c
                out.how[f] = ("layout", "")
        if out.open_cells:
            out.reason = "单元格不在任何栏目名称之下"
        return out

    def _open(self, placed: Placed, path: tuple, label: str = "") -> None:
        if not placed.open_cells:
            return
        raw = " ".join(c.text for c in placed.open_cells)
        for f in placed.open_fields or ["?"]:
            self.rec.absent(path + (f,), raw, span_src(placed.open_cells), placed.reason)
        self.take(*placed.open_cells)

    def _ends_block(self, block: str) -> bool:
        """The block runs to the end of the file without its closing row (the page is cut)."""
        return self.order and self.order[-1] == block

    def self_eval(self, toks: list[Tok]) -> None:
        i = 0
        while i < len(toks):
            t = toks[i]
            f = SELF_TEXTS.get(t.key)
            if f is None:
                if t.text and t.idx not in self.used:
                    self.stray_rows([t])
                i += 1
                continue
            self.take(t)
            self.rec.labels_read += 1
            vals, j = self._value_run(toks, i, lambda k: k in SELF_TEXTS or bool(TAIL.match(k)))
            vals = [v for v in vals if v.text]
            if vals:
                text = "\n".join(v.text for v in vals) if self.grid.style == "stream" else " ".join(v.text for v in vals)
                self.rec.place(("self_eval", f), text, vals[0].src if len(vals) == 1 else span_src(vals))
                self.take(*vals)
            i = max(j, i + 1)

    def extra(self, toks: list[Tok]) -> None:
        if not any(t.text for t in toks[1:]):  # the template's item printed with nothing in it
            self.take(*toks)
            self.rec.labels_read += 1
            return
        self.stray_rows(toks)

    def tail(self, toks: list[Tok]) -> None:
        for t in toks:
            if not t.text:
                self.take(t)
                continue
            if t.key.startswith("注") or t.key.startswith("备注") or self.notes_text:
                self.notes_text.append(t)
                self.take(t)
                continue
            self.rec.not_placed(t.text, t.src, "表尾信息（负责人、电话等），数据文件没有此栏目")
            self.take(t)
        if self.notes_text:
            first = self.notes_text[0]
            self.rec.note(f"{where(first.src)}起的表下注释（评分口径等）已读出，未作为数据导入")

    def incomplete(self) -> None:
        cut: list[str] = []
        if self.part.cut_top:
            first = next((b for b in BLOCK_ORDER if b in self.order or (b == "self_eval" and "total" in self.order)), None)
            cut += [b for b in BLOCK_ORDER[: BLOCK_ORDER.index(first)]] if first else []
        if self.last and self.order:
            end = self.order[-1]
            if end == "indicators" and "indicators" not in self.closed:
                cut += ["indicators", "self_eval"]
            elif end in ("header", "funds", "goals"):
                seen = set(self.order)
                cut += [end] + [b for b in ("funds", "goals", "indicators", "self_eval") if b not in seen]
        if cut:
            self.rec.doc["incomplete"] = list(dict.fromkeys(cut))
            self.rec.note("页面未载全：" + "、".join(block_label(b) for b in self.rec.doc["incomplete"])
                          + " 被截断或不在页面上（其合计无法核对，不是表的错误）")

    def leftovers(self) -> None:
        left = [t for t in self.toks if t.text and t.idx not in self.used]
        if left:
            self.stray_rows(left)


def block_label(b: str) -> str:
    return BLOCK_LABELS.get(b, b)

"""The 绩效指标 block: its header row, its rows (text rows with merged 一级/二级 cells carried, or PDF
cells under their headers, score groups from ``一级指标(N分)``) and the 总分 row that closes it."""
from __future__ import annotations

from ..cells import Tok, kind
from .place import Placed, lead_shifts, place_row, span_src, where
from .words import (
    GROUP, IND_START, IND_WRAP, LEVEL1, PLACEHOLDER, TOTAL, group_name, ind_col, is_level, level1_name,
)


class IndicatorReading:
    """``FormReader``'s reading of the indicator table (rows kept in ``inds`` and ``groups`` for
    ``resolve``) and of the 总分 row."""

    def indicators(self, toks: list[Tok]) -> None:
        fields: list[str] = []
        heads: dict[str, Tok] = {}

        def head(_i: int, t: Tok) -> bool:
            k = t.key
            f = ind_col(k)
            if not (IND_START.match(k) or f or (IND_WRAP.match(k) and fields)):
                return False
            if f and f not in fields:
                fields.append(f)
                heads[f] = t
            return True

        i = self.head_labels(toks, head)
        self.ind_fields = fields
        self.heads = heads
        if "level3" not in fields:
            if fields:
                self.rec.note("绩效指标：表头中没有“三级指标”一栏，该表未导入")
            return
        body = toks[i:]
        if self.grid.style == "pdf":
            self._indicator_cells(body, fields, heads)
        else:
            self._indicator_text(body, fields)

    def _indicator_rows(self, body: list[Tok]) -> list[list[Tok]]:
        """Printed rows of the table (a line starting with a value continues the row above); for
        one cell per line, rows begin at a printed 一级/二级指标 name."""
        rows: list[list[Tok]] = []
        if self.grid.style == "stream":
            for t in body:
                k = t.key
                starts = t.text and (LEVEL1.match(k) or (is_level(k) and not (rows and rows[-1] and LEVEL1.match(rows[-1][-1].key)))
                                     or GROUP.match(k) or PLACEHOLDER.match(k))
                if starts or not rows:
                    rows.append([t])
                else:
                    rows[-1].append(t)
            return rows
        cur_row = None
        for t in body:
            if t.row != cur_row:
                cur_row = t.row
                if rows and rows[-1] and t.text and kind(t.text) in ("num", "pct", "dash") and len(rows[-1]) > 1:
                    continue_row = True
                else:
                    continue_row = False
                if not continue_row:
                    rows.append([])
            rows[-1].append(t)
        return [[t for t in r] for r in rows if any(t.text for t in r)]

    def _indicator_text(self, body: list[Tok], fields: list[str]) -> None:
        lead = fields[: fields.index("level3")]
        values = fields[fields.index("level3") + 1:]
        pending: list[Tok] = []
        prev: dict | None = None
        group: int | None = None
        rows = self._indicator_rows(body)
        for n, row in enumerate(rows):
            cells = [t for t in row]
            while cells and not cells[-1].text:
                cells = cells[:-1]
            filled = [c for c in cells if c.text]
            if not filled:
                continue
            k0 = filled[0].key
            if len(filled) == 1 and PLACEHOLDER.match(k0):
                self.take(*row)
                self.rec.labels_read += 1
                continue
            m = GROUP.match(k0) if len(filled) == 1 else None
            if m:
                name_toks = list(pending)
                name = "".join(p.text for p in name_toks) + m.group("name")
                self.groups.append({"name": name, "weight": m.group("w"), "tok": filled[0], "name_toks": name_toks})
                group = len(self.groups) - 1
                self.take(filled[0], *pending)
                pending = []
                continue
            if len(filled) == 1 and kind(filled[0].text) == "text" and not PLACEHOLDER.match(k0):
                if not pending and prev is not None and IND_WRAP.match(k0):
                    first = prev["level_tok"]
                    if first is not None and is_level(first[1] + filled[0].text):
                        f, text, toks_ = first
                        prev["cells_text"][f] = text + filled[0].text
                        prev["levels"][f] = (text + filled[0].text, toks_ + [filled[0]])
                        prev["level_tok"] = (f, text + filled[0].text, toks_ + [filled[0]])
                        self.take(filled[0])
                        continue
                pending.append(filled[0])
                self.take(filled[0])
                continue
            # a data row
            lv: dict[str, tuple[str, list[Tok]]] = {}
            j = 0
            if pending:
                lv["level2" if "level2" in lead else "level1"] = ("".join(p.text for p in pending), list(pending))
                pending = []
            if not lv:
                shifts = lead_shifts(cells, lead, len(fields)) if self.grid.keeps_blanks else []
                if self.grid.keeps_blanks and not row[0].text:
                    names = lead  # a blank first cell is printed: the row starts in the first column
                elif len(shifts) == 1:
                    names = lead[shifts[0]:]  # merged cells left out: only one way fits the printed names
                elif len(shifts) > 1:
                    self.rec.not_placed(" | ".join(c.text for c in cells), span_src(filled),
                                        "绩效指标：该行少印了合并的一级/二级指标单元格，按各栏可填的内容有不止一种排法，未导入")
                    self.take(*row)
                    continue
                elif "level1" in lead and level1_name(k0) and len(cells) > 1:
                    names = lead
                elif "level2" in lead and is_level(k0) and len(cells) > 1:
                    names = ["level2"]
                else:
                    names = []
                for f in names:
                    if j >= len(cells) - 1:
                        break
                    c = cells[j]
                    m = GROUP.match(c.key) if f == "level1" else None
                    if m and m.group("name"):
                        name = group_name(c.text)
                        self.groups.append({"name": name, "weight": m.group("w"), "tok": c, "name_toks": []})
                        group = len(self.groups) - 1
                        lv[f] = (name, [c])
                    elif c.text:  # a merged cell printed blank belongs to the row above
                        lv[f] = (c.text, [c])
                    j += 1
            if j >= len(cells):
                continue
            l3 = cells[j]
            if not l3.text:
                self.rec.not_placed(" ".join(c.text for c in filled), filled[0].src, "绩效指标：该行三级指标一栏空白，未导入")
                self.take(*row)
                continue
            rest = cells[j + 1:]
            cut = self.last and n == len(rows) - 1 and self._ends_block("indicators")
            placed = place_row(rest, values, "indicators", self.grid.keeps_blanks, cut)
            ind = {"l3": l3, "levels": lv, "placed": placed, "group": group, "row": row, "cut": cut,
                   "cells_text": {f: v[0] for f, v in lv.items()}}
            first_level = next(((f, v[0], v[1]) for f, v in lv.items()), None)
            ind["level_tok"] = first_level
            self.inds.append(ind)
            prev = ind
            self.take(*row)
        for p in pending:
            self.rec.not_placed(p.text, p.src, "绩效指标：表末的残缺文字（页面在此截断）" if self.last else "绩效指标：无法归入任何一行")

    def _indicator_cells(self, body: list[Tok], fields: list[str], heads: dict[str, Tok]) -> None:
        """PDF: each cell to the column whose header stands above it; merged 一级/二级 cells cover
        the rows they span."""
        cols = [(f, heads[f]) for f in fields]
        rows: dict[int, list[Tok]] = {}
        for t in body:
            rows.setdefault(t.row, [])
        for r in rows:
            rows[r] = [t for t in self.grid.rows[r]]
        group = None
        for r in sorted(rows):
            cells = rows[r]
            texts = [c for c in cells if c.text and not c.carried]
            if not texts:
                continue
            if TOTAL.match(texts[0].key):
                break
            labels = [c for c in texts if ind_col(c.key) or IND_START.match(c.key)]
            if len(labels) >= 3 and len(labels) == len(texts):  # the header printed again on a new page
                self.take(*texts)
                self.rec.note(f"{where(texts[0].src)}：表格跨页，表头重复印出，已略过")
                cols = [(ind_col(c.key), c) for c in labels if ind_col(c.key) in fields] or cols
                continue
            placed = self._by_column(cells, cols)
            if "level3" not in placed.cells or not placed.cells["level3"].text:
                continue
            lv = {}
            for f in ("level1", "level2"):
                c = placed.cells.get(f)
                if c is not None and c.text:
                    m = GROUP.match(c.key)
                    if f == "level1" and m and m.group("name"):
                        name = group_name(c.text)
                        if not self.groups or self.groups[-1]["tok"].src != c.src:
                            self.groups.append({"name": name, "weight": m.group("w"), "tok": c, "name_toks": [], "pdf": True})
                            group = len(self.groups) - 1
                        lv[f] = (name, [c])
                    else:
                        lv[f] = (c.text, [c])
            vals = Placed(cells={f: c for f, c in placed.cells.items() if f not in ("level1", "level2", "level3")},
                          how={f: h for f, h in placed.how.items() if f not in ("level1", "level2", "level3")})
            self.inds.append({"l3": placed.cells["level3"], "levels": lv, "placed": vals, "group": group,
                              "row": cells, "cut": False, "cells_text": {f: v[0] for f, v in lv.items()}, "pdf": True})
            self.take(*[c for c in cells if not c.carried])

    def total(self, toks: list[Tok]) -> None:
        label = toks[0]
        self.take(label)
        self.rec.labels_read += 1
        cells = []
        for t in toks[1:]:
            if self.grid.style != "stream" and self.grid.style != "pdf" and t.row != label.row:
                break
            if self.grid.style == "pdf" and t.row != label.row:
                break
            cells.append(t)
        rest = toks[1 + len(cells):]
        fields = self.ind_fields
        tail = [f for f in fields if f in ("weight", "score", "deviation")]
        if self.grid.style == "pdf" and any(h.table == label.table for h in self.heads.values()):
            placed = self._by_column(cells, [(f, h) for f, h in self.heads.items() if f in tail])
        else:
            placed = place_row(cells, tail, "indicators", self.grid.keeps_blanks)
        names = {"weight": "total_weight", "score": "total"}
        for f, c in placed.cells.items():
            if f in names and c.text:
                self.place(("self_eval", names[f]), c, *placed.how[f], numeric=True)
            else:
                self.take(c)
        self._open(placed, ("self_eval",))
        self.closed.add("indicators")
        if rest:
            self.stray_rows(rest)

"""The 项目资金 / 预算执行情况 block (columns by their printed headers, one row per 资金来源, 其中 rows
decided by the printed sums) and the 年度总体目标 block."""
from __future__ import annotations

import re
from decimal import Decimal

from ...model import FUNDS_FIELDS
from ..cells import Tok, kind, number
from .place import NUMERIC, Placed, place_row, span_src
from .words import FUNDS_LABEL, FUNDS_START, GOAL_COLS, GOALS_START, SOURCE, match_column, funds_col


class FundsReading:
    """``FormReader``'s reading of the funds and goals blocks (uses its ``rec``, ``grid``, ``take``,
    ``place``, ``_by_column`` and ``_open``)."""

    def funds(self, toks: list[Tok]) -> None:
        cols: list[tuple[str, Tok]] = []
        block_weight: list[tuple[str, Tok]] = []  # '(20分)' printed in a label: the block's 分值

        def head(_i: int, t: Tok) -> bool:
            k = t.key
            f = funds_col(k)
            if not (FUNDS_START.match(k) or FUNDS_LABEL.match(k) or (f and not SOURCE.match(k))):
                return False
            if "万元" in k:
                self._unit("万元", t)
            elif "(元)" in k:
                self._unit("元", t)
            m = re.search(r"\((\d+(?:\.\d+)?)分\)", k)
            if m and (FUNDS_START.match(k) or f == "weight") and not block_weight:
                block_weight.append((m.group(1), t))
            if f and f not in [c[0] for c in cols]:
                cols.append((f, t))
            return True

        i = self.head_labels(toks, head)
        if not cols:
            self.rec.note("年度预算执行情况：找不到栏目名称（年初预算数、全年预算数、全年执行数……），该栏未导入")
            return
        fields = [c[0] for c in cols]
        rows: list[tuple[Tok, list[Tok]]] = []
        for t in toks[i:]:
            if t.text and SOURCE.match(t.key) and not funds_col(t.key):
                rows.append((t, []))
            elif rows:
                rows[-1][1].append(t)
            elif t.text:
                self.rec.not_placed(t.text, t.src, "年度预算执行情况：栏目名称之后、第一行之前的文字")
                self.take(t)
        cut_at_end = self.last and "funds" == self.order[-1]
        placed_rows: list[tuple[Tok, Placed]] = []
        for r, (label, cells) in enumerate(rows):
            cut = cut_at_end and r == len(rows) - 1
            if self.grid.style == "pdf":
                placed = self._by_column(cells, cols)
            else:
                placed = place_row(cells, fields, "funds", self.grid.keeps_blanks, cut)
            placed_rows.append((label, placed))
        self._funds_by_sums(placed_rows)
        for r, (label, placed) in enumerate(placed_rows):
            source = re.sub(r"[:：]$", "", label.text)
            self.place(("funds", "rows", r, "source"), label, value=source)
            for f, c in placed.cells.items():
                how, reason = placed.how[f]
                if f in ("reason", "method"):
                    if c.text:
                        self._column_text(f, c, label)
                    continue
                if r == 0 and f in ("weight", "score", "rate"):
                    path = ("funds", f)
                else:
                    path = ("funds", "rows", r, f)
                if c.text:
                    self.place(path, c, how, reason, numeric=f in NUMERIC)
                else:
                    self.take(c)
            self._open(placed, ("funds", "rows", r))
        if block_weight:
            w, t = block_weight[0]
            have = self.rec.doc.get("funds", {}).get("weight")
            if have is None:
                self.rec.place(("funds", "weight"), w, t.src, "layout", "", verify=t.text)
            elif number(have) != number(w):
                self.rec.note(f"年度预算执行情况：栏目名称印出（{w}分），总额行的分值为 {have}，两者不同，按总额行所印")

    def _funds_by_sums(self, rows: list[tuple[Tok, Placed]]) -> None:
        """其中 rows whose numbers could stand in an amount column or in 分值/得分 (at most 100):
        taken as amounts only when, that way, the rows below the total add up to the total in every
        amount column, and the total row itself was placed without doubt."""
        if len(rows) < 2 or rows[0][1].open_cells:
            return
        amounts = ("initial", "adjusted", "actual")
        hyp: dict[int, dict[str, Tok]] = {}
        for r, (_label, p) in enumerate(rows[1:], start=1):
            if not p.open_cells:
                continue
            opts = [o for o in p.options if all(f in amounts for f, c in o.items() if c in p.open_cells)]
            if len(opts) != 1:
                return
            hyp[r] = opts[0]
        if not hyp:
            return

        def cell(r: int, f: str) -> Tok | None:
            return hyp[r].get(f) if r in hyp else rows[r][1].cells.get(f)

        total = rows[0][1].cells
        checked = []
        for f in amounts:
            if not any(f in hyp[r] for r in hyp):
                continue
            t = total.get(f)
            if t is None or kind(t.text) != "num":
                return
            parts = [cell(r, f) for r in range(1, len(rows))]
            if any(c is not None and kind(c.text) not in ("num", "blank") for c in parts):
                return
            if sum((number(c.text) or Decimal(0)) for c in parts if c is not None and c.text) != number(t.text):
                return
            checked.append(f"{_FUND_NAMES[f]} {t.text}")
        why = ("该行数值少于栏数（空白栏没有留下痕迹），其中的数可能是金额也可能是分值/得分；只有作为金额时，"
               "其中各行之和才等于总额行：" + "、".join(checked))
        for r, o in hyp.items():
            p = rows[r][1]
            for f, c in o.items():
                if c in p.open_cells:
                    p.cells[f] = c
                    p.how[f] = ("inferred", why)
            p.open_cells, p.open_fields, p.options = [], [], []

    def _column_text(self, f: str, c: Tok, label: Tok) -> None:
        """Texts of the 原因 / 得分计算方法 column: 原因 to ``funds.reason`` where the model has it (the
        first printed, as printed: often the template's prompt); otherwise recorded, not placed."""
        if f == "reason" and "reason" in FUNDS_FIELDS and "reason" not in self.rec.doc.get("funds", {}):
            self.rec.place(("funds", "reason"), c.text, c.src)
            self.take(c)
            return
        name = {"reason": "原因", "method": "得分计算方法"}[f]
        self.rec.not_placed(c.text, c.src, f"年度预算执行情况“{label.text}”行的“{name}”栏（模板说明或计分口径），数据文件没有此栏目")
        self.take(c)

    def _unit(self, unit: str, t: Tok) -> None:
        if "unit" not in self.rec.doc.get("header", {}):
            self.rec.place(("header", "unit"), unit, t.src, verify=t.text)

    def goals(self, toks: list[Tok]) -> None:
        cols: list[str] = []

        def head(i: int, t: Tok) -> bool:
            f = match_column(GOAL_COLS, t.key)
            if not (i == 0 or GOALS_START.match(t.key) or f):
                return False
            if f and i > 0 and f not in cols:
                cols.append(f)
            return True

        i = self.head_labels(toks, head)
        values = [t for t in toks[i:] if t.text]
        if not cols:
            cols = ["expected"]  # '年度目标1:(80分) | 目标': the label names the goal itself
        if len(values) == len(cols):
            for f, v in zip(cols, values):
                self.place(("goals", f), v)
        elif values:
            raw = " ".join(v.text for v in values)
            for f in cols:
                self.rec.absent(("goals", f), raw, span_src(values),
                                f"年度总体目标：印出 {len(values)} 段文字，栏目为 {len(cols)} 栏（文字中的空格也可能是分栏），无法确定")
            self.take(*values)


_FUND_NAMES = {"initial": "年初预算数", "adjusted": "全年预算数", "actual": "全年执行数"}

"""Decisions that need the whole indicator table: the names of 一级指标 printed only as ``(N分)``,
merged 一级/二级 cells carried down, rows whose last two numbers are 分值/得分 only if the printed
sums (each 一级指标's (N分), 总分) hold that way; then every indicator row into the record."""
from __future__ import annotations

from decimal import Decimal

from ..cells import Tok, kind, norm, number, readable_number
from .place import IND_NUMERIC, Placed, span_src
from .words import NOTE_WEIGHTS, level2_parent


class TableDecisions:
    """``FormReader``'s decisions over the rows ``IndicatorReading`` collected."""

    def resolve_indicators(self) -> None:
        if not self.inds:
            if "indicators" in self.blocks:
                self.rec.doc.setdefault("indicators", [])
            return
        note = " ".join(t.text for t in self.notes_text)
        note_weights = [(m.group(1), m.group(2)) for m in NOTE_WEIGHTS.finditer(note)]
        group_names: dict[int, tuple[str, str, str]] = {}  # k -> (name, how, reason)
        for k, g in enumerate(self.groups):
            if g["name"]:
                group_names[k] = (g["name"], "layout", "")
                continue
            parents = {level2_parent(ind["cells_text"]["level2"]) for ind in self.inds
                       if ind["group"] == k and ind["cells_text"].get("level2")}
            by_note = [n for n, w in note_weights if number(w) == number(g["weight"])]
            if len(by_note) == 1 and (not parents or parents == {None} or parents == {by_note[0]}):
                group_names[k] = (by_note[0], "inferred",
                                  f"一级指标单元格只印出“({g['weight']}分)”，名称未进入文字层；表下注释印有“{by_note[0]}{g['weight']}分”")
            elif len(parents) == 1 and None not in parents:
                group_names[k] = (parents.pop(), "inferred",
                                  f"一级指标单元格只印出“({g['weight']}分)”；其下各二级指标同属此一级指标")
        # score groups
        for k, g in enumerate(self.groups):
            if k in group_names:
                name, how, reason = group_names[k]
                self.rec.place(("score_groups", k, "level"), "1", g["tok"].src)
                src = g["tok"].src
                self.rec.place(("score_groups", k, "name"), name, src, how, reason)
                self.rec.place(("score_groups", k, "weight"), g["weight"], src, verify=g["tok"].text)
            else:
                self.rec.absent(("score_groups", k, "name"), g["tok"].text, g["tok"].src, "一级指标名称未印出，也无法从注释推定")
        if any(k not in group_names for k in range(len(self.groups))):
            self.rec.doc["score_groups"] = [sg for sg in self.rec.doc.get("score_groups", []) if sg and sg.get("name")]
        self._decide_by_sums({k: v[0] for k, v in group_names.items()})
        # rows
        prev1 = prev2 = None
        for r, ind in enumerate(self.inds):
            lv = ind["levels"]
            path = ("indicators", r)
            l1 = lv.get("level1")
            l2 = lv.get("level2")
            if l1:
                self.rec.place(path + ("level1",), l1[0], span_src(l1[1]))
            elif ind["group"] is not None and ind["group"] in group_names and "level1" in self.ind_fields:
                name, how, reason = group_names[ind["group"]]
                self.rec.place(path + ("level1",), name, self.groups[ind["group"]]["tok"].src,
                               "layout" if how == "layout" else "inferred",
                               reason or "一级指标为合并单元格，只在本组第一行之前印出")
            elif prev1 is not None and "level1" in self.ind_fields:
                parent = level2_parent(l2[0]) if l2 else None
                if l2 is None or parent is None or norm(parent) == norm(prev1[0]) or norm(parent)[:2] == norm(prev1[0])[:2]:
                    self.rec.place(path + ("level1",), prev1[0], span_src(prev1[1]), "inferred",
                                   "一级指标为合并单元格，只在第一行印出；沿用上一行")
                    l1 = prev1
                else:
                    self.rec.absent(path + ("level1",), "", ind["l3"].src,
                                    f"本行未印一级指标，二级指标“{l2[0]}”不属于上一行的“{prev1[0]}”，不沿用", blank="")
            if l2:
                self.rec.place(path + ("level2",), l2[0], span_src(l2[1]))
            elif prev2 is not None and "level2" in self.ind_fields:
                self.rec.place(path + ("level2",), prev2[0], span_src(prev2[1]), "inferred",
                               "二级指标为合并单元格，只在第一行印出；沿用上一行")
                l2 = prev2
            prev1 = l1 or prev1
            prev2 = l2 or prev2
            self.rec.place(path + ("level3",), ind["l3"].text, ind["l3"].src)
            placed: Placed = ind["placed"]
            for f, c in placed.cells.items():
                if f == "method":
                    if c.text:
                        self.rec.not_placed(c.text, c.src, "绩效指标的“得分计算方法”栏，数据文件没有此栏目")
                    continue
                if c.text and f in IND_NUMERIC and not readable_number(c.text):
                    self.rec.absent(path + (f,), c.text, c.src, "此栏应为数字，印出的不是数字，未导入")
                elif c.text:
                    how, reason = placed.how[f]
                    self.rec.place(path + (f,), c.text, c.src, how, reason, verify=c.text if f in IND_NUMERIC else None)
            self._open(placed, path)
            if ind["cut"]:
                missing = [f for f in self.ind_fields[self.ind_fields.index("level3") + 1:] if f not in placed.cells and f != "method"]
                for f in missing:
                    self.rec.absent(path + (f,), "", ind["l3"].src, "页面在本行截断，此栏未印出")
            row = self.rec.doc.setdefault("indicators", [])[r]
            for f in ("level1", "level2", "target", "actual"):
                row.setdefault(f, "")
            self.rec.doc["indicators"][r] = {f: row[f] for f in ("level1", "level2", "level3", "nature", "target", "unit",
                                                                  "actual", "weight", "score", "coefficient", "core",
                                                                  "deviation") if f in row}

    def _decide_by_sums(self, names: dict[int, str]) -> None:
        """Rows whose last two numbers could be 分值/得分 or 指标值/完成值 (runs of spaces left no
        trace of the blank columns): taken as 分值/得分 only when the printed sums — each 一级指标's
        (N分), and 总分 — hold that way and every such row is covered by them."""
        fields = self.ind_fields
        if not ("weight" in fields and "score" in fields):
            return
        open_rows = [ind for ind in self.inds if ind["placed"].open_cells]
        if not open_rows:
            return
        hyp: dict[int, tuple[Tok, Tok]] = {}
        for ind in open_rows:
            p: Placed = ind["placed"]
            opts = [o for o in p.options if o.get("weight") is not None and o.get("score") is not None]
            if not opts:
                continue
            w, s = opts[0]["weight"], opts[0]["score"]
            if not all(o["weight"] is w and o["score"] is s for o in opts):
                continue
            if not (kind(w.text) == "num" and kind(s.text) == "num" and number(w.text) and number(w.text) > 0):
                continue
            hyp[id(ind)] = (w, s)
        if not hyp:
            return

        def weight_of(ind) -> Decimal | None:
            if id(ind) in hyp:
                return number(hyp[id(ind)][0].text)
            c = ind["placed"].cells.get("weight")
            return number(c.text) if c is not None and kind(c.text) == "num" else None

        def score_of(ind) -> Decimal | None:
            if id(ind) in hyp:
                return number(hyp[id(ind)][1].text)
            c = ind["placed"].cells.get("score")
            return number(c.text) if c is not None and kind(c.text) == "num" else None

        covered_w: set[int] = set()
        checks: list[str] = []
        for k, g in enumerate(self.groups):
            rows = [ind for ind in self.inds if ind["group"] == k]
            total = sum((weight_of(ind) or Decimal(0)) for ind in rows)
            if total != number(g["weight"]):
                return
            covered_w.update(id(ind) for ind in rows)
            checks.append(f"{names.get(k, g['name'])}({g['weight']}分)")
        funds = self.rec.doc.get("funds", {})
        fw, fs = number(str(funds.get("weight") or "")), number(str(funds.get("score") or ""))
        se = self.rec.doc.get("self_eval", {})
        tw, ts = number(str(se.get("total_weight") or "")), number(str(se.get("total") or ""))
        all_w = sum((weight_of(ind) or Decimal(0)) for ind in self.inds) + (fw or 0)
        all_s = sum((score_of(ind) or Decimal(0)) for ind in self.inds) + (fs or 0)
        if tw is not None:
            if all_w != tw:
                return
            covered_w.update(id(ind) for ind in self.inds)
            checks.append(f"总分分值 {se.get('total_weight')}")
        if ts is None or all_s != ts:
            return
        checks.append(f"总分得分 {se.get('total')}")
        if not all(i in covered_w for i in hyp):
            return
        why = ("该行数值少于栏数（空白栏没有留下痕迹）；末两个数只有作为分值、得分时，表上印出的合计才都相符："
               + "、".join(checks))
        for ind in open_rows:
            if id(ind) not in hyp:
                continue
            w, s = hyp[id(ind)]
            p: Placed = ind["placed"]
            p.cells["weight"], p.cells["score"] = w, s
            p.how["weight"] = p.how["score"] = ("inferred", why)
            p.open_cells = [c for c in p.open_cells if c is not w and c is not s]
            p.open_fields = [f for f in p.open_fields if f not in ("weight", "score")]
            if p.open_cells:
                rest = [o for o in p.options if o.get("weight") is w and o.get("score") is s]
                for c in list(p.open_cells):
                    cols = {f for o in rest for f, cc in o.items() if cc is c}
                    if len(cols) == 1:
                        f = cols.pop()
                        p.cells[f] = c
                        p.how[f] = ("inferred", why)
                        p.open_cells.remove(c)
                p.open_fields = [f for f in p.open_fields if f not in p.cells]

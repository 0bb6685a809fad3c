"""The generic layout (``import_layout: tables``): a printed form's tables → the kit's blocks, by role.

Any form goes through here that fits no family with a layout of its own (family ``generic``), and
every family whose family.yaml names ``import_layout: tables``. Nothing here names a family or an
indicator: the tables come from ``tablereader`` (every cell under its printed header), and each
table goes to the block its column roles say — a table of 年初预算数 / 执行数 / 执行率 to ``funds``
(its first total row's 分值 / 执行率 / 得分 to the block, "(20分)" printed in its label as the
block's 分值), a table of 一级/二级/三级指标 to ``indicators`` (merged cells belong to the row
above, "产出指标(50分)" to ``score_groups``), 预期目标 / 实际完成情况 to ``goals``, 总分 and the
self-evaluation's texts to ``self_eval``. Header fields (单位名称, 项目名称, 主管部门, 实施单位,
填报日期) are read by their printed labels wherever they stand: a cell of their own, "标签:值", or
glued into a line whose cells lost their separators. A narrative report (一、 二、 headings) keeps
its sections as printed. Cells whose column cannot be told, values an OCR may have damaged
("290%" for ≥90%), and text that fits no block go to the import record, never to a guessed field.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from ..core.errors import Problem
from .cells import Grid, Tok, kind, norm, read_grid, readable_number
from .ident import UNNAMED, file_code, file_year
from .record import Record
from .sources import Form, FormError
from .tablereader import (
    Row, Table, header_of, is_placeholder, label, read_tables, unit_in, vocab,
)

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年度")
_YEAR_LOOSE = re.compile(r"((?:19|20)\d{2})\s*年(?![\d月])")
_TITLE = re.compile(r"(自评表|自评报告|评价报告|绩效评价|评分表|得分表)")
_GLUED = 40  # a line this long with no separator may hold labels and values run together
_VALUE_MAX = 40  # a header value longer than this is not one (the glued text ran on)
_GOAL_LABEL = re.compile(r"^(年度总体目标|年度目标|项目年度目标|年度绩效目标)\d*[:：]?(\(\d+(?:\.\d+)?分\))?$")
_DATE = re.compile(r"^\s*((?:19|20)\d{2}\s*[年.\-/]\s*\d{1,2}\s*[月.\-/]\s*\d{1,2}\s*日?)")
FUNDS_FIELDS = {"initial", "adjusted", "actual", "weight", "rate", "score"}
IND_FIELDS = {"level1": "level1", "level2": "level2", "level3": "level3", "nature": "nature", "target": "target",
              "unit": "unit", "achieved": "actual", "weight": "weight", "score": "score",
              "coefficient": "coefficient", "core": "core", "deviation": "deviation"}
IND_NUMERIC = {"weight", "score", "coefficient"}


def import_forms(form: Form, new_record: Callable[[], Record]) -> list[Record]:
    grid = read_grid(form)
    parts = split_forms(grid)
    out: list[tuple[Record, FormMapper]] = []
    for k, (a, b) in enumerate(parts):
        rec = new_record()
        if grid.address:
            rec.source["address"] = grid.address
        m = FormMapper(form, grid, a, b, rec, last=k == len(parts) - 1)
        m.run()
        if m.read_anything():
            out.append((rec, m))
    if not out:
        raise FormError(Problem(
            "无法从内容判断表式：文件中找不到可以读取的内容——没有认得出表头的表格，没有单位名称、项目名称等表头栏目，也没有分节（一、二、……）的报告文字",
            file=str(form.path),
            expected="印有表头（如 年初预算数、执行数、一级指标、三级指标、得分）的表格，或分节的自评报告；"
                     "文字层顺序错乱的文件请另存为网页或 PDF 后再导入"))
    if len(out) > 1:
        for rec, _ in out:
            rec.note(f"{form.name} 中有 {len(out)} 份表单，每份各导入为一个数据文件")
    for k, (rec, m) in enumerate(out):
        m.finish([r for r, _ in out], k, len(out))
    return [r for r, _ in out]


def split_forms(grid: Grid) -> list[tuple[int, int]]:
    """Grid row ranges of the forms a file holds: a new form starts at a printed head label
    (单位名称, 项目名称 …) met after a table of the form before it."""
    v = vocab()
    heads = {lab for lab, _p in v.header_fields if _p in (("department", "name"), ("header", "project"))}
    starts = [0]
    seen_table = False
    for r, row in enumerate(grid.rows):
        if not row:
            continue
        if header_of(row, grid.style == "pdf"):
            seen_table = True
            continue
        first = next((t for t in row if t.text), None)
        if first is not None and label(first.text).rstrip(":：") in heads and seen_table:
            begin = r
            if r > 0 and grid.rows[r - 1] and _TITLE.search(label(grid.rows[r - 1][0].text)):
                begin = r - 1
            starts.append(begin)
            seen_table = False
    return [(a, starts[i + 1] if i + 1 < len(starts) else len(grid.rows)) for i, a in enumerate(starts)]


class FormMapper:
    def __init__(self, form: Form, grid: Grid, start: int, stop: int, rec: Record, last: bool):
        self.form, self.rec, self.last = form, rec, last
        self.grid = Grid(grid.style, grid.rows[start:stop], grid.address)
        self.grid.toks = [t for row in self.grid.rows for t in row if not t.carried]
        self.used: set[int] = set()
        self.tables: list[Table] = []
        self.found: dict[tuple, Tok] = {}
        self.sections = 0
        self.title_tok: tuple[str, dict] | None = None
        self.glued: list[tuple[Tok, set[str]]] = []  # lines holding a table whose cells ran together

    # -- helpers -----------------------------------------------------------------------------------
    def take(self, *toks: Tok) -> None:
        self.used.update(t.idx for t in toks)

    def put(self, path: tuple, tok: Tok, value: str | None = None, how: str = "layout", reason: str = "",
            numeric: bool = False) -> None:
        """Place a printed cell (its text, or ``value`` read from it) at ``path``."""
        self.take(tok)
        value = tok.text if value is None else value
        if numeric and not readable_number(value):
            self.rec.absent(path, tok.text, tok.src, "此栏应为数字，印出的不是可读的数字，未导入")
            return
        self.rec.place(path, value, tok.src, how, reason, verify=tok.text)

    def read_anything(self) -> bool:
        d = self.rec.doc
        head = {k: v for k, v in d.get("header", {}).items() if k not in ("title", "unit")}
        return bool(d.get("funds") or d.get("indicators") or d.get("goals") or head
                    or d.get("narrative") or d.get("self_eval") or d.get("department", {}).get("name"))

    # -- the form ----------------------------------------------------------------------------------
    def run(self) -> None:
        self.title()
        self.tables = read_tables(self.grid)
        for t in self.tables:
            self.take(*[c.head for c in t.columns if c.head is not None])
            self.rec.labels_read += sum(1 for c in t.columns if c.head is not None and c.head.text)
            getattr(self, "table_" + t.block)(t)
        self.header_fields()
        self.closing_rows()
        self.narrative()
        self.unit()
        self.leftovers()

    def title(self) -> None:
        for row in self.grid.rows[:8]:
            cells = [row] if self.grid.style == "space" and row else [[t] for t in row]
            for toks in cells:  # runs of spaces split a title into words: the line is the title
                text = " ".join(t.text for t in toks)
                k = label(text)
                if text and _TITLE.search(k) and len(k) <= 60 and not re.search(r"[:：]", text):
                    src = _span(toks)
                    self.rec.place(("header", "title"), text, src)
                    self.take(*toks)
                    self.title_tok = (text, src)
                    m = _YEAR.search(k) or _YEAR_LOOSE.search(k)
                    if m:
                        self.rec.place(("department", "year"), int(m.group(1)), src, verify=text)
                    return

    # -- tables ------------------------------------------------------------------------------------
    def _open(self, row: Row, path: tuple, fields: list[str]) -> None:
        if not row.open:
            return
        raw = " ".join(c.text for c in row.open)
        src = _span(row.open)
        for f in fields:
            self.rec.absent(path + (f,), raw, src, row.reason)
        self.take(*row.open)

    def table_funds(self, t: Table) -> None:
        if self.rec.doc.get("funds", {}).get("rows"):
            self.rec.note(f"{_where(t.columns[0].head)}：又一张年度预算执行情况表，未导入（数据文件只有一张）")
            self._unplaced_table(t, "第二张资金表")
            return
        fields = [c.role for c in t.columns if c.role in FUNDS_FIELDS]
        r = 0
        for row in t.rows:
            label = row.cells.get("source")
            if label is None or not label.text:
                if row.open or any(c.text for c in row.toks):
                    if label is None and row.open:
                        self._open(row, ("funds", "rows", r), [f for f in fields if f not in row.cells])
                        self.rec.doc.setdefault("funds", {}).setdefault("rows", []).append({"source": ""})
                        r += 1
                    else:
                        self._unplaced_row(row, "年度预算执行情况：该行没有资金来源名称")
                continue
            path = ("funds", "rows", r)
            self.put(path + ("source",), label, re.sub(r"[:：]$", "", label.text))
            top = r == 0
            for role in ("initial", "adjusted", "actual", "weight", "rate", "score"):
                c = row.cells.get(role)
                if c is None or not c.text:
                    if c is not None:
                        self.take(c)
                    continue
                dest = ("funds", role) if top and role in ("weight", "rate", "score") else path + (role,)
                self._value(row, role, c, dest)
            for role in ("reason", "method", "extra"):
                c = row.cells.get(role)
                if c is not None and c.text:
                    self.take(c)
                    if role == "reason" and _model_has(("funds", "reason")) and "reason" not in self.rec.doc["funds"]:
                        self.rec.place(("funds", "reason"), c.text, c.src)  # as printed (often the template's prompt)
                        continue
                    self.rec.not_placed(c.text, c.src, f"年度预算执行情况“{label.text}”行的“{_head(t, role)}”栏，数据文件没有此栏目")
            self._open(row, path, [f for f in fields if f not in row.cells])
            r += 1
        if t.weight is not None:
            w, tok = t.weight
            have = self.rec.doc.get("funds", {}).get("weight")
            if have is None:
                self.rec.place(("funds", "weight"), w, tok.src, "layout", "", verify=tok.text)
            elif norm(str(have)) != w:
                self.rec.note(f"年度预算执行情况：栏目名称印出（{w}分），总额行的分值为 {have}，两者不同，按总额行所印")
        if t.unit is not None:
            self._unit(*t.unit)

    def _value(self, row: Row, role: str, c: Tok, dest: tuple) -> None:
        how, why = row.how.get(role, ("layout", ""))
        if role in row.doubt:
            self.take(c)
            self.rec.absent(dest, c.text, c.src, row.doubt[role])
            return
        self.put(dest, c, how=how, reason=why, numeric=True)

    def table_goals(self, t: Table) -> None:
        roles = [c.role for c in t.columns if c.role in ("expected", "done")]
        lone = [row for row in t.rows[:2] if len([c for c in row.toks if c.text]) == 1]
        if roles == ["expected", "done"] and len(t.rows) >= 2 and lone == t.rows[:2]:
            # one cell per line re-flowed: the header's two columns, then their two texts in the same order
            why = "表头印出“预期目标”“实际完成情况”两栏，其下两行各只印一段文字（一栏一行印出）；依表头顺序归入"
            for row, f in zip(lone, ("expected", "actual")):
                self.put(("goals", f), next(c for c in row.toks if c.text), how="inferred", reason=why)
                self.take(*row.toks)
            rest = t.rows[2:]
        else:
            rest = t.rows
        for row in rest:
            lab = row.cells.get("label")
            vals = {f: row.cells[r] for r, f in (("expected", "expected"), ("done", "actual"))
                    if r in row.cells and row.cells[r].text}
            if lab is not None and lab.text and vals:
                self._unplaced_row(row, "年度总体目标表中的另一栏目（数据文件没有此栏目）")
                continue
            if not vals:
                if any(c.text for c in row.toks):
                    self._unplaced_row(row, "年度总体目标：该行只印出一段文字，不在“预期目标”或“实际完成情况”栏下，"
                                            "无法确定属于哪一栏，未导入")
                continue
            for f, c in vals.items():
                if "goals" in self.rec.doc and f in self.rec.doc["goals"]:
                    self.rec.not_placed(c.text, c.src, "年度总体目标：又一行文字，数据文件只有一栏，未导入")
                    self.take(c)
                    continue
                how, why = row.how.get("expected" if f == "expected" else "done", ("layout", ""))
                self.put(("goals", f), c, how=how, reason=why)
            if lab is not None:
                self.take(lab)

    def table_indicators(self, t: Table) -> None:
        inds = self.rec.doc.setdefault("indicators", [])
        groups = self.rec.doc.get("score_groups", [])
        if t.weight is not None:
            self.rec.note(f"绩效指标：表头“{t.weight[1].text}”印出本栏总分值 {t.weight[0]} 分")
        cols = [c.role for c in t.columns]
        for row in t.rows:
            l3 = row.cells.get("level3")
            values = [r for r in row.cells if r not in ("level1", "level2", "level3", "group") and row.cells[r].text]
            if l3 is None or not l3.text:
                if row.open:
                    self._unplaced_row(row, "绩效指标：" + row.reason)
                elif any(c.text for c in row.toks):
                    self._unplaced_row(row, "绩效指标：该行三级指标一栏空白，未导入")
                continue
            if is_placeholder(l3.text) and all(is_placeholder(row.cells[r].text) or kind(row.cells[r].text) == "dash"
                                               for r in values):
                self.take(*row.toks)
                self.rec.labels_read += 1
                continue
            r = len(inds)
            path = ("indicators", r)
            inds.append({})
            for lv in ("level1", "level2"):
                c = row.cells.get(lv)
                if c is not None and c.text:
                    name, w = _group(c.text)
                    self.put(path + (lv,), c, name)
                    if w is not None and lv == "level1":
                        self._group(groups, name, w, c)
                elif lv in row.inherited:
                    a = row.inherited[lv]
                    self.rec.place(path + (lv,), _group(a.text)[0], a.src, "inferred",
                                   "合并单元格，只在本组第一行印出；属于上一行的" + ("一级指标" if lv == "level1" else "二级指标"))
                elif lv in row.doubt:
                    self.rec.absent(path + (lv,), "", l3.src, row.doubt[lv], blank="")
                elif lv in cols:
                    self.rec.place(path + (lv,), "", l3.src, "layout")
            self.put(path + ("level3",), l3, how=row.how.get("level3", ("layout", ""))[0],
                     reason=row.how.get("level3", ("layout", ""))[1])
            for role, f in IND_FIELDS.items():
                if role in ("level1", "level2", "level3"):
                    continue
                c = row.cells.get(role)
                if c is None:
                    continue
                if not c.text:
                    self.take(c)
                    continue
                if role in row.doubt:
                    self.take(c)
                    self.rec.absent(path + (f,), c.text, c.src, row.doubt[role])
                    continue
                how, why = row.how.get(role, ("layout", ""))
                self.put(path + (f,), c, how=how, reason=why, numeric=f in IND_NUMERIC)
            for role in ("method", "extra"):
                c = row.cells.get(role)
                if c is not None and c.text:
                    self.take(c)
                    self.rec.not_placed(c.text, c.src, f"绩效指标的“{_head(t, role)}”栏，数据文件没有此栏目")
            self._open(row, path, [IND_FIELDS[c] for c in cols if c in IND_FIELDS and c not in row.cells])
            for c in row.toks:
                if c.text and c.idx not in self.used and c not in row.open:
                    self.take(c)
            ind = self.rec.doc["indicators"][r]
            for f in ("level1", "level2", "target", "actual"):
                ind.setdefault(f, "")
        if groups:
            self.rec.doc["score_groups"] = groups
        if not inds:
            self.rec.doc.pop("indicators", None)

    def _group(self, groups: list, name: str, w: str, c: Tok) -> None:
        if any(g.get("name") == name for g in groups):
            return
        k = len(groups)
        groups.append({})
        self.rec.place(("score_groups", k, "level"), "1", c.src)
        self.rec.place(("score_groups", k, "name"), name, c.src)
        self.rec.place(("score_groups", k, "weight"), w, c.src, verify=c.text)
        groups[k] = self.rec.doc["score_groups"][k]

    def _unplaced_table(self, t: Table, what: str) -> None:
        for row in t.rows:
            self._unplaced_row(row, what)

    def _unplaced_row(self, row: Row, note: str) -> None:
        toks = [c for c in row.toks if c.text and c.idx not in self.used]
        if toks:
            self.rec.not_placed(" | ".join(c.text for c in toks), _span(toks), note)
            self.take(*toks)

    # -- header fields -----------------------------------------------------------------------------
    def header_fields(self) -> None:
        v = vocab()
        labels = [lab for lab, _p in v.header_fields]
        stops = sorted(set(labels) | set(v.stop_labels) | set(v.by_label) | set(v.self_eval_texts), key=len, reverse=True)
        rows = self.grid.rows
        for r, row in enumerate(rows):  # a label in a cell of its own, its value in the next cell
            for i, t in enumerate(row):
                if not t.text or t.idx in self.used:
                    continue
                path = _label_path(label(t.text).rstrip(":："))
                if path is None:
                    continue
                self.take(t)
                self.rec.labels_read += 1
                val = next((x for x in row[i + 1:] if x.text), None)
                if val is None and len(row) == 1:  # one cell per line: the value on the next printed line
                    val = next((rw[0] for rw in rows[r + 1:r + 3] if rw and rw[0].text), None)
                if val is not None and val.idx not in self.used and _label_path(label(val.text).rstrip(":：")) is None \
                        and not any(label(val.text).startswith(s) for s in v.stop_labels):
                    self._field(path, val.text, val, layout=True)
                    self.take(val)
        for row in rows:  # '标签:值' and labels glued to their values
            for t in row:
                if t.text and t.idx not in self.used and (re.search(r"[:：]", t.text) or len(norm(t.text)) >= _GLUED):
                    self._inline(t, stops)
        if ("department", "name") not in self.found and ("header", "implementer") in self.found:
            tok = self.found[("header", "implementer")]
            self.rec.place(("department", "name"), self.rec.doc["header"]["implementer"], tok.src, "inferred",
                           "表上没有部门（单位）名称一栏；取实施单位")

    def _inline(self, t: Tok, stops: list[str]) -> None:
        """'单位名称:农业工作科填报日期:…' or labels glued to their values: each value runs to the next label."""
        text = norm(t.text)  # values are cut from it; labels are found in its 简体 reading (same positions)
        hits = [(m.start(), m.end(), m.group(0)) for m in _labels_re(tuple(stops)).finditer(label(t.text))]
        for j, (a, b, lab) in enumerate(hits):
            path = _label_path(lab)
            if path is None:
                continue
            end = hits[j + 1][0] if j + 1 < len(hits) else len(text)
            value = text[b:end].lstrip(":：").strip()
            if path == ("header", "date"):
                m = _DATE.match(value)
                value = m.group(1) if m else ""
            if value and len(value) <= _VALUE_MAX:
                self._field(path, value, t, layout=False, label=lab)
        roles = {vocab().by_label[lab] for _a, _b, lab in hits if lab in vocab().by_label}
        if len(roles) >= 3:  # a table whose cells lost their separators
            self.glued.append((t, roles))
        if any(_label_path(lab) for _a, _b, lab in hits) or len(roles) >= 3:
            self.take(t)
            self.rec.not_placed(t.text, t.src, "含表头栏目的一行文字：已按其中印出的栏目名称读取表头，原文在此备查")

    def _field(self, path: tuple, value: str, tok: Tok, layout: bool, label: str = "") -> None:
        value = value.strip()
        if not _model_has(path):
            self.rec.not_placed(f"{label or path[-1]}：{value}", tok.src, "表头栏目，数据文件没有此栏目")
            return
        if path[:2] == ("profile", "counts") and not re.fullmatch(r"\d{1,7}", norm(value)):
            if path not in self.found:
                self.rec.absent(path, value, tok.src, "人数应为整数，印出的不是，未导入")
                self.found[path] = tok
            return
        if path in self.found:
            have = _get(self.rec.doc, path)
            if have is not None and norm(str(have)) != norm(value):
                self.rec.note(f"{_where(tok)}：“{label or path[1]}”又印作“{value}”，已取前面的“{have}”")
            return
        if layout:
            self.rec.place(path, value, tok.src, verify=tok.text)
        else:
            self.rec.place(path, value, tok.src, "inferred", f"该行各栏粘连在一起或以“标签:值”印出；取“{label}”之后、下一个栏目名称之前的文字",
                           verify=tok.text)
        self.found[path] = tok

    # -- rows after the tables -----------------------------------------------------------------------
    def closing_rows(self) -> None:
        """总分 / 合计 rows and the self-evaluation's texts: a label and what is printed after it."""
        v = vocab()
        for row in self.grid.rows:
            toks = [t for t in row if t.text and t.idx not in self.used and not t.carried]
            if not toks:
                continue
            k = label(toks[0].text).rstrip(":：")
            if k in v.table_ends or k in ("合计", "总计"):
                nums = [t for t in toks[1:] if kind(t.text) == "num"]
                self.take(toks[0])
                under = self._under_columns(nums)
                if under:  # PDF cells: each number under the 分值 / 得分 header it stands in
                    for f, c in under.items():
                        m = re.match(r"^\d+(?:\.\d+)?", norm(c.text))
                        self.put(("self_eval", f), c, m.group(0) if m else c.text, numeric=True)
                    continue
                if len(nums) == 1 and "total" not in self.rec.doc.get("self_eval", {}) and len(toks) == 2 \
                        and k in v.table_ends:  # 总分: the total score; a 合计 of one number may be Σ分值 or Σ得分
                    m = re.match(r"^\d+(?:\.\d+)?", norm(nums[0].text))
                    self.put(("self_eval", "total"), nums[0], m.group(0) if m else nums[0].text, numeric=True)
                elif len(nums) == 2 and len(toks) == 3 and k in v.table_ends and self._weight_then_score():
                    why = f"“{toks[0].text}”一行印出两个数，依次在绩效指标表头“分值”“得分”两栏的次序下"
                    for f, c in zip(("total_weight", "total"), nums):
                        m = re.match(r"^\d+(?:\.\d+)?", norm(c.text))
                        self.put(("self_eval", f), c, m.group(0) if m else c.text, "inferred", why, numeric=True)
                elif toks[1:]:
                    self.rec.not_placed(" | ".join(t.text for t in toks), _span(toks),
                                        f"“{toks[0].text}”一行印出的数不止一个或不在分值/得分栏下，无法确定各是什么，未导入")
                    self.take(*toks)
                continue
            if _GOAL_LABEL.match(k) and len(toks) == 2 and "goals" not in self.rec.doc:
                self.take(toks[0])
                self.rec.labels_read += 1
                self.put(("goals", "expected"), toks[1], how="inferred",
                         reason=f"“{toks[0].text}”一行只印出一段文字，作为年度目标（预期目标）")
                continue
            if k in v.self_eval_texts and len(toks) >= 2:
                f = v.self_eval_texts[k]
                self.take(toks[0])
                if f not in self.rec.doc.get("self_eval", {}):
                    text = " ".join(t.text for t in toks[1:])
                    self.rec.place(("self_eval", f), text, _span(toks[1:]))
                    self.take(*toks[1:])

    def _under_columns(self, nums: list[Tok]) -> dict[str, Tok]:
        ind = [t for t in self.tables if t.block == "indicators"]
        if not ind or not nums or any(c.x0 is None for c in nums):
            return {}
        out: dict[str, Tok] = {}
        for c in nums:
            col = next((k for k in ind[-1].columns if k.head is not None and k.role in ("weight", "score")
                        and c.under(k.head)), None)
            if col is None:
                return {}
            out["total_weight" if col.role == "weight" else "total"] = c
        return out

    def _weight_then_score(self) -> bool:
        ind = [t for t in self.tables if t.block == "indicators"]
        roles = [c.role for c in ind[-1].columns] if ind else []
        return "weight" in roles and "score" in roles and roles.index("weight") < roles.index("score")

    # -- a narrative report ----------------------------------------------------------------------------
    def narrative(self) -> None:
        """Sections opened by 一、 二、 headings, each with the lines printed under it."""
        v = vocab()
        rows = self.grid.rows
        heads = [r for r, row in enumerate(rows) if row and row[0].text and v.heading.match(label(row[0].text))
                 and len(row) == 1 and len(norm(row[0].text)) <= 40]
        if len(heads) < 2 or not _model_has(("narrative", "sections")):
            return
        for n, r in enumerate(heads):
            stop = heads[n + 1] if n + 1 < len(heads) else len(rows)
            body = [t for row in rows[r + 1:stop] for t in row if t.text]
            lines: dict[int, list[str]] = {}
            for t in body:
                lines.setdefault(t.row, []).append(t.text)
            text = "\n".join(" | ".join(cs) for cs in lines.values())
            path = ("narrative", "sections", n)
            title = rows[r][0]
            self.rec.place(path + ("key",), f"s{n + 1}", title.src)
            self.rec.place(path + ("part",), "", title.src)
            self.rec.place(path + ("title",), title.text, title.src)
            self.rec.place(path + ("text",), text, _span(body) if body else title.src)
            self.take(title, *body)
        self.sections = len(heads)

    def unit(self) -> None:
        if "unit" in self.rec.doc.get("header", {}):
            return
        for t in self.grid.toks:
            m = re.search(r"(?:单位[:：]|[(（])\s*(亿元|万元|元)\s*[)）]?", t.text)
            if m and unit_in([m.group(1)]):
                self._unit(m.group(1), t)
                return

    def _unit(self, unit: str, tok: Tok) -> None:
        if "unit" not in self.rec.doc.get("header", {}):
            self.rec.place(("header", "unit"), unit, tok.src, verify=tok.text)

    def leftovers(self) -> None:
        """Printed text that fits no block: label-value rows of the form's head (above its first table)
        go to ``stray`` ('标签：值；…'), everything else to the import record only."""
        first = min((t.head_row for t in self.tables), default=-1)
        by_row: dict[int, list[Tok]] = {}
        for t in self.grid.toks:
            if t.text and t.idx not in self.used:
                by_row.setdefault(t.row, []).append(t)
        for r, toks in by_row.items():
            if 0 <= r < first and len(toks) >= 2 and len(toks) % 2 == 0 and \
                    all(kind(a.text) == "text" for a in toks[::2]):
                text = "；".join(f"{a.text}：{b.text}" for a, b in zip(toks[::2], toks[1::2]))
                self.rec.doc.setdefault("stray", []).append(text)
                self.rec.not_placed(text, _span(toks), "表上印出、但数据文件没有对应栏目的内容，已放入无归属文字")
            else:
                self.rec.not_placed(" | ".join(t.text for t in toks), _span(toks), "不属于任何已读取的表格或栏目，未导入")

    # -- the document ------------------------------------------------------------------------------
    def finish(self, all_recs: list[Record], k: int, n: int) -> None:
        doc = self.rec.doc
        dep = doc.setdefault("department", {})
        others = [r for j, r in enumerate(all_recs) if j != k and r.doc.get("department", {}).get("name")]
        if "name" not in dep and others and k == 0 and not self.title_tok:  # the page begins inside a form
            src = next((e.source for e in others[0].entries if e.field == "department.name"), {})
            self.rec.place(("department", "name"), others[0].doc["department"]["name"], src, "inferred",
                           "本表的表头不在页面上（页面从表中间开始）；取同一页面上另一份表的单位")
        if "name" not in dep and self.title_tok is not None:
            m = re.match(r"^(\S{2,30}?)(?:19|20)\d{2}\s*年", self.title_tok[0])
            if m and m.group(1).endswith(vocab().unit_suffixes):
                self.rec.place(("department", "name"), m.group(1), self.title_tok[1], "inferred",
                               "表上没有单位名称一栏；标题在年度之前印出单位名称", verify=self.title_tok[0])
        if "name" not in dep:
            self.rec.place(("department", "name"), UNNAMED, {}, "inferred",
                           "表上找不到部门（单位）名称；数据文件须有名称，此处写明未印出")
        if "year" not in dep:
            year = self._year_anywhere()
            if year is None and not file_year(self.form, self.rec):
                raise FormError(Problem("表上未印年度（标题中没有“XXXX年度”），文件名中也没有", file=str(self.form.path),
                                        expected="在文件名中写明年度，例如 单位名称_2021.txt；或表上印出年度"))
        file_code(self.form, self.rec, k + 1, n)
        self._glued_tables()
        self._cut()
        if not any(doc.get(b) for b in ("funds", "indicators", "score_groups")) and self.sections:
            self.rec.note("本文件是自评报告（文字），没有评分表可供复核；已按“一、二、……”分节读取全文")
        order = ["format", "family", "department", "header", "funds", "goals", "indicators", "score_groups", "self_eval",
                 "narrative", "stray", "incomplete"]
        doc["format"] = "kit-dept/1"
        self.rec.doc = {k2: doc[k2] for k2 in order if k2 in doc} | {k2: v for k2, v in doc.items() if k2 not in order}

    def _cut(self) -> None:
        """A table form whose last table runs to the end of the page: the blocks after it were cut off."""
        if not self.last or not self.tables or self.sections:
            return
        t = self.tables[-1]
        tail = [x for row in self.grid.rows[t.end:] for x in row if x.text and x.idx not in self.used]
        if t.closed_by is not None or tail and any(x for x in tail if _closing_label(x.text)):
            return
        order = ["funds", "goals", "indicators", "self_eval"]
        after = order[order.index(t.block) + 1:] if t.block in order else []
        cut = [b for b in ([t.block] if not t.rows else []) + after
               if not self.rec.doc.get(b) or b == t.block]
        if "total" in self.rec.doc.get("self_eval", {}):
            cut = [b for b in cut if b != "self_eval"]
        if cut:
            inc = self.rec.doc.setdefault("incomplete", [])
            inc += [b for b in cut if b not in inc]
            self.rec.note("页面未载全：" + "、".join(_block_label(b) for b in cut)
                          + " 被截断或不在页面上（其合计无法核对，不是表的错误）")

    def _glued_tables(self) -> None:
        """Tables printed with their cells run together ('预算数(A)执行数(B)…1.561.56120'): which number
        stands in which column cannot be told, so none is read; their blocks cannot be checked."""
        if not self.glued:
            return
        opens = vocab().opens
        blocks = [b for b in ("funds", "indicators") if b not in self.rec.doc
                  and any(r in opens[b] for _t, roles in self.glued for r in roles)]
        where = "、".join(dict.fromkeys(_where(t) for t, _r in self.glued))
        self.rec.note(f"{where}：表格的各栏在文字层中连在一起（没有分隔），其中的金额、分值、得分无法确定属于哪一栏，"
                      "均未导入；这些栏目无法核对（不是表的错误）。请用原 PDF 或网页导入")
        if blocks:
            inc = self.rec.doc.setdefault("incomplete", [])
            inc += [b for b in blocks if b not in inc]

    def _year_anywhere(self) -> int | None:
        for row in self.grid.rows[:40]:
            for t in row:
                m = _YEAR.search(norm(t.text)) or _YEAR_LOOSE.search(norm(t.text))
                if m:
                    self.rec.place(("department", "year"), int(m.group(1)), t.src, "inferred",
                                   "标题中没有年度；取表上最先印出的“XXXX年(度)”", verify=t.text)
                    return int(m.group(1))
        return None


# --- small helpers -----------------------------------------------------------------------------------
@lru_cache(maxsize=4)
def _labels_re(stops: tuple[str, ...]) -> re.Pattern:
    """Every known label, longest first (an alternation takes the first that matches at a place)."""
    return re.compile("|".join(re.escape(x) for x in sorted(stops, key=len, reverse=True)))


def _closing_label(text: str) -> bool:
    v = vocab()
    k = label(text).rstrip(":：")
    return k in v.table_ends or k in v.self_eval_texts


def _block_label(b: str) -> str:
    from ..model import BLOCK_LABELS

    return BLOCK_LABELS.get(b, b)


def _label_path(k: str) -> tuple | None:
    for lab, path in vocab().header_fields:
        if k == lab:
            return path
    return None


def _model_has(path: tuple) -> bool:
    """Whether the data file has this field (the model grows: header.date, profile counts …)."""
    from ..model import labels

    if path[0] == "header":
        return path[1] in labels.HEADER_FIELDS
    if path[:2] == ("profile", "counts"):
        return path[2] in labels.COUNT_FIELDS
    if path[0] == "profile":
        return path[1] in labels.PROFILE_TEXTS
    if path[0] == "funds":
        return path[1] in labels.FUNDS_FIELDS
    return True


def _get(doc: dict, path: tuple):
    cur = doc
    for p in path:
        if not isinstance(cur, dict) or p not in cur:
            return None
        cur = cur[p]
    return cur


def _group(text: str) -> tuple[str, str | None]:
    """'产出指标（50分）' → ('产出指标', '50')."""
    m = re.match(r"^(?P<name>.*?)\s*[:：]?\s*[(（]\s*(?P<w>\d+(?:\.\d+)?)\s*分\s*[)）]\s*$", text)
    if m and m.group("name").strip():
        return m.group("name").strip(), m.group("w")
    return text, None


def _head(t: Table, role: str) -> str:
    c = next((c for c in t.columns if c.role == role), None)
    return c.head.text if c is not None and c.head is not None else role


def _span(toks: list[Tok]) -> dict:
    toks = [t for t in toks if t is not None]
    if not toks:
        return {}
    a, b = toks[0].src, toks[-1].src
    if "table" in a or a.get("line") == b.get("line"):
        return dict(a)
    out = {"page": a["page"]} if a.get("page") else {}
    lo, hi = min(t.src.get("line", 0) for t in toks), max(t.src.get("line", 0) for t in toks)
    out["lines"] = f"{lo}-{hi}"
    return out


def _where(tok: Tok | None) -> str:
    if tok is None:
        return ""
    src = tok.src
    return f"第{src['line']}行" if "line" in src else ""


__all__ = ["FormMapper", "import_forms", "split_forms"]

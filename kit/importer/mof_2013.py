"""The MOF-2013 framework table (family ``mof_2013``): 基础数据表 and 部门整体支出绩效评价指标表 → document.

A department's form reprints its city's table of the framework (财预〔2013〕53号): 一级指标 投入 /
过程 / 产出 / 效果, 二级指标 (预算配置, 预算执行 ...), 三级指标 with their 评分标准 and 指标说明, each
name followed by its number, and the 自评得分 after the texts; often with a 基础数据表 (编制数 vs
在职人数, 三公经费 and 政府采购 by year).

What is placed, and why:

* 基础数据表: a row label followed by as many amounts as the table has year columns
  (2017年决算数 / 2018年预算数 / 2018年决算数) is placed by layout; a row with fewer amounts is
  not placed (which column is blank cannot be told). The inputs the framework's ratios need go
  to ``supplementary`` (三公经费 by year, 政府采购) with the table's unit written out; 编制数 and
  在职人数 to ``profile.counts``. A value split by a line break (``95.`` / ``10%``) is joined only
  when the ratio it states is re-run from the same row (136 / 143 = 95.10%).
* 指标表: the text layer of a copied PDF loses the table's rows and prints each number at the
  start of the next line, before the next name. Read as a chain (name, number, name, number,
  texts, number ...): the number after a name is that name's 分值 (the framework's tables print
  it there; where the header says 得分 this is inferred, and checked against the printed group
  sums where a group is complete), the number after the texts is the row's 自评得分. 评分标准
  and 指标说明 are told apart at the first space after the end of a sentence (inferred). Names
  are classed by the framework's vocabulary (一级 / 二级) and the family's rule file.
* From a PDF, cells are placed under their printed column headers.

The page cut inside the table leaves ``scores``, ``score_groups`` and ``self_eval`` incomplete.
"""
from __future__ import annotations

import re
from decimal import Decimal, ROUND_HALF_UP

from .cells import Grid, Tok, kind, norm, number, read_grid, readable_number
from .ident import UNNAMED, file_code
from ..core.errors import NotThisLayout, Problem
from .record import Record
from .sources import Form, FormError

FAMILY_ID = "mof_2013"
LEVEL1 = ("投入", "过程", "产出", "效果")
LEVEL2 = ("目标设定", "预算配置", "预算执行", "预算管理", "资产管理", "职责履行", "履职效益")
BASIC_TITLE = re.compile(r"基础数据表")
TABLE_TITLE = re.compile(r"(部门整体支出)?绩效评价指标表")
UNIT = re.compile(r"^单位[:：](万元|元)$")
FILER = re.compile(r"^填报单位[:：](.*)$")
YEAR_COL = re.compile(r"^((?:19|20)\d{2})年(决算数|预算数|实际在职人数|执行数)$")
FUNDS_COLS = {"年初预算数": "initial", "调整后预算数": "adjusted", "全年预算数": "adjusted", "执行数": "actual"}
STAFF_COLS = {"编制数": "authorized_posts", "实际在职人数": "on_staff", "在职人数": "on_staff"}
BASIC_ROWS = {  # row label → (supplementary key by column: prior_actual, budget, actual)
    "三公经费": {"prior_actual": "three_public_prior_actual", "prior_budget": "three_public_prior_budget",
                 "budget": "three_public_budget", "actual": "three_public_actual"},
    "政府采购金额": {"budget": "procurement_plan", "actual": "procurement_actual"},
}
HEAD_WORDS = ("一级指标", "二级指标", "三级指标", "得分", "分值", "评价标准", "评分标准", "指标说明", "扣分原因", "自评得分")
GROUP_CELL = re.compile(r"^(.*?)\s*[(（]\s*(\d+(?:\.\d+)?)\s*分\s*[)）]$")
LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d+)?)(?:\s+(.*))?$")
# 评分标准 ends a sentence, then a space, then 指标说明 begins.
SPLIT = re.compile(r"(?<=[.。;；分])\s+(?=\S)")
ADJUST_ROW = re.compile(r"预算调整$")
INITIAL_IN_TEXT = r"年初预算(?:数)?(?:为|是)?{a}"
ADDED_IN_TEXT = re.compile(r"追加(?:预算)?(?:数)?(?:为|是)?(\d+(?:\.\d+)?)万?元?")
PRIOR_BUDGET = re.compile(r"((?:19|20)\d{2})年度?预算安排的\s*[“\"]?三公经费[”\"]?\s*总额为(\d+(?:\.\d+)?)万元")


def _names() -> tuple[set[str], set[str], dict[str, str]]:
    """(一级, 二级, 三级 → name as the rule file writes it) of the framework, normalised."""
    from ..engine.rules import norm_name, rules_for

    l1, l2 = {norm_name(x) for x in LEVEL1}, {norm_name(x) for x in LEVEL2}
    l3: dict[str, str] = {}
    try:
        for r in rules_for(FAMILY_ID).indicators:
            l1.add(norm_name(r.level1))
            l2.add(norm_name(r.level2))
            for n in (r.name, *r.aliases):
                l3[_plain(n)] = r.name
    except Exception:  # a broken rule file: the framework's fixed words still class the names
        pass
    return l1, l2, l3


def _plain(s: str) -> str:
    """A name as compared: no spaces, no quotation marks (the text layer turns “三公经费” into spaces)."""
    return re.sub(r"[\s“”\"'‘’]+", "", s)


class Reader:
    def __init__(self, form: Form, grid: Grid, rec: Record):
        self.form, self.grid, self.rec = form, grid, rec
        self.used: set[int] = set()
        self.year: int | None = None
        self.adjust_row: tuple[Tok, list[Tok]] | None = None
        self.unit = ""
        self._unit_tok: Tok | None = None

    def take(self, *toks: Tok) -> None:
        self.used.update(t.idx for t in toks)

    def number_at(self, path: tuple, text: str, src: dict, how: str = "layout", reason: str = "") -> None:
        """Place a number field; printed text that is no number is left absent with its raw text."""
        if readable_number(text):
            self.rec.place(path, text, src, how, reason, verify=text)
        else:
            self.rec.absent(path, text, src, "此栏应为数字，印出的不是数字，未导入", blank="")

    def run(self) -> None:
        toks = self.grid.toks
        t_basic = next((i for i, t in enumerate(toks) if BASIC_TITLE.search(t.key)), None)
        t_table = next((i for i, t in enumerate(toks) if TABLE_TITLE.search(t.key) and not BASIC_TITLE.search(t.key)), None)
        if t_basic is not None:
            part = toks[t_basic: t_table if t_table is not None and t_table > t_basic else len(toks)]
            self.basic_cells(part) if self.grid.style == "pdf" else self.basic(part)
        if t_table is not None:
            title = toks[t_table]
            self.rec.place(("header", "title"), title.text, title.src)
            self.take(title)
            if self.unit:
                self.rec.place(("header", "unit"), self.unit, self._unit_tok.src)
            body = toks[t_table + 1:]
            if self.grid.style == "pdf":
                self.table_cells(body)
            else:
                self.table_text(body)
        elif self.unit:
            self.rec.place(("header", "unit"), self.unit, self._unit_tok.src)

    # 基础数据表 -------------------------------------------------------------------------------------
    def basic(self, toks: list[Tok]) -> None:
        self.take(toks[0])
        i = 1
        cols: list[tuple[str, str, Tok]] = []  # (kind, year, header cell)
        staff: list[tuple[str, Tok]] = []
        rows: list[tuple[Tok, list[Tok]]] = []
        mode = None
        while i < len(toks):
            t = toks[i]
            k = t.key
            i += 1
            if not t.text:
                continue
            if m := UNIT.match(k):
                self.unit, self._unit_tok = m.group(1), t
                self.take(t)
                continue
            if m := FILER.match(k):
                self.take(t)
                if m.group(1):
                    self.rec.place(("department", "name"), m.group(1), t.src, verify=t.text)
                continue
            if k in ("附件3:", "附件:") or k.startswith("附件"):
                self.take(t)
                continue
            if k == "财政供养人员情况":
                mode = "staff"
                self.take(t)
                continue
            if k == "经费控制情况":
                mode = "money"
                cols = []
                self.take(t)
                continue
            if mode == "staff" and (k in STAFF_COLS or YEAR_COL.match(k) or k == "控制率"):
                field = STAFF_COLS.get(k) or ("on_staff" if YEAR_COL.match(k) else "rate")
                if (m := YEAR_COL.match(k)) and self.year is None:
                    self.year = int(m.group(1))
                staff.append((field, t))
                self.take(t)
                continue
            if mode == "money" and (m := YEAR_COL.match(k)):
                cols.append((m.group(2), m.group(1), t))
                self.take(t)
                continue
            if kind(t.text) == "text":
                rows.append((t, []))
                mode = "money" if mode == "money" or cols else mode
            elif rows and mode == "money":
                rows[-1][1].append(t)
            elif mode == "staff":
                rows.append((None, [t])) if not rows or rows[-1][0] is not None else rows[-1][1].append(t)
        years = [int(y) for _, y, _ in cols]
        if years:
            self.year = max(years)
        self._staff(staff, [t for lab, vals in rows if lab is None for t in vals])
        self._money(cols, [(lab, vals) for lab, vals in rows if lab is not None])

    def basic_cells(self, toks: list[Tok]) -> None:
        """PDF: each row of the 基础数据表 under the header row above it (by the columns' edges)."""
        self.take(toks[0])
        heads: list[tuple[str, Tok]] = []
        mode = None
        staff_vals: list[Tok] = []
        staff_heads: list[tuple[str, Tok]] = []
        money_cols: list[tuple[str, str, Tok]] = []
        money_rows: list[tuple[Tok, list[Tok]]] = []
        for r in sorted({t.row for t in toks[1:]}):
            cells = [c for c in self.grid.rows[r] if not c.carried]
            self.take(*cells)
            first = cells[0]
            k = first.key
            if len(cells) == 1:  # text outside the tables: 填报单位, 单位
                if m := UNIT.match(k):
                    self.unit, self._unit_tok = m.group(1), first
                elif (m := FILER.match(k)) and m.group(1):
                    self.rec.place(("department", "name"), first.text.split("：", 1)[-1].split(":", 1)[-1].strip(), first.src,
                                   verify=first.text)
                elif first.text:
                    self.rec.not_placed(first.text, first.src, "基础数据表之外的文字")
                continue
            if k == "财政供养人员情况":
                mode = "staff"
                for c in cells[1:]:
                    ck = c.key
                    if m := YEAR_COL.match(ck):
                        self.year = int(m.group(1))
                    staff_heads.append((STAFF_COLS.get(ck) or ("on_staff" if YEAR_COL.match(ck) else "rate"), c))
                continue
            if k == "经费控制情况":
                mode = "money"
                money_cols = [(m.group(2), m.group(1), c) for c in cells[1:] if (m := YEAR_COL.match(c.key))]
                continue
            if k in ("预算调整情况", "部门预算调整情况"):
                mode = "funds"
                heads = [(FUNDS_COLS[c.key], c) for c in cells[1:] if c.key in FUNDS_COLS]
                continue
            if mode == "staff" and not first.text:
                by = {f: next((c for c in cells if c.under(h)), None) for f, h in staff_heads}
                staff_vals = [by[f] for f, _ in staff_heads if by[f] is not None]
            elif mode == "money" and first.text:
                vals = [next((c for c in cells if c.under(h)), None) for _, _, h in money_cols]
                money_rows.append((first, [v if v is not None else Tok("", first.src, first.row) for v in vals]))
            elif mode == "funds" and first.text:
                self.rec.place(("funds", "rows", 0, "source"), first.text, first.src)
                for f, h in heads:
                    c = next((c for c in cells if c.under(h)), None)
                    if c is not None and c.text:
                        self.number_at(("funds", "rows", 0, f), c.text, c.src)
        years = [int(y) for _, y, _ in money_cols]
        if years:
            self.year = max(years)
        self._staff(staff_heads, staff_vals)
        self._money(money_cols, money_rows)

    def _staff(self, heads: list[tuple[str, Tok]], values: list[Tok]) -> None:
        if not heads:
            return
        vals = list(values)
        placed: dict[str, Tok] = {}
        shown: list[str] = []
        for n, (field, head) in enumerate(heads):
            if n >= len(vals):
                break
            v = vals[n]
            if field == "rate":
                text, used = v.text, [v]
                if v.text.endswith(".") and n + 1 < len(vals) and re.fullmatch(r"\d+%", vals[n + 1].text):
                    text, used = v.text + vals[n + 1].text, [v, vals[n + 1]]
                posts, staff = placed.get("authorized_posts"), placed.get("on_staff")
                if posts and staff and number(posts.text) and text.endswith("%"):
                    ratio = (number(staff.text) / number(posts.text) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
                    if number(text) == ratio:
                        shown.append(f"{_label(head)} {text}")
                        self.take(*used)
                        if len(used) > 1:
                            self.rec.note(f"{_where(v.src)}：控制率印作“{v.text}”“{vals[n + 1].text}”两段，"
                                          f"合为 {text}（与 {staff.text}/{posts.text} 相符）")
                        continue
                self.rec.not_placed(" ".join(u.text for u in used), v.src, "控制率：无法核实，未导入")
                self.take(*used)
                continue
            if kind(v.text) != "num":
                break
            self.rec.place(("profile", "counts", field), v.text, v.src, verify=v.text)
            placed[field] = v
            shown.append(f"{_label(head)} {v.text}")
            self.take(v)
        if shown:
            srcs = [placed[f].src for f in placed]
            self.rec.place(("profile", "staffing"), "，".join(shown), srcs[0] if srcs else {}, "inferred",
                           "由基础数据表“财政供养人员情况”一行的栏目名称与数值连写而成")

    def _money(self, cols: list[tuple[str, str, Tok]], rows: list[tuple[Tok, list[Tok]]]) -> None:
        if not cols:
            for lab, vals in rows:
                self.take(lab, *vals)
            return
        year = max(int(y) for _, y, _ in cols)
        col_keys = []
        for what, y, _ in cols:
            if int(y) == year - 1 and what == "决算数":
                col_keys.append("prior_actual")
            elif int(y) == year - 1 and what == "预算数":
                col_keys.append("prior_budget")
            elif int(y) == year and what == "预算数":
                col_keys.append("budget")
            elif int(y) == year and what in ("决算数", "执行数"):
                col_keys.append("actual")
            else:
                col_keys.append(None)
        unit = self.unit or ""
        for lab, vals in rows:
            self.take(lab, *vals)
            name = _plain(re.sub(r"^\d+[、.]", "", lab.text).rstrip(":："))
            keys = BASIC_ROWS.get(name)
            if not vals:
                continue
            if ADJUST_ROW.search(name) and len(vals) == 2 and len(cols) == 3:
                self.adjust_row = (lab, vals)  # decided once the 指标说明 texts are read
                continue
            if keys is None:
                self.rec.not_placed(f"{lab.text} {' '.join(v.text for v in vals)}", lab.src,
                                    "基础数据表中数据文件没有对应栏目的行，仅记录")
                continue
            if len(vals) != len(cols) and not (self.grid.style == "pdf" and len(vals) <= len(cols)):
                for key in keys.values():
                    self.rec.absent(("supplementary", key), " ".join(v.text for v in vals), lab.src,
                                    f"基础数据表“{lab.text}”行印出 {len(vals)} 个数，本表有 {len(cols)} 栏，无法确定各属哪一栏")
                continue
            for v, ck in zip(vals, col_keys):
                key = keys.get(ck) if ck else None
                if key is None:
                    continue
                if not v.text:
                    continue
                if kind(v.text) != "num":
                    self.rec.absent(("supplementary", key), v.text, v.src, "不是数值")
                    continue
                reason = f"表头印“单位:{unit}”，数值按此写出单位" if unit else ""
                self.rec.place(("supplementary", key), v.text + unit, v.src, "inferred" if unit else "layout", reason)

    # 指标表, text layer -------------------------------------------------------------------------
    def table_text(self, toks: list[Tok]) -> None:
        """The table's text as a chain of (number, text) pieces: each line that begins with a number
        starts a piece; other lines continue the text of the piece before."""
        i = 0
        while i < len(toks) and (toks[i].key in HEAD_WORDS or not toks[i].text):
            self.take(toks[i])
            self.rec.labels_read += 1
            i += 1
        body = toks[i:]
        if not body:
            return
        # Rebuild the printed lines of the body from the cells (runs of spaces split the text).
        lines: list[list[Tok]] = []
        for t in body:
            if not lines or lines[-1][0].row != t.row:
                lines.append([])
            lines[-1].append(t)
        chain: list[tuple[Tok | None, list[list[Tok]]]] = [(None, [])]
        for ln in lines:
            first = ln[0]
            if LEADING_NUMBER.fullmatch(first.text) and kind(first.text) == "num":
                chain.append((first, [ln[1:]] if ln[1:] else []))
            else:
                chain[-1][1].append(ln)
        self._chain(chain)

    def _chain(self, chain: list[tuple[Tok | None, list[list[Tok]]]]) -> None:
        from ..engine.rules import norm_name

        l1s, l2s, l3s = _names()
        rows: list[dict] = []
        groups: list[dict] = []
        last: dict | None = None  # the item the next number belongs to
        expect_text = False  # after a 三级指标's 分值 come its 评分标准 and 指标说明
        cur1 = cur2 = None
        for num, lines in chain:
            text_toks = [t for ln in lines for t in ln]
            if num is not None:
                self.take(num)
                if last is None:
                    self.rec.not_placed(num.text, num.src, "指标表：无法归属的数")
                elif last["kind"] == "texts":
                    last["row"]["self_score"] = num
                    last = None
                else:
                    last["weight"] = num
                    if last["kind"] == "l3":
                        expect_text = True
                    last = {"kind": "done"} if last["kind"] == "l3" else None
            if not text_toks:
                continue
            self.take(*text_toks)
            if expect_text:
                row = rows[-1]
                row["texts"] = lines
                last = {"kind": "texts", "row": row}
                expect_text = False
                continue
            name = " ".join(t.text for t in lines[0]) if len(lines) == 1 else "".join(
                " ".join(t.text for t in ln) for ln in lines)
            key = norm_name(name)
            if key in l1s:
                cur1 = {"kind": "l1", "level": "1", "name": name, "tok": text_toks[0], "children": []}
                groups.append(cur1)
                cur2 = None
                last = cur1
            elif key in l2s:
                cur2 = {"kind": "l2", "level": "2", "name": name, "tok": text_toks[0], "parent": cur1, "children": []}
                groups.append(cur2)
                if cur1 is not None:
                    cur1["children"].append(cur2)
                last = cur2
            else:
                row = {"kind": "l3", "name": name, "tok": text_toks[0], "toks": text_toks, "l1": cur1, "l2": cur2,
                       "known": l3s.get(_plain(name))}
                rows.append(row)
                if cur2 is not None:
                    cur2["children"].append(row)
                last = row
        self._place_table(rows, groups, cut=True)

    def _place_table(self, rows: list[dict], groups: list[dict], cut: bool) -> None:
        # Is the number after a name its 分值? Check the complete groups: a group's number equals
        # the sum of its children's numbers (the header of some copies says 得分 there).
        verified, contradicted = [], []
        for k, g in enumerate(groups):
            if "weight" not in g or not g["children"]:
                continue
            later = groups[k + 1:]
            complete = any(x["level"] <= g["level"] for x in later)
            if not complete or any("weight" not in c for c in g["children"]):
                continue
            total = sum(number(c["weight"].text) or Decimal(0) for c in g["children"])
            (verified if total == number(g["weight"].text) else contradicted).append(
                f"{g['name']} {g['weight'].text} = " + " + ".join(c["weight"].text for c in g["children"]))
        if contradicted:
            self.rec.note("指标表：名称后的数与下级之和不符（" + "；".join(contradicted) + "），未作为分值导入")
        why = "指标表各名称后所印的数是该项的分值（表头在此处印作“得分”时亦同）"
        if verified:
            why += "；已核对：" + "；".join(verified)
        weights_ok = not contradicted
        for k, g in enumerate([g for g in groups if "weight" in g]):  # a group is listed where its 分值 is printed
            path = ("score_groups", k)
            self.rec.place(path + ("level",), g["level"], g["tok"].src)
            self.rec.place(path + ("name",), g["name"], g["tok"].src)
            if g["level"] == "2" and g.get("parent") is not None:
                self.rec.place(path + ("parent",), g["parent"]["name"], g["parent"]["tok"].src, "inferred",
                               "一级指标为合并单元格；按印出的先后归入")
            if "weight" in g and weights_ok:
                self.number_at(path + ("weight",), g["weight"].text, g["weight"].src, "inferred", why)
            elif "weight" in g:
                self.rec.absent(path + ("weight",), g["weight"].text, g["weight"].src, "名称后的数与下级之和不符")
        kept = [row for row in rows if row["l1"] is not None]
        for row in rows:
            if row["l1"] is None:
                self.rec.absent(("scores",), row["name"], row["tok"].src, "该行找不到所属的一级指标（名称未印出），未导入")
        rows = kept
        for r, row in enumerate(rows):
            path = ("scores", r)
            for lvl, f in (("l1", "level1"), ("l2", "level2")):
                g = row[lvl]
                if g is not None:
                    self.rec.place(path + (f,), g["name"], g["tok"].src, "inferred", "合并单元格；按印出的先后归入")
                else:
                    self.rec.absent(path + (f,), "", row["tok"].src, "找不到所属的上级指标", blank="")
            self.rec.place(path + ("level3",), row["name"], row["tok"].src if len(row["toks"]) == 1 else _span(row["toks"]))
            if row.get("known") is None:
                self.rec.note(f"指标表“{row['name']}”不在规则文件的框架指标中，按表内分值评分")
            if "weight" in row and weights_ok:
                self.number_at(path + ("weight",), row["weight"].text, row["weight"].src, "inferred", why)
            else:
                self.rec.absent(path + ("weight",), row["weight"].text if "weight" in row else "", row["tok"].src,
                                "分值未印出或无法确认", blank="")
            lines = row.get("texts")
            if row.get("texts_placed"):
                pass  # PDF: 评分标准 and 指标说明 stood in their own cells
            elif lines:
                self._texts(path, lines)
            else:
                self.rec.absent(path + ("criteria",), "", row["tok"].src, "评分标准未印出（页面截断）", blank="")
            if "self_score" in row:
                self.number_at(path + ("self_score",), row["self_score"].text, row["self_score"].src)
            else:
                self.rec.absent(path + ("self_score",), "", row["tok"].src,
                                "自评得分未印出（页面在本行截断）" if r == len(rows) - 1 else "自评得分未印出", blank="")
            doc_row = self.rec.doc["scores"][r]
            self.rec.doc["scores"][r] = {f: doc_row.get(f, "") for f in ("level1", "level2", "level3", "weight",
                                                                          "description", "criteria", "self_score")}
        self._adjustment()
        if cut and rows:
            self.rec.doc["incomplete"] = ["scores", "score_groups", "self_eval"]
            self.rec.note("页面在指标表中截断：评分表、分组及自评总分不完整（其合计无法核对，不是表的错误）")
        self._prior_budget()

    def _texts(self, path: tuple, lines: list[list[Tok]]) -> None:
        """评分标准, then 指标说明: split at the first space after the end of a sentence."""
        texts = [" ".join(t.text for t in ln) for ln in lines]
        for n, line in enumerate(texts):
            m = SPLIT.search(line)
            if m:
                crit = "\n".join(texts[:n] + [line[: m.start()]])
                desc = "\n".join([line[m.end():]] + texts[n + 1:])
                why = "评分标准与指标说明在文字层中连在一起；在评分标准末句之后的空格处分开"
                src = _span([t for ln in lines for t in ln])
                self.rec.place(path + ("criteria",), crit, src, "inferred", why)
                self.rec.place(path + ("description",), desc, src, "inferred", why)
                return
        src = _span([t for ln in lines for t in ln])
        self.rec.absent(path + ("criteria",), "\n".join(texts), src, "评分标准与指标说明连在一起，找不到分界，未导入", blank="")
        self.rec.absent(path + ("description",), "\n".join(texts), src, "评分标准与指标说明连在一起，找不到分界，未导入", blank="")

    def _adjustment(self) -> None:
        """基础数据表's 预算调整 row prints two amounts under three year columns: placed as 年初预算 and
        调整后预算 only when the 指标说明 texts name the first as 年初预算 and the second is it plus the
        追加 they state."""
        if self.adjust_row is None:
            return
        lab, (a, b) = self.adjust_row
        texts = [r.get("description", "") for r in self.rec.doc.get("scores", []) if r]
        joined = "\n".join(texts)
        va, vb = number(a.text), number(b.text)
        named = re.search(INITIAL_IN_TEXT.format(a=re.escape(a.text)), joined)
        added = [number(m.group(1)) for m in ADDED_IN_TEXT.finditer(joined)]
        if va is None or vb is None or not named or not any(x is not None and va + x == vb for x in added):
            self.rec.not_placed(f"{lab.text} {a.text} {b.text}", lab.src,
                                "基础数据表：该行印出两个数，本表有三栏，无法确定各属哪一栏，未导入")
            return
        x = next(x for x in added if x is not None and va + x == vb)
        why = (f"该行印出两个数、本表有三栏；指标说明印有“{named.group(0)}”，且 {a.text} + 追加 {x} = {b.text}，"
               "故为年初预算数与调整后预算数")
        self.rec.place(("funds", "rows", 0, "source"), lab.text, lab.src)
        self.rec.place(("funds", "rows", 0, "initial"), a.text, a.src, "inferred", why, verify=a.text)
        self.rec.place(("funds", "rows", 0, "adjusted"), b.text, b.src, "inferred", why, verify=b.text)

    def _prior_budget(self) -> None:
        """上年“三公”经费预算数, printed only in the 三公经费变动率 row's 指标说明."""
        year = self.rec.doc.get("department", {}).get("year") or self.year
        for e in list(self.rec.entries):
            if not e.field.endswith(".description"):
                continue
            text = self.rec.doc["scores"][int(e.field.split(".")[1])]["description"]
            for m in PRIOR_BUDGET.finditer(text):
                if year and int(m.group(1)) == int(year) - 1:
                    self.rec.place(("supplementary", "three_public_prior_budget"), m.group(2) + "万元", e.source, "inferred",
                                   f"指标说明中印有“{m.group(0)}”（上年度预算安排数）")
                    return

    # 指标表, PDF cells ----------------------------------------------------------------------------
    def table_cells(self, toks: list[Tok]) -> None:
        """Each cell under its printed column: 一级指标, its 分值, 二级指标, its 分值, 三级指标, 分值,
        评分标准, 指标说明, 得分 (a number column right after a name column is that name's 分值)."""
        head_row = next((t.row for t in toks if norm(t.text) == "一级指标"), None)
        if head_row is None:
            return
        heads = [t for t in self.grid.rows[head_row] if not t.carried]
        self.take(*heads)
        fields: list[tuple[str, Tok]] = []
        for h in heads:
            k = norm(h.text)
            prev = fields[-1][0] if fields else ""
            if k in ("一级指标", "二级指标", "三级指标"):
                fields.append(({"一级指标": "l1", "二级指标": "l2", "三级指标": "l3"}[k], h))
            elif k in ("分值", "得分", "自评得分") and prev in ("l1", "l2", "l3"):
                fields.append((prev + "w", h))
            elif k in ("评分标准", "评价标准"):
                fields.append(("criteria", h))
            elif k == "指标说明":
                fields.append(("description", h))
            elif k in ("得分", "自评得分"):
                fields.append(("self_score", h))
        rows_idx = sorted({t.row for t in toks if t.row > head_row})
        groups: list[dict] = []
        rows: list[dict] = []
        by_src: dict[tuple, dict] = {}
        for r in rows_idx:
            cells = self.grid.rows[r]
            got: dict[str, Tok] = {}
            for c in cells:
                f = next((name for name, h in fields if c.under(h)), None)
                if f is not None:
                    got[f] = c
            first = next((c for c in cells if not c.carried and c.text), None)
            if first is not None and norm(first.text) in ("合计", "总分", "总计"):
                self.take(*[c for c in cells if not c.carried])
                for f, target in (("l3w", "total_weight"), ("self_score", "total")):
                    c = got.get(f)
                    if c is not None and c.text:
                        self.number_at(("self_eval", target), c.text, c.src)
                continue
            if not got.get("l3") or not got["l3"].text:
                continue
            cur = {}
            for lv in ("l1", "l2"):
                c = got.get(lv)
                if c is None or not c.text:
                    continue
                key = (lv, tuple(sorted(c.src.items())))
                if key not in by_src:
                    m = GROUP_CELL.match(c.text)
                    g = {"level": lv[1], "name": m.group(1) if m else c.text, "tok": c, "children": [], "kind": lv}
                    w = got.get(lv + "w")
                    if w is not None and w.text:
                        g["weight"] = w
                    elif m:  # '投入（22分）': the weight printed in the name's cell
                        g["weight"] = Tok(m.group(2), c.src, c.row)
                    if lv == "l2" and cur.get("l1") is not None:
                        g["parent"] = cur["l1"]
                        cur["l1"]["children"].append(g)
                    groups.append(g)
                    by_src[key] = g
                cur[lv] = by_src[key]
            row = {"kind": "l3", "name": got["l3"].text, "tok": got["l3"], "toks": [got["l3"]], "l1": cur.get("l1"),
                   "l2": cur.get("l2"), "known": _names()[2].get(_plain(got["l3"].text))}
            if cur.get("l2") is not None:
                cur["l2"]["children"].append(row)
            if got.get("l3w") is not None and got["l3w"].text:
                row["weight"] = got["l3w"]
            if got.get("self_score") is not None and got["self_score"].text:
                row["self_score"] = got["self_score"]
            rows.append(row)
            self.take(*[c for c in cells if not c.carried])
            for f in ("criteria", "description"):
                c = got.get(f)
                if c is not None and c.text:
                    self.rec.place(("scores", len(rows) - 1, f), c.text, c.src)
            row["texts"] = None
        self._place_table_cells(rows, groups)

    def _place_table_cells(self, rows: list[dict], groups: list[dict]) -> None:
        for row in rows:
            row["texts_placed"] = True
        self._place_table(rows, groups, cut=False)


def _label(head: Tok) -> str:
    return head.text


def _where(src: dict) -> str:
    return f"第{src['line']}行" if "line" in src else ""


def _span(toks: list[Tok]) -> dict:
    a, b = toks[0].src, toks[-1].src
    if "table" in a or a.get("line") == b.get("line"):
        return dict(a)
    out = {"page": a["page"]} if a.get("page") else {}
    out["lines"] = f"{a.get('line')}-{b.get('line')}"
    return out


def import_form(form: Form, rec: Record) -> None:
    grid = read_grid(form)
    if grid.address:
        rec.source["address"] = grid.address
    reader = Reader(form, grid, rec)
    reader.run()
    doc = rec.doc
    if not (doc.get("scores") or doc.get("supplementary") or doc.get("profile")):
        raise NotThisLayout(Problem("按财预〔2013〕53号框架指标表的版式，在文件中找不到任何栏目（基础数据表、部门整体支出绩效评价指标表）",
                                file=str(form.path), expected="部门整体支出绩效评价指标表；其他表式请用 --family 指定或不指定（自动识别）"))
    dep = doc.setdefault("department", {})
    if "year" not in dep:
        if reader.year:
            rec.place(("department", "year"), reader.year, {}, "inferred",
                      f"表上未印年度；基础数据表以 {reader.year} 年为本年（栏目名称“{reader.year}年决算数”等）")
        else:
            from .ident import file_year

            if not file_year(form, rec):
                raise FormError(Problem("表上未印年度（基础数据表的栏目名称中也没有），文件名中也没有", file=str(form.path),
                                        expected="在文件名中写明年度，例如 单位名称_2018.txt"))
    if not dep.get("name"):
        rec.place(("department", "name"), UNNAMED, {}, "inferred",
                  "表上找不到部门（单位）名称（“填报单位”一栏空白）；数据文件须有名称，此处写明未印出")
    file_code(form, rec)
    left = [t for t in grid.toks if t.text and t.idx not in reader.used]
    for t in left:
        rec.not_placed(t.text, t.src, "未能归入任何栏目")
    for k in ("scores", "score_groups"):
        doc.setdefault(k, [])
    doc["format"] = "kit-dept/1"
    order = ["format", "department", "header", "profile", "funds", "supplementary", "score_groups", "scores", "self_eval",
             "stray", "incomplete"]
    rec.doc = {k: doc[k] for k in order if k in doc} | {k: v for k, v in doc.items() if k not in order}

"""The 财政部-style 绩效自评表 (family ``mof_selfeval``): printed form → document.

The form (财预〔2020〕10号's 自评表 as the provinces adapted it) is a sequence of blocks, each
opened by a printed label: the head (项目名称 / 部门(单位)名称, 主管部门, 实施单位), 项目资金 /
预算执行情况 (columns named by their printed headers, one row per 资金来源), 年度总体目标 (预期 vs
实际), 绩效指标 (一级/二级/三级指标 and the columns the header prints: 指标性质, 指标值, 度量单位,
完成值, 分值/权重, 得分, 偏差原因), 总分/合计, and the Sichuan texts 评价结论/存在问题/改进措施.
Blocks are found by their labels in any order (Sichuan prints 年度目标 before the funds);
columns by their printed header, never by a fixed position.

Cells come from ``cells.read_grid`` (``|``, tabs, runs of spaces, one cell per line, PDF cells).
A row is placed by ``layout`` when its cells stand in their printed columns (a PDF cell's
grid column; a row of ``|`` cells whose count is the column count, or which ends early with
each cell fitting its column). When blank cells left no trace (runs of spaces, or a page that
moved its blank cells to the end of the row), the cells are put into the columns each can
hold (an amount in an amount column, a percentage in 执行率, a score of at most 100 in 分值/得分,
"-" or "/" only in 分值/得分 — the template marks those not applicable on the 其中 rows) and a
cell is placed (``inferred``) only when every way of doing so agrees; otherwise it is left
absent with its raw text. Rows of 绩效指标 whose last two numbers could be 分值/得分 or
指标值/完成值 are decided only by the printed sums: each 一级指标's (N分) and 总分 must hold.

A file may hold several forms (a page publishing one project form after another, or one cut at
the top): ``import_forms`` returns one record each. Blocks cut off by the end of the page are
listed in ``incomplete``. Text that fits nowhere on the form goes to ``stray``; page text
outside the forms (dates, menus) only to the record.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from .cells import Grid, Tok, kind, norm, number, placements, read_grid, readable_number
from .ident import file_code, file_year
from ..errors import Problem
from .record import Record
from .detect import NotThisLayout
from .sources import Form, FormError

FAMILY_ID = "mof_selfeval"
UNNAMED = "（表上未印单位名称）"
BLOCK_ORDER = ("header", "funds", "goals", "indicators", "self_eval")

# --- the form's printed vocabulary (compared after cells.norm: NFKC, no spaces) -------------------
TITLE = re.compile(r"绩效自评表")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
TITLE_CONT = re.compile(r"^\(?(?:19|20)\d{2}年度?\)?$")
HEADER_LABELS = {
    "项目名称": ("header", "project"),
    "部门(单位)名称": ("department", "name"),
    "部门名称": ("department", "name"),
    "单位名称": ("department", "name"),
    "主管部门": ("header", "authority"),
    "实施单位": ("header", "implementer"),
    "实施单位(盖章)": ("header", "implementer"),
    "项目实施单位": ("header", "implementer"),
    "单位(盖章)": ("header", "implementer"),
}
INLINE = re.compile(r"(单位名称|单位[(（]盖章[)）]|填报单位|填报日期|报表编号|项目负责人|财务负责人|填报人|联系电话|审核人)"
                    r"\s*[:：]\s*(\S*)")
INLINE_PATHS = {"单位名称": ("department", "name"), "填报单位": ("department", "name"), "单位(盖章)": ("header", "implementer")}

FUNDS_START = re.compile(r"^(项目资金|预算执行情况|年度预算执行情况|部门(\(单位\))?(整体|总体)?资金|资金来源|年度资金情况)")
FUNDS_LABEL = re.compile(r"^(\(万元\)|\(元\)|年度预算数\(万元\)|年度预算数|资金来源|资金\(万元\))$")
FUNDS_COLS = (
    (re.compile(r"^年初预算(数)?(\(A\))?$"), "initial"),
    (re.compile(r"^(全年预算数|调整后预算数|全年预算数\(调整后\)|调整后预算|预算数)(\(A\))?$"), "adjusted"),
    (re.compile(r"^(全年执行数|预算执行数|执行数|实际执行数)(\(B\))?$"), "actual"),
    (re.compile(r"^(分值|权重)(\(\d+(\.\d+)?分\))?$"), "weight"),
    (re.compile(r"^(预算)?执行率(\(B/A\))?$"), "rate"),
    (re.compile(r"^得分(\(.*\))?$"), "score"),
    (re.compile(r"^(原因|原因说明|偏差原因)$"), "reason"),
    (re.compile(r"^得分计算方法$"), "method"),
)
FUNDS_SPECIFIC = ("initial", "adjusted", "actual")  # columns that open the block when met first
SOURCE = re.compile(r"^(其中[:：]?)?[^\d\s:：]{0,14}(总额|资金|拨款|支出|其他|合计)[:：]?$")

GOALS_START = re.compile(r"^(年度总体目标(完成情况)?|项目基本情况|\d[.、]?项目年度目标完成情况|年度目标\d*[:：]?(\(\d+分\))?[:：]?)$")
GOAL_COLS = ((re.compile(r"^(预期目标|项目年度目标|年初设定目标|年度目标)$"), "expected"),
             (re.compile(r"^(实际完成情况|年度目标完成情况|年度总体目标完成情况|目标完成情况|实际完成)$"), "actual"))

IND_START = re.compile(r"^(年度绩效指标完成情况|年度绩效指标|绩效指标(\(\d+(\.\d+)?分\))?|年度绩效目标\d*(\(\d+(\.\d+)?分\))?)$")
IND_COLS = (
    (re.compile(r"^一级(指标)?$"), "level1"),
    (re.compile(r"^二级(指标)?$"), "level2"),
    (re.compile(r"^三级(指标)?$"), "level3"),
    (re.compile(r"^指标性质$"), "nature"),
    (re.compile(r"^(年度指标值|指标值|年初目标值|年度目标值|目标值|年度)(\(A\))?$"), "target"),
    (re.compile(r"^(度量单位|计量单位)$"), "unit"),
    (re.compile(r"^(实际完成值|完成值|全年实际值|实际值|实际)(\(B\))?$"), "actual"),
    (re.compile(r"^(分值|权重)$"), "weight"),
    (re.compile(r"^得分$"), "score"),
    (re.compile(r"^得分系数.*$"), "coefficient"),
    (re.compile(r"^是否核心指标$"), "core"),
    (re.compile(r"^(偏差原因分析及改进措施|未完成原因分析|偏差原因分析|偏差原因)$"), "deviation"),
    (re.compile(r"^得分计算方法$"), "method"),
)
IND_WRAP = re.compile(r"^(指标|指标值|完成值)$")  # the second line of a wrapped header cell
GROUP = re.compile(r"^(?P<name>.*?)\((?P<w>\d+(?:\.\d+)?)分\)$")
PLACEHOLDER = re.compile(r"^(……|…|\.{3,}|。{3,}|指标\d+[:：]?)$")
LEVEL1 = re.compile(r"^(产出|效益|满意度)(指标)?$")
LEVEL2_PARENT = {  # 二级指标 → 一级指标 of the template
    "数量": "产出指标", "质量": "产出指标", "时效": "产出指标", "成本": "产出指标", "经济成本": "产出指标",
    "经济效益": "效益指标", "社会效益": "效益指标", "生态效益": "效益指标", "可持续影响": "效益指标",
    "服务对象满意度": "满意度指标", "群众满意度": "满意度指标", "社会公众满意度": "满意度指标",
}
LEVEL_ANY = re.compile(r"^(?!指标\d)[^\d]{1,12}指标$")  # a printed 一级/二级 name: '…指标', not '指标1:…'
NATURES = frozenset({"=", "≥", "≤", ">", "<", "≧", "≦", ">=", "<=", "定量", "定性", "正向", "反向"})

TOTAL = re.compile(r"^(总分|合计|总分合计|自评总分)$")
SELF_TEXTS = {"评价结论": "conclusion", "存在问题": "problems", "改进措施": "measures",
              "偏差大或目标未完成原因分析": "problems", "改进措施及结果应用方案": "measures", "自评等级": "grade"}
EXTRA_TEXT = re.compile(r"^(\d[.、])?(项目实施内容及过程概述)$")  # printed content the model has no field for
TAIL = re.compile(r"^(项目负责人|财务负责人|填报人|联系电话|审核人|备注|注)[:：]?")
NOTE_WEIGHTS = re.compile(r"([^\s、,，:：;；。]{1,40}?指标)(\d+(?:\.\d+)?)分")  # bounded: linear on any text


def _match(rules, key: str) -> str | None:
    for rx, f in rules:
        if rx.match(key):
            return f
    return None


def funds_col(key: str) -> str | None:
    return _match(FUNDS_COLS, key)


def ind_col(key: str) -> str | None:
    return _match(IND_COLS, key)


def level2_parent(name: str) -> str | None:
    k = norm(name)
    k = k[:-2] if k.endswith("指标") else k
    return LEVEL2_PARENT.get(k)


def is_level(name: str) -> bool:
    k = norm(name)
    return bool(LEVEL1.match(k) or level2_parent(k) or LEVEL_ANY.match(k))


# --- what each column can hold (to place cells whose blank neighbours left no trace) --------------
def _small(t: str) -> bool:
    v = number(t)
    return v is not None and v <= 100


ACCEPTS: dict[str, Callable[[str], bool]] = {
    "initial": lambda t: kind(t) in ("num", "blank"),
    "adjusted": lambda t: kind(t) in ("num", "blank"),
    "actual": lambda t: kind(t) in ("num", "blank"),
    "weight": lambda t: kind(t) in ("dash", "blank") or (kind(t) == "num" and _small(t)),
    "score": lambda t: kind(t) in ("dash", "blank") or (kind(t) == "num" and _small(t)),
    "rate": lambda t: kind(t) in ("pct", "blank"),
    "reason": lambda t: kind(t) in ("text", "blank"),
    "method": lambda t: kind(t) in ("text", "blank"),
    "deviation": lambda t: kind(t) in ("text", "blank"),
    "nature": lambda t: kind(t) == "blank" or norm(t) in NATURES,
    "unit": lambda t: kind(t) == "blank" or (kind(t) == "text" and len(norm(t)) <= 4 and not re.search(r"\d", t)),
    "target": lambda t: True,
    "actual_ind": lambda t: True,
    "coefficient": lambda t: kind(t) in ("num", "pct", "blank"),
    "core": lambda t: kind(t) == "blank" or norm(t) in ("是", "否"),
    "level1": lambda t: True, "level2": lambda t: True, "level3": lambda t: True,
}
NUMERIC = frozenset({"initial", "adjusted", "actual", "weight", "score", "rate", "coefficient"})  # of the funds
IND_NUMERIC = frozenset({"weight", "score", "coefficient"})  # of an indicator (完成值 is text: '完成', '95%')


def _accept(block: str, f: str) -> Callable[[str], bool]:
    return ACCEPTS["actual_ind" if (block == "indicators" and f == "actual") else f]


@dataclass
class Placed:
    """The cells of one printed row placed into columns."""

    cells: dict[str, Tok] = field(default_factory=dict)  # field -> cell
    how: dict[str, tuple[str, str]] = field(default_factory=dict)  # field -> (how, reason)
    open_cells: list[Tok] = field(default_factory=list)  # cells whose column is undecided
    open_fields: list[str] = field(default_factory=list)  # columns one of them may belong to
    options: list[dict[str, Tok]] = field(default_factory=list)  # every placement when undecided
    reason: str = ""


def place_row(cells: list[Tok], fields: list[str], block: str, keeps_blanks: bool, cut: bool = False) -> Placed:
    """Put a row's cells (after its label) into the printed columns ``fields``."""
    out = Placed()
    aligned = keeps_blanks and len(cells) == len(fields)  # every column has its cell, blank ones too
    while cells and not cells[-1].text:
        cells = cells[:-1]  # blank cells closing a row print nothing
    m, n = len(cells), len(fields)
    if m == 0:
        return out
    accepts = [_accept(block, f) for f in fields]
    if aligned:
        for i, c in enumerate(cells):
            out.cells[fields[i]] = c
            out.how[fields[i]] = ("layout", "")
        return out
    if m > n:
        out.open_cells, out.open_fields = list(cells), list(fields)
        out.reason = f"该行印出 {m} 格，多于本表的 {n} 栏，无法确定各属哪一栏"
        return out
    if m == n or cut or (keeps_blanks and all(accepts[i](c.text) for i, c in enumerate(cells))):
        for i, c in enumerate(cells):
            out.cells[fields[i]] = c
            out.how[fields[i]] = ("layout", "")
        return out
    filled = [c for c in cells if c.text]
    sols = placements([c.text for c in filled], accepts)
    shown = "、".join(f"“{c.text}”" for c in filled)
    if not sols:
        out.open_cells, out.open_fields = filled, list(fields)
        out.reason = f"该行的 {shown} 放不进本表各栏（金额、执行率、分值/得分各有其类型）"
        return out
    n_blank = n - len(filled)
    for i, c in enumerate(filled):
        cols = {s[i] for s in sols}
        if len(cols) == 1:
            f = fields[cols.pop()]
            out.cells[f] = c
            why = (f"该行只印出 {len(filled)} 格（本表 {n} 栏，{n_blank} 栏空白未留痕迹）；按各栏可填的内容（金额、百分比、"
                   f"不超过100的分值/得分、“-”“/”只在分值/得分栏）只有这一种排法")
            out.how[f] = ("inferred", why)
        else:
            out.open_cells.append(c)
    if out.open_cells:
        taken = set(out.cells)
        out.open_fields = [f for f in fields if f not in taken and any(
            fields[s[i]] == f for s in sols for i, c in enumerate(filled) if c in out.open_cells)]
        out.options = [{fields[s[i]]: c for i, c in enumerate(filled)} for s in sols]
        out.reason = (f"该行只印出 {len(filled)} 格（{shown}），本表有 {n} 栏；空白栏没有留下痕迹，"
                      f"{'、'.join('“' + c.text + '”' for c in out.open_cells)} 可归入不止一栏，未导入")
    return out


# --- splitting a file into forms --------------------------------------------------------------------
@dataclass
class Part:
    start: int  # first grid row
    stop: int  # one past the last
    cut_top: bool = False  # the page begins inside this form


def _row_keys(row: list[Tok]) -> list[str]:
    return [t.key for t in row if not t.carried and t.text]


def _is_title(key: str) -> bool:
    return bool(TITLE.search(key)) and len(key) <= 40


FORM_HEAD = ("项目名称", "部门(单位)名称", "部门名称", "单位名称", "单位(盖章)")
_FORM_HEAD_INLINE = re.compile(r"^(单位名称|单位\(盖章\)|填报单位)[:：]")


def _has_header_label(row: list[Tok]) -> bool:
    """A row opening a form's head: 项目名称 / 部门(单位)名称 / 单位名称, or '单位(盖章):…'."""
    return any(t.key.rstrip(":：") in FORM_HEAD or _FORM_HEAD_INLINE.match(t.key) for t in row if not t.carried)


def _is_content(row: list[Tok]) -> bool:
    keys = _row_keys(row)
    return any(funds_col(k) in FUNDS_SPECIFIC or IND_START.match(k) or k in ("一级指标", "三级指标") for k in keys)


def split_forms(grid: Grid) -> tuple[list[Part], int]:
    """The forms the grid holds, and the first row of the first form (rows before it are page text)."""
    starts: list[tuple[int, bool]] = []
    content = False
    first_content: int | None = None
    for r, row in enumerate(grid.rows):
        if not row:
            continue
        if _has_header_label(row) and (not starts or content):
            begin = r
            for back in range(r - 1, max(-1, r - 5), -1):  # the title printed just above the head
                keys = _row_keys(grid.rows[back])
                if keys and _is_title(keys[0]):
                    begin = back
                    break
                if keys and not TITLE_CONT.match(keys[0]):
                    break
            if starts and begin <= starts[-1][0]:
                begin = r
            starts.append((begin, False))
            content = False
            continue
        if _is_content(row):
            if not starts and first_content is None:
                first_content = r
            content = True
    parts: list[Part] = []
    if first_content is not None and (not starts or first_content < starts[0][0]):
        # The page begins inside a form: its head and first blocks are not on the page.
        parts.append(Part(first_content, starts[0][0] if starts else len(grid.rows), cut_top=True))
    for k, (begin, _) in enumerate(starts):
        parts.append(Part(begin, starts[k + 1][0] if k + 1 < len(starts) else len(grid.rows)))
    first = parts[0].start if parts else len(grid.rows)
    return parts, first


# --- reading one form -------------------------------------------------------------------------------
class FormReader:
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
        return bool(k in HEADER_LABELS or _is_title(key) or FUNDS_START.match(key) or GOALS_START.match(key)
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
            if _is_title(k) and "title" not in found:
                title, used = t.text, [t]
                if i + 1 < len(toks) and TITLE_CONT.match(toks[i + 1].key):
                    used.append(toks[i + 1])
                    title = title + toks[i + 1].text
                    i += 1
                src = used[0].src if len(used) == 1 else _span_src(used)
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
                    self.rec.place(path, text, vals[0].src if len(vals) == 1 else _span_src(vals))
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
                    parts.append(f"{_unnumbered(a.text)}：{row[k + 1].text}")
                    k += 2
                else:
                    parts.append(_unnumbered(a.text))
                    k += 1
            text = "；".join(parts)
            self.rec.doc.setdefault("stray", []).append(text)
            self.rec.not_placed(text, _span_src(row), "表上印出、但数据文件没有对应栏目的内容，已放入无归属文字")
            self.take(*row)

    # funds ------------------------------------------------------------------------------------------
    def funds(self, toks: list[Tok]) -> None:
        cols: list[tuple[str, Tok]] = []
        i = 0
        block_weight: tuple[str, Tok] | None = None
        while i < len(toks):
            t = toks[i]
            k = t.key
            if not t.text:
                i += 1
                continue
            f = funds_col(k)
            if FUNDS_START.match(k) or FUNDS_LABEL.match(k) or (f and not SOURCE.match(k)):
                self.take(t)
                self.rec.labels_read += 1
                if "万元" in k:
                    self._unit("万元", t)
                elif "(元)" in k:
                    self._unit("元", t)
                m = re.search(r"\((\d+(?:\.\d+)?)分\)", k)
                if m and (FUNDS_START.match(k) or f == "weight") and block_weight is None:
                    block_weight = (m.group(1), t)
                if f and f not in [c[0] for c in cols]:
                    cols.append((f, t))
                i += 1
                continue
            break
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
        if block_weight is not None:
            w, t = block_weight
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
        from ..model import FUNDS_FIELDS

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
            self.rec.absent(path + (f,), raw, _span_src(placed.open_cells), placed.reason)
        self.take(*placed.open_cells)

    # goals ------------------------------------------------------------------------------------------
    def goals(self, toks: list[Tok]) -> None:
        cols: list[str] = []
        i = 0
        while i < len(toks):
            t = toks[i]
            if not t.text:
                i += 1
                continue
            f = _match(GOAL_COLS, t.key)
            if i == 0 or GOALS_START.match(t.key) or f:
                self.take(t)
                self.rec.labels_read += 1
                if f and i > 0 and f not in cols:
                    cols.append(f)
                i += 1
                continue
            break
        values = [t for t in toks[i:] if t.text]
        if not cols:
            cols = ["expected"]  # '年度目标1:(80分) | 目标': the label names the goal itself
        if len(values) == len(cols):
            for f, v in zip(cols, values):
                self.place(("goals", f), v)
        elif values:
            raw = " ".join(v.text for v in values)
            for f in cols:
                self.rec.absent(("goals", f), raw, _span_src(values),
                                f"年度总体目标：印出 {len(values)} 段文字，栏目为 {len(cols)} 栏（文字中的空格也可能是分栏），无法确定")
            self.take(*values)

    # indicators ---------------------------------------------------------------------------------
    def indicators(self, toks: list[Tok]) -> None:
        i = 0
        fields: list[str] = []
        heads: dict[str, Tok] = {}
        while i < len(toks):
            t = toks[i]
            k = t.key
            if not t.text:
                i += 1
                continue
            f = ind_col(k)
            if IND_START.match(k) or f or (IND_WRAP.match(k) and fields):
                self.take(t)
                self.rec.labels_read += 1
                if f and f not in fields:
                    fields.append(f)
                    heads[f] = t
                i += 1
                continue
            break
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
                shifts = _lead_shifts(cells, lead, len(fields)) if self.grid.keeps_blanks else []
                if self.grid.keeps_blanks and not row[0].text:
                    names = lead  # a blank first cell is printed: the row starts in the first column
                elif len(shifts) == 1:
                    names = lead[shifts[0]:]  # merged cells left out: only one way fits the printed names
                elif len(shifts) > 1:
                    self.rec.not_placed(" | ".join(c.text for c in cells), _span_src(filled),
                                        "绩效指标：该行少印了合并的一级/二级指标单元格，按各栏可填的内容有不止一种排法，未导入")
                    self.take(*row)
                    continue
                elif "level1" in lead and _level1_name(k0) and len(cells) > 1:
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
                        name = _group_name(c.text)
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
                self.rec.note(f"{_where(texts[0].src)}：表格跨页，表头重复印出，已略过")
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
                        name = _group_name(c.text)
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

    def _ends_block(self, block: str) -> bool:
        """The block runs to the end of the file without its closing row (the page is cut)."""
        return self.order and self.order[-1] == block

    # total and texts --------------------------------------------------------------------------------
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
                self.rec.place(("self_eval", f), text, vals[0].src if len(vals) == 1 else _span_src(vals))
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
            self.rec.note(f"{_where(first.src)}起的表下注释（评分口径等）已读出，未作为数据导入")

    # decisions that need the whole table ------------------------------------------------------
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
                self.rec.place(path + ("level1",), l1[0], _span_src(l1[1]))
            elif ind["group"] is not None and ind["group"] in group_names and "level1" in self.ind_fields:
                name, how, reason = group_names[ind["group"]]
                self.rec.place(path + ("level1",), name, self.groups[ind["group"]]["tok"].src,
                               "layout" if how == "layout" else "inferred",
                               reason or "一级指标为合并单元格，只在本组第一行之前印出")
            elif prev1 is not None and "level1" in self.ind_fields:
                parent = level2_parent(l2[0]) if l2 else None
                if l2 is None or parent is None or norm(parent) == norm(prev1[0]) or norm(parent)[:2] == norm(prev1[0])[:2]:
                    self.rec.place(path + ("level1",), prev1[0], _span_src(prev1[1]), "inferred",
                                   "一级指标为合并单元格，只在第一行印出；沿用上一行")
                    l1 = prev1
                else:
                    self.rec.absent(path + ("level1",), "", ind["l3"].src,
                                    f"本行未印一级指标，二级指标“{l2[0]}”不属于上一行的“{prev1[0]}”，不沿用", blank="")
            if l2:
                self.rec.place(path + ("level2",), l2[0], _span_src(l2[1]))
            elif prev2 is not None and "level2" in self.ind_fields:
                self.rec.place(path + ("level2",), prev2[0], _span_src(prev2[1]), "inferred",
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
            self.rec.note("页面未载全：" + "、".join(_block_label(b) for b in self.rec.doc["incomplete"])
                          + " 被截断或不在页面上（其合计无法核对，不是表的错误）")

    def leftovers(self) -> None:
        left = [t for t in self.toks if t.text and t.idx not in self.used]
        if left:
            self.stray_rows(left)


_FUND_NAMES = {"initial": "年初预算数", "adjusted": "全年预算数", "actual": "全年执行数"}


def _span_src(toks: list[Tok]) -> dict:
    toks = [t for t in toks]
    if not toks:
        return {}
    a, b = toks[0].src, toks[-1].src
    if "table" in a:
        return a
    if a.get("line") == b.get("line"):
        return dict(a)
    out = {"page": a["page"]} if a.get("page") else {}
    out["lines"] = f"{a.get('line')}-{b.get('line')}"
    return out


def _where(src: dict) -> str:
    if "line" in src:
        return f"第{src['line']}行"
    if "lines" in src:
        return f"第{src['lines']}行"
    if "table" in src:
        return f"第{src['page']}页表{src['table']}第{src['row']}行"
    return ""


def _lead_shifts(cells: list[Tok], lead: list[str], n_fields: int) -> list[int]:
    """The ways a row of cells standing in their columns (blank cells kept) can leave out its first
    merged 一级/二级 cells: each number of left-out columns for which the cells then under 一级/二级
    are level names (or blank) and the cell under 三级指标 is not one."""
    out = []
    for s in range(len(lead) + 1):
        names = lead[s:]
        if len(cells) + s > n_fields or len(cells) <= len(names):
            continue
        if not all(not c.text or is_level(c.text) or GROUP.match(c.key) for c in cells[: len(names)]):
            continue
        l3 = cells[len(names)]
        if l3.text and not is_level(l3.text) and not GROUP.match(l3.key):
            out.append(s)
    return out


def _group_name(text: str) -> str:
    """'产出指标（50分）' → '产出指标'."""
    return re.sub(r"\s*[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]\s*$", "", text)


def _level1_name(key: str) -> bool:
    m = GROUP.match(key)
    return bool(LEVEL1.match(m.group("name") if m and m.group("name") else key))


def _unnumbered(text: str) -> str:
    return re.sub(r"^\d[.、]\s*", "", text)


def _block_label(b: str) -> str:
    from ..model import BLOCK_LABELS

    return BLOCK_LABELS.get(b, b)


# --- entry ------------------------------------------------------------------------------------------
def import_forms(form: Form, new_record: Callable[[], Record]) -> list[Record]:
    grid = read_grid(form)
    parts, first = split_forms(grid)
    if not parts:
        parts = [Part(0, len(grid.rows))]
        first = 0
    records: list[Record] = []
    for k, part in enumerate(parts):
        rec = new_record()
        if grid.address:
            rec.source["address"] = grid.address
        reader = FormReader(form, grid, part, rec, last=k == len(parts) - 1)
        reader.run()
        records.append((rec, reader))
    records = [(rec, reader) for rec, reader in records if _has_content(rec.doc)]
    if not records:
        raise NotThisLayout(Problem("按财政部式自评表的版式，在文件中找不到任何栏目（项目资金/预算执行情况、年度总体目标、绩效指标）",
                                file=str(form.path), expected="财政部式绩效自评表；其他表式请用 --family 指定或不指定（自动识别）"))
    page_text = [t for row in grid.rows[:first] for t in row if t.text and not t.carried]
    if page_text and records:
        rec0 = records[0][0]
        for t in page_text:
            rec0.not_placed(t.text, t.src, "表单之外的网页文字（标题、日期、菜单等），未导入")
    if len(records) > 1:
        for rec, _ in records:
            rec.note(f"{form.name} 中有 {len(records)} 份表单，每份各导入为一个数据文件")
    for k, (rec, reader) in enumerate(records):
        _finish(form, rec, reader, [r for r, _ in records], k)
    return [r for r, _ in records]


def _has_content(doc: dict) -> bool:
    return bool(doc.get("funds", {}).get("rows") or doc.get("indicators") or doc.get("goals"))


def _finish(form: Form, rec: Record, reader: FormReader, all_recs: list[Record], k: int) -> None:
    doc = rec.doc
    dep = doc.setdefault("department", {})
    others = [r for j, r in enumerate(all_recs) if j != k]
    if "name" not in dep:
        sib = next((r for r in others if r.doc.get("department", {}).get("name")), None)
        if sib is not None:
            src = next((e.source for e in sib.entries if e.field == "department.name"), {})
            rec.place(("department", "name"), sib.doc["department"]["name"], src, "inferred",
                      "本表的表头不在页面上；取同一页面上另一份表的单位")
        else:  # the data file must have a name: it says that none is printed (the record flags it)
            rec.place(("department", "name"), UNNAMED, {}, "inferred",
                      "表上找不到部门（单位）名称（部门名称、单位名称、实施单位均未印出）；数据文件须有名称，此处写明未印出")
    if "year" not in dep:
        sib = next((r for r in others if r.doc.get("department", {}).get("year")), None)
        if sib is not None and reader.part.cut_top:
            src = next((e.source for e in sib.entries if e.field == "department.year"), {})
            rec.place(("department", "year"), sib.doc["department"]["year"], src, "inferred",
                      "本表的表头不在页面上；取同一页面上另一份表的年度")
        elif not file_year(form, rec):
            raise FormError(Problem("表上未印年度（标题中没有“XXXX年度”），文件名中也没有", file=str(form.path),
                                    expected="在文件名中写明年度，例如 单位名称_2021.txt；或表上印出年度"))
    file_code(form, rec, k + 1, len(all_recs))
    if not doc.get("stray"):
        doc.pop("stray", None)
    order = ["format", "department", "header", "funds", "goals", "indicators", "score_groups", "self_eval",
             "stray", "incomplete"]
    doc["format"] = "kit-dept/1"
    rec.doc = {k2: doc[k2] for k2 in order if k2 in doc} | {k2: v for k2, v in doc.items() if k2 not in order}

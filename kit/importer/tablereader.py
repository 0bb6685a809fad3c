"""Tables of a printed form, every cell placed under the header it stands under.

``read_tables(grid)`` walks the printed rows of a form (``cells.Grid``: ``|``, tabs, one cell per
line, runs of spaces, PDF cells) and finds its tables: a header row is a row naming at least two
column roles of the printed vocabulary (``columns.yaml``: 年初预算数 / 预算数(A) → initial or adjusted,
执行数(B) → actual, 分值 / 权重 → weight, 一级指标 → level1 …). The rows below it, up to the next
header row or a label that closes the table (总分, 评价结论, 年度总体目标 …), are its data rows.

Each data cell goes to the column whose header it stands under: its index in a ``|`` or tab row
(blank cells are cells), the header's edges on a PDF. A row that prints fewer cells than the
header has columns either ends early (its last columns blank) or leaves out merged cells at its
start (一级/二级指标 printed once for several rows): the ways of doing so are tried against what
each column can hold (a level name under 一级/二级, an amount under 年初预算数 …), and the row is
placed only when exactly one way fits; otherwise its cells stay open (absent, with their raw text).
With runs of spaces blank cells leave no trace: every order-keeping placement is tried, and a
cell is placed only when all agree. Merged 一级/二级 cells printed blank or left out belong to the
row above. Nothing here writes the document (``tables.py`` maps tables to blocks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ..core.yamlio import parse_yaml
from .cells import Grid, Tok, kind, norm, number, placements, readable_number

VOCAB_FILE = Path(__file__).with_name("columns.yaml")
_NOTE = re.compile(r"\(([^()]*)\)$")
_WEIGHT_NOTE = re.compile(r"^(\d+(?:\.\d+)?)分")
_GROUP = re.compile(r"^(?P<name>.*?)[:：]?\((?P<w>\d+(?:\.\d+)?)分\)$")
# A printed value, not a name: a comparator before a number ('≥95%', '≤200万元').
_VALUE = re.compile(r"^[≥≤><=≧≦]=?\s*\d")
# A percentage whose first character may be an OCR reading of ≥ or ≤ ("290%" for ≥90%).
_OCR_CMP = re.compile(r"^[2W](\d{1,3}(?:\.\d+)?)[%％]$")


@dataclass(frozen=True)
class Role:
    name: str
    block: str
    field: str
    kind: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Vocab:
    roles: dict[str, Role]
    by_label: dict[str, str]
    opens: dict[str, frozenset[str]]
    levels: frozenset[str]
    natures: frozenset[str]
    totals: tuple[str, ...]
    parts: tuple[str, ...]
    table_ends: frozenset[str]
    placeholders: tuple[re.Pattern, ...]
    header_fields: tuple[tuple[str, tuple[str, ...]], ...]  # (label, path), longest label first
    stop_labels: tuple[str, ...]
    self_eval_texts: dict[str, str]  # label -> field
    frame_labels: dict[str, tuple[re.Pattern, ...]]
    heading: re.Pattern
    units: tuple[str, ...]
    unit_suffixes: tuple[str, ...]
    source_ends: tuple[str, ...]
    simplified: dict[int, str]  # 繁体 → 简体 for comparing labels


@lru_cache(maxsize=1)
def vocab() -> Vocab:
    doc = parse_yaml(VOCAB_FILE.read_text(encoding="utf-8"), str(VOCAB_FILE))
    roles = {name: Role(name, str(r["block"]), str(r.get("field") or ""), str(r["kind"]),
                        tuple(norm(str(x)) for x in r["labels"])) for name, r in doc["roles"].items()}
    by_label = {lab: r.name for r in roles.values() for lab in r.labels}
    fields = []
    for path, labels in doc["header_fields"].items():
        fields += [(norm(str(lab)), tuple(path.split("."))) for lab in labels]
    fields.sort(key=lambda p: -len(p[0]))
    texts = {norm(str(lab)): f for f, labels in doc["self_eval_texts"].items() for lab in labels}
    return Vocab(
        roles=roles, by_label=by_label,
        opens={b: frozenset(v) for b, v in doc["opens"].items()},
        levels=frozenset(norm(str(x)) for x in doc["levels"]),
        natures=frozenset(norm(str(x)) for x in doc["natures"]),
        totals=tuple(norm(str(x)) for x in doc["totals"]),
        parts=tuple(norm(str(x)) for x in doc["parts"]),
        table_ends=frozenset(norm(str(x)) for x in doc["table_ends"]),
        placeholders=tuple(re.compile(str(p)) for p in doc["placeholders"]),
        header_fields=tuple(fields),
        stop_labels=tuple(sorted((norm(str(x)) for x in doc["stop_labels"]), key=len, reverse=True)),
        self_eval_texts=texts,
        frame_labels={k: tuple(re.compile(str(p)) for p in v) for k, v in doc["frame_labels"].items()},
        heading=re.compile(str(doc["narrative_heading"])),
        units=tuple(str(u) for u in doc["units"]),
        unit_suffixes=tuple(sorted((str(u) for u in doc["unit_suffixes"]), key=len, reverse=True)),
        source_ends=tuple(str(u) for u in doc["source_ends"]),
        simplified={ord(a): b for a, b in zip(str(doc["traditional"])[::2], str(doc["traditional"])[1::2])},
    )


def label(text: str) -> str:
    """A printed label as compared with the vocabulary: ``cells.norm`` (NFKC, no spaces) and 繁体 read
    as 简体 — one character for one, so positions in the label are positions in ``norm(text)``."""
    return norm(text).translate(vocab().simplified)


def head_role(text: str) -> tuple[str | None, list[str]]:
    """The column role a header cell names, and the bracketed notes after it ('(A)', '(20分)', '(万元)')."""
    v = vocab()
    k = label(text).rstrip(":：")
    notes: list[str] = []
    while k:
        if k in v.by_label:
            return v.by_label[k], notes
        m = _NOTE.search(k)
        if not m:
            break
        notes.append(m.group(1))
        k = k[: m.start()].rstrip(":：")
    return None, notes


def notes_of(text: str) -> list[str]:
    """Every bracketed note of a label ('预算执行情况(万元)(20分)' → ['万元', '20分'])."""
    return re.findall(r"\(([^()]*)\)", label(text))


def unit_in(notes: list[str]) -> str | None:
    for n in notes:
        if n in vocab().units:
            return n
    return None


def weight_in(notes: list[str]) -> str | None:
    for n in notes:
        m = _WEIGHT_NOTE.match(n)
        if m and not re.search(r"[*×xX]", n):
            return m.group(1)
    return None


# --- what a column can hold -------------------------------------------------------------------------
def is_level(text: str) -> bool:
    """A 一级/二级指标 name: one of the vocabulary's, a name ending 指标, or a name with '(N分)'."""
    k = label(text)
    m = _GROUP.match(k)
    if m:
        k = m.group("name")
    k2 = k[:-2] if k.endswith("指标") else k
    if not k2 or re.search(r"\d", k2):
        return False
    return k2 in vocab().levels or (k.endswith("指标") and len(k) <= 14)


def is_placeholder(text: str) -> bool:
    k = label(text)
    return any(p.match(k) for p in vocab().placeholders)


def is_total(text: str) -> bool:
    k = label(text).rstrip(":：")
    return k in vocab().totals


def is_part(text: str) -> bool:
    k = label(text)
    return any(k.startswith(p) for p in vocab().parts)


def _number_cell(t: str, limit: int | None = None) -> bool:
    k = kind(t)
    if k in ("blank", "dash"):
        return True
    if k != "num" or not readable_number(t):
        return False
    v = number(t)
    return v is not None and (limit is None or abs(v) <= limit)


ACCEPTS: dict[str, Callable[[str], bool]] = {
    "amount": lambda t: _number_cell(t),
    "score": lambda t: _number_cell(t, 1000),
    "pct": lambda t: kind(t) in ("pct", "blank", "dash"),
    "level": lambda t: kind(t) == "blank" or is_level(t),
    "group": lambda t: kind(t) == "blank" or bool(_GROUP.match(norm(t))),
    "name": lambda t: kind(t) == "text" and not (label(t).endswith("指标") and is_level(t)) and not _GROUP.match(norm(t))
    and not _VALUE.match(norm(t)),
    "rowlabel": lambda t: kind(t) == "text" and not _GROUP.match(norm(t)),
    "nature": lambda t: kind(t) == "blank" or norm(t) in vocab().natures,
    "unit": lambda t: kind(t) == "blank" or (kind(t) == "text" and len(norm(t)) <= 4 and not re.search(r"\d", t)),
    "text": lambda t: True,
    "remark": lambda t: kind(t) in ("blank", "text", "dash"),
    "label": lambda t: True,
}
LEADING = frozenset({"level", "group"})  # kinds of merged cells a row may leave out at its start
STRUCTURE = frozenset({"level", "group", "name", "rowlabel", "nature", "unit"})  # the cells that say what a row is
NUMERIC_KINDS = frozenset({"amount", "score", "pct"})


def ocr_doubt(text: str) -> str | None:
    """Why a printed value may be OCR damage rather than what it reads as, or None."""
    m = _OCR_CMP.match(norm(text))
    if m:
        rest = number(m.group(1))
        if rest is not None and rest <= 100:
            return (f"“{text}”可能是“≥{m.group(1)}%”或“≤{m.group(1)}%”被识别错（≥、≤ 常被识别为 2、W），"
                    "不作为数值读取")
    return None


# --- tables -----------------------------------------------------------------------------------------
@dataclass
class Column:
    index: int
    role: str  # a role of the vocabulary, or 'label' / 'group' / 'source' for the unnamed first column
    kind: str
    head: Tok | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Row:
    toks: list[Tok]  # as printed
    cells: dict[str, Tok] = field(default_factory=dict)  # role -> cell
    how: dict[str, tuple[str, str]] = field(default_factory=dict)  # role -> (how, reason)
    inherited: dict[str, Tok] = field(default_factory=dict)  # level role -> the cell above it belongs to
    open: list[Tok] = field(default_factory=list)  # cells whose column could not be told
    doubt: dict[str, str] = field(default_factory=dict)  # role -> why the cell is not read as a value
    reason: str = ""
    kind: str = "row"  # 'row', 'total' or 'part'

    def text(self, role: str) -> str:
        c = self.cells.get(role) or self.inherited.get(role)
        return c.text if c is not None else ""


@dataclass
class Table:
    block: str  # funds / indicators / goals
    head_row: int  # grid row index of the header
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    unit: tuple[str, Tok] | None = None
    weight: tuple[str, Tok] | None = None  # "(20分)" printed in the header's labels
    label: Tok | None = None  # the first header cell when it names the block ('预算执行情况(万元)(20分)')
    end: int = 0  # one past the last grid row of the table
    closed_by: Tok | None = None  # the label that closed the table (总分 …), None when the page ended
    wraps: list[list[Tok]] = field(default_factory=list)  # header lines continued below the header row


def header_of(row: list[Tok], pdf: bool = False) -> tuple[str, list[Column]] | None:
    """(block, columns) when a printed row is a table's header row. ``pdf``: cells stand under their
    header's edges, so a heading over a column ('年度预算数(万元)' above the row labels) is its column."""
    v = vocab()
    toks = [t for t in row if not t.carried] if row else []
    named = [(i, t, *head_role(t.text)) for i, t in enumerate(toks)]
    roles = [r for _i, _t, r, _n in named if r]
    if len(roles) < 2 or len(set(roles)) < 2:
        return None
    filled = [t for t in toks if t.text]
    if len(roles) < len(filled) - 2:
        return None
    score = {b: sum(1 for r in roles if r in opens) for b, opens in v.opens.items()}
    block = max(score, key=lambda b: score[b])
    if score[block] == 0:
        return None
    if block != "goals" and any(r in v.opens["goals"] for r in roles) and score[block] < 2:
        block = "goals"
    cols: list[Column] = []
    first_role = next(i for i, _t, r, _n in named if r)
    spanners: list[Tok] = []
    for i, t, r, notes in named:
        if r:
            role = v.roles[r]
            cols.append(Column(i, r, role.kind, t, notes))
        elif pdf and block == "funds" and 0 < i < first_role and cols and cols[0].role == "source":
            # a cell between the block's label and the amounts: on a PDF the rows' names stand under it
            cols[0].role, cols[0].kind = "label", "group"
            cols.append(Column(i, "source", "rowlabel", t, notes_of(t.text)))
        elif not t.text:
            continue  # a blank header cell is the rest of a merged cell before it (or padding), not a column
        elif i > 0 and unit_in(notes_of(t.text)) and not pdf:
            spanners.append(t)  # '年度预算数(万元)' over the amount columns: a heading, not a column
        else:
            first = i == 0
            role_name = {"funds": "source", "indicators": "group", "goals": "label"}[block] if first else "extra"
            # a label printed before the named columns is a merged cell the rows below may leave out
            k = {"source": "rowlabel", "group": "group", "label": "group"}.get(role_name,
                                                                              "group" if i < first_role else "text")
            cols.append(Column(i, role_name, k, t, notes_of(t.text)))
    if spanners:  # the cells after a heading stand one place to the left of their header cells
        for c in cols:
            c.index -= sum(1 for sp in spanners if c.head is not None and sp.idx < c.head.idx)
    while cols and cols[-1].role == "extra" and not (cols[-1].head and cols[-1].head.text):
        cols.pop()
    sources = [c for c in cols if c.role == "source"]
    if block == "funds" and len(sources) > 1:  # '部门(单位)总体资金(万元) | 资金来源 | …': a merged block label
        sources[0].role, sources[0].kind = "label", "group"
    if block == "funds" and not sources:
        cols.insert(0, Column(-1, "source", "rowlabel", None))  # rows are labelled by their first cell
    return block, cols


def read_tables(grid: Grid) -> list[Table]:
    """Every table of the grid, in printed order."""
    if grid.style == "stream":
        tables = _read(Grid("stream", restream(grid.rows), grid.address), grid)
        for t in tables:  # row numbers of the grid, not of the regrouped rows
            t.head_row = t.columns[0].head.row if t.columns and t.columns[0].head is not None else t.head_row
            last = [x.row for row in t.rows for x in row.toks] or [t.head_row]
            t.end = max(last) + 1
        return tables
    return _read(grid, grid)


def restream(rows: list[list[Tok]]) -> list[list[Tok]]:
    """One cell per line → printed rows: a run of header cells naming at least two column roles is a
    header row; below it a row starts at a cell that names a row (a fund source: 总额, 其中…, …资金; an
    一级/二级指标 name after a value), as the page printed them one after another."""
    cells = [row[0] for row in rows if row]
    out: list[list[Tok]] = []
    i = 0
    while i < len(cells):
        j, roles = i, []
        while j < len(cells) and (head_role(cells[j].text)[0] or (j - i < 2 and not roles and cells[j].text)):
            r = head_role(cells[j].text)[0]
            if r:
                roles.append(r)
            j += 1
        found = header_of(cells[i:j]) if len(set(roles)) >= 2 else None
        if not found:
            out.append([cells[i]])
            i += 1
            continue
        block = found[0]
        out.append(cells[i:j])
        i = j
        row: list[Tok] = []
        while i < len(cells):
            c = cells[i]
            if c.text and (_closes(c, block) or (head_role(c.text)[0] and i + 1 < len(cells)
                                                  and head_role(cells[i + 1].text)[0])):
                break  # a label closing the table, or the next table's header
            if row and _starts_row(c, row, block):
                out.append(row)
                row = []
            row.append(c)
            i += 1
        if row:
            out.append(row)
    return out


def _starts_row(c: Tok, row: list[Tok], block: str) -> bool:
    if not c.text or kind(c.text) != "text":
        return False
    if block == "funds":
        return is_total(c.text) or is_part(c.text) or label(c.text).rstrip(":：").endswith(vocab().source_ends)
    if block == "indicators":
        return is_level(c.text) and not is_level(row[-1].text)
    return False


def _read(grid: Grid, whole: Grid) -> list[Table]:
    rows = grid.rows
    tables: list[Table] = []
    r = 0
    while r < len(rows):
        found = header_of(rows[r], grid.style == "pdf")
        if not found:
            r += 1
            continue
        block, cols = found
        t = Table(block, r, cols)
        _head_notes(t)
        for x in rows[r]:  # a heading over several columns may carry the unit ('年度预算数(万元)')
            u = unit_in(notes_of(x.text))
            if u and t.unit is None:
                t.unit = (u, x)
        r += 1
        while r < len(rows):
            row = [x for x in rows[r] if not x.carried] if grid.style == "pdf" else rows[r]
            if not row or not any(x.text for x in row):
                r += 1
                continue
            if header_of(rows[r], grid.style == "pdf"):
                break
            first = next(x for x in row if x.text)
            if _header_wrap(row):  # the second line of wrapped header cells ('(万元)', '指标值 | 完成值')
                for x in row:
                    u = unit_in(notes_of(x.text))
                    if u and t.unit is None:
                        t.unit = (u, x)
                t.wraps.append(row)
                r += 1
                continue
            if _closes(first, block):
                t.closed_by = first
                break
            prev = t.rows[-1] if t.rows else None
            if prev is not None and grid.keeps_blanks and kind(first.text) in ("num", "pct", "dash") and prev.toks \
                    and len(_trim(prev.toks)) + len(_trim(row)) <= len([c for c in t.columns if c.index >= 0]) + (
                        1 if any(c.index < 0 for c in t.columns) else 0):
                # a row whose values went on to the next line ('基本支出 | 985.19 | 914.97 |' then '10 | 10 |')
                t.rows[-1] = _place(t, _trim(prev.toks) + _trim(row), grid)
            else:
                t.rows.append(_place(t, row, grid))
            r += 1
        t.end = r
        _inherit(t)
        tables.append(t)
    return tables


_WRAPS = frozenset({"指标值", "完成值", "指标", "目标值", "(A)", "(B)", "(B/A)"})


def _header_wrap(row: list[Tok]) -> bool:
    """A line holding only the rest of wrapped header cells: a unit in brackets, '指标值', '完成值'."""
    filled = [label(x.text) for x in row if x.text]
    return bool(filled) and all(f in _WRAPS or (unit_in(notes_of(f)) and re.fullmatch(r"\([^()]*\)", f))
                                for f in filled)


def _trim(toks: list[Tok]) -> list[Tok]:
    toks = list(toks)
    while toks and not toks[-1].text:
        toks.pop()
    return toks


def _head_notes(t: Table) -> None:
    for c in t.columns:
        if c.head is None:
            continue
        notes = notes_of(c.head.text)
        u = unit_in(notes)
        if u and t.unit is None:
            t.unit = (u, c.head)
        w = weight_in(notes)
        if w and t.weight is None and c.role in ("source", "group", "label", "weight"):
            t.weight = (w, c.head)
        if c.role in ("source", "group", "label") and c.index == 0:
            t.label = c.head


def _closes(first: Tok, block: str) -> bool:
    v = vocab()
    k = re.sub(r"^\d[.、]", "", label(first.text).rstrip(":："))  # '2.项目实施内容及过程概述
    if k in v.table_ends or k in v.self_eval_texts or any(k == lab for lab, _p in v.header_fields):
        return True
    if any(k.startswith(s) for s in v.stop_labels) and not (block == "funds" and is_total(first.text)):
        return True
    if block != "indicators" and is_total(first.text):
        return False
    if block == "indicators" and k in ("合计", "总计"):
        return True
    return False


# --- placing one row --------------------------------------------------------------------------------
def _accepts(col: Column) -> Callable[[str], bool]:
    return ACCEPTS.get(col.kind, ACCEPTS["text"])


def _place(t: Table, row: list[Tok], grid: Grid) -> Row:
    out = Row(list(row))
    cols = [c for c in t.columns if c.index >= 0]
    label_col = next((c for c in t.columns if c.index < 0), None)
    cells = list(row)
    if label_col is not None and cells:  # a funds table whose header has no first column: the label leads
        out.cells["source"], out.how["source"] = cells[0], ("layout", "")
        cells = cells[1:]
    if grid.style == "pdf" and all(c.x0 is not None for c in cells):
        return _finish_row(t, out, _by_edges(cells, cols))
    printed = len(cells)  # with blank cells kept, a row printing every column stands in its columns
    while cells and not cells[-1].text:
        cells = cells[:-1]
    if not cells:
        return _finish_row(t, out, {})
    n = len(cols)
    if grid.keeps_blanks and (printed == n or not cells[0].text) and len(cells) <= n and _fits(cells, cols, STRUCTURE):
        # every column printed (blank ones too), or a blank first cell printed: the row stands in its columns
        return _finish_row(t, out, {cols[i].role: (c, "layout", "") for i, c in enumerate(cells)})
    if grid.keeps_blanks:
        if len(cells) > n:
            extra = [c for c in cells[n:] if c.text]
            if extra:
                out.open = [c for c in cells if c.text]
                out.reason = f"该行印出 {len(cells)} 格，多于表头的 {n} 栏，无法确定各属哪一栏"
                return _finish_row(t, out, {})
            cells = cells[:n]
        shifts = _shifts(cells, cols)
        if len(shifts) == 1:
            s = shifts[0]
            how = "layout" if s == 0 else "inferred"
            why = "" if s == 0 else (f"该行少印了开头 {s} 个合并单元格（{'、'.join(_col_name(c) for c in cols[:s])}），"
                                     "按各栏可填的内容只有这一种排法")
            placed = {cols[s + i].role: (c, how, why) for i, c in enumerate(cells) if kind(c.text) != "dash"}
            dashes = [c for c in cells if kind(c.text) == "dash"]
            if dashes:  # '-' or '/' fits any number column: in a row short of cells it decides nothing
                out.open = dashes
                out.reason = "该行印出的格数少于表头的栏数，“-”“/”可在任何数字栏下，无法确定属于哪一栏"
            return _finish_row(t, out, placed)
        if shifts:
            out.open = [c for c in cells if c.text]
            out.reason = "该行印出的格数少于表头的栏数，按各栏可填的内容有不止一种排法，无法确定各格属于哪一栏"
            return _finish_row(t, out, {})
        # neither ending early nor leaving out merged cells fits: the page dropped blank cells
    return _finish_row(t, out, _by_kinds(cells, cols, out))


def _by_kinds(cells: list[Tok], cols: list[Column], out: Row) -> dict[str, tuple[Tok, str, str]]:
    """Blank cells left no trace: a cell is placed when every order-keeping placement agrees."""
    n = len(cols)
    filled = [c for c in cells if c.text]
    sols = placements([c.text for c in filled], [_accepts(c) for c in cols])
    if not sols:
        out.open = filled
        out.reason = "该行各格放不进表头各栏（各栏可填的内容不符），无法确定各格属于哪一栏"
        return {}
    placed: dict[str, tuple[Tok, str, str]] = {}
    why = (f"该行只印出 {len(filled)} 格（表头 {n} 栏，空白栏没有留下痕迹）；按各栏可填的内容只有这一种排法"
           if len(sols) == 1 else "空白栏没有留下痕迹；按各栏可填的内容，此格在每种排法中都属于这一栏")
    for i, c in enumerate(filled):
        spots = {s[i] for s in sols}
        if len(spots) == 1:
            placed[cols[spots.pop()].role] = (c, "layout" if len(filled) == n else "inferred", why)
        else:
            out.open.append(c)
    if out.open:
        out.reason = "空白栏没有留下痕迹，" + "、".join(f"“{c.text}”" for c in out.open) + " 可归入不止一栏"
    return placed


def _fits(cells: list[Tok], cols: list[Column], kinds: frozenset[str]) -> bool:
    """Whether each cell fits its column (only the columns of ``kinds`` are asked)."""
    return all(cols[i].kind not in kinds or _accepts(cols[i])(c.text) for i, c in enumerate(cells) if i < len(cols))


def _shifts(cells: list[Tok], cols: list[Column]) -> list[int]:
    """Numbers of leading merged columns the row may leave out, for which every cell fits its column."""
    out = []
    lead = 0
    while lead < len(cols) and cols[lead].kind in LEADING:
        lead += 1
    for s in range(lead + 1):
        if len(cells) + s > len(cols):
            break
        if all(_accepts(cols[s + i])(c.text) for i, c in enumerate(cells)):
            out.append(s)
    return out


def _by_edges(cells: list[Tok], cols: list[Column]) -> dict[str, tuple[Tok, str, str]]:
    placed: dict[str, tuple[Tok, str, str]] = {}
    for c in cells:
        col = next((k for k in cols if k.head is not None and c.under(k.head)), None)
        if col is not None and col.role not in placed:
            placed[col.role] = (c, "layout", "")
    return placed


def _col_name(c: Column) -> str:
    return norm(c.head.text) if c.head is not None and c.head.text else c.role


def _finish_row(t: Table, out: Row, placed: dict[str, tuple[Tok, str, str]]) -> Row:
    """Cells into the row by column; a cell that its column cannot hold stays open by itself."""
    kinds = {c.role: c.kind for c in t.columns}
    for role, (c, how, why) in placed.items():
        k = kinds.get(role, "text")
        if c.text and k in NUMERIC_KINDS and not _accepts(Column(0, role, k, None))(c.text):
            out.doubt[role] = "此栏应为数字，印出的不是可读的数字，未导入"
        elif c.text and ocr_doubt(c.text):
            out.doubt[role] = ocr_doubt(c.text) or ""
        out.cells[role] = c
        out.how[role] = (how, why)
    label = out.cells.get("source") or out.cells.get("level3") or out.cells.get("label")
    if label is not None and label.text:
        if is_total(label.text):
            out.kind = "total"
        elif is_part(label.text):
            out.kind = "part"
    return out


def _inherit(t: Table) -> None:
    """Merged 一级/二级指标 (and group) cells printed blank or left out belong to the row above."""
    above: dict[str, Tok] = {}
    broken: set[str] = set()  # runs cut by a row of unknown columns printing a level name: unknown below
    for row in t.rows:
        if row.open:  # cells whose column is unknown: which merged cell the row belongs under is unknown too
            if any(is_level(c.text) or _GROUP.match(label(c.text)) for c in row.open):
                broken |= set(above)  # and a level name or group weight among them may open a new run
                above.clear()
            continue
        for col in t.columns:
            if col.kind not in LEADING:
                continue
            c = row.cells.get(col.role)
            if c is not None and c.text:
                above[col.role] = c
                broken.discard(col.role)
                # a new 一级 name starts a new run: the 二级 above it does not carry over
                for lower in t.columns[t.columns.index(col) + 1:]:
                    if lower.kind in LEADING and not (row.cells.get(lower.role) and row.cells[lower.role].text):
                        above.pop(lower.role, None)
                        broken.discard(lower.role)
            elif col.role in above:
                row.inherited[col.role] = above[col.role]
            elif col.role in broken:
                row.doubt[col.role] = "合并单元格只在本组第一行印出，但上方有未能归栏的行印出了指标名称或分值，本行属于哪一组无法确定，未导入"


def frame_printed(text: str) -> dict[str, tuple[str, str]]:
    """The weights a form prints in its labels: {'funds_weight': ('20', '预算执行情况(万元)(20分)'), …}."""
    flat = label(text)
    out: dict[str, tuple[str, str]] = {}
    for key, patterns in vocab().frame_labels.items():
        for p in patterns:
            m = p.search(flat)
            if m:
                out[key] = (m.group(m.lastindex), m.group(0))
                break
    return out

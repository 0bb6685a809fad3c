"""Cells of one printed row into the table's columns, and where cells were printed.

A row is placed by ``layout`` when its cells stand in their printed columns; when blank cells left
no trace (runs of spaces, a page that moved its blank cells to the row's end), each cell is put
into the columns it can hold and placed (``inferred``) only when every way of doing so agrees.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..cells import Tok, kind, norm, number, placements
from .words import GROUP, NATURES, is_level


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


def lead_shifts(cells: list[Tok], lead: list[str], n_fields: int) -> list[int]:
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


def span_src(toks: list[Tok]) -> dict:
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


def where(src: dict) -> str:
    if "line" in src:
        return f"第{src['line']}行"
    if "lines" in src:
        return f"第{src['lines']}行"
    if "table" in src:
        return f"第{src['page']}页表{src['table']}第{src['row']}行"
    return ""

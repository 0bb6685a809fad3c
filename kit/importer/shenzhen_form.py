"""The Shenzhen layout's entry: a PDF's ruled cells (``shenzhen_pdf``) or the text layer (``shenzhen``).

A text file may hold several forms one after the other (two departments, or the same one
twice): each form prints one budget table (部门支出总金额 …), so each budget header starts a
form at the last table head (部门名称 … 部门编码 …) printed before it. Each form becomes its own
document and record; a file whose forms cannot be told apart is refused with a message saying
how many were found, never read as one form with the others' lines left unplaced.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

from ..core.errors import Problem
from .record import Record
from .shenzhen import TextLayout
from .shenzhen_finish import finish
from .shenzhen_vocab import HEAD_RE, norm
from .shenzhen_pdf import CellLayout, classify_table
from .sources import Form, FormError
from .wrap import clean_line


def import_form(form: Form, record: Record) -> None:
    """Fill ``record.doc`` from a Shenzhen form."""
    if form.kind == "pdf" and form.tables:
        CellLayout(form, record).run()
    else:
        TextLayout(form, record).run()
    finish(form, record)


def import_forms(form: Form, new_record: Callable[[], Record]) -> list[Record]:
    """One record per form the file holds (in printed order)."""
    parts = split_forms(form)
    records = []
    for k, (first, last, sub) in enumerate(parts, start=1):
        record = new_record()
        if len(parts) > 1:
            where = f"第{first}–{last}页" if form.kind == "pdf" and form.tables else f"第{first}–{last}行"
            record.note(f"文件中有 {len(parts)} 份表，这是第 {k} 份（{where}）")
        import_form(sub, record)
        records.append(record)
    return records


def _is_budget_header(s: str) -> bool:
    return "部门支出总金额" in s and "基本支出总金额" in s


def _is_form_head(s: str) -> bool:
    m = HEAD_RE.match(s)
    return bool(m) and not m.group("total")


def split_forms(form: Form) -> list[tuple[int, int, Form]]:
    """[(first line no, last line no, the form's own lines)] — one item for a file of one form."""
    if form.kind == "pdf" and form.tables:
        return _split_pdf(form)
    text = [clean_line(ln.text) for ln in form.lines]
    budgets = [i for i, s in enumerate(text) if _is_budget_header(s)]
    if len(budgets) <= 1:
        return [(form.lines[0].no if form.lines else 1, form.lines[-1].no if form.lines else 1, form)]
    starts = [0]
    for prev, cur in zip(budgets, budgets[1:]):
        heads = [i for i in range(prev + 1, cur) if _is_form_head(text[i])]
        if not heads:  # no table head: the profile labels open the next form
            heads = [i for i in range(prev + 1, cur) if norm(text[i]) == "部门主要职责"]
            heads = [_back_to_blank(text, heads[-1])] if heads else []
        if not heads:
            raise FormError(Problem(
                f"文件中有 {len(budgets)} 个预算总表（部门支出总金额 …），像是多份表，但无法确定第 {len(starts) + 1} 份从哪里开始；"
                "没有导入", file=str(form.path), expected="每份表以“部门名称 … 部门编码 …”开头；或把各份表分成单独的文件"))
        starts.append(heads[-1])
    out = []
    for k, start in enumerate(starts):
        stop = starts[k + 1] if k + 1 < len(starts) else len(form.lines)
        lines = form.lines[start:stop]
        out.append((lines[0].no, lines[-1].no, dataclasses.replace(form, lines=lines)))
    return out


def _back_to_blank(text: list[str], i: int) -> int:
    """The first line of the run of label lines ending at ``i`` (labels printed one a line)."""
    while i > 0 and text[i - 1] and norm(text[i - 1]) in ("组织结构", "人员编制情况", "部门主要职责"):
        i -= 1
    return i


def _split_pdf(form: Form) -> list[tuple[int, int, Form]]:
    """A PDF's forms: each starts at its table head (部门名称 … 部门编码 …, the first table of a
    form); the text above it on its page (the title) goes with it. Items carry page numbers."""
    heads = [k for k, t in enumerate(form.tables) if classify_table(t) == "info"]
    if len(heads) <= 1:
        return [(1, form.pages, form)]
    cuts = []  # (page, top) where each form after the first begins
    for k in heads[1:]:
        t = form.tables[k]
        above = [p.bottom for p in form.tables[:k] if p.page == t.page]
        cuts.append((t.page, max(above) if above else float("-inf")))
    starts = [0] + heads[1:]

    def part(pos) -> int:
        return sum(1 for c in cuts if pos >= c)

    out = []
    for j, start in enumerate(starts):
        stop = starts[j + 1] if j + 1 < len(starts) else len(form.tables)
        tables = form.tables[start:stop]
        lines = [ln for ln in form.lines if part((ln.page, ln.top if ln.top is not None else 0.0)) == j]
        free = [ln for ln in form.free_lines if part((ln.page, ln.top if ln.top is not None else 0.0)) == j]
        first, last = tables[0].page, tables[-1].page
        sub = dataclasses.replace(form, tables=tables, lines=lines, free_lines=free,
                                  scanned=[p for p in form.scanned if first <= p <= last],
                                  sideways=[p for p in form.sideways if first <= p <= last])
        out.append((first, last, sub))
    return out

"""Table cells of a form printed as a web page or a PDF, in reading order.

The 财政部-style 自评表 and the MOF-2013 指标表 are published as web pages whose saved text
separates a table's cells by ``|`` (blank cells as empty runs ``| | |``), by tabs (the kit's own
reading of a saved ``.html``), by runs of spaces, or prints one cell per line ending in `` |``;
and as PDFs, whose ruled tables pdfplumber gives cell by cell (``sources.Table``).
``read_grid(form)`` turns each into printed rows of ``Tok`` (the cell's text, where it was
printed and, for a PDF, its table and grid column), so that a layout reads every style the same
way: by the printed labels, then the cells that follow them.

What a style keeps matters to the layouts: with ``|``, tabs, one cell per line and PDF cells a
blank cell is still a cell (``Grid.keeps_blanks``), so cells stand in their printed columns;
with runs of spaces a blank cell leaves no trace, so which column a cell belongs to must be
worked out (``placements``) or left open. Nothing here interprets the form.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Callable, Sequence

from ..model import NA_MARKS
from ..core.values import norm_label as norm  # noqa: F401 (the kit's one label normaliser, as the readers name it)
from .record import cell_source
from .sources import Form, Line
from .wrap import join_cell_lines

# A first line naming where a stored page came from (the forms of shared/forms/ carry one).
_ADDRESS = re.compile(r"^\s*(?:https?://\S+|\(stored page[^)]*\))")
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")


@dataclass(frozen=True)
class Tok:
    """One printed cell."""

    text: str  # as printed, outer spaces removed
    src: dict  # record source: {line} / {page, line} for text, {page, table, row, col} for a PDF cell
    row: int  # index of its printed row in the grid (a text line, or a PDF grid row)
    idx: int = 0  # position in the grid's reading order
    col: int | None = None  # PDF: grid column (0-based) in its table
    span: int = 1  # PDF: columns spanned
    table: tuple[int, int] | None = None  # PDF: (page, table index)
    carried: bool = False  # PDF: a merged cell repeated in a row below the one it starts in
    x0: float | None = None  # PDF: the cell's left and right edges (points), to find its column's header
    x1: float | None = None

    def under(self, head: "Tok") -> bool:
        """PDF: this cell stands in the column of ``head`` (its centre within the header cell's edges;
        tables continued on another page keep their columns' edges, not their grid indexes)."""
        if None in (self.x0, self.x1, head.x0, head.x1):
            return False
        centre = (self.x0 + self.x1) / 2
        return head.x0 - 1 <= centre <= head.x1 + 1

    @functools.cached_property
    def key(self) -> str:  # the text never changes (frozen): normalised once
        return norm(self.text)


@dataclass
class Grid:
    style: str  # 'pipe', 'stream' (one cell per line), 'tab', 'space' or 'pdf'
    rows: list[list[Tok]]  # printed rows in reading order; [] for a blank line
    address: str = ""  # the page address printed on the first line, when there is one
    toks: list[Tok] = field(default_factory=list)  # every cell in reading order (merged cells once)

    @property
    def keeps_blanks(self) -> bool:
        """Whether a blank cell is still a cell (its neighbours stay in their printed columns)."""
        return self.style != "space"


# --- reading -------------------------------------------------------------------------------------
def read_grid(form: Form) -> Grid:
    if form.kind == "pdf" and form.tables:
        return _pdf_grid(form)
    lines = list(form.lines)
    address = ""
    if lines and _ADDRESS.match(lines[0].text):
        address = lines[0].text.strip()
        lines = lines[1:]
    style = _style([ln.text for ln in lines])
    opens = _rows_open_with_bar([ln.text for ln in lines])
    rows: list[list[Tok]] = []
    for ln in lines:
        src = {"page": ln.page, "line": ln.no} if ln.page else {"line": ln.no}
        rows.append([Tok(t, src, len(rows)) for t in _split(ln.text, style, opens)])
    return _finish(Grid(style, _join_continued(rows, style), address))


def _rows_open_with_bar(texts: list[str]) -> bool:
    """Whether the page opens its rows with a bar ('| a | b |'); when most rows do not ('a | b |'),
    a row printed ' | b | c' starts with a blank cell (a merged cell printed blank), kept as one."""
    piped = [t for t in texts if "|" in t and t.strip() != "|"]
    return bool(piped) and sum(1 for t in piped if t.lstrip().startswith("|")) >= 0.5 * len(piped)


def _join_continued(rows: list[list[Tok]], style: str) -> list[list[Tok]]:
    """A row whose first cell went onto a line of its own: a line holding one cell (no bar) followed
    by a line that opens with a blank cell and holds several ('成本指标' then '| 省级… | 200万 | …')
    is one printed row, the lone cell standing in the blank first column."""
    if style != "pipe":
        return rows
    out: list[list[Tok]] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        nxt = rows[k + 1] if k + 1 < len(rows) else None
        if (len(row) == 1 and row[0].text and nxt and len(nxt) >= 3 and not nxt[0].text
                and sum(1 for t in nxt if t.text) >= 2):
            out.append([row[0]] + [replace(t, row=row[0].row) for t in nxt[1:]])
            out.append([])  # the second line keeps its place (row indexes are line positions)
            k += 2
            continue
        out.append(row)
        k += 1
    return out


def _style(texts: list[str]) -> str:
    filled = [t for t in texts if t.strip()]
    if not filled:
        return "space"
    piped = [t for t in filled if "|" in t]
    if len(piped) >= 0.3 * len(filled):
        single = sum(1 for t in piped if t.count("|") == 1 and t.rstrip().endswith("|"))
        return "stream" if single >= 0.7 * len(piped) else "pipe"
    if sum(1 for t in filled if "\t" in t) >= 0.3 * len(filled):
        return "tab"
    return "space"


def _split(text: str, style: str, opens: bool = True) -> list[str]:
    if not text.strip():
        return []
    if style in ("pipe", "stream"):
        if "|" not in text:
            return [text.strip()]
        parts = text.split("|")
        if text.rstrip().endswith("|"):
            parts = parts[:-1]  # the bar closes the last cell
        if style == "pipe" and opens and text.lstrip().startswith("|") and parts and not parts[0].strip():
            parts = parts[1:]  # '| a | b |': the first bar opens the first cell
        return [p.strip() for p in parts]
    if style == "tab":
        return [p.strip() for p in text.split("\t")]
    return [p for p in _SPACES.split(text.strip()) if p]


def _pdf_grid(form: Form) -> Grid:
    """A PDF's tables row by row (a merged cell is in every row it spans, ``carried`` below its
    first), and the text outside them (title, notes) as rows of one cell, ordered by position."""
    items: list[tuple[int, float, object]] = []
    for t in form.tables:
        items.append((t.page, t.top, t))
    for ln in form.free_lines:
        items.append((ln.page, ln.top if ln.top is not None else 0.0, ln))
    items.sort(key=lambda it: (it[0], it[1]))
    rows: list[list[Tok]] = []
    for _page, _top, item in items:
        if isinstance(item, Line):
            rows.append([Tok(item.text.strip(), {"page": item.page, "line": item.no}, len(rows))])
            continue
        t = item
        inner = {}
        for r, row in enumerate(t.rows(), start=1):
            toks = []
            for c in row:
                if id(c) not in inner:
                    inner[id(c)] = join_cell_lines(c.lines, (c.x1 - c.x0) - 2 * t.pad).strip()
                toks.append(Tok(inner[id(c)], cell_source(c), len(rows), col=c.col - 1, span=c.colspan,
                                table=(t.page, t.index), carried=c.row != r, x0=c.x0, x1=c.x1))
            rows.append(toks)
    return _finish(Grid("pdf", rows))


def _finish(grid: Grid) -> Grid:
    out: list[list[Tok]] = []
    flat: list[Tok] = []
    for row in grid.rows:
        new = []
        for t in row:
            t = Tok(t.text, t.src, t.row, len(flat) if not t.carried else -1, t.col, t.span, t.table, t.carried,
                    t.x0, t.x1)
            new.append(t)
            if not t.carried:
                flat.append(t)
        out.append(new)
    grid.rows, grid.toks = out, flat
    return grid


# --- what a cell holds -------------------------------------------------------------------------
_PCT = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?\s*[%％]$")
# A number, perhaps with up to two stray characters after it as printed: 100分, 864.2万, 7.50., 98.82&
_NUM = re.compile(r"^[-+]?\d[\d,]*(?:\.\d*)?[^\d\s%％]{0,2}$")
_LEAD = re.compile(r"^[-+]?\d[\d,]*(?:\.\d+)?")


def kind(text: str) -> str:
    """'blank', 'dash' (not applicable), 'pct', 'num' or 'text'."""
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        return "blank"
    if s in NA_MARKS or text.strip() in NA_MARKS:
        return "dash"
    if _PCT.match(s):
        return "pct"
    if _NUM.match(s) or re.fullmatch(r"#{2,}", s):
        return "num"
    return "text"


def readable_number(text: str) -> bool:
    """Whether the model can read ``text`` as a number field: a number (stray characters after it are
    kept and flagged by the model), ``#####``, or '-' / '/' (not applicable). Anything else placed in
    a number field would stop the file from loading; it is left absent with its raw text instead."""
    from ..model import NOT_APPLICABLE
    from ..core.values import parse_num

    t = text.strip()
    return t in NOT_APPLICABLE or "not_number" not in parse_num(t, "").notes


def number(text: str) -> Decimal | None:
    """The leading number of a cell (``"100分"`` → 100), None when it has none."""
    m = _LEAD.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        return None
    try:
        return Decimal(m.group(0).replace(",", ""))
    except InvalidOperation:
        return None


def placements(cells: Sequence[str], accepts: Sequence[Callable[[str], bool]], limit: int = 256) -> list[tuple[int, ...]]:
    """Every way to put ``cells`` into columns left to right, one column each, in printed order,
    such that each column accepts its cell: tuples of column indexes (at most ``limit``)."""
    out: list[tuple[int, ...]] = []
    n, m = len(accepts), len(cells)

    def go(i: int, start: int, acc: list[int]) -> None:
        if len(out) >= limit:
            return
        if i == m:
            out.append(tuple(acc))
            return
        for c in range(start, n - (m - i) + 1):
            if accepts[c](cells[i]):
                acc.append(c)
                go(i + 1, c + 1, acc)
                acc.pop()

    if m <= n:
        go(0, 0, [])
    return out

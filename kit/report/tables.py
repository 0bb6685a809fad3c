"""HTML building blocks for the report: every value escaped, no scripts, no random ids.

Helpers return ``IPython.display.HTML`` objects (via ``show``) or plain strings. Anything a
department wrote (names, task contents, free text) goes through ``html.escape``; the only
unescaped HTML is what this module builds itself, wrapped in ``Raw``.
"""
from __future__ import annotations

import base64
import functools
import html
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from ..core.text import for_terminal
from ..core.values import fmt_amount
from ..core.vocab import Basis, Severity, Status


@dataclass(frozen=True)
class Raw:
    """HTML built by the kit itself; inserted as is."""

    html: str

    def __str__(self) -> str:
        return self.html


SEVERITY = Severity.labels()
SEVERITY_ORDER = Severity.orders()
STATUS = Status.labels()
STATUS_ORDER = Status.orders()
BASIS = Basis.labels()
STYLE_FILE = Path(__file__).resolve().parent.parent / "templates" / "kit_report" / "static" / "components.css"
WRAP_CLASS = "kit-out"


def _missing(value: Any) -> bool:
    """None or NaN (pandas' NA too); other values, lists included, are present."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def esc(value: Any) -> str:
    """Escape one cell; Raw passes through, None and NaN show as a dash."""
    if isinstance(value, Raw):
        return value.html
    if _missing(value):
        return "—"
    # Controls and bidi overrides a department wrote are shown as visible escapes (\u202e), so
    # they can neither reorder what a reader sees nor hide text.
    return html.escape(for_terminal(str(value)), quote=True)


def text_block(text: str) -> Raw:
    """Free text with its line breaks kept (escaped)."""
    if not text or not str(text).strip():
        return Raw('<span class="kit-muted">（未填写）</span>')
    return Raw("<br>".join(html.escape(line) for line in str(text).splitlines()))


def badge(kind: str, label: str | None = None) -> Raw:
    """A coloured label for a severity, a status or a basis (kind is a fixed ASCII word)."""
    text = label or SEVERITY.get(kind) or STATUS.get(kind) or BASIS.get(kind) or kind
    cls = "".join(ch for ch in str(kind) if ch.isalnum())
    return Raw(f'<span class="kit-badge kit-{cls}">{html.escape(str(text))}</span>')


def amount(value: Decimal | None) -> str:
    return fmt_amount(value)


def rounded(value: Decimal, places: int = 2) -> Decimal:
    """``value`` to ``places`` decimals, however large: the context's 28 digits would refuse
    (InvalidOperation) a ratio of a 20-digit amount to a 0.000001 one."""
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places))


def pct(num: Decimal | None, den: Decimal | None, places: int = 2) -> str:
    """num / den as a percentage, or '—' when it cannot be computed."""
    if num is None or den is None or den == 0:
        return "—"
    with localcontext() as ctx:
        # Exact to the shown places for any two amounts the loader accepts (values.out_of_range).
        ctx.prec = 60
        return f"{rounded(num / den * 100, places):,}%"


def score(value: Any) -> str:
    """A score with at most two decimals, trailing zeros dropped (3.00 -> 3, 1.50 -> 1.5)."""
    if _missing(value):
        return "—"
    d = rounded(Decimal(str(value)))
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def table(
    rows: Iterable[Sequence[Any]],
    header: Sequence[str | tuple[str, int]],
    *,
    numeric: Iterable[int] = (),
    caption: str | None = None,
    cls: str = "",
    row_classes: Sequence[str] | None = None,
    header_rows: Sequence[Sequence[tuple[str, int, int]]] | None = None,
    col_classes: Sequence[str] | None = None,
    row_styles: Sequence[str] | None = None,
) -> str:
    """An HTML table. ``numeric`` names column indexes to right-align in tabular figures.

    ``header_rows`` (optional) replaces the single header row with several rows of
    (label, colspan, rowspan) cells, for two-level headings such as 预算数 / 执行数.
    ``col_classes`` gives each body column a CSS class (widths, wrapping); ``row_styles`` an
    inline style per body row (only values the kit computes, e.g. sort ranks).
    """
    numeric = set(numeric)
    out = [f'<table class="kit-table {html.escape(cls)}">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append("<thead>")
    if header_rows:
        for hr in header_rows:
            cells = "".join(
                f'<th scope="col"{f" colspan={c}" if c > 1 else ""}{f" rowspan={r}" if r > 1 else ""}>'
                f"{html.escape(label)}</th>"
                for label, c, r in hr
            )
            out.append(f"<tr>{cells}</tr>")
    else:
        out.append("<tr>" + "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in header) + "</tr>")
    out.append("</thead><tbody>")
    for i, row in enumerate(rows):
        rc = f' class="{html.escape(row_classes[i])}"' if row_classes and row_classes[i] else ""
        if row_styles and row_styles[i]:
            rc += f' style="{html.escape(row_styles[i])}"'  # custom properties the kit sets (sort ranks)
        cells = []
        for j, value in enumerate(row):
            names = " ".join(c for c in ("kit-num" if j in numeric else "",
                                         col_classes[j] if col_classes and j < len(col_classes) else "") if c)
            attr = f' class="{html.escape(names)}"' if names else ""
            cells.append(f"<td{attr}>{esc(value)}</td>")
        out.append(f"<tr{rc}>{''.join(cells)}</tr>")
    out.append("</tbody></table>")
    return "".join(out)




def figure(image: bytes | str, alt: str, caption: str = "") -> str:
    """A chart in the page, no external file and no request: an ``<svg>`` element written by the
    kit (``kit.report.svg``; it names itself with its ``aria-label``), or PNG bytes as a data: URI
    image described by ``alt``."""
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    if isinstance(image, str):
        return f'<figure class="kit-figure">{image}{cap}</figure>'
    data = base64.b64encode(image).decode("ascii")
    return (
        f'<figure class="kit-figure"><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
        f"{cap}</figure>"
    )


def note(text: str, kind: str = "info") -> str:
    return f'<p class="kit-note kit-note-{html.escape(kind)}">{html.escape(text)}</p>'


@functools.lru_cache(maxsize=1)
def component_css() -> str:
    """The styles of the report's components, every rule scoped under ``.kit-out``."""
    return STYLE_FILE.read_text(encoding="utf-8")


def wrap(*parts: str | Raw) -> str:
    """HTML fragments in a ``.kit-out`` block that carries its own styles.

    In JupyterLab the page's stylesheet is absent: each output brings the component styles with
    it, scoped under the wrapper class so JupyterLab itself is not restyled. The exported page
    keeps one copy (``kit.report.export`` drops the repeats).
    """
    return (f'<div class="{WRAP_CLASS}"><style class="kit-style">{component_css()}</style>'
            + "".join(str(p) for p in parts) + "</div>")


def show(*parts: str | Raw):
    """Display HTML fragments in the notebook (one output, text/html only, styles included)."""
    from IPython.display import HTML, display

    display(HTML(wrap(*parts)))


def value_cell(value: Any) -> Any:
    """An expected/actual value for a table cell: numbers never break across lines."""
    shown = number(value)
    if isinstance(value, Decimal):
        return Raw(f'<span class="kit-nobr">{html.escape(str(shown))}</span>')
    return shown


def number(value: Any) -> Any:
    """A Decimal for display: thousands separators, at most two decimals (two for amounts); other values unchanged."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        # Amounts converted from 万元 carry no decimals (1950040000); shown beside 1,914,700.00
        # they would read as another unit. Counts and scores (small integers) stay as they are.
        if exponent < -2 or value != rounded(value) or (exponent >= 0 and abs(value) >= 10000):
            value = rounded(value)
        return f"{value:,}"
    if isinstance(value, float) and value == value:
        return number(Decimal(str(value)))
    return value

"""Reading a published form: bytes from outside → lines, and for PDFs ruled table cells.

A form arrives as the text layer of a PDF saved as ``.txt``, a saved web page (``.html``,
``.htm``) or the PDF itself. Every reader returns a ``Form``: its lines in reading order (page
and line number kept, so every value can say where it was printed) and, for a PDF, its ruled
tables as cells with positions (pdfplumber). Nothing is interpreted here; a file that cannot
be read raises ``FormError`` naming the file and saying why, before anything else runs.
"""
from __future__ import annotations

import bisect
import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..errors import FormError, Problem

# Bounds checked on the file size before reading: a department's form is a few pages.
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 40 * 1024 * 1024
MAX_PDF_PAGES = 200
TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)
SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + PDF_SUFFIXES


@dataclass(frozen=True)
class Line:
    """One printed line: page (1-based), line number (in the file, or on the page for a PDF)."""

    page: int
    no: int
    text: str
    top: float | None = None  # PDF: the line's top edge on its page (points), for reading order

    def where(self) -> str:
        return f"第{self.page}页第{self.no}行" if self.page else f"第{self.no}行"


@dataclass(frozen=True)
class CellLine:
    """One printed line inside a table cell, with its horizontal extent (PDF points)."""

    text: str
    x0: float
    x1: float
    top: float
    first_token: float  # width of the first token (CJK character or latin word), for wrap tests


@dataclass
class Cell:
    page: int
    table: int  # index of the table on its page (1-based)
    row: int  # 1-based grid row of the top-left corner
    col: int  # 1-based grid column
    rowspan: int
    colspan: int
    x0: float
    top: float
    x1: float
    bottom: float
    lines: list[CellLine] = field(default_factory=list)

    @property
    def raw(self) -> str:
        return "\n".join(ln.text for ln in self.lines)

    def where(self) -> str:
        return f"第{self.page}页表{self.table}第{self.row}行第{self.col}列"


@dataclass
class Table:
    page: int
    index: int
    top: float
    bottom: float
    nrows: int
    ncols: int
    cells: list[Cell]
    pad: float = 2.0  # left/right padding inside cells, estimated from where text starts

    def rows(self) -> list[list[Cell]]:
        """For each grid row, the cells covering it left to right (a merged cell appears in every
        row it spans)."""
        out: list[list[Cell]] = [[] for _ in range(self.nrows)]
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                out[r - 1].append(c)
        for row in out:
            row.sort(key=lambda c: c.col)
        return out


@dataclass
class Form:
    path: Path
    kind: str  # 'txt', 'html' or 'pdf'
    sha256: str
    size: int
    lines: list[Line]
    pages: int = 1
    tables: list[Table] = field(default_factory=list)
    free_lines: list[Line] = field(default_factory=list)  # PDF text outside every table
    notes: list[str] = field(default_factory=list)  # what the reader noticed (empty pages ...)

    @property
    def name(self) -> str:
        return self.path.name

    def text(self) -> str:
        return "\n".join(ln.text for ln in self.lines)


def _fail(path: Path, message: str, expected: str = "") -> FormError:
    return FormError(Problem(message, file=str(path), expected=expected))


def read_form(path: str | Path) -> Form:
    """Read a form file into lines (and cells for a PDF); ``FormError`` when it cannot be read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise _fail(path, f"不支持的表单文件类型（{path.suffix or '无扩展名'}）", "PDF（.pdf）、文字层文本（.txt）或网页（.html/.htm）")
    try:
        if path.is_dir():
            raise _fail(path, "这是一个文件夹，不是表单文件")
        size = path.stat().st_size
    except FileNotFoundError:
        raise _fail(path, "找不到表单文件") from None
    except OSError as exc:
        raise _fail(path, f"无法读取表单文件：{exc.strerror}") from None
    limit = MAX_PDF_BYTES if suffix in PDF_SUFFIXES else MAX_TEXT_BYTES
    if size > limit:
        raise _fail(path, f"文件过大（{size:,} 字节），不像一份部门自评表", f"不超过 {limit:,} 字节")
    if size == 0:
        raise _fail(path, "文件是空的（0 字节）")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"无法读取表单文件：{exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    if suffix in PDF_SUFFIXES:
        return _read_pdf(path, data, digest)
    text = _decode(path, data)
    if suffix in HTML_SUFFIXES:
        lines = _html_lines(text)
        kind = "html"
    else:
        lines = text.split("\n")
        kind = "txt"
    out = [Line(0, i + 1, s.rstrip("\r")) for i, s in enumerate(lines)]
    if not any(ln.text.strip() for ln in out):
        raise _fail(path, "文件中没有任何文字")
    return Form(path, kind, digest, size, out)


def _decode(path: Path, data: bytes) -> str:
    if data[:4] == b"%PDF":
        raise _fail(path, "这是一个 PDF 文件，但扩展名不是 .pdf", "把扩展名改为 .pdf 后再导入")
    if b"\x00" in data[:4096]:
        raise _fail(path, "这是二进制文件，不是文本或网页", "文字层文本（UTF-8 或 GB18030 编码）或网页")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise _fail(path, "无法识别文件的文字编码", "UTF-8 或 GB18030 编码的文本")


# --- Web pages ------------------------------------------------------------------------------
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article"}


class _PageText(HTMLParser):
    """Visible text of a saved page: one line per block, table cells separated by tabs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.skip = 0
        self.in_cell = False

    def _flush(self) -> None:
        text = "".join(self.cur)
        self.lines.append(re.sub(r"[ \u00a0]+", " ", text).strip(" "))
        self.cur = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head", "noscript", "template"):
            self.skip += 1
        elif tag in ("td", "th"):
            if self.in_cell or (self.cur and "".join(self.cur).strip()):
                self.cur.append("\t")
            self.in_cell = True
        elif tag in _BLOCK_TAGS:
            if tag == "br" and self.in_cell:
                self.cur.append(" ")
            else:
                self._flush()
                self.in_cell = False

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head", "noscript", "template"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS and tag != "br":
            self._flush()
            self.in_cell = False

    def handle_data(self, data):
        if not self.skip:
            self.cur.append(data.replace("\n", " ").replace("\r", " "))


def _html_lines(text: str) -> list[str]:
    parser = _PageText()
    parser.feed(text)
    parser.close()
    parser._flush()
    return [html.unescape(s) for s in parser.lines]


# --- PDF ------------------------------------------------------------------------------------
def _read_pdf(path: Path, data: bytes, digest: str) -> Form:
    head = data[:1024]
    if b"%PDF-" not in head:
        raise _fail(path, "扩展名是 .pdf，但文件不是 PDF（文件头没有 %PDF- 标记）", "真正的 PDF 文件")
    if b"%%EOF" not in data[-2048:]:
        raise _fail(path, "PDF 文件不完整（末尾缺少 %%EOF 结束标记，可能下载或复制时中断）", "完整的 PDF 文件（请重新下载）")
    import pdfplumber  # only for PDFs: the text and web-page paths never load it

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds; each becomes one clear message
        raise _pdf_error(path, exc) from None
    try:
        return _pdf_form(path, pdf, digest, len(data))
    except FormError:
        raise
    except Exception as exc:
        raise _pdf_error(path, exc) from None
    finally:
        pdf.close()


def _pdf_error(path: Path, exc: BaseException) -> FormError:
    chain = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__ or (e.args[0] if e.args and isinstance(e.args[0], BaseException) else None)
    names = {type(x).__name__ for x in chain}
    if names & {"PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning"}:
        return _fail(path, "PDF 已加密，需要密码才能读取文字", "未加密的 PDF（请向发布单位索取或先解除密码）")
    return _fail(path, "PDF 文件已损坏，无法解析其内容", "可以用阅读器正常打开的 PDF")


def _pdf_form(path: Path, pdf, digest: str, size: int) -> Form:
    npages = len(pdf.pages)
    if npages == 0:
        raise _fail(path, "PDF 中没有任何页面")
    if npages > MAX_PDF_PAGES:
        raise _fail(path, f"PDF 有 {npages} 页，不像一份部门自评表", f"不超过 {MAX_PDF_PAGES} 页")
    lines: list[Line] = []
    free: list[Line] = []
    tables: list[Table] = []
    notes: list[str] = []
    empty_pages: list[int] = []
    image_pages: list[int] = []
    for pno, page in enumerate(pdf.pages, start=1):
        chars = [c for c in page.chars if c.get("text")]
        if not any(c["text"].strip() for c in chars):
            empty_pages.append(pno)
            if page.images:
                image_pages.append(pno)
            continue
        outside = list(chars)
        page_tables = _page_tables(page, pno, outside)  # leaves the characters outside every table
        tables.extend(page_tables)
        # Reading order of the page: table rows and free lines by their top edge.
        items: list[tuple[float, str, bool]] = [(top, text, False) for t in page_tables for top, text in _table_text_rows(t)]
        items += [(top, text, True) for top, text in _group_lines(outside)]
        items.sort(key=lambda it: it[0])
        for n, (top, text, is_free) in enumerate(items, start=1):
            lines.append(Line(pno, n, text, top))
            if is_free:
                free.append(Line(pno, n, text, top))
    if len(empty_pages) == npages:
        if image_pages:
            raise _fail(path, "这是扫描件：PDF 里只有图片，没有文字层，需要先做 OCR 文字识别", "带文字层的 PDF，或 OCR 识别后的文字（.txt）")
        raise _fail(path, "PDF 的页面都是空白的，没有可读取的文字")
    for p in empty_pages:
        notes.append(f"第{p}页" + ("只有图片（扫描页），没有文字层，未读取" if p in image_pages else "是空白页"))
    return Form(path, "pdf", digest, size, lines, npages, tables, free, notes)


def _page_tables(page, pno: int, chars: list[dict]) -> list[Table]:
    """The page's ruled tables, each character given to the cell it sits in. Characters are
    looked up on the table's grid (bisect on its edges), not tested against every cell."""
    found = page.find_tables({"vertical_strategy": "lines", "horizontal_strategy": "lines"})
    out: list[Table] = []
    taken: set[int] = set()
    for ti, ft in enumerate(sorted(found, key=lambda t: (t.bbox[1], t.bbox[0])), start=1):
        boxes = [tuple(c) for c in ft.cells if c]
        if not boxes:
            continue
        xs = _edges([b[0] for b in boxes] + [b[2] for b in boxes])
        ys = _edges([b[1] for b in boxes] + [b[3] for b in boxes])
        cells: list[Cell] = []
        grid: dict[tuple[int, int], int] = {}
        for x0, top, x1, bottom in boxes:
            c0, c1 = _index(xs, x0), _index(xs, x1)
            r0, r1 = _index(ys, top), _index(ys, bottom)
            cell = Cell(pno, ti, r0 + 1, c0 + 1, max(1, r1 - r0), max(1, c1 - c0), x0, top, x1, bottom)
            for r in range(r0, r0 + cell.rowspan):
                for c in range(c0, c0 + cell.colspan):
                    grid[(r, c)] = len(cells)
            cells.append(cell)
        inside: list[list[dict]] = [[] for _ in cells]
        bx0, btop, bx1, bbottom = ft.bbox
        for ch in chars:
            cx = (ch["x0"] + ch["x1"]) / 2
            cy = (ch["top"] + ch["bottom"]) / 2
            if not (bx0 <= cx <= bx1 and btop <= cy <= bbottom) or id(ch) in taken:
                continue
            k = grid.get((bisect.bisect_right(ys, cy) - 1, bisect.bisect_right(xs, cx) - 1))
            if k is not None:
                inside[k].append(ch)
                taken.add(id(ch))
        for cell, cell_chars in zip(cells, inside):
            cell.lines = [_cell_line(group) for group in _line_groups(cell_chars)]
        cells.sort(key=lambda c: (c.row, c.col))
        t = Table(pno, ti, btop, bbottom, len(ys) - 1, len(xs) - 1, cells)
        starts = [ln.x0 - c.x0 for c in cells for ln in c.lines]
        t.pad = max(0.0, min(starts)) if starts else 2.0
        out.append(t)
    # Characters outside every cell are the page's free text.
    chars[:] = [ch for ch in chars if id(ch) not in taken]
    return out


def _edges(values: list[float], tol: float = 1.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda i: abs(edges[i] - v))


def _line_groups(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into printed lines (same baseline), each sorted left to right."""
    groups: list[list[dict]] = []
    for ch in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        if groups and abs(groups[-1][0]["top"] - ch["top"]) <= max(1.5, ch["size"] * 0.3):
            groups[-1].append(ch)
        else:
            groups.append([ch])
    for g in groups:
        g.sort(key=lambda c: c["x0"])
    return groups


def _chars_text(group: list[dict]) -> str:
    parts: list[str] = []
    prev = None
    for ch in group:
        if prev is not None and ch["text"] != " " and prev["text"] != " ":
            # A wide gap without a space glyph (justified or column-separated text) reads as one space.
            if ch["x0"] - prev["x1"] > 0.6 * ch["size"]:
                parts.append(" ")
        parts.append(ch["text"])
        prev = ch
    return "".join(parts)


# A latin word wraps as a whole (the same characters as ``wrap._LATIN_RUN``).
_LATIN = re.compile(r"[A-Za-z0-9.,%&#+\-/:=_()]")


def _cell_line(group: list[dict]) -> CellLine:
    first = group[0]
    end = first
    if _LATIN.match(first["text"]):
        for ch in group[1:]:
            if not _LATIN.match(ch["text"]):
                break
            end = ch
    return CellLine(_chars_text(group), first["x0"], group[-1]["x1"], first["top"], end["x1"] - first["x0"])


def _group_lines(chars: list[dict]) -> list[tuple[float, str]]:
    return [(g[0]["top"], _chars_text(g)) for g in _line_groups(chars) if _chars_text(g).strip()]


def _table_text_rows(t: Table) -> list[tuple[float, str]]:
    """A table as text lines (cells of a grid row separated by tabs), for detection and fallback."""
    out = []
    for r, row in enumerate(t.rows(), start=1):
        starting = [c for c in row if c.row == r]
        if not starting:
            continue
        text = "\t".join(c.raw.replace("\n", "") for c in starting)
        if text.strip():
            out.append((min(c.top for c in starting), text))
    return out

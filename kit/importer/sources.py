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
import math
import operator
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from ..core.errors import FormError, Problem

# Bounds checked on the file size before reading: a department's form is a few pages.
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_PDF_BYTES = 40 * 1024 * 1024
MAX_PDF_PAGES = 200
# Bounds on a text or web page's lines (the published forms: at most 450 characters and 11 cells a
# line, 225 cells in all): what the readers' work grows with, checked before any reader runs.
MAX_LINE_CHARS = 20_000
MAX_CELLS_PER_LINE = 200
MAX_SEPARATORS = 20_000
MAX_LINES = 100_000  # the sample's text layer has 796
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
    sideways: list[int] = field(default_factory=list)  # PDF pages whose text is not upright (unreadable as tables)
    scanned: list[int] = field(default_factory=list)  # PDF pages holding only images (scans): nothing read

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
    from ..core.errors import LoadError
    from ..core.safeio import FileMissing, check_file, read_bounded

    limit = MAX_PDF_BYTES if suffix in PDF_SUFFIXES else MAX_TEXT_BYTES
    try:
        # Only a regular file, never more than the bound: a symlink to /dev/zero, a FIFO (which
        # would wait for a writer), a socket or a symlink loop is refused before anything is read.
        check_file(path, "表单文件")
        size = os.stat(path).st_size
        if size > limit:
            raise _fail(path, f"文件过大（{size:,} 字节），不像一份部门自评表", f"不超过 {limit:,} 字节")
        if size == 0:
            raise _fail(path, "文件是空的（0 字节）")
        data = read_bounded(path, limit, "表单文件")
    except FileMissing:
        raise _fail(path, "找不到表单文件") from None
    except FormError:
        raise
    except LoadError as exc:
        raise FormError(exc.problems) from None
    except OSError as exc:
        raise _fail(path, f"无法读取表单文件：{exc.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    if suffix in PDF_SUFFIXES:
        return _read_pdf(path, data, digest)
    text = _decode(path, data)
    notes: list[str] = []
    if suffix in HTML_SUFFIXES:
        lines, notes = _html_lines(path, text)
        kind = "html"
    else:
        lines = _LINE_END.split(text)  # CRLF, LF, and CR alone (old Mac files) all end a line
        kind = "txt"
    out = [Line(0, i + 1, s) for i, s in enumerate(lines)]
    if not any(ln.text.strip() for ln in out):
        raise _fail(path, "文件中没有任何文字")
    _check_lines(path, out)
    return Form(path, kind, digest, size, out, notes=notes)


_LINE_END = re.compile(r"\r\n|\r|\n")


def _check_lines(path: Path, lines: list[Line]) -> None:
    """A printed form's lines are short and its rows have a few cells: a line of a million
    characters or of thousands of cells is no form's, and the readers' work grows with both."""
    if len(lines) > MAX_LINES:
        raise _fail(path, f"文件有 {len(lines):,} 行，不像一份部门自评表", f"不超过 {MAX_LINES:,} 行")
    seps = 0
    for ln in lines:
        if len(ln.text) > MAX_LINE_CHARS:
            raise _fail(path, f"{ln.where()}有 {len(ln.text):,} 个字符，不像表单上印刷的一行",
                        f"每行不超过 {MAX_LINE_CHARS:,} 个字符")
        k = ln.text.count("|") + ln.text.count("\t")
        if k > MAX_CELLS_PER_LINE:
            raise _fail(path, f"{ln.where()}有 {k:,} 个栏目分隔符（“|”或制表符），不像表格的一行",
                        f"每行不超过 {MAX_CELLS_PER_LINE:,} 个")
        seps += k
    if seps > MAX_SEPARATORS:
        raise _fail(path, f"文件中共有 {seps:,} 个栏目分隔符（“|”或制表符），不像一份部门自评表",
                    f"不超过 {MAX_SEPARATORS:,} 个")


def _decode(path: Path, data: bytes) -> str:
    if data[:4] == b"%PDF":
        raise _fail(path, "这是一个 PDF 文件，但扩展名不是 .pdf", "把扩展名改为 .pdf 后再导入")
    utf16 = _utf16(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            raise _fail(path, "文件像是 UTF-16 编码，但其中有无法解码的字节（文件可能已损坏）",
                        "UTF-8、GB18030 或完整的 UTF-16 编码文本") from None
        text = text.lstrip("\ufeff")
        if "\x00" in text:
            raise _fail(path, "文件按 UTF-16 编码解码后含有空字符（U+0000），不是一份文本表单",
                        "UTF-8、GB18030 或 UTF-16 编码的文本")
        return text
    if b"\x00" in data[:4096]:
        raise _fail(path, "这是二进制文件，不是文本或网页", "文字层文本（UTF-8、GB18030 或 UTF-16 编码）或网页")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise _fail(path, "无法识别文件的文字编码", "UTF-8、GB18030 或 UTF-16 编码的文本")


def _utf16(data: bytes) -> str | None:
    """'utf-16' (with a BOM), 'utf-16-le' / 'utf-16-be' (without: most of the first bytes' odd or
    even positions are zero, as ASCII and line ends are), or None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) // 2
    # UTF-8 and GB18030 text has no zero byte at all; UTF-16 has one in every ASCII character
    # (digits, spaces, line ends), on one side ('一' U+4E00 puts one on the other side).
    if odd >= max(2, half // 20) and odd > 4 * even:
        return "utf-16-le"
    if even >= max(2, half // 20) and even > 4 * odd:
        return "utf-16-be"
    return None


# --- Web pages ------------------------------------------------------------------------------
# A saved page is read as a browser shows it: text inside elements the browser does not render
# (<script>, <style>, <head>, <template>, <noscript>, comments, the ``hidden`` attribute, inline
# or <style> rules with display:none, visibility:hidden, font-size:0 or opacity:0) is not read,
# and every character reference is decoded exactly once (``&amp;#57;`` is the text ``&#57;``).
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article"}
_HIDDEN_TAGS = {"script", "style", "head", "noscript", "template", "title", "iframe", "audio", "video", "canvas",
                "datalist"}
_CLOSED_UNLESS_OPEN = {"details", "dialog"}  # shown only with the open attribute (a closed <details> as a whole)
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
              "track", "wbr", "keygen"}
_HEAD_TAGS = {"title", "meta", "link", "style", "script", "noscript", "base", "template"}
# A start tag that ends an open element (the HTML parser's implied end tags), up to a boundary.
_IMPLIED_END = {"td": {"td", "th"}, "th": {"td", "th"}, "tr": {"tr", "td", "th"}, "li": {"li"},
                "option": {"option"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"},
                "thead": {"thead", "tbody", "tr", "td", "th"}, "tbody": {"thead", "tbody", "tr", "td", "th"},
                "tfoot": {"thead", "tbody", "tr", "td", "th"}}
_CLOSES_P = {"p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
             "pre", "blockquote", "form", "hr", "header", "footer", "nav", "aside", "main", "figure", "address"}
_END_BOUNDARY = {"table", "ul", "ol", "dl", "html", "body", "select"}
MAX_HTML_DEPTH = 1000  # elements open at once; browsers flatten deeper trees (Blink at 512)
MAX_HIDING_RULES = 1000  # <style> selectors that hide something
MAX_HTML_ELEMENTS = 100_000  # start tags in a page (a saved form page has a few thousand; ~5 s of parsing)
MAX_SELECTOR_WORK = 5_000_000  # element-against-selector tests for a whole page (a few seconds at most)
_HIDING_DECL = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|font-size\s*:\s*0*\.?0+(?:[a-z%]+)?\s*(?:!important\s*)?(?:;|$)"
    r"|opacity\s*:\s*0*\.?0+\s*(?:!important\s*)?(?:;|$)", re.I)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COMPOUND = re.compile(r"^(?P<tag>[a-zA-Z][a-zA-Z0-9-]*|\*)?(?P<rest>(?:[.#][\w-]+)*)$")


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]

    def matches(self, tag: str, eid: str, classes: frozenset[str]) -> bool:
        return ((self.tag is None or self.tag == tag) and all(i == eid for i in self.ids)
                and all(c in classes for c in self.classes))


def _compound(text: str) -> _Compound | None:
    m = _COMPOUND.match(text)
    if not m or not text:
        return None
    parts = re.findall(r"([.#])([\w-]+)", m.group("rest"))
    tag = m.group("tag")
    return _Compound(None if tag in (None, "*") else tag.lower(), tuple(v for k, v in parts if k == "#"),
                     tuple(v for k, v in parts if k == "."))


def _hiding_selectors(page: str) -> tuple[list[list[tuple[str, _Compound]]], list[str]]:
    """Selectors of the page's <style> rules that hide what they match: each a list of
    (combinator, compound) from the left ('' first, ' ' descendant, '>' child), and the selectors
    too complex to apply (attribute, pseudo-class, sibling combinators)."""
    out: list[list[tuple[str, _Compound]]] = []
    unknown: list[str] = []
    for block in _STYLE_BLOCK.findall(page):
        for sel_text, decls in _CSS_RULE.findall(_CSS_COMMENT.sub("", block)):
            if not _HIDING_DECL.search(decls):
                continue
            for sel in sel_text.split(","):
                sel = sel.strip()
                if not sel or sel.startswith("@"):
                    continue
                tokens = re.findall(r"\s*(>)\s*|(\s+)|([^\s>]+)", sel)
                chain: list[tuple[str, _Compound]] | None = []
                comb = ""
                for gt, space, word in tokens:
                    if gt:
                        comb = ">"
                    elif space:
                        comb = comb or " "
                    else:
                        c = _compound(word)
                        if c is None or chain is None:
                            chain = None
                            break
                        chain.append((comb if chain else "", c))
                        comb = ""
                if chain:
                    out.append(chain)
                else:
                    unknown.append(sel)
    return out, unknown


class _TooComplex(Exception):
    """The page's hiding rules would take too long to apply."""


class _PageText(HTMLParser):
    """Visible text of a saved page: one line per block, table cells separated by tabs."""

    def __init__(self, selectors=()) -> None:
        super().__init__(convert_charrefs=True)  # each reference decoded once, here
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.in_cell = False
        # Selectors indexed by what their last compound needs (an id, a class, a tag, or nothing),
        # so an element is tested only against the rules that could match it.
        self.by_key: dict[tuple[str, str], list] = {}
        for chain in selectors:
            last = chain[-1][1]
            key = ("#", last.ids[0]) if last.ids else (".", last.classes[0]) if last.classes else ("t", last.tag or "*")
            self.by_key.setdefault(key, []).append(chain)
        self.work = 0  # compound tests done: bounded (MAX_SELECTOR_WORK)
        self.elements = 0  # start tags seen: bounded (MAX_HTML_ELEMENTS)
        # Open elements: (tag, id, classes, hides); how many of each tag are open; how many hide.
        self.stack: list[tuple[str, str, frozenset[str], bool]] = []
        self.open: dict[str, int] = {}
        self.hidden = 0
        self.too_deep = False

    def _flush(self) -> None:
        text = "".join(self.cur)
        self.lines.append(re.sub(r"[ \u00a0]+", " ", text).strip(" "))
        self.cur = []

    def _pop(self) -> None:
        tag, _, _, hides = self.stack.pop()
        self.open[tag] -= 1
        self.hidden -= hides
        if tag in _BLOCK_TAGS:
            self._flush()
            self.in_cell = False

    def _close(self, names: set[str], boundary: set[str]) -> None:
        """Pop up to and including the nearest open element named in ``names`` (not past a boundary)."""
        if not any(self.open.get(n) for n in names):
            return
        for i in range(len(self.stack) - 1, -1, -1):
            tag = self.stack[i][0]
            if tag in names:
                while len(self.stack) > i:
                    self._pop()
                return
            if tag in boundary:
                return

    def _hides(self, tag: str, attrs: dict) -> tuple[bool, str, frozenset[str]]:
        eid = (attrs.get("id") or "").strip()
        classes = frozenset((attrs.get("class") or "").split())
        if tag in _HIDDEN_TAGS or "hidden" in attrs or _HIDING_DECL.search(attrs.get("style") or "") \
                or (tag in _CLOSED_UNLESS_OPEN and "open" not in attrs):
            return True, eid, classes
        if tag == "input" and (attrs.get("type") or "").lower() == "hidden":
            return True, eid, classes
        if self.by_key:
            keys = [("t", tag), ("t", "*")] + ([("#", eid)] if eid else []) + [(".", c) for c in classes]
            for key in keys:
                for chain in self.by_key.get(key, ()):
                    if self._matches(chain, tag, eid, classes):
                        return True, eid, classes
        return False, eid, classes

    def _matches(self, chain, tag: str, eid: str, classes: frozenset[str]) -> bool:
        self.work += 1
        if not chain[-1][1].matches(tag, eid, classes):
            return False
        pos = len(self.stack)  # ancestors are self.stack[:pos]
        for k in range(len(chain) - 1, 0, -1):
            comb, want = chain[k][0], chain[k - 1][1]
            if comb == ">":
                if pos == 0 or not want.matches(*self.stack[pos - 1][:3]):
                    return False
                pos -= 1
            else:
                while pos > 0 and not want.matches(*self.stack[pos - 1][:3]):
                    pos -= 1
                    self.work += 1
                if pos == 0:
                    return False
                pos -= 1
        return True

    def handle_starttag(self, tag, attrs):
        self.elements += 1
        if self.work > MAX_SELECTOR_WORK or self.elements > MAX_HTML_ELEMENTS:
            raise _TooComplex()
        adict = {k.lower(): (v or "") for k, v in attrs}
        if self.open.get("head") and tag not in _HEAD_TAGS:
            self._close({"head"}, set())  # body content ends an unclosed <head>
        if tag in _IMPLIED_END:
            self._close(_IMPLIED_END[tag], _END_BOUNDARY | ({"tr"} if tag in ("td", "th") else set()))
        if tag in _CLOSES_P:
            self._close({"p"}, _END_BOUNDARY | {"td", "th", "div", "li"})
        hides, eid, classes = self._hides(tag, adict)
        if not self.hidden and not hides:
            if tag in ("td", "th"):
                if self.in_cell or (self.cur and "".join(self.cur).strip()):
                    self.cur.append("\t")
                self.in_cell = True
            elif tag in _BLOCK_TAGS:
                if tag == "br" and self.in_cell:
                    self.cur.append(" ")
                else:
                    self._flush()
                    self.in_cell = False
        if tag in _VOID_TAGS:
            return
        if len(self.stack) >= MAX_HTML_DEPTH:
            self.too_deep = True
            return
        self.stack.append((tag, eid, classes, hides))
        self.open[tag] = self.open.get(tag, 0) + 1
        self.hidden += hides

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self._pop()

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            if tag == "br" and not self.hidden:  # </br> is read as <br> by browsers
                self.handle_starttag("br", [])
            return
        self._close({tag}, set())

    def handle_data(self, data):
        if not self.hidden:
            self.cur.append(data.replace("\n", " ").replace("\r", " "))


def _html_lines(path: Path, text: str) -> tuple[list[str], list[str]]:
    """The lines a browser shows, and notes on what could not be decided."""
    selectors, unknown = _hiding_selectors(text)
    if len(selectors) > MAX_HIDING_RULES:
        raise _fail(path, f"网页样式中隐藏内容的规则过多（{len(selectors):,} 条），不像一份发布的表单",
                    f"不超过 {MAX_HIDING_RULES:,} 条")
    parser = _PageText(selectors)
    try:
        parser.feed(text)
        parser.close()
    except _TooComplex:
        if parser.elements > MAX_HTML_ELEMENTS:
            raise _fail(path, f"网页的标签超过 {MAX_HTML_ELEMENTS:,} 个，不像一份发布的表单",
                        "正常保存的网页，或另存为文字（.txt）后再导入") from None
        raise _fail(path, "网页样式中隐藏内容的规则过于复杂，无法在合理时间内确定浏览器显示的内容",
                    "正常保存的网页，或另存为文字（.txt）后再导入") from None
    while parser.stack:
        parser._pop()
    parser._flush()
    if parser.too_deep:
        raise _fail(path, f"网页的标签嵌套超过 {MAX_HTML_DEPTH:,} 层，无法确定浏览器显示的内容", "正常保存的网页")
    notes = []
    if unknown:
        shown = "、".join(f"“{u[:40]}”" for u in unknown[:3]) + ("等" if len(unknown) > 3 else "")
        notes.append(f"网页样式中有 {len(unknown)} 条隐藏内容的规则无法判断作用于哪些文字（{shown}），"
                     "这些文字按可见读取，请对照浏览器中的显示核对")
    return parser.lines, notes


# --- PDF ------------------------------------------------------------------------------------
def _read_pdf(path: Path, data: bytes, digest: str) -> Form:
    head = data[:1024]
    if b"%PDF-" not in head:
        raise _fail(path, "扩展名是 .pdf，但文件不是 PDF（文件头没有 %PDF- 标记）", "真正的 PDF 文件")
    if b"%%EOF" not in data[-2048:]:
        raise _fail(path, "PDF 文件不完整（末尾缺少 %%EOF 结束标记，可能下载或复制时中断）", "完整的 PDF 文件（请重新下载）")
    from . import pdfguard, pdfread  # only for PDFs: the text and web-page paths never load pdfminer

    bounds = pdfguard.Bounds(path)
    try:
        pdfguard.check_streams(data, bounds)  # bounds on what the file unpacks into, before parsing
        doc = pdfread.open_document(data)
        npages = pdfread.count_pages(doc)
        bounds.check_objects(doc)
    except (FormError, pdfguard.Stopped):
        raise
    except Exception as exc:  # pdfminer raises many kinds; each becomes one clear message
        raise _pdf_error(path, exc) from None
    if npages == 0:
        raise _fail(path, "PDF 中没有任何页面")
    if npages > MAX_PDF_PAGES:
        raise _fail(path, f"PDF 有 {npages} 页，不像一份部门自评表", f"不超过 {MAX_PDF_PAGES} 页")
    try:
        return _pdf_form(path, pdfread.read_pages(doc, bounds), npages, digest, len(data))
    except (FormError, pdfguard.Stopped):
        raise
    except Exception as exc:
        raise _pdf_error(path, exc) from None


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


def _pdf_form(path: Path, pages, npages: int, digest: str, size: int) -> Form:
    lines: list[Line] = []
    free: list[Line] = []
    tables: list[Table] = []
    notes: list[str] = []
    empty_pages: list[int] = []
    image_pages: list[int] = []
    turned: list[int] = []
    sideways: list[int] = []
    for page in pages:  # a page turned by /Rotate is read as written (pdfread)
        pno = page.number
        if page.turned:
            turned.append(pno)
        if page.sideways:
            sideways.append(pno)
        chars = [c for c in page.chars if c["text"]]
        if not any(c["text"].strip() for c in chars):
            empty_pages.append(pno)
            if page.has_images:
                image_pages.append(pno)
            continue
        outside = list(chars)
        page_tables = _page_tables(page.tables, pno, outside)  # leaves the characters outside every table
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
    if sideways and len(sideways) + len(empty_pages) == npages:
        raise _fail(path, f"PDF 第{_pages_text(sideways)}页的文字不是正向排列的（页面内容被旋转或竖排），无法按表格读取",
                    "文字正向排列的 PDF（可在阅读器中把页面转正后另存为 PDF），或其文字层（.txt）")
    if sideways:
        notes.append(f"第{_pages_text(sideways)}页的文字不是正向排列的（页面内容被旋转或竖排），这些页上的表格可能读不全")
    if turned:
        notes.append(f"第{_pages_text(turned)}页设置了页面旋转，文字不是正向的；已按文字的书写方向读取")
    for p in empty_pages:
        notes.append(f"第{p}页" + ("只有图片（扫描页），没有文字层，未读取" if p in image_pages else "是空白页"))
    return Form(path, "pdf", digest, size, lines, npages, tables, free, notes, sideways, image_pages)


def _pages_text(pages: list[int]) -> str:
    return f"{pages[0]}–{pages[-1]}" if len(pages) > 2 and pages[-1] - pages[0] == len(pages) - 1 else "、".join(map(str, pages))


def _page_tables(found: list, pno: int, chars: list[dict]) -> list[Table]:
    """The page's ruled tables (pdfplumber's table finder on the page's edges), each character
    given to the cell it sits in: to the first table (top to bottom, then left to right) whose
    grid has a cell under the character's centre. Characters are looked up on each table's grid
    (bisect on its edges), not tested against every cell; each character's centre is computed
    once, and a character taken is not looked at again."""
    out: list[Table] = []
    grids = []
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
        grids.append((ti, ft.bbox, xs, ys, grid, cells, [[] for _ in cells]))
    free: list[dict] = []
    bisect_right = bisect.bisect_right
    for ch in chars:
        cx = (ch["x0"] + ch["x1"]) / 2
        cy = (ch["top"] + ch["bottom"]) / 2
        for _, (bx0, btop, bx1, bbottom), xs, ys, grid, _, inside in grids:
            if bx0 <= cx <= bx1 and btop <= cy <= bbottom:
                k = grid.get((bisect_right(ys, cy) - 1, bisect_right(xs, cx) - 1))
                if k is not None:
                    inside[k].append(ch)
                    break
        else:
            free.append(ch)
    for ti, (bx0, btop, bx1, bbottom), xs, ys, _, cells, inside in grids:
        for cell, cell_chars in zip(cells, inside):
            cell.lines = [_cell_line(group) for group in _line_groups(cell_chars)]
        cells.sort(key=lambda c: (c.row, c.col))
        t = Table(pno, ti, btop, bbottom, len(ys) - 1, len(xs) - 1, cells)
        starts = [ln.x0 - c.x0 for c in cells for ln in c.lines]
        t.pad = max(0.0, min(starts)) if starts else 2.0
        out.append(t)
    # Characters outside every cell are the page's free text.
    chars[:] = free
    return out


def _edges(values: list[float], tol: float = 1.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tol:
            out.append(v)
    return out


def _index(edges: list[float], v: float) -> int:
    """The index of the edge nearest ``v`` (the lower one on a tie); ``edges`` ascending."""
    i = bisect.bisect_left(edges, v)
    if i == 0:
        return 0
    if i == len(edges):
        return i - 1
    return i - 1 if abs(edges[i - 1] - v) <= abs(edges[i] - v) else i


_X0 = operator.itemgetter("x0")


def _line_groups(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into printed lines (same baseline), each sorted left to right."""
    tops = {ch["top"] for ch in chars}
    plain = all(math.isfinite(t) for t in tops)  # NaN is no key; inf − inf is not a distance
    if len(tops) == 1 and plain:  # one line (most cells): what the loop below makes of it
        return [sorted(chars, key=_X0)]
    if plain:  # the characters of a line share their top: rounded once
        rounded = {t: round(t, 1) for t in tops}
        ordered = sorted(chars, key=lambda c: (rounded[c["top"]], c["x0"]))
    else:
        ordered = sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"]))
    groups: list[list[dict]] = []
    for ch in ordered:
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

"""The Word (.docx) 复核报告: the report's sections, every column, editable and signable.

The document is built from the very HTML the report's sections return (``kit.report.sections``
and ``summary``), so the Word file says what the page says: its paragraphs, lists and tables
(captions, merged header cells, every column) become Word paragraphs and tables; charts are left
to the HTML and PDF. The 复核结论 and the sign-off block open the document on a portrait page;
the detail sections follow on landscape A4 pages, where the widest tables fit.

Built in the notebook's kernel with the audit, handed to ``kit render`` with its result and
written as ``<code>.docx`` beside the page.
"""
from __future__ import annotations

import io
import re
from html.parser import HTMLParser

FONT_EAST_ASIA = "宋体"  # Word and WPS map it on every Chinese Windows; LibreOffice substitutes
FONT_LATIN = "Times New Roman"
_BLOCK = {"p", "div", "li", "h1", "h2", "h3", "h4", "caption", "figcaption"}
_SKIP = {"style", "script", "figure", "img", "svg", "input", "label"}


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict[str, str]):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def cls(self) -> str:
        return self.attrs.get("class", "") or ""


class _Tree(HTMLParser):
    VOID = {"br", "img", "input", "meta", "hr", "col"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> _Node:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree.root


def _runs(node, bold: bool = False, muted: bool = False) -> list[tuple[str, bool, bool]]:
    """(text, bold, muted) pieces of an inline subtree; '\n' for <br>."""
    out: list[tuple[str, bool, bool]] = []
    for ch in node.children:
        if isinstance(ch, str):
            text = re.sub(r"\s+", " ", ch)
            if text.strip() or (text and out):
                out.append((text, bold, muted))
        elif ch.tag == "br":
            out.append(("\n", bold, muted))
        elif ch.tag in _SKIP:
            continue
        elif ch.tag in ("ol", "ul"):
            for i, li in enumerate((c for c in ch.children if isinstance(c, _Node) and c.tag == "li"), 1):
                out.append((f"\n{i}. " if ch.tag == "ol" else "\n· ", bold, muted))
                out += _runs(li, bold, muted)
        else:
            out += _runs(ch, bold or ch.tag in ("strong", "b", "th"), muted or "kit-muted" in ch.cls)
    return out


class Builder:
    """Appends the report's HTML blocks to a python-docx Document."""

    def __init__(self):
        from docx import Document
        from docx.enum.section import WD_ORIENT
        from docx.oxml.ns import qn
        from docx.shared import Cm, Pt

        self.Pt, self.Cm, self.WD_ORIENT, self.qn = Pt, Cm, WD_ORIENT, qn
        self.doc = Document()
        self._styles: dict = {}
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Cm(21), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(sec, side, Cm(2))
        sec.top_margin = sec.bottom_margin = Cm(1.8)
        for name, size in (("Normal", 10.5), ("Heading 1", 16), ("Heading 2", 14), ("Heading 3", 12), ("Title", 18)):
            st = self.doc.styles[name]
            st.font.name = FONT_LATIN
            st.font.size = Pt(size)
            rpr = st.element.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = rpr.makeelement(qn("w:rFonts"), {})
                rpr.append(fonts)
            for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
                fonts.set(qn(attr), FONT_EAST_ASIA if attr == "w:eastAsia" else FONT_LATIN)

    # --- structure ---
    def landscape(self) -> None:
        from docx.enum.section import WD_SECTION

        sec = self.doc.add_section(WD_SECTION.NEW_PAGE)
        sec.orientation = self.WD_ORIENT.LANDSCAPE
        sec.page_width, sec.page_height = self.Cm(29.7), self.Cm(21)
        sec.left_margin = sec.right_margin = self.Cm(1.5)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def paragraph(self, runs, size: float | None = None, style: str | None = None):
        p = self.doc.add_paragraph(style=style)
        self._fill(p, runs, size)
        return p

    def _style(self, size: float | None):
        """A paragraph style of this font size (one per size: runs carry no size of their own)."""
        from docx.enum.style import WD_STYLE_TYPE

        if not size or size == 10.5:
            return None
        name = f"Kit {size:g}pt"
        if name not in self._styles:
            st = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = self.doc.styles["Normal"]
            st.font.size = self.Pt(size)
            st.paragraph_format.space_after = self.Pt(0 if size < 10 else 4)
            self._styles[name] = st
        return self._styles[name]

    def _fill(self, p, runs, size: float | None = None) -> None:
        from docx.shared import RGBColor

        style = self._style(size)
        if style is not None:
            p.style = style

        first = True
        for text, bold, muted in runs:
            if first:
                text = text.lstrip(" ")
                first = False
            parts = text.split("\n")
            for k, part in enumerate(parts):
                if k:
                    p.add_run().add_break()
                if part:
                    r = p.add_run(part)
                    if bold:
                        r.bold = True
                    if muted:
                        r.font.color.rgb = RGBColor(0x5F, 0x6B, 0x77)

    # --- HTML ---
    def html(self, html: str, size: float = 10.5, table_size: float = 8) -> None:
        self._blocks(parse(html), size, table_size)

    def _blocks(self, node: _Node, size: float, table_size: float) -> None:
        inline: list = []

        def flush():
            if any(t.strip() for t, _, _ in inline):
                self.paragraph(inline, size)
            inline.clear()

        for ch in node.children:
            if isinstance(ch, str):
                if ch.strip():
                    inline.append((re.sub(r"\s+", " ", ch), False, False))
                continue
            if ch.tag in _SKIP:
                continue
            if ch.tag == "table":
                flush()
                self.table(ch, table_size)
            elif ch.tag in ("ol", "ul"):
                flush()
                for i, li in enumerate((c for c in ch.children if isinstance(c, _Node) and c.tag == "li"), 1):
                    prefix = f"{i}. " if ch.tag == "ol" else "· "
                    p = self.paragraph([(prefix, False, False), *_runs(li)], size)
                    p.paragraph_format.left_indent = self.Cm(0.6)
            elif ch.tag in ("h2", "h3", "h4"):
                flush()
                self.heading("".join(t for t, _, _ in _runs(ch)).strip(), level=int(ch.tag[1]) - 1)
            elif ch.tag in _BLOCK or ch.tag in ("section", "main", "article", "time"):
                flush()
                if any(isinstance(c, _Node) and c.tag in ("table", "ol", "ul", "p", "div", "h2", "h3", "h4")
                       for c in ch.children):
                    self._blocks(ch, size, table_size)
                else:
                    runs = _runs(ch, bold=ch.tag in ("h1", "h2", "h3", "h4"))
                    if any(t.strip() for t, _, _ in runs):
                        p = self.paragraph(runs, size)
                        if "kit-note" in ch.cls:
                            p.paragraph_format.left_indent = self.Cm(0.4)
            else:
                inline += _runs(ch, bold=ch.tag in ("strong", "b"), muted="kit-muted" in ch.cls)
        flush()

    def table(self, node: _Node, size: float) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.oxml import OxmlElement

        caption = next((c for c in node.children if isinstance(c, _Node) and c.tag == "caption"), None)
        if caption is not None:
            p = self.paragraph(_runs(caption, bold=True), size + 1)
            p.paragraph_format.keep_with_next = True
        rows: list[tuple[list[_Node], bool]] = []

        def collect(n: _Node, head: bool):
            for c in n.children:
                if not isinstance(c, _Node):
                    continue
                if c.tag == "tr":
                    rows.append(([x for x in c.children if isinstance(x, _Node) and x.tag in ("td", "th")], head))
                elif c.tag in ("thead", "tbody", "tfoot"):
                    collect(c, c.tag == "thead")

        collect(node, False)
        if not rows:
            return
        # Lay the cells on a grid, honouring colspan and rowspan.
        grid: dict[tuple[int, int], tuple[_Node, int, int] | None] = {}
        width = 0
        for i, (cells, _) in enumerate(rows):
            j = 0
            for cell in cells:
                while (i, j) in grid:
                    j += 1
                cs, rs = int(cell.attrs.get("colspan") or 1), int(cell.attrs.get("rowspan") or 1)
                for di in range(rs):
                    for dj in range(cs):
                        grid[(i + di, j + dj)] = None
                grid[(i, j)] = (cell, rs, cs)
                j += cs
            width = max(width, j)
        table = self.doc.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        # Text first, on the cell list read once (python-docx's table.cell() walks the whole table
        # each call: 20 s for the sample), then the few merges.
        cells = table._cells
        spans = []
        for (i, j), v in grid.items():
            if v is None or j >= width:
                continue
            cell, rs, cs = v
            self._fill(cells[i * width + j].paragraphs[0],
                       _runs(cell, bold=cell.tag == "th", muted="kit-muted" in cell.cls), size)
            if rs > 1 or cs > 1:
                spans.append((i, j, min(i + rs, len(rows)) - 1, min(j + cs, width) - 1))
        # Columns as wide as what they hold (a 序号 narrow, a 问题 or 整改建议 wide), on the page's width.
        longest = [4] * width
        for (i, j), v in grid.items():
            if v is not None and v[2] == 1 and j < width:
                text = "".join(t for t, _, _ in _runs(v[0]))
                # in half-width units (a Chinese character is two); a header never breaks mid-word
                units = sum(2 if ord(c) > 0x2E7F else 1 for c in max(text.split("\n"), key=len, default=""))
                longest[j] = max(longest[j], min(units, 70) + (2 if v[0].tag == "th" else 0))
        if "kit-signoff" in node.cls and width == 4:  # labels narrow, the room to write wide
            longest = [14, 30, 10, 30]
        sec = self.doc.sections[-1]
        usable = sec.page_width - sec.left_margin - sec.right_margin
        # Each column first gets room for its header or short content (up to 8 half-width units at
        # this size, plus the cell's padding), the rest of the width in proportion to what is longer.
        unit = int(self.Pt(size * 0.55))
        base = [min(n, 8) * unit + int(self.Cm(0.25)) for n in longest]
        spare = max(0, usable - sum(base))
        extra = [max(0, n - 8) for n in longest]
        total = sum(extra) or 1
        table.autofit = False
        for j, col in enumerate(table.columns):
            w = base[j] + int(spare * extra[j] / total) if sum(base) < usable else int(usable * base[j] / sum(base))
            col.width = w
            for i in range(len(rows)):
                cells[i * width + j].width = w
        for i, j, i2, j2 in spans:
            cells[i * width + j].merge(cells[i2 * width + j2])
        if "kit-signoff" in node.cls:  # room to sign and date by hand
            from docx.enum.table import WD_ROW_HEIGHT_RULE

            for row in table.rows[1:]:
                row.height, row.height_rule = self.Cm(1.1), WD_ROW_HEIGHT_RULE.AT_LEAST
        for i, (_, head) in enumerate(rows):
            if head:  # header rows repeat on every page of a long table
                tr_pr = table.rows[i]._tr.get_or_add_trPr()
                el = OxmlElement("w:tblHeader")
                el.set(self.qn("w:val"), "true")
                tr_pr.append(el)
        self.doc.add_paragraph()

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def report_docx(audit, params_file: str = "", render_time: str = "") -> bytes:
    """The Word report of one department: the sections of the HTML report, charts aside."""
    from . import sections as s
    from . import summary

    d = audit.department
    form = d.header.title or (audit.family.text("form_name") if audit.family else "") or "自评表"
    b = Builder()
    b.doc.add_heading(f"{d.name}（{d.code}）{d.year} 年度{form}复核报告", level=0)
    line = summary.headline(audit)
    b.paragraph([(f"复核状态：{line['status_label']}；复核总分 {line['grade']}", False, True)], 9)
    b.heading("复核结论", 1)
    b.html(summary.conclusion(audit))
    b.html(summary.sign_off(audit), table_size=10.5)
    note = s.import_note(d)
    if note:
        b.html(note, size=9)
    b.landscape()
    b.heading("概览", 1)
    b.html(s.overview(audit))
    blocks = set(audit.family.blocks) if audit.family else set()
    b.heading("预算收支", 1)
    if "funds" in blocks and "budget" not in blocks:
        b.html(s.funds_table(d))
    else:
        b.html(s.budget_table(d))
    if "basic_lines" in blocks:
        b.heading("预算调整分析", 2)
        b.html(s.lines_table(d) + s.adjustment_summary(d))
    if "tasks" in blocks:
        b.heading("年度主要任务", 1)
        b.html(s.tasks_table(d) + s.tasks_totals(d))
    b.heading("绩效指标", 1)
    b.heading("年度总体目标", 2)
    b.html(s.goals_section(audit))
    b.heading("年度绩效指标", 2)
    b.html(s.indicators_table(audit))
    b.heading("评分复核", 1)
    b.html(s.scores_table(audit))
    b.heading("问题清单", 1)
    b.heading("问题", 2)
    b.html(s.problems_table(audit))
    b.heading("无法核实的事项", 2)
    b.html(s.unverifiable_table(audit))
    b.heading("格式与解析说明", 2)
    b.html(s.format_table(audit))
    b.heading("需补充资料", 1)
    b.html(s.missing_table(audit))
    b.heading("附", 1)
    b.heading("自评报告中的数字及核对", 2)
    b.html(s.prose_table(audit))
    b.heading("不采纳的问题", 2)
    b.html(s.rejected_table(audit))
    b.heading("复核决定", 2)
    b.html(s.review_table(audit))
    b.heading("出处与参数", 2)
    b.html(s.provenance(audit, params_file, render_time))
    return b.bytes()


def docx_text(data: bytes) -> list[str]:
    """Every paragraph and table cell of a .docx as text, in order (tests and a quick look)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    out: list[str] = []
    body = doc.element.body
    for el in body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in el.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for tr in el.iter():
                if tr.tag.endswith("}tr"):
                    cells = [
                        "".join(t.text or "" for t in tc.iter() if t.tag.endswith("}t"))
                        for tc in tr if tc.tag.endswith("}tc")
                    ]
                    out.append(" | ".join(cells))
    return out


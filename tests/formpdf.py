"""Real PDFs of a department in the Shenzhen published layout, for the import tests and benchmark.

``write_form_pdf(doc, path, style)`` lays a department document out the way the published form
prints it: a title with the year, ruled tables with one cell per value, text wrapped inside its
cell (a CJK character or a latin word at a time, the writer's own line ends kept), merged cells
for 一级/二级指标 and the narrative's parts, tables broken across pages with the page header and
the table header printed again, stray text (a seal) outside every table. Written with reportlab;
the font is the CID font STSong-Light (no embedding needed) or, where one is installed, an
embedded TrueType CJK font. ``STYLES`` vary the page, font size, column widths and alignment.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from reportlab.lib.colors import black, red
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CID_FONT = "STSong-Light"
_TTF_CANDIDATES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
_LATIN = re.compile(r"[A-Za-z0-9.,%&#+\-/:=_()]+")


def _font(name: str) -> str:
    if name == CID_FONT:
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return CID_FONT
    from reportlab.pdfbase.ttfonts import TTFont

    if name not in pdfmetrics.getRegisteredFontNames():
        path = next((p for p in _TTF_CANDIDATES if Path(p).is_file()), None)
        if path is None:
            return _font(CID_FONT)
        pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))
    return name


@dataclass(frozen=True)
class Style:
    name: str
    pagesize: tuple = landscape(A4)
    font: str = CID_FONT
    size: float = 9.0
    pad: float = 3.0
    margin: float = 36.0
    valign: str = "middle"  # 'middle' or 'top' for short cells
    widths: dict = field(default_factory=dict)  # table key -> column fractions
    rotate: int = 0  # /Rotate set on every page (a viewer shows the page turned; the text is as drawn)
    turn_content: bool = False  # the content itself drawn turned 90° on the page (text runs up the page)


# Column fractions per table (summing to 1); styles scale some of them.
BASE_WIDTHS = {
    "info": (0.14, 0.46, 0.14, 0.26),
    "budget": (0.16, 0.15, 0.15, 0.15, 0.39),
    "lines": (0.16, 0.06, 0.24, 0.18, 0.18, 0.18),
    "tasks": (0.13, 0.25, 0.08, 0.09, 0.09, 0.08, 0.09, 0.10, 0.09),
    "goals": (0.5, 0.5),
    "indicators": (0.10, 0.13, 0.27, 0.22, 0.28),
    "scores": (0.07, 0.07, 0.10, 0.05, 0.25, 0.40, 0.06),
    "narr_head": (0.10, 0.30, 0.10, 0.15, 0.12, 0.23),
    "narrative": (0.13, 0.17, 0.70),
}
# The sample laid out on pages a tool has turned: /Rotate on every page, or the drawing itself turned.
ROTATED = (
    Style("landscape-9-rotate-90", rotate=90),
    Style("portrait-8-rotate-180", pagesize=A4, size=8.0, valign="top", rotate=180),
    Style("landscape-9-rotate-270", rotate=270),
    Style("landscape-9-content-turned", turn_content=True),
)
STYLES = (
    Style("landscape-9"),
    Style("portrait-8", pagesize=A4, size=8.0, valign="top"),
    Style("landscape-10-wide-content", size=10.0, widths={"tasks": (0.10, 0.34, 0.07, 0.08, 0.08, 0.07, 0.09, 0.09, 0.08),
                                                         "scores": (0.06, 0.06, 0.09, 0.05, 0.30, 0.38, 0.06)}),
    Style("portrait-9-ttf", pagesize=A4, font="CJK-TTF", widths={"tasks": (0.16, 0.20, 0.08, 0.09, 0.09, 0.09, 0.10, 0.10, 0.09)}),
    Style("landscape-8-narrow-names", size=8.0, valign="top", widths={"tasks": (0.08, 0.30, 0.08, 0.09, 0.09, 0.08, 0.09, 0.10, 0.09),
                                                                        "indicators": (0.08, 0.10, 0.18, 0.30, 0.34)}),
)


@dataclass
class C:
    """One cell: text, where it starts, how far it spans."""

    text: str
    col: int
    colspan: int = 1
    rowspan: int = 1
    align: str = "left"


# --- wrapping -------------------------------------------------------------------------------
def _tokens(text: str) -> list[str]:
    out, i = [], 0
    while i < len(text):
        m = _LATIN.match(text, i)
        if m:
            out.append(m.group(0))
            i = m.end()
        else:
            out.append(text[i])
            i += 1
    return out


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Lines of a cell: a token moves to the next line when it does not fit; a space at a line's
    end stays there (it takes no room the eye sees); the writer's line ends are kept."""
    lines: list[str] = []
    for para in text.split("\n"):
        cur, w = "", 0.0
        for tok in _tokens(para):
            tw = pdfmetrics.stringWidth(tok, font, size)
            if tok == " " or w + tw <= width or not cur:
                if tw > width and len(tok) > 1:  # a word longer than the cell: split it
                    for ch in tok:
                        cw = pdfmetrics.stringWidth(ch, font, size)
                        if w + cw > width and cur:
                            lines.append(cur)
                            cur, w = "", 0.0
                        cur, w = cur + ch, w + cw
                    continue
                cur, w = cur + tok, w + tw
            else:
                lines.append(cur)
                cur, w = tok, tw
        lines.append(cur)
    return lines


# --- the page writer ------------------------------------------------------------------------
class _Pdf:
    def __init__(self, path: Path, style: Style, header: str):
        self.st = style
        self.font = _font(style.font)
        self.w, self.h = style.pagesize
        self.c = canvas.Canvas(str(path), pagesize=(self.h, self.w) if style.turn_content else style.pagesize)
        self.c.setTitle("部门整体支出绩效自评表")
        self._turn()
        self.header = header
        self.leading = style.size * 1.35
        self.y = self.h - style.margin
        self.pages = 1

    @property
    def inner(self) -> float:
        return self.w - 2 * self.st.margin

    def text(self, s: str, x: float, size: float | None = None, color=black) -> None:
        size = size or self.st.size
        self.c.setFillColor(color)
        self.c.setFont(self.font, size)
        self.c.drawString(x, self.y - size, s)
        self.c.setFillColor(black)
        self.y -= size * 1.6

    def _turn(self) -> None:
        """Set the page's rotation (or turn the drawing) at the start of every page."""
        if self.st.rotate:
            self.c.setPageRotation(self.st.rotate)
        if self.st.turn_content:
            self.c.translate(self.h, 0)
            self.c.rotate(90)

    def new_page(self) -> None:
        self.c.showPage()
        self._turn()
        self.pages += 1
        self.y = self.h - self.st.margin
        self.text(self.header, self.st.margin)  # the page header printed on every following page

    def gap(self, g: float = 8.0) -> None:
        self.y -= g

    def table(self, key: str, header: list[list[C]], body: list[list[C]], ncols: int) -> None:
        fr = self.st.widths.get(key) or BASE_WIDTHS[key]
        widths = [f * self.inner for f in fr]
        assert len(widths) == ncols
        xs = [self.st.margin]
        for w in widths:
            xs.append(xs[-1] + w)
        pad, size = self.st.pad, self.st.size

        def lines_of(cell: C) -> list[str]:
            width = xs[cell.col + cell.colspan] - xs[cell.col] - 2 * pad
            return wrap(cell.text, width, self.font, size)

        def heights(rows: list[list[C]]) -> list[float]:
            hs = [self.leading + 2 * pad] * len(rows)
            for r, row in enumerate(rows):
                for cell in row:
                    need = len(lines_of(cell)) * self.leading + 2 * pad
                    if cell.rowspan == 1:
                        hs[r] = max(hs[r], need)
            for r, row in enumerate(rows):
                for cell in row:
                    if cell.rowspan > 1:
                        need = len(lines_of(cell)) * self.leading + 2 * pad
                        have = sum(hs[r : r + cell.rowspan])
                        if need > have:
                            hs[r + cell.rowspan - 1] += need - have
            return hs

        hh, bh = heights(header), heights(body)
        bottom = self.st.margin
        if self.y - sum(hh) - (bh[0] if bh else 0) < bottom:
            self.new_page()
        # Paginate body rows; each page segment draws the header again.
        r = 0
        while r < len(body):
            start = r
            avail = self.y - sum(hh) - bottom
            used = 0.0
            while r < len(body) and (used + bh[r] <= avail or r == start):
                used += bh[r]
                r += 1
            self._draw(header, hh, list(range(len(header))), xs, lines_of, None)
            self._draw(body, bh, list(range(start, r)), xs, lines_of, (start, r))
            if r < len(body):
                self.new_page()
        if not body:
            self._draw(header, hh, list(range(len(header))), xs, lines_of, None)

    def _draw(self, rows, hs, idx, xs, lines_of, window) -> None:
        """Draw rows ``idx`` at the cursor. ``window`` (start, stop) cuts spanning cells at the
        page's edges: a cell continued from the previous page is drawn empty."""
        tops = {}
        y = self.y
        for r in idx:
            tops[r] = y
            y -= hs[r]
        pad, size = self.st.pad, self.st.size
        c = self.c
        c.setLineWidth(0.6)
        c.setFont(self.font, size)
        # Cells spanning into this window from an earlier page: drawn as empty cells.
        carried = []
        if window:
            for r0 in range(0, window[0]):
                for cell in rows[r0]:
                    if r0 + cell.rowspan > window[0]:
                        carried.append((window[0], cell, r0 + cell.rowspan - window[0], True))
        starting = [(r, cell, cell.rowspan, False) for r in idx for cell in rows[r]]
        for r, cell, span, is_carried in carried + starting:
            last = min(r + span, idx[-1] + 1) - 1
            top, bot = tops[r], tops[last] - hs[last]
            x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
            c.rect(x0, bot, x1 - x0, top - bot, stroke=1, fill=0)
            if is_carried:
                continue  # the text of a merged cell stays on the page where it starts
            lines = lines_of(cell)
            block = len(lines) * self.leading
            if self.st.valign == "middle" or cell.rowspan > 1:
                ty = top - ((top - bot) - block) / 2
            else:
                ty = top - pad
            for k, line in enumerate(lines):
                base = ty - k * self.leading - size * 0.95
                if cell.align == "center":
                    lw = pdfmetrics.stringWidth(line.rstrip(" "), self.font, size)
                    c.drawString((x0 + x1 - lw) / 2, base, line)
                else:
                    c.drawString(x0 + pad, base, line)
        self.y = y

    def seal(self, text: str) -> None:
        """A red round seal with its name, outside every table (stray text on the form)."""
        self.gap(10)
        x = self.w - self.st.margin - 70
        self.c.setStrokeColor(red)
        self.c.circle(x + 30, self.y - 30, 30, stroke=1, fill=0)
        self.c.setStrokeColor(black)
        self.c.setFillColor(red)
        self.c.setFont(self.font, self.st.size + 2)
        self.c.drawString(x + 30 - pdfmetrics.stringWidth(text, self.font, self.st.size + 2) / 2, self.y - 34, text)
        self.c.setFillColor(black)
        self.y -= 64

    def save(self) -> None:
        self.c.save()


def _merged(rows: list[dict], key: str) -> list[int]:
    """Rowspans for a column whose equal neighbours print as one merged cell (0 = covered)."""
    spans = [0] * len(rows)
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1][key] == rows[i][key] and (key == "level1" or rows[j + 1]["level1"] == rows[i]["level1"]):
            j += 1
        spans[i] = j - i + 1
        i = j + 1
    return spans


def write_form_pdf(doc: dict, path: Path, style: Style = STYLES[0], title: bool = True, unit: str = "元") -> Path:
    """Lay the document out as the published Shenzhen form and write it as a PDF; ``unit`` is the
    amounts' unit its headers print (（元） or （万元）; the amounts are written as given)."""
    dep = doc["department"]
    pdf = _Pdf(Path(path), style, f"{dep['name']} 部门编码 {dep['code']}")
    if title:
        pdf.text(f"{dep['year']}年度部门整体支出绩效自评表", pdf.st.margin + pdf.inner / 3, size=style.size + 5)
    prof = doc["profile"]
    pdf.table("info", [[C("部门名称", 0), C(dep["name"], 1), C("部门编码", 2), C(dep["code"], 3)]],
              [[C("*部门主要职责", 0), C(prof["duties"], 1, 3)], [C("*组织结构", 0), C(prof["organisation"], 1, 3)],
               [C("*人员编制情况", 0), C(prof["staffing"], 1, 3)]], 4)
    pdf.gap()
    b = doc["budget"]
    stages = (("initial", "年初预算批复（收入）"), ("adjusted", "全年调整后预算数"), ("actual", "年末执行数"))
    body = []
    for k, (stage, label) in enumerate(stages):
        row = [C(label, 0), C(b[stage]["total"], 1), C(b[stage]["basic"], 2), C(b[stage]["project"], 3)]
        if k == 0:
            row.append(C(b.get("adjustment_reason", ""), 4, rowspan=3))
        body.append(row)
    pdf.table("budget", [[C("", 0), C("*部门支出总金额（" + unit + "）", 1), C("*部门基本支出总金额（" + unit + "）", 2),
                          C("*部门项目支出总金额（" + unit + "）", 3), C("预算调整（如有）原因及情况说明", 4)]], body, 5)
    pdf.gap()
    for key, label in (("basic_lines", "部门基本支出"), ("project_lines", "项目支出"), ("transfer_lines", "拨付下属单位转移支付项目支出（如有）")):
        rows = doc.get(key) or []
        head = [C(label, 0, rowspan=1 + len(rows), align="center"), C("序号", 1), C("*项目名称", 2), C("*预算金额（" + unit + "）", 3),
                C("*预算调整后金额（" + unit + "）", 4), C("*实际支出金额（" + unit + "）", 5)]
        body = [[C(ln["no"], 1), C(ln["name"], 2), C(ln["budget"], 3), C(ln["adjusted"], 4), C(ln["actual"], 5)] for ln in rows]
        pdf.table("lines", [], [head] + body, 6)
    pdf.gap()
    header = [
        [C("年度主要任务完成情况", 0, 9, align="center")],
        [C("任务名称", 0, rowspan=2), C("主要内容", 1, rowspan=2), C("*完成情况", 2, rowspan=2), C("预算数（" + unit + "）", 3, 3, align="center"),
         C("*执行数（" + unit + "）", 6, 3, align="center")],
        [C("总数", 3), C("其中财政拨款（" + unit + "）", 4), C("其他资金（" + unit + "）", 5), C("总数", 6), C("*其中财政拨款（" + unit + "）", 7), C("*其他资金（" + unit + "）", 8)],
    ]
    body = []
    for t in doc["tasks"]:
        amounts = [t["budget"]["total"], t["budget"]["fiscal"], t["budget"]["other"], t["actual"]["total"], t["actual"]["fiscal"], t["actual"]["other"]]
        body.append([C(t["name"], 0), C(t["content"], 1), C(t["status"], 2)] + [C(a, 3 + k) for k, a in enumerate(amounts)])
    pdf.table("tasks", header, body, 9)
    pdf.gap()
    g = doc["goals"]
    pdf.table("goals", [[C("年度总体目标完成情况", 0, 2, align="center")], [C("预期目标", 0), C("*目标完成实际情况", 1)]],
              [[C(g["expected"], 0), C(g["actual"], 1)]], 2)
    pdf.gap()
    inds = doc["indicators"]
    s1, s2 = _merged(inds, "level1"), _merged(inds, "level2")
    body = []
    for k, ind in enumerate(inds):
        row = []
        if s1[k]:
            row.append(C(ind["level1"], 0, rowspan=s1[k], align="center"))
        if s2[k]:
            row.append(C(ind["level2"], 1, rowspan=s2[k], align="center"))
        row += [C(ind["level3"], 2), C(ind["target"], 3), C(ind["actual"], 4)]
        body.append(row)
    pdf.table("indicators", [[C("年度绩效指标完成情况", 0, 5, align="center")],
                             [C("一级指标", 0), C("二级指标", 1), C("三级指标", 2), C("指标值", 3), C("*实际完成指标值", 4)]], body, 5)
    pdf.gap()
    scores = doc["scores"]
    s1, s2 = _merged(scores, "level1"), _merged(scores, "level2")
    body = []
    for k, s in enumerate(scores):
        row = []
        if s1[k]:
            row.append(C(s["level1"], 0, rowspan=s1[k], align="center"))
        if s2[k]:
            row.append(C(s["level2"], 1, rowspan=s2[k], align="center"))
        row += [C(s["level3"], 2), C(s["weight"], 3), C(s["description"], 4), C(s["criteria"], 5), C(s["self_score"], 6)]
        body.append(row)
    pdf.table("scores", [[C("评价指标", 0, 3, align="center"), C("分数", 3, rowspan=2), C("指标说明", 4, rowspan=2),
                          C("评分标准", 5, rowspan=2), C("*分数", 6, rowspan=2)],
                         [C("一级指标", 0), C("二级指标", 1), C("三级指标", 2)]], body, 7)
    for token in doc.get("stray") or []:
        if token.endswith("公章"):
            pdf.seal(token)
        else:
            pdf.text(token, pdf.st.margin)
    pdf.new_page()
    n = doc["narrative"]
    pdf.table("narr_head", [[C("部门名称", 0), C(dep["name"], 1), C("部门编码", 2), C(dep["code"], 3), C("部门预算总额", 4),
                             C(n["budget_total"] or "", 5)]], [], 6)
    pdf.gap()
    secs = n["sections"]
    parts = [s["part"] for s in secs]
    body = []
    for k, s in enumerate(secs):
        row = []
        if k == 0 or parts[k] != parts[k - 1]:
            span = 1
            while k + span < len(secs) and parts[k + span] == parts[k]:
                span += 1
            row.append(C(s["part"], 0, rowspan=span))
        row += [C(s["title"], 1), C(s["text"], 2)]
        body.append(row)
    pdf.table("narrative", [], body, 3)
    pdf.save()
    return Path(path)


def style_named(name: str) -> Style:
    return next(s for s in STYLES if s.name == name)


def with_widths(style: Style, **widths) -> Style:
    return replace(style, widths={**style.widths, **widths})

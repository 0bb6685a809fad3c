"""The sample report printed to PDF (kit.report.pdf, headless Chromium) and read back with pdfplumber.

What an auditor would object to on paper: a lost column, a heading alone at the foot of a
page, a scrollbar, text that copies as look-alike characters. Each is checked on the PDF (or,
for scrolling, on the page laid out for print).
"""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from kit.report.pdf import Browser, Printer
from render_helpers import ROOT, rendered

pdfplumber = pytest.importorskip("pdfplumber")

A4 = {(595, 842), (842, 595)}
COMPONENTS_CSS = ROOT / "kit" / "templates" / "kit_report" / "static" / "components.css"


@pytest.fixture(scope="module", autouse=True)
def only_the_bundled_font(tmp_path_factory):
    """Chromium sees no font of this machine, only the one the kit ships (kit.report.pdf adds it):
    the pages, and so these tests, are the same on any machine, with or without CJK fonts."""
    folder = tmp_path_factory.mktemp("no-system-fonts")
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FONTCONFIG_FILE", str(conf))
        yield


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return rendered(tmp_path_factory.getbasetemp(), "sample")


@pytest.fixture(scope="module")
def pdf_path(chromium, sample, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pdf") / "022006.pdf"  # not beside the shared rendered sample
    with Printer(chromium) as printer:
        printer.print_page(sample.html, out)
    return out


@pytest.fixture(scope="module")
def pages(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        yield [(p.width, p.height, p.extract_text() or "", _header_cells(p)) for p in pdf.pages]


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _head_colour() -> tuple[float, ...]:
    """The fill of header cells (--kit-head in components.css) as PDF RGB."""
    hexcode = re.search(r"--kit-head:\s*#([0-9a-fA-F]{6})", COMPONENTS_CSS.read_text(encoding="utf-8")).group(1)
    return tuple(int(hexcode[i:i + 2], 16) / 255 for i in (0, 2, 4))


def _header_cells(page) -> list[str]:
    """Text inside every header cell on the page (cells are the rectangles filled with --kit-head)."""
    colour = _head_colour()
    out = []
    for r in page.rects:
        fill = r.get("non_stroking_color")
        if not r.get("fill") or not fill or len(fill) != 3 or any(abs(a - b) > 0.01 for a, b in zip(fill, colour)):
            continue
        box = (max(r["x0"], 0), max(r["top"], 0), min(r["x1"], page.width), min(r["bottom"], page.height))
        if box[2] > box[0] and box[3] > box[1]:
            out.append(_norm(page.crop(box).extract_text()))
    return out


def html_tables(page_html: str) -> list[tuple[str, list[str]]]:
    """(caption, header labels) of every table in the report page."""
    out = []
    for tb in re.findall(r'<table class="kit-table[^"]*">(.*?)</table>', page_html, re.S):
        cap = re.search(r"<caption>(.*?)</caption>", tb, re.S)
        thead = re.search(r"<thead>(.*?)</thead>", tb, re.S).group(1)
        labels = [html.unescape(re.sub(r"<[^>]+>", "", x)).strip() for x in re.findall(r"<th[^>]*>(.*?)</th>", thead, re.S)]
        out.append((html.unescape(cap.group(1)) if cap else "", labels))
    return out


def test_header_cell_reader_sees_a_missing_column(chromium, tmp_path):
    """Negative control: a table wider than the page loses its last header in the reader's eyes."""
    css = COMPONENTS_CSS.read_text(encoding="utf-8")
    heads = "".join(f"<th>第{i}栏标题</th>" for i in range(40))
    page = tmp_path / "wide.html"
    from kit.report.pagefont import embed

    # the page carries its glyphs, as every report does (a machine without a CJK font reads it too)
    page.write_text(embed(f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><style>{css}'
                          ".kit-out table.kit-table th { white-space: nowrap; }</style></head><body><div class=\"kit-out\">"
                          f'<table class="kit-table"><thead><tr>{heads}</tr></thead><tbody><tr>'
                          + "<td>1</td>" * 40 + "</tr></tbody></table></div></body></html>"), encoding="utf-8")
    with Printer(chromium) as printer:
        printer.print_page(page, tmp_path / "wide.pdf")
    with pdfplumber.open(tmp_path / "wide.pdf") as pdf:
        seen = {c for p in pdf.pages for c in _header_cells(p)}
    assert "第0栏标题" in seen and "第39栏标题" not in seen


@pytest.mark.kernel  # renders the sample
def test_every_table_keeps_every_column_header(sample, pages):
    """Each table's caption is found on a page, and every one of its column headers is there in a header cell."""
    tables = html_tables(sample.html.read_text(encoding="utf-8"))
    assert len(tables) >= 15
    for caption, labels in tables:
        hits = [i for i, (_, _, text, _) in enumerate(pages) if caption and _norm(caption) in _norm(text)]
        assert hits, f"表格“{caption}”不在 PDF 中"
        cells = {c for i in hits for j in (i, i + 1) if j < len(pages) for c in pages[j][3]}
        missing = [h for h in labels if _norm(h) not in cells]
        assert not missing, f"表格“{caption}”在 PDF 中缺少列：{missing}"


@pytest.mark.kernel  # renders the sample
def test_a4_portrait_summary_then_landscape_details(pages):
    sizes = [(round(w), round(h)) for w, h, _, _ in pages]
    assert set(sizes) <= A4
    assert sizes[0] == (595, 842)  # header, 复核结论 and the signatures
    assert "复核结论" in pages[0][2] and "复核人" in pages[0][2]
    wide = [i for i, (_, _, text, _) in enumerate(pages) if "问题清单" in text.splitlines()[0:3]]
    assert wide and all(sizes[i] == (842, 595) for i in wide)


@pytest.mark.kernel  # renders the sample
def test_headings_are_kept_with_what_follows(sample, pages):
    page_html = sample.html.read_text(encoding="utf-8")
    body = page_html[page_html.index("<main>"):]
    headings = [html.unescape(re.sub(r"<[^>]+>", "", h)).strip()
                for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", body, re.S)]
    assert "问题清单" in headings and "复核结论" in headings
    for heading in headings:
        where = [(i, lines.index(heading)) for i, lines in
                 ((i, [ln.strip() for ln in text.splitlines() if ln.strip()]) for i, (_, _, text, _) in enumerate(pages))
                 if heading in lines]
        assert where, f"标题“{heading}”不在 PDF 中"
        for i, k in where:
            lines = [ln for ln in pages[i][2].splitlines() if ln.strip()]
            # At least a line of what follows, besides the page number at the foot.
            assert len(lines) - k >= 3, f"标题“{heading}”在第 {i + 1} 页底部，与内容分开"


@pytest.mark.kernel  # renders the sample
def test_text_layer_reads_as_written(pages):
    """Copying from the PDF gives the characters shown, not look-alike radicals (⾦ for 金)."""
    text = "".join(t for _, _, t, _ in pages)
    radicals = sorted({c for c in text if 0x2E80 <= ord(c) <= 0x2FDF})
    assert radicals == []
    for phrase in ("部门整体支出绩效自评表复核报告", "深圳市龙岗中心医院", "涉及金额", "整改建议", "第 1 页 / 共"):
        assert _norm(phrase) in _norm(text), phrase


@pytest.mark.kernel  # renders the sample
def test_nothing_scrolls_when_printed(chromium, sample, tmp_path):
    """Laid out for print at A4 landscape width, no element needs a scrollbar and no table sticks out."""
    b = Browser(chromium, tmp_path / "profile")
    try:
        session = b.open(sample.html.absolute().as_uri(), width=1040, height=740)  # ~A4 landscape text width
        b.send("Emulation.setEmulatedMedia", {"media": "print"}, session=session)
        found = b.send("Runtime.evaluate", {"returnByValue": True, "expression": """
            (() => {
              const out = [];
              for (const el of document.querySelectorAll('main *')) {
                const s = getComputedStyle(el);
                if (s.display === 'none') continue;
                const scrolls = ['auto', 'scroll'].includes(s.overflowX) || ['auto', 'scroll'].includes(s.overflowY);
                if (scrolls && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1))
                  out.push('scroll ' + el.className);
              }
              const right = document.body.getBoundingClientRect().right;
              for (const t of document.querySelectorAll('table.kit-table'))
                if (t.getBoundingClientRect().right > right + 1) out.push('wide ' + (t.caption ? t.caption.textContent : ''));
              return out;
            })()"""}, session=session)["result"]["value"]
    finally:
        b.close()
    assert found == []


@pytest.mark.kernel  # renders the sample
def test_no_table_header_ends_a_page(pdf_path):
    """Under the lowest header row of every page there is a table row (not only the page number)."""
    colour = _head_colour()
    with pdfplumber.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages, 1):
            heads = [r for r in page.rects if r.get("fill") and r.get("non_stroking_color")
                     and len(r["non_stroking_color"]) == 3
                     and all(abs(a - b) <= 0.01 for a, b in zip(r["non_stroking_color"], colour))]
            if not heads:
                continue
            bottom = max(r["bottom"] for r in heads)
            below = [c for c in page.chars if bottom + 1 < c["top"] < page.height - 36]
            assert below, f"第 {i} 页底部只有表头，没有表格内容"


def test_no_browser_is_a_clear_message(monkeypatch, tmp_path, capsys):
    """Without Chromium, --pdf says what to install (exit 1), after the HTML report is written."""
    from kit.core.errors import KitError
    from kit.report import pdf

    monkeypatch.setenv("KIT_CHROMIUM", str(tmp_path / "no-such-browser"))
    with pytest.raises(KitError, match="Chromium"):
        pdf.pages_to_pdf([tmp_path / "a.html"])

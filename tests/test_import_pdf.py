"""kit import of real PDFs: the sample and synthetic departments laid out in the Shenzhen published
form (tests/formpdf.py: reportlab, CID or embedded TrueType CJK font, ruled tables, wrapped
cells, tables broken across pages with their header repeated, several column layouts), read
back with pdfplumber and compared field by field with the documents they were made from; and
PDFs that cannot be imported, each refused with a clear message naming the file."""
from __future__ import annotations

import io
import random

import pytest

pytest.importorskip("reportlab")

from formpdf import STYLES, write_form_pdf  # noqa: E402

from kit.commands.cli import main  # noqa: E402
from kit.importer import import_form  # noqa: E402
from kit.importer.compare import compare  # noqa: E402
from kit.importer.sources import MAX_PDF_BYTES  # noqa: E402
from kit.commands.synth import PLANTS, synth_document  # noqa: E402

N_SYNTHETIC = 21


@pytest.fixture(scope="module")
def sample_doc(sample):
    from kit.model import to_document

    return to_document(sample)


def _vary(doc: dict, rng: random.Random) -> dict:
    """More variety than kit.commands.synth gives: long task names that wrap, contents with line breaks."""
    for t in doc["tasks"]:
        if rng.random() < 0.3:
            t["name"] = t["name"] + "（含上年结转及追加安排部分）"
        if rng.random() < 0.2:
            t["content"] = t["content"] + "\n（2）按季度报送执行进度。"
    return doc


@pytest.mark.parametrize("style", STYLES, ids=[s.name for s in STYLES])
def test_sample_pdf_equals_transcription(tmp_path, sample_doc, style):
    pdf = write_form_pdf(sample_doc, tmp_path / "sample.pdf", style)
    doc, record = import_form(pdf)
    res = compare(sample_doc, doc)
    print(style.name, res.summary())
    for d in res.diffs:
        print(d)
    assert res.amounts("absent") == [] and res.amounts("wrong") == []
    assert res.share_exact >= 0.98
    assert doc["stray"] == ["Zero", "医院公章"]
    assert record.source["kind"] == "pdf" and record.source["pages"] > 3
    # the year is printed in the title, so it is placed by layout here
    year = next(e for e in record.entries if e.field == "department.year")
    assert year.how == "layout" and year.source["page"] == 1


def test_synthetic_pdfs_equal_their_documents(tmp_path, sample_doc):
    rng = random.Random(11)
    totals = {"fields": 0, "exact": 0, "absent": 0, "wrong": 0}
    task_counts, pages = set(), set()
    for i in range(1, N_SYNTHETIC + 1):
        plant = PLANTS[i % len(PLANTS)] if i % 3 == 0 else None
        src, _what = synth_document(sample_doc, i, rng, plant)
        src = _vary(src, rng)
        style = STYLES[i % len(STYLES)]
        pdf = write_form_pdf(src, tmp_path / f"s{i}.pdf", style)
        doc, record = import_form(pdf)
        res = compare(src, doc)
        if res.diffs:
            print(i, style.name, res.summary())
            for d in res.diffs:
                print("   ", d)
        assert res.amounts("wrong") == [], (i, style.name)
        assert res.amounts("absent") == [], (i, style.name)
        assert res.share_exact >= 0.98, (i, style.name)
        totals["fields"] += res.total
        totals["exact"] += len(res.exact)
        totals["absent"] += len(res.absent)
        totals["wrong"] += len(res.wrong)
        task_counts.add(len(src["tasks"]))
        pages.add(record.source["pages"])
    print("synthetic PDFs:", totals)
    assert len(task_counts) >= 4 and len(pages) >= 3  # the layouts really differ
    assert totals["exact"] / totals["fields"] >= 0.98


def test_a_table_cut_by_a_page_break_keeps_its_merged_labels(tmp_path, sample_doc):
    pdf = write_form_pdf(sample_doc, tmp_path / "p.pdf", STYLES[0])
    doc, record = import_form(pdf)
    carried = [e for e in record.entries if e.how == "inferred" and "合并单元格跨页" in e.reason]
    assert carried, "the layout should cut a merged 一级指标 cell across pages"
    for e in carried:
        block, row, field = e.field.split(".")
        assert doc[block][int(row)][field] == sample_doc[block][int(row)][field]


# --- PDFs that cannot be imported -------------------------------------------------------------
def _canvas(path):
    from reportlab.pdfgen import canvas

    return canvas.Canvas(str(path))


def _scanned(path):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (600, 300), "white")
    ImageDraw.Draw(img).rectangle((20, 20, 580, 280), outline="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    from reportlab.lib.utils import ImageReader

    c = _canvas(path)
    c.drawImage(ImageReader(buf), 50, 400, width=500, height=250)
    c.save()


def _encrypted(path, sample_doc):
    from reportlab.lib import pdfencrypt

    c = _canvas(path)
    c.setEncrypt(pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    c.drawString(100, 700, "Department form")
    c.save()


def _empty(path):
    c = _canvas(path)
    c.showPage()
    c.save()


def _truncated(path, sample_doc):
    full = write_form_pdf(sample_doc, path.with_suffix(".full.pdf"))
    data = full.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _not_pdf(path):
    path.write_text("部门名称 深圳市某单位 部门编码 000001\n", encoding="utf-8")


def _huge(path):
    with open(path, "wb") as f:
        f.write(b"%PDF-1.4\n")
        f.truncate(MAX_PDF_BYTES + 1)  # sparse: the size bound must refuse it before reading


def _not_a_form(path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = _canvas(path)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "会议通知：请各单位于下周一上午九点参加会议。")
    c.save()


BAD = {
    "scanned": (_scanned, "OCR"),
    "encrypted": (_encrypted, "已加密"),
    "empty-page": (_empty, "空白"),
    "truncated": (_truncated, "不完整"),
    "not-pdf": (_not_pdf, "不是 PDF"),
    "huge": (_huge, "过大"),
    "not-a-form": (_not_a_form, "无法从内容判断表式"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_pdf_is_refused_clearly(tmp_path, capsys, sample_doc, case):
    make, words = BAD[case]
    path = tmp_path / f"{case}.pdf"
    if make in (_encrypted, _truncated):
        make(path, sample_doc)
    else:
        make(path)
    code = main(["import", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert words in err and str(path) in err
    assert "Traceback" not in err
    # Nothing written (the folder's lock, .kit/, is not an output).
    assert not (tmp_path / "out").exists() or not any(p.name != ".kit" for p in (tmp_path / "out").iterdir())


def test_a_bad_pdf_in_a_batch_does_not_stop_the_others(tmp_path, capsys, sample_doc):
    good = write_form_pdf(sample_doc, tmp_path / "good.pdf")
    bad = tmp_path / "bad.pdf"
    _empty(bad)
    code = main(["import", str(bad), str(good), "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 1
    assert (tmp_path / "out" / "022006-2022.yaml").is_file()
    assert "失败 1" in out and "good.pdf" in out


# --- pages turned by a tool -----------------------------------------------------------------
from formpdf import ROTATED  # noqa: E402


@pytest.mark.parametrize("style", [s for s in ROTATED if s.rotate], ids=lambda s: s.name)
def test_a_pdf_with_every_page_rotated_imports_as_printed(tmp_path, capsys, sample_doc, style):
    """/Rotate 90, 180 or 270 on every page: the text is read in the direction it was written,
    field for field as the unrotated PDF, and the record says the pages were turned."""
    pdf = write_form_pdf(sample_doc, tmp_path / "rotated.pdf", style)
    doc, record = import_form(pdf)
    res = compare(sample_doc, doc)
    assert res.amounts("absent") == [] and res.amounts("wrong") == []
    assert res.share_exact >= 0.98 and doc["stray"] == ["Zero", "医院公章"]
    assert any("页面旋转" in n for n in record.notes)
    code = main(["import", str(pdf), "--out", str(tmp_path / "out"), "-q"])
    assert code == 0 and "Traceback" not in capsys.readouterr().err


def test_a_pdf_whose_drawing_is_turned_is_refused_clearly(tmp_path, capsys, sample_doc):
    """Content drawn turned on the page (no /Rotate to undo): no table can be read; the import
    says why and names the file, exit 2, no traceback, nothing written."""
    style = next(s for s in ROTATED if s.turn_content)
    pdf = write_form_pdf(sample_doc, tmp_path / "turned.pdf", style)
    code = main(["import", str(pdf), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "不是正向排列" in err and str(pdf) in err
    assert not (tmp_path / "out").exists() or not any(p.name != ".kit" for p in (tmp_path / "out").iterdir())


# --- amount cells as printed: units in the header, unreadable cells in their place -----------
import copy  # noqa: E402
from decimal import Decimal  # noqa: E402

from kit.core.values import parse_num  # noqa: E402

_FW = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _amount_paths(doc: dict):
    for stage in ("initial", "adjusted", "actual"):
        for part in ("total", "basic", "project"):
            yield ("budget", stage, part)
    for block in ("basic_lines", "project_lines", "transfer_lines"):
        for i, _ in enumerate(doc.get(block) or []):
            for key in ("budget", "adjusted", "actual"):
                yield (block, i, key)
    for i, _ in enumerate(doc["tasks"]):
        for side in ("budget", "actual"):
            for part in ("total", "fiscal", "other"):
                yield ("tasks", i, side, part)


def _get(doc, path):
    for k in path:
        doc = doc[k]
    return doc


def _set(doc, path, value):
    _get(doc, path[:-1])[path[-1]] = value


def _value(s):
    return parse_num(s, "元").value if s else None


def test_amounts_under_wan_headers_keep_their_unit(tmp_path, sample_doc):
    """Every amount header printed in （万元）: each amount is kept as printed with its unit and
    reads as the same number of 元 as the transcription; the audit's totals are the sample's."""
    from kit.engine.audit import run_audit
    from kit.model import build_department

    src = copy.deepcopy(sample_doc)
    paths = list(_amount_paths(src))
    for p in paths:
        _set(src, p, str(Decimal(_get(src, p)) / 10000))
    pdf = write_form_pdf(src, tmp_path / "wan.pdf", STYLES[0], unit="万元")
    doc, record = import_form(pdf)
    for p in paths:
        cell = _get(doc, p)
        assert cell == _get(src, p) + "万元", p
        assert _value(cell) == _value(_get(sample_doc, p)), p
    assert any("万元" in n for n in record.notes)
    res = run_audit(build_department(doc))
    assert res.totals["recomputed"] == Decimal("96.32") and res.grade["recomputed"] == "优"
    b3 = res.findings[res.findings["check_id"] == "B3"]
    assert any("11.77%" in m for m in b3["message"])


PDF_QUIRKS = [  # (cell, printed, outcome)
    (("budget", "initial", "total"), "—", "absent"),
    (("budget", "adjusted", "basic"), "(1,582,955,944.84)", "absent"),
    (("budget", "actual", "project"), "６２８８１７８１７．９１", "exact"),
    (("budget", "initial", "basic"), "1,444,547,800.00", "exact"),
    (("budget", "actual", "total"), "2211773762.75.1", "absent"),
    (("basic_lines", 0, "budget"), "－", "absent"),
    (("tasks", 4, "budget", "total"), "（1,000,000.00）", "absent"),
    (("tasks", 1, "actual", "fiscal"), "２８５８１５４５．１６", "exact"),
]


def test_damaged_amount_cells_stay_in_their_place(tmp_path, sample_doc):
    """Dashes, parentheses, full-width digits, separators and junk in amount cells of a PDF:
    each gives its exact number or is absent with its raw text; no other amount changes."""
    src = copy.deepcopy(sample_doc)
    for path, printed, _ in PDF_QUIRKS:
        _set(src, path, printed)
    pdf = write_form_pdf(src, tmp_path / "quirks.pdf", STYLES[1])
    doc, record = import_form(pdf)
    absent = {a["field"]: a["raw"] for a in record.absent_entries}
    quirky = {p for p, _, _ in PDF_QUIRKS}
    for path, printed, outcome in PDF_QUIRKS:
        got = _get(doc, path)
        name = ".".join(map(str, path))
        if outcome == "exact":
            assert got == printed and _value(got) == _value(_get(sample_doc, path)), name
        else:
            assert got == "" and absent[name] == printed, name
    for path in _amount_paths(sample_doc):
        if path not in quirky:
            assert _get(doc, path) == _get(sample_doc, path), path


# --- tables that were never read are not graded -----------------------------------------------
def _scan_pages_with(pdf_path, words: str, out_path):
    """The PDF with every page printing ``words`` replaced by a scan of it (an image, no text)."""
    import pdfplumber
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    with pdfplumber.open(str(pdf_path)) as pdf:
        hit = {i for i, p in enumerate(pdf.pages) if words in (p.extract_text() or "")}
        images = {i: pdf.pages[i].to_image(resolution=40).original for i in hit}
    reader, writer = PdfReader(str(pdf_path)), PdfWriter()
    for i, page in enumerate(reader.pages):
        if i not in images:
            writer.add_page(page)
            continue
        buf = io.BytesIO()
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        c = canvas.Canvas(buf, pagesize=(w, h))
        c.drawImage(ImageReader(images[i]), 0, 0, width=w, height=h)
        c.save()
        buf.seek(0)
        writer.add_page(PdfReader(buf).pages[0])
    with open(out_path, "wb") as f:
        writer.write(f)
    return sorted(i + 1 for i in hit)


def test_score_pages_that_are_scans_are_marked_unread_and_not_graded(tmp_path, sample_doc):
    """The score table's pages are scans: the import marks the score table incomplete in the data
    file (``incomplete: [scores]``) and says so; the audit then gives no grade from it."""
    from kit.engine.audit import PARTIAL_GRADE, run_audit
    from kit.model import build_department

    pdf = write_form_pdf(sample_doc, tmp_path / "full.pdf", STYLES[0])
    scanned = tmp_path / "scanned.pdf"
    pages = _scan_pages_with(pdf, "评分标准", scanned)
    assert pages
    # the words the family is detected by are those of the score table: name the family, as a user would
    doc, record = import_form(scanned, "shenzhen_2022")
    assert "scores" in doc["incomplete"]
    assert any("incomplete: scores" in n and "评分表" in n for n in record.notes)
    res = run_audit(build_department(doc))
    assert res.grade == {"self": PARTIAL_GRADE, "recomputed": PARTIAL_GRADE}
    # what was read elsewhere is still the form's
    res_cmp = compare(sample_doc, doc)
    assert res_cmp.amounts("wrong") == []
    assert doc["budget"] == sample_doc["budget"]


def test_a_pdf_holding_two_departments_gives_two_documents(tmp_path, sample_doc):
    from pypdf import PdfReader, PdfWriter

    from kit.importer import import_forms

    other = copy.deepcopy(sample_doc)
    other["department"].update(name="深圳市龙岗第二医院", code="022007")
    other["budget"]["initial"]["total"] = "1978799355.28"
    a = write_form_pdf(sample_doc, tmp_path / "a.pdf", STYLES[0])
    b = write_form_pdf(other, tmp_path / "b.pdf", STYLES[1])
    writer = PdfWriter()
    for p in (a, b):
        for page in PdfReader(str(p)).pages:
            writer.add_page(page)
    both = tmp_path / "both.pdf"
    with open(both, "wb") as f:
        writer.write(f)
    found = import_forms(both)
    assert [d["department"]["code"] for d, _ in found] == ["022006", "022007"]
    for (doc, record), want in zip(found, (sample_doc, other)):
        res = compare(want, doc)
        assert res.amounts("absent") == [] and res.amounts("wrong") == [] and res.share_exact >= 0.98
        assert doc["stray"] == ["Zero", "医院公章"] and len(doc["tasks"]) == len(want["tasks"])
        assert any("文件中有 2 份表" in n for n in record.notes)

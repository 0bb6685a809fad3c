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

from kit.cli import main  # noqa: E402
from kit.importer import import_form  # noqa: E402
from kit.importer.compare import compare  # noqa: E402
from kit.importer.sources import MAX_PDF_BYTES  # noqa: E402
from kit.synth import PLANTS, synth_document  # noqa: E402

N_SYNTHETIC = 21


@pytest.fixture(scope="module")
def sample_doc(sample):
    from kit.model import to_document

    return to_document(sample)


def _vary(doc: dict, rng: random.Random) -> dict:
    """More variety than kit.synth gives: long task names that wrap, contents with line breaks."""
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

"""The PDF reader of kit import (kit/importer/pdfread.py, pdfguard.py): every character and
table cell the same as pdfplumber gave (on every layout the import tests use), the fast content
tokenizer the same as pdfminer's, bounds on what a PDF unpacks into, and a clean stop on a
signal in the middle of a long parse."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

pytest.importorskip("reportlab")

from formpdf import STYLES, write_form_pdf  # noqa: E402
from formpdf_mof import LAYOUTS, LAYOUTS_2013, synth_mof, write_mof2013_pdf, write_mof_pdf  # noqa: E402
from pdf_reference import fast_pages, pages  # noqa: E402

from kit.importer import pdfguard, pdfread  # noqa: E402
from kit.importer.sources import FormError, read_form  # noqa: E402
from kit.commands.synth import PLANTS, synth_document  # noqa: E402


@pytest.fixture(scope="module")
def sample_doc(sample):
    from kit.model import to_document

    return to_document(sample)


def _mof2013_docs(folder: Path) -> list[dict]:
    """Two departments of kit synth --family mof_2013 (the documents its PDF writer lays out)."""
    from kit.files.load import load_department
    from kit.model import to_document
    from kit.commands.synth import write_family_synthetic

    write_family_synthetic("mof_2013", 2, folder, seed=3)
    return [to_document(load_department(p)) for p in sorted((folder / "data").glob("*.yaml"))]


def _assert_same(path: Path) -> None:
    data = path.read_bytes()
    want, got = pages(data), fast_pages(data)
    assert len(got) == len(want)
    for n, (w, g) in enumerate(zip(want, got), start=1):
        assert g[0] == w[0], f"{path.name} page {n}: characters differ"
        assert g[1] == w[1], f"{path.name} page {n}: tables differ"
        assert g[2] == w[2], f"{path.name} page {n}: images differ"


@pytest.mark.parametrize("slow_tokenizer", [False, True], ids=["fast", "pdfminer-tokenizer"])
def test_pages_equal_pdfplumber_on_every_layout(tmp_path, sample_doc, monkeypatch, slow_tokenizer):
    if slow_tokenizer:  # the path a page takes when its content is beyond the fast tokenizer
        monkeypatch.setattr(pdfread, "FAST_MAX_BYTES", 0)
    rng = random.Random(5)
    paths = [write_form_pdf(sample_doc, tmp_path / f"s-{s.name}.pdf", s) for s in STYLES]
    for i in range(1, 4):
        src, _ = synth_document(sample_doc, i, rng, PLANTS[i % len(PLANTS)])
        paths.append(write_form_pdf(src, tmp_path / f"syn{i}.pdf", STYLES[i % len(STYLES)]))
    for k, layout in enumerate(LAYOUTS):
        paths.append(write_mof_pdf(synth_mof(k, rng, layout), tmp_path / f"mof-{layout}.pdf", layout, STYLES[k]))
    for k, doc in enumerate(_mof2013_docs(tmp_path / "m13")):
        layout = LAYOUTS_2013[k % len(LAYOUTS_2013)]
        write_mof2013_pdf(doc, tmp_path / f"m13-{k}.pdf", layout, STYLES[k % len(STYLES)])
        paths.append(tmp_path / f"m13-{k}.pdf")
    for p in paths:
        _assert_same(p)



def _random_edges(rng: random.Random) -> list[dict]:
    """Edges as pdfplumber gives them for ruled tables drawn the ways writers draw them: cell
    rectangles and lines, sides a little off the grid (within and beyond the snap tolerance),
    gaps within and beyond the join tolerance, repeated sides, short ticks and diagonals."""
    def edge(x0, top, x1, bottom, kind):
        return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
                "orientation": kind, "object_type": "line"}

    out = []
    for _ in range(rng.randint(1, 3)):
        left, top = rng.uniform(0, 300), rng.uniform(0, 500)
        xs = [left]
        for _ in range(rng.randint(1, 6)):
            xs.append(xs[-1] + rng.choice([rng.uniform(2, 8), rng.uniform(20, 120)]))
        ys = [top]
        for _ in range(rng.randint(1, 8)):
            ys.append(ys[-1] + rng.choice([rng.uniform(2, 8), rng.uniform(12, 40)]))
        def jit():
            return rng.choice([0, 0, 0, rng.uniform(-3.5, 3.5), round(rng.uniform(-2, 2), 1)])
        for r in range(len(ys) - 1):
            for c in range(len(xs) - 1):
                if rng.random() < 0.1:
                    continue  # a cell not drawn
                x0, x1, y0, y1 = xs[c] + jit(), xs[c + 1] + jit(), ys[r] + jit(), ys[r + 1] + jit()
                x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
                out += [edge(x0, y0, x1, y0, "h"), edge(x0, y1, x1, y1, "h"), edge(x0, y0, x0, y1, "v"), edge(x1, y0, x1, y1, "v")]
        for y in ys:  # ruling lines across, sometimes broken by a gap
            cut = rng.uniform(xs[0], xs[-1])
            gap = rng.choice([0, 1.5, 2.9, 3.1, 6])
            out += [edge(xs[0] + jit(), y + jit(), cut, y, "h"), edge(cut + gap, y, xs[-1] + jit(), y, "h")]
        if rng.random() < 0.5:
            out.append(edge(xs[0], ys[0], xs[0] + 1.5, ys[0], "h"))  # a tick shorter than the minimum
            out.append(edge(xs[0], ys[0], xs[-1], ys[-1], "v"))  # a diagonal line (pdfplumber calls it v)
    rng.shuffle(out)
    return out + out[: rng.randint(0, 5)]  # sides drawn twice


def test_table_grid_equals_pdfplumber_table_finder():
    """kit.importer.pdfgrid finds the same tables, cells and boxes as pdfplumber's TableFinder
    (lines strategy) on random rulings around every tolerance it applies."""
    from pdfplumber.table import TableFinder

    from kit.importer import pdfgrid

    rng = random.Random(11)
    found = 0
    for case in range(300):
        edges = _random_edges(rng)
        want = TableFinder(pdfread._EdgePage(edges, (0, 0, 900, 900)), pdfread.TABLE_SETTINGS).tables
        got = pdfgrid.find_tables(edges)
        assert [(t.bbox, t.cells) for t in got] == [(t.bbox, t.cells) for t in want], f"case {case}"
        found += sum(len(t.cells) for t in want)
    assert found > 3000  # the cases hold tables, not only rulings that make none
    assert pdfgrid.find_tables([{"x0": float("inf"), "x1": float("inf"), "top": 0, "bottom": 9, "width": 0,
                                 "height": 9, "orientation": "v"}]) is None  # left to pdfplumber


def test_line_groups_as_the_plain_sort_makes_them():
    """sources._line_groups (one line at once, tops rounded once) groups characters exactly as
    sorting by rounded top then x0 and cutting at each jump of the top does, NaN and infinite
    coordinates of a hostile PDF included."""
    from kit.importer.sources import _line_groups

    def reference(chars):
        groups = []
        for ch in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
            if groups and abs(groups[-1][0]["top"] - ch["top"]) <= max(1.5, ch["size"] * 0.3):
                groups[-1].append(ch)
            else:
                groups.append([ch])
        for g in groups:
            g.sort(key=lambda c: c["x0"])
        return groups

    rng = random.Random(2)
    odd = [float("nan"), float("inf"), -float("inf")]
    for _ in range(5000):
        tops = [rng.choice([10.0, 10.04, 10.06, 11.2, 12.1, 30.0, *odd]) for _ in range(3)]
        chars = [{"top": rng.choice(tops[: rng.randint(1, 3)]), "x0": rng.choice([1.0, 2.0, 3.0, 4.5, odd[0]]),
                  "size": rng.choice([9.0, 12.0, *odd]), "n": k} for k in range(rng.randint(0, 8))]
        want = [[c["n"] for c in g] for g in reference(chars)]
        assert [[c["n"] for c in g] for g in _line_groups(chars)] == want, chars

def _stream(data: bytes):
    from pdfminer.pdftypes import PDFStream

    s = PDFStream({}, data)
    s.objid = 1
    return s


@pytest.mark.parametrize("content", [
    b"BT /F1 9 Tf 10 20 Td (plain) Tj ET",
    b"BT (esc\\(aped\\) \\\\ \\n\\101\\0611 \\q\\\nline) Tj ET\n",
    b"BT (\\0001\\000\\101\\00\\0\\0000) Tj (\\\\000\\000) Tj (\\\n000\\1\\000) Tj ET",
    b"BT [(a) -250 (b) 12.5 (c)] TJ <4E2D 6587> Tj <abc> Tj ET % a comment\n q Q",
    b"/Span << /MCID 3 /Alt (x) /ActualText <FEFF0041> >> BDC EMC -.5 +3 1. .25 0 0 cm",
    b"0 0 m 10 10 l h S true false 1 w [1 2] 0 d",
    # octal escapes as reportlab writes CJK text, read by Python's bytes escapes; then strings
    # with one escape that path does not take (\( \q \7, a line continuation)
    b"BT (m\\361W3^\\002\\237\\231\\\\\\227N-_\\303S;\\000 ) Tj (\\377\\000\\101\\n\\r\\t\\b\\f\\\\061) Tj ET",
    b"BT (\\061\\() Tj (\\061\\q) Tj (\\7x) Tj (\\061\\\nz) Tj (\\\\\\)) Tj ET",
    # every kind of token told by its first byte; white space and a comment at the very end
    b"[] [[1] (a)] << /A [<> ()] /B << >> >> -1 +.5 -0. 007 /  /a 'b' \" true false%c\n \x00\r\n  ",
    b"q 1 0 0 1 5 5 cm Q % the end",
])
def test_fast_tokenizer_reads_as_pdfminer(content):
    assert pdfread._tokens(content) == list(pdfread._pdfminer_objects([_stream(content)]))


@pytest.mark.parametrize("content", [
    b"BT (nested (parens) inside) Tj ET",
    b"/Name#20with#20escapes gs",
    b"BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q",
    b"BT (unterminated Tj ET",
    b"BT (\\061\\400) Tj ET",  # an octal escape beyond a byte
    b"1 - 2 re", b"1 . 2 re", b"+", b"< 1 >> Tj", b"1 > 2", b"{ }", b"(open", b"1 2 ) 3", b"] x", b"<< /A >>",
])
def test_fast_tokenizer_leaves_the_unusual_to_pdfminer(content):
    with pytest.raises(pdfread._Unusual):
        pdfread._tokens(content)



def test_ascii85_content_decodes_as_pdfminer():
    """pdfread's ASCII85 decoding (reportlab's content streams) gives pdfminer's bytes, and leaves
    to pdfminer what it does not decode whole (z groups, stray characters, overflow)."""
    import base64

    from pdfminer.ascii85 import ascii85decode

    rng = random.Random(3)
    cases = [b"  <~ 87cU\nRD]i,\"Ebo80 ~ >  ", b"87cURD]i,\"Ebo8~", b"s8W-!~>", b"!!~>", b"!~>", b"~>"]
    for _ in range(1500):
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(1, 80)))
        enc = base64.a85encode(raw, wrapcol=rng.choice([0, 9, 75]), adobe=rng.random() < 0.5).replace(b"z", b"!!!!!")
        cases.append(enc[:-1] if rng.random() < 0.1 else enc)
    for enc in cases:
        assert pdfread._a85(enc) == ascii85decode(enc), enc
    for unusual in (b"z!!~>", b"uuuuu~>", b"87cU\x0cRD~>", b"87cU{RD~>"):
        assert pdfread._a85(unusual) is None, unusual

def _pdf(content_compressed: bytes, path: Path, mediabox: bytes = b"[0 0 595 842]") -> Path:
    """A one-page PDF whose content stream is the given deflated bytes."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox %s /Contents 4 0 R /Resources << >> >>" % mediabox,
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content_compressed) + content_compressed
            + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return path



# Paths as writers draw ruled tables and what else a page holds: rectangles by re and by m l l l h,
# closed by h or by a fourth l, a path closing on its start (not a rectangle), lines, a curve,
# several subpaths in one path, a path ended without painting, shapes under a scaling and a
# turning cm, and an inline image.
SHAPES = (b"10 10 100 50 re S 10 100 m 110 100 l S 20 200 m 120 200 l 120 250 l 20 250 l h f "
          b"30 300 m 130 300 l 130 350 l 30 300 l h S 40 400 m 140 400 l 140 450 l 40 450 l 40 400 l S "
          b"0 0 m 50 50 30 0 100 0 c S 5 500 m 20 500 l 60 520 15 15 re 90 520 m 90 560 l B 7 7 7 7 re n "
          b"q 2 0 0 2 10 600 cm 0 0 30 10 re S 0 20 m 40 20 l S Q q 0 1 -1 0 500 100 cm 0 0 80 20 re S Q "
          b"60 700 m 60 750 l 60 750 l 60 700 l h S "  # closes on its start and looks square: a curve
          b"q 10 0 0 10 300 300 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q")


def _edge_values(edges: list[dict]) -> list[tuple]:
    return [tuple(e[k] for k in ("x0", "x1", "top", "bottom", "width", "height", "orientation")) for e in edges]


def test_edges_and_images_equal_pdfplumber(tmp_path, sample_doc):
    """The edges pdfread takes as paths are painted (rectangles straight into their sides) are
    pdfplumber's ``page.edges``, value for value and in order, and a page shows an image exactly
    when pdfplumber finds one: on a shifted media box, on content drawn turned, on a form."""
    import pdfplumber
    from formpdf import ROTATED

    paths = [_pdf(zlib.compress(SHAPES), tmp_path / "shapes.pdf", b"[-20 15 600 860]"),
             _pdf(zlib.compress(SHAPES), tmp_path / "shapes0.pdf"),
             write_form_pdf(sample_doc, tmp_path / "turned.pdf", ROTATED[-1]),
             write_form_pdf(sample_doc, tmp_path / "plain.pdf", STYLES[1])]
    seen = []
    for path in paths:
        with pdfplumber.open(path) as pdf:
            want = [(_edge_values(page.edges), bool(page.images)) for page in pdf.pages]
        got = [(_edge_values(page.edges), page.has_images)
               for page in pdfread.read_pages(pdfread.open_document(path.read_bytes()))]
        assert got == want, path.name
        seen.append(want[0])
    assert len(seen[0][0]) >= 30 and seen[0][1] and not seen[2][1]  # the shapes page: its edges, its image

def _kit(args: list[str]) -> list[str]:
    """A `kit` process that reports its own peak memory (KiB) on its last stderr line. VmHWM, not
    ru_maxrss: Linux carries ru_maxrss across fork and exec, so a child of a large pytest process
    would report the parent's size."""
    code = ("import re, sys; from kit.commands.cli import main; rc = main(sys.argv[1:]); "
            "print(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1), file=sys.stderr); "
            "sys.exit(rc)")
    return [sys.executable, "-c", code, *args]


def test_a_pdf_that_inflates_to_gigabytes_is_refused_fast(tmp_path):
    z = zlib.compressobj(1)
    chunk = b"\0" * (1 << 20)
    bomb = b"".join([z.compress(chunk) for _ in range(pdfguard.MAX_INFLATED * 2 >> 20)] + [z.flush()])
    pdf = _pdf(bomb, tmp_path / "bomb.pdf")
    assert pdf.stat().st_size < 2 << 20
    t0 = time.monotonic()
    proc = subprocess.run(_kit(["import", str(pdf), "--out", str(tmp_path / "out")]), capture_output=True,
                          text=True, timeout=120)
    took = time.monotonic() - t0
    assert proc.returncode == 2
    assert "压缩炸弹" in proc.stderr and "bomb.pdf" in proc.stderr and "Traceback" not in proc.stderr
    peak_kib = int(proc.stderr.strip().splitlines()[-1])
    assert peak_kib < 400 * 1024, peak_kib  # inflated a chunk at a time, never held whole
    assert took < 60
    assert not list((tmp_path / "out").glob("*.yaml")) if (tmp_path / "out").exists() else True


def test_a_pdf_with_too_many_objects_is_refused(tmp_path, sample_doc, monkeypatch):
    pdf = write_form_pdf(sample_doc, tmp_path / "s.pdf", STYLES[0])
    monkeypatch.setattr(pdfguard, "MAX_OBJECTS", 5)
    with pytest.raises(FormError, match="对象"):
        read_form(pdf)


def test_a_page_that_takes_too_long_is_refused(tmp_path, monkeypatch):
    z = zlib.compressobj(1)
    pdf = _pdf(z.compress(b"q Q\n" * 200_000) + z.flush(), tmp_path / "slow.pdf")
    monkeypatch.setattr(pdfguard, "MAX_PAGE_SECONDS", 0.0)
    with pytest.raises(FormError, match="第1页读取超过"):
        read_form(pdf)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_long_parse_within_a_second(tmp_path, sig):
    z = zlib.compressobj(1)
    pdf = _pdf(z.compress(b"q Q\n" * (5 << 20)) + z.flush(), tmp_path / "long.pdf")  # seconds of operators
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kit", "import", str(pdf), "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3.0)  # start-up, then inside the page's content
    assert proc.poll() is None, "the parse ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 130, err
    assert "已中断" in err and "Traceback" not in err
    assert took < 3.0, took  # "about a second" on a loaded machine
    assert not (out.exists() and list(out.glob("*.yaml")))

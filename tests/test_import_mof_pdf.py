"""kit import of PDFs and saved web pages of the 财政部-style 自评表 (mof_selfeval) and the MOF-2013
table (mof_2013): departments made by ``kit synth --family`` (and tests/formpdf_mof.synth_mof for the
columns kit synth leaves out) laid out in the published layouts (tests/formpdf_mof.py: reportlab,
ruled tables, merged cells, tables broken across pages), read back with pdfplumber and compared
field by field with the documents they were made from: every field, no number other than printed."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.importorskip("reportlab")

from formpdf import STYLES  # noqa: E402
from formpdf_mof import LAYOUTS, LAYOUTS_2013, synth_mof, write_mof2013_pdf, write_mof_html, write_mof_pdf  # noqa: E402

from kit.importer import import_forms  # noqa: E402
from kit.importer.compare import compare  # noqa: E402
from kit.files.load import load_department  # noqa: E402
from kit.model import to_document  # noqa: E402

IGNORE = ("department.code",)
N_SYNTHETIC = 20


def _synthetic(family: str, n: int, tmp: Path, seed: int) -> list[dict]:
    from kit.commands.synth import write_family_synthetic

    write_family_synthetic(family, n, tmp, seed=seed)
    return [to_document(load_department(p)) for p in sorted((tmp / "data").glob("*.yaml"))]


def _same(doc: dict, path: Path, what: str) -> None:
    (got, record), = import_forms(path)
    res = compare(doc, got, printed=True, ignore=IGNORE)
    print(what, res.summary())
    for d in res.diffs:
        print("  ", d)
    assert res.numbers_wrong == [] and res.share_exact == 1.0 and not res.extra, what


def test_synthetic_mof_selfeval_pdfs_and_pages_read_back(tmp_path):
    """kit synth --family mof_selfeval: 20 departments, each as a PDF in one of the two published layouts
    (five page styles) and as a saved web page."""
    docs = _synthetic("mof_selfeval", N_SYNTHETIC, tmp_path / "synth", seed=11)
    assert len(docs) == N_SYNTHETIC
    for k, doc in enumerate(docs):
        layout = LAYOUTS[k % len(LAYOUTS)]
        stem = f"{doc['department']['code']}-{doc['department']['year']}"  # the title prints no year: the file name does
        path = write_mof_pdf(doc, tmp_path / f"{stem}.pdf", layout, STYLES[k % len(STYLES)])
        _same(doc, path, f"{doc['department']['code']} {layout} {STYLES[k % len(STYLES)].name}")
        _same(doc, write_mof_html(doc, tmp_path / f"{stem}.html"), f"{doc['department']['code']} html")


def test_all_columns_and_tables_broken_across_pages(tmp_path):
    """Departments with 指标性质, 度量单位, 偏差原因, 一级指标（N分）, and 40 indicators: the table runs over
    pages, its header printed again (MOF layout) or not (Sichuan), merged cells cut by the page."""
    rng = random.Random(5)
    for k in range(4):
        for layout in LAYOUTS:
            doc = synth_mof(k, rng, layout)
            if k == 3:
                more = []
                for j in range(40):
                    row = dict(doc["indicators"][j % len(doc["indicators"])])
                    row["level3"] = f"{row['level3']}（{j + 1}）"
                    more.append(row)
                doc["indicators"] = sorted(more, key=lambda d: ["产出指标", "效益指标", "满意度指标"].index(d["level1"]))
                doc.pop("score_groups", None)
            path = write_mof_pdf(doc, tmp_path / f"m{k}{layout}.pdf", layout, STYLES[(k + 1) % len(STYLES)])
            _same(doc, path, f"synth_mof {k} {layout}")


def test_synthetic_mof_2013_pdfs_read_back(tmp_path):
    """kit synth --family mof_2013: 20 departments, 基础数据表 and 指标表 in the city layout (一级指标（N分）,
    one 分值 column) or the framework layout (a 分值 column after each level)."""
    docs = _synthetic("mof_2013", N_SYNTHETIC, tmp_path / "synth", seed=13)
    for k, doc in enumerate(docs):
        layout = LAYOUTS_2013[k % len(LAYOUTS_2013)]
        printed = write_mof2013_pdf(doc, tmp_path / f"f{k}.pdf", layout, STYLES[k % len(STYLES)])
        _same(printed, tmp_path / f"f{k}.pdf", f"{doc['department']['code']} {layout}")

"""Benchmark: ``kit import`` speed in forms per second, for the text layer and for PDFs.

* text: the sample's text layer (tests/assets/forms/longgang-central-hospital-2022.txt);
* PDF: the sample laid out as the published form, and ``--n`` synthetic departments (kit.synth,
  deterministic seed) laid out in the five layouts of tests/formpdf.py (reportlab);
* the other families: the real published forms of the 财政部-style 自评表 (mof_selfeval) and the
  MOF-2013 table (mof_2013) as web-page text (tests/assets/forms), and ``--n`` departments of each
  made by ``kit synth --family`` laid out as PDFs in their two published layouts
  (tests/formpdf_mof.py) and, for mof_selfeval, as saved web pages.

PDFs are written before timing; the timed part is ``import_form`` (read, detect, place, check
that the document loads), in this process, one form after another. Each figure is the median
of ``--runs`` passes; the import record is built but not written to disk.

    .venv/bin/python benchmarks/importer.py [--n 100] [--runs 3] [--seed 7] [--quick]

The PDF reader is also measured side by side with the former way (pdfplumber's page objects,
tests/pdf_reference.py ``legacy_reader``) in the same run, in CPU-seconds beside wall-clock:
the machine may be shared, the ratio is the figure to trust.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # formpdf: the test PDF writer

from formpdf import STYLES, write_form_pdf  # noqa: E402
from formpdf_mof import LAYOUTS, LAYOUTS_2013, write_mof2013_pdf, write_mof_html, write_mof_pdf  # noqa: E402

from kit.importer import import_form, import_forms  # noqa: E402
from kit.importer.compare import compare  # noqa: E402
from kit.load import load_department  # noqa: E402
from kit.model import to_document  # noqa: E402
from kit.synth import DEFAULT_SOURCE, PLANTS, synth_document  # noqa: E402

FORMS = ROOT / "tests" / "assets" / "forms"
SAMPLE_TEXT = FORMS / "longgang-central-hospital-2022.txt"
MOF_TEXTS = [FORMS / n for n in ("tianchang-shuiliju-fangyu_2022.txt", "qingshen-fagaiju-gongzi_2023.txt",
                                 "daying-sifaju-anke_2023.txt", "suiyang_taibai_2021.txt", "tianchang_tanghu_2020.txt",
                                 "ezhou_czj_project_2019.txt")]
MOF2013_TEXTS = [FORMS / "wanglu_jichushuju_2018.txt"]


def rate(paths: list[Path], runs: int) -> tuple[float, float]:
    """(forms per second, seconds per form) over ``paths``: median of ``runs`` passes. A file holding
    several forms counts each."""
    times = []
    forms = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        forms = 0
        for p in paths:
            forms += len(import_forms(p))
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return forms / med, med / forms


def cpu_wall(paths: list[Path], runs: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) per form over ``paths``: medians of ``runs`` passes."""
    cpu, wall = [], []
    for _ in range(runs):
        c0, w0 = time.process_time(), time.perf_counter()
        forms = sum(len(import_forms(p)) for p in paths)
        cpu.append((time.process_time() - c0) / forms)
        wall.append((time.perf_counter() - w0) / forms)
    return statistics.median(cpu), statistics.median(wall)


def side_by_side(text: Path, pdf: Path, synthetic: list[Path], runs: int) -> list[str]:
    """The PDF reader before (pdfplumber objects, tests/pdf_reference.py) and after (pdfread), in
    the same run, alternating, against the text layer of the same form; CPU-seconds and wall."""
    from pdf_reference import legacy_reader

    rows: dict[str, list[tuple[float, float]]] = {"text": [], "pdf before": [], "pdf after": [],
                                                   "synthetic before": [], "synthetic after": []}
    for r in range(runs):
        rows["text"].append(cpu_wall([text] * 20, 1))
        for label in (("before", "after") if r % 2 == 0 else ("after", "before")):
            if label == "before":
                with legacy_reader():
                    rows["pdf before"].append(cpu_wall([pdf] * 3, 1))
                    rows["synthetic before"].append(cpu_wall(synthetic, 1))
            else:
                rows["pdf after"].append(cpu_wall([pdf] * 3, 1))
                rows["synthetic after"].append(cpu_wall(synthetic, 1))
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v)) for k, v in rows.items()}
    out = [f"PDF reader before/after, same run, median of {runs} (CPU-s per form; wall in brackets):"]
    for k, (c, w) in med.items():
        out.append(f"  {k:18}: {c * 1000:7.1f} ms CPU ({w * 1000:7.1f} ms wall)  {1 / c:6.1f} forms per CPU-second")
    t = med["text"][0]
    out.append(f"  sample PDF / text: before {med['pdf before'][0] / t:5.1f}x, after {med['pdf after'][0] / t:5.1f}x; "
               f"after is {med['pdf before'][0] / med['pdf after'][0]:4.1f}x faster (synthetic "
               f"{med['synthetic before'][0] / med['synthetic after'][0]:4.1f}x)")
    out.append("  (load average while measuring: %.2f %.2f %.2f)" % os.getloadavg())
    return out


def families(n: int, runs: int, seed: int, tmpdir: Path) -> list[str]:
    """Forms per second for the 财政部-style and MOF-2013 families (text, PDF, web page)."""
    from kit.synth import write_family_synthetic

    out = []
    for p in MOF_TEXTS + MOF2013_TEXTS:
        import_forms(p)  # warm
    fps, s = rate(MOF_TEXTS * 10, runs)
    out.append(f"  mof_selfeval, 6 real web texts (8 forms): {fps:7.1f} forms/s  ({s * 1000:6.1f} ms/form)")
    fps, s = rate(MOF2013_TEXTS * 20, runs)
    out.append(f"  mof_2013, real web text (wanglu)       : {fps:7.1f} forms/s  ({s * 1000:6.1f} ms/form)")
    for family in ("mof_selfeval", "mof_2013"):
        d = tmpdir / family
        write_family_synthetic(family, n, d, seed=seed)
        docs = [to_document(load_department(p)) for p in sorted((d / "data").glob("*.yaml"))]
        pdfs, pages, printed = [], [], []
        for k, doc in enumerate(docs):
            stem = d / f"{doc['department']['code']}-{doc['department']['year']}"
            if family == "mof_selfeval":
                pdfs.append(write_mof_pdf(doc, stem.with_suffix(".pdf"), LAYOUTS[k % 2], STYLES[k % len(STYLES)]))
                pages.append(write_mof_html(doc, stem.with_suffix(".html")))
                printed.append(doc)
            else:
                printed.append(write_mof2013_pdf(doc, stem.with_suffix(".pdf"), LAYOUTS_2013[k % 2], STYLES[k % len(STYLES)]))
                pdfs.append(stem.with_suffix(".pdf"))
        fps, s = rate(pdfs, runs)
        out.append(f"  {f'{family}, PDF, {n} kit synth':39}: {fps:7.1f} forms/s  ({s * 1000:6.1f} ms/form)")
        if pages:
            fps, s = rate(pages, runs)
            out.append(f"  {f'{family}, web page, {n} kit synth':39}: {fps:7.1f} forms/s  ({s * 1000:6.1f} ms/form)")
        exact = fields = wrong = 0
        for doc, p in zip(printed, pdfs):
            res = compare(doc, import_form(p)[0], printed=True, ignore=("department.code",))
            exact += len(res.exact)
            fields += len(res.exact) + len(res.absent) + len(res.wrong) + len(res.extra)
            wrong += len(res.numbers_wrong)
        out.append(f"    {family} PDF fields equal to their documents: {exact}/{fields} ({exact / fields:.2%}); "
                   f"wrong numbers: {wrong}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="only the side-by-side PDF figures (no other families)")
    args = ap.parse_args(argv)

    base = to_document(load_department(DEFAULT_SOURCE))
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        sample_pdf = write_form_pdf(base, tmpdir / "sample.pdf", STYLES[0])
        docs, pdfs = [], []
        t0 = time.perf_counter()
        for i in range(1, args.n + 1):
            doc, _ = synth_document(base, i, rng, PLANTS[i % len(PLANTS)] if i % 4 == 0 else None)
            docs.append(doc)
            pdfs.append(write_form_pdf(doc, tmpdir / f"s{i:04d}.pdf", STYLES[i % len(STYLES)]))
        made = time.perf_counter() - t0
        import_form(SAMPLE_TEXT)  # warm imports (pdfplumber, the rule file) outside the timings

        compared = side_by_side(SAMPLE_TEXT, sample_pdf, pdfs[:10], args.runs)
        text_fps, text_s = rate([SAMPLE_TEXT] * 20, args.runs)
        pdf_fps, pdf_s = rate([sample_pdf] * 5, args.runs)
        syn_fps, syn_s = rate(pdfs, args.runs)

        other = [] if args.quick else families(args.n, args.runs, args.seed, tmpdir)
        exact = fields = wrong_amounts = 0
        for doc, pdf in zip(docs, pdfs):
            res = compare(doc, import_form(pdf)[0])
            exact += len(res.exact)
            fields += res.total
            wrong_amounts += len(res.amounts("wrong"))
    print(f"kit import, median of {args.runs} runs (one process, one form at a time)")
    print(f"  text layer, sample            : {text_fps:7.1f} forms/s  ({text_s * 1000:6.1f} ms/form)")
    print(f"  PDF, sample                   : {pdf_fps:7.1f} forms/s  ({pdf_s * 1000:6.1f} ms/form)")
    print(f"  PDF, {args.n} synthetic          : {syn_fps:7.1f} forms/s  ({syn_s * 1000:6.1f} ms/form)")
    print(f"  (writing the {args.n} PDFs with reportlab took {made:.1f} s, not timed above)")
    print(f"  synthetic fields equal to their documents: {exact}/{fields} ({exact / fields:.2%}); wrong amounts: {wrong_amounts}")
    for line in compared:
        print(line)
    print("other families:")
    for line in other:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

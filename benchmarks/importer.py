"""Benchmark: ``kit import`` speed in forms per second, for the text layer and for PDFs.

* text: the sample's text layer (tests/assets/forms/longgang-central-hospital-2022.txt);
* PDF: the sample laid out as the published form, and ``--n`` synthetic departments (kit.synth,
  deterministic seed) laid out in the five layouts of tests/formpdf.py (reportlab).

PDFs are written before timing; the timed part is ``import_form`` (read, detect, place, check
that the document loads), in this process, one form after another. Each figure is the median
of ``--runs`` passes; the import record is built but not written to disk.

    .venv/bin/python benchmarks/importer.py [--n 100] [--runs 3] [--seed 7]
"""
from __future__ import annotations

import argparse
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

from kit.importer import import_form  # noqa: E402
from kit.importer.compare import compare  # noqa: E402
from kit.load import load_department  # noqa: E402
from kit.model import to_document  # noqa: E402
from kit.synth import DEFAULT_SOURCE, PLANTS, synth_document  # noqa: E402

SAMPLE_TEXT = ROOT / "tests" / "assets" / "forms" / "longgang-central-hospital-2022.txt"


def rate(paths: list[Path], runs: int) -> tuple[float, float]:
    """(forms per second, seconds per form) over ``paths``: median of ``runs`` passes."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for p in paths:
            import_form(p)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    return len(paths) / med, med / len(paths)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
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

        text_fps, text_s = rate([SAMPLE_TEXT] * 20, args.runs)
        pdf_fps, pdf_s = rate([sample_pdf] * 5, args.runs)
        syn_fps, syn_s = rate(pdfs, args.runs)

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

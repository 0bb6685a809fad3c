"""Benchmark: ``kit import`` speed in forms per second, for the text layer and for PDFs.

* text: the sample's text layer (tests/assets/forms/longgang-central-hospital-2022.txt);
* PDF: the sample laid out as the published form, and ``--n`` synthetic departments (kit.commands.synth,
  deterministic seed) laid out in the five layouts of tests/formpdf.py (reportlab);
* the other families: the real published forms of the 财政部-style 自评表 (mof_selfeval) and the
  MOF-2013 table (mof_2013) as web-page text (tests/assets/forms), and ``--n`` departments of each
  made by ``kit synth --family`` laid out as PDFs in their two published layouts
  (tests/formpdf_mof.py) and, for mof_selfeval, as saved web pages.

PDFs are written before timing; the timed part is ``import_form`` (read, detect, place, check
that the document loads), in this process, one form after another. Each figure is the median
of ``--runs`` passes; the import record is built but not written to disk.

    .venv/bin/python benchmarks/importer.py [--n 100] [--runs 3] [--seed 7] [--quick]

The PDF reader is also measured side by side with the former ways in the same run: pdfplumber's
page objects (tests/pdf_reference.py ``legacy_reader``) and the reader as it was at
``BEFORE_REV`` (loaded from git), on the sample as reportlab writes it (ASCII85 + Flate), the
same sample with Flate alone (as most writers compress) and (up to) 10 synthetic departments, in
CPU-seconds beside wall-clock: the machine may be shared, the ratios are the figures to trust.
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
from kit.files.load import load_department  # noqa: E402
from kit.model import to_document  # noqa: E402
from kit.commands.synth import DEFAULT_SOURCE, PLANTS, synth_document  # noqa: E402

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


# main when this round's reader work began: the sample PDF took 165–178 ms, 6.8–7.5× its text layer.
BEFORE_REV = "64aebce"


class reader_at:
    """Within ``with reader_at(rev):`` kit import reads PDFs with ``kit/importer/pdfread.py`` and
    the PDF part of ``kit/importer/sources.py`` as they were at git revision ``rev`` (loaded from
    ``git show``), everything after the reading unchanged: the former way, in the same run."""

    def __init__(self, rev: str) -> None:
        import subprocess
        import types

        from kit.importer import sources

        def load(path: str, name: str) -> types.ModuleType:
            text = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True,
                                  text=True, check=True).stdout
            mod = types.ModuleType(f"kit.importer.{name}")
            mod.__package__ = "kit.importer"
            sys.modules[mod.__name__] = mod  # dataclasses look their module up while defined
            # At that revision kit/errors.py and kit/safeio.py stood at the top of kit/ (now kit/core/):
            # the old module's ``from ..errors import`` (some inside functions) finds them under their
            # old names for the rest of this benchmark's process.
            import kit.core.errors
            import kit.core.safeio

            sys.modules.setdefault("kit.errors", kit.core.errors)
            sys.modules.setdefault("kit.safeio", kit.core.safeio)
            exec(compile(text, f"{rev}:{path}", "exec"), mod.__dict__)
            return mod

        self.pdfread = load("kit/importer/pdfread.py", "_pdfread_before")
        self.sources = load("kit/importer/sources.py", "_sources_before")
        for k, v in vars(sources).items():  # the same Form, Line, Table … classes as the rest of kit
            if isinstance(v, type) and k in vars(self.sources):
                setattr(self.sources, k, v)

    def __enter__(self):
        import kit.importer as pkg
        from kit.importer import sources

        self._saved = (pkg.pdfread, sys.modules["kit.importer.pdfread"], sources._read_pdf)
        pkg.pdfread = sys.modules["kit.importer.pdfread"] = self.pdfread  # what ``from . import pdfread`` finds
        sources._read_pdf = self.sources._read_pdf
        return self

    def __exit__(self, *exc):
        import kit.importer as pkg
        from kit.importer import sources

        pkg.pdfread, sys.modules["kit.importer.pdfread"], sources._read_pdf = self._saved
        return False


def side_by_side(text: Path, samples: dict[str, Path], synthetic: list[Path], runs: int) -> list[str]:
    """The PDF reader three ways in the same run, the order turning each run: pdfplumber's page
    objects (tests/pdf_reference.py, before issue 23), the reader at ``BEFORE_REV`` and the reader
    now; each against the text layer of the same form. CPU-seconds, wall in brackets; medians."""
    from contextlib import nullcontext

    from pdf_reference import legacy_reader

    ways = {"pdfplumber objects": legacy_reader, f"reader at {BEFORE_REV}": None, "reader now": nullcontext}
    try:
        before = reader_at(BEFORE_REV)
        ways[f"reader at {BEFORE_REV}"] = lambda: before
    except Exception as exc:  # noqa: BLE001 - no git or no such revision: measured without it
        del ways[f"reader at {BEFORE_REV}"]
        print(f"(reader at {BEFORE_REV} not measured: {exc})", file=sys.stderr)
    docs = {}
    for name, way in ways.items():  # what each way places, compared below (not timed)
        with way():
            docs[name] = [import_form(p)[0] for p in [*samples.values(), *synthetic]]
    rows: dict[str, list[tuple[float, float]]] = {"text layer": []}
    for r in range(runs):
        rows["text layer"].append(cpu_wall([text] * 20, 1))
        names = list(ways)
        for name in names[r % len(names):] + names[: r % len(names)]:
            with ways[name]():
                for label, pdf in samples.items():
                    rows.setdefault(f"{label}, {name}", []).append(cpu_wall([pdf] * 3, 1))
                rows.setdefault(f"{len(synthetic)} synthetic, {name}", []).append(cpu_wall(synthetic, 1))
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v)) for k, v in rows.items()}
    t = med["text layer"][0]
    out = [f"PDF reader three ways, same run, median of {runs} (per form: CPU-s, wall in brackets; x = CPU over the text layer's):"]
    for k, (c, w) in med.items():
        out.append(f"  {k:44}: {c * 1000:7.1f} ms CPU ({w * 1000:7.1f} ms wall)  {1 / c:5.1f} forms per CPU-second  {c / t:5.2f}x")
    now = "reader now"
    for label in [*samples, f"{len(synthetic)} synthetic"]:
        parts = [f"{name} {med[f'{label}, {name}'][0] / med[f'{label}, {now}'][0]:4.2f}x" for name in ways if name != now]
        out.append(f"  {label}: the reader now is faster than " + ", ".join(parts))
    same = [name for name in ways if docs[name] == docs[now]]
    out.append(f"  documents placed equal to the reader now's on all {len(docs[now])} PDFs: {', '.join(same)}")
    out.append("  (load average while measuring: %.2f %.2f %.2f)" % os.getloadavg())
    return out


def families(n: int, runs: int, seed: int, tmpdir: Path) -> list[str]:
    """Forms per second for the 财政部-style and MOF-2013 families (text, PDF, web page)."""
    from kit.commands.synth import write_family_synthetic

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
        sample_pdf = write_form_pdf(base, tmpdir / "sample.pdf", STYLES[0])  # ASCII85 + Flate, as reportlab writes
        from reportlab import rl_config

        a85, rl_config.useA85 = rl_config.useA85, 0
        try:  # the same form with Flate alone, as Word, WPS and most PDF writers compress
            flate_pdf = write_form_pdf(base, tmpdir / "sample-flate.pdf", STYLES[0])
        finally:
            rl_config.useA85 = a85
        docs, pdfs = [], []
        t0 = time.perf_counter()
        for i in range(1, args.n + 1):
            doc, _ = synth_document(base, i, rng, PLANTS[i % len(PLANTS)] if i % 4 == 0 else None)
            docs.append(doc)
            pdfs.append(write_form_pdf(doc, tmpdir / f"s{i:04d}.pdf", STYLES[i % len(STYLES)]))
        made = time.perf_counter() - t0
        import_form(SAMPLE_TEXT)  # warm imports (pdfplumber, the rule file) outside the timings

        compared = side_by_side(SAMPLE_TEXT, {"sample": sample_pdf, "sample, Flate only": flate_pdf}, pdfs[:10], args.runs)
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

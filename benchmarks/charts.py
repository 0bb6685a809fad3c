"""The report's three charts, before (benchmarks/legacy_charts.py: matplotlib figures written as
PNG) and after (kit/report/charts.py + kit/report/svg.py: the chart's content written as an
inline SVG by the kit), side by side in the same run.

    .venv/bin/python benchmarks/charts.py [--runs 7]

For the sample: CPU-seconds and wall-clock for building the three charts and writing them
(PNG bytes before, SVG text after), medians of ``--runs`` alternating passes, and what the
page carries for them (PNG as base64 before, the SVG markup after); the CPU ratio is the figure
to trust on a shared machine. Prints one JSON line at the end.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import legacy_charts  # noqa: E402

from kit.engine.audit import run_audit  # noqa: E402
from kit.files.load import load_department  # noqa: E402
from kit.report import charts  # noqa: E402
from kit.report.svg import chart_svg  # noqa: E402


def three(mod, dept, audit) -> int:
    """Bytes the page carries for the three charts."""
    if mod is legacy_charts:
        return sum(len(base64.b64encode(mod.figure_png(f)))
                   for f in (mod.budget_chart(dept), mod.tasks_chart(dept), mod.scores_chart(audit)))
    return sum(len(chart_svg(c).encode()) for c in (mod.budget_chart(dept), mod.tasks_chart(dept), mod.scores_chart(audit)))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", UserWarning)
    depts = [load_department(ROOT / "data" / "022006-2022.yaml")]
    audits = [run_audit(d) for d in depts]
    for mod in (legacy_charts, charts):
        three(mod, depts[0], audits[0])  # fonts, caches
    res = {"before": [], "after": []}
    for r in range(args.runs):
        for label in (("before", "after") if r % 2 == 0 else ("after", "before")):
            mod = legacy_charts if label == "before" else charts
            c0, w0 = time.process_time(), time.perf_counter()
            size = three(mod, depts[0], audits[0])
            res[label].append((time.process_time() - c0, time.perf_counter() - w0, size))
    med = {k: (statistics.median(c for c, _, _ in v), statistics.median(w for _, w, _ in v), v[0][2]) for k, v in res.items()}
    print(f"three charts of the sample, median of {args.runs} alternating runs:")
    for k, (c, w, size) in med.items():
        print(f"  {k:6}: {c:6.3f} CPU-s ({w:6.3f} s wall), {'PNG (base64)' if k == 'before' else 'SVG'} in the page "
              f"{size / 1024:6.1f} KiB")
    ratio = med["before"][0] / med["after"][0]
    print(f"  after costs {1 / ratio:.3f} of before ({ratio:.2f}x faster); load average {os.getloadavg()[0]:.2f}")
    print(json.dumps({"charts_before_cpu": med["before"][0], "charts_after_cpu": med["after"][0], "ratio": ratio,
                      "charts_before_wall": med["before"][1], "charts_after_wall": med["after"][1],
                      "page_kib_before": med["before"][2] / 1024, "page_kib_after": med["after"][2] / 1024,
                      "load": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

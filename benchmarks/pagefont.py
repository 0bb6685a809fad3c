"""The page's font subset, side by side: HarfBuzz (``kit.report.pagefont``, now) against fontTools'
subsetter (the former way, kept here as the reference), on the same characters in the same run.

    .venv/bin/python benchmarks/pagefont.py [--runs 5]

The characters: the sample report's (``make demo`` writes reports/022006.html; built here when
missing) and each of 10 synthetic departments' pages. Prints CPU-seconds per page (medians,
alternating the two ways), the WOFF sizes, and one JSON line.
"""
from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fonttools_woff(chars: str) -> bytes:
    """The former subset: fontTools' subsetter, as kit/report/pagefont.py made it before."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from kit.report.fonts import BUNDLED

    font = TTFont(str(BUNDLED[1]), recalcBBoxes=False, recalcTimestamp=False)
    for tag in ("GSUB", "GPOS", "GDEF"):
        if tag in font:
            del font[tag]
    cmap = font.getBestCmap() or {}
    opts = subset.Options()
    opts.flavor, opts.layout_features, opts.name_IDs = "woff", [], [0, 1, 2, 13, 14]
    opts.hinting, opts.notdef_outline = True, True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars if ord(c) in cmap])
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


def pages() -> list[str]:
    """The sample's page and 10 synthetic departments' pages, without their embedded font."""
    sample = ROOT / "reports" / "022006.html"
    if not sample.is_file():
        subprocess.run([sys.executable, "-m", "kit", "render", "params/022006.yaml", "--out", "reports", "-q"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    work = Path(tempfile.mkdtemp(prefix="kit-bench-font-"))
    from kit.commands.synth import write_synthetic

    write_synthetic(10, work / "in", seed=2022)
    subprocess.run([sys.executable, "-m", "kit", "render", str(work / "in" / "params"), "--out", str(work / "out"),
                    "-q", "--force"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    files = [sample, *sorted((work / "out").glob("S*.html"))]
    strip = re.compile(r'<style id="kit-page-font">.*?</style>', re.S)
    return [strip.sub("", f.read_text(encoding="utf-8")) for f in files]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from kit.report.pagefont import page_chars, subset_woff

    sets = [page_chars(p) for p in pages()]
    subset_woff.__wrapped__(sets[0]), fonttools_woff(sets[0])  # imports and the font read, before timing
    ways = {"harfbuzz": subset_woff.__wrapped__, "fonttools": fonttools_woff}
    cpu: dict[str, list[float]] = {k: [] for k in ways}
    size = {k: len(f(sets[0])) for k, f in ways.items()}
    for r in range(args.runs):
        for k in (list(ways) if r % 2 == 0 else list(ways)[::-1]):
            c0 = time.process_time()
            for chars in sets:
                ways[k](chars)
            cpu[k].append((time.process_time() - c0) / len(sets))
    med = {k: statistics.median(v) for k, v in cpu.items()}
    print(f"{len(sets)} pages ({len(sets[0])} characters on the sample's), median of {args.runs} runs:")
    for k in ways:
        print(f"  {k:9s} {med[k] * 1000:7.1f} ms CPU a page; the sample's subset {size[k] / 1024:.1f} KiB")
    print(f"  fontTools / HarfBuzz = {med['fonttools'] / med['harfbuzz']:.1f}x")
    print(json.dumps({"pages": len(sets), "cpu_s_per_page": med, "woff_bytes_sample": size,
                      "ratio": round(med["fonttools"] / med["harfbuzz"], 1)}))


if __name__ == "__main__":
    main()

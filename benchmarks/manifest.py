"""The batch manifest's cost over a batch: rewritten whole after every department (before) against
one journal line per department and the whole manifest at the start and the end (after).

    .venv/bin/python benchmarks/manifest.py [--n 10000] [--old-n 2000]

Rows are shaped like a real batch's (kit.run.batch.Row with findings, failing checks and output
hashes). The former way is O(N²): it is measured up to ``--old-n`` rows and its total at ``--n``
extrapolated from the measured cost per write (linear in the rows already written); the new
way is measured at ``--n``. CPU-seconds beside wall-clock; the file system is the one of the
temporary folder.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kit.run.batch import Row, append_manifest, read_manifest, write_manifest  # noqa: E402


def row(i: int) -> dict:
    code = f"{i:06d}"
    h = hashlib.sha256(code.encode()).hexdigest()
    return asdict(Row(code, name=f"合成部门{i:05d}（示例）", status="ok", seconds=1.234, self_total="96.32",
                      recomputed_total="95.50", self_grade="优", recomputed_grade="优",
                      findings={"error": 2, "warning": 5, "info": 3}, failing_checks=["A1", "B3", "C4", "D2", "E7"],
                      report=f"{code}.html", fingerprint=h, params=f"{code}.yaml",
                      outputs={f"{code}.html": h, f"{code}.ipynb": h, f"{code}.json": h, f"{code}-问题清单.xlsx": h}))


def before(out: Path, n: int) -> tuple[float, float, list[float]]:
    rows: dict[str, dict] = {}
    c0, w0 = time.process_time(), time.perf_counter()
    per: list[float] = []
    for i in range(n):
        r = row(i)
        rows[r["dept_code"]] = r
        t = time.process_time()
        write_manifest(out, list(rows.values()))
        per.append(time.process_time() - t)
    return time.process_time() - c0, time.perf_counter() - w0, per


def after(out: Path, n: int) -> tuple[float, float]:
    rows: dict[str, dict] = {}
    c0, w0 = time.process_time(), time.perf_counter()
    write_manifest(out, [])
    for i in range(n):
        r = row(i)
        rows[r["dept_code"]] = r
        append_manifest(out, r)
    write_manifest(out, list(rows.values()))
    return time.process_time() - c0, time.perf_counter() - w0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--old-n", type=int, default=2_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp) / "before", Path(tmp) / "after"
        a.mkdir()
        b.mkdir()
        cpu_old, wall_old, per = before(a, args.old_n)
        # cost per write grows with the rows written: fit per-write = k * rows on the last half
        half = per[len(per) // 2:]
        k = sum(half) / sum(range(len(per) // 2 + 1, len(per) + 1))
        extrapolated = k * args.n * (args.n + 1) / 2
        cpu_new, wall_new = after(b, args.n)
        # a crash mid-batch leaves the journal: it is read back on top of the manifest
        write_manifest(b, [row(0)])
        append_manifest(b, row(1))
        assert set(read_manifest(b)) == {"000000", "000001"}
        size = (a / "manifest.json").stat().st_size
    print(f"manifest over a batch (rows like a real batch's; {size / args.old_n:.0f} bytes a row):")
    print(f"  before, rewritten after every department, {args.old_n:,} rows: {cpu_old:8.2f} CPU-s ({wall_old:8.2f} s wall); "
          f"last write {per[-1] * 1000:.1f} ms")
    print(f"  before, extrapolated to {args.n:,} rows (O(N²))          : {extrapolated:8.1f} CPU-s ({extrapolated / 60:.1f} min)")
    print(f"  after, a journal line per department, {args.n:,} rows   : {cpu_new:8.2f} CPU-s ({wall_new:8.2f} s wall)")
    print(f"  ratio at {args.n:,}: {extrapolated / cpu_new:,.0f}x; load average {os.getloadavg()[0]:.2f}")
    print(json.dumps({"n": args.n, "before_cpu_extrapolated": extrapolated, "before_cpu_measured_old_n": cpu_old,
                      "old_n": args.old_n, "after_cpu": cpu_new}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

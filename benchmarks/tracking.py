"""The batch's 问题清单.xlsx at scale: ``write_batch_workbook`` over N departments' workbooks, CPU
and peak memory, side by side with another checkout of the kit (``--compare DIR``).

    .venv/bin/python benchmarks/tracking.py [--n 1000] [--compare DIR]

The departments' workbooks: those of 12 synthetic departments (``kit synth``, rendered), hard-linked
under N codes. Each way runs in a child process (``PYTHONPATH`` = the checkout), alternating;
CPU-seconds and the child's peak RSS come from ``wait4``. Prints both and one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("import sys; from pathlib import Path; from kit.report.workbook import write_batch_workbook; "
        "folder = Path(sys.argv[1]); write_batch_workbook(sorted(folder.glob('T*-问题清单.xlsx')), sys.argv[2])")


def workbooks(n: int, work: Path) -> Path:
    from kit.commands.synth import write_synthetic

    write_synthetic(12, work / "in", seed=2022)
    subprocess.run([sys.executable, "-m", "kit", "render", str(work / "in" / "params"), "--out", str(work / "out"),
                    "-q", "--force"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    src = sorted((work / "out").glob("S*-问题清单.xlsx"))
    folder = work / "sheets"
    folder.mkdir()
    for i in range(n):
        os.link(src[i % len(src)], folder / f"T{i:05d}-问题清单.xlsx")
    return folder


def run(source: Path, folder: Path, out: Path) -> tuple[float, float, float]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CODE, str(folder), str(out)], env=env, cwd=folder)
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"write_batch_workbook failed under {source}")
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--compare", type=Path, default=None, help="another checkout of the kit (the former code)")
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kit-bench-tracking-"))
    folder = workbooks(args.n, work)
    ways = {"now": ROOT, **({"before": args.compare.resolve()} if args.compare else {})}
    figures: dict[str, list[tuple[float, float, float]]] = {k: [] for k in ways}
    for r in range(args.repeats):
        for k in (list(ways) if r % 2 == 0 else list(ways)[::-1]):
            figures[k].append(run(ways[k], folder, work / f"{k}.xlsx"))
    out = {"n": args.n, "load": round(os.getloadavg()[0], 2)}
    for k, rows in figures.items():
        wall, cpu, rss = (sorted(x)[len(x) // 2] for x in zip(*rows))
        size = (work / f"{k}.xlsx").stat().st_size / 2**20
        print(f"{k:7s} {args.n} departments: {wall:6.1f} s, {cpu:6.1f} CPU-s, peak RSS {rss:6.0f} MB, {size:.1f} MB written")
        out[k] = {"s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(rss), "mb": round(size, 2)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Batch rendering speed: the hand-written papermill loop, ``kit render``, and the floor.

    .venv/bin/python benchmarks/batch.py [--n 24] [--repeats 3] [--jobs 2]
    .venv/bin/python benchmarks/batch.py --memory        # peak memory, 200 vs 24 departments

Renders the same N synthetic departments (``kit synth``, fixed seed) three ways, alternating
the order in every repeat so that drift (other load, caches) falls on each path alike:

(a) the hand loop: per department, the ``papermill`` CLI on notebooks/audit.ipynb
    (``-p params_file …``, ``--cwd`` the parameter folder), then ``jupyter nbconvert --to html``;
(b) ``kit render PARAMS_DIR --jobs 2 --force`` (the default batch path: warm kernels);
(c) the floor: load + run_audit + every report section and chart in this process, with no
    kernel and no notebook (imports done before timing); (c') the same split over --jobs
    forked processes, the floor for a machine with that many cores.

Prints seconds per department for each (median of the repeats), the ratios a/b and b/c, the
peak memory of each path's process tree (RSS of the process and all its children, sampled with
psutil every 50 ms), and ends with one JSON line of those figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "audit.ipynb"
BIN = Path(sys.executable).parent
SEED = 2022


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


class PeakRSS:
    """Peak RSS of a process tree, sampled in a thread while the block runs."""

    def __init__(self, pid: int | None = None, interval: float = 0.05):
        self.proc = psutil.Process(pid or os.getpid())
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.proc))
            self._stop.wait(self.interval)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss(self.proc))


def synth(n: int, folder: Path) -> list[Path]:
    from kit.synth import write_synthetic

    write_synthetic(n, folder, seed=SEED)
    return sorted((folder / "params").glob("*.yaml"))


def run_tree(cmd: list[str], cwd: Path | None = None) -> int:
    """Run a command; returns the peak RSS of its process tree (this process not counted)."""
    peak = 0
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            peak = max(peak, tree_rss(ps))
        except psutil.Error:
            pass
        time.sleep(0.05)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.read().decode()[-2000:]}")
    return peak


def hand_loop(params: list[Path], out: Path) -> tuple[float, int]:
    out.mkdir(parents=True, exist_ok=True)
    peak = 0
    t0 = time.perf_counter()
    for p in params:
        nb = out / f"{p.stem}.ipynb"
        peak = max(peak, run_tree([str(BIN / "papermill"), str(NOTEBOOK), str(nb), "-p", "params_file", p.name,
                                   "--cwd", str(p.parent), "-k", "python3", "--no-progress-bar"]))
        peak = max(peak, run_tree([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(nb), "--output-dir", str(out)]))
    return time.perf_counter() - t0, peak


def kit_render(params_dir: Path, out: Path, jobs: int, isolation: str = "warm") -> tuple[float, int]:
    t0 = time.perf_counter()
    peak = run_tree([str(BIN / "kit"), "render", str(params_dir), "--out", str(out), "--jobs", str(jobs),
                     "--force", "-q", "--isolation", isolation])
    return time.perf_counter() - t0, peak


def floor(params: list[Path]) -> tuple[float, int]:
    """load + checks + every section and chart of the report, in this process."""
    from kit.audit import run_audit
    from kit.load import open_path
    from kit.report import sections as s

    with PeakRSS() as mem:
        t0 = time.perf_counter()
        for p in params:
            prm, dept = open_path(p)
            audit = run_audit(dept, prm)
            parts = [s.overview(audit), s.budget_table(dept), s.budget_figure(dept), s.lines_table(dept),
                     s.adjustment_summary(dept), s.tasks_table(dept), s.tasks_totals(dept), s.tasks_figure(dept),
                     s.indicators_table(audit), s.scores_table(audit), s.scores_figure(audit),
                     s.findings_table(audit), s.missing_table(audit), s.prose_table(audit),
                     s.provenance(audit, p.name, "")]
            assert all(parts)
        seconds = time.perf_counter() - t0
    return seconds, mem.peak


def _floor_part(params: list[Path]) -> int:
    floor(params)
    return len(params)


def floor_parallel(params: list[Path], jobs: int) -> tuple[float, int]:
    """The floor spread over ``jobs`` forked processes (imports already done in this one)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parts = [params[i::jobs] for i in range(jobs)]
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        with ctx.Pool(jobs) as pool:
            assert sum(pool.map(_floor_part, parts)) == len(params)
        seconds = time.perf_counter() - t0
    return seconds, mem.peak


def mib(n: int) -> float:
    return round(n / 2**20, 1)


def speed(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kit-bench-batch-"))
    params = synth(args.n, work / "in")
    # Imports of the floor happen once, before any timing.
    floor(params[:1])
    paths = {
        "a": lambda r: hand_loop(params, work / f"a{r}"),
        "b": lambda r: kit_render(work / "in" / "params", work / f"b{r}", args.jobs),
        "c": lambda r: floor(params),
        "d": lambda r: floor_parallel(params, args.jobs),
    }
    secs: dict[str, list[float]] = {k: [] for k in paths}
    peaks: dict[str, int] = {k: 0 for k in paths}
    order = list(paths)
    for r in range(args.repeats):
        for k in order:
            s, peak = paths[k](r)
            secs[k].append(s / args.n)
            peaks[k] = max(peaks[k], peak)
            print(f"  repeat {r + 1}: ({k}) {s:7.2f} s, {s / args.n:.3f} s per department, peak {mib(peak)} MiB",
                  flush=True)
        order = order[1:] + order[:1]  # rotate: each path runs first, middle and last
    med = {k: statistics.median(v) for k, v in secs.items()}
    labels = {"a": "(a) hand loop: papermill CLI + jupyter nbconvert CLI",
              "b": f"(b) kit render --jobs {args.jobs} (default path)",
              "c": "(c) floor: load + checks + charts in-process",
              "d": f"(c') the same floor split over {args.jobs} processes"}
    print(f"\n{args.n} departments, median of {args.repeats} repeats, {os.cpu_count()} CPUs")
    for k in paths:
        print(f"{labels[k]:<56} {med[k]:7.3f} s/department   peak {mib(peaks[k]):7.1f} MiB")
    ab, bc, bd = med["a"] / med["b"], med["b"] / med["c"], med["b"] / med["d"]
    print(f"a/b = {ab:.1f}x (goal >= 12)   b/c = {bc:.2f}x (goal <= 3)   b/c' = {bd:.2f}x")
    return {"n": args.n, "repeats": args.repeats, "jobs": args.jobs, "cpus": os.cpu_count(),
            "a_s_per_dept": round(med["a"], 4), "b_s_per_dept": round(med["b"], 4), "c_s_per_dept": round(med["c"], 4),
            "c_parallel_s_per_dept": round(med["d"], 4),
            "a_over_b": round(ab, 2), "b_over_c": round(bc, 2), "b_over_c_parallel": round(bd, 2),
            "peak_mib": {k: mib(v) for k, v in peaks.items()}}


def memory(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kit-bench-memory-"))
    result = {}
    for n in (args.big, args.n):
        synth(n, work / f"in{n}")
        s, peak = kit_render(work / f"in{n}" / "params", work / f"out{n}", args.jobs)
        result[n] = (s, peak)
        print(f"  {n:4d} departments: {s:7.1f} s ({s / n:.3f} s per department), peak {mib(peak)} MiB", flush=True)
    ratio = result[args.big][1] / result[args.n][1]
    print(f"peak memory {args.big} vs {args.n} departments: {ratio:.3f}x (goal <= 1.2)")
    return {"mode": "memory", "jobs": args.jobs, "departments": [args.big, args.n],
            "peak_mib": [mib(result[args.big][1]), mib(result[args.n][1])], "ratio": round(ratio, 3),
            "s_per_dept": [round(result[args.big][0] / args.big, 4), round(result[args.n][0] / args.n, 4)]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="departments (default 24)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--memory", action="store_true", help="peak memory of (b) for --big vs --n departments")
    ap.add_argument("--big", type=int, default=200)
    args = ap.parse_args()
    tempfile.tempdir = tempfile.mkdtemp(prefix="kit-bench-")  # everything written goes here
    try:
        print(json.dumps(memory(args) if args.memory else speed(args)))
    finally:
        import shutil

        shutil.rmtree(tempfile.tempdir, ignore_errors=True)


if __name__ == "__main__":
    main()

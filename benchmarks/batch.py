"""Batch rendering speed: the hand-written papermill loop, ``kit render``, and the floor.

    .venv/bin/python benchmarks/batch.py [--n 24] [--repeats 3] [--jobs 2] [--skip a]
    .venv/bin/python benchmarks/batch.py --memory        # peak memory, 200 vs 24 departments

Renders the same N synthetic departments (``kit synth``, fixed seed) several ways, alternating
the order in every repeat so that drift (other load, caches) falls on each path alike:

(a) the hand loop: per department, the ``papermill`` CLI on notebooks/audit.ipynb
    (``-p params_file …``, ``--cwd`` the parameter folder), then ``jupyter nbconvert --to html``;
(b) ``kit render PARAMS_DIR --jobs 2 --force`` (the default batch path: warm kernels), start-up
    of the command, its workers and kernels included;
(w) a warm render in this process, steady state: ``kit.run.rendering.render(isolation="warm")`` on
    one warm kernel started before timing (CPU of this process and of the kernel);
(i) an in-process render, steady state: ``render(isolation="inline")``, the cells run by IPython in
    this process (``kit.run.inline``), its shell made before timing;
(c) the kernel-free floor: the audit notebook's own code cells executed in this process with no
    kernel and no notebook machinery (``show`` builds each output's HTML, ``publish_result``
    builds and serialises the result kit render reads); imports done before timing;
(p) what the page and files cost beyond it, also in this process, from the notebooks (w)
    executed: the HTML export (template, pruned styles, the page's font subset), 问题清单.xlsx,
    the JSON and the notebook file;
(c') the floor split over --jobs forked processes, the floor for a machine with that many cores.

Prints seconds per department for each (median of the repeats), wall-clock and CPU-seconds
(CPU of all processes of the path; robust under load), the ratios a/b, w/c and w/(c+p), the
peak memory of each path's process tree (RSS of the process and all its children, sampled with
psutil every 50 ms), and ends with one JSON line of those figures.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
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
    from kit.commands.synth import write_synthetic

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


def children_cpu() -> float:
    """CPU-seconds of the finished children of this process (and theirs, when they waited for them)."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def hand_loop(params: list[Path], out: Path) -> tuple[float, float, int]:
    out.mkdir(parents=True, exist_ok=True)
    peak = 0
    t0, c0 = time.perf_counter(), children_cpu()
    for p in params:
        nb = out / f"{p.stem}.ipynb"
        peak = max(peak, run_tree([str(BIN / "papermill"), str(NOTEBOOK), str(nb), "-p", "params_file", p.name,
                                   "--cwd", str(p.parent), "-k", "python3", "--no-progress-bar"]))
        peak = max(peak, run_tree([str(BIN / "jupyter"), "nbconvert", "--to", "html", str(nb), "--output-dir", str(out)]))
    return time.perf_counter() - t0, children_cpu() - c0, peak


def kit_render(params_dir: Path, out: Path, jobs: int, isolation: str | None = None) -> tuple[float, float, int]:
    """``kit render`` over the folder; ``isolation`` None: the command's default."""
    t0, c0 = time.perf_counter(), children_cpu()
    peak = run_tree([str(BIN / "kit"), "render", str(params_dir), "--out", str(out), "--jobs", str(jobs),
                     "--force", "-q", *(["--isolation", isolation] if isolation else [])])
    return time.perf_counter() - t0, children_cpu() - c0, peak


def _notebook_code() -> tuple[object, list[object]]:
    """The audit notebook's parameter cell and its other code cells, compiled."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    first = next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
    code = [compile("".join(c["source"]), f"cell{i}", "exec") for i, c in enumerate(cells) if c is not first]
    return compile("".join(first["source"]), "parameters", "exec"), code


def floor(params: list[Path]) -> tuple[float, float, int]:
    """The audit notebook's code, every cell, in this process: no kernel, no notebook machinery."""
    import kit.run.rendering as rendering
    import kit.report.tables as tables

    shown: list[str] = []
    saved = tables.show, rendering.publish_result

    def show(*parts) -> None:
        shown.append(tables.wrap(*parts))  # the output's HTML, as display() gets it

    def publish_result(audit, docx=False, params_file="", render_time="") -> None:
        shown.append(json.dumps(rendering.result_document(audit, docx, params_file, render_time), ensure_ascii=False))

    first, cells = _notebook_code()
    tables.show, rendering.publish_result = show, publish_result
    try:
        with PeakRSS() as mem:
            t0, c0 = time.perf_counter(), time.process_time()
            for p in params:
                ns: dict = {}
                exec(first, ns)
                ns.update(params_file=str(p), render_time="2026-01-01 00:00:00 +0000")
                for code in cells:
                    exec(code, ns)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        tables.show, rendering.publish_result = saved
    assert len(shown) >= 10 * len(params)
    return seconds, cpu, mem.peak


class _Warm:
    """One warm kernel in this process for (w), started before any timing."""

    kernel_pid = None

    @classmethod
    def kernel_cpu(cls) -> float:
        t = psutil.Process(cls.kernel_pid).cpu_times()
        return t.user + t.system

    @classmethod
    def start(cls, param: Path, out: Path) -> None:
        from kit.run import warm
        from kit.run.rendering import render

        assert render(param, out, isolation="warm").ok
        cls.kernel_pid = warm.warm_kernel().km.provisioner.process.pid


def warm_renders(params: list[Path], out: Path) -> tuple[float, float, int]:
    """kit.run.rendering.render on this process's warm kernel, one department after the other."""
    from kit.run.rendering import render

    with PeakRSS() as mem:
        t0, c0, k0 = time.perf_counter(), time.process_time(), _Warm.kernel_cpu()
        for p in params:
            result = render(p, out, isolation="warm")
            assert result.ok, result.failure
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0 + _Warm.kernel_cpu() - k0
    return seconds, cpu, mem.peak


def inline_renders(params: list[Path], out: Path) -> tuple[float, float, int]:
    """kit.run.rendering.render with the cells run in this process, one department after the other."""
    from kit.run.rendering import render

    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        for p in params:
            result = render(p, out, isolation="inline")
            assert result.ok, result.failure
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return seconds, cpu, mem.peak


def page_work(out: Path) -> tuple[float, float, int]:
    """The page and files kit render writes, from the notebooks (w) executed, in this process."""
    import nbformat

    from kit.run.rendering import _scrubbed, _warm_export, audit_json_bytes, notebook_result, take_docx
    from kit.report.pagefont import subset_woff
    from kit.report.workbook import tracking_bytes

    notebooks = sorted(out.glob("*.ipynb"))
    subset_woff.cache_clear()  # each department's font subset is made, as in a batch
    with PeakRSS() as mem:
        t0, c0 = time.perf_counter(), time.process_time()
        for path in notebooks:
            nb = nbformat.read(path, as_version=4)
            result = notebook_result(nb)
            take_docx(nb, result)
            _warm_export(nb, [str(out)])
            tracking_bytes(result["tracking"])
            audit_json_bytes(result["audit"])
            nbformat.writes(_scrubbed(nb, [str(out)]))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    return seconds, cpu, mem.peak


def _floor_part(params: list[Path]) -> float:
    return floor(params)[1]


def floor_parallel(params: list[Path], jobs: int) -> tuple[float, float, int]:
    """The floor spread over ``jobs`` forked processes (imports already done in this one)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parts = [params[i::jobs] for i in range(jobs)]
    with PeakRSS() as mem:
        t0 = time.perf_counter()
        with ctx.Pool(jobs) as pool:
            cpu = sum(pool.map(_floor_part, parts))
        seconds = time.perf_counter() - t0
    return seconds, cpu, mem.peak


def mib(n: int) -> float:
    return round(n / 2**20, 1)


def speed(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kit-bench-batch-"))
    params = synth(args.n, work / "in")
    # Imports of the floor and the warm kernel of (w) happen once, before any timing.
    floor(params[:1])
    _Warm.start(params[0], work / "w-warmup")
    from kit.run.rendering import render

    assert render(params[0], work / "i-warmup", isolation="inline").ok
    paths = {
        "a": lambda r: hand_loop(params, work / f"a{r}"),
        "b": lambda r: kit_render(work / "in" / "params", work / f"b{r}", args.jobs),
        "w": lambda r: warm_renders(params, work / f"w{r}"),
        "i": lambda r: inline_renders(params, work / f"i{r}"),
        "c": lambda r: floor(params),
        "p": lambda r: page_work(next(d for d in (work / f"w{r}", work / f"i{r}", work / "w-warmup") if d.exists())),
        "d": lambda r: floor_parallel(params, args.jobs),
    }
    for k in args.skip:
        paths.pop(k, None)
    secs: dict[str, list[float]] = {k: [] for k in paths}
    cpus: dict[str, list[float]] = {k: [] for k in paths}
    peaks: dict[str, int] = {k: 0 for k in paths}
    order = [k for k in paths if k != "p"]
    for r in range(args.repeats):
        for k in order + (["p"] if "p" in paths else []):  # (p) reads what (w) or (i) wrote in this repeat
            s, cpu, peak = paths[k](r)
            secs[k].append(s / args.n)
            cpus[k].append(cpu / args.n)
            peaks[k] = max(peaks[k], peak)
            print(f"  repeat {r + 1}: ({k}) {s:7.2f} s, {s / args.n:.3f} s and {cpu / args.n:.3f} CPU-s per department, "
                  f"peak {mib(peak)} MiB, load {os.getloadavg()[0]:.1f}", flush=True)
        order = order[1:] + order[:1]  # rotate: each path runs first, middle and last
    med = {k: statistics.median(v) for k, v in secs.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    labels = {"a": "(a) hand loop: papermill CLI + jupyter nbconvert CLI",
              "b": f"(b) kit render --jobs {args.jobs} (default path)",
              "w": "(w) warm render, steady state, one kernel",
              "i": "(i) in-process render (isolation inline)",
              "c": "(c) floor: the notebook's code, no kernel",
              "p": "(p) page and files from the executed notebook",
              "d": f"(c') the floor split over {args.jobs} processes"}
    print(f"\n{args.n} departments, median of {args.repeats} repeats, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}")
    for k in paths:
        print(f"{labels[k]:<52} {med[k]:7.3f} s {cmed[k]:7.3f} CPU-s per department   peak {mib(peaks[k]):7.1f} MiB")
    out = {"n": args.n, "repeats": args.repeats, "jobs": args.jobs, "cpus": os.cpu_count(),
           "load": round(os.getloadavg()[0], 2),
           "s_per_dept": {k: round(v, 4) for k, v in med.items()},
           "cpu_s_per_dept": {k: round(v, 4) for k, v in cmed.items()},
           "peak_mib": {k: mib(v) for k, v in peaks.items()}}
    ratios = []
    if "a" in med and "b" in med:
        out["a_over_b"] = round(med["a"] / med["b"], 2)
        out["a_over_b_cpu"] = round(cmed["a"] / cmed["b"], 2)
        ratios.append(f"a/b = {out['a_over_b']:.1f}x wall, {out['a_over_b_cpu']:.1f}x CPU (goal >= 14)")
    for k in ("w", "i"):  # a render against the floor, and against the floor plus the page and files
        if k in cmed and "c" in cmed:
            out[f"{k}_over_c_cpu"] = round(cmed[k] / cmed["c"], 2)
            ratios.append(f"{k}/c = {out[f'{k}_over_c_cpu']:.2f}x CPU")
            if "p" in cmed:
                out[f"{k}_over_c_plus_p_cpu"] = round(cmed[k] / (cmed["c"] + cmed["p"]), 2)
                ratios.append(f"{k}/(c+p) = {out[f'{k}_over_c_plus_p_cpu']:.2f}x CPU (goal <= 1.2)")
    if "b" in cmed and "c" in cmed:
        out["b_over_c_cpu"] = round(cmed["b"] / cmed["c"], 2)
        ratios.append(f"b/c = {out['b_over_c_cpu']:.2f}x CPU")
    print("   ".join(ratios))
    return out


def memory(args) -> dict:
    work = Path(tempfile.mkdtemp(prefix="kit-bench-memory-"))
    result = {}
    for n in (args.big, args.n):
        synth(n, work / f"in{n}")
        s, _cpu, peak = kit_render(work / f"in{n}" / "params", work / f"out{n}", args.jobs)
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
    ap.add_argument("--skip", nargs="*", default=[], choices=["a", "b", "w", "i", "c", "p", "d"],
                    help="paths left out (e.g. --skip a: no hand loop)")
    args = ap.parse_args()
    tempfile.tempdir = tempfile.mkdtemp(prefix="kit-bench-")  # everything written goes here
    try:
        print(json.dumps(memory(args) if args.memory else speed(args)))
    finally:
        import shutil

        shutil.rmtree(tempfile.tempdir, ignore_errors=True)


if __name__ == "__main__":
    main()

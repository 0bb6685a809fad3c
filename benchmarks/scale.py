"""A province in one run: ``kit render PARAMS --jobs 2`` over N synthetic departments, time per
department and memory from the first hundred to the last, and the index page at 10,000.

    .venv/bin/python benchmarks/scale.py --n 600 --minutes 20        # the batch (stopped after 20 min)
    .venv/bin/python benchmarks/scale.py --index-only --rows 10000    # the index page only

The batch: N departments from ``kit synth`` (fixed seed) rendered by ``kit render --jobs 2`` in a
child process. Every ``--interval`` seconds this process samples the child's whole process tree
(the command, its workers, their kernels): RSS summed over the live processes, and CPU-seconds
as the sum over every process ever seen of its last-seen user+system time (a kernel replaced
every 200 departments keeps its last sample); and it reads the manifest journal
(``.manifest.journal``: one line per department as it finishes), so each department is known
with the CPU-seconds the tree had used when it finished. After ``--minutes`` the batch gets
SIGINT (it stops cleanly, as a user's Ctrl-C) and the figures cover the departments done.

Reported: per department over the first and the last ``--window`` departments (100): the tree's
CPU-seconds (window's CPU / window), the elapsed wall-clock per department (both workers
together), the median of each department's own wall-clock (the manifest's ``seconds``); the
tree's RSS (median over each window's samples, and its slope per 1,000 departments by least
squares after the first window); the load average; and an extrapolation to ``--target``
(10,000) departments from the last window's rates, marked as such. The run's CPU total from
``wait4`` (every reaped descendant) is printed beside the sampled total as a check.

The index page: ``--rows`` manifest rows made from the departments of a small real batch (each
department's JSON hard-linked under a new code, so the counts are read from real audits), then
``kit.run.batch.render_index`` (the portfolio notebook, as ``kit render`` runs it) in a child process:
its CPU-seconds and wall-clock, the size of ``index.html``, the rows it lists, the pages by code and
the CSV; beside it, in the same run, the size the one-table page would have (every department
in ``departments_table``, as before paging).
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SEED = 2022
MB = 1 << 20


class Tree:
    """CPU-seconds and RSS of a process tree, sampled; processes that ended keep their last CPU."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.cpu: dict[tuple[int, float], float] = {}

    def sample(self) -> tuple[float, int, int]:
        """(CPU-seconds so far, RSS now, live processes)."""
        rss, live = 0, 0
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            procs = []
        for p in procs:
            try:
                with p.oneshot():
                    t = p.cpu_times()
                    self.cpu[(p.pid, p.create_time())] = t.user + t.system
                    rss += p.memory_info().rss
                    live += 1
            except psutil.Error:
                continue
        return sum(self.cpu.values()), rss, live


class Journal:
    """New lines of the manifest journal as they are appended (the file is replaced at the start and
    removed at the end of a batch)."""

    def __init__(self, path: Path):
        self.path, self.offset, self.inode, self.rest = path, 0, None, b""

    def new_rows(self) -> list[dict]:
        try:
            st = os.stat(self.path)
        except OSError:
            return []
        if st.st_ino != self.inode or st.st_size < self.offset:
            self.inode, self.offset, self.rest = st.st_ino, 0, b""
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            data = fh.read()
        self.offset += len(data)
        *lines, self.rest = (self.rest + data).split(b"\n")
        rows = []
        for line in lines:
            try:
                rows.append(json.loads(line))
            except ValueError:
                continue
        return rows


def run_batch(n: int, jobs: int, minutes: float, interval: float, work: Path) -> dict:
    from kit.commands.synth import write_synthetic

    t0 = time.perf_counter()
    write_synthetic(n, work / "in", seed=SEED)
    synth_s = time.perf_counter() - t0
    out = work / "out"
    cmd = [sys.executable, "-m", "kit", "render", str(work / "in" / "params"), "--out", str(out), "--jobs", str(jobs),
           "-q"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(work / "stderr.txt", "wb"))
    tree, journal = Tree(proc.pid), Journal(out / ".manifest.journal")
    samples: list[tuple[float, float, int, int, float]] = []  # (t, cpu, rss, done, load1)
    seen: list[tuple[float, float, dict]] = []  # (t, cpu, row) in the order departments finished
    stopped_at = finished = None
    status, usage = None, None
    while status is None:
        now = time.monotonic() - start
        cpu, rss, _live = tree.sample()
        for row in journal.new_rows():
            seen.append((now, cpu, row))
        if finished is None and journal.inode is not None and not journal.path.exists():
            finished = (now, cpu)  # the manifest was written whole: the last departments are in it
        samples.append((now, cpu, rss, len(seen), os.getloadavg()[0]))
        if stopped_at is None and now > minutes * 60:
            stopped_at = now
            proc.send_signal(signal.SIGINT)
        time.sleep(interval)
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == 0:
            status = None
    end = time.monotonic() - start
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
    codes = {r["dept_code"] for _, _, r in seen}
    t_fin, cpu_fin = finished or (end, samples[-1][1])
    seen += [(t_fin, cpu_fin, r) for r in manifest if r["dept_code"] not in codes and r["status"] != "not_reached"]
    disk = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    return {"n": n, "jobs": jobs, "synth_s": synth_s, "end": end, "stopped_at": stopped_at,
            "exit": os.waitstatus_to_exitcode(status), "samples": samples, "seen": seen,
            "rusage_cpu": usage.ru_utime + usage.ru_stime, "sampled_cpu": samples[-1][1], "disk": disk, "out": str(out)}


def window_figures(run: dict, window: int, target: int) -> dict:
    seen, samples = run["seen"], run["samples"]
    done = len(seen)
    w = min(window, max(1, done // 2))  # two windows that do not overlap
    ok = sum(1 for _, _, r in seen if r["status"] == "ok")

    def span(a: int, b: int) -> dict:
        t_a, cpu_a = (0.0, 0.0) if a == 0 else seen[a - 1][:2]
        t_b, cpu_b = seen[b - 1][:2]
        rss = [s[2] for s in samples if t_a <= s[0] <= t_b]
        return {"departments": f"{a + 1}–{b}", "cpu_per_dept": (cpu_b - cpu_a) / (b - a),
                "elapsed_per_dept": (t_b - t_a) / (b - a),
                "own_wall_median": statistics.median(r["seconds"] for _, _, r in seen[a:b]),
                "rss_median_mb": statistics.median(rss) / MB if rss else None}

    first, last = span(0, w), span(done - w, done)
    # RSS against departments done, after the first window (warm-up): least-squares slope.
    pts = [(s[3], s[2] / MB) for s in samples if s[3] >= w and s[2] and s[0] < seen[-1][0]]
    slope = None
    if len(pts) > 2 and pts[-1][0] > pts[0][0]:
        mx, my = statistics.fmean(p[0] for p in pts), statistics.fmean(p[1] for p in pts)
        sxx = sum((p[0] - mx) ** 2 for p in pts)
        slope = sum((p[0] - mx) * (p[1] - my) for p in pts) / sxx * 1000 if sxx else None
    t_first = seen[w - 1][0]
    rest = target - w
    return {
        "done": done, "ok": ok, "window": w, "first": first, "last": last,
        "rss_end_mb": pts[-1][1] if pts else None,
        "rss_max_mb": max(s[2] for s in samples) / MB, "rss_slope_mb_per_1000": slope,
        "load_mean": statistics.fmean(s[4] for s in samples), "load_max": max(s[4] for s in samples),
        "after_last_dept_s": run["end"] - seen[-1][0],
        "extrapolated": {
            "target": target,
            "wall_h": (t_first + rest * last["elapsed_per_dept"]) / 3600,
            "cpu_h": (seen[w - 1][1] + rest * last["cpu_per_dept"]) / 3600,
            "rss_mb": (pts[-1][1] + (slope or 0) * (target - done) / 1000) if pts else None,
            "disk_gb": run["disk"] / max(1, ok) * target / 1e9,
        },
    }


def index_at(rows_n: int, work: Path, template: Path | None) -> dict:
    """The index page of ``rows_n`` departments built from a real batch's rows and JSONs."""
    from kit.run import portfolio as p

    if template is None:
        from kit.commands.synth import write_synthetic

        write_synthetic(6, work / "tin", seed=SEED)
        template = work / "tout"
        subprocess.run([sys.executable, "-m", "kit", "render", str(work / "tin" / "params"), "--out", str(template),
                        "-q"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    real = [r for r in json.loads((template / "manifest.json").read_text(encoding="utf-8"))["departments"]
            if r["status"] == "ok" and (template / f"{r['dept_code']}.json").is_file()]
    if not real:
        raise SystemExit(f"no rendered department in {template}")
    out = work / "index"
    out.mkdir(parents=True)
    rows = []
    for i in range(rows_n):
        r = dict(real[i % len(real)])
        code = f"P{i:05d}"
        src = template / f"{r['dept_code']}.json"
        try:
            os.link(src, out / f"{code}.json")
        except OSError:
            (out / f"{code}.json").write_bytes(src.read_bytes())
        if i % 37 == 5:  # a few failures, as a province has
            r.update(status="timeout", error="超过时限（300 秒）", self_total=None, recomputed_total=None)
        rows.append({**r, "dept_code": code, "name": f"{r.get('name') or '部门'}·{i:05d}", "report": f"{code}.html"})
    (out / "manifest.json").write_text(json.dumps({"departments": rows}, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    code = ("import sys; from pathlib import Path; from kit.run.batch import render_index; "
            "render_index(Path(sys.argv[1]), 'benchmark', isolation='fresh')")
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(out)], stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0 or not (out / "index.html").is_file():
        raise SystemExit(f"index failed: {proc.stderr.read().decode()[-2000:]}")
    html = (out / "index.html").read_text(encoding="utf-8")
    pages = sorted(out.glob("departments-*.html"))
    # The former page: every department in the one table (no paging), in this process.
    t1 = time.perf_counter()
    df = p.load_manifest(out / "manifest.json")
    load_s = time.perf_counter() - t1
    # Reading the counts side by side: from the rows (as kit render records them) and, the former
    # way, from every department's JSON (the same rows without the recorded counts), alternating.
    older = out / "manifest-older.json"  # beside the JSONs, as the index reads them
    older.write_text(json.dumps({"departments": [{k: v for k, v in r.items() if k not in ("points", "review_status")}
                                                 for r in rows]}, ensure_ascii=False), encoding="utf-8")
    reads: dict[str, list[float]] = {"rows": [], "json": []}
    for _ in range(3):
        for how, manifest in (("rows", out / "manifest.json"), ("json", older)):
            c0 = time.process_time()
            p.load_manifest(manifest)
            reads[how].append(time.process_time() - c0)
    older.unlink()
    saved, p.PAGE_ROWS = p.PAGE_ROWS, 10 ** 9
    try:
        whole = len(p.departments_table(df).encode("utf-8"))
    finally:
        p.PAGE_ROWS = saved
    return {
        "rows": rows_n, "cpu_s": usage.ru_utime + usage.ru_stime, "wall_s": wall, "load": os.getloadavg()[0],
        "index_kb": len(html.encode("utf-8")) / 1024, "index_links": html.count('<a href="P'),
        "pages": len(pages), "page_kb_max": max((q.stat().st_size for q in pages), default=0) / 1024,
        "csv_kb": (out / p.LIST_CSV).stat().st_size / 1024 if (out / p.LIST_CSV).exists() else 0,
        "one_table_kb": whole / 1024, "load_manifest_s": load_s,
        "counts_cpu_s": {how: statistics.median(v) for how, v in reads.items()}, "links_in_pages": sum(
            q.read_text(encoding="utf-8").count('<a href="P') for q in pages),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=600, help="synthetic departments in the batch")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--minutes", type=float, default=20, help="stop the batch (SIGINT) after this long")
    ap.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    ap.add_argument("--window", type=int, default=100, help="departments in the first and last window")
    ap.add_argument("--target", type=int, default=10_000, help="departments to extrapolate to")
    ap.add_argument("--rows", type=int, default=10_000, help="departments of the index page")
    ap.add_argument("--index-only", action="store_true")
    ap.add_argument("--keep", default=None, help="work folder to keep (default: a temporary one, removed)")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="kit-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"load_start": os.getloadavg()}
    template = None
    if not args.index_only:
        run = run_batch(args.n, args.jobs, args.minutes, args.interval, work)
        fig = window_figures(run, args.window, args.target)
        report["batch"] = {**{k: v for k, v in run.items() if k not in ("samples", "seen")}, **fig}
        # The raw series, to compute other windows again: (t, CPU, RSS, done, load) and (t, CPU, code, seconds).
        (work / "series.json").write_text(json.dumps({"samples": run["samples"], "seen": [
            (t, c, r["dept_code"], r["seconds"]) for t, c, r in run["seen"]]}), encoding="utf-8")
        f, la, ex = fig["first"], fig["last"], fig["extrapolated"]
        print(f"batch: {fig['done']} of {args.n} departments done ({fig['ok']} ok) in {run['end'] / 60:.1f} min"
              f"{' (stopped by SIGINT after the time limit)' if run['stopped_at'] else ''}; exit {run['exit']}; "
              f"load average {fig['load_mean']:.1f} mean, {fig['load_max']:.1f} max")
        for name, s in (("first", f), ("last", la)):
            print(f"  {name} {fig['window']} (departments {s['departments']}): {s['cpu_per_dept']:.2f} CPU-s a department"
                  f" (tree), {s['elapsed_per_dept']:.2f} s elapsed a department, own wall median"
                  f" {s['own_wall_median']:.2f} s, RSS median {s['rss_median_mb']:.0f} MB")
        slope = fig["rss_slope_mb_per_1000"]
        print(f"  RSS of the tree: {f['rss_median_mb']:.0f} MB over the first window, {la['rss_median_mb']:.0f} MB over the"
              f" last, {fig['rss_end_mb']:.0f} MB at the last department, max"
              f" {fig['rss_max_mb']:.0f} MB; slope after the first window "
              f"{'n/a' if slope is None else f'{slope:+.1f} MB per 1,000 departments'}")
        print(f"  CPU of the run: {run['sampled_cpu']:.0f} s sampled, {run['rusage_cpu']:.0f} s by wait4;"
              f" after the last department (workbook, index) {fig['after_last_dept_s']:.0f} s")
        print(f"  EXTRAPOLATED to {ex['target']:,} departments (from the last window's rates, not run): "
              f"{ex['wall_h']:.1f} h wall at this load, {ex['cpu_h']:.1f} CPU-hours, RSS ≈ {ex['rss_mb']:.0f} MB, "
              f"{ex['disk_gb']:.1f} GB on disk")
        template = Path(run["out"])
    ix = index_at(args.rows, work, template)
    report["index"] = ix
    print(f"index of {ix['rows']:,} departments: {ix['cpu_s']:.1f} CPU-s, {ix['wall_s']:.1f} s wall (load "
          f"{ix['load']:.1f}); index.html {ix['index_kb']:.0f} KiB linking {ix['index_links']} departments; {ix['pages']} pages"
          f" by code (largest {ix['page_kb_max']:.0f} KiB, {ix['links_in_pages']:,} department links), CSV"
          f" {ix['csv_kb']:.0f} KiB; the one-table page would be {ix['one_table_kb']:.0f} KiB of table alone")
    rc = ix["counts_cpu_s"]
    print(f"  the departments' counts: {rc['rows']:.2f} CPU-s from the manifest rows, {rc['json']:.2f} from every"
          f" department's JSON (the former way), {rc['json'] / rc['rows']:.1f}x (medians of 3, alternating)")
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    report["load_end"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()

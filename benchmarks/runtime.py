"""Run-time figures of ``kit render`` as a user sees them (wall clock of the command).

    .venv/bin/python benchmarks/runtime.py [--n 24] [--repeats 3] [--jobs 2] [--compare DIR]
    .venv/bin/python benchmarks/runtime.py --signals      # stop latency after SIGINT / SIGTERM

- one: ``kit render params/022006.yaml --out TMP`` (one department, a fresh kernel);
- batch: ``kit render PARAMS_DIR --out TMP --jobs 2 --force -q`` over N synthetic departments
  (``kit synth``, fixed seed).

``--compare DIR`` runs the same commands against another checkout of the kit (e.g. the commit
before a change: ``git archive REV | tar -x -C DIR``) through ``PYTHONPATH``, which the kernels
inherit; the two are alternated in every repeat so that drift (other load on the machine)
falls on both alike. ``--signals`` starts a batch, waits for its first department, sends SIGINT
(then, in a second run, SIGTERM) and measures how long the command takes to exit.
Prints medians and ends with one JSON line of the figures.
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

ROOT = Path(__file__).resolve().parents[1]
SEED = 2022


def kit_cmd(source: Path | None) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    return [sys.executable, "-m", "kit"], env


def timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds of the command and every process it started and reaped).

    CPU seconds hardly depend on other load on the machine; wall-clock seconds do.
    """
    import resource

    # cwd: a neutral folder (python -m puts the working folder first on sys.path).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:  # every department of the sample and of kit synth renders
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return took, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(label: str, source: Path | None, params_dir: Path, n: int, jobs: int, work: Path) -> dict[str, float]:
    base, env = kit_cmd(source)
    sample = (source or ROOT) / "params" / "022006.yaml"
    one, one_cpu = timed([*base, "render", str(sample), "--out", str(work / f"one-{label}")], env, work)
    batch, batch_cpu = timed([*base, "render", str(params_dir), "--out", str(work / f"batch-{label}"), "-j",
                              str(jobs), "--force", "-q"], env, work)
    return {"one": one, "one_cpu": one_cpu, "batch": batch, "batch_cpu": batch_cpu, "batch_per_dept": batch / n}


def stop_latency(params_dir: Path, work: Path, sig: int, jobs: int) -> dict[str, float | int | bool]:
    out = work / f"stop-{sig}"
    work.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "kit", "render", str(params_dir), "--out", str(out), "-j", str(jobs),
                             "-q"], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
        except (OSError, ValueError, KeyError):
            rows = []
        if any(r.get("status") == "ok" for r in rows):
            break
        time.sleep(0.05)
    t0 = time.perf_counter()
    proc.send_signal(sig)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    took = time.perf_counter() - t0
    # Orphaned workers would keep the pipes open: do not wait for them to read stderr.
    try:
        _out, err = proc.communicate(timeout=10)
        orphans = False
    except subprocess.TimeoutExpired:
        err, orphans = "", True
    return {"seconds": took, "exit": proc.returncode, "traceback": "Traceback" in err, "orphans": orphans}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=24, help="departments in the batch (default 24)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--compare", type=Path, default=None, help="another checkout to measure alongside")
    ap.add_argument("--signals", action="store_true", help="stop latency after SIGINT and SIGTERM")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from kit.commands.synth import write_synthetic

    with tempfile.TemporaryDirectory(prefix="kit-bench-") as tmp:
        work = Path(tmp)
        write_synthetic(args.n, work / "in", seed=SEED)
        params_dir = work / "in" / "params"
        if args.signals:
            figures = {}
            for sig in (signal.SIGINT, signal.SIGTERM):
                runs = [stop_latency(params_dir, work / f"r{i}", sig, args.jobs) for i in range(args.repeats)]
                figures[sig.name] = {"median_s": round(statistics.median(r["seconds"] for r in runs), 2),
                                     "max_s": round(max(r["seconds"] for r in runs), 2),
                                     "exits": sorted({r["exit"] for r in runs}),
                                     "traceback": any(r["traceback"] for r in runs),
                                     "orphans": any(r["orphans"] for r in runs)}
                print(f"{sig.name}: exit within {figures[sig.name]['median_s']} s (median), "
                      f"max {figures[sig.name]['max_s']} s, exit codes {figures[sig.name]['exits']}, "
                      f"traceback {figures[sig.name]['traceback']}, orphans {figures[sig.name]['orphans']}")
            print(json.dumps(figures))
            return
        sources: list[tuple[str, Path | None]] = [("this", None)]
        if args.compare:
            sources.append(("compare", args.compare.resolve()))
        results: dict[str, list[dict[str, float]]] = {label: [] for label, _ in sources}
        for i in range(args.repeats):
            order = sources if i % 2 == 0 else sources[::-1]
            for label, source in order:
                results[label].append(measure(f"{label}{i}", source, params_dir, args.n, args.jobs, work))
        figures = {
            label: {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]} for label, runs in results.items()
        }
        for label, f in figures.items():
            print(f"{label}: one render {f['one']:.2f} s ({f['one_cpu']:.2f} s CPU); {args.n}-department batch "
                  f"{f['batch']:.1f} s ({f['batch_per_dept']:.3f} s/dept, --jobs {args.jobs}; {f['batch_cpu']:.1f} s CPU)")
        print(json.dumps(figures))


if __name__ == "__main__":
    main()

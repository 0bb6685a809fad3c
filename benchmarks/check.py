"""Benchmark: the audit engine (``kit check`` in-process) over 1,000 generated departments.

Departments are generated in memory from the sample (deterministic seed) with
``kit.commands.synth.synth_document``: amounts scaled, tasks re-split, indicators and self scores
perturbed. Two timings per department are reported: ``run_audit`` alone (load excluded) and
``build_department`` + ``run_audit`` (load included). Goal: < 20 ms per department.

    .venv/bin/python benchmarks/check.py [--n 1000] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kit.engine.audit import run_audit  # noqa: E402
from kit.files.load import load_department  # noqa: E402
from kit.model import build_department, to_document  # noqa: E402
from kit.commands.synth import PLANTS, default_source, synth_document  # noqa: E402

GOAL_MS = 20.0


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    base = to_document(load_department(default_source()))
    rng = random.Random(args.seed)
    docs = []
    for i in range(1, args.n + 1):
        plant = PLANTS[(i - 1) % len(PLANTS)] if rng.random() < 0.3 else None
        docs.append(synth_document(base, i, rng, plant)[0])

    run_audit(build_department(docs[0]))  # warm-up: imports, rule file, regex compilation
    audit_ms, total_ms, findings = [], [], 0
    for doc in docs:
        t0 = time.perf_counter()
        dept = build_department(doc)
        t1 = time.perf_counter()
        result = run_audit(dept)
        t2 = time.perf_counter()
        audit_ms.append((t2 - t1) * 1000)
        total_ms.append((t2 - t0) * 1000)
        findings += len(result.findings)

    print(f"kit check (in-process) over {args.n} generated departments, seed {args.seed}; {findings} findings in all")
    for name, xs in (("run_audit (load excluded)", audit_ms), ("build_department + run_audit", total_ms)):
        print(f"  {name:30s} median {statistics.median(xs):6.2f} ms  p95 {pct(xs, 0.95):6.2f} ms  "
              f"mean {statistics.fmean(xs):6.2f} ms per department")
    ok = statistics.median(total_ms) < GOAL_MS
    print(f"  goal < {GOAL_MS:.0f} ms per department (median, load included): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Start-up of the light commands, before (another checkout, ``--compare DIR``) and after, side
by side: ``kit --help``, ``kit validate`` of the sample's data file, ``kit import`` of one text
form. CPU-seconds of the process (user + system, from rusage) beside wall-clock, medians of
``--repeats`` alternating runs; ``python -c pass`` as the floor.

    .venv/bin/python benchmarks/startup.py [--repeats 7] [--compare DIR]
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "tests" / "assets" / "forms" / "longgang-central-hospital-2022.txt"


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--compare", type=Path, default=None, help="another checkout (the 'before')")
    args = ap.parse_args(argv)
    sources = {"after": ROOT} if args.compare is None else {"before": args.compare.resolve(), "after": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        commands = {
            "python -c pass": ["-c", "pass"],
            "kit --help": ["-m", "kit", "--help"],
            "kit validate": ["-m", "kit", "validate", str(ROOT / "data" / "022006-2022.yaml")],
            "kit import (text)": ["-m", "kit", "import", str(FORM), "--out", str(cwd / "out"), "-q"],
        }
        res: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for r in range(args.repeats):
            order = list(sources) if r % 2 == 0 else list(reversed(sources))
            for label in order:
                env = dict(os.environ, PYTHONPATH=str(sources[label]))
                for name, cmd in commands.items():
                    res.setdefault((label, name), []).append(run([sys.executable, *cmd], env, cwd))
    print(f"start-up, median of {args.repeats} (CPU-s user+sys; wall in brackets); load {os.getloadavg()[0]:.2f}")
    out = {}
    for name in commands:
        line = f"  {name:20}"
        for label in sources:
            c = statistics.median(x for x, _ in res[(label, name)])
            w = statistics.median(y for _, y in res[(label, name)])
            out[f"{label} {name}"] = c
            line += f"  {label}: {c:5.2f} ({w:5.2f})"
        if "before" in sources:
            line += f"  ratio {out[f'before {name}'] / max(out[f'after {name}'], 1e-9):4.1f}x"
        print(line)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

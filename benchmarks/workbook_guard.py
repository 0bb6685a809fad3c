"""Time and peak memory to refuse workbooks built to amplify (and to load a large legitimate one).

    .venv/bin/python benchmarks/workbook_guard.py

Each workbook comes from ``tests/corpus/make.py``; each is given to ``kit validate`` in a fresh
process, whose wall time and peak RSS (``ru_maxrss`` of the child) are printed, with the RSS of a
process that only imports the command line for comparison. Ends with one JSON line of the figures.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "corpus"))
import make  # noqa: E402

CASES = [
    "xlsx_cell_amplification",  # the 9.5 million cells (516 KB)
    "xlsx_cell_count_amplification",  # 2 million cells under the size limit
    "xlsx_far_corner_cell",
    "xlsx_huge_merge",
    "xlsx_many_empty_rows",
    "xlsx_many_shared_strings",
    "xlsx_cells_just_under_limit",  # loads
    "xlsx_good",  # loads
]
# The child reports its own peak RSS on exit (ru_maxrss of RUSAGE_CHILDREN only ever grows).
PEAK = ("import atexit, resource, sys; atexit.register(lambda: sys.stderr.write("
        "'PEAK_KB %d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); ")
RUN = PEAK + "from kit.commands.cli import main; sys.exit(main(['validate', sys.argv[1]]))"
IMPORT_ONLY = PEAK + "import kit.commands.cli, kit.files.xlsxio, openpyxl"


def child(code: str, *args: str) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, exit status) of one fresh interpreter running ``code``."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak_kb = int(proc.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return seconds, peak_kb // 1024, proc.returncode


def main() -> None:
    figures = {}
    s, rss, _ = child(IMPORT_ONLY)
    print(f"{'import only':32} {s:6.2f} s {rss:6d} MB")
    figures["import_only"] = {"seconds": round(s, 3), "peak_mb": rss}
    with tempfile.TemporaryDirectory() as tmp:
        for name in CASES:
            folder = Path(tmp) / name
            folder.mkdir()
            path = make.make(name, folder)
            s, rss, code = child(RUN, str(path))
            print(f"{name:32} {s:6.2f} s {rss:6d} MB  exit {code}  ({path.stat().st_size:,} bytes)")
            figures[name] = {"seconds": round(s, 3), "peak_mb": rss, "exit": code, "bytes": path.stat().st_size}
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

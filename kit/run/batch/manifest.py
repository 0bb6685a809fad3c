"""The output folder's state: its lock, the manifest (written whole a few times a batch, a journal
line per department in between: O(N) over a batch), stale files of a dead run, and whether a
department's outputs are current."""
from __future__ import annotations

import json
import os
import shutil
import stat
import time
from pathlib import Path
from typing import Any

from ...core.safeio import replace_atomic
from ...core.text import path_text
from ...core.version import __version__
from ...core.errors import KitError, OutputError, Problem
from ...core.vocab import RunStatus
from .plan import Job, _sha

MANIFEST = "manifest.json"
JOURNAL = ".manifest.journal"  # rows recorded since manifest.json was last written whole (JSON lines)
STATE_DIR = ".kit"  # inside --out: the lock, kernels' connection files, Dask's scratch space
LOCK_FILE = "lock"
LOCK_WAIT = 3.0  # seconds a new batch waits for the folder's lock before saying it is in use

class BatchLock:
    """One batch (or import) per output folder: ``--out/.kit/lock``, held with ``flock`` while it runs.

    The lock goes with its process (even killed by -9), so a lock file left behind by a dead
    batch is simply taken over; the file names the holder for the message. The lock is opened
    for writing, so a symlink there (``.kit`` or ``.kit/lock`` → someone's file) is refused,
    never followed (``unsafe``; ``O_NOFOLLOW`` for one made after that look).
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / LOCK_FILE
        self._fd: int | None = None

    def unsafe(self) -> Problem | None:
        """Why the lock file may not be opened (None when it may)."""
        for p in (self.path.parent, self.path):
            if p.is_symlink():
                return Problem(f"输出文件夹的锁是一个符号链接（指向 {path_text(os.readlink(p))}），不打开它"
                               "（打开时会改写它指向的文件）", file=path_text(p), expected="删除这个链接后重试")
        if os.path.lexists(self.path) and not self.path.is_file():
            return Problem("输出文件夹的锁不是普通文件", file=path_text(self.path), expected="删除它后重试")
        return None

    def acquire(self) -> None:
        problem = self.unsafe()
        if problem is not None:
            raise KitError(problem)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0),
                         0o644)
        except OSError as exc:  # ELOOP: a link put there since unsafe() looked
            raise KitError(self.unsafe() or Problem("无法打开输出文件夹的锁", file=path_text(self.path),
                                                    value=exc.strerror or str(exc))) from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise KitError(Problem("输出文件夹的锁不是普通文件", file=path_text(self.path), expected="删除它后重试"))
        try:
            import fcntl
        except ImportError:  # pragma: no cover - no flock (Windows): no lock
            fcntl = None
        # A batch killed a moment ago may still be tearing its processes down: wait a little.
        deadline = time.monotonic() + LOCK_WAIT
        while fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                holder = os.read(fd, 200).decode("utf-8", "replace").strip()
                os.close(fd)
                raise KitError(Problem("输出文件夹正被另一个批量运行使用", file=str(self.path.parent.parent),
                                       value=holder or None, expected="等它结束，或换一个 --out")) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}, started {time.strftime('%Y-%m-%d %H:%M:%S')}".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # releases the flock; the file stays (a new batch takes it over)
            self._fd = None

    def __enter__(self) -> BatchLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    """The rows of ``manifest.json``, with the journal of a run that did not finish applied (the
    rows it recorded after the manifest was last written whole)."""
    try:
        rows = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["departments"]
        found = {r["dept_code"]: r for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        found = {}
    try:
        with open(out_dir / JOURNAL, encoding="utf-8") as fh:
            for line in fh:
                try:
                    row = json.loads(line)
                    found[row["dept_code"]] = row
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a crash
    except OSError:
        pass
    return found


def write_manifest(out_dir: Path, rows: list[dict[str, Any]], refused: list[dict[str, str]] | None = None) -> None:
    """The whole manifest, atomically; the journal it now includes is removed. Written at the
    start of a batch, after its last department and when it stops: O(N) a few times a batch.
    ``refused``: the files of the parameter folders that were not read (``plan.collect_params``)."""
    doc = {"kit_version": __version__, "departments": sorted(rows, key=lambda r: r["dept_code"]),
           "refused": list(refused or [])}
    # The manifest is written even while stopping: it must say what happened.
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    try:
        replace_atomic(out_dir / MANIFEST, data)
        (out_dir / JOURNAL).unlink(missing_ok=True)
    except OSError as exc:
        raise OutputError(Problem("无法写入输出文件", file=MANIFEST, value=exc.strerror or str(exc),
                                  expected="可写且有剩余空间的输出文件夹（--out）")) from None


def append_manifest(out_dir: Path, row: dict[str, Any]) -> None:
    """One department's row appended to the journal: O(1) per department (the manifest was
    rewritten whole after every department, O(N²) over a batch)."""
    line = json.dumps(row, ensure_ascii=False) + "\n"
    try:
        with open(out_dir / JOURNAL, "a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError as exc:
        raise OutputError(Problem("无法写入输出文件", file=JOURNAL, value=exc.strerror or str(exc),
                                  expected="可写且有剩余空间的输出文件夹（--out）")) from None


def clear_stale(out_dir: Path, state_too: bool = True) -> None:
    """Remove temporary files an interrupted run left behind (never a finished report), and,
    with ``state_too``, what it kept in ``.kit/`` (kernels' connection files, Dask scratch).

    Only called while holding the folder's lock: every temporary file there is a dead run's.
    """
    try:
        for p in out_dir.iterdir():
            if p.name.startswith(".") and (p.name.endswith(".tmp") or p.name.endswith(".run.ipynb")):
                p.unlink(missing_ok=True)
    except OSError:
        pass
    state = out_dir / STATE_DIR
    if state_too and state.is_dir():
        for p in state.iterdir():
            if p.name != LOCK_FILE:
                shutil.rmtree(p, ignore_errors=True) if p.is_dir() else p.unlink(missing_ok=True)


def is_current(job: Job, previous: dict[str, Any] | None, out_dir: Path) -> bool:
    """Skipped: rendered ok from the same inputs, and every output is there as it was written."""
    if not (previous and previous.get("status") == RunStatus.OK and previous.get("fingerprint") == job.fingerprint
            and previous.get("report")):
        return False
    outputs = previous.get("outputs") or {}
    if not outputs:  # a manifest from before outputs were hashed: the page must at least exist
        return (out_dir / previous["report"]).is_file()
    return all(_sha(out_dir / name) == digest for name, digest in outputs.items())

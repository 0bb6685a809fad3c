"""Batch rendering: many departments, fault-isolated, resumable, stoppable, with a manifest.

``check_out_dir`` refuses an output folder that cannot take the batch before anything runs;
``plan_batch`` reads every parameter file once (duplicate codes, codes that differ only in
case and codes that collide with the batch's own files stop the batch before anything runs);
``run_batch`` holds the folder's lock (``BatchLock``), renders each department in a worker
process (the kit's own pool, or a Dask cluster) through the one function ``render_job``, skips
departments whose inputs and outputs are unchanged, and writes ``manifest.json`` atomically
after every department so an interrupted batch can be resumed.

The main process owns its workers and their kernels: SIGINT/SIGTERM stop them within seconds
(``BatchInterrupted``; nothing is written after the signal but the manifest), a worker ends
when the main process ends (even by kill -9, ``kit.kernels.die_with_parent``), and kernels'
connection files live in ``--out/.kit/`` (removed when the batch ends, or by the next run).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import kernels
from .text import has_surrogates, path_text
from .version import __version__
from .errors import KitError, ParamsError, Problem
from .params import Params, load_params, valid_code
from .rendering import RESERVED_CODES, OutputError, Stopped, write_atomic
from .review import review_path  # the auditor's decisions decide a report too
from .vocab import FailureKind

MANIFEST = "manifest.json"
STATE_DIR = ".kit"  # inside --out: the lock, kernels' connection files, Dask's scratch space
LOCK_FILE = "lock"
LOCK_WAIT = 3.0  # seconds a new batch waits for the folder's lock before saying it is in use
# Free space asked of --out before a batch starts: the manifest and index, plus this much for
# each department to render (a report with its notebook and JSON is ~0.5 MB).
MIN_FREE = 20 << 20
FREE_PER_DEPARTMENT = 2 << 20
# A worker still busy this long after its department's limit (export, writing) is killed.
HARD_LIMIT_GRACE = 60.0
# A Dask cluster with no worker for this long is lost: the departments not done fail.
DASK_LOST_AFTER = float(os.environ.get("KIT_DASK_LOST_AFTER", "30"))


@dataclass
class Job:
    """One department to render: everything a worker needs, as plain picklable data."""

    dept_code: str
    params_path: str  # absolute
    out_dir: str  # absolute
    timeout: float  # wall-clock seconds for the department (load, audit, notebook)
    fingerprint: str = ""
    error: str = ""  # set when the parameter file itself could not be read
    isolation: str = "warm"  # warm: the worker's reused kernel (kit.warm); fresh: a new kernel each
    params: Params | None = None  # the parameter file as read when planning (read once per batch)
    docx: bool = False  # kit render --docx: the Word report too


@dataclass
class Row:
    """One line of the manifest."""

    dept_code: str
    name: str = ""
    status: str = FailureKind.ERROR.value  # ok, or a FailureKind value
    seconds: float = 0.0
    self_total: str | None = None
    recomputed_total: str | None = None
    self_grade: str | None = None
    recomputed_grade: str | None = None
    findings: dict[str, int] = field(default_factory=dict)  # severity -> count of non-pass
    failing_checks: list[str] = field(default_factory=list)
    report: str = ""  # file name relative to the output folder
    error: str = ""
    fingerprint: str = ""
    params: str = ""
    outputs: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256 as written


class BatchInterrupted(Exception):
    """The batch was stopped by SIGINT or SIGTERM; ``rows`` is the manifest as written."""

    def __init__(self, signame: str, done: int, total: int):
        super().__init__(signame)
        self.signame, self.done, self.total = signame, done, total


class BatchHalted(Exception):
    """The output folder failed mid-batch (e.g. the disk is full); every department has a status."""

    def __init__(self, reason: str, rows: list[dict[str, Any]], manifest_written: bool):
        super().__init__(reason)
        self.reason, self.rows, self.manifest_written = reason, rows, manifest_written


# ----------------------------------------------------------------------------------------------
# Before anything runs: the output folder, the parameter files, the lock.


def check_out_dir(out: Path, departments: int = 0) -> Path:
    """Make sure ``out`` can take the batch: a folder (created if absent), writable, with room.

    Raises ``KitError`` naming the folder and what is wrong. Returns the absolute path.
    """
    out = Path(out).absolute()
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            what = "输出位置是一个文件，不是文件夹" if parent == out else f"输出路径中的 {parent} 是一个文件"
            raise KitError(Problem(what, file=str(out), expected="一个文件夹（--out）"))
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".kit-write-test.{os.getpid()}"
        probe.write_bytes(b"x")
        probe.unlink()
    except OSError as exc:
        raise KitError(Problem("输出文件夹无法写入", file=str(out), value=exc.strerror or str(exc),
                               expected="可以创建并写入文件的文件夹（--out）")) from None
    need = MIN_FREE + FREE_PER_DEPARTMENT * max(0, departments)
    try:
        free = shutil.disk_usage(out).free
    except OSError:
        free = need
    if free < need:
        raise KitError(Problem("输出文件夹所在磁盘空间不足", file=str(out), value=f"剩余 {free / 2**20:.1f} MB",
                               expected=f"至少 {need / 2**20:.0f} MB"))
    return out


def collect_params(paths: Iterable[str | Path]) -> list[Path]:
    """Parameter files named directly or found (``*.yaml``/``*.yml``) in the folders named."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(q for q in p.iterdir() if q.suffix.lower() in (".yaml", ".yml") and q.is_file()))
        elif p.is_file():
            out.append(p)
        else:
            raise KitError(Problem("找不到参数文件或文件夹", file=str(p)))
    return [p.absolute() for p in out]


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def fingerprint(params_path: Path, data_path: Path | None, extra_files: Iterable[Path]) -> str:
    """A digest of every input that decides a report: re-render only when it changes."""
    h = hashlib.sha256(__version__.encode())
    for p in (params_path, data_path, *extra_files):
        h.update(_sha(p).encode() if p else b"none")
    return h.hexdigest()


def plan_batch(paths: Iterable[str | Path], out_dir: Path, timeout: float, extra_files: Iterable[Path] = (),
               isolation: str = "warm") -> list[Job]:
    """Read every parameter file; a broken one becomes a job that only records its error.

    Raises ParamsError (before anything runs) when two files name the same dept_code, codes
    that differ only in case (their files would collide on macOS and Windows), or a code the
    batch's own files use (``index``, ``manifest``).
    """
    extra = list(extra_files)
    jobs: list[Job] = []
    seen: dict[str, Path] = {}
    refused: list[Problem] = []
    for path in collect_params(paths):
        try:
            params: Params | None = load_params(path)
            code, data = params.dept_code, params.data
            error = ""
        except KitError as exc:
            # The batch goes on: record the department under its file name.
            code = path.stem if valid_code(path.stem) else f"invalid-{hashlib.sha1(os.fsencode(path)).hexdigest()[:8]}"
            params, data, error = None, None, str(exc)
        key = code.casefold()
        if key in RESERVED_CODES:
            refused.append(Problem("部门编码与批量输出文件重名（index.html、manifest.json）", file=str(path),
                                   field="dept_code", value=code, expected="其他编码"))
            continue
        if key in seen:
            same = seen[key].name
            other = next(j.dept_code for j in jobs if j.dept_code.casefold() == key)
            what = "同一批次中部门编码重复" if other == code else "同一批次中部门编码仅大小写不同（文件名会冲突）"
            refused.append(Problem(what, file=str(path), field="dept_code", value=code,
                                   expected=f"唯一（已见于 {same}：{other}）"))
            continue
        seen[key] = path
        # A name that is not UTF-8 failed to load above; the manifest and pages name it with its bytes escaped.
        shown = str(path) if not has_surrogates(str(path)) else path_text(path)
        jobs.append(
            Job(code, shown, str(out_dir.absolute()), timeout,
                fingerprint(path, data, [*extra, review_path(path)]), error, isolation, params)
        )
    if refused:
        raise ParamsError(refused)
    return jobs


class BatchLock:
    """One batch per output folder: ``--out/.kit/lock``, held with ``flock`` while the batch runs.

    The lock goes with its process (even killed by -9), so a lock file left behind by a dead
    batch is simply taken over; the file names the holder for the message.
    """

    def __init__(self, out_dir: Path):
        self.path = out_dir / STATE_DIR / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
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
    try:
        rows = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["departments"]
        return {r["dept_code"]: r for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(out_dir: Path, rows: list[dict[str, Any]]) -> None:
    doc = {"kit_version": __version__, "departments": sorted(rows, key=lambda r: r["dept_code"])}
    # The manifest is written even while stopping: it must say what happened.
    data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
    tmp = out_dir / f".{MANIFEST}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out_dir / MANIFEST)
    except OSError as exc:
        raise OutputError(Problem("无法写入输出文件", file=MANIFEST, value=exc.strerror or str(exc),
                                  expected="可写且有剩余空间的输出文件夹（--out）")) from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass


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
    if not (previous and previous.get("status") == "ok" and previous.get("fingerprint") == job.fingerprint
            and previous.get("report")):
        return False
    outputs = previous.get("outputs") or {}
    if not outputs:  # a manifest from before outputs were hashed: the page must at least exist
        return (out_dir / previous["report"]).is_file()
    return all(_sha(out_dir / name) == digest for name, digest in outputs.items())


# ----------------------------------------------------------------------------------------------
# The batch.


def run_batch(
    jobs: list[Job],
    out_dir: Path,
    work: Callable[[Job], dict[str, Any]],
    jobs_n: int = 2,
    force: bool = False,
    executor: str = "local",
    scheduler: str | None = None,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
    final: Callable[[], Any] | None = None,
) -> list[dict[str, Any]]:
    """Render every job (skipping current ones unless ``force``); returns the manifest rows.

    ``final`` (picklable, e.g. the index page) runs once after every department is recorded,
    in one of the same workers (so it can use that worker's warm kernel); when that fails, here.

    Raises ``KitError`` when another batch holds the folder, ``BatchInterrupted`` after SIGINT
    or SIGTERM (workers and kernels stopped, manifest written), ``BatchHalted`` when the
    output folder failed mid-batch.
    """
    with BatchLock(out_dir), _Stop() as stop:
        clear_stale(out_dir)
        runtime = out_dir / STATE_DIR / f"run-{os.getpid()}"
        saved_env = os.environ.get(kernels.RUNTIME_ENV)
        os.environ[kernels.RUNTIME_ENV] = str(runtime)  # kernels' connection files (workers inherit it)
        try:
            return _run_locked(jobs, out_dir, work, jobs_n, force, executor, scheduler, progress, final, stop)
        finally:
            if saved_env is None:
                os.environ.pop(kernels.RUNTIME_ENV, None)
            else:
                os.environ[kernels.RUNTIME_ENV] = saved_env
            shutil.rmtree(runtime, ignore_errors=True)
            clear_stale(out_dir, state_too=False)


def _run_locked(jobs, out_dir, work, jobs_n, force, executor, scheduler, progress, final, stop) -> list[dict]:
    previous = read_manifest(out_dir)
    rows: dict[str, dict[str, Any]] = {}
    todo: list[Job] = []
    for job in jobs:
        if not force and is_current(job, previous.get(job.dept_code), out_dir):
            rows[job.dept_code] = {**previous[job.dept_code], "skipped": True}
            if progress:
                progress(job.dept_code, rows[job.dept_code])
        else:
            todo.append(job)
    # Rows of departments not in this batch stay in the manifest (a partial re-run).
    for code, row in previous.items():
        rows.setdefault(code, row)
    done: set[str] = set()
    halt: list[str] = []

    def record(row: dict[str, Any]) -> None:
        row.pop("skipped", None)
        if row.pop("_output_failed", False) and not halt:
            halt.append(row.get("error", ""))
        rows[row["dept_code"]] = row
        done.add(row["dept_code"])
        try:
            write_manifest(out_dir, list(rows.values()))
        except OutputError as exc:
            if not halt:
                halt.append(str(exc))
        if progress:
            progress(row["dept_code"], row)

    def not_reached(reason: str) -> bool:
        """Every department of this batch not done gets that status; returns whether written."""
        for job in todo:
            if job.dept_code not in done:
                old = previous.get(job.dept_code) or {}
                report = old.get("report", "") if (out_dir / old.get("report", "-")).is_file() else ""
                rows[job.dept_code] = asdict(Row(job.dept_code, name=old.get("name", ""),
                                                 status=FailureKind.NOT_REACHED.value, report=report, error=reason,
                                                 params=Path(job.params_path).name))
        try:
            write_manifest(out_dir, list(rows.values()))
            return True
        except OutputError:
            return False

    try:
        write_manifest(out_dir, list(rows.values()))
    except OutputError as exc:
        raise BatchHalted(str(exc), [rows.get(j.dept_code) or asdict(Row(j.dept_code, status="not_reached"))
                                     for j in jobs], False) from None
    try:
        if executor == "dask":
            _run_dask(todo, work, record, scheduler, jobs_n, final, stop, halt, out_dir)
        else:
            _run_local(todo, work, record, jobs_n, final, stop, halt)
    except _Interrupt:
        not_reached(f"批量运行被中断（{stop.signame}），此部门未运行；重新运行同一命令即可继续")
        raise BatchInterrupted(stop.signame, len(done), len(todo)) from None
    if halt:
        written = not_reached(f"输出文件夹写入失败，批量运行已停止，此部门未运行：{' '.join(halt[0].split())[:200]}")
        raise BatchHalted(halt[0], [rows[j.dept_code] for j in jobs], written)
    return [rows[j.dept_code] for j in jobs]


class _Interrupt(Exception):
    """Raised in the main loop once a stop signal has arrived."""


class _Stop:
    """SIGINT/SIGTERM handlers for the batch's lifetime: note the signal, stop the workers now."""

    def __init__(self):
        self.signame = ""
        self.on_signal: list[Callable[[], Any]] = []
        self._saved: dict[int, Any] = {}

    @property
    def requested(self) -> bool:
        return bool(self.signame)

    def check(self) -> None:
        if self.signame:
            raise _Interrupt()

    def _handler(self, signum, _frame) -> None:
        if not self.signame:
            self.signame = signal.Signals(signum).name
            for fn in self.on_signal:
                try:
                    fn()
                except Exception:  # noqa: BLE001 - stopping must go on
                    pass

    def __enter__(self) -> _Stop:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, old in self._saved.items():
            signal.signal(sig, old)


def _crash_row(job: Job, why: str, started: float, kind: FailureKind = FailureKind.ERROR) -> dict[str, Any]:
    row = Row(job.dept_code, status=kind.value, seconds=round(time.monotonic() - started, 2), error=why,
              fingerprint=job.fingerprint, params=Path(job.params_path).name)
    try:
        row.report = error_page(job, row)
    except (OutputError, Stopped):
        row.report = ""
    except Exception:  # noqa: BLE001 - the row is what matters
        row.report = ""
    return asdict(row)


# ----------------------------------------------------------------------------------------------
# The local pool: one process per worker, one department at a time, owned by this process.


def _worker_main(conn, parent_pid: int) -> None:
    """A worker: render what the main process sends until it says stop or goes away."""
    from . import warm

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the main decides

    def on_term(*_args) -> None:
        kernels.request_stop()  # kill this worker's kernels, write nothing more
        if not kernels.committing():
            os._exit(143)
        # Files of a department are being renamed into place: report them first (below).

    # The process that started this one: the main process (fork, spawn) or a fork server
    # that ends with it. The main process may already be gone.
    if parent_pid != os.getppid():
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(143)
    kernels.die_with_parent(os.getppid(), kernels.kill_all)
    signal.signal(signal.SIGTERM, on_term)
    try:
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                break
            if task is None:
                break
            fn, arg = task
            kernels.end_commit()
            try:
                result = ("ok", fn(arg) if arg is not None else fn())
            except Stopped:
                break
            except BaseException as exc:  # noqa: BLE001 - reported to the main process
                result = ("error", f"{type(exc).__name__}: {exc}")
            try:
                conn.send(result)
            except (OSError, ValueError):
                break
            kernels.end_commit()
            if kernels.stopping():  # a stop signal came while the files were committed
                os._exit(143)
    finally:
        warm.shutdown_all()
        kernels.kill_all()


class _Worker:
    def __init__(self, ctx):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid()), name="kit-worker", daemon=True)
        self.proc.start()
        child.close()
        self.job: Job | None = None
        self.started = 0.0

    def send(self, fn, arg, job: Job | None = None) -> None:
        self.job, self.started = job, time.monotonic()
        self.conn.send((fn, arg))

    def stop(self, grace: float = 2.0, drain: Callable[[dict[str, Any]], Any] | None = None) -> None:
        """Ask the worker to end now (its kernels with it); kill it if it does not.

        ``drain`` receives a department the worker finished (and sent) before it was stopped,
        so that the manifest records what is on disk.
        """
        if self.proc.is_alive():
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            self.proc.join(grace)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(grace)
        try:
            while drain is not None and self.job is not None and self.conn.poll():
                status, value = self.conn.recv()
                if status == "ok" and isinstance(value, dict):
                    self.job = None
                    drain(value)
        except (EOFError, OSError, ValueError):
            pass
        self.conn.close()

    def close(self, grace: float = 10.0) -> None:
        """Let an idle worker finish (it shuts its warm kernel down), else stop it."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.proc.join(grace)
        self.stop()


def _run_local(todo: list[Job], work, record, jobs_n: int, final, stop: _Stop, halt: list[str]) -> None:
    """The kit's pool: each department on one worker; a dead or overdue worker is replaced."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context()
    queue = deque(todo)
    workers: list[_Worker] = []

    def stop_all() -> None:
        for w in workers:
            try:
                os.kill(w.proc.pid, signal.SIGTERM)
            except (ProcessLookupError, TypeError):
                pass

    stop.on_signal.append(stop_all)
    try:
        workers.extend(_Worker(ctx) for _ in range(max(1, min(jobs_n, len(queue) or 1))))
        while True:
            stop.check()
            if halt:
                queue.clear()
            for i, w in enumerate(workers):
                if w.job is None and queue:
                    job = queue.popleft()
                    try:
                        w.send(work, job, job)
                    except (OSError, ValueError):  # the idle worker died: a new one takes the department
                        w.stop()
                        workers[i] = _Worker(ctx)
                        workers[i].send(work, job, job)
            busy = [w for w in workers if w.job is not None]
            if not busy:
                break
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=0.2)
            stop.check()
            for i, w in enumerate(list(workers)):
                job = w.job
                if job is None:
                    continue
                if w.conn in ready or w.conn.poll():
                    try:
                        status, value = w.conn.recv()
                    except (EOFError, OSError):
                        status, value = "crash", "渲染进程异常退出"
                    if status == "ok":
                        w.job = None
                        record(value)
                        continue
                    why = f"渲染进程出错：{value}" if status == "error" else value
                elif not w.proc.is_alive():
                    why = f"渲染进程异常退出（退出码 {w.proc.exitcode}）"
                elif time.monotonic() - w.started > job.timeout + HARD_LIMIT_GRACE:
                    w.stop()
                    workers[i] = _Worker(ctx)
                    record(_crash_row(job, f"超过时限（{job.timeout:g} 秒）后仍未结束，已终止", w.started,
                                      FailureKind.TIMEOUT))
                    continue
                else:
                    continue
                # A worker that crashed (e.g. killed for memory) is replaced; its department fails.
                w.stop()
                workers[i] = _Worker(ctx)
                record(_crash_row(job, why, w.started))
        if final is not None and not halt:
            _final_on_worker(workers, final, stop)
    finally:
        stop.on_signal.remove(stop_all)
        if stop.requested:
            for w in workers:
                w.stop(drain=record)
        else:
            for w in workers:
                w.close()


def _final_on_worker(workers: list[_Worker], final, stop: _Stop) -> None:
    """Run ``final`` on a worker (its warm kernel); here when that worker fails."""
    from multiprocessing.connection import wait

    w = workers[0]
    try:
        w.send(final, None)
        while True:
            stop.check()
            if wait([w.conn, w.proc.sentinel], timeout=0.2):
                status, _value = w.conn.recv()
                w.job = None
                if status == "ok":
                    return
                break
    except (EOFError, OSError):
        pass
    stop.check()
    final()


# ----------------------------------------------------------------------------------------------
# Dask: the same per-department function on a cluster.


def connect_dask(scheduler: str | None, jobs_n: int, out_dir: Path):
    """A Dask client (and the LocalCluster it started, or None); ``KitError`` when unreachable."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise KitError(
            Problem("未安装 Dask：--executor dask 需要 dask[distributed]", expected="pip install 'audit-notebook-kit[dask]'")
        ) from None
    if not scheduler:
        # Scratch space inside --out/.kit (removed with the batch), not in the working folder.
        cluster = LocalCluster(n_workers=max(1, jobs_n), threads_per_worker=1, processes=True, dashboard_address=None,
                               local_directory=str(out_dir / STATE_DIR / f"dask-{os.getpid()}"))
        return Client(cluster), cluster
    try:
        return Client(scheduler, timeout=5), None
    except Exception as exc:  # noqa: BLE001 - ValueError (not an address), OSError, TimeoutError
        raise KitError(Problem("无法连接 Dask 调度器", value=scheduler, expected="可访问的调度器地址，例如 tcp://scheduler:8786"
                               f"（{type(exc).__name__}: {' '.join(str(exc).split())[:200]}）")) from None


def _dask_task(work, job: Job, stop_file: str):
    """On a Dask worker: render ``job``, stopping (writing nothing more) when the batch is stopped.

    The main process says stop by creating ``stop_file`` in ``--out/.kit`` (the workers write
    their reports into ``--out``, so they see that folder).
    """
    kernels.clear_stop()  # a worker process runs many tasks: this one starts unstopped
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.25):
            if os.path.exists(stop_file):
                kernels.request_stop()
                return

    threading.Thread(target=watch, daemon=True).start()
    try:
        if os.path.exists(stop_file):
            raise Stopped()
        return work(job)
    finally:
        finished.set()


def _shutdown_worker_kernels() -> int:
    """On a Dask worker: stop its warm kernels (they end with the batch)."""
    from . import warm

    warm.shutdown_all()
    return kernels.kill_all()


def _run_dask(todo: list[Job], work, record, scheduler: str | None, jobs_n: int, final, stop: _Stop,
              halt: list[str], out_dir: Path) -> None:
    from dask.distributed import as_completed

    if not todo and final is None:
        return
    client, cluster = connect_dask(scheduler, jobs_n, out_dir)
    batch_id = f"{os.getpid()}-{time.time_ns()}"
    stop_file = out_dir / STATE_DIR / f"stop-{batch_id}"
    futures: dict = {}
    lost = False
    try:
        futures = {client.submit(_dask_task, work, job, str(stop_file), pure=False,
                                 key=f"render-{job.dept_code}-{batch_id}"): job for job in todo}
        pending = set(futures)
        started = time.monotonic()
        no_workers_since: float | None = None
        done_iter = as_completed(futures)
        while pending:
            stop.check()
            if halt:
                break
            batch = done_iter.next_batch(block=False) if hasattr(done_iter, "next_batch") else []
            for fut in batch:
                pending.discard(fut)
                job = futures[fut]
                try:
                    record(fut.result())
                except Exception as exc:  # noqa: BLE001 - a lost worker is one department's failure
                    record(_crash_row(job, f"Dask 工作进程异常：{type(exc).__name__}: {exc}", started))
            if batch:
                continue
            time.sleep(0.2)
            try:  # a client that lost its scheduler is reconnecting or closed
                workers = len(client.scheduler_info().get("workers", {})) if client.status == "running" else 0
            except Exception:  # noqa: BLE001 - the scheduler itself is gone
                workers = 0
            if workers:
                no_workers_since = None
            elif no_workers_since is None:
                no_workers_since = time.monotonic()
            elif time.monotonic() - no_workers_since > DASK_LOST_AFTER:
                lost = True
                for fut in list(pending):
                    record(_crash_row(futures[fut], f"Dask 集群已无可用的工作进程（{DASK_LOST_AFTER:g} 秒），此部门未完成",
                                      started))
                    pending.discard(fut)
                break
        if final is not None and not halt and not stop.requested:
            try:
                if lost:
                    raise RuntimeError("cluster lost")
                client.submit(final, pure=False).result(timeout=600)
            except Exception:  # noqa: BLE001 - e.g. the worker or the cluster was lost: run it here
                final()
    finally:
        try:
            if stop.requested or halt or lost:
                stop_file.write_bytes(b"")
                client.cancel(list(futures))
            if not lost:
                client.run(_shutdown_worker_kernels)  # kernels end with the batch
        except Exception:  # noqa: BLE001 - a lost cluster has no kernels left to stop
            pass
        try:
            client.close(timeout=10)
        except Exception:  # noqa: BLE001 - closing a client whose scheduler is gone
            pass
        if cluster is not None:
            cluster.close()
            shutil.rmtree(out_dir / STATE_DIR / f"dask-{os.getpid()}", ignore_errors=True)


# ----------------------------------------------------------------------------------------------
# One department (in a worker).


def render_job(job: Job) -> dict[str, Any]:
    """Render one department in this (worker) process; returns a manifest row.

    Never raises for the department's own faults (they are its row); raises ``Stopped`` when
    this process is stopping. A row whose files could not be written says so
    (``_output_failed``): the main process then stops the batch.
    """
    started = time.monotonic()
    row = Row(job.dept_code, fingerprint=job.fingerprint, params=Path(job.params_path).name)
    if job.error:
        row.error = job.error
        return _finish(row, started, job, page=True)
    try:
        from .rendering import render

        result = render(job.params or job.params_path, job.out_dir, timeout=job.timeout, isolation=job.isolation,
                        docx=job.docx)
    except Stopped:
        raise
    except OutputError as exc:
        row.error = str(exc)
        return {**_finish(row, started, job), "_output_failed": True}
    except KitError as exc:
        row.error = str(exc)
        return _finish(row, started, job, page=True)
    except Exception as exc:  # noqa: BLE001 - one department's crash is its own row
        row.error = f"{type(exc).__name__}: {exc}"
        return _finish(row, started, job, page=True)
    row.report = result.html.name
    row.status = "ok" if result.failure_kind is None else result.failure_kind.value
    row.error = result.failure
    row.outputs = dict(result.outputs)
    if result.audit is not None:
        _fill_from_audit(row, result.audit)
    return _finish(row, started, job)


def _fill_from_audit(row: Row, doc: dict[str, Any]) -> None:
    dept = doc.get("department", {})
    row.name = dept.get("name", "")
    totals, grade = doc.get("totals", {}), doc.get("grade", {})
    row.self_total, row.recomputed_total = totals.get("self"), totals.get("recomputed")
    row.self_grade, row.recomputed_grade = grade.get("self"), grade.get("recomputed")
    from .checks import all_checks

    titles = {c.id: c.title for c in all_checks()}
    from .audit import FORMAT_CHECKS, summarise

    failing: list[str] = []
    for f in doc.get("findings", []):
        if (f.get("status") == "fail" and f.get("severity") in ("error", "warning") and f.get("decision") != "rejected"
                and f.get("check_id") not in FORMAT_CHECKS):  # format notes are not problems
            failing.append(f"{f.get('check_id')} {titles.get(f.get('check_id'), '')}".strip())
    # The counts the department's page shows (kit.audit.summarise): problems by severity, then
    # 无法核实, 格式与解析说明 and the reviewer's decisions (待定 = awaiting one).
    sm = summarise(doc.get("findings", []), doc.get("scores", []), doc.get("missing_inputs", []))
    row.findings = {**sm["problems"], "unverifiable": sm["unverifiable"], "format": sm["format"],
                    **{f"review_{k}": v for k, v in sm["review"].items()}}
    row.failing_checks = sorted(set(failing))


def _finish(row: Row, started: float, job: Job, page: bool = False) -> dict[str, Any]:
    """Complete a row: no local folders in its error text; an error page when none was rendered.

    The department's name comes from its audit; a department that failed before it keeps
    none (reading its data again here would escape the wall-clock limit).
    """
    from .rendering import scrub_paths

    row.seconds = round(time.monotonic() - started, 2)
    row.error = scrub_paths(row.error, [str(Path(job.params_path).parent), job.out_dir])
    if page:
        try:
            row.report = error_page(job, row)
        except OutputError as exc:
            row.report = ""
            row.error = f"{row.error}\n{exc}"
            return {**asdict(row), "_output_failed": True}
    return asdict(row)


def error_page(job: Job, row: Row) -> str:
    """A page for a department that could not be rendered at all, saying why; returns its name."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    from .rendering import now_text
    from .report.export import export_html

    nb = new_notebook(cells=[new_markdown_cell("## 生成失败\n\n本部门的审核报告未能生成，原因见上方说明。修正后重新运行批量生成即可。")])
    nb.metadata["kit"] = {
        "department": row.name or job.dept_code, "code": job.dept_code, "year": "", "status": "failed",
        "status_label": "生成失败", "failure": row.error, "kit_version": __version__,
        "data_file": "", "data_sha256": "", "render_time": now_text(), "params_file": row.params,
        "rules": "", "grade": "",
    }
    nb.metadata["title"] = f"{row.name or job.dept_code} 审核报告生成失败"
    name = f"{job.dept_code}.html"
    page = export_html(nb, extra_paths=[str(Path(job.params_path).parent), job.out_dir])
    row.outputs = {name: write_atomic(Path(job.out_dir) / name, page.encode("utf-8"))}
    return name


def render_index(out_dir: Path, render_time: str, timeout: float = 300, isolation: str = "fresh") -> Path:
    """Execute ``notebooks/portfolio.ipynb`` over the manifest and export ``index.html``.

    ``isolation="warm"`` runs it on this process's warm kernel (``kit.warm``).
    """
    import nbformat

    from .rendering import clean_metadata, execute_notebook, locate_notebook
    from .report.export import export_html

    notebook = locate_notebook("portfolio.ipynb")
    rows = read_manifest(out_dir)
    tmp_nb = out_dir / f".index.{os.getpid()}.run.ipynb"
    try:
        # Relative paths only: the executed notebook must not carry this machine's folders.
        execute_notebook(notebook, tmp_nb, {"manifest_file": MANIFEST, "render_time": render_time}, out_dir,
                         timeout=timeout, isolation=isolation)
    except Exception:  # noqa: BLE001 - the page shows papermill's error banner instead
        pass
    if kernels.stopping():
        tmp_nb.unlink(missing_ok=True)
        raise Stopped()
    nb = nbformat.read(tmp_nb if tmp_nb.exists() else notebook, as_version=4)
    tmp_nb.unlink(missing_ok=True)
    ok = sum(1 for r in rows.values() if r.get("status") == "ok")
    nb.metadata["kit"] = {
        "kind": "portfolio", "title": "批量复核汇总", "count": len(rows), "ok": ok, "failed": len(rows) - ok,
        "kit_version": __version__, "render_time": render_time,
    }
    nb.metadata["title"] = "部门整体支出绩效自评复核 · 批量汇总"
    clean_metadata(nb, notebook.name, "index.ipynb")
    page = export_html(nb, extra_paths=[str(out_dir.absolute())])
    write_atomic(out_dir / "index.html", page.encode("utf-8"))
    write_atomic(out_dir / "index.ipynb", nbformat.writes(nb).encode("utf-8"))
    return out_dir / "index.html"

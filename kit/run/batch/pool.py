"""The batch's run: the lock held, each department rendered by the kit's own worker pool (or
Dask, ``daskrun``), SIGINT/SIGTERM stopping workers and kernels within seconds."""
from __future__ import annotations

import os
import shutil
import signal
import time
from collections import deque
from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable, Sequence

from .. import kernels
from ...core.errors import BatchHalted, BatchInterrupted, OutputError, Stopped
from ...core.vocab import FailureKind
from .daskrun import _run_dask
from .manifest import STATE_DIR, BatchLock, append_manifest, clear_stale, is_current, read_manifest, write_manifest
from .plan import HARD_LIMIT_GRACE, Job, Row
from .stop import _crash_row, _Interrupt, _Stop

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
    finals: Sequence[Callable[[], Any]] = (),
    refused: list[dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Render every job (skipping current ones unless ``force``); returns the manifest rows.

    ``finals`` (picklable, e.g. the index page and the batch's 问题清单) run once each after every
    department is recorded, side by side on the same workers (so each can use its worker's warm
    kernel); one whose worker fails runs here.
    ``refused`` (the files of the parameter folders not read) goes into the manifest for the index.

    Raises ``KitError`` when another batch holds the folder, ``BatchInterrupted`` after SIGINT
    or SIGTERM (workers and kernels stopped, manifest written), ``BatchHalted`` when the
    output folder failed mid-batch.
    """
    if executor == "dask" and any(j.isolation == "inline" for j in jobs):
        # Dask runs a task in a thread of its worker: cells there could not be stopped at the limit.
        raise ValueError("isolation 'inline' needs the kit's own pool, not Dask")
    with BatchLock(out_dir), _Stop() as stop:
        clear_stale(out_dir)
        runtime = out_dir / STATE_DIR / f"run-{os.getpid()}"
        saved_env = os.environ.get(kernels.RUNTIME_ENV)
        os.environ[kernels.RUNTIME_ENV] = str(runtime)  # kernels' connection files (workers inherit it)
        try:
            return _run_locked(jobs, out_dir, work, jobs_n, force, executor, scheduler, progress, finals, stop,
                               refused or [])
        finally:
            if saved_env is None:
                os.environ.pop(kernels.RUNTIME_ENV, None)
            else:
                os.environ[kernels.RUNTIME_ENV] = saved_env
            shutil.rmtree(runtime, ignore_errors=True)
            clear_stale(out_dir, state_too=False)


def _run_locked(jobs, out_dir, work, jobs_n, force, executor, scheduler, progress, finals, stop,
                refused) -> list[dict]:
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
            append_manifest(out_dir, row)
            if len(done) == len(todo):  # the last one: the whole manifest, before the index reads it
                write_manifest(out_dir, list(rows.values()), refused)
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
                                                 status=FailureKind.NOT_REACHED, report=report, error=reason,
                                                 params=Path(job.params_path).name))
        try:
            write_manifest(out_dir, list(rows.values()), refused)
            return True
        except OutputError:
            return False

    try:
        write_manifest(out_dir, list(rows.values()), refused)
    except OutputError as exc:
        raise BatchHalted(str(exc), [rows.get(j.dept_code) or asdict(Row(j.dept_code, status=FailureKind.NOT_REACHED))
                                     for j in jobs], False) from None
    try:
        if executor == "dask":
            _run_dask(todo, work, record, scheduler, jobs_n, finals, stop, halt, out_dir)
        else:
            _run_local(todo, work, record, jobs_n, finals, stop, halt)
    except _Interrupt:
        not_reached(f"批量运行被中断（{stop.signame}），此部门未运行；重新运行同一命令即可继续")
        raise BatchInterrupted(stop.signame, len(done), len(todo)) from None
    if halt:
        written = not_reached(f"输出文件夹写入失败，批量运行已停止，此部门未运行：{' '.join(halt[0].split())[:200]}")
        raise BatchHalted(halt[0], [rows[j.dept_code] for j in jobs], written)
    return [rows[j.dept_code] for j in jobs]


# ----------------------------------------------------------------------------------------------
# The local pool: one process per worker, one department at a time, owned by this process.

# A worker's answer: the task's value, or the text of what it raised; RETIRED: the value, and the
# worker ends (its process ran a department's cells that failed: ``rendering.worker_tainted``).
DONE, RAISED, RETIRED = "done", "raised", "retired"


def _worker_main(conn, parent_pid: int, isolation: str | None = None) -> None:
    """A worker: render what the main process sends until it says stop or goes away; with
    ``isolation``, prepared for its departments first (``rendering.prepare_worker``)."""
    def on_term(_signame: str) -> None:
        try:
            kernels.request_stop()  # kill this worker's kernels, write nothing more
        finally:
            # Even if a cell's timeout was raised into this handler (kit.run.inline), the worker ends.
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
    # SIGTERM from the main process (or Ctrl-C, which reaches the whole group; the main stops
    # the workers then too) ends this worker now, unless it is reporting files it renamed.
    with kernels.on_stop_signals(on_term):
        _serve(conn, isolation)


def _serve(conn, isolation: str | None = None) -> None:
    """The worker's loop: each task's answer is (``DONE``, value) or (``RAISED``, text), or
    (``RETIRED``, value) when the cells it ran failed in this process: it then ends."""
    from .. import warm
    from ..rendering import worker_tainted

    try:
        if isolation is not None:
            from ..rendering import prepare_worker

            try:
                prepare_worker(isolation)
            except Exception:  # noqa: BLE001 - the first department starts its kernel again and says why not
                pass
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
                result = (DONE, fn(arg) if arg is not None else fn())
            except Stopped:
                break
            except BaseException as exc:  # noqa: BLE001 - reported to the main process
                result = (RAISED, f"{type(exc).__name__}: {exc}")
            retire = worker_tainted()
            if retire and result[0] == DONE:
                result = (RETIRED, result[1])
            try:
                conn.send(result)
            except (OSError, ValueError):
                break
            kernels.end_commit()
            if kernels.stopping():  # a stop signal came while the files were committed
                os._exit(143)
            if retire:
                break
    finally:
        warm.shutdown_all()
        kernels.kill_all()


class _Worker:
    def __init__(self, ctx, isolation: str | None = None):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, os.getpid(), isolation), name="kit-worker",
                                daemon=True)
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
                tag, value = self.conn.recv()
                if tag == DONE and isinstance(value, dict):
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


def _run_local(todo: list[Job], work, record, jobs_n: int, finals, stop: _Stop, halt: list[str]) -> None:
    """The kit's pool: each department on one worker; a dead or overdue worker is replaced."""
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context()
    queue = deque(todo)
    workers: list[_Worker] = []
    isolation = todo[0].isolation if todo else None

    def new_worker() -> _Worker:
        return _Worker(ctx, isolation)

    def stop_all() -> None:
        for w in workers:
            try:
                os.kill(w.proc.pid, signal.SIGTERM)
            except (ProcessLookupError, TypeError):
                pass

    stop.on_signal.append(stop_all)
    try:
        workers.extend(new_worker() for _ in range(max(1, min(jobs_n, len(queue) or 1))))
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
                        workers[i] = new_worker()
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
                tag = ""
                if w.conn in ready or w.conn.poll():
                    try:
                        tag, value = w.conn.recv()
                    except (EOFError, OSError):
                        tag, value = "", "渲染进程异常退出"
                    if tag in (DONE, RETIRED):
                        w.job = None
                        if tag == RETIRED:  # it ends now: a new worker takes the next department
                            w.close()
                            workers[i] = new_worker()
                        record(value)
                        continue
                    why = f"渲染进程出错：{value}" if tag == RAISED else value
                elif not w.proc.is_alive():
                    why = f"渲染进程异常退出（退出码 {w.proc.exitcode}）"
                elif time.monotonic() - w.started > job.timeout + HARD_LIMIT_GRACE:
                    w.stop()
                    workers[i] = new_worker()
                    record(_crash_row(job, f"超过时限（{job.timeout:g} 秒）后仍未结束，已终止", w.started,
                                      FailureKind.TIMEOUT))
                    continue
                else:
                    continue
                # A worker that crashed (e.g. killed for memory) is replaced; its department fails.
                # Inline, the cells ran in it: the notebook's process died, as a kernel dies.
                died = tag != RAISED and job.isolation == "inline"
                w.stop()
                workers[i] = new_worker()
                record(_crash_row(job, f"运行笔记本的工作进程异常退出（退出码 {w.proc.exitcode}）" if died else why, w.started,
                                  FailureKind.KERNEL_DIED if died else FailureKind.ERROR))
        if finals and not halt:
            _finals_on_workers(workers, finals, stop)
    finally:
        stop.on_signal.remove(stop_all)
        if stop.requested:
            for w in workers:
                w.stop(drain=record)
        else:
            for w in workers:
                w.close()


def _finals_on_workers(workers: list[_Worker], finals, stop: _Stop) -> None:
    """Run each of ``finals`` on a worker (its warm kernel), side by side; here each one whose
    worker fails."""
    from multiprocessing.connection import wait

    queue = deque(finals)
    running: dict[_Worker, Callable[[], Any]] = {}
    here: list[Callable[[], Any]] = []
    while queue or running:
        for w in workers:
            if queue and w not in running and w.proc.is_alive():
                fn = queue.popleft()
                try:
                    w.send(fn, None)
                    running[w] = fn
                except (OSError, ValueError):
                    here.append(fn)
        if not running:
            here.extend(queue)
            break
        stop.check()
        ready = wait([w.conn for w in running] + [w.proc.sentinel for w in running], timeout=0.2)
        for w in [w for w in running if w.conn in ready or w.proc.sentinel in ready]:
            try:
                tag, _value = w.conn.recv()
            except (EOFError, OSError):
                tag = ""
            w.job = None
            fn = running.pop(w)
            if tag not in (DONE, RETIRED):
                here.append(fn)
    stop.check()
    for fn in here:
        fn()


# ----------------------------------------------------------------------------------------------

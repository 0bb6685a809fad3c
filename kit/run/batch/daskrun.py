"""The Dask adapter: the same department job on a Dask cluster (``--executor dask``)."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

from .. import kernels
from ...core.errors import KitError, Problem, Stopped
from .manifest import STATE_DIR
from .plan import DASK_LOST_AFTER, Job
from .stop import _crash_row, _Stop

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
    from .. import warm

    warm.shutdown_all()
    return kernels.kill_all()


def _run_dask(todo: list[Job], work, record, scheduler: str | None, jobs_n: int, finals, stop: _Stop,
              halt: list[str], out_dir: Path) -> None:
    from dask.distributed import as_completed

    if not todo and not finals:
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
        if finals and not halt and not stop.requested:
            submitted = [] if lost else [(fn, client.submit(fn, pure=False)) for fn in finals]
            for fn, fut in submitted or [(fn, None) for fn in finals]:
                try:
                    if fut is None:
                        raise RuntimeError("cluster lost")
                    fut.result(timeout=600)
                except Exception:  # noqa: BLE001 - e.g. the worker or the cluster was lost: run it here
                    fn()
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

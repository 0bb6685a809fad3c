"""Batch rendering: many departments, fault-isolated, resumable, stoppable, with a manifest.

``check_out_dir`` refuses an output folder that cannot take the batch before anything runs;
``plan_batch`` reads every parameter file once (duplicate codes, codes that differ only in
case and codes that collide with the batch's own files stop the batch before anything runs);
``run_batch`` holds the folder's lock (``BatchLock``), renders each department in a worker
process (the kit's own pool, or a Dask cluster) through the one function ``render_job``, skips
departments whose inputs and outputs are unchanged, and records each department in the
manifest as it finishes (a journal line; ``manifest.json`` written whole at the start, after
the last department and when stopping) so an interrupted batch can be resumed.

The main process owns its workers and their kernels: SIGINT/SIGTERM stop them within seconds
(``BatchInterrupted``; nothing is written after the signal but the manifest), a worker ends
when the main process ends (even by kill -9, ``kit.run.kernels.die_with_parent``), and kernels'
connection files live in ``--out/.kit/`` (removed when the batch ends, or by the next run).

The rooms: ``plan`` (jobs, the folder checked, rows), ``manifest`` (lock, manifest and journal,
stale files, current outputs), ``pool`` (the run and the kit's worker pool), ``daskrun`` (the
same on Dask), ``stop`` (signals), ``job`` (one department's job; the index page and the batch's 问题清单). This module
names what the rest of the kit uses.
"""
from __future__ import annotations

from ...core.errors import BatchHalted, BatchInterrupted
from .daskrun import connect_dask
from .job import BATCH_TRACKING, error_page, render_index, render_job, write_batch_tracking
from .manifest import (
    JOURNAL, LOCK_FILE, LOCK_WAIT, MANIFEST, STATE_DIR, BatchLock, append_manifest, clear_stale, is_current,
    read_manifest, write_manifest,
)
from .plan import (
    DASK_LOST_AFTER, FREE_PER_DEPARTMENT, HARD_LIMIT_GRACE, MIN_FREE, Job, Row,
    check_out_dir, collect_params, fingerprint, plan_batch,
)
from .pool import run_batch

__all__ = [
    "BATCH_TRACKING", "BatchHalted", "BatchInterrupted", "BatchLock", "DASK_LOST_AFTER", "FREE_PER_DEPARTMENT", "HARD_LIMIT_GRACE",
    "JOURNAL", "Job", "LOCK_FILE", "LOCK_WAIT", "MANIFEST", "MIN_FREE", "Row", "STATE_DIR", "append_manifest",
    "check_out_dir", "clear_stale", "collect_params", "connect_dask", "error_page", "fingerprint", "is_current",
    "plan_batch", "read_manifest", "render_index", "render_job", "run_batch", "write_batch_tracking", "write_manifest",
]

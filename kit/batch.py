"""Batch rendering: many departments, fault-isolated, resumable, with a manifest.

``plan_batch`` reads every parameter file first (duplicate codes stop the batch before
anything runs); ``run_batch`` renders each department in a worker process (a local process
pool, or a Dask cluster) through the one function ``kit.render.render_job``, skips departments
whose inputs are unchanged, and writes ``manifest.json`` atomically after every department so
an interrupted batch can be resumed.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from . import __version__
from .errors import KitError, ParamsError, Problem
from .params import load_params, valid_code
from .render import write_atomic

MANIFEST = "manifest.json"


@dataclass
class Job:
    """One department to render: everything a worker needs, as plain picklable data."""

    dept_code: str
    params_path: str  # absolute
    out_dir: str  # absolute
    timeout: float
    fingerprint: str = ""
    error: str = ""  # set when the parameter file itself could not be read
    isolation: str = "warm"  # warm: the worker's reused kernel (kit.warm); fresh: a new kernel each


@dataclass
class Row:
    """One line of the manifest."""

    dept_code: str
    name: str = ""
    status: str = "error"  # ok | error | timeout | kernel_died | skipped
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

    Raises ParamsError when two files name the same dept_code (before anything runs).
    """
    extra = list(extra_files)
    jobs: list[Job] = []
    seen: dict[str, Path] = {}
    dupes: list[Problem] = []
    for path in collect_params(paths):
        try:
            params = load_params(path)
            code, data = params.dept_code, params.data
            error = ""
        except KitError as exc:
            # The batch goes on: record the department under its file name.
            code = path.stem if valid_code(path.stem) else f"invalid-{hashlib.sha1(str(path).encode()).hexdigest()[:8]}"
            data, error = None, str(exc)
        if code in seen:
            dupes.append(
                Problem("同一批次中部门编码重复", file=str(path), field="dept_code", value=code, expected=f"唯一（已见于 {seen[code].name}）")
            )
            continue
        seen[code] = path
        jobs.append(
            Job(code, str(path), str(out_dir.absolute()), timeout, fingerprint(path, data, extra), error, isolation)
        )
    if dupes:
        raise ParamsError(dupes)
    return jobs


def read_manifest(out_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        rows = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["departments"]
        return {r["dept_code"]: r for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def write_manifest(out_dir: Path, rows: list[dict[str, Any]]) -> None:
    doc = {"kit_version": __version__, "departments": sorted(rows, key=lambda r: r["dept_code"])}
    write_atomic(out_dir / MANIFEST, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))


def clear_stale(out_dir: Path) -> None:
    """Remove temporary files an interrupted run left behind (never a finished report)."""
    for p in out_dir.iterdir():
        if p.name.startswith(".") and (p.name.endswith(".tmp") or p.name.endswith(".run.ipynb")):
            p.unlink(missing_ok=True)


def is_current(job: Job, previous: dict[str, Any] | None, out_dir: Path) -> bool:
    """A department is skipped when it rendered ok from the same inputs and its report exists."""
    return bool(
        previous
        and previous.get("status") == "ok"
        and previous.get("fingerprint") == job.fingerprint
        and previous.get("report")
        and (out_dir / previous["report"]).is_file()
    )


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
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_stale(out_dir)
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

    def record(row: dict[str, Any]) -> None:
        row.pop("skipped", None)
        rows[row["dept_code"]] = row
        write_manifest(out_dir, list(rows.values()))
        if progress:
            progress(row["dept_code"], row)

    write_manifest(out_dir, list(rows.values()))
    if executor == "dask":
        _run_dask(todo, work, record, scheduler, jobs_n, final)
    else:
        _run_local(todo, work, record, jobs_n, final)
    return [rows[j.dept_code] for j in jobs]


def _crash_row(job: Job, exc: BaseException, started: float) -> dict[str, Any]:
    # A worker that died (e.g. killed for memory) must not stop the batch.
    return asdict(
        Row(job.dept_code, status="error", seconds=round(time.monotonic() - started, 2),
            error=f"渲染进程异常退出：{type(exc).__name__}: {exc}", fingerprint=job.fingerprint, params=Path(job.params_path).name)
    )


def _run_final(final, pool=None) -> None:
    if final is None:
        return
    if pool is not None:
        try:
            pool.submit(final).result()
            return
        except Exception:  # noqa: BLE001 - a broken pool: run it here instead
            pass
    final()


def _run_local(todo: list[Job], work, record, jobs_n: int, final=None) -> None:
    """A process pool; if a worker process dies, the pool is rebuilt and unfinished jobs retried once."""
    attempts: dict[str, int] = {}
    pending = list(todo)
    if not pending:
        _run_final(final)
        return
    while pending:
        retry: list[Job] = []
        with ProcessPoolExecutor(max_workers=max(1, jobs_n)) as pool:
            futures = {}
            for job in pending:
                attempts[job.dept_code] = attempts.get(job.dept_code, 0) + 1
                futures[pool.submit(work, job)] = (job, time.monotonic())
            remaining = set(futures)
            while remaining:
                done, remaining = wait(remaining, return_when=FIRST_COMPLETED)
                for fut in done:
                    job, started = futures[fut]
                    try:
                        record(fut.result())
                    except Exception as exc:  # noqa: BLE001 - BrokenProcessPool and friends
                        # Which worker died is unknown: every unfinished job gets one more try.
                        if attempts[job.dept_code] < 2:
                            retry.append(job)
                        else:
                            record(_crash_row(job, exc, started))
            if not retry:
                _run_final(final, pool)
        pending = retry


def _run_dask(todo: list[Job], work, record, scheduler: str | None, jobs_n: int, final=None) -> None:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise KitError(
            Problem("未安装 Dask：--executor dask 需要 dask[distributed]", expected="pip install 'audit-notebook-kit[dask]'")
        ) from None
    if not todo:
        _run_final(final)
        return
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, jobs_n), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        futures = {client.submit(work, job, pure=False, key=f"render-{job.dept_code}"): job for job in todo}
        for fut in as_completed(futures):
            job = futures[fut]
            try:
                record(fut.result())
            except Exception as exc:  # noqa: BLE001 - a lost worker is one department's failure
                record(_crash_row(job, exc, time.monotonic()))
        if final is not None:
            try:
                client.submit(final, pure=False).result()
            except Exception:  # noqa: BLE001 - e.g. the worker was lost: run it here
                final()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def render_job(job: Job) -> dict[str, Any]:
    """Render one department in this (worker) process; never raises, returns a manifest row."""
    started = time.monotonic()
    row = Row(job.dept_code, fingerprint=job.fingerprint, params=Path(job.params_path).name)
    if job.error:
        row.error = job.error
        return _finish(row, started, job, page=True)
    try:
        from .render import render

        result = render(job.params_path, job.out_dir, timeout=job.timeout, isolation=job.isolation)
    except KitError as exc:
        row.error = str(exc)
        return _finish(row, started, job, page=True)
    except Exception as exc:  # noqa: BLE001 - one department's crash is its own row
        row.error = f"{type(exc).__name__}: {exc}"
        return _finish(row, started, job, page=True)
    row.report = result.html.name
    row.status = "ok" if result.ok else _failure_status(result.error_type, result.failure)
    row.error = result.failure
    if result.json and result.json.is_file():
        _fill_from_audit(row, json.loads(result.json.read_text(encoding="utf-8")))
    return _finish(row, started, job)


def _failure_status(error_type: str, failure: str) -> str:
    text = f"{error_type} {failure}"
    if "Timeout" in text:  # nbclient's CellTimeoutError, TimeoutError
        return "timeout"
    if "DeadKernel" in text or "kernel died" in text.lower():
        return "kernel_died"
    return "error"


def _fill_from_audit(row: Row, doc: dict[str, Any]) -> None:
    dept = doc.get("department", {})
    row.name = dept.get("name", "")
    totals, grade = doc.get("totals", {}), doc.get("grade", {})
    row.self_total, row.recomputed_total = totals.get("self"), totals.get("recomputed")
    row.self_grade, row.recomputed_grade = grade.get("self"), grade.get("recomputed")
    from .checks import all_checks

    titles = {c.id: c.title for c in all_checks()}
    counts: dict[str, int] = {}
    failing: list[str] = []
    for f in doc.get("findings", []):
        if f.get("status") != "pass":
            counts[f.get("severity", "")] = counts.get(f.get("severity", ""), 0) + 1
        if f.get("status") == "fail" and f.get("severity") in ("error", "warning"):
            failing.append(f"{f.get('check_id')} {titles.get(f.get('check_id'), '')}".strip())
    row.findings = counts
    row.failing_checks = sorted(set(failing))


def _finish(row: Row, started: float, job: Job, page: bool = False) -> dict[str, Any]:
    """Complete a row: no local folders in its error text; an error page when none was rendered."""
    from .render import scrub_paths

    row.seconds = round(time.monotonic() - started, 2)
    if not row.name:
        row.name = _name_from_data(job)
    row.error = scrub_paths(row.error, [str(Path(job.params_path).parent), job.out_dir])
    if page:
        row.report = error_page(job, row)
    return asdict(row)


def error_page(job: Job, row: Row) -> str:
    """A page for a department that could not be rendered at all, saying why; returns its name."""
    from nbformat.v4 import new_markdown_cell, new_notebook

    from .render import now_text
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
    write_atomic(Path(job.out_dir) / name, page.encode("utf-8"))
    return name


def _name_from_data(job: Job) -> str:
    try:
        from .load import open_path

        return open_path(job.params_path)[1].name
    except Exception:  # noqa: BLE001 - the name is a courtesy; the error is already recorded
        return ""


def render_index(out_dir: Path, render_time: str, timeout: float = 300, isolation: str = "fresh") -> Path:
    """Execute ``notebooks/portfolio.ipynb`` over the manifest and export ``index.html``.

    ``isolation="warm"`` runs it on this process's warm kernel (``kit.warm``).
    """
    import nbformat

    from .render import execute_notebook, locate_notebook
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
    nb = nbformat.read(tmp_nb if tmp_nb.exists() else notebook, as_version=4)
    tmp_nb.unlink(missing_ok=True)
    ok = sum(1 for r in rows.values() if r.get("status") == "ok")
    nb.metadata["kit"] = {
        "kind": "portfolio", "title": "批量复核汇总", "count": len(rows), "ok": ok, "failed": len(rows) - ok,
        "kit_version": __version__, "render_time": render_time,
    }
    nb.metadata["title"] = "部门整体支出绩效自评复核 · 批量汇总"
    page = export_html(nb, extra_paths=[str(out_dir.absolute())])
    write_atomic(out_dir / "index.html", page.encode("utf-8"))
    write_atomic(out_dir / "index.ipynb", nbformat.writes(nb).encode("utf-8"))
    return out_dir / "index.html"

"""The department job (``render_job``: one department's report, run in a worker) and the batch's
own files: the index page (``render_index``) and the batch's 问题清单.xlsx (``write_batch_tracking``)."""
from __future__ import annotations

import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .. import kernels
from ...core.errors import KitError, OutputError, Stopped
from ..rendering import write_atomic
from ...core.version import __version__
from ...core.vocab import Decision, RunStatus, Severity, Status
from .manifest import MANIFEST, read_manifest
from .plan import Job, Row

BATCH_TRACKING = "问题清单.xlsx"

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
        from ..rendering import render

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
    row.status = RunStatus.OK if result.failure_kind is None else result.failure_kind
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
    from ...engine.audit import FORMAT_CHECKS, summarise

    # Each finding carries its check's title in the JSON (no need to load the check catalogue).
    failing: list[str] = []
    for f in doc.get("findings", []):
        if (f.get("status") == Status.FAIL and f.get("severity") in (Severity.ERROR, Severity.WARNING)
                and f.get("decision") != Decision.REJECTED
                and f.get("check_id") not in FORMAT_CHECKS):  # format notes are not problems
            failing.append(f"{f.get('check_id')} {f.get('title') or ''}".strip())
    # The counts the department's page shows (kit.engine.audit.summarise): problems by severity, then
    # 无法核实, 格式与解析说明 and the reviewer's decisions (待定 = awaiting one).
    sm = summarise(doc.get("findings", []), doc.get("scores", []), doc.get("missing_inputs", []))
    row.findings = {**sm["problems"], "unverifiable": sm["unverifiable"], "format": sm["format"],
                    **{f"review_{k}": v for k, v in sm["review"].items()}}
    row.points = {"unverifiable": str(sm["points"]["unverifiable"]), "rechecked": str(sm["points_rechecked"]),
                  "total": str(sm["points_total"])}
    row.review_status = sm["status_label"]
    row.failing_checks = sorted(set(failing))


def _finish(row: Row, started: float, job: Job, page: bool = False) -> dict[str, Any]:
    """Complete a row: no local folders in its error text; an error page when none was rendered.

    The department's name comes from its audit; a department that failed before it keeps
    none (reading its data again here would escape the wall-clock limit).
    """
    from ..rendering import scrub_paths

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

    from ..rendering import now_text
    from ...report.export import export_html

    nb = new_notebook(cells=[new_markdown_cell("## 生成失败\n\n本部门的审核报告未能生成，原因见上方说明。修正后重新运行批量生成即可。")])
    nb.metadata["kit"] = {
        "department": row.name or job.dept_code, "code": job.dept_code, "year": "",
        "status": row.status if row.status != RunStatus.OK else RunStatus.ERROR,  # the manifest's word for it
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

    ``isolation="warm"`` runs it on this process's warm kernel (``kit.run.warm``), ``"inline"``
    in this process (``kit.run.inline``).
    """
    import nbformat

    from ..rendering import clean_metadata, execute_notebook, locate_notebook
    from ...report.export import export_html

    notebook = locate_notebook("portfolio.ipynb")
    rows = read_manifest(out_dir)
    tmp_nb = out_dir / f".index.{os.getpid()}.run.ipynb"
    executed = None
    try:
        # Relative paths only: the executed notebook must not carry this machine's folders.
        executed = execute_notebook(notebook, tmp_nb, {"manifest_file": MANIFEST, "render_time": render_time},
                                    out_dir, timeout=timeout, isolation=isolation)
    except Exception as exc:  # noqa: BLE001 - the page shows papermill's error banner instead
        executed = getattr(exc, "kit_notebook", None)
    if kernels.stopping():
        tmp_nb.unlink(missing_ok=True)
        raise Stopped()
    nb = executed if executed is not None else nbformat.read(tmp_nb if tmp_nb.exists() else notebook, as_version=4)
    tmp_nb.unlink(missing_ok=True)
    ok = sum(1 for r in rows.values() if r.get("status") == RunStatus.OK)
    nb.metadata["kit"] = {
        "kind": "portfolio", "title": "批量复核汇总", "count": len(rows), "ok": ok, "failed": len(rows) - ok,
        "kit_version": __version__, "render_time": render_time,
    }
    nb.metadata["title"] = "绩效自评复核 · 批量汇总"  # no family named: a batch may hold several
    clean_metadata(nb, notebook.name, "index.ipynb")
    page = export_html(nb, extra_paths=[str(out_dir.absolute())])
    write_atomic(out_dir / "index.html", page.encode("utf-8"))
    write_atomic(out_dir / "index.ipynb", nbformat.writes(nb).encode("utf-8"))
    return out_dir / "index.html"


def write_batch_tracking(out_dir: Path) -> Path:
    """The batch's 问题清单.xlsx: the rows of every rendered department's ``<code>-问题清单.xlsx``."""
    from ...report.workbook import write_batch_workbook

    rows = read_manifest(out_dir)
    sheets = [out_dir / f"{code}-问题清单.xlsx" for code, r in rows.items() if r.get("status") == RunStatus.OK]
    return write_batch_workbook([p for p in sheets if p.is_file()], out_dir / BATCH_TRACKING)

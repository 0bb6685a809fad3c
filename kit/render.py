"""Render one department: papermill runs the audit notebook, nbconvert exports the page.

``render(params_path, out_dir)`` writes ``<dept_code>.html``, the executed ``<dept_code>.ipynb``
and ``<dept_code>.json`` (the ``kit check`` JSON) into ``out_dir``. When the notebook fails,
the executed notebook (with papermill's red error banner and the traceback) is still exported,
the header says what failed and in which section, and the result is marked failed.

Where the notebook comes from (``locate_notebook``), first hit wins:
1. the environment variable ``KIT_NOTEBOOK`` (a path to an .ipynb);
2. ``notebooks/audit.ipynb`` beside the ``kit`` package (a source checkout or ``pip install -e``);
3. ``<sys.prefix>/share/audit-notebook-kit/notebooks/audit.ipynb`` (a regular install:
   pyproject.toml ships it as a data file).
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .errors import KitError, Problem
from .params import Params, load_params

NOTEBOOK_ENV = "KIT_NOTEBOOK"
DATA_SUBDIR = Path("share/audit-notebook-kit/notebooks")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
ISOLATIONS = ("warm", "fresh")


def locate_notebook(name: str = "audit.ipynb") -> Path:
    """A notebook of the kit (see the module docstring for the search order).

    ``KIT_NOTEBOOK`` replaces the audit notebook only; the batch index (portfolio.ipynb) is
    always the kit's own.
    """
    explicit = os.environ.get(NOTEBOOK_ENV) if name == "audit.ipynb" else None
    candidates = [Path(explicit)] if explicit else []
    candidates += [
        Path(__file__).resolve().parent.parent / "notebooks" / name,
        Path(sys.prefix) / DATA_SUBDIR / name,
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise KitError(
        Problem(
            f"找不到{'审核笔记本' if name == 'audit.ipynb' else '批量汇总笔记本'} {name}",
            value=explicit or None,
            expected=f"源码目录中的 notebooks/audit.ipynb、安装目录 share/audit-notebook-kit/notebooks/，"
                     f"或由环境变量 {NOTEBOOK_ENV} 指定",
        )
    )


def quiet_kernel_manager():
    """A kernel manager whose kernel process writes nothing to our terminal.

    The kernel's own stderr carries start-up chatter (e.g. ipykernel's TCP warning), not cell
    output (that travels over the messaging channel and lands in the notebook).
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", subprocess.DEVNULL)
            kw.setdefault("stdout", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return QuietKernelManager


@dataclass
class RenderResult:
    dept_code: str
    ok: bool
    html: Path
    ipynb: Path
    json: Path | None
    failure: str = ""  # Chinese one-line description of what failed and where
    error_type: str = ""  # exception class name when the run failed (e.g. CellTimeoutError, DeadKernelError)
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def now_text() -> str:
    return _dt.datetime.now().astimezone().strftime(TIME_FORMAT)


def _heading_before(nb, index: int) -> str:
    """The last heading shown in the report above cell ``index`` ('' when none)."""
    from .report.export import REMOVE_CELL_TAGS, headings

    for cell in reversed(nb.cells[:index]):
        if cell.cell_type == "markdown" and not REMOVE_CELL_TAGS & set(cell.metadata.get("tags", [])):
            hs = [h for h in headings(cell.source) if h[0] <= 3]
            if hs:
                return hs[-1][1]
    return ""


def _failure_text(nb, exc: BaseException | None) -> str:
    """What failed and where, from the executed notebook's first error output."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                section = _heading_before(nb, i)
                where = f"“{section}”一节" if section else "报告开头的准备步骤（读取参数与数据、运行审核）"
                prompt = f"（单元格 In [{cell.get('execution_count')}]）" if cell.get("execution_count") else ""
                return f"出错位置：{where}{prompt}。错误：{out.get('ename', '')}: {out.get('evalue', '')}"
    if exc is not None:
        return f"笔记本未能运行：{type(exc).__name__}: {exc}"
    return "笔记本未能运行（原因不明）"


def scrub_paths(text: str, paths: list[str]) -> str:
    """``text`` with local folders (``paths`` and the usual ones) replaced by short stand-ins."""
    from .report.export import default_scrub_paths

    for p, label in sorted([(p, "[…]") for p in paths if p] + default_scrub_paths(), key=lambda kv: -len(kv[0])):
        text = text.replace(p, label)
    return text


def _header(params: Params, dept, audit, status: str, failure: str, render_time: str) -> dict[str, Any]:
    """The header block the template shows (nb.metadata['kit']): no paths, base names only."""
    meta: dict[str, Any] = {
        "department": getattr(dept, "name", "") or params.dept_code,
        "code": params.dept_code,
        "year": params.fiscal_year,
        "status": status,
        "status_label": "已完成复核" if status == "ok" else "生成失败",
        "failure": failure,
        "kit_version": __version__,
        "data_file": params.data.name,
        "data_sha256": getattr(getattr(dept, "source", None), "sha256", "") or "",
        "render_time": render_time,
        "params_file": params.path.name if params.path else "",
        "rules": "",
        "grade": "",
    }
    if audit is not None:
        rules = getattr(audit, "rules", None)
        meta["rules"] = Path(str(getattr(rules, "path", "") or getattr(rules, "name", ""))).name
        if (getattr(audit, "totals", {}) or {}).get("recomputed") is not None:
            from .report.summary import headline

            line = headline(audit)  # the score line says the coverage; 部分复核 while anything is unverifiable
            meta["grade"] = line["grade"]
            if status == "ok":
                meta.update(status_label=line["status_label"], review_status=line["review_status"])
    return meta


def _audit_json(audit) -> bytes:
    doc = audit.to_json_dict()
    return (json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def execute_notebook(notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, *,
                     timeout: float | None, isolation: str = "fresh", start_timeout: float = 60) -> None:
    """Run a kit notebook with papermill on a fresh kernel or this process's warm one (``kit.warm``).

    Raises what papermill raises; ``output`` holds the executed notebook either way.
    """
    import papermill as pm

    engine: dict[str, Any] = {"kernel_manager_class": quiet_kernel_manager()}
    if isolation == "warm":
        from .warm import ENGINE_NAME, register_engine

        register_engine()
        engine = {"engine_name": ENGINE_NAME}
    pm.execute_notebook(
        str(notebook), str(output), parameters=parameters, cwd=str(cwd), kernel_name="python3",
        progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        execution_timeout=timeout, start_timeout=start_timeout, **engine,
    )


def render(
    params_path: str | Path,
    out_dir: str | Path,
    *,
    render_time: str | None = None,
    timeout: float | None = 600,
    start_timeout: float = 60,
    isolation: str = "fresh",
) -> RenderResult:
    """Execute the notebook for one parameter file and export its report.

    ``isolation="fresh"`` starts a new kernel for this department; ``"warm"`` runs it on this
    process's warm kernel (``kit.warm``: reset between departments, replaced after a failure),
    which gives the same report without paying for a kernel start and the imports.

    Raises ``KitError`` when the parameter file itself is invalid (no department to name the
    files after); every failure after that is reported in the page and the result.
    """
    if isolation not in ISOLATIONS:
        raise ValueError(f"isolation must be one of {ISOLATIONS}, not {isolation!r}")
    # nbformat (and papermill) are imported here, not at module level: the audit notebook
    # imports this module for now_text, and nbformat's jsonschema costs a kernel ~1 s to import.
    import nbformat

    t0 = time.perf_counter()
    params = load_params(params_path)
    out = Path(out_dir).absolute()
    out.mkdir(parents=True, exist_ok=True)
    notebook = locate_notebook()
    render_time = render_time or now_text()
    code = params.dept_code
    html_path, ipynb_path, json_path = out / f"{code}.html", out / f"{code}.ipynb", out / f"{code}.json"
    scrub_extra = [str(params.path.parent), str(params.data.parent), str(out)]
    timings: dict[str, float] = {}

    # The audit in this process gives the JSON and the header (fast: milliseconds).
    dept = audit = None
    audit_error = ""
    try:
        from .audit import audit_path

        audit = audit_path(params.path)
        dept = audit.department
    except KitError as exc:
        audit_error = str(exc)
    except ImportError as exc:  # the engine is not installed: the notebook will say the same
        audit_error = f"{type(exc).__name__}: {exc}"
    if dept is None:
        try:
            from .load import load_department

            dept = load_department(params.data)
        except KitError:
            dept = None
    timings["audit"] = time.perf_counter() - t0

    # Execute. Paths handed to the kernel are relative to the parameter file's folder, so the
    # executed notebook holds no absolute path of this machine.
    t1 = time.perf_counter()
    tmp_nb = out / f".{code}.{os.getpid()}.run.ipynb"
    exc_seen: BaseException | None = None
    try:
        execute_notebook(notebook, tmp_nb, {"params_file": params.path.name, "render_time": render_time},
                         params.path.parent, timeout=timeout, isolation=isolation, start_timeout=start_timeout)
    except Exception as exc:  # noqa: BLE001 - a cell error (papermill's banner), a timeout or a dead kernel
        exc_seen = exc
    timings["execute"] = time.perf_counter() - t1

    if tmp_nb.exists():
        nb = nbformat.read(tmp_nb, as_version=4)
        tmp_nb.unlink()
    else:  # the kernel never started: export the unexecuted notebook with the reason
        nb = nbformat.read(notebook, as_version=4)
    ok = exc_seen is None
    failure = "" if ok else scrub_paths(_failure_text(nb, exc_seen), scrub_extra)

    nb.metadata["kit"] = _header(params, dept, audit, "ok" if ok else "failed", failure, render_time)
    nb.metadata["title"] = (
        f"{nb.metadata['kit']['department']}（{code}）{params.fiscal_year} 年度部门整体支出绩效自评复核报告"
    )

    t2 = time.perf_counter()
    if isolation == "warm":
        page = _warm_export(nb, scrub_extra)
    else:
        from .report.export import export_html

        page = export_html(nb, extra_paths=scrub_extra)
    timings["export"] = time.perf_counter() - t2

    write_atomic(ipynb_path, nbformat.writes(nb).encode("utf-8"))
    write_atomic(html_path, page.encode("utf-8"))
    tracking = out / f"{code}-问题清单.xlsx"
    if audit is not None:
        write_atomic(json_path, _audit_json(audit))
        json_out: Path | None = json_path
        from .report.workbook import write_issues_workbook

        write_issues_workbook(audit, tracking)  # 问题清单 for 整改 tracking
    else:
        # A JSON left from an earlier run would contradict this failed page.
        if json_path.exists():
            json_path.unlink()
        tracking.unlink(missing_ok=True)
        json_out = None
        if ok:  # the notebook ran but the audit here did not: treat as failed, say why
            ok, failure = False, scrub_paths(f"审核结果无法生成：{audit_error}", scrub_extra)
    return RenderResult(code, ok, html_path, ipynb_path, json_out, failure,
                        type(exc_seen).__name__ if exc_seen is not None else "",
                        time.perf_counter() - t0, timings)


_EXPORTER = None


def _warm_export(nb, extra_paths: list[str]) -> str:
    """``export_html`` with one exporter per process (its template compiled once)."""
    global _EXPORTER
    from .report.export import ScrubPathsPreprocessor, html_exporter

    if _EXPORTER is None:
        _EXPORTER = html_exporter()
    for pre in _EXPORTER._preprocessors:
        if isinstance(pre, ScrubPathsPreprocessor):
            pre.extra_paths = list(extra_paths)
    body, _resources = _EXPORTER.from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    return body


RENDER_TIME_RE = re.compile(r'(<time class="kit-render-time"[^>]*>)[^<]*(</time>)')


def normalise_render_time(page: str) -> str:
    """The page with the render time blanked: two renders of the same inputs then compare equal."""
    return RENDER_TIME_RE.sub(r"\1\2", page)

"""Render one department: papermill runs the audit notebook, nbconvert exports the page.

``render(params_path, out_dir)`` writes ``<dept_code>.html``, the executed ``<dept_code>.ipynb``
and ``<dept_code>.json`` (the ``kit check`` JSON) into ``out_dir``. When the notebook fails,
the executed notebook (with papermill's red error banner and the traceback) is still exported,
the header says what failed and in which section, and the result is marked failed.

Where the notebook comes from (``locate_notebook``), first hit wins:
1. the environment variable ``KIT_NOTEBOOK`` (a path to an .ipynb);
2. ``notebooks/audit.ipynb`` beside the ``kit`` package (a source checkout or ``pip install -e``);
3. ``share/audit-notebook-kit/notebooks/audit.ipynb`` under the environment's prefix or the
   user's base (a regular install: pyproject.toml ships it, the sample and its parameter file
   as data files; ``installed_data_dirs``).
"""
from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.version import __version__
from ..core.errors import KitError, OutputError, Problem, Stopped
from .kernels import Deadline, begin_commit, quiet_kernel_manager, stopping
from ..files.params import Params, load_params
from ..core.safeio import replace_all_atomic
from ..core.vocab import FailureKind, RunStatus

NOTEBOOK_ENV = "KIT_NOTEBOOK"
SHARE_SUBDIR = Path("share/audit-notebook-kit")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S %z"
ISOLATIONS = ("warm", "fresh", "inline")


def installed_data_dirs() -> list[Path]:
    """Where a regular (non-editable) install puts the kit's data files, in search order:
    the environment's prefix, then the user's base (``pip install --user``)."""
    import site
    import sysconfig

    out: list[Path] = []
    for base in (sys.prefix, sysconfig.get_path("data"), site.getuserbase()):
        path = Path(base) / SHARE_SUBDIR
        if path not in out:
            out.append(path)
    return out


def locate_notebook(name: str = "audit.ipynb") -> Path:
    """A notebook of the kit (see the module docstring for the search order).

    ``KIT_NOTEBOOK`` replaces the audit notebook only; the batch index (portfolio.ipynb) is
    always the kit's own.
    """
    explicit = os.environ.get(NOTEBOOK_ENV) if name == "audit.ipynb" else None
    candidates = [Path(explicit)] if explicit else []
    candidates += [
        Path(__file__).resolve().parents[2] / "notebooks" / name,
        *(d / "notebooks" / name for d in installed_data_dirs()),
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


@dataclass
class RenderResult:
    dept_code: str
    ok: bool
    html: Path
    ipynb: Path
    json: Path | None
    failure: str = ""  # Chinese one-line description of what failed and where
    failure_kind: FailureKind | None = None  # set where the failure was caught
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    audit: dict[str, Any] | None = field(default=None, repr=False)  # the JSON contract, when the audit ran
    outputs: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256 of what was written


RESERVED_CODES = ("index", "manifest")  # the batch's own index.* and manifest.json


def write_atomic(path: Path, data: bytes) -> str:
    """Write via a temporary file in the same folder and rename: readers never see half a file.

    Returns the SHA-256 of what was written. Raises ``Stopped`` instead of writing once this
    process is stopping (``kit.run.kernels``), ``OutputError`` when the system refuses the write
    (no temporary file is left behind).
    """
    return write_all_atomic({path: data})[path.name]


def write_all_atomic(files: dict[Path, bytes]) -> dict[str, str]:
    """Several files written together: every temporary file first, then the renames back to back,
    so an interruption leaves all of them old or all new (``write_atomic`` otherwise).

    Returns {file name: SHA-256}.
    """
    import hashlib

    if stopping():
        raise Stopped()

    def commit() -> None:
        if stopping():
            raise Stopped()
        begin_commit()  # a worker reports these files before it obeys a stop signal

    try:
        replace_all_atomic(files, before_commit=commit)
    except OSError as exc:
        failed = Path(str(exc.filename or "")).name
        name = next((p.name for p in files if failed == p.name or failed.startswith(f".{p.name}.")),
                    next(iter(files)).name if files else "")
        raise OutputError(Problem("无法写入输出文件", file=name, value=exc.strerror or str(exc),
                                  expected="可写且有剩余空间的输出文件夹（--out）")) from None
    return {path.name: hashlib.sha256(data).hexdigest() for path, data in files.items()}


def now_text() -> str:
    return _dt.datetime.now().astimezone().strftime(TIME_FORMAT)


def _heading_before(nb, index: int) -> str:
    """The last heading shown in the report above cell ``index`` ('' when none)."""
    from ..report.export import REMOVE_CELL_TAGS, headings

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
    from ..report.export import default_scrub_paths

    for p, label in sorted([(p, "[…]") for p in paths if p] + default_scrub_paths(), key=lambda kv: -len(kv[0])):
        text = text.replace(p, label)
    return text


def _header(params: Params, result: dict[str, Any] | None, status: str, failure: str,
            render_time: str) -> dict[str, Any]:
    """The header block the template shows (nb.metadata['kit']): no paths, base names only."""
    audit = (result or {}).get("audit") or {}
    dept = audit.get("department") or {}
    meta: dict[str, Any] = {
        "department": dept.get("name") or params.dept_code,
        "code": params.dept_code,
        "year": params.fiscal_year,
        "status": status,
        "status_label": "已完成复核" if status == RunStatus.OK else "生成失败",
        "failure": failure,
        "kit_version": __version__,
        "data_file": params.data.name,
        "data_sha256": (result or {}).get("data_sha256") or _file_sha256(params.data),
        "render_time": render_time,
        "params_file": params.path.name if params.path else "",
        "rules": (result or {}).get("rules", ""),
        "form": (result or {}).get("form_name") or "部门整体支出绩效自评表",
        "grade": "",
    }
    totals, grade = audit.get("totals") or {}, audit.get("grade") or {}
    line = (result or {}).get("headline") or {}  # the score line says the coverage (kit.report.summary)
    if totals.get("recomputed") is not None:
        meta["grade"] = line.get("grade") or (f"{totals['recomputed']}（{grade.get('recomputed', '')}）；"
                                              f"自评 {totals.get('self')}（{grade.get('self', '')}）")
    if status == RunStatus.OK and line:  # also with no recomputed total: never "已完成复核" for a form not re-scored
        meta.update(status_label=line["status_label"], review_status=line["review_status"])
    return meta


def _file_sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return ""
    return h.hexdigest()


def audit_json_bytes(doc: dict[str, Any]) -> bytes:
    """The ``<code>.json`` file: the audit's JSON contract as ``kit check --format json`` prints it."""
    return (json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


# The audit notebook hands its result to kit render as one output of this type (in a cell the
# page does not show): the department is audited once, in the kernel.
RESULT_MIME = "application/vnd.kit.result+json"


def result_document(audit, docx: bool = False, params_file: str = "", render_time: str = "") -> dict[str, Any]:
    """What ``kit render`` needs from the notebook's audit: the JSON contract, header fields and
    the 问题清单 rows; with ``docx`` the Word report too (base64; ``render`` takes it out of the
    executed notebook before writing it)."""
    from ..report.summary import headline
    from ..report.workbook import tracking_document

    rules = getattr(audit, "rules", None)
    return {
        "audit": json.loads(json.dumps(audit.to_json_dict(), ensure_ascii=False, default=str)),
        "data_sha256": getattr(getattr(audit.department, "source", None), "sha256", "") or "",
        "rules": getattr(rules, "source", "") or getattr(rules, "name", ""),
        "headline": headline(audit),
        # The form's own name (a printed title, or the family's) for the page's kicker and title.
        "form_name": audit.department.header.title or (audit.family.text("form_name") if audit.family else ""),
        "tracking": tracking_document(audit),
        **({"docx": _docx_b64(audit, params_file, render_time)} if docx else {}),
    }


def _docx_b64(audit, params_file: str, render_time: str) -> str:
    import base64
    from pathlib import PurePath

    from ..report.docx import report_docx

    return base64.b64encode(report_docx(audit, PurePath(params_file).name, render_time)).decode("ascii")


def publish_result(audit, docx: bool = False, params_file: str = "", render_time: str = "") -> None:
    """Called by the audit notebook, in the kernel: hand the result to ``kit render``."""
    from IPython.display import display

    # text/plain: what JupyterLab shows an auditor running the notebook by hand.
    display({RESULT_MIME: result_document(audit, docx, params_file, render_time),
             "text/plain": "（审核结果已交给 kit render）"}, raw=True)


def take_docx(nb, result: dict[str, Any] | None) -> bytes | None:
    """The Word report the notebook published, removed from the executed notebook and the result."""
    import base64

    if not result or "docx" not in result:
        return None
    data = base64.b64decode(result.pop("docx"))
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            payload = out.get("data", {}).get(RESULT_MIME)
            if isinstance(payload, dict):
                payload.pop("docx", None)
    return data


def notebook_result(nb) -> dict[str, Any] | None:
    """The result the executed notebook published (``publish_result``), or None."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("data", {})
            if RESULT_MIME in data:
                return dict(data[RESULT_MIME])
    return None


def _host_result(params: Params) -> tuple[dict[str, Any] | None, str]:
    """The audit run here: only for a notebook (``KIT_NOTEBOOK``) that publishes no result."""
    try:
        from ..engine.audit import run_audit
        from ..files.load import load_department

        return result_document(run_audit(load_department(params.data), params)), ""
    except KitError as exc:
        return None, str(exc)


def failure_kind(exc: BaseException | None, deadline_fired: bool = False) -> FailureKind | None:
    """What kind of failure ``exc`` (raised by the notebook run) is; None for success."""
    if exc is None:
        return None
    if deadline_fired:
        return FailureKind.TIMEOUT
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    if isinstance(exc, (CellTimeoutError, TimeoutError)):
        return FailureKind.TIMEOUT
    if isinstance(exc, DeadKernelError):
        return FailureKind.KERNEL_DIED
    kind = getattr(exc, "failure_kind", None)  # kit.run.warm.WarmKernelError
    return kind if isinstance(kind, FailureKind) else FailureKind.ERROR


def execute_notebook(notebook: Path, output: Path | None, parameters: dict[str, Any], cwd: Path, *,
                     timeout: float | None, isolation: str = "fresh", start_timeout: float = 60,
                     deadline: Deadline | None = None):
    """Run a kit notebook with papermill: on a fresh kernel, this process's warm one
    (``kit.run.warm``) or, ``isolation="inline"``, in this process (``kit.run.inline``).

    ``timeout`` bounds each cell (nbclient wants whole seconds: rounded up; the exact
    wall-clock limit is ``render``'s ``Deadline``). Raises what papermill raises; ``output``
    holds the executed notebook either way. Inline, the executed notebook is kept in memory and
    returned (on an exception, as its ``kit_notebook``), ``output`` not written, and the cells are
    interrupted at ``deadline`` (one is made from ``timeout`` when none is given).
    """
    if isolation == "inline":
        from . import inline

        if deadline is None:
            with deadline_for(isolation, timeout) as deadline:
                return inline.execute(notebook, parameters, cwd, deadline=deadline)
        return inline.execute(notebook, parameters, cwd, deadline=deadline)
    import papermill as pm

    engine: dict[str, Any] = {"kernel_manager_class": quiet_kernel_manager()}
    if isolation == "warm":
        from .warm import ENGINE_NAME, register_engine

        register_engine()
        engine = {"engine_name": ENGINE_NAME}
    pm.execute_notebook(
        str(notebook), str(output), parameters=parameters, cwd=str(cwd), kernel_name="python3",
        progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        execution_timeout=None if timeout is None else max(1, math.ceil(timeout)),
        start_timeout=max(1, math.ceil(start_timeout)), **engine,
    )
    return None


def deadline_for(isolation: str, timeout: float | None) -> Deadline:
    """The department's wall-clock limit: kernels killed, or in-process cells interrupted."""
    if isolation == "inline":
        from .inline import interrupt

        return Deadline(timeout, on_fire=interrupt)
    return Deadline(timeout)


def clean_metadata(nb, notebook_name: str, output_name: str) -> None:
    """No local path and no process id in the executed notebook's papermill metadata."""
    pm_meta = nb.metadata.get("papermill")
    if pm_meta is not None:
        pm_meta["input_path"] = notebook_name
        pm_meta["output_path"] = output_name
        pm_meta.pop("environment_variables", None)


def check_dept_code(params: Params) -> None:
    """A KitError when the department's files would take the name of a batch's own."""
    if params.dept_code.lower() in RESERVED_CODES:
        raise KitError(Problem("部门编码与批量输出文件重名", file=str(params.path), field="dept_code",
                               value=params.dept_code, expected=f"不是 {'、'.join(RESERVED_CODES)}（不区分大小写）"))


def render(
    params_path: str | Path | Params,
    out_dir: str | Path,
    *,
    render_time: str | None = None,
    timeout: float | None = 600,
    start_timeout: float = 60,
    isolation: str = "fresh",
    docx: bool = False,
) -> RenderResult:
    """Execute the notebook for one parameter file and export its report.

    ``params_path`` is a parameter file, or its ``Params`` already read (a batch reads each
    once). ``timeout`` is the department's wall-clock limit in seconds: reading the data, the
    audit and every cell (they run in the kernel); past it the kernel is killed and the
    department fails with ``FailureKind.TIMEOUT``. ``isolation="fresh"`` starts a new kernel
    for this department; ``"warm"`` runs it on this process's warm kernel (``kit.run.warm``: reset
    between departments, replaced after a failure), which gives the same report without paying
    for a kernel start and the imports; ``"inline"`` runs the cells in this process
    (``kit.run.inline``: the same report again, without the kernel's messages; at the limit the
    running cell is interrupted). ``docx`` also writes the Word report ``<code>.docx``.

    The department is audited once, in the notebook, which hands its result (the JSON contract
    and the header fields) back with ``publish_result``.

    Raises ``KitError`` when the parameter file itself is invalid (no department to name the
    files after), ``Stopped`` when this process is stopping (nothing is then written); every
    other failure is reported in the page and the result.
    """
    if isolation not in ISOLATIONS:
        raise ValueError(f"isolation must be one of {ISOLATIONS}, not {isolation!r}")
    # nbformat (and papermill) are imported here, not at module level: the audit notebook
    # imports this module, and nbformat's jsonschema costs a kernel ~1 s to import.
    import nbformat

    t0 = time.perf_counter()
    params = params_path if isinstance(params_path, Params) else load_params(params_path)
    check_dept_code(params)
    out = Path(out_dir).absolute()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Problem("无法创建输出文件夹", file=str(out), value=exc.strerror or str(exc))) from None
    notebook = locate_notebook()
    render_time = render_time or now_text()
    code = params.dept_code
    html_path, ipynb_path, json_path = out / f"{code}.html", out / f"{code}.ipynb", out / f"{code}.json"
    scrub_extra = [str(params.path.parent), str(params.data.parent), str(out)]
    timings: dict[str, float] = {}

    # Execute. Paths handed to the kernel are relative to the parameter file's folder, so the
    # executed notebook holds no absolute path of this machine.
    tmp_nb = None if isolation == "inline" else out / f".{code}.{os.getpid()}.run.ipynb"  # inline: in memory
    exc_seen: BaseException | None = None
    executed = None
    with deadline_for(isolation, timeout) as deadline:
        try:
            run_params = {"params_file": params.path.name, "render_time": render_time}
            if docx:
                run_params["docx"] = True
            executed = execute_notebook(notebook, tmp_nb, run_params, params.path.parent, timeout=timeout,
                                        isolation=isolation, start_timeout=start_timeout, deadline=deadline)
        except Exception as exc:  # noqa: BLE001 - a cell error (papermill's banner), a timeout or a dead kernel
            exc_seen = exc
            executed = getattr(exc, "kit_notebook", None)
    timings["execute"] = time.perf_counter() - t0
    if stopping():
        if tmp_nb is not None:
            tmp_nb.unlink(missing_ok=True)
        raise Stopped()
    kind = failure_kind(exc_seen, deadline.fired)

    if executed is not None:
        nb = executed
    elif tmp_nb is not None and tmp_nb.exists():
        try:
            nb = nbformat.read(tmp_nb, as_version=4)
        except (OSError, ValueError) as exc:  # papermill could not write it whole (a full disk)
            tmp_nb.unlink(missing_ok=True)
            why = exc_seen if isinstance(exc_seen, OSError) else exc
            raise OutputError(Problem("无法写入输出文件", file=tmp_nb.name,
                                      value=getattr(why, "strerror", None) or str(why)[:200],
                                      expected="可写且有剩余空间的输出文件夹（--out）")) from None
        tmp_nb.unlink()
    else:  # the kernel never started: export the unexecuted notebook with the reason
        nb = nbformat.read(notebook, as_version=4)
    failure = ""
    if kind is not None:
        failure = _failure_text(nb, exc_seen)
        if kind is FailureKind.TIMEOUT and deadline.fired:
            failure = f"超过时限（{timeout:g} 秒，含读取数据、审核和运行笔记本）。{failure}"
        failure = scrub_paths(failure, scrub_extra)
    result = notebook_result(nb)
    word = take_docx(nb, result)
    if result is None and kind is None:
        # A notebook of its own (KIT_NOTEBOOK) that publishes no result: audit here instead.
        result, audit_error = _host_result(params)
        if result is None:  # the notebook ran but the audit did not: failed, say why
            kind, failure = FailureKind.ERROR, scrub_paths(f"审核结果无法生成：{audit_error}", scrub_extra)
    ok = kind is None

    nb.metadata["kit"] = _header(params, result, RunStatus.OK if ok else kind, failure, render_time)
    nb.metadata["title"] = (
        f"{nb.metadata['kit']['department']}（{code}）{params.fiscal_year} 年度{nb.metadata['kit']['form']}复核报告"
    )
    clean_metadata(nb, notebook.name, ipynb_path.name)
    drop_foreign_sections(nb, result)

    t2 = time.perf_counter()
    if isolation != "fresh":
        page = _warm_export(nb, scrub_extra)
    else:
        from ..report.export import export_html

        page = export_html(nb, extra_paths=scrub_extra)
    timings["export"] = time.perf_counter() - t2

    # The three files together: a department whose page is new has all three files new.
    audit_doc = (result or {}).get("audit")
    files = {ipynb_path: nbformat.writes(_scrubbed(nb, scrub_extra)).encode("utf-8"), html_path: page.encode("utf-8")}
    json_out: Path | None = None
    tracking = out / f"{code}-问题清单.xlsx"
    if audit_doc is not None:
        files = {json_path: audit_json_bytes(audit_doc), **files}
        if (result or {}).get("tracking") is not None:
            from ..report.workbook import tracking_bytes

            files = {tracking: tracking_bytes(result["tracking"]), **files}  # 问题清单 for 整改 tracking
        if word is not None:
            files = {out / f"{code}.docx": word, **files}  # the Word 复核报告
        json_out = json_path
    outputs = write_all_atomic(files)
    if audit_doc is None:
        # A JSON (or 问题清单) left from an earlier run would contradict this failed page.
        json_path.unlink(missing_ok=True)
        tracking.unlink(missing_ok=True)
    return RenderResult(code, ok, html_path, ipynb_path, json_out, failure, kind,
                        time.perf_counter() - t0, timings, audit_doc, outputs)


def drop_foreign_sections(nb, result: dict[str, Any] | None) -> None:
    """Leave out the sections of blocks the department's template family does not have: a cell
    tagged ``kit-block:<block>`` stays only when the family's ``family.yaml`` lists that block
    (a 财政部-style form has no 年度主要任务 to report on)."""
    family = (((result or {}).get("audit") or {}).get("family") or {}).get("id")
    if not family:
        return
    from ..families import get_family

    blocks = set(get_family(family).blocks)
    nb.cells = [c for c in nb.cells
                if all(tag.split(":", 1)[1] in blocks for tag in c.get("metadata", {}).get("tags", [])
                       if tag.startswith("kit-block:"))]


def _scrubbed(nb, extra_paths: list[str]):
    """The executed notebook with local folders replaced in its outputs (as on the page)."""
    import copy

    from ..report.export import ScrubPathsPreprocessor

    nb = copy.deepcopy(nb)
    ScrubPathsPreprocessor(extra_paths=list(extra_paths)).preprocess(nb, {})
    return nb


_EXPORTER = None


def _warm_exporter():
    """The process's one exporter (its template compiled once)."""
    global _EXPORTER
    from ..report.export import html_exporter

    if _EXPORTER is None:
        _EXPORTER = html_exporter()
    return _EXPORTER


def prepare_worker(isolation: str) -> None:
    """What a batch worker does before its first department: with ``isolation="warm"`` start its
    kernel without waiting for it, then its own imports and the exporter while the kernel boots
    and warms up (a worker's first department took 3.6 s where a steady one takes 0.5; now 2.0);
    with ``"inline"`` its shell and the notebook's imports as well (≈ 1.3 CPU-s in all)."""
    if isolation == "warm":
        from .warm import register_engine, warm_kernel

        warm_kernel().launch()
        register_engine()
    import nbformat  # noqa: F401 - imported now, while the kernel starts
    import papermill  # noqa: F401

    _warm_exporter()
    if isolation == "inline":
        from . import inline

        inline.register_engine()
        inline.shell()  # IPython and the modules the notebook imports, before the first department


def worker_tainted() -> bool:
    """Whether a department's cells failed in this process (``isolation="inline"``): what they left
    cannot be known (a resource limit, a thread), so a batch worker ends and a new one goes on."""
    inline = sys.modules.get(f"{__package__}.inline")
    return bool(inline is not None and inline.tainted())


def _warm_export(nb, extra_paths: list[str]) -> str:
    """``export_html`` with one exporter per process (its template compiled once)."""
    from ..report.export import ScrubPathsPreprocessor

    exporter = _warm_exporter()
    for pre in exporter._preprocessors:
        if isinstance(pre, ScrubPathsPreprocessor):
            pre.extra_paths = list(extra_paths)
    from ..report.pagefont import embed

    body, _resources = exporter.from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    from ..report.styles import prune

    return embed(prune(body))  # style rules that can apply; the Chinese glyphs the page uses travel with it


RENDER_TIME_RE = re.compile(r'(<time class="kit-render-time"[^>]*>)[^<]*(</time>)')


def normalise_render_time(page: str) -> str:
    """The page with the render time blanked: two renders of the same inputs then compare equal."""
    return RENDER_TIME_RE.sub(r"\1\2", page)

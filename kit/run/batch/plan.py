"""Planning a batch: the jobs (one per parameter file, read once), the output folder checked
before anything runs and the manifest's row."""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ...core.text import has_surrogates, path_text
from ...core.version import __version__
from ...core.errors import KitError, ParamsError, Problem
from ...files.params import Params, load_params, valid_code
from ..rendering import RESERVED_CODES
from ...engine.review import SUFFIX as REVIEW_SUFFIX, review_path  # the auditor's decisions decide a report too
from ...core.vocab import RunStatus

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
    isolation: str = "warm"  # where the cells run: inline (the worker), warm (its kernel) or fresh (a new kernel)
    params: Params | None = None  # the parameter file as read when planning (read once per batch)
    docx: bool = False  # kit render --docx: the Word report too


@dataclass
class Row:
    """One line of the manifest."""

    dept_code: str
    name: str = ""
    status: str = RunStatus.ERROR  # a kit.core.vocab.RunStatus member
    seconds: float = 0.0
    self_total: str | None = None
    recomputed_total: str | None = None
    self_grade: str | None = None
    recomputed_grade: str | None = None
    findings: dict[str, int] = field(default_factory=dict)  # severity -> count of non-pass
    # The score points by coverage (unverifiable, rechecked, total; exact decimals as text) and the
    # review's status label, as the department's page gives them: the index reads them here.
    points: dict[str, str] = field(default_factory=dict)
    review_status: str = ""
    failing_checks: list[str] = field(default_factory=list)
    report: str = ""  # file name relative to the output folder
    error: str = ""
    fingerprint: str = ""
    params: str = ""
    outputs: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256 as written


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


def collect_params(paths: Iterable[str | Path], refused: list[dict[str, str]] | None = None) -> list[Path]:
    """Parameter files named directly or found (``*.yaml``/``*.yml``) in the folders named.

    In a folder, review files (``*.review.yaml``) are read with their department's parameter file,
    not as departments; hidden files are passed over. Everything else there that is not read
    (other files, sub-folders, a ``*.yaml`` that is not a regular file, a review file with no
    parameter file) is appended to ``refused`` as ``{"file": name, "reason": why}``: the index
    page lists them, so that a file left out is seen.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for q in sorted(p.iterdir()):
                why = _not_a_department(q)
                if why is None:
                    out.append(q)
                elif why and refused is not None:
                    refused.append({"file": path_text(q.name) + ("/" if q.is_dir() else ""), "reason": why})
        elif p.is_file():
            out.append(p)
        else:
            raise KitError(Problem("找不到参数文件或文件夹", file=str(p)))
    return [p.absolute() for p in out]


def _not_a_department(path: Path) -> str | None:
    """None for a parameter file of a folder; '' for a file passed over silently (hidden, or a
    review file beside its parameter file); else why it is not read."""
    name = path.name
    if name.startswith("."):
        return ""
    if name.lower().endswith(REVIEW_SUFFIX):
        stem = name[: -len(REVIEW_SUFFIX)]
        if any((path.parent / f"{stem}{ext}").is_file() for ext in (".yaml", ".yml")):
            return ""
        return f"复核文件没有对应的参数文件（应有 {path_text(stem)}.yaml），未读取"
    if path.is_dir():
        return "子文件夹：批量只读取所给文件夹中的参数文件（*.yaml），不读取子文件夹"
    if path.suffix.lower() not in (".yaml", ".yml"):
        return "不是参数文件（*.yaml、*.yml），未读取"
    if not path.is_file():
        return "不是普通文件（如指向不存在文件的链接），未读取"
    return None


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
               isolation: str = "warm", refused: list[dict[str, str]] | None = None) -> list[Job]:
    """Read every parameter file; a broken one becomes a job that only records its error. Files of
    a folder that are not read go to ``refused`` (``collect_params``).

    Raises ParamsError (before anything runs) when two files name the same dept_code, codes
    that differ only in case (their files would collide on macOS and Windows), or a code the
    batch's own files use (``index``, ``manifest``).
    """
    extra = list(extra_files)
    jobs: list[Job] = []
    seen: dict[str, Path] = {}
    clashes: list[Problem] = []
    for path in collect_params(paths, refused):
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
            clashes.append(Problem("部门编码与批量输出文件重名（index.html、manifest.json）", file=str(path),
                                   field="dept_code", value=code, expected="其他编码"))
            continue
        if key in seen:
            same = seen[key].name
            other = next(j.dept_code for j in jobs if j.dept_code.casefold() == key)
            what = "同一批次中部门编码重复" if other == code else "同一批次中部门编码仅大小写不同（文件名会冲突）"
            clashes.append(Problem(what, file=str(path), field="dept_code", value=code,
                                   expected=f"唯一（已见于 {same}：{other}）"))
            continue
        seen[key] = path
        # A name that is not UTF-8 failed to load above; the manifest and pages name it with its bytes escaped.
        shown = str(path) if not has_surrogates(str(path)) else path_text(path)
        jobs.append(
            Job(code, shown, str(out_dir.absolute()), timeout,
                fingerprint(path, data, [*extra, review_path(path)]), error, isolation, params)
        )
    if clashes:
        raise ParamsError(clashes)
    return jobs

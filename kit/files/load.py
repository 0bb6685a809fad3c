"""Loading one department-year from any supported file: the single entry point."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import KitError, LoadError, Problem
from ..families import get_family
from .intake import build
from ..model import Department, Source
from ..core.safeio import check_name, read_head
from ..core.text import path_text
from ..core.yamlio import line_locator, parse_yaml, read_text

YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx",)


def load_department(path: str | Path) -> Department:
    """Load a department data file (YAML or the kit's xlsx workbook).

    Raises ``LoadError`` carrying every problem found in the file.
    """
    path = Path(path)
    check_name(path)  # a name that is not UTF-8 could be shown in no report
    suffix = path.suffix.lower()
    if suffix in YAML_SUFFIXES:
        text, digest = read_text(path)
        doc = parse_yaml(text, str(path))
        if not isinstance(doc, dict):
            raise LoadError(
                Problem("文件内容不是一个部门的数据表", file=str(path), expected="以 department: 等字段开头的 YAML 键值表")
            )
        family = doc.get("family")
        try:
            fam = get_family(family if isinstance(family, str) else None, str(path))
        except KitError as exc:
            raise LoadError(exc.problems) from None
        return build(doc, Source(str(path), "yaml", digest), line_locator(doc), fam.required)
    if suffix in XLSX_SUFFIXES:
        from .xlsxio import read_workbook  # openpyxl is only imported when needed

        return read_workbook(path)
    raise LoadError(
        Problem("不支持的文件类型", file=str(path), value=path.suffix or "（无扩展名）", expected=".yaml、.yml 或 .xlsx")
    )


def looks_like_params(path: Path) -> bool:
    """A parameter file is a YAML file with a top-level ``dept_code`` key."""
    if path.suffix.lower() not in YAML_SUFFIXES:
        return False
    # Only a regular file's head, without blocking: /dev/zero or a FIFO is the loader's error to report.
    head = read_head(path, 4096).decode("utf-8-sig", errors="replace")
    return any(line.startswith("dept_code") for line in head.splitlines())


def open_path(path: str | Path):
    """Load what a command-line PATH names: a parameter file or a data file.

    Returns ``(params_or_None, department)``. A parameter file's dept_code and fiscal_year
    must agree with its data file.
    """
    from .params import load_params

    path = Path(path)
    check_name(path, "参数文件或数据文件")
    if not looks_like_params(path):
        return None, load_department(path)
    params = load_params(path)
    try:
        dept = load_department(params.data)
    except LoadError as exc:
        # Name the parameter file too: in a batch it is what the auditor looks for.
        exc.problems.append(
            Problem("以上问题出在参数文件的 data 所指的数据文件中", file=path_text(params.path or path), field="data",
                    value=path_text(params.data))
        )
        raise LoadError(exc.problems) from None
    problems = []
    if params.rules is None:  # options and overrides follow the data file's family rules
        from ..engine.rules import rules_for

        problems += params.rule_problems(rules_for(dept.family).path)
    if dept.code != params.dept_code:
        problems.append(
            Problem("参数文件的 dept_code 与数据文件的部门编码不一致", file=str(path), field="dept_code",
                    value=params.dept_code, expected=f"与数据文件一致：{dept.code!r}")
        )
    if dept.year != params.fiscal_year:
        problems.append(
            Problem("参数文件的 fiscal_year 与数据文件的年度不一致", file=str(path), field="fiscal_year",
                    value=str(params.fiscal_year), expected=f"与数据文件一致：{dept.year}")
        )
    if problems:
        from ..core.errors import ParamsError

        raise ParamsError(problems)
    return params, dept


class _CallableModule(type(__import__("sys"))):
    """``kit.files.load`` is both this module and the loader: ``kit.files.load("data/x.yaml")`` loads a file.
    The package defers importing this module (``kit --help`` starts without YAML or the model);
    once imported, the package's attribute ``load`` is this module, so the module is callable."""

    def __call__(self, path, *args, **kwargs) -> Department:
        return load_department(path, *args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule

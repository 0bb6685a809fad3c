"""Audit notebook kit for 部门整体支出绩效自评表 (department overall expenditure self-evaluations).

The flow is one line: import → load → checks and scores → notebook → HTML/PDF → batch index.
The public API::

    import kit
    dept = kit.load("data/022006-2022.yaml")          # a data file (YAML or the kit's workbook)
    result = kit.run_audit(dept)                      # checks and scores under the file's family rules
    kit.render("params/022006.yaml", "reports")       # the HTML report of one department
"""
from __future__ import annotations

from .core.version import __version__  # noqa: E402

from .core.errors import KitError, LoadError, ParamsError, Problem  # noqa: E402

# The model, the loader and YAML load on first use: `kit --help` and `kit import` start without them.
_LAZY = {"load_department": (".files.load", "load_department"),
         "Department": (".model", "Department"), "Params": (".files.params", "Params"),
         "load_params": (".files.params", "load_params")}


def __getattr__(name: str):
    if name == "load":  # the module kit.files.load is callable: kit.load("data/x.yaml") loads a file
        import importlib

        return importlib.import_module(".files.load", __name__)
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module, __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kit' has no attribute {name!r}")


def run_audit(dept, params=None, options=None, rules=None):
    """Audit one department-year (``kit.engine.audit.run_audit``)."""
    from .engine.audit import run_audit as _run_audit  # pandas-heavy: imported on first use

    return _run_audit(dept, params, options, rules)


def render(params_path, out_dir, **kwargs):
    """Render one department's report from its params file (``kit.run.rendering.render``)."""
    from .run.rendering import render as _render  # papermill and nbconvert: imported on first use

    return _render(params_path, out_dir, **kwargs)


__all__ = [
    "Department",
    "KitError",
    "LoadError",
    "Params",
    "ParamsError",
    "Problem",
    "__version__",
    "load",
    "load_department",
    "load_params",
    "render",
    "run_audit",
]

"""Audit notebook kit for 部门整体支出绩效自评表 (department overall expenditure self-evaluations).

The flow is one line: params -> load -> checks and scores -> notebook -> HTML -> batch index.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .errors import KitError, LoadError, ParamsError, Problem  # noqa: E402
from .load import load_department  # noqa: E402
from .model import Department  # noqa: E402
from .params import Params, load_params  # noqa: E402

__all__ = [
    "Department",
    "KitError",
    "LoadError",
    "Params",
    "ParamsError",
    "Problem",
    "__version__",
    "load_department",
    "load_params",
]

"""Conversion between the kit's file formats, chosen by extension."""
from __future__ import annotations

from pathlib import Path

from ..core.errors import LoadError, Problem
from ..files.load import XLSX_SUFFIXES, YAML_SUFFIXES, load_department
from ..model import Department, to_document
from ..core.safeio import replace_atomic
from ..core.yamlio import dump_yaml


def write_department(dept: Department, dst: Path) -> None:
    """Write a department as YAML or as the kit's workbook, by the destination's extension."""
    suffix = dst.suffix.lower()
    if suffix in YAML_SUFFIXES:
        text = "# 部门整体支出绩效自评表（kit-dept/1），数值均按表上印刷原样保存\n" + dump_yaml(to_document(dept))
        replace_atomic(dst, text.encode("utf-8"))
    elif suffix in XLSX_SUFFIXES:
        from ..files.xlsxio import write_workbook

        write_workbook(dept, dst)
    else:
        raise LoadError(Problem("不支持的输出文件类型", file=str(dst), value=dst.suffix or "（无扩展名）",
                                expected=".yaml、.yml 或 .xlsx"))


def convert(src: Path, dst: Path) -> Department:
    """Load ``src`` and write it to ``dst``; returns the department."""
    dept = load_department(src)
    write_department(dept, dst)
    return dept

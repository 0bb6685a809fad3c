"""Places on the form, cited one way: ``评分表 第17行·分数`` (block, its row as numbered on the
form, field), and for a department read from the kit's Excel workbook the worksheet row beside
it: ``评分表 第17行·分数（工作表“评分表”第18行）``.

The worksheet row comes from the workbook reader's own record of where each row was read,
taken again from the same file; when the file has changed since the audit (its SHA-256 differs)
or cannot be read, no worksheet row is given rather than a wrong one.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..model import BLOCK_LABELS, Department

_ROW = re.compile(r"^(?P<block>\S+?) 第(?P<row>\d+)行")
_BLOCK_KEYS = {label: key for key, label in BLOCK_LABELS.items()}


def workbook_rows(dept: Department) -> dict[tuple[str, int], tuple[str, int]]:
    """{(block key, 0-based row): (sheet, worksheet row)} for a workbook source, else {}."""
    src = dept.source
    if src.format != "xlsx" or not src.path:
        return {}
    try:
        import hashlib

        from ..files.xlsxio import reader as xlsx_reader

        path = Path(src.path)
        data = path.read_bytes()
        if src.sha256 and hashlib.sha256(data).hexdigest() != src.sha256:
            return {}
        reader = xlsx_reader._Reader(str(path), xlsx_reader._open(path, data))  # the reader's own row record
        reader.read()
    except Exception:  # noqa: BLE001 - a citation aid only: without it the form's row is still cited
        return {}
    return {k: v for k, v in reader.where.items() if len(k) == 2 and isinstance(k[1], int)}


class Places:
    """Cites locations of one department; built once per report."""

    def __init__(self, dept: Department):
        self.rows = workbook_rows(dept)

    def cite(self, location: str) -> str:
        text = str(location or "")
        if not self.rows:
            return text
        m = _ROW.match(text)
        if not m:
            return text
        key = _BLOCK_KEYS.get(m.group("block"))
        hit = self.rows.get((key, int(m.group("row")) - 1)) if key else None
        return f"{text}（工作表“{hit[0]}”第{hit[1]}行）" if hit else text

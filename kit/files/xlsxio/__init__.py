"""Excel workbooks: a fill-in template for departments, and lossless reading and writing.

``layout`` (sheets, columns, rows, 填表说明, limits, cell escaping: what the writer and the reader
both follow), ``writer`` (``write_template``, ``write_workbook``), ``reader`` (``read_workbook``).
"""
from .layout import ALL_SHEETS, BLOCK_SHEETS, DATA_SHEETS, MAX_CELL_CHARS, MAX_CELLS, MAX_UNZIPPED_BYTES, MAX_XLSX_BYTES
from .reader import read_workbook
from .writer import write_template, write_workbook

__all__ = ["ALL_SHEETS", "BLOCK_SHEETS", "DATA_SHEETS", "MAX_CELLS", "MAX_CELL_CHARS", "MAX_UNZIPPED_BYTES",
           "MAX_XLSX_BYTES", "read_workbook", "write_template", "write_workbook"]

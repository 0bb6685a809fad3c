"""Generators for the corpus cases that cannot be committed as files.

Binary, huge, oddly encoded and xlsx cases are written into a temporary folder at test time,
each by a small function ``name(folder) -> path`` registered in ``registry.GENERATORS`` (with the
``kit import`` cases of ``make_import.py``); ``cases.yaml`` names them with ``make: name``. Everything
here derives from ``base.yaml``; a workbook case that only sets cells is a row of ``CELL_EDITS``.
"""
from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path
from typing import Callable

import make_import  # noqa: F401  (registers the kit import cases)
from registry import GENERATORS, fifo, generator, register, symlink, write

CORPUS = Path(__file__).resolve().parent
BASE = CORPUS / "base.yaml"


def base_text() -> str:
    return BASE.read_text(encoding="utf-8")


# --- files and encodings -------------------------------------------------------------------
@generator
def empty_yaml(d: Path) -> Path:
    return write(d, "empty.yaml", b"")


@generator
def whitespace_yaml(d: Path) -> Path:
    return write(d, "whitespace.yaml", b"  \n\t\n\r\n   ")


@generator
def missing_file(d: Path) -> Path:
    return d / "no-such-file.yaml"


@generator
def folder_named_yaml(d: Path) -> Path:
    p = d / "folder.yaml"
    p.mkdir()
    return p


@generator
def utf8_bom_yaml(d: Path) -> Path:
    return write(d, "bom.yaml", b"\xef\xbb\xbf" + base_text().encode("utf-8"))


@generator
def gbk_yaml(d: Path) -> Path:
    return write(d, "gbk.yaml", base_text().encode("gbk"))


@generator
def utf16_yaml(d: Path) -> Path:
    return write(d, "utf16.yaml", base_text().encode("utf-16"))


@generator
def nul_byte_yaml(d: Path) -> Path:
    return write(d, "nul.yaml", base_text().replace("追加项目经费", "追加\x00项目经费"))


@generator
def oversized_yaml(d: Path) -> Path:
    """A valid department padded past the size limit with a long narrative text."""
    from kit.core.yamlio import MAX_BYTES

    p = d / "oversized.yaml"
    filler = "很长的说明。" * (MAX_BYTES // 18 + 1000)
    p.write_text(base_text().replace("text: 预算执行进度偏慢。", f"text: {filler}"), encoding="utf-8")
    assert p.stat().st_size > MAX_BYTES
    return p


@generator
def many_nodes_yaml(d: Path) -> Path:
    """Under the size limit, but 60,000 list items (each one parsed into an object)."""
    p = d / "many-nodes.yaml"
    p.write_text(base_text().replace("stray: []", "stray: [" + ",".join(["x"] * 60_000) + "]"), encoding="utf-8")
    return p


@generator
def deep_nesting_yaml(d: Path) -> Path:
    p = d / "deep.yaml"
    p.write_text(base_text().replace("stray: []", "stray: " + "[" * 20_000 + "]" * 20_000), encoding="utf-8")
    return p


@generator
def params_missing_data_dir(d: Path) -> Path:
    """A parameter file whose data file is named relative to a folder that is not there."""
    p = d / "params" / "C00001.yaml"
    p.parent.mkdir()
    p.write_text('dept_code: "C00001"\nfiscal_year: 2022\ndata: ../data/C00001-2022.yaml\n', encoding="utf-8")
    return p


# --- xlsx ------------------------------------------------------------------------------------
def _workbook(d: Path, name: str, edit: Callable | None = None, dept=None) -> Path:
    """The base department as the kit's workbook, then edited with openpyxl."""
    import openpyxl

    from kit.files.load import load_department
    from kit.files.xlsxio import write_workbook

    p = d / name
    write_workbook(dept or load_department(BASE), p)
    if edit:
        wb = openpyxl.load_workbook(p)
        edit(wb)
        wb.save(p)
    return p


# Workbook cases that only set cells: name -> (file written, {"sheet!cell": value}).
CELL_EDITS: dict[str, tuple[str, dict[str, object]]] = {
    "xlsx_formula": ("formula.xlsx", {"部门预算总表!B2": "=C2+D2"}),
    "xlsx_date_in_amount": ("date.xlsx", {"部门基本支出!C2": dt.datetime(2022, 12, 31)}),
    "xlsx_text_in_amount": ("text-amount.xlsx", {"项目支出!E2": "四十六万"}),
    "xlsx_renamed_header": ("renamed-header.xlsx", {"评分表!G1": "自评得分"}),
    "xlsx_data_without_header": ("no-header-column.xlsx", {"项目支出!H2": "备注：另有追加"}),
    "xlsx_numeric_code": ("numeric-code.xlsx", {"基本信息!B3": 22006}),
    "xlsx_path_code": ("path-code.xlsx", {"基本信息!B3": "../../outside"}),
    # Amounts typed as numbers into General cells (floats and ints): read exactly.
    "xlsx_numbers_typed": ("numbers-typed.xlsx", {"部门预算总表!B2": 1000000.0, "部门预算总表!C2": 600000,
                                                  "部门预算总表!D2": 400000.00}),
    "xlsx_negative_and_huge": ("negative-huge.xlsx", {"部门基本支出!E3": "-95000.00",
                                                      "项目支出!C2": "2000000000000000.00"}),
    "xlsx_wan_and_fullwidth": ("wan-fullwidth.xlsx", {"部门基本支出!C3": "10万元", "部门基本支出!E2": "４９５０００.００"}),
    "xlsx_overflow_cells": ("overflow.xlsx", {"项目支出!C2": "#####", "评分表!D3": "#####"}),
    # A number cell holding 1e-300 (Excel shows 0): it loaded as 0.000…1 with 300 zeros.
    "xlsx_tiny_float": ("tiny-float.xlsx", {"项目支出!E2": 1e-300}),
    # Excel's own escape for a lone surrogate (_xD800_) in a task name and a narrative text.
    "xlsx_surrogate_escape": ("surrogate.xlsx", {"年度主要任务完成情况!A2": "基本_xD800_医疗服务",
                                                 "自评报告!D5": "预算执行_xDFFF_进度偏慢。"}),
    # ESC and C1 controls written with Excel's _x001B_ escape in the department name and a task.
    "xlsx_escape_sequences": ("escapes.xlsx", {"基本信息!B2": "语料_x001B_[31m测试_x001B_]0;pwned_x0007_单位",
                                               "年度主要任务完成情况!A3": "设备_x009B_2J购置"}),
    "xlsx_surrogate_in_code": ("surrogate-code.xlsx", {"基本信息!B3": "C00_xDC00_01"}),
}


def _cells_case(file: str, cells: dict[str, object]) -> Callable[[Path], Path]:
    def edit(wb):
        for ref, value in cells.items():
            sheet, cell = ref.split("!")
            wb[sheet][cell] = value

    return lambda d: _workbook(d, file, edit)


for _name, (_file, _cells) in CELL_EDITS.items():
    register(_name, _cells_case(_file, _cells))


@generator
def xlsx_good(d: Path) -> Path:
    return _workbook(d, "good.xlsx")


@generator
def xlsx_fake(d: Path) -> Path:
    return write(d, "fake.xlsx", "部门名称,金额\n语料测试单位,1000000\n")


@generator
def xlsx_empty(d: Path) -> Path:
    return write(d, "empty.xlsx", b"")


@generator
def xlsx_truncated(d: Path) -> Path:
    good = _workbook(d, "whole.xlsx")
    p = d / "truncated.xlsx"
    data = good.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return p


@generator
def xlsx_corrupt_member(d: Path) -> Path:
    """A zip whose worksheet XML is garbage."""
    good = _workbook(d, "whole.xlsx")
    p = d / "corrupt.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = b"<worksheet><sheetData><row><c r='A1'>" + b"\xff" * 50
            dst.writestr(item, data)
    return p


@generator
def xlsx_zip_not_workbook(d: Path) -> Path:
    p = d / "other.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "这是一个压缩包，不是工作簿")
    return p


@generator
def xlsx_old_xls(d: Path) -> Path:
    return write(d, "old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)


@generator
def xlsx_zip_bomb(d: Path) -> Path:
    """A small file that unpacks to more than the kit's limit (zeros compress ~1000:1)."""
    from kit.files.xlsxio import MAX_UNZIPPED_BYTES

    p = d / "bomb.xlsx"
    chunk = b"0" * (1 << 20)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for _ in range(MAX_UNZIPPED_BYTES // len(chunk) + 2):
                f.write(chunk)
    return p


@generator
def xlsx_missing_sheet(d: Path) -> Path:
    return _workbook(d, "missing-sheet.xlsx", lambda wb: wb.remove(wb["评分表"]))


@generator
def xlsx_renamed_sheet(d: Path) -> Path:
    def edit(wb):
        wb["年度绩效指标完成情况"].title = "绩效指标"

    return _workbook(d, "renamed-sheet.xlsx", edit)


@generator
def xlsx_extra_sheet(d: Path) -> Path:
    def edit(wb):
        wb.create_sheet("草稿")["A1"] = "草稿内容"

    return _workbook(d, "extra-sheet.xlsx", edit)


@generator
def xlsx_merged_rows(d: Path) -> Path:
    """Two task rows with their 任务名称 cells merged (Excel keeps only the top-left value)."""
    return _workbook(d, "merged.xlsx", lambda wb: wb["年度主要任务完成情况"].merge_cells("A2:A3"))


@generator
def xlsx_error_value(d: Path) -> Path:
    def edit(wb):
        c = wb["评分表"]["G2"]
        c.value, c.data_type = "#DIV/0!", "e"

    return _workbook(d, "error-value.xlsx", edit)


@generator
def xlsx_duplicate_rows(d: Path) -> Path:
    def edit(wb):
        ws = wb["年度绩效指标完成情况"]
        for col in range(1, 6):
            ws.cell(row=4, column=col, value=ws.cell(row=2, column=col).value)

    return _workbook(d, "duplicate-rows.xlsx", edit)


@generator
def xlsx_formula_injection(d: Path) -> Path:
    """Text fields holding formula-like text, written by the kit: must stay text."""
    import dataclasses

    from kit.files.load import load_department

    dept = load_department(CORPUS / "yaml" / "formula-injection.yaml")
    dept = dataclasses.replace(dept, code="C00001")
    return _workbook(d, "injection.xlsx", dept=dept)


# --- text that cannot be encoded or would drive a terminal ------------------------------------
@generator
def file_name_with_escapes(d: Path) -> Path:
    """A good department in a file whose name holds escape sequences (shown escaped)."""
    return write(d, "\x1b[2J\x1b]0;pwned\x07.yaml", base_text())


@generator
def file_name_with_escapes_error(d: Path) -> Path:
    """A GBK file whose name holds an escape sequence: the error names it escaped."""
    return write(d, "\x1b[31m\u202e坏.yaml", base_text().encode("gbk"))


# --- what loads must also render ------------------------------------------------------------
@generator
def many_tasks_yaml(d: Path) -> Path:
    """2,000 tasks (under the node limit): the task chart would be an image 84,000 pixels tall."""
    rows = "".join(
        f'  - {{name: 任务{i}, content: 内容。, status: 已完成, budget: {{total: "{i}.00", fiscal: "{i}.00", other: "0.00"}},'
        f' actual: {{total: "{i}.00", fiscal: "{i}.00", other: "0.00"}}}}\n'
        for i in range(1, 2001)
    )
    text = base_text()
    start, end = text.index("tasks:\n") + len("tasks:\n"), text.index("goals:")
    p = d / "many-tasks.yaml"
    p.write_text(text[:start] + rows + text[end:], encoding="utf-8")
    return p


# --- paths: only regular files are read ----------------------------------------------------------
NON_UTF8 = os.fsdecode(b"\xb2\xbf\xc3\xc5\xff")  # GBK bytes of a Chinese name, then 0xFF: not UTF-8
LONG_NAME = "部门数据" * 30 + ".yaml"  # 363 bytes in UTF-8: over the 255 a file name may have


def _params(d: Path, data: str, name: str = "C00001.yaml") -> Path:
    p = d / name
    p.write_text(f'dept_code: "C00001"\nfiscal_year: 2022\ndata: "{data}"\n', encoding="utf-8")
    return p


@generator
def symlink_to_dev_zero(d: Path) -> Path:
    """Read without bound before (kit validate: MemoryError at 1.7 GB)."""
    return symlink(d, "zero.yaml", "/dev/zero")


@generator
def symlink_to_dev_urandom_xlsx(d: Path) -> Path:
    return symlink(d, "urandom.xlsx", "/dev/urandom")


@generator
def fifo_yaml(d: Path) -> Path:
    """A named pipe with no writer: reading it waited forever."""
    return fifo(d, "pipe.yaml")


@generator
def fifo_xlsx(d: Path) -> Path:
    return fifo(d, "pipe.xlsx")


@generator
def unix_socket_yaml(d: Path) -> Path:
    import socket

    p = d / "sock.yaml"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(p))
    return p


@generator
def symlink_loop_yaml(d: Path) -> Path:
    symlink(d, "b.yaml", d / "a.yaml")
    return symlink(d, "a.yaml", d / "b.yaml")


@generator
def dangling_symlink_yaml(d: Path) -> Path:
    return symlink(d, "dangling.yaml", d / "gone.yaml")


@generator
def symlink_to_good_yaml(d: Path) -> Path:
    """A symlink to a regular file is read like the file."""
    return symlink(d, "link.yaml", BASE)


@generator
def name_too_long_yaml(d: Path) -> Path:
    return d / LONG_NAME


@generator
def non_utf8_name_yaml(d: Path) -> Path:
    """A good department in a file whose name is GBK bytes: a traceback before, and no report."""
    return write(d, NON_UTF8 + ".yaml", base_text())


@generator
def non_utf8_name_xlsx(d: Path) -> Path:
    good = _workbook(d, "good.xlsx")
    return good.rename(d / (NON_UTF8 + ".xlsx"))


@generator
def params_non_utf8_name(d: Path) -> Path:
    """A parameter file whose own name is not UTF-8 (in a batch it aborted every department)."""
    return _params(d, str(BASE), NON_UTF8 + ".yaml")


@generator
def params_data_resolves_to_non_utf8(d: Path) -> Path:
    """data: names a symlink to a file whose name is not UTF-8."""
    target = d / (NON_UTF8 + ".yaml")
    target.write_text(base_text(), encoding="utf-8")
    symlink(d, "data.yaml", target)
    return _params(d, "data.yaml")


@generator
def params_data_dev_zero(d: Path) -> Path:
    symlink(d, "zero.yaml", "/dev/zero")
    return _params(d, "zero.yaml")


@generator
def params_data_fifo(d: Path) -> Path:
    fifo(d, "pipe.yaml")
    return _params(d, "pipe.yaml")


@generator
def params_data_symlink_loop(d: Path) -> Path:
    """A symlink loop in data: (RuntimeError traceback before; in a batch, every department failed)."""
    symlink(d, "b.yaml", d / "a.yaml")
    symlink(d, "a.yaml", d / "b.yaml")
    return _params(d, "a.yaml")


@generator
def params_data_name_too_long(d: Path) -> Path:
    """data: a name longer than the file system allows (OSError: File name too long before)."""
    return _params(d, LONG_NAME)


@generator
def xlsx_sparse_oversized(d: Path) -> Path:
    """A sparse 25 MB .xlsx: refused by its size before any byte is read."""
    from kit.files.xlsxio import MAX_XLSX_BYTES

    p = d / "sparse.xlsx"
    with open(p, "wb") as f:
        f.truncate(MAX_XLSX_BYTES + 5 * 1024 * 1024)
    return p


# --- workbook amplification: small files that unpack into millions of cells ---------------------
_CACHE: dict[str, Path] = {}
STRAY_SHEET = "xl/worksheets/sheet13.xml"  # 无归属文字, the last sheet of the kit's workbook


def _with_sheet(d: Path, name: str, member: str, rows, extra: str = "") -> Path:
    """The good workbook with ``member``'s sheetData replaced by the byte strings ``rows`` yields
    (streamed into the zip, so a 190 MB sheet never sits in memory); ``extra`` goes after it."""
    good = _workbook(d, "base-" + name)
    p = d / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename != member:
                dst.writestr(item, data)
                continue
            head, rest = data.split(b"<sheetData>", 1)
            tail = rest.split(b"</sheetData>", 1)[1]
            with dst.open(member, "w", force_zip64=True) as f:
                f.write(head + b"<sheetData>")
                for chunk in rows:
                    f.write(chunk)
                f.write(b"</sheetData>" + extra.encode() + tail)
    good.unlink()
    return p


def _cached(name: str, d: Path, build: Callable[[Path], Path]) -> Path:
    """Build a large case once per process, then copy it (a few hundred KB) into ``d``."""
    import shutil
    import tempfile

    if name not in _CACHE:
        _CACHE[name] = build(Path(tempfile.mkdtemp(prefix="kit-corpus-")))
    return Path(shutil.copy(_CACHE[name], d / _CACHE[name].name))


def _styled_cells(n_rows: int, n_cols: int, first_row: int = 2):
    """Rows of tiny styled cells. Cells and rows without an ``r`` attribute take the next position
    (as OOXML allows and openpyxl reads), so every row is the same bytes and deflate packs ~400:1."""
    yield f'<row r="{first_row}">'.encode() + b'<c s="3"><v>1</v></c>' * n_cols + b"</row>"
    row = b"<row>" + b'<c s="3"><v>1</v></c>' * n_cols + b"</row>"
    for _ in range(n_rows - 1):
        yield row


@generator
def xlsx_cell_amplification(d: Path) -> Path:
    """The issue's workbook: ~500 KB holding 9.5 million tiny styled cells (190 MB unzipped, under the
    old 200 MB guard); validating it took 137 s and 3.3 GB. Refused by the cell count while streaming."""
    return _cached("amplification", d, lambda t: _with_sheet(t, "amplification.xlsx", STRAY_SHEET,
                                                              _styled_cells(9_500, 1_000)))


@generator
def xlsx_cell_count_amplification(d: Path) -> Path:
    """Two million tiny styled cells in 100 columns, ~40 MB unzipped (under the size limit): stopped by
    the cell count after the first 100,000, while streaming."""
    return _cached("cell-count", d, lambda t: _with_sheet(t, "cell-count.xlsx", STRAY_SHEET,
                                                           _styled_cells(20_000, 100)))


@generator
def xlsx_far_corner_cell(d: Path) -> Path:
    """One empty styled cell at XFD1048576: the reader would walk 1,048,576 rows by 16,384 columns."""
    return _with_sheet(d, "far-corner.xlsx", STRAY_SHEET,
                       [b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8e\x9f\xe6\x96\x87</t></is></c></row>',
                        b'<row r="1048576"><c r="XFD1048576" s="3"/></row>'])


@generator
def xlsx_far_cell_attribute_trick(d: Path) -> Path:
    """The far cell's r attribute after one holding '>' (a scanner matching text would miss it)."""
    return _with_sheet(d, "far-trick.xlsx", STRAY_SHEET,
                       [b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8e\x9f\xe6\x96\x87</t></is></c></row>',
                        b'<row r="900000"><c s="3" cm="&gt;" r="ZZ900000"/></row>'])


@generator
def xlsx_huge_merge(d: Path) -> Path:
    """One merged range over the whole sheet: openpyxl makes a cell object for every cell it covers."""
    return _with_sheet(d, "huge-merge.xlsx", STRAY_SHEET,
                       [b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8e\x9f\xe6\x96\x87</t></is></c></row>'],
                       extra='<mergeCells count="1"><mergeCell ref="B2:XFD1048576"/></mergeCells>')


@generator
def xlsx_huge_hyperlink(d: Path) -> Path:
    """One hyperlink over a huge range: openpyxl creates every cell of it to attach the link."""
    return _with_sheet(d, "huge-link.xlsx", STRAY_SHEET,
                       [b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8e\x9f\xe6\x96\x87</t></is></c></row>'],
                       extra='<hyperlinks><hyperlink ref="B2:ZZ200000" display="x" location="A1"/></hyperlinks>')


@generator
def xlsx_many_empty_rows(d: Path) -> Path:
    """A million empty rows with a height (no cells, ~30 MB unzipped): openpyxl keeps an object per row."""

    def rows():
        yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>\xe5\x8e\x9f\xe6\x96\x87</t></is></c></row>'
        for _ in range(100):
            yield b'<row ht="15" customHeight="1"/>' * 10_000

    return _cached("empty-rows", d, lambda t: _with_sheet(t, "empty-rows.xlsx", STRAY_SHEET, rows()))


@generator
def xlsx_cells_just_under_limit(d: Path) -> Path:
    """Cells up to the limits in a sheet the kit ignores the contents of (the guide): loads."""
    from kit.files.xlsxio import MAX_CELLS

    n_cols = 20
    n_rows = (MAX_CELLS - 2_000) // n_cols  # the rest of the workbook holds about 1,500 cells
    return _cached("under-limit", d, lambda t: _with_sheet(t, "under-limit.xlsx", "xl/worksheets/sheet1.xml",
                                                           _styled_cells(n_rows, n_cols, first_row=20)))


@generator
def xlsx_many_shared_strings(d: Path) -> Path:
    """A shared-string table of 3 million entries that no cell uses."""
    good = _workbook(d, "base-strings.xlsx")
    p = d / "many-strings.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml" '
                                    b'Id="rId99"/></Relationships>')
            dst.writestr(item, data)
        with dst.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(300):
                f.write(b"<si><t>x</t></si>" * 10_000)
            f.write(b"</sst>")
    good.unlink()
    return p


@generator
def xlsx_many_sheets(d: Path) -> Path:
    """500 extra sheets."""

    def edit(wb):
        for i in range(500):
            wb.create_sheet(f"草稿{i}")

    return _workbook(d, "many-sheets.xlsx", edit)


@generator
def xlsx_dtd_entities(d: Path) -> Path:
    """A DOCTYPE with an entity expansion (a 'billion laughs') in a worksheet: never expanded."""
    good = _workbook(d, "base-dtd.xlsx")
    p = d / "dtd.xlsx"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">' % ((chr(98 + i).encode(),)
                                                                                    + (chr(97 + i).encode(),) * 10)
                       for i in range(8))
            + b"]>")
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == STRAY_SHEET:
                data = bomb + data.replace(b"\xe5\x8e\x9f\xe6\x96\x87", b"&i;")
            dst.writestr(item, data)
    good.unlink()
    return p


def make(name: str, folder: Path) -> Path:
    """Write one generated case into ``folder`` and return its path."""
    return GENERATORS[name](folder)


if __name__ == "__main__":  # pragma: no cover - manual use: python tests/corpus/make.py OUT
    import sys

    out = Path(sys.argv[1])
    for name in GENERATORS:
        sub = out / name
        sub.mkdir(parents=True, exist_ok=True)
        print(make(name, sub))

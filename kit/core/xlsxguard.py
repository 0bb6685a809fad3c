"""What a workbook may unpack into, checked while streaming, before openpyxl parses anything.

A .xlsx is a zip of XML parts, and small parts can stand for a lot of work: 500 KB of
identical tiny styled cells unzip to 190 MB and 9.5 million cell objects (137 s, 3.3 GB to
validate); one empty cell at XFD1048576 makes the reader walk 17 billion positions; one
``<mergeCell ref="B2:XFD1048576"/>`` or a hyperlink over such a range makes openpyxl create
every cell it covers. ``check_archive`` reads each XML part once with expat (no tree, no entity
expansion: a DOCTYPE is refused), counts what openpyxl would build, and stops at the first limit
passed, naming the sheet and the cell. A department's workbook is a few thousand cells; the
limits leave a wide margin and keep the reader's own walk over rows × columns bounded.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from xml.parsers import expat

from .errors import LoadError, Problem

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # all parts together; a department's workbook is ~300 KB unzipped
MAX_MEMBERS = 1_000  # parts in the zip
MAX_SHEETS = 50  # the template has 14
MAX_CELLS = 100_000  # cell elements in all sheets
MAX_ROWS = 10_000  # rows of one sheet (the last row used, and row elements)
MAX_COLUMNS = 100  # columns of one sheet (the template's widest table has 9)
# The reader walks rows × columns of every sheet, and openpyxl creates a cell for every position a
# merged range or a hyperlink covers: all of that together.
MAX_AREA = 300_000
MAX_STRINGS = 100_000  # shared strings
MAX_STYLES = 50_000  # cell formats (Excel itself stops near 64,000)
MAX_ELEMENTS = 1_000_000  # XML elements in all parts

_EXPECTED = "用 Excel 或本工具（kit template）生成的部门工作簿"
_COORD = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class _Stop(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell(ref: str) -> tuple[int, int] | None:
    m = _COORD.match(ref)
    return (int(m.group(2)), _col_number(m.group(1))) if m else None


def _range_area(ref: str) -> int:
    """Cells covered by 'A1:C3' (or one cell); 0 when it cannot be read (openpyxl refuses it then)."""
    total = 0
    for part in ref.split():
        ends = [_cell(x) for x in part.split(":")]
        if None in ends or not 1 <= len(ends) <= 2:
            continue
        (r1, c1), (r2, c2) = ends[0], ends[-1]
        total += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
    return total


def _coordinate(row: int, col: int) -> str:
    letters = ""
    while col:
        col, r = divmod(col - 1, 26)
        letters = chr(65 + r) + letters
    return f"{letters}{row}"


class _Scan:
    """Counts over the whole workbook; one ``part`` call per XML part."""

    def __init__(self, file: str, sheet_names: dict[str, str]):
        self.file = file
        self.sheet_names = sheet_names
        self.elements = self.cells = self.area = self.strings = self.styles = 0

    def stop(self, message: str, sheet: str = "", field: str = "", expected: str = _EXPECTED) -> None:
        raise _Stop(Problem(message, file=self.file, block=sheet, field=field, expected=expected))

    def part(self, zf: zipfile.ZipFile, name: str) -> None:
        is_sheet = name.startswith("xl/worksheets/") and name.endswith(".xml")
        sheet = self.sheet_names.get(name, name) if is_sheet else None
        label = sheet or name
        row = col = max_row = max_col = rows = 0
        p = expat.ParserCreate()

        def doctype(*_):
            self.stop("含有 DTD 声明（<!DOCTYPE>），Excel 工作簿中不会有，可能是 XML 实体炸弹", label,
                      expected="未经改动的 Excel 工作簿")

        def start(tag: str, attrs: dict) -> None:
            nonlocal row, col, max_row, max_col, rows
            self.elements += 1
            if self.elements > MAX_ELEMENTS:
                self.stop(f"工作簿内容过多（超过 {MAX_ELEMENTS:,} 个 XML 元素），不像一个部门的数据", label)
            local = tag.rpartition(":")[2]
            if sheet is not None:
                if local == "c":
                    where = _cell(attrs.get("r", ""))
                    row, col = (where[0], where[1]) if where else (row or 1, col + 1)
                    self.cells += 1
                    if self.cells > MAX_CELLS:
                        self.stop(f"工作簿的单元格过多（超过 {MAX_CELLS:,} 个），不像一个部门的数据", sheet,
                                  _coordinate(row, col), "按模板填写的部门数据（删除多余的行列和格式）")
                    if row > MAX_ROWS or col > MAX_COLUMNS:
                        self.stop(f"单元格超出范围（部门数据不超过 {MAX_ROWS:,} 行、{MAX_COLUMNS} 列）", sheet,
                                  _coordinate(row, col), "删除表格以外的单元格（包括只设了格式的空单元格）")
                    max_row, max_col = max(max_row, row), max(max_col, col)
                elif local == "row":
                    r = attrs.get("r", "")
                    row, col = (int(r) if r.isdigit() else row + 1), 0
                    rows += 1
                    if row > MAX_ROWS or rows > MAX_ROWS:
                        self.stop(f"行数超出范围（部门数据不超过 {MAX_ROWS:,} 行）", sheet, f"第 {row:,} 行",
                                  "删除表格以外的行（包括只设了格式的空行）")
                elif local in ("mergeCell", "hyperlink"):
                    self.area += _range_area(attrs.get("ref", ""))
                    if self.area > MAX_AREA:
                        what = "合并单元格" if local == "mergeCell" else "超链接"
                        self.stop(f"{what}覆盖的范围过大，不像一个部门的数据", sheet, attrs.get("ref", ""),
                                  f"只在表格内合并或加链接（合计不超过 {MAX_AREA:,} 个单元格）")
            elif local == "si":
                self.strings += 1
                if self.strings > MAX_STRINGS:
                    self.stop(f"共享字符串过多（超过 {MAX_STRINGS:,} 个），不像一个部门的数据", label)
            elif local == "xf":
                self.styles += 1
                if self.styles > MAX_STYLES:
                    self.stop(f"单元格格式过多（超过 {MAX_STYLES:,} 种），不像一个部门的数据", label)

        p.StartDoctypeDeclHandler = doctype
        p.StartElementHandler = start
        try:
            with zf.open(name) as f:
                while chunk := f.read(1 << 16):
                    p.Parse(chunk, False)
                p.Parse(b"", True)
        except expat.ExpatError:
            return  # malformed XML: openpyxl reports the workbook as damaged
        if sheet is not None:
            # The reader walks every row and column up to the last cell used.
            self.area += max_row * max_col
            if self.area > MAX_AREA:
                self.stop(f"各工作表使用的范围合计过大（超过 {MAX_AREA:,} 个单元格），不像一个部门的数据", sheet,
                          f"A1:{_coordinate(max_row, max_col)}", "删除表格以外的单元格")


def _no_dtd(*_) -> None:
    raise expat.ExpatError("DTD")  # names are best effort; check_archive refuses the DTD itself


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, from xl/workbook.xml and its relationships (best effort)."""
    names: dict[str, str] = {}
    targets: dict[str, str] = {}
    try:
        if zf.getinfo("xl/workbook.xml").file_size > 1 << 20 or zf.getinfo("xl/_rels/workbook.xml.rels").file_size > 1 << 20:
            return names
        rels = expat.ParserCreate()
        rels.StartElementHandler = lambda tag, a: targets.__setitem__(a.get("Id", ""), a.get("Target", ""))
        rels.StartDoctypeDeclHandler = _no_dtd
        rels.Parse(zf.read("xl/_rels/workbook.xml.rels"), True)
        book = expat.ParserCreate()

        def sheet(tag, a):
            if tag.rpartition(":")[2] == "sheet":
                rid = next((v for k, v in a.items() if k.rpartition(":")[2] == "id"), "")
                target = targets.get(rid, "")
                if target:
                    path = target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
                    names[path] = a.get("name", path)

        book.StartElementHandler = sheet
        book.StartDoctypeDeclHandler = _no_dtd
        book.Parse(zf.read("xl/workbook.xml"), True)
    except (KeyError, expat.ExpatError, zipfile.BadZipFile, ValueError, OSError):
        pass
    return names


def check_archive(zf: zipfile.ZipFile, file: str) -> None:
    """A ``LoadError`` when the workbook would unpack into more than a department's data."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise LoadError(Problem(f"压缩包内文件过多（{len(infos):,} 个），不像一个部门的工作簿", file=file, expected=_EXPECTED))
    if sum(i.file_size for i in infos) > MAX_UNZIPPED_BYTES:
        raise LoadError(Problem(f"工作簿解压后过大（超过 {MAX_UNZIPPED_BYTES:,} 字节），不像一个部门的数据", file=file,
                                expected=_EXPECTED))
    sheets = [i.filename for i in infos if i.filename.startswith(("xl/worksheets/", "xl/chartsheets/"))
              and i.filename.endswith(".xml")]
    if len(sheets) > MAX_SHEETS:
        raise LoadError(Problem(f"工作表过多（{len(sheets):,} 个），不像一个部门的工作簿", file=file,
                                expected=f"模板中的工作表（不超过 {MAX_SHEETS} 个）"))
    scan = _Scan(file, _sheet_names(zf))
    try:
        for info in infos:
            if info.filename.lower().endswith(_XML_SUFFIXES) and not info.is_dir():
                scan.part(zf, info.filename)
    except _Stop as stop:
        raise LoadError(stop.problem) from None

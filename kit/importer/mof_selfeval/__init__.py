"""The 财政部-style 绩效自评表 (family ``mof_selfeval``): printed form → document.

The form (财预〔2020〕10号's 自评表 as the provinces adapted it) is a sequence of blocks, each
opened by a printed label: the head (项目名称 / 部门(单位)名称, 主管部门, 实施单位), 项目资金 /
预算执行情况 (columns named by their printed headers, one row per 资金来源), 年度总体目标 (预期 vs
实际), 绩效指标 (一级/二级/三级指标 and the columns the header prints: 指标性质, 指标值, 度量单位,
完成值, 分值/权重, 得分, 偏差原因), 总分/合计, and the Sichuan texts 评价结论/存在问题/改进措施.
Blocks are found by their labels in any order (Sichuan prints 年度目标 before the funds);
columns by their printed header, never by a fixed position.

Cells come from ``cells.read_grid`` (``|``, tabs, runs of spaces, one cell per line, PDF cells).
A row is placed by ``layout`` when its cells stand in their printed columns (a PDF cell's
grid column; a row of ``|`` cells whose count is the column count, or which ends early with
each cell fitting its column). When blank cells left no trace (runs of spaces, or a page that
moved its blank cells to the end of the row), the cells are put into the columns each can
hold (an amount in an amount column, a percentage in 执行率, a score of at most 100 in 分值/得分,
"-" or "/" only in 分值/得分 — the template marks those not applicable on the 其中 rows) and a
cell is placed (``inferred``) only when every way of doing so agrees; otherwise it is left
absent with its raw text. Rows of 绩效指标 whose last two numbers could be 分值/得分 or
指标值/完成值 are decided only by the printed sums: each 一级指标's (N分) and 总分 must hold.

A file may hold several forms (a page publishing one project form after another, or one cut at
the top): ``import_forms`` returns one record each. Blocks cut off by the end of the page are
listed in ``incomplete``. Text that fits nowhere on the form goes to ``stray``; page text
outside the forms (dates, menus) only to the record.

The package, one job a module: ``words`` (the printed vocabulary), ``split`` (a file into forms),
``place`` (a row's cells into columns), ``reader`` (one form into blocks: head, texts, tail,
leftovers), ``funds`` (项目资金, 年度总体目标), ``indicators`` (绩效指标, 总分), ``resolve`` (decisions that
need the whole table), ``finish`` (name, year, code, order); ``import_forms`` here is the entry.
"""
from __future__ import annotations

from typing import Callable

from ...core.errors import NotThisLayout, Problem
from ..cells import read_grid
from ..record import Record
from ..sources import Form
from .finish import finish
from .reader import FormReader
from .split import Part, split_forms
from .words import opens_block

__all__ = ["import_forms"]


def import_forms(form: Form, new_record: Callable[[], Record]) -> list[Record]:
    grid = read_grid(form)
    parts, first = split_forms(grid)
    if not parts:  # no form's head nor table row: read it all, unless no label opens a block at all
        if not any(opens_block(t.key) for row in grid.rows for t in row if t.text and not t.carried):
            raise _not_this_layout(form)  # reading it would find nothing (kit import tries the next layout)
        parts = [Part(0, len(grid.rows))]
        first = 0
    records: list[Record] = []
    for k, part in enumerate(parts):
        rec = new_record()
        if grid.address:
            rec.source["address"] = grid.address
        reader = FormReader(form, grid, part, rec, last=k == len(parts) - 1)
        reader.run()
        records.append((rec, reader))
    records = [(rec, reader) for rec, reader in records if _has_content(rec.doc)]
    if not records:
        raise _not_this_layout(form)
    page_text = [t for row in grid.rows[:first] for t in row if t.text and not t.carried]
    if page_text and records:
        rec0 = records[0][0]
        for t in page_text:
            rec0.not_placed(t.text, t.src, "表单之外的网页文字（标题、日期、菜单等），未导入")
    if len(records) > 1:
        for rec, _ in records:
            rec.note(f"{form.name} 中有 {len(records)} 份表单，每份各导入为一个数据文件")
    for k, (rec, reader) in enumerate(records):
        finish(form, rec, reader.part.cut_top, [r for r, _ in records], k)
    return [r for r, _ in records]


def _has_content(doc: dict) -> bool:
    return bool(doc.get("funds", {}).get("rows") or doc.get("indicators") or doc.get("goals"))


def _not_this_layout(form: Form) -> NotThisLayout:
    return NotThisLayout(Problem("按财政部式自评表的版式，在文件中找不到任何栏目（项目资金/预算执行情况、年度总体目标、绩效指标）",
                                 file=str(form.path), expected="财政部式绩效自评表；其他表式请用 --family 指定或不指定（自动识别）"))

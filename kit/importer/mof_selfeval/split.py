"""A file into forms: where each form printed on a page begins, and whether the page begins inside one."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..cells import Grid, Tok
from .words import FUNDS_SPECIFIC, IND_START, TITLE_CONT, funds_col, is_title


@dataclass
class Part:
    start: int  # first grid row
    stop: int  # one past the last
    cut_top: bool = False  # the page begins inside this form


def _row_keys(row: list[Tok]) -> list[str]:
    return [t.key for t in row if not t.carried and t.text]


FORM_HEAD = ("项目名称", "部门(单位)名称", "部门名称", "单位名称", "单位(盖章)")
_FORM_HEAD_INLINE = re.compile(r"^(单位名称|单位\(盖章\)|填报单位)[:：]")


def _has_header_label(row: list[Tok]) -> bool:
    """A row opening a form's head: 项目名称 / 部门(单位)名称 / 单位名称, or '单位(盖章):…'."""
    return any(t.key.rstrip(":：") in FORM_HEAD or _FORM_HEAD_INLINE.match(t.key) for t in row if not t.carried)


def _is_content(row: list[Tok]) -> bool:
    keys = _row_keys(row)
    return any(funds_col(k) in FUNDS_SPECIFIC or IND_START.match(k) or k in ("一级指标", "三级指标") for k in keys)


def split_forms(grid: Grid) -> tuple[list[Part], int]:
    """The forms the grid holds, and the first row of the first form (rows before it are page text)."""
    starts: list[tuple[int, bool]] = []
    content = False
    first_content: int | None = None
    for r, row in enumerate(grid.rows):
        if not row:
            continue
        if _has_header_label(row) and (not starts or content):
            begin = r
            for back in range(r - 1, max(-1, r - 5), -1):  # the title printed just above the head
                keys = _row_keys(grid.rows[back])
                if keys and is_title(keys[0]):
                    begin = back
                    break
                if keys and not TITLE_CONT.match(keys[0]):
                    break
            if starts and begin <= starts[-1][0]:
                begin = r
            starts.append((begin, False))
            content = False
            continue
        if _is_content(row):
            if not starts and first_content is None:
                first_content = r
            content = True
    parts: list[Part] = []
    if first_content is not None and (not starts or first_content < starts[0][0]):
        # The page begins inside a form: its head and first blocks are not on the page.
        parts.append(Part(first_content, starts[0][0] if starts else len(grid.rows), cut_top=True))
    for k, (begin, _) in enumerate(starts):
        parts.append(Part(begin, starts[k + 1][0] if k + 1 < len(starts) else len(grid.rows)))
    first = parts[0].start if parts else len(grid.rows)
    return parts, first

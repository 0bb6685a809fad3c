"""The Shenzhen 部门整体支出绩效自评表 (family ``shenzhen_2022``): printed form → document.

Two readers share the form's vocabulary and the finishing steps:

* ``TextLayout`` reads a text layer (a PDF's text saved as .txt, or a web page's text). Such a
  layer prints cells in the PDF's object order, not in reading order: merged cells (一级指标,
  二级指标, 部分标题) come after their table, the 实际完成指标值 column after the whole table,
  the narrative's texts apart from their titles. What the printed position says is placed by
  ``layout``; what needs a reasoned choice is placed as ``inferred`` with the reason; what is
  unsure is left absent with its raw text.
* ``shenzhen_pdf.CellLayout`` reads a PDF's ruled tables cell by cell (``sources.Table``); a cell's column
  header says what it holds, so nearly everything is placed by layout.
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable

from ..model import BUDGET_PARTS, BUDGET_STAGES, NARRATIVE_SECTIONS
from .record import Record, lines_source
from .shenzhen_actuals import actual_reason, match_actuals
from .shenzhen_rows import desc_lines, is_body_text, mode_width, score_names, split_inline, split_level3, starts_score_row
from .shenzhen_cells import (
    LINE_COLUMNS,
    amounts_line,
    line_row,
    stage_prefix,
    column_roles,
    is_cell_row,
    is_cell_token,
    is_ruled,
    place_amount,
    role_of,
    split_row,
    table_unit,
)
from .shenzhen_vocab import (
    SCORE_LEVEL_LABELS,
    HEAD_RE,
    INDICATOR_LEVEL1,
    INDICATOR_LEVEL2,
    LINE_BLOCK_LABELS,
    LINE_BLOCKS,
    LONE_SCORE,
    NARRATIVE_ORDER,
    PART_NUMERALS,
    PART_RE,
    PROFILE_LABELS,
    STAGE_LABELS,
    TASK_END,
    TITLE_RE,
    WEIGHT_LINE,
    is_label,
    label_key,
    norm,
)
from .sources import Form, Line
from .wrap import capacity_of, clean_line, join_lines, printed_width, text_width


# --- the text layer -------------------------------------------------------------------------
class TextLayout:
    def __init__(self, form: Form, record: Record):
        self.form = form
        self.rec = record
        self.lines: list[Line] = form.lines
        self.text = [clean_line(ln.text) for ln in form.lines]
        self.width = [printed_width(ln.text) for ln in form.lines]
        self.used: set[int] = set()
        self.head = None

    # helpers
    def src(self, idx: Iterable[int]) -> dict:
        return lines_source(self.lines[i] for i in sorted(set(idx)))

    def cap(self, idx: Iterable[int]) -> int:
        return capacity_of([self.width[i] for i in idx])

    def join(self, idx: list[int], cap: int, hard: str = "\n") -> str:
        return join_lines([self.text[i] for i in idx], cap, hard, widths=[self.width[i] for i in idx])

    def take(self, idx: Iterable[int]) -> None:
        self.used.update(idx)

    def label(self, i: int) -> None:
        self.used.add(i)
        self.rec.labels_read += 1

    def find(self, pred, start: int = 0, stop: int | None = None) -> int | None:
        stop = len(self.text) if stop is None else stop
        for i in range(start, stop):
            if pred(self.text[i]):
                return i
        return None

    def blocks(self, start: int, stop: int, skip=lambda i: False) -> list[list[int]]:
        """Runs of non-blank lines (blank lines separate cells in a text layer)."""
        out: list[list[int]] = []
        cur: list[int] = []
        for i in range(start, stop):
            if not self.text[i] or skip(i):
                if cur:
                    out.append(cur)
                    cur = []
                if self.text[i] and skip(i):
                    continue
                continue
            cur.append(i)
        if cur:
            out.append(cur)
        return out

    def is_page_header(self, s: str) -> bool:
        doc = self.rec.doc.get("department", {})
        name, code = doc.get("name"), doc.get("code")
        return bool(name and code) and norm(s) in (norm(f"{name}部门编码{code}"), norm(f"部门名称{name}部门编码{code}"))

    # the whole form
    def run(self) -> None:
        n = len(self.text)
        head = self.find(lambda s: bool(HEAD_RE.match(s)) and "部门预算总额" not in s)
        if head is None:
            head = self.find(lambda s: bool(HEAD_RE.match(s)))
        if head is not None:
            m = HEAD_RE.match(self.text[head])
            self.rec.place(("department", "name"), m.group("name"), self.src([head]), verify=self.lines[head].text)
            self.rec.place(("department", "code"), m.group("code"), self.src([head]), verify=self.lines[head].text)
            self.take([head])
        budget_h = self.find(lambda s: "部门支出总金额" in s and "基本支出总金额" in s)
        line_hs = [i for i in range(n) if "序号" in self.text[i] and "项目名称" in self.text[i] and "预算金额" in self.text[i]]
        tasks_h = self.find(lambda s: "其中财政拨款" in s and "总数" in s)
        ind_h = self.find(lambda s: "一级指标" in s and "指标值" in s and "分数" not in s)
        goals_h = self.find(lambda s: "预期目标" in s and "目标完成实际情况" in s)
        scores_h = self.find(lambda s: "一级指标" in s and "分数" in s)
        narr_h = self.find(lambda s: bool(HEAD_RE.match(s)) and "部门预算总额" in s)
        scores_tail = self.find(lambda s: "指标说明" in s and "评分标准" in s, (scores_h or 0) + 1)
        marks = {"预算表头": budget_h, "年度主要任务表头": tasks_h, "绩效指标表头": ind_h, "目标表头": goals_h, "评分表表头": scores_h}
        missing = [k for k, v in marks.items() if v is None]
        if missing:
            self.rec.note("文字层中找不到：" + "、".join(missing) + "；相应部分未导入")
        start = (head + 1) if head is not None else 0
        ends = sorted(v for v in (budget_h, line_hs[0] if line_hs else None, tasks_h, ind_h, goals_h, scores_h, narr_h) if v is not None)

        def upto(i: int | None) -> int:
            later = [e for e in ends if i is not None and e > i]
            return later[0] if later else n

        if budget_h is not None:
            self.profile(start, budget_h)
            self.label(budget_h)
            self.budget(budget_h + 1, line_hs[0] if line_hs else upto(budget_h))
        if line_hs:
            self.lines_blocks(line_hs, tasks_h if tasks_h is not None else upto(line_hs[-1]))
        if tasks_h is not None:
            self.label(tasks_h)
            self.tasks(tasks_h + 1, ind_h if ind_h is not None else upto(tasks_h))
        if ind_h is not None:
            self.label(ind_h)
            self.indicators(ind_h + 1, goals_h if goals_h is not None else upto(ind_h))
        if goals_h is not None:
            self.label(goals_h)
            self.goals(goals_h + 1, scores_h if scores_h is not None else upto(goals_h))
        if scores_h is not None:
            self.label(scores_h)
            stop = scores_tail if scores_tail is not None else (narr_h if narr_h is not None else n)
            self.scores(scores_h + 1, stop)
        if narr_h is not None:
            m = HEAD_RE.match(self.text[narr_h])
            self.take([narr_h])
            if m.group("total"):
                place_amount(self.rec, ("narrative", "budget_total"), m.group("total"), self.src([narr_h]),
                             m.group("tunit") or "", verify=self.lines[narr_h].text)
            self.narrative(narr_h + 1, n)
        self.leftovers()

    # blocks
    def profile(self, start: int, stop: int) -> None:
        keys = []
        for i in range(start, stop):
            k = PROFILE_LABELS.get(norm(self.text[i]))
            if k:
                keys.append(k)
                self.label(i)
        if not keys:
            keys = list(PROFILE_LABELS.values())
        blocks = self.blocks(start, stop, skip=lambda i: i in self.used or is_label(self.text[i]))
        # A cell's text ends with the layer's padding tabs; blocks between are one cell.
        merged: list[list[int]] = []
        cur: list[int] = []
        for b in blocks:
            cur += b
            if self.lines[b[-1]].text.endswith("\t") or len(blocks) == len(keys):
                merged.append(cur)
                cur = []
        if cur:
            merged.append(cur)
        for k, b in zip(keys, merged):
            self.rec.place(("profile", k), self.join(b, self.cap(b)), self.src(b))
            self.take(b)
        for k in keys[len(merged):]:
            self.rec.absent(("profile", k), "", None, "文字层中找不到该栏的文字", blank="")

    def budget(self, start: int, stop: int) -> None:
        """The budget table: each amount placed under the header column it stands in, each row
        by the stage label it is printed beside, or, when the labels are printed apart, by
        matching the printed rows with the printed labels one for one. An unreadable cell keeps
        its place (absent with its raw text); rows that cannot be matched are left absent."""
        cols = column_roles(split_row(self.lines[start - 1].text) if start else [])
        amount_cols = [(r, u) for r, u in cols if r != "reason"]
        if [r for r, _ in amount_cols] != list(BUDGET_PARTS) and sorted(r for r, _ in amount_cols) != sorted(BUDGET_PARTS):
            self.rec.note("预算总表表头中找不到三个金额栏（部门支出总金额、基本支出总金额、项目支出总金额）；按表式的栏序读取")
            amount_cols = [(p, table_unit(self.text[start - 1]) if start else "") for p in BUDGET_PARTS]
        self._unit("预算总表", [u for _r, u in amount_cols])
        rows: list[tuple[int, str | None, list[str]]] = []  # (line, stage printed on the line, cells)
        reason: list[int] = []
        reason_tail: list[tuple[int, str]] = []
        head_cells = split_row(self.lines[start - 1].text) if start and is_ruled(self.lines[start - 1].text) else None
        for i in range(start, stop):
            s = self.text[i]
            if not s:
                continue
            if head_cells and is_ruled(self.lines[i].text):
                cells = split_row(self.lines[i].text)
                if len(cells) == len(head_cells):  # a ruled row: each cell under its header cell
                    by_role, stage = {}, None
                    for h, c in zip(head_cells, cells):
                        role = role_of(h)
                        if role == "reason" and c:
                            reason_tail.append((i, c))
                        elif role:
                            by_role[role] = c
                        elif label_key(c) in STAGE_LABELS:
                            stage = STAGE_LABELS[label_key(c)]
                    if any(by_role.values()) or stage:
                        rows.append((i, stage, [by_role.get(r, "") for r, _u in amount_cols]))
                        self.rec.labels_read += bool(stage)
                        continue
            stage, toks = stage_prefix(split_row(self.lines[i].text))
            if stage is None and is_label(s):
                continue
            k = 0
            while k < len(toks) and is_cell_token(toks[k]):
                k += 1
            if toks and (k == len(toks) and is_cell_row(toks) or k >= 2 or (stage and k)):
                rows.append((i, stage, toks[:k]))
                if k < len(toks):
                    reason_tail.append((i, " ".join(toks[k:])))
                if stage:
                    self.rec.labels_read += 1
            elif stage is not None and not toks:
                continue  # a label printed alone, counted below
            else:
                reason.append(i)
        printed = [STAGE_LABELS[label_key(self.text[i])] for i in range(start, len(self.text))
                   if label_key(self.text[i]) in STAGE_LABELS]
        inline = {st for _i, st, _c in rows if st}
        free_rows = [(i, c) for i, st, c in rows if st is None]
        free_stages = [st for st in dict.fromkeys(printed or BUDGET_STAGES) if st not in inline]
        if len(set(printed)) == len(BUDGET_STAGES) and len(free_rows) == len(free_stages):
            why = "行标签（年初预算批复（收入）、全年调整后预算数、年末执行数）与数值分开印出；数值行与行标签的个数相同，按印出的先后一一对应"
        else:
            why = "文字层中没有完整的行标签；数值行与表式的行数相同，按印出的先后对应（年初、调整后、执行）"
        assigned: dict[str, tuple[int, list[str], str, str]] = {}
        for i, st, cells in rows:
            if st:
                if st in assigned:
                    self.rec.not_placed(self.text[i], self.src([i]), f"预算总表中“{st}”一行印了两次，未采用")
                else:
                    assigned[st] = (i, cells, "layout", "")
        if free_rows and len(free_rows) == len(free_stages):
            for (i, cells), st in zip(free_rows, free_stages):
                assigned[st] = (i, cells, "inferred", why)
        elif free_rows:
            self.rec.note(f"预算总表印出 {len(free_rows)} 行没有行标签的数值，而待对应的行是 {len(free_stages)} 行"
                          "（年初、调整后、执行）：无法确定各行属于哪一行，这些数值未导入")
            for i, cells in free_rows:
                self.rec.not_placed(self.text[i], self.src([i]), "预算总表中无法确定所属行（年初、调整后、执行）的一行数值")
        for stage in BUDGET_STAGES:
            got = assigned.get(stage)
            if got is None:
                raw = "；".join(self.text[i] for i, _c in free_rows) if free_rows else ""
                for part in BUDGET_PARTS:
                    self.rec.absent(("budget", stage, part), raw, self.src([i for i, _ in free_rows]) if free_rows else None,
                                    "预算总表中无法确定这一行的数值" if free_rows else "文字层中找不到这一行数值", blank="")
                continue
            i, cells, how, reason_why = got
            if len(cells) != len(amount_cols):
                for part in BUDGET_PARTS:
                    self.rec.absent(("budget", stage, part), self.text[i], self.src([i]),
                                    f"这一行印出 {len(cells)} 格（应为 {len(amount_cols)} 格），无法确定各数所属的栏", blank="")
            else:
                for (part, unit), raw in zip(amount_cols, cells):
                    place_amount(self.rec, ("budget", stage, part), raw, self.src([i]), unit, how, reason_why,
                                 verify=self.lines[i].text)
            self.take([i])
        self.take([i for i, _c in free_rows])
        texts = [self.text[i] for i in reason] + [t for _i, t in reason_tail]
        idx = reason + [i for i, _t in reason_tail]
        if texts:
            text = self.join(reason, self.cap(reason)) if not reason_tail else "\n".join(texts)
            self.rec.place(("budget", "adjustment_reason"), text, self.src(idx), "inferred",
                           "预算总表中唯一的文字，位于“预算调整（如有）原因及情况说明”一栏")
            self.take(reason)
        else:
            self.rec.place(("budget", "adjustment_reason"), "", self.src([start - 1]), "layout")

    def _unit(self, table: str, units: list[str]) -> None:
        """Say which amounts' unit a table's header prints. Amounts in 万元/亿元 carry their unit
        in the data file ('197879.94万元'): the model reads them in 元 and lists them under E4."""
        printed = {u for u in units if u}
        if len(printed) > 1:
            self.rec.note(f"{table}表头各栏印的金额单位不同（{'、'.join(sorted(printed))}）；各数按其所在栏的单位注明")
        if printed - {"元"}:
            self.rec.note(f"{table}表头印出金额单位“{'、'.join(sorted(printed))}”：金额按原样保留并注明单位"
                          "（如 “197879.94万元”），审核时换算为元比较")

    def lines_blocks(self, headers: list[int], stop: int) -> None:
        bounds = headers[1:] + [stop]
        by_order = len(headers) == len(LINE_BLOCKS)  # the form's three tables, printed in this order
        taken: set[str] = set()
        for k, (h, end) in enumerate(zip(headers, bounds)):
            self.label(h)
            block = LINE_BLOCKS[k] if by_order else self._line_block(h, end, taken)
            if block is None:
                self.rec.note(f"第{self.lines[h].no}行的支出明细表：表头出现 {len(headers)} 次（应为 3 次），"
                              "这一张表没有印出所属（部门基本支出、项目支出、转移支付），其各行未导入")
            taken.add(block or "")
            cols = [(r, u) for r, u in column_roles(split_row(self.lines[h].text), LINE_COLUMNS)
                    if r in ("budget", "adjusted", "actual")]
            if sorted(r for r, _ in cols) != sorted(("budget", "adjusted", "actual")):
                cols = [(r, table_unit(self.text[h])) for r in ("budget", "adjusted", "actual")]
            self._unit("支出明细表", [u for _r, u in cols])
            row = 0
            for i in range(h + 1, end):
                parsed = line_row(split_row(self.lines[i].text))
                if parsed is None or block is None:
                    continue
                label, no, name, cells = parsed
                src = self.src([i])
                raw = self.lines[i].text
                self.rec.place((block, row, "no"), no, src, verify=raw)
                self.rec.place((block, row, "name"), name, src, verify=raw)
                if len(cells) == len(cols):
                    for (key, unit), cell in zip(cols, cells):
                        place_amount(self.rec, (block, row, key), cell, src, unit, verify=raw)
                else:
                    for key, _u in cols:
                        self.rec.absent((block, row, key), self.text[i], src,
                                        f"这一行印出 {len(cells)} 个金额（应为 {len(cols)} 个），无法确定各数所属的栏", blank="")
                if label:
                    self.rec.labels_read += 1
                self.take([i])
                row += 1
        # The section labels of the three tables (merged cells) are printed apart; a label
        # wrapped over two lines is recognised as a pair.
        for i in range(headers[0], stop):
            if i not in self.used and self.text[i] and is_label(self.text[i]):
                self.label(i)

    def _line_block(self, h: int, end: int, taken: set[str]) -> str | None:
        """Which line table a header opens, by the section label printed on its header line or on
        its first row ('项目支出 1 项目支出 …'); None when none is printed."""
        first = split_row(self.lines[h].text)[:1]
        row = next((line_row(split_row(self.lines[i].text)) for i in range(h + 1, end)
                    if line_row(split_row(self.lines[i].text))), None)
        for label in first + ([row[0]] if row and row[0] else []):
            block = LINE_BLOCK_LABELS.get(norm(label))
            if block and block not in taken:
                return block
        return None

    def tasks(self, start: int, stop: int) -> None:
        unit = table_unit(self.text[start - 1])
        self._unit("年度主要任务表", [unit])
        rows: list[tuple[list[list[int]], int, re.Match]] = []
        pending: list[list[int]] = [[]]
        for i in range(start, stop):
            s = self.text[i]
            if not s:
                if pending[-1]:
                    pending.append([])
                continue
            if self.is_page_header(s):
                self.label(i)
                self.rec.note(f"第{self.lines[i].no}行：表格跨页，页眉和表头重复印出，已略过")
                continue
            if is_label(s):
                self.label(i)
                continue
            m = TASK_END.match(s)
            if m or amounts_line(s):
                # A row's last line holds 完成情况 and six amounts; a line of amounts that is not
                # six long still ends the row (its amounts are left absent, never shifted).
                rows.append(([b for b in pending if b], i, m))
                pending = [[]]
                continue
            pending[-1].append(i)
        for b in pending:
            for i in b:
                self.rec.not_placed(self.text[i], self.src([i]), "年度主要任务表中最后一行之后的文字")
                self.take([i])
        cap = self.cap([i for blocks, _, _ in rows for b in self._name_content(blocks)[1] for i in b])
        for r, (blocks, end, m) in enumerate(rows):
            raw = self.lines[end].text
            name_idx, content_blocks = self._name_content(blocks)
            if name_idx:
                self.rec.place(("tasks", r, "name"), "".join(self.text[i] for i in name_idx), self.src(name_idx))
            else:
                self.rec.absent(("tasks", r, "name"), "", self.src([end]), "这一行没有任务名称", blank="")
            content = "\n".join(self.join(b, cap) for b in content_blocks)
            cidx = [i for b in content_blocks for i in b]
            self.rec.place(("tasks", r, "content"), content, self.src(cidx) if cidx else self.src([end]))
            fields = [(s, p) for s in ("budget", "actual") for p in ("total", "fiscal", "other")]
            if m is None:
                self.rec.absent(("tasks", r, "status"), self.text[end], self.src([end]), "完成情况和金额这一行印出的数不是 6 个", blank="")
                for side, part in fields:
                    self.rec.absent(("tasks", r, side, part), self.text[end], self.src([end]),
                                    "这一行印出的金额不是 6 个（预算数、执行数各 3 个），无法确定各数所属的栏", blank="")
            else:
                self.rec.place(("tasks", r, "status"), m.group("status") or "", self.src([end]), verify=raw)
                for (side, part), amount in zip(fields, m.group("amounts").split()):
                    place_amount(self.rec, ("tasks", r, side, part), amount, self.src([end]), unit, verify=raw)
            self.take(name_idx + cidx + [end])

    def _name_content(self, blocks: list[list[int]]) -> tuple[list[int], list[list[int]]]:
        """A task row's name and content lines: the name is the first cell (a block of its own,
        or the first line when the layer printed name and content without a gap)."""
        if not blocks:
            return [], []
        if len(blocks) >= 2:
            return blocks[0], blocks[1:]
        b = blocks[0]
        return b[:1], ([b[1:]] if len(b) > 1 else [])

    def indicators(self, start: int, stop: int) -> None:
        # Rows start with a 二级指标; the merged 一级指标 and the block labels follow the rows,
        # then the 实际完成指标值 column, printed apart.
        rows: list[list[int]] = []
        after = None
        for i in range(start, stop):
            s = self.text[i]
            if not s:
                continue
            first = s.split()[0]
            if first in INDICATOR_LEVEL2 and after is None:
                rows.append([i])
            elif is_label(s) and (after is not None or norm(s) not in INDICATOR_LEVEL2):
                self.label(i)
                if rows:
                    after = i
            elif after is None and rows:
                rows[-1].append(i)
            elif after is None:
                self.rec.not_placed(s, self.src([i]), "绩效指标表中第一行之前的文字")
                self.take([i])
        printed_l1 = [norm(self.text[i]) for i in range(start, stop) if norm(self.text[i]) in INDICATOR_LEVEL1]
        parsed = []
        for row in rows:
            first_line = self.text[row[0]]
            level2 = first_line.split()[0]
            rest = first_line[len(level2):].strip()
            parts = [p for p in ([rest] if rest else []) + [self.text[i] for i in row[1:]]]
            parsed.append((row, level2, parts))
        w3 = mode_width([p for _, _, parts in parsed for p in split_inline(parts)[:-1]])
        k = 0
        for row, level2, parts in parsed:
            self.take(row)
            if not parts:
                self.rec.labels_read += 1
                self.rec.note(f"绩效指标“{level2}”一行没有三级指标、指标值和实际完成值，略过")
                continue
            level3, target, how = split_level3(split_inline(parts), w3)
            src = self.src(row)
            l1 = INDICATOR_LEVEL2[level2]
            why = "一级指标为合并单元格，与各行分开印出（" + "、".join(printed_l1) + "）；按二级指标所属归入" if printed_l1 else \
                "文字层中没有一级指标；按本表式二级指标所属归入"
            self.rec.place(("indicators", k, "level1"), l1, src, "inferred", why)
            self.rec.place(("indicators", k, "level2"), level2, self.src([row[0]]))
            if how:
                self.rec.place(("indicators", k, "level3"), level3, src, "inferred", how)
                self.rec.place(("indicators", k, "target"), target, src, "inferred", how)
            else:
                self.rec.place(("indicators", k, "level3"), level3, src)
                self.rec.place(("indicators", k, "target"), target, src)
            k += 1
        actual_start = (after + 1) if after is not None else stop
        values = self.blocks(actual_start, stop, skip=lambda i: i in self.used or is_label(self.text[i]))
        self.actuals(values)

    def actuals(self, values: list[list[int]]) -> None:
        inds = self.rec.doc.get("indicators", [])
        texts = ["".join(self.text[i] for i in b) for b in values]
        assign, ambiguous = match_actuals(inds, texts)
        placed = set()
        for vi, ii in assign.items():
            why = "实际完成指标值一栏与指标分开印出；" + actual_reason(inds[ii], texts[vi])
            self.rec.place(("indicators", ii, "actual"), texts[vi], self.src(values[vi]), "inferred", why)
            placed.add(ii)
            self.take(values[vi])
        for ii in range(len(inds)):
            if ii not in placed:
                self.rec.absent(("indicators", ii, "actual"), "", None,
                                "实际完成指标值与指标分开印出，无法确定哪一个属于本行" if values else "找不到实际完成指标值",
                                blank="")
        for vi, b in enumerate(values):
            if vi not in assign:
                note = "可能属于：" + "、".join(inds[i]["level3"] for i in ambiguous.get(vi, [])) if ambiguous.get(vi) else "没有对应的指标"
                self.rec.not_placed(texts[vi], self.src(b), "实际完成指标值，未能确定所属指标（" + note + "）")
                self.take(b)

    def goals(self, start: int, stop: int) -> None:
        blocks = self.blocks(start, stop, skip=lambda i: i in self.used or is_label(self.text[i]))
        for i in range(start, stop):
            if self.text[i] and i not in self.used and is_label(self.text[i]):
                self.label(i)
        for key, b in zip(("expected", "actual"), blocks):
            self.rec.place(("goals", key), self.join(b, self.cap(b)), self.src(b))
            self.take(b)
        for key in ("expected", "actual")[len(blocks):]:
            self.rec.absent(("goals", key), "", None, "文字层中找不到该栏的文字", blank="")
        for b in blocks[2:]:
            self.rec.not_placed("".join(self.text[i] for i in b), self.src(b), "年度总体目标表中多出的文字")
            self.take(b)

    def scores(self, start: int, stop: int) -> None:
        items = [i for i in range(start, stop) if self.text[i]]
        rows = []  # (head idx, level2, level3 parts, weight, body idx list, body first text, self idx)
        k = 0
        while k < len(items):
            head: list[int] = []
            weight = None
            post = None
            while k < len(items):
                i = items[k]
                k += 1
                s = self.text[i]
                if is_label(s) and not head:
                    self.label(i)
                    continue
                m = WEIGHT_LINE.match(s)
                head.append(i)
                if m and (m.group("pre") or len(head) > 1) and not is_body_text(m.group("pre")):
                    weight, post = m.group("w"), m.group("post")
                    break
                if LONE_SCORE.match(s) and len(head) > 1:
                    weight = s
                    break
            if weight is None:
                for i in head:
                    self.rec.not_placed(self.text[i], self.src([i]), "评分表中无法识别的文字")
                    self.take([i])
                break
            body: list[int] = []
            self_i = None
            while k < len(items):
                i = items[k]
                if starts_score_row(self.text[i]):
                    break  # the next row begins: this one printed no 自评分数
                k += 1
                if LONE_SCORE.match(self.text[i]):
                    self_i = i
                    break
                body.append(i)
            rows.append((head, weight, post, body, self_i))

        def body_of(post, body):
            texts = ([post] if post else []) + [self.text[i] for i in body]
            widths = ([text_width(post)] if post else []) + [self.width[i] for i in body]
            return texts, widths

        desc_w = mode_width([body_of(post, body)[1][0] for _h, _w, post, body, _s in rows if len(body) + bool(post) >= 2])
        crit_widths = []
        split_rows = []
        for head, weight, post, body, self_i in rows:
            texts, widths = body_of(post, body)
            n_desc = desc_lines(widths, desc_w)
            split_rows.append(n_desc)
            crit_widths += widths[n_desc:]
        crit_w = capacity_of(crit_widths)
        for r, ((head, weight, post, body, self_i), n_desc) in enumerate(zip(rows, split_rows)):
            head_texts = [self.text[i] for i in head]
            head_texts[-1] = WEIGHT_LINE.match(head_texts[-1]).group("pre") if not LONE_SCORE.match(head_texts[-1]) else ""
            level2, level3 = score_names([t for t in head_texts if t])
            src = self.src(head)
            if level2:
                self.rec.place(("scores", r, "level2"), level2, src)
            self.rec.place(("scores", r, "level3"), level3, src)
            self.rec.place(("scores", r, "weight"), weight, self.src([head[-1]]), verify=self.lines[head[-1]].text)
            texts, widths = body_of(post, body)
            idx = ([head[-1]] if post else []) + body
            self.rec.place(("scores", r, "description"), join_lines(texts[:n_desc], desc_w, " ", widths=widths[:n_desc]),
                           self.src(idx[:n_desc]) if n_desc else src)
            self.rec.place(("scores", r, "criteria"),
                           join_lines(texts[n_desc:], crit_w, " ", enum_hard=True, widths=widths[n_desc:]),
                           self.src(idx[n_desc:]) if texts[n_desc:] else src)
            if self_i is not None:
                self.rec.place(("scores", r, "self_score"), self.text[self_i], self.src([self_i]), verify=self.lines[self_i].text)
            else:
                self.rec.absent(("scores", r, "self_score"), "", src, "这一行找不到自评分数", blank="")
            self.take(head + body + ([self_i] if self_i is not None else []))

    def narrative(self, start: int, stop: int) -> None:
        items = []  # (kind, idx list, text)
        for b in self.blocks(start, stop, skip=lambda i: i in self.used):
            if len(b) == 1 and TITLE_RE.match(self.text[b[0]]):
                items.append(("title", b, self.text[b[0]]))
            elif len(b) == 1 and PART_RE.match(self.text[b[0]]) and len(self.text[b[0]]) <= 30:
                items.append(("part", b, self.text[b[0]]))
            else:
                items.append(("text", b, None))
        titles = [it for it in items if it[0] == "title"]
        parts = {PART_NUMERALS.index(PART_RE.match(it[2]).group(1)): it for it in items
                 if it[0] == "part" and PART_RE.match(it[2]).group(1) in PART_NUMERALS}
        # Titles into parts: '(一)' opens a part.
        groups: list[list[tuple]] = []
        for t in titles:
            if TITLE_RE.match(t[2]).group(1) == "一" or not groups:
                groups.append([])
            groups[-1].append(t)
        cap = self.cap([i for it in items if it[0] == "text" for i in it[1]])
        texts_for: dict[int, tuple] = {}
        how = "layout"
        why = ""
        apart = any(a[0] == "title" and b[0] == "title" for a, b in zip(items, items[1:]))
        if not apart:
            for a, b in zip(items, items[1:]):
                if a[0] == "title" and b[0] == "text":
                    texts_for[id(a)] = b
        else:
            runs: list[tuple[int, list[tuple]]] = []  # (index of the item before the run, run)
            for pos, it in enumerate(items):
                if it[0] != "text":
                    continue
                if runs and runs[-1][1] and items[pos - 1][0] == "text":
                    runs[-1][1].append(it)
                else:
                    runs.append((pos - 1, [it]))
            free_groups = list(range(len(groups)))
            assigned: dict[int, list[tuple]] = {}
            for before, run in runs:
                prev = items[before] if before >= 0 else None
                if prev is not None and prev[0] == "part":
                    g = PART_NUMERALS.index(PART_RE.match(prev[2]).group(1))
                    if g in free_groups and len(groups[g]) == len(run):
                        assigned[g] = run
                        free_groups.remove(g)
            for before, run in runs:
                if any(run is r for r in assigned.values()):
                    continue
                fits = [g for g in free_groups if len(groups[g]) == len(run)]
                if len(fits) == 1 or (fits and all(len(groups[g]) == len(run) for g in free_groups)):
                    assigned[fits[0]] = run
                    free_groups.remove(fits[0])
            for g, run in assigned.items():
                for t, txt in zip(groups[g], run):
                    texts_for[id(t)] = txt
            how = "inferred"
            why = "自评报告的正文与标题分开印出；按紧邻的部分标题（如“二、”）和各部分的条数对应，部分内按标题顺序"
        sec = 0
        for g, group in enumerate(groups):
            order = NARRATIVE_ORDER[g] if g < len(NARRATIVE_ORDER) else ()
            part = parts.get(g)
            for j, t in enumerate(group):
                key = order[j] if j < len(order) else None
                title = t[2]
                if key is None:
                    self.rec.not_placed(title, self.src(t[1]), "自评报告中多出的标题")
                    self.take(t[1])
                    continue
                base = ("narrative", "sections", sec)
                label = NARRATIVE_SECTIONS[key]
                sim = difflib.SequenceMatcher(None, TITLE_RE.match(title).group(2), label).ratio()
                if sim >= 0.6:
                    self.rec.place(base + ("key",), key, self.src(t[1]))
                else:
                    self.rec.place(base + ("key",), key, self.src(t[1]), "inferred", f"标题与“{label}”不尽相同，按其在第{g + 1}部分中的位置")
                self.rec.place(base + ("part",), part[2] if part else "", self.src(part[1]) if part else self.src(t[1]),
                               "layout" if part else "inferred", "" if part else "文字层中找不到部分标题")
                self.rec.place(base + ("title",), title, self.src(t[1]))
                txt = texts_for.get(id(t))
                if txt is not None:
                    self.rec.place(base + ("text",), self.join(txt[1], cap), self.src(txt[1]), how, why)
                    self.take(txt[1])
                else:
                    self.rec.absent(base + ("text",), "", self.src(t[1]), "无法确定这一部分的正文", blank="")
                self.take(t[1])
                if part:
                    self.take(part[1])
                sec += 1

    def leftovers(self) -> None:
        """Printed text placed nowhere: stray (seals, page furniture) and anything unread."""
        stray = list(self.rec.doc.get("stray", []))
        for i, s in enumerate(self.text):
            if not s or i in self.used:
                continue
            if is_label(s) or norm(s) in SCORE_LEVEL_LABELS:
                self.label(i)
                continue
            if self.is_page_header(s):
                self.label(i)
                continue
            stray.append(s)
            self.rec.not_placed(s, self.src([i]), "不属于任何栏目的文字（印章、页码等），列入“无归属文字”")
        self.rec.doc["stray"] = stray

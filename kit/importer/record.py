"""The import record: for every value, where it was printed and how it was placed.

A layout module builds the department document through a ``Record``: ``place`` puts a value
at a document path and notes its source (page and line, or table cell) and how it was placed
(``layout``: the form's printed position says what it is; ``inferred``: a reasoned choice,
with the reason); ``absent`` leaves a field out and keeps the raw text; ``not_placed`` lists
printed text that fits nowhere. ``to_dict`` is what is written beside the data file as
``<stem>.import.yaml``; ``import_note_html`` turns it into the report's 导入说明 section.
"""
from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field
from typing import Any

from ..model import (
    BLOCK_LABELS,
    FUND_FIELDS,
    FUNDS_FIELDS,
    HEADER_FIELDS,
    INDICATOR_EXTRA_FIELDS,
    SCORE_GROUP_FIELDS,
    SELF_EVAL_FIELDS,
    BUDGET_PARTS,
    BUDGET_STAGES,
    COUNT_FIELDS,
    DEPARTMENT_FIELDS,
    GOAL_FIELDS,
    INDICATOR_FIELDS,
    LINE_FIELDS,
    PROFILE_TEXTS,
    SCORE_FIELDS,
    SUPPLEMENTARY,
    TASK_AMOUNT_PARTS,
    TASK_FIELDS,
)

RECORD_FORMAT = "kit-import/1"
_SHOWN = 60  # characters of a long text kept in the record beside its source


@dataclass
class Entry:
    field: str  # document path, e.g. tasks.0.budget.total
    label: str  # the same in the form's terms
    value: str
    source: dict
    how: str
    reason: str = ""

    def to_dict(self) -> dict:
        d = {"field": self.field, "label": self.label, "value": _short(self.value), "from": self.source, "how": self.how}
        if self.reason:
            d["reason"] = self.reason
        return d


@dataclass
class Record:
    """Collects the document and, beside every value, its provenance."""

    source: dict  # file, sha256, kind, bytes, pages
    doc: dict = field(default_factory=dict)
    family: dict = field(default_factory=dict)  # id, title, chosen ('detected'/'given'), reason
    detection: dict = field(default_factory=dict)  # families tried and why the chosen one fits (kit import)
    entries: list[Entry] = field(default_factory=list)
    absent_entries: list[dict] = field(default_factory=list)
    unplaced: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels_read: int = 0  # printed labels and repeated headers recognised (not values)

    # -- building --------------------------------------------------------------------------
    def place(self, path: tuple, value: Any, source: dict, how: str = "layout", reason: str = "",
              verify: str | None = None) -> None:
        """Put ``value`` at ``path`` and note where it came from.

        ``verify``: the printed text the value was read from; a value that does not occur in it
        (spaces aside) is refused — left absent and flagged — so no number is ever made up.
        """
        if verify is not None and isinstance(value, str) and _squash(value) not in _squash(verify):
            self.absent(path, verify, source, "内部核对未通过：读出的值不在原文中，未采用")
            return
        _set(self.doc, path, value)
        self.entries.append(Entry(_path_text(path), field_label(path), _text(value), source, how, reason))

    def absent(self, path: tuple, raw: str, source: dict | None, reason: str, blank: Any = None) -> None:
        """Leave a field absent (``blank`` written when the data file needs the key)."""
        if blank is not None:
            _set(self.doc, path, blank)
        self.absent_entries.append(
            {"field": _path_text(path), "label": field_label(path), "raw": _short(raw), "from": source or {}, "reason": reason}
        )

    def not_placed(self, text: str, source: dict, note: str) -> None:
        self.unplaced.append({"text": text, "from": source, "note": note})

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- reading ---------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {
            "layout": sum(1 for e in self.entries if e.how == "layout"),
            "inferred": sum(1 for e in self.entries if e.how == "inferred"),
            "absent": len(self.absent_entries),
            "not_placed": len(self.unplaced),
        }

    @property
    def status(self) -> str:
        """'full' when every value was placed by layout and nothing was left over, else 'notes'."""
        c = self.counts()
        return "full" if not (c["inferred"] or c["absent"] or c["not_placed"] or self.notes) else "notes"

    def check_by_hand(self) -> list[str]:
        """Short lines for the report: what an auditor should compare with the printed form."""
        out = []
        groups: dict[tuple[str, str], list[Entry]] = {}
        for e in self.entries:
            if e.how == "inferred":
                groups.setdefault((e.label.split(" ")[0], e.reason), []).append(e)
        for (block, reason), es in groups.items():
            if len(es) <= 2:
                out += [f"{e.label}：{_short(e.value, 30)}（推断：{reason}）" for e in es]
            else:  # one line for a run of values placed for the same reason
                fields = "、".join(dict.fromkeys(e.label.split(" ", 1)[-1] for e in es[:4]))
                out.append(f"{block} {len(es)} 项（{fields}{'等' if len(es) > 4 else ''}）推断：{reason}")
        for a in self.absent_entries:
            raw = f"，原文 “{_short(a['raw'], 30)}”" if a["raw"] else ""
            out.append(f"{a['label']}：未导入{raw}（{a['reason']}）")
        for u in self.unplaced:
            out.append(f"未归位文字 “{_short(u['text'], 30)}”（{_where(u['from'])}）：{u['note']}")
        out.extend(self.notes)
        return out

    def to_dict(self, data_file: str = "", inputs: dict | None = None, outputs: dict | None = None) -> dict:
        """The record as written. ``inputs`` (the form's name and SHA-256, which form of the file,
        the options) and ``outputs`` (each file written with its SHA-256) let the next ``kit
        import`` see that nothing changed, or that a data file is not the one this record describes."""
        from ..core.version import __version__

        head = {
            "format": RECORD_FORMAT,
            "kit_version": __version__,
            "source": self.source,
            "data_file": data_file,
        }
        if inputs is not None:
            head["inputs"] = inputs
        if outputs is not None:
            head["outputs"] = outputs
        return {
            **head,
            "family": self.family,
            "detection": self.detection,
            "status": self.status,
            "counts": self.counts(),
            "check_by_hand": self.check_by_hand(),
            "notes": list(self.notes),
            "values": [e.to_dict() for e in self.entries],
            "absent": list(self.absent_entries),
            "not_placed": list(self.unplaced),
            "labels_read": self.labels_read,
        }


def lines_source(lines, page: int | None = None) -> dict:
    """Source of a value read from text-layer lines (``sources.Line``)."""
    lines = list(lines)
    if not lines:
        return {}
    page = lines[0].page if page is None else page
    nos = [ln.no for ln in lines]
    d: dict[str, Any] = {"page": page} if page else {}
    if min(nos) == max(nos):
        d["line"] = nos[0]
    else:
        d["lines"] = f"{min(nos)}-{max(nos)}"
    return d


def cell_source(cell) -> dict:
    """Source of a value read from a PDF table cell (``sources.Cell``)."""
    return {"page": cell.page, "table": cell.table, "row": cell.row, "col": cell.col}


def _where(src: dict) -> str:
    if not src:
        return "位置不明"
    parts = []
    if src.get("page"):
        parts.append(f"第{src['page']}页")
    if "table" in src:
        parts.append(f"表{src['table']}第{src['row']}行第{src['col']}列")
    elif "line" in src:
        parts.append(f"第{src['line']}行")
    elif "lines" in src:
        parts.append(f"第{src['lines']}行")
    return "".join(parts)


# --- document paths --------------------------------------------------------------------------
def _set(doc: dict, path: tuple, value: Any) -> None:
    cur: Any = doc
    for i, key in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(key, int):
            while len(cur) <= key:
                cur.append({})
            if cur[key] is None:
                cur[key] = [] if isinstance(nxt, int) else {}
            cur = cur[key]
        else:
            if key not in cur or cur[key] is None:
                cur[key] = [] if isinstance(nxt, int) else {}
            cur = cur[key]
    last = path[-1]
    if isinstance(last, int):
        while len(cur) <= last:
            cur.append(None)
    cur[last] = value


def _path_text(path: tuple) -> str:
    return ".".join(str(p) for p in path)


_NARRATIVE_FIELDS = {"budget_total": "部门预算总额", "key": "部分", "part": "部分标题", "title": "标题", "text": "内容"}


@functools.cache
def _field_names() -> dict[str, dict[str, str]]:
    """Each block's field names in the form's terms (the model's label tables, built once)."""
    return {
        "department": DEPARTMENT_FIELDS,
        "profile": {**PROFILE_TEXTS, **COUNT_FIELDS, "counts": "人员及机构数"},
        "budget": {**BUDGET_STAGES, **BUDGET_PARTS, "adjustment_reason": "预算调整原因"},
        "basic_lines": LINE_FIELDS,
        "project_lines": LINE_FIELDS,
        "transfer_lines": LINE_FIELDS,
        "tasks": {**TASK_FIELDS, **TASK_AMOUNT_PARTS, "budget": "预算数", "actual": "执行数"},
        "goals": GOAL_FIELDS,
        "indicators": {**INDICATOR_FIELDS, **INDICATOR_EXTRA_FIELDS},
        "scores": SCORE_FIELDS,
        "narrative": _NARRATIVE_FIELDS,
        "header": HEADER_FIELDS,
        "funds": {**FUNDS_FIELDS, **FUND_FIELDS},
        "score_groups": SCORE_GROUP_FIELDS,
        "self_eval": SELF_EVAL_FIELDS,
        "supplementary": {k: v[0] for k, v in SUPPLEMENTARY.items()},
    }


def field_label(path: tuple) -> str:
    """A document path in the form's terms: 年度主要任务完成情况 第2行 预算数·总数."""
    block = path[0]
    words = [BLOCK_LABELS.get(block, str(block))]
    rest = list(path[1:])
    if (block, rest[:1]) in (("narrative", ["sections"]), ("funds", ["rows"])):
        rest = rest[1:]
    names = _field_names().get(block, {})
    fields = []
    for p in rest:
        if isinstance(p, int):
            words.append(f"第{p + 1}行")
        elif p != "counts":
            fields.append(names.get(p, str(p)))
    if fields:
        words.append("·".join(fields))
    return " ".join(words)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _short(value: Any, n: int = _SHOWN) -> str:
    s = _text(value)
    return s if len(s) <= n else s[: n - 1] + "…"


_WS = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _WS.sub("", s)


# --- the report's 导入说明 ---------------------------------------------------------------------
def import_note_html(record: dict, data_sha256: str = "") -> str:
    """The 导入说明 section for a report whose data came from ``kit import`` (escaped HTML).

    ``record`` is the import record as written beside the data file (``<stem>.import.yaml``);
    ``data_sha256`` the data file's: when the record names another (the data file was edited after
    the import, or an import was killed between writing the two), the section says so first.
    """
    e = html.escape
    outputs = record.get("outputs") if isinstance(record.get("outputs"), dict) else {}
    recorded = str(outputs.get("data_sha256") or "")
    warn = ""
    if data_sha256 and recorded and recorded != data_sha256:
        warn = ("<p class=\"import-mismatch\"><strong>导入记录与数据文件不一致</strong>：数据文件在导入之后被改动过，"
                "或上一次导入在写出两份文件之间中断。以下说明可能不适用于本数据，请重新运行 <code>kit import</code>。</p>")
    src = record.get("source") or {}
    fam = record.get("family") or {}
    counts = record.get("counts") or {}
    items = record.get("check_by_hand") or []
    head = (
        "<section class=\"import-note\"><h2>导入说明</h2>" + warn +
        f"<p>本报告的数据由 <code>kit import</code> 从发布的表单导入："
        f"来源文件 {e(str(src.get('file', '')))}，SHA-256 <code>{e(str(src.get('sha256', '')))}</code>；"
        f"表式 {e(str(fam.get('title') or fam.get('id') or ''))}。</p>"
        f"<p>按版式读取 {int(counts.get('layout', 0))} 项，推断 {int(counts.get('inferred', 0))} 项，"
        f"未能读取 {int(counts.get('absent', 0))} 项，未归位文字 {int(counts.get('not_placed', 0))} 段。</p>"
    )
    if not items:
        return head + "<p>所有数值均按版式读取，无需逐项核对。</p></section>"
    rows = "".join(f"<li>{e(str(item))}</li>" for item in items)
    return head + f"<p>请对照原表人工核对以下各项：</p><ul>{rows}</ul></section>"

"""The Shenzhen form's finishing steps, shared by the text and PDF readers: the year and code when
the form does not print them, counts read from the profile's texts, score-table levels from
the rule file, the keys the data file needs, and the blocks that were not read in full.
"""
from __future__ import annotations

import re

from ..model import BUDGET_PARTS, BUDGET_STAGES
from .record import Record, lines_source
from .shenzhen_vocab import COUNT_PATTERNS, PROFILE_LABELS, YEAR_EXEC, YEAR_FILE, YEAR_TITLE, rules_levels
from .sources import Form

def finish(form: Form, rec: Record) -> None:
    doc = rec.doc
    doc.setdefault("format", "kit-dept/1")
    _year(form, rec)
    _code(form, rec)
    _counts(rec)
    _score_levels(rec)
    _fill_required(rec)
    _incomplete(form, rec)
    doc.setdefault("supplementary", {})
    doc.setdefault("stray", [])
    order = ["format", "department", "profile", "budget", "basic_lines", "project_lines", "transfer_lines",
             "tasks", "goals", "indicators", "scores", "narrative", "supplementary", "stray", "incomplete"]
    rec.doc = {k: doc[k] for k in order if k in doc} | {k: v for k, v in doc.items() if k not in order}


def _incomplete(form: Form, rec: Record) -> None:
    """Mark the blocks that were not read in full (``incomplete:`` in the data file), so that
    nothing is graded or summed from a table that was never read: the score table when it has
    fewer rows than the family's table (not printed, cut, or on a page that is a scan), and,
    when pages could not be read (scans, text not upright), every block found empty."""
    doc = rec.doc
    marks: list[str] = []
    rows = [r for r in doc.get("scores") or [] if r.get("level3")]
    expected = len(rules_levels())
    unread = sorted(set(getattr(form, "scanned", []) or []) | set(getattr(form, "sideways", []) or []))
    where = f"（第{'、'.join(map(str, unread))}页没有可读的文字）" if unread else ""
    if not rows:
        marks.append("scores")
        rec.note(f"评分表没有读到{where or '（表上找不到评分表）'}：数据文件中标为不完整（incomplete: scores），"
                 "审核不据此计分评级")
    elif expected and len(rows) < expected:
        marks.append("scores")
        rec.note(f"评分表只读到 {len(rows)} 行（评分表共 {expected} 行）{where}：数据文件中标为不完整（incomplete: scores），"
                 "审核不据此计分评级")
    if unread:
        budget = doc.get("budget") or {}
        empty = {
            "budget": not any((budget.get(s) or {}).get(p) for s in BUDGET_STAGES for p in BUDGET_PARTS),
            "tasks": not doc.get("tasks"),
            "goals": not any((doc.get("goals") or {}).values()),
            "indicators": not doc.get("indicators"),
            "narrative": not (doc.get("narrative") or {}).get("sections"),
        }
        for block, is_empty in empty.items():
            if is_empty and block not in marks:
                marks.append(block)
        if len(marks) > ("scores" in marks):
            rec.note(f"第{'、'.join(map(str, unread))}页没有可读的文字，这些栏目没有读到，标为不完整：" + "、".join(m for m in marks if m != "scores"))
    if marks:
        doc["incomplete"] = list(dict.fromkeys(list(doc.get("incomplete") or []) + marks))


def _year(form: Form, rec: Record) -> None:
    dep = rec.doc.setdefault("department", {})
    if dep.get("year"):
        return
    for ln in form.lines:
        m = YEAR_TITLE.search(ln.text)
        if m:
            rec.place(("department", "year"), int(m.group(1)), lines_source([ln]), verify=ln.text)
            return
    for sec in rec.doc.get("narrative", {}).get("sections", []) or []:
        if sec.get("key") == "budget_execution":
            m = YEAR_EXEC.search(sec.get("text", ""))
            if m:
                src = next((e.source for e in rec.entries if e.field.startswith("narrative.sections.") and e.value.startswith(sec["text"][:20])), {})
                rec.place(("department", "year"), int(m.group(1)), src, "inferred",
                          f"表上未印年度；取自自评报告“部门预算执行情况”中的“{m.group(0)}”")
                return
    m = YEAR_FILE.search(form.path.stem)
    if m:
        rec.place(("department", "year"), int(m.group(1)), {"file": form.name}, "inferred", "表上未印年度；取自文件名")
        return
    rec.absent(("department", "year"), "", None, "表上未印年度，文件名中也没有")


def _code(form: Form, rec: Record) -> None:
    dep = rec.doc.setdefault("department", {})
    if dep.get("code"):
        return
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", form.path.stem).strip("-_")[:32]
    if slug:
        rec.place(("department", "code"), slug, {"file": form.name}, "inferred", "表上没有部门编码；取自文件名")
    else:
        rec.absent(("department", "code"), "", None, "表上没有部门编码，文件名也不能用作编码")


def _counts(rec: Record) -> None:
    prof = rec.doc.setdefault("profile", {})
    texts = {k: prof.get(k, "") for k in ("organisation", "staffing", "duties")}
    counts = prof.setdefault("counts", {})
    for key, pat in COUNT_PATTERNS.items():
        found = {}
        for where, text in texts.items():
            for m in re.finditer(pat, text or ""):
                found.setdefault(m.group(1), where)
        if len(found) == 1:
            value, where = next(iter(found.items()))
            src = next((e.source for e in rec.entries if e.field == f"profile.{where}"), {})
            label = {"organisation": "组织结构", "staffing": "人员编制情况", "duties": "部门主要职责"}[where]
            rec.place(("profile", "counts", key), value, src, "inferred", f"从“{label}”的文字中读出", verify=text_of(texts[where]))
        elif len(found) > 1:
            rec.absent(("profile", "counts", key), "、".join(found), None, "文字中出现了不同的数，未取用", blank=None)
            counts[key] = None
        else:
            counts[key] = None


def text_of(s: str) -> str:
    return s or ""


def _score_levels(rec: Record) -> None:
    rows = rec.doc.get("scores") or []
    if not rows:
        return
    known = rules_levels()
    from ..engine.rules import norm_name

    prev1 = prev2 = ""
    for r, row in enumerate(rows):
        lv = known.get(norm_name(row.get("level3", "")))
        src = next((e.source for e in rec.entries if e.field == f"scores.{r}.level3"), {})
        for k, name in ((1, "一级"), (2, "二级")):  # merged cells printed apart from the rows
            field, prev = f"level{k}", (prev1, prev2)[k - 1]
            if field in row:
                continue
            if lv:
                rec.place(("scores", r, field), lv[k - 1], src, "inferred",
                          f"{name}指标为合并单元格，与各行分开印出；按评分规则表中该三级指标所属归入")
            elif prev:
                rec.place(("scores", r, field), prev, src, "inferred", "三级指标不在评分规则表中；沿用上一行（合并单元格）")
            else:
                rec.absent(("scores", r, field), "", src, f"无法确定{name}指标", blank="")
        if "level2" in row and lv and row["level2"] != lv[1]:
            rec.note(f"评分表第{r + 1}行：印出的二级指标“{row['level2']}”与评分规则表（{lv[1]}）不同，按印出的保留")
        if known and not lv:
            rec.note(f"评分表第{r + 1}行：三级指标“{row.get('level3', '')}”不在评分规则表中，请核对")
        prev1, prev2 = row.get("level1", prev1), row.get("level2", prev2)
        rows[r] = {k: row.get(k) for k in ("level1", "level2", "level3", "weight", "description", "criteria", "self_score") if k in row}


def _fill_required(rec: Record) -> None:
    """Keys the data file needs, blank where nothing was read (blank loads as absent)."""
    doc = rec.doc
    dep = doc.setdefault("department", {})
    for k in ("name", "code"):
        if k not in dep:
            rec.absent(("department", k), "", None, "表上找不到", blank="")
    budget = doc.setdefault("budget", {})
    for stage in BUDGET_STAGES:
        row = budget.setdefault(stage, {})
        for part in BUDGET_PARTS:
            if part not in row:
                rec.absent(("budget", stage, part), "", None, "找不到这一数值", blank="")
    budget.setdefault("adjustment_reason", "")
    b = {k: budget[k] for k in (*BUDGET_STAGES, "adjustment_reason")}
    doc["budget"] = b
    for t, task in enumerate(doc.get("tasks", []) or []):
        for side in ("budget", "actual"):
            for part in ("total", "fiscal", "other"):
                if part not in task.get(side, {}):
                    rec.absent(("tasks", t, side, part), "", None, "找不到这一数值", blank="")
        doc["tasks"][t] = {k: task[k] for k in ("name", "content", "status", "budget", "actual") if k in task}
    for i, ind in enumerate(doc.get("indicators", []) or []):
        doc["indicators"][i] = {k: ind.get(k, "") for k in ("level1", "level2", "level3", "target", "actual")}
    narr = doc.setdefault("narrative", {})
    if "budget_total" not in narr:
        narr["budget_total"] = None
    narr.setdefault("sections", [])
    doc["narrative"] = {"budget_total": narr["budget_total"], "sections": narr["sections"]}
    for s, sec in enumerate(narr["sections"]):
        narr["sections"][s] = {k: sec.get(k, "") for k in ("key", "part", "title", "text")}
    prof = doc.setdefault("profile", {})
    doc["profile"] = {**{k: prof.get(k, "") for k in PROFILE_LABELS.values()}, "counts": prof.get("counts", {})}
    doc.setdefault("goals", {})

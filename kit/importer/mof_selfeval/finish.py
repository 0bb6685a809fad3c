"""Finishing one form's document: its name and year when the form does not print them (another form
of the page, the file name), its code, and the order of its blocks."""
from __future__ import annotations

from ...core.errors import Problem
from ..sources import Form, FormError
from ..ident import UNNAMED, file_code, file_year
from ..record import Record


def finish(form: Form, rec: Record, cut_top: bool, all_recs: list[Record], k: int) -> None:
    """Form ``k`` of ``all_recs`` (``cut_top``: the page begins inside it) made a complete document."""
    doc = rec.doc
    dep = doc.setdefault("department", {})
    others = [r for j, r in enumerate(all_recs) if j != k]
    if "name" not in dep:
        sib = next((r for r in others if r.doc.get("department", {}).get("name")), None)
        if sib is not None:
            src = next((e.source for e in sib.entries if e.field == "department.name"), {})
            rec.place(("department", "name"), sib.doc["department"]["name"], src, "inferred",
                      "本表的表头不在页面上；取同一页面上另一份表的单位")
        else:  # the data file must have a name: it says that none is printed (the record flags it)
            rec.place(("department", "name"), UNNAMED, {}, "inferred",
                      "表上找不到部门（单位）名称（部门名称、单位名称、实施单位均未印出）；数据文件须有名称，此处写明未印出")
    if "year" not in dep:
        sib = next((r for r in others if r.doc.get("department", {}).get("year")), None)
        if sib is not None and cut_top:
            src = next((e.source for e in sib.entries if e.field == "department.year"), {})
            rec.place(("department", "year"), sib.doc["department"]["year"], src, "inferred",
                      "本表的表头不在页面上；取同一页面上另一份表的年度")
        elif not file_year(form, rec):
            raise FormError(Problem("表上未印年度（标题中没有“XXXX年度”），文件名中也没有", file=str(form.path),
                                    expected="在文件名中写明年度，例如 单位名称_2021.txt；或表上印出年度"))
    file_code(form, rec, k + 1, len(all_recs))
    if not doc.get("stray"):
        doc.pop("stray", None)
    order = ["format", "department", "header", "funds", "goals", "indicators", "score_groups", "self_eval",
             "stray", "incomplete"]
    doc["format"] = "kit-dept/1"
    rec.doc = {k2: doc[k2] for k2 in order if k2 in doc} | {k2: v for k2, v in doc.items() if k2 not in order}

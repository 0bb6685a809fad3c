"""From the model back to a plain document: raw printed text everywhere, so conversions lose nothing."""
from __future__ import annotations

from typing import Any

from ..core.values import Num
from .blocks import Department, Split
from .blocks import present_blocks
from .labels import BUDGET_PARTS, BUDGET_STAGES, FORMAT, HEADER_FIELDS, INDICATOR_EXTRA_FIELDS, INDICATOR_FIELDS


def to_document(dept: Department) -> dict:
    """The document for a department: raw printed text everywhere, so writing it loses nothing."""

    def lines(ls):
        return [
            {"no": ln.no, "name": ln.name, "budget": ln.budget.raw, "adjusted": ln.adjusted.raw, "actual": ln.actual.raw}
            for ln in ls
        ]

    def split(s: Split):
        return {"total": s.total.raw, "fiscal": s.fiscal.raw, "other": s.other.raw}

    supp: dict[str, Any] = {}
    for key, v in dept.supplementary.items():
        supp[key] = v.raw if isinstance(v, Num) else v
    return {
        "format": FORMAT,
        "department": {"name": dept.name, "code": dept.code, "year": dept.year},
        "profile": {
            "duties": dept.profile.duties,
            "organisation": dept.profile.organisation,
            "staffing": dept.profile.staffing,
            "counts": {k: n.raw for k, n in dept.profile.counts.items()},
        },
        "budget": {
            **{
                stage: {p: getattr(getattr(dept.budget, stage), p).raw for p in BUDGET_PARTS}
                for stage in BUDGET_STAGES
            },
            "adjustment_reason": dept.budget.adjustment_reason,
        },
        "basic_lines": lines(dept.basic_lines),
        "project_lines": lines(dept.project_lines),
        "transfer_lines": lines(dept.transfer_lines),
        "tasks": [
            {"name": t.name, "content": t.content, "status": t.status, "budget": split(t.budget), "actual": split(t.actual)}
            for t in dept.tasks
        ],
        "goals": {"expected": dept.goals.expected, "actual": dept.goals.actual},
        "indicators": [_indicator(i) for i in dept.indicators],
        "scores": [
            {
                "level1": s.level1,
                "level2": s.level2,
                "level3": s.level3,
                "weight": s.weight.raw,
                "description": s.description,
                "criteria": s.criteria,
                "self_score": s.self_score.raw,
            }
            for s in dept.scores
        ],
        "narrative": {
            "budget_total": dept.narrative.budget_total.raw,
            "sections": [
                {"key": s.key, "part": s.part, "title": s.title, "text": s.text} for s in dept.narrative.sections
            ],
        },
        "supplementary": supp,
        "stray": list(dept.stray),
        **_family_blocks(dept),
    }



def _raw(v: Any) -> Any:
    return v.raw if isinstance(v, Num) else v


def _indicator(i) -> dict:
    out = {k: getattr(i, k) for k in INDICATOR_FIELDS}
    for k in INDICATOR_EXTRA_FIELDS:  # the extra columns only where the form prints them
        v = _raw(getattr(i, k))
        if v:
            out[k] = v
    return out


def _family_blocks(dept: Department) -> dict:
    """The blocks of the families other than the first (written only when they hold something)."""
    present = present_blocks(dept)
    out: dict[str, Any] = {}
    if dept.family:
        out["family"] = dept.family
    if dept.incomplete:
        out["incomplete"] = list(dept.incomplete)
    det = dept.detection
    if det.chosen or det.reason or det.nearest or det.tried:
        out["detection"] = {"chosen": det.chosen, "reason": det.reason, "nearest": det.nearest,
                            "tried": [{"family": t.family, "fits": t.fits, "why": t.why} for t in det.tried]}
    if "header" in present:
        out["header"] = {k: getattr(dept.header, k) for k in HEADER_FIELDS}
    if "funds" in present:
        f = dept.funds
        out["funds"] = {
            "weight": f.weight.raw, "score": f.score.raw, "rate": f.rate.raw, "reason": f.reason,
            "rows": [{"source": r.source, **{k: getattr(r, k).raw for k in ("initial", "adjusted", "actual", "weight", "rate", "score")}}
                     for r in f.rows],
        }
    if "score_groups" in present:
        out["score_groups"] = [{"level": str(g.level), "name": g.name, "parent": g.parent, "weight": g.weight.raw,
                                "self_score": g.self_score.raw} for g in dept.score_groups]
    if "self_eval" in present:
        e = dept.self_eval
        out["self_eval"] = {"total": e.total.raw, "total_weight": e.total_weight.raw, "grade": e.grade,
                            "conclusion": e.conclusion, "problems": e.problems, "measures": e.measures}
    return out

def same_content(a: Department, b: Department) -> bool:
    """True when two departments hold the same printed values (source info aside)."""
    return to_document(a) == to_document(b)

"""Template families: each family of the self-evaluation form is data in ``kit/families/<id>/``.

``family.yaml`` says which blocks of the model the form has (and which must be present), which
checks of the catalogue apply, the words that identify a printed form of the family, and the
report's wording; ``rules.yaml`` is the family's default rule file (``kit.engine.rules``). A district
variant is a copied and edited rule file, named by path in params (``rules: path.yaml``) or
``--rules``; a new family is a new folder. No code here names a family.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.errors import FamilyError, Problem
from ..core.yamlio import parse_yaml

FAMILIES_DIR = Path(__file__).resolve().parent
FORMAT = "kit-family/1"
# The family of a data file that names none (files written before families existed).
DEFAULT_FAMILY = "shenzhen_2022"


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    blocks: tuple[str, ...]  # blocks the form has
    required: tuple[str, ...]  # blocks a data file must hold to load
    checks: tuple[str, ...]  # catalogue ids that apply
    rules: str  # default rule file: a name or a path relative to the family folder
    detect: dict[str, tuple[str, ...]] = field(default_factory=dict)  # {'all': words, 'any': words}
    report: dict[str, Any] = field(default_factory=dict)  # wording of the report's sections
    path: str = ""
    prose_labels: tuple[dict, ...] = ()  # figures the prose reader looks for besides the common ones
    import_layout: str = ""  # module of kit/importer/ that reads this family's printed form ('' = none yet)
    supplementary: tuple[str, ...] | None = None  # keys of the workbook's 补充资料 sheet (None: every key)
    workbook: dict[str, Any] = field(default_factory=dict)  # template prefills, e.g. funds_sources
    synth: dict[str, Any] = field(default_factory=dict)  # what kit synth builds fictitious departments from
    graded: bool = True  # False: the family has no scoring template (generic): identities only, no grade
    frame: dict[str, Any] = field(default_factory=dict)  # printed weights the family expects (funds_weight …, level1)
    thresholds: dict[str, Any] = field(default_factory=dict)  # the printed-identity checks' limits and words

    def count_fields(self) -> dict[str, str]:
        """Prose count label -> profile count key, for the labels of this family (check D3)."""
        return {p["label"]: p["count_field"] for p in self.prose_labels if p.get("count_field")}

    @property
    def rules_path(self) -> Path:
        return Path(self.path).parent / self.rules

    def text(self, key: str, default: str = "") -> str:
        """A report wording of this family (``report:`` in family.yaml)."""
        return str(self.report.get(key, default))


def family_ids() -> list[str]:
    return sorted(p.parent.name for p in FAMILIES_DIR.glob("*/family.yaml"))


def get_family(family_id: str | None, file: str = "") -> Family:
    """The family by id ('' or None: the default family); ``FamilyError`` naming the known ones."""
    fid = family_id or DEFAULT_FAMILY
    path = FAMILIES_DIR / str(fid) / "family.yaml"
    if not (str(fid).isidentifier() and path.is_file()):
        known = family_ids()
        hint = difflib.get_close_matches(str(fid), known, n=1)
        raise FamilyError(Problem("未知的模板类型（family）" + (f"，是否应为 “{hint[0]}”？" if hint else ""),
                                  file=file, field="family", value=str(fid), expected="以下之一：" + "、".join(known)))
    return _load(str(path))


GENERIC_FAMILY = "generic"  # the family of a form that fits no scoring template (identities only)


def thresholds(family: Family) -> dict[str, Any]:
    """The limits and words of the printed-identity checks: the family's, over the generic family's."""
    base = get_family(GENERIC_FAMILY).thresholds if family.id != GENERIC_FAMILY else {}
    return {**base, **family.thresholds}


NO_TEMPLATE = "未评级：本表不属于已知评分模板"


def no_template_text(detection) -> str:
    """The no-grade sentence of a form of no scoring template, naming the nearest family kit import
    found (``detection.nearest``) and what differs (its ``tried`` row), as the data file records them."""
    text = NO_TEMPLATE
    nearest = getattr(detection, "nearest", "")
    if nearest:
        try:
            title = get_family(nearest).title
        except FamilyError:
            title = nearest
        why = next((t.why for t in detection.tried if t.family == nearest and t.why), "")
        text += f"；最接近的模板为“{title}”（{nearest}）" + (f"，不同之处：{why}" if why else "")
    elif getattr(detection, "reason", ""):
        text += f"（{detection.reason}）"
    return text


def all_families() -> list[Family]:
    return [get_family(f) for f in family_ids()]


@lru_cache(maxsize=32)
def _load(path: str) -> Family:
    doc = parse_yaml(Path(path).read_text(encoding="utf-8"), path)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FamilyError(Problem("不是模板类型说明文件", file=path, field="format", expected=FORMAT))
    detect = doc.get("detect") or {}
    return Family(
        id=str(doc["id"]),
        title=str(doc.get("title", "")),
        blocks=tuple(doc.get("blocks") or ()),
        required=tuple(doc.get("required") or ()),
        checks=tuple(doc.get("checks") or ()),
        rules=str(doc.get("rules", "rules.yaml")),
        detect={k: tuple(v or ()) for k, v in detect.items()},
        report=dict(doc.get("report") or {}),
        path=path,
        prose_labels=tuple(dict(p) for p in doc.get("prose_labels") or ()),
        import_layout=str(doc.get("import_layout") or ""),
        supplementary=tuple(doc["supplementary"] or ()) if "supplementary" in doc else None,
        workbook=dict(doc.get("workbook") or {}),
        synth=dict(doc.get("synth") or {}),
        graded=bool(doc.get("graded", True)),
        frame={str(k): (v if isinstance(v, dict) else tuple(str(x) for x in v) if isinstance(v, list) else str(v))
               for k, v in (doc.get("frame") or {}).items()},
        thresholds=dict(doc.get("thresholds") or {}),
    )


def detect_family(text: str) -> tuple[Family | None, str]:
    """The family whose words the printed text carries, and why (for ``kit import``).

    A family matches when every word of its ``detect.all`` is present; among matches the one
    with most ``detect.any`` words wins. None when no family matches.
    """
    best: tuple[int, Family] | None = None
    for fam in all_families():
        words_all = fam.detect.get("all", ())
        if not words_all or not all(w in text for w in words_all):
            continue
        hits = sum(1 for w in fam.detect.get("any", ()) if w in text)
        if best is None or hits > best[0]:
            best = (hits, fam)
    if best is None:
        return None, "正文中没有任何模板类型的特征词"
    fam = best[1]
    return fam, f"含特征词 {'、'.join(fam.detect.get('all', ()))}，另有 {best[0]} 个辅助特征词"

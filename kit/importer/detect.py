"""Which template family a published form belongs to, decided from its content.

The words each family's printed form carries are the family's data (``detect`` in
``kit/families/<id>/family.yaml``). ``kit.families.detect_family`` decides first (every
``all`` word present, most ``any`` words); a text layer may lack a word that only a title or a
page header prints (the sample's text layer has no 部门整体支出绩效自评表), so when no family
passes that test, the family with the largest share of its words found — at least
``MIN_SHARE`` — is chosen, and the reason names the words found and missing. Only families
naming a layout module (``import_layout`` in family.yaml, a module of ``kit/importer/``) can be
imported; the others are recognised and refused plainly. A new family needs its data and a
layout module, no change here.
"""
from __future__ import annotations

import re
from importlib.util import find_spec

from ..errors import Problem
from ..families import Family, FamilyError, all_families, detect_family, get_family
from .sources import Form, FormError

MIN_SHARE = 0.6
_WS = re.compile(r"\s+")


def detect(form: Form) -> tuple[Family, str]:
    """(family, reason) for a form, or ``FormError`` when no family fits."""
    text = _WS.sub("", form.text())
    fam, reason = detect_family(text)
    if fam is not None:
        return fam, reason
    best, best_share, found, missing = None, 0.0, [], []
    for f in all_families():
        words = list(dict.fromkeys(f.detect.get("all", ()) + f.detect.get("any", ())))
        if not words:
            continue
        hit = [w for w in words if w in text]
        share = len(hit) / len(words)
        if share > best_share:
            best, best_share, found, missing = f, share, hit, [w for w in words if w not in text]
    if best is None or best_share < MIN_SHARE:
        raise FormError(Problem(
            "无法从内容判断表式：没有找到任何已知表式的足够特征文字",
            file=str(form.path),
            expected="已知表式之一（" + "、".join(f.id for f in all_families()) + "）；或用 --family 指定",
        ))
    return best, (f"内容中有 {len(found)}/{len(found) + len(missing)} 个该表式的特征文字（{'、'.join(found[:6])}"
                  f"{'等' if len(found) > 6 else ''}）；未见 {'、'.join(missing)}")


def by_id(family_id: str, file: str = "") -> Family:
    try:
        return get_family(family_id, file)
    except FamilyError as exc:
        raise FormError(exc.problems) from None


def importable() -> list[str]:
    """Ids of the families whose family.yaml names a layout module."""
    return [f.id for f in all_families() if _module_exists(f.import_layout)]


def layout_of(fam: Family, file: str = "") -> str:
    """The layout module reading this family's forms, or ``FormError`` saying none exists yet."""
    if not _module_exists(fam.import_layout):
        raise FormError(Problem(f"识别为“{fam.title}”（{fam.id}），该表式的导入版式尚未实现", file=file,
                                expected="可导入的表式：" + "、".join(importable())))
    return fam.import_layout


def _module_exists(name: str) -> bool:
    return bool(name) and name.isidentifier() and find_spec(f"{__package__}.{name}") is not None

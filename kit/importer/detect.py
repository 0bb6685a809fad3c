"""Which template family a published form belongs to, decided from what it prints.

Every family is data (``kit/families/<id>/family.yaml``): the words its printed form carries
(``detect``: every ``all`` word, the most ``any`` words) and, where the family declares one, its
printed frame of weights (``frame``: funds_weight, indicators_weight, total — one value or a list
of the variants it accepts). ``detect`` tries each family and says, for each, whether it fits and
why not: a word missing, a weight printed otherwise ("(20分)" where the family has 10), no layout
to read it. A text layer may lack a word only a title prints (the sample's lacks
部门整体支出绩效自评表), so a family missing some ``all`` words still fits when at least
``MIN_SHARE`` of its words are found and its frame holds. Among the fitting families the one with
every ``all`` word and the most ``any`` words comes first; ``kit import`` then lets the first
whose layout finds its blocks read the form. A form that fits no family goes to ``generic``
(read by the generic table reader, no grade), naming the nearest family and what differs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib.util import find_spec

from ..core.errors import Problem
from ..families import Family, FamilyError, all_families, get_family
from .sources import Form, FormError

MIN_SHARE = 0.6
GENERIC = "generic"
_WS = re.compile(r"\s+")
FRAME_NAMES = {"funds_weight": "预算执行（执行率）分值", "indicators_weight": "绩效指标分值", "total": "总分"}


@dataclass
class Try:
    family: Family
    fits: bool
    why: str
    share: float = 0.0
    all_found: bool = False
    hits: int = 0
    pairs: float = 0.0  # share of the family's two-character pairs found in the text

    def to_dict(self) -> dict:
        return {"family": self.family.id, "fits": self.fits, "why": self.why}


@dataclass
class Detection:
    """The families tried, in the order kit import reads with them, and the fallback."""

    tried: list[Try] = field(default_factory=list)
    frame: dict[str, tuple[str, str]] = field(default_factory=dict)  # printed weights: key -> (value, label)

    def candidates(self) -> list[Try]:
        return sorted((t for t in self.tried if t.fits), key=lambda t: (not t.all_found, -t.hits, -t.share))

    def nearest(self) -> Try | None:
        """The family whose printed words the form comes closest to (whole words, then their pairs of
        characters: a report sharing none of a family's words may still share its vocabulary)."""
        near = sorted(self.tried, key=lambda t: (-t.share, -t.hits, -t.pairs))
        return near[0] if near and (near[0].share > 0 or near[0].pairs > 0) else None

    def block(self, chosen: str, reason: str, given: bool = False) -> dict:
        """The ``detection:`` block of the document (and the import record)."""
        out = {"chosen": chosen, "reason": reason}
        near = self.nearest()
        if chosen == GENERIC and near is not None:
            out["nearest"] = near.family.id
        out["tried"] = [t.to_dict() for t in self.tried]
        if given:
            out["reason"] = reason
        return out


def printed_frame(text: str) -> dict[str, tuple[str, str]]:
    from .tablereader import frame_printed

    return frame_printed(text)


def frame_of(fam: Family) -> dict:
    return dict(getattr(fam, "frame", None) or {})


def _frame_differs(fam: Family, printed: dict[str, tuple[str, str]]) -> list[str]:
    """What the printed weights say against the family's frame (empty: they agree or are not printed)."""
    out = []
    for key, want in frame_of(fam).items():
        if key not in printed:
            continue
        allowed = [str(w) for w in (want if isinstance(want, (list, tuple)) else [want])]
        got, label = printed[key]
        if not any(_same_number(got, w) for w in allowed):
            out.append(f"{FRAME_NAMES.get(key, key)}印为 {got} 分（“{label}”），该模板为 {'或'.join(allowed)} 分")
    return out


def _same_number(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a.strip() == b.strip()


def try_family(fam: Family, text: str, printed: dict[str, tuple[str, str]]) -> Try:
    words_all = list(fam.detect.get("all", ()))
    words_any = list(fam.detect.get("any", ()))
    words = list(dict.fromkeys(words_all + words_any))
    hit = [w for w in words if w in text]
    missing = [w for w in words_all if w not in text]
    share = len(hit) / len(words) if words else 0.0
    hits = sum(1 for w in words_any if w in text)
    all_found = bool(words_all) and not missing
    grams = {w[i:i + 2] for w in words for i in range(len(w) - 1)}
    pairs = sum(1 for g in grams if g in text) / len(grams) if grams else 0.0
    t = Try(fam, False, "", share, all_found, hits, pairs)
    if not words:
        t.why = "该模板没有特征文字"
        return t
    if not all_found and share < MIN_SHARE:
        t.why = (f"缺少特征文字 {'、'.join(missing[:6])}" if missing else "") + \
                f"（该模板 {len(words)} 个特征文字中只见 {len(hit)} 个）"
        return t
    differs = _frame_differs(fam, printed)
    if differs:
        t.why = "；".join(differs)
        return t
    if not _module_exists(fam.import_layout):
        t.why = f"文字相符，但该表式的导入版式尚未实现（{fam.title}）"
        return t
    t.fits = True
    if all_found:
        t.why = f"含特征词 {'、'.join(words_all)}，另有 {hits} 个辅助特征词"
    else:
        t.why = (f"内容中有 {len(hit)}/{len(words)} 个该表式的特征文字（{'、'.join(hit[:6])}{'等' if len(hit) > 6 else ''}）；"
                 f"未见 {'、'.join(w for w in words if w not in text)}")
    if frame_of(fam) and any(k in printed for k in frame_of(fam)):
        t.why += "；印出的分值框架相符（" + "、".join(f"{printed[k][1]}" for k in frame_of(fam) if k in printed) + "）"
    return t


def detect_all(form: Form) -> Detection:
    """Try every family with detection words against the printed form."""
    raw = form.text()
    text = _WS.sub("", raw)
    d = Detection(frame=printed_frame(raw))
    for fam in all_families():
        if fam.id == GENERIC or not (fam.detect.get("all") or fam.detect.get("any")):
            continue
        d.tried.append(try_family(fam, text, d.frame))
    return d


def detect(form: Form) -> tuple[Family, str]:
    """(family, reason) for a form: the first fitting family, else generic (``FormError`` without it)."""
    d = detect_all(form)
    cands = d.candidates()
    if cands:
        return cands[0].family, cands[0].why
    fam, reason = fallback(form, d)
    return fam, reason


def fallback(form: Form, d: Detection) -> tuple[Family, str]:
    """The generic family and why no known family fits; ``FormError`` when there is no generic family."""
    near = d.nearest()
    why = "没有一个已知评分模板符合" + (f"；最接近的是 {near.family.id}（{near.family.title}）：{near.why}" if near else "")
    try:
        fam = get_family(GENERIC)
    except FamilyError:
        raise FormError(Problem(
            "无法从内容判断表式：没有找到任何已知表式的足够特征文字", file=str(form.path),
            expected="已知表式之一（" + "、".join(f.id for f in all_families()) + "）；或用 --family 指定")) from None
    if not _module_exists(fam.import_layout):
        raise FormError(Problem("无法从内容判断表式：" + why, file=str(form.path)))
    return fam, why


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

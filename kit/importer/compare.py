"""Field-by-field comparison of an imported document with a transcription of the same form.

Both documents go through the model (``build_department`` then ``to_document``) so that only
printed values are compared, then every leaf of the transcription is classed ``exact``,
``absent`` (the import left it blank) or ``wrong`` (the import placed a different value);
leaves only the import has are ``extra``. Amount fields are counted apart: an import must
never place a different amount than the form printed.

``printed=True`` (the forms published as web pages) counts only fields printed in either
document (both blank is no field), compares texts after NFKC and without whitespace (a page's
line breaks and its full-width or half-width brackets are not differences of what was printed),
and amounts by their number when the written forms differ (``100分`` printed, ``100``
transcribed: listed in ``diffs``, counted exact). ``ignore`` names fields the form does not
print (a transcription's invented department code).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..model import build_department, to_document
from ..core.values import parse_num

AMOUNT_FIELD = re.compile(
    r"^(budget\.\w+\.(total|basic|project)|(basic|project|transfer)_lines\.\d+\.(budget|adjusted|actual)"
    r"|tasks\.\d+\.(budget|actual)\.\w+|scores\.\d+\.(weight|self_score)|narrative\.budget_total|profile\.counts\.\w+"
    r"|funds\.(weight|score|rate)|funds\.rows\.\d+\.(initial|adjusted|actual|weight|rate|score)"
    r"|indicators\.\d+\.(weight|score|coefficient)|self_eval\.(total|total_weight)"
    r"|score_groups\.\d+\.(weight|self_score)|supplementary\.\w+)$"
)
# Fields holding a printed number besides the amounts: an import must never place a different one.
NUMBER_FIELD = re.compile(r"^(department\.year|indicators\.\d+\.(target|actual)|goals\.(expected|actual))$")


def _is_number_field(path: str) -> bool:
    return bool(AMOUNT_FIELD.match(path) or NUMBER_FIELD.match(path))


@dataclass
class Comparison:
    exact: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    numbers_wrong: list[str] = field(default_factory=list)  # amount or number fields wrong or extra

    @property
    def total(self) -> int:
        return len(self.exact) + len(self.absent) + len(self.wrong)

    @property
    def share_exact(self) -> float:
        return len(self.exact) / self.total if self.total else 1.0

    def amounts(self, which: str) -> list[str]:
        return [p for p in getattr(self, which) if AMOUNT_FIELD.match(p)]

    def summary(self) -> str:
        amounts = len(self.amounts("exact")) + len(self.amounts("absent")) + len(self.amounts("wrong"))
        return (
            f"字段 {self.total}：相同 {len(self.exact)}（{self.share_exact:.1%}），缺失 {len(self.absent)}，"
            f"不同 {len(self.wrong)}，多出 {len(self.extra)}；金额字段 {amounts}：相同 {len(self.amounts('exact'))}，"
            f"缺失 {len(self.amounts('absent'))}，不同 {len(self.amounts('wrong'))}"
        )


NOT_PRINTED = frozenset({"detection"})  # what kit import says about the form, not a printed field


def normalised(doc: dict) -> dict:
    from ..families import get_family

    return to_document(build_department(doc, required=get_family(doc.get("family")).required))


def leaves(obj: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(leaves(v, f"{prefix}{k}."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(leaves(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = "" if obj is None else str(obj)
    return out


def _text_key(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def _same_number(a: str, b: str) -> bool:
    x, y = parse_num(a, ""), parse_num(b, "")
    return x.value is not None and x.value == y.value and x.unit == y.unit


def compare(expected: dict, got: dict, *, printed: bool = False, ignore: Iterable[str] = ()) -> Comparison:
    """Compare ``got`` (an import) with ``expected`` (a transcription), leaf by leaf."""
    exp, imp = leaves(normalised(expected)), leaves(normalised(got))
    skip = set(ignore) | {p for p in (*exp, *imp) if p.split(".")[0] in NOT_PRINTED}
    res = Comparison()
    for path, want in exp.items():
        if path in skip:
            continue
        have = imp.get(path, "")
        if printed and want == "" and have == "":
            continue
        if have == want:
            res.exact.append(path)
        elif have == "":
            res.absent.append(path)
            res.diffs.append(f"缺失 {path}：应为 {want[:60]!r}")
        elif printed and AMOUNT_FIELD.match(path) and _same_number(want, have):
            res.exact.append(path)
            res.diffs.append(f"同值 {path}：转录为 {want!r}，表上印作 {have!r}")
        elif printed and not AMOUNT_FIELD.match(path) and _text_key(want) == _text_key(have):
            res.exact.append(path)
        else:
            res.wrong.append(path)
            res.diffs.append(f"不同 {path}：应为 {want[:80]!r}，导入为 {have[:80]!r}")
            if _is_number_field(path):
                res.numbers_wrong.append(path)
    for path, have in imp.items():
        if path not in exp and path not in skip and have != "":
            res.extra.append(path)
            res.diffs.append(f"多出 {path}：{have[:60]!r}")
            if _is_number_field(path):
                res.numbers_wrong.append(path)
    return res

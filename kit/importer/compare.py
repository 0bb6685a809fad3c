"""Field-by-field comparison of an imported document with a transcription of the same form.

Both documents go through the model (``build_department`` then ``to_document``) so that only
printed values are compared, then every leaf of the transcription is classed ``exact``,
``absent`` (the import left it blank) or ``wrong`` (the import placed a different value);
leaves only the import has are ``extra``. Amount fields are counted apart: an import must
never place a different amount than the form printed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..model import build_department, to_document

AMOUNT_FIELD = re.compile(
    r"^(budget\.\w+\.(total|basic|project)|(basic|project|transfer)_lines\.\d+\.(budget|adjusted|actual)"
    r"|tasks\.\d+\.(budget|actual)\.\w+|scores\.\d+\.(weight|self_score)|narrative\.budget_total|profile\.counts\.\w+)$"
)


@dataclass
class Comparison:
    exact: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)

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


def normalised(doc: dict) -> dict:
    return to_document(build_department(doc))


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


def compare(expected: dict, got: dict) -> Comparison:
    """Compare ``got`` (an import) with ``expected`` (a transcription), leaf by leaf."""
    exp, imp = leaves(normalised(expected)), leaves(normalised(got))
    res = Comparison()
    for path, want in exp.items():
        have = imp.get(path, "")
        if have == want:
            res.exact.append(path)
        elif have == "":
            res.absent.append(path)
            res.diffs.append(f"缺失 {path}：应为 {want[:60]!r}")
        else:
            res.wrong.append(path)
            res.diffs.append(f"不同 {path}：应为 {want[:80]!r}，导入为 {have[:80]!r}")
    for path, have in imp.items():
        if path not in exp and have != "":
            res.extra.append(path)
            res.diffs.append(f"多出 {path}：{have[:60]!r}")
    return res

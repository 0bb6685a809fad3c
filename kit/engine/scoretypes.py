"""The core scoring types of the engine: what a formula reads and returns, and the formula registry.

``IndicatorScore`` (one indicator of a rule file against the form's row), ``Outcome`` (what a
formula returns: the score and its basis — ``exact`` (all inputs on the form or supplied),
``proxy`` (an input stands in for one the form lacks), ``judgement`` (discretionary: the self
score is kept), ``unverifiable`` (inputs missing: the self score is kept and the missing inputs
named)), ``Env`` (what formulas read), ``@formula("name")`` and ``REGISTRY``, which the plug-ins
fill (``kit.engine.rules.formulas()`` loads them: the shared ``kit/engine/formulas.py`` and the plug-in module
of any family folder that has one, ``kit/families/<id>/formulas.py``). The engine names no family.

Where an indicator mixes a mechanical sub-item with judgement sub-items, the judgement part is
assumed to be at most its full points: recomputed = min(self score, judgement points + part)
(``mixed``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from ..model import Department, ScoreRow
from ..core.values import Num, fmt_pct, fmt_score
from ..core.vocab import Basis

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def band_score(bands, x: Decimal) -> Decimal:
    """The score of the first band whose condition ``x`` meets (rule files end with a fallback)."""
    for b in bands:
        if b.matches(x):
            return b.score
    raise ValueError("band table has no fallback entry")  # validated when the rule file loads


REGISTRY: dict[str, Callable[["Env", "IndicatorScore"], "Outcome"]] = {}


def formula(name: str):
    """Register a scoring formula under the name rule files use."""
    def deco(fn):
        REGISTRY[name] = fn
        return fn
    return deco


@dataclass
class IndicatorScore:
    rule: Any  # kit.engine.rules.IndicatorRule (rules imports this module, not the other way)
    row: ScoreRow | None = None  # the form's row, when found
    row_no: int | None = None  # 1-based row of the form's scoring table
    weight: Decimal = ZERO  # the rule's weight
    weight_printed: Num | None = None
    weight_implied: Decimal | None = None  # 100 − Σ other printed weights, when the weight is unreadable
    self_score: Decimal | None = None
    engine_score: Decimal | None = None  # recomputed by the formula (before any override)
    recomputed: Decimal | None = None
    basis: str = Basis.UNVERIFIABLE
    engine_basis: str = Basis.UNVERIFIABLE
    note: str = ""
    missing: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)  # figures the checks report (ratio, band …)
    error: str | None = None  # exception text when the formula crashed
    where: str = "评分表"  # the block the printed row is in (Chinese)
    weight_source: str = "rule"  # 'rule': the rule file fixes the weight; 'table': the printed 分值 is the weight
    item: Any = None  # the printed row the table-row formulas read (an Indicator, or the ScoreRow)

    @property
    def weight_known(self) -> bool:
        """False when the weight is the printed 分值 and none can be read (a table without a weight column)."""
        if self.weight_source != "table":
            return True
        return self.weight_printed is not None and self.weight_printed.value is not None

    @property
    def placeholder(self) -> bool:
        """A printed row of the department's own table with neither 分值 nor 得分 (e.g. 指标1: / / /)."""
        return (self.weight_source == "table" and not self.weight_known and self.row is not None
                and self.row.self_score.value is None)

    @property
    def location(self) -> str:
        if self.row_no:
            return f"{self.where} 第{self.row_no}行"
        return self.where if self.row is not None else f"{self.where}（缺少此行）"


@dataclass
class Outcome:
    score: Decimal | None
    basis: str
    note: str
    missing: tuple[str, ...] = ()
    inputs: dict[str, Any] = field(default_factory=dict)


class Env:
    """What the formulas read: the department, the rules, the effective options, prose figures."""

    def __init__(self, dept: Department, rules: Any, opts: dict, prose):
        self.dept = dept
        self.rules = rules
        self.opts = opts
        self.prose = prose  # checks.base.ProseCache

    def supp(self, key: str) -> Any:
        v = self.dept.supplementary.get(key)
        if isinstance(v, Num):
            return v.value
        return v

    def count(self, key: str) -> Decimal | None:
        n = self.dept.profile.counts.get(key)
        return n.value if n is not None else None


def kept(self_score: Decimal | None, basis: str, note: str, missing=(), inputs=None) -> Outcome:
    return Outcome(self_score, basis, note, tuple(missing), inputs or {})


def mixed(s: IndicatorScore, judgement_points: Decimal, part: Decimal) -> Decimal:
    """min(self, judgement points + mechanical part): the judgement part is at most full."""
    cap = judgement_points + part
    return cap if s.self_score is None else min(s.self_score, cap)


def banded(s: IndicatorScore, ratio: Decimal, what: str, basis: str = "exact", extra: str = "", **inputs) -> Outcome:
    """The score of the rule's band that ``ratio`` falls in, with a note naming the ratio."""
    score = band_score(s.rule.bands(), ratio)
    return Outcome(score, basis, f"{what} {fmt_pct(ratio)} → {fmt_score(score)} 分{extra}", inputs={"ratio": ratio, **inputs})

"""The check base: one declaration per check, and the context it reads.

A check is declared once, with ``@check(id, title, category, severity, advice=..., <roles>)`` on
a function ``fn(ctx) -> iterable of Result``. The declaration holds everything the kit knows of
the check: its 整改建议 (``advice``, may name ``{subject}``) and its roles, read by the audit, the
report, the workbook and the batch index from ``REGISTRY``:

- ``amounts``: expected/actual are amounts in 元, so |difference| is the amount at stake;
- ``format_note``: a failure is a note on the printed form's format (格式与解析说明), not a problem;
- ``rescores``: it reports a rule-file indicator's re-score (advice asks for the recomputed score);
- ``figures`` / ``figure_kinds`` / ``figure_subject``: the prose figures it compares (by label,
  then by kind) and the subject its rows carry for them ('' the figure's label, ``TASK`` the task
  the text belongs to, else a fixed text);
- ``table``: the report table its rows join (``INDICATORS_TABLE``, ``GOALS_TABLE``).

``run_checks`` runs the checks it is given (``kit.engine.checks.checks_for`` selects those the
department's family lists, and makes the re-score checks its rule file names); a check that
raises becomes one failed row carrying the exception text (its id and category kept), never an
aborted run.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, Callable, Iterable

from ...model import Department
from ..rules import RuleSet
from ..scoretypes import IndicatorScore
from ...core.vocab import Severity, Status

SEVERITIES = tuple(Severity)
CATEGORIES = {"A": "算术关系", "B": "比率与复核评分", "C": "评分表完整性", "D": "文字与表格一致性", "E": "异常数值",
              "F": "模板与自评表结构", "G": "表上印出的勾稽关系"}


@dataclass
class Result:
    """One row of a check's output."""

    status: str  # 'pass' | 'fail' | 'unverifiable'
    subject: str  # the form's field, task or indicator
    message: str  # one line, Chinese
    expected: Any = None
    actual: Any = None
    difference: Any = None
    location: str = ""  # where on the form
    missing: tuple[str, ...] = ()  # input keys, for 'unverifiable'
    severity: str | None = None  # None: the check's own severity
    proxy: bool = False  # the result rests on a proxy input: reported as a warning


# The subject of a figure's rows is the task whose text prints it (figure_subject=TASK).
TASK = "task"
# Report tables a check's rows join (``table=``).
INDICATORS_TABLE = "indicators"
GOALS_TABLE = "goals"


@dataclass(frozen=True)
class Check:
    id: str
    title: str  # Chinese
    category: str  # 'A'..'F'
    severity: str  # default severity of a failure
    fn: Callable[["Context"], Iterable[Result]]
    advice: str = ""  # 整改建议, in the form's terms; may name {subject}
    advice_warning: str = ""  # the request when a finding is downgraded to a warning ('' = advice)
    amounts: bool = False
    format_note: bool = False
    rescores: bool = False
    figures: tuple[str, ...] = ()
    figure_kinds: tuple[str, ...] = ()
    figure_subject: str = ""
    table: str = ""

    def run(self, ctx: "Context") -> list[dict]:
        try:
            results = list(self.fn(ctx))
        except Exception as exc:  # reported as a failed row, the run goes on
            results = [Result(Status.FAIL, self.title, f"检查程序出错：{type(exc).__name__}: {exc}", severity=Severity.ERROR)]
        return [self.row(r) for r in results]

    def row(self, r: Result) -> dict:
        severity = r.severity or self.severity
        if r.proxy and severity == Severity.ERROR:
            severity = Severity.WARNING  # a proxy input never makes an error (domain.md §6.4)
        message = ("【替代口径】" + r.message) if r.proxy and not r.message.startswith("【替代口径】") else r.message
        return {
            "check_id": self.id,
            "category": self.category,
            "title": self.title,
            "severity": severity,
            "status": _word(r.status),
            "subject": r.subject,
            "message": message,
            "expected": r.expected,
            "actual": r.actual,
            "difference": r.difference,
            "location": r.location,
            "missing": list(r.missing),
            "proxy": r.proxy,
        }


def _word(v: Any) -> str:
    """A vocabulary enum (kit.core.vocab) as its machine word: the rows hold plain strings."""
    return str(getattr(v, "value", v))


REGISTRY: list[Check] = []


def check(id: str, title: str, category: str, severity: str = Severity.ERROR, *, advice: str, advice_warning: str = "",
          amounts: bool = False, format_note: bool = False, figures: tuple[str, ...] = (), figure_kinds: tuple[str, ...] = (),
          figure_subject: str = "", table: str = ""):
    """Declare a check: ``@check("A1", "部门支出总额 = 基本支出 + 项目支出", "A", advice="核对……")``."""
    assert category in CATEGORIES and severity in SEVERITIES and advice.strip(), id
    assert all(c.id != id for c in REGISTRY), f"check {id} declared twice"

    def deco(fn):
        REGISTRY.append(Check(id, title, category, severity, fn, advice=advice, advice_warning=advice_warning, amounts=amounts,
                              format_note=format_note, figures=tuple(figures), figure_kinds=tuple(figure_kinds),
                              figure_subject=figure_subject, table=table))
        return fn

    return deco


_INDEX: dict[str, Check] = {}


def declared(check_id: str) -> Check | None:
    """The declared check of this id (None for a re-score check a rule file makes, or an unknown id)."""
    if len(_INDEX) != len(REGISTRY):
        _INDEX.clear()
        _INDEX.update((c.id, c) for c in REGISTRY)
    return _INDEX.get(check_id)


class ProseCache:
    """Figures from the narrative and task texts (``kit.engine.prose``), computed once per audit."""

    def __init__(self, dept: Department, labels: tuple = ()):
        self.dept = dept
        self.labels = tuple(labels)  # the family's own prose labels (family.yaml prose_labels)
        self._claims: dict[str, tuple] = {}

    @cached_property
    def _prose(self):
        from .. import prose  # another module of the kit; imported on first use

        return prose

    @cached_property
    def figures(self) -> list:
        return list(self._prose.extract_figures(self.dept, self._prose.label_rules(self.labels)))

    @cached_property
    def rates(self) -> dict:
        """Label -> first figure, for the rates the checks and formulas compare (execution rates …)."""
        return self._prose.select_rates(self.figures)

    @cached_property
    def next_year(self) -> dict:
        return self._prose.select_next_year(self.figures)

    @cached_property
    def truncated(self) -> list[str]:
        """Texts longer than the prose reader scans: only their start was checked."""
        return self._prose.truncated_sources(self.dept)

    def claim(self, key: str) -> tuple:
        if key not in self._claims:
            self._claims[key] = self._prose.claim(self.dept, key)
        return self._claims[key]

    @cached_property
    def _key_work(self) -> tuple:
        return self._prose.key_work_all_completed(self.dept)

    def key_work(self) -> tuple:
        return self._key_work

    def itemised(self, text: str):
        return self._prose.itemised_amounts(text)

    def satisfaction_rates(self) -> list:
        """Every satisfaction rate quoted (indicator actuals and narrative), each printed figure once."""
        seen, out = set(), []
        for f in self.figures:
            if f.kind == "rate" and f.label == "满意度" and f.value is not None:
                key = (f.qualifier, f.value)
                if key not in seen:  # the same rate repeated in the narrative counts once
                    seen.add(key)
                    out.append(f)
        return out


@dataclass
class Context:
    dept: Department
    rules: RuleSet
    opts: dict
    scores: list[IndicatorScore]
    extra_rows: list  # form score rows matching no rule indicator: (row_no, ScoreRow)
    prose: ProseCache
    totals: dict = field(default_factory=dict)
    grades: dict = field(default_factory=dict)
    family: Any = None  # kit.families.Family of the rule file
    misfit: tuple[str, ...] = ()  # why the data file does not fit the family ('' when it fits)
    fitting: tuple[str, ...] = ()  # built-in rule sets whose printed frame the form fits (when misfit)

    @property
    def tol_amount(self) -> Decimal:
        return self.opts["tolerance_amount"]

    @property
    def tol_rate(self) -> Decimal:
        return self.opts["tolerance_rate"]

    @property
    def tol_score(self) -> Decimal:
        return self.opts["tolerance_score"]

    def score(self, indicator_id: str) -> IndicatorScore:
        return next(s for s in self.scores if s.rule.id == indicator_id)

    def incomplete(self, block: str) -> bool:
        """The data file marks this block as cut short on the page: its sums cannot be verified."""
        return block in self.dept.incomplete


def run_checks(ctx: Context, checks: Iterable[Check]) -> list[dict]:
    rows: list[dict] = []
    for c in checks:
        rows.extend(c.run(ctx))
    return rows


def catalogue_order(c: Check) -> tuple:
    return (c.category, int("".join(ch for ch in c.id[1:] if ch.isdigit()) or 0))

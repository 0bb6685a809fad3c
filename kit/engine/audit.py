"""The audit engine: one call re-checks a department-year against its rule file.

``run_audit(dept, params, options)`` recomputes the scores, runs the checks its family lists
and returns an ``AuditResult`` of tidy DataFrames (money and scores stay ``Decimal``, object
dtype). ``to_json_dict()`` is the stable JSON contract of ``kit check --format json``: every
``Decimal`` is written as a string (exact, plain notation, e.g. "97.00", "2211773762.75"),
``expected``/``actual`` are strings or null, counts are JSON integers.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import REGISTRY, TASK, Check, Context, ProseCache, checks_for, declared, run_checks
from ..core.errors import KitError, ParamsError
from ..families import Family, get_family, no_template_text
from ..model import BLOCK_LABELS, SUPPLEMENTARY, Department
from ..files.params import Params
from .rules import RuleSet, load_rules, rules_for, validate_options, validate_overrides
from .review import Review, assign_keys, load_review, merged_overrides, review_path
from .scoring import EXTRA_INPUT_LABELS, Env, grade, rescore, score_rows, totals
from ..core.values import fmt_score
from ..core.vocab import Basis, Decision, FindingKind, ReviewStatus, Severity, Status, WeightSource

# The grade shown when the form does not fit the chosen template: never a grade under another template.
NO_GRADE = "不予评级"
FIT_CHECK = "F1"  # the catalogue's check that the data file fits its rule file (kit/engine/checks/fit.py)
# The grade of a total that is not whole: a score not printed, or a scored table cut short on the page.
PARTIAL_GRADE = "无法评级"
# The grade of a form of no scoring template (a family with graded: false): identities only.
UNGRADED = "未评级"

FINDING_COLUMNS = ["check_id", "category", "title", "severity", "status", "subject", "message", "expected", "actual",
                   "difference", "location", "missing", "proxy", "key"]
SCORE_COLUMNS = ["level1", "level2", "indicator", "weight", "self_score", "recomputed_score", "basis", "note",
                 "indicator_id", "row", "check_id", "engine_score", "missing", "weight_source"]
SEVERITY_ORDER = Severity.orders()
STATUS_ORDER = Status.orders()
CENT = Decimal("0.01")
BASES = tuple(b.value for b in Basis)
KINDS = tuple(k.value for k in FindingKind)
# The ids of the checks whose failures are format notes, read from their declarations (format_note=True),
# for the batch index and the portfolio, which see findings as plain records.
FORMAT_CHECKS = frozenset(c.id for c in REGISTRY if c.format_note)

# Chinese names of the auditor-facing frames (machine names stay in the JSON and in .findings/.scores).
LABELS = {
    "severity": Severity.labels(),
    "status": Status.labels(),
    "basis": Basis.labels(),
    "kind": FindingKind.labels(),
}
ISSUE_COLUMNS_ZH = {
    "kind": "类别", "verdict": "结论", "check_id": "检查编号", "title": "检查项", "subject": "对象", "message": "说明",
    "expected": "应为（复核）", "actual": "实际（填报）", "difference": "差异（复核−填报）", "location": "表内位置",
    "score_effect": "影响分数", "amount": "涉及金额（元）", "decision": "复核决定", "key": "问题键",
}
SCORE_COLUMNS_ZH = {
    "level1": "一级指标", "level2": "二级指标", "indicator": "三级指标", "weight": "分数", "self_score": "自评分数",
    "recomputed_score": "复核分数", "difference": "差异（复核−自评）", "basis": "复核依据", "note": "说明",
}


def finding_kind(check_id: str, status: str) -> str:
    """'pass', 'problem', 'unverifiable' or 'format' (a quirk of the printed form, not a problem)."""
    if status == Status.PASS:
        return "pass"
    if status == Status.UNVERIFIABLE:
        return "unverifiable"
    c = declared(check_id)
    return "format" if c is not None and c.format_note else "problem"


def verdict_label(status: str, severity: str) -> str:
    """错误 / 警告 / 提示 for a failed check, 无法核实 when inputs are missing, 通过."""
    return LABELS["severity"][severity] if status == Status.FAIL else LABELS["status"][status]


def summarise(findings: list[dict], scores: list[dict], missing_inputs: list | None = None) -> dict:
    """Counts and coverage from plain records (the JSON contract's or a frame's): one definition
    for the report, its header, the terminal and the batch index, so their numbers agree.

    ``problems`` counts failed checks by severity (format notes apart), ``unverifiable`` the
    checks whose inputs are missing, ``points`` the score-table points by basis.
    """
    out: dict[str, Any] = {"problems": {k: 0 for k in SEVERITY_ORDER}, "unverifiable": 0, "format": 0, "passed": 0,
                           "checks": len(findings)}
    out["review"] = {d.value: 0 for d in Decision}
    for f in findings:
        kind = finding_kind(str(f.get("check_id")), str(f.get("status")))
        if kind == "problem":
            decided = Decision.parse(f.get("decision")) or Decision.PENDING
            out["review"][decided.value] += 1
            if decided is Decision.REJECTED:  # not adopted: in the appendix, not among the problems
                continue
            out["problems"][f.get("severity", "error")] = out["problems"].get(f.get("severity", "error"), 0) + 1
        elif kind == "pass":
            out["passed"] += 1
        else:
            out[kind] += 1
    points = {b: Decimal(0) for b in BASES}
    self_total = recomputed_total = Decimal(0)
    for r in scores:
        w = _dec(r.get("weight")) or Decimal(0)
        points[r.get("basis") if r.get("basis") in points else "unverifiable"] += w
        self_total += _dec(r.get("self_score")) or Decimal(0)
        recomputed_total += _dec(r.get("recomputed_score")) or Decimal(0)
    out["points"] = points
    out["points_total"] = sum(points.values(), Decimal(0))
    out["points_rechecked"] = points["exact"] + points["proxy"] + points["override"]
    out["score_cut"] = self_total - recomputed_total  # > 0: the review lowered the total
    out["missing_inputs"] = len(missing_inputs or [])
    complete = points["unverifiable"] == 0 and not missing_inputs
    state = ReviewStatus.COMPLETE if complete else ReviewStatus.PARTIAL
    if out["points_total"] and not out["points_rechecked"]:  # not one score point could be re-checked
        state = ReviewStatus.NONE
    elif not out["points_total"]:  # no score table (none printed, or not read): only the printed identities
        state = ReviewStatus.UNSCORED
    out["status"], out["status_label"] = state, state.label
    return out


def _dec(v: Any) -> Decimal | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    try:
        return v if isinstance(v, Decimal) else Decimal(str(v))
    except ArithmeticError:
        return None

@dataclass
class AuditResult:
    department: Department
    params: Params | None
    options: dict  # effective options (rule-file defaults + params/explicit overrides)
    rules: RuleSet
    findings: pd.DataFrame
    scores: pd.DataFrame
    totals: dict  # {'self', 'recomputed', 'by_level1': {level1: {'weight', 'self', 'recomputed'}}}
    grade: dict  # {'self': 优|良|中|差, 'recomputed': ...}
    missing_inputs: pd.DataFrame
    prose_figures: pd.DataFrame
    family: Family | None = None
    misfit: tuple[str, ...] = ()  # why the data file does not fit the chosen template (empty: it fits)
    review: Review = field(default_factory=Review)  # the auditor's decisions and overrides (kit.engine.review)
    before: dict | None = None  # {'totals', 'grade'} without the auditor's overrides (None: there are none)
    extra_overrides: list = field(default_factory=list)  # the notebook's parameter-cell overrides
    given_options: dict | None = None  # the ``options`` run_audit was given (to audit again after an override)
    fitting: tuple[str, ...] = ()  # built-in rule sets whose printed frame the form fits (when misfit)

    @property
    def graded(self) -> bool:
        """A grade could be given: the family has a scoring template, the form fits it and its score table
        was read (a cut table may still be 无法评级)."""
        return not self.misfit and (self.family is None or self.family.graded) and self.totals.get("recomputed") is not None

    def no_grade_reason(self) -> str:
        """Why there is no grade ('' when graded): the template does not fit, or there is none."""
        if self.misfit:
            text = "本表与所选模板不符：" + "；".join(self.misfit) + "。不予评级，不给出复核总分"
            if self.fitting:
                text += "；与本表印出的分值相符的规则：" + "、".join(self.fitting)
            return text
        if self.family is not None and not self.family.graded:
            return nearest_text(self.department)
        if self.totals.get("recomputed") is None:
            block = self.rules.table_rows.block if self.rules.table_rows else self.rules.score_block
            name = BLOCK_LABELS.get(block, block)
            if block in self.department.incomplete:
                return f"{PARTIAL_GRADE}：“{name}”在页面截断处之前未印出任何一行，无从复核，不给出复核总分"
            return f"{UNGRADED}：表上没有“{name}”，没有可复核的分数，不给出复核总分"
        return ""

    def issues(self, kind: str | None = None, labels: str = "zh") -> pd.DataFrame:
        """Non-pass findings in the order a reviewer reads them.

        Problems first, ordered by their effect on the score (分), then the amount at stake (元),
        then severity; then the checks that could not be made (无法核实, most points at stake
        first); then the notes on the printed form's format (格式与解析说明). ``kind`` keeps one
        of 'problem', 'unverifiable', 'format'. ``labels="zh"`` (default) gives Chinese column
        names and values, as an auditor reads them; ``labels="machine"`` the machine names of
        ``findings`` plus kind, score_effect and amount.
        """
        f = self.findings[self.findings["status"] != Status.PASS].copy()
        f["kind"] = [finding_kind(c, st) for c, st in zip(f["check_id"], f["status"])]
        f["decision"] = [self._decision_of(k).value for k in f["key"]]
        effects = self._score_effects()
        f["score_effect"] = [effects.get((c, subj), Decimal(0)) if k == "problem" else Decimal(0)
                             for c, subj, k in zip(f["check_id"], f["subject"], f["kind"])]
        f["amount"] = [self._amount_at_stake(c, d) for c, d in zip(f["check_id"], f["difference"])]
        stake = self._points_at_stake()
        f["_k"] = f["kind"].map({k: i for i, k in enumerate(KINDS)})
        f["_sev"] = f["severity"].map(SEVERITY_ORDER)
        f["_p"] = [-stake.get(subj, Decimal(0)) if k == "unverifiable" else Decimal(0)
                   for subj, k in zip(f["subject"], f["kind"])]
        f["_e"] = [-x for x in f["score_effect"]]
        f["_a"] = [-x for x in f["amount"]]
        f["_i"] = range(len(f))
        f["_fit"] = f["check_id"] != FIT_CHECK  # a form that does not fit its rules: said before anything else
        f = f.sort_values(["_k", "_fit", "_e", "_a", "_sev", "_p", "_i"], kind="stable").drop(
            columns=["_k", "_fit", "_sev", "_p", "_e", "_a", "_i"])
        if kind is not None:
            f = f[f["kind"] == kind]
        f = f.reset_index(drop=True)
        if labels == "machine":
            return f
        out = pd.DataFrame({
            ISSUE_COLUMNS_ZH["kind"]: f["kind"].map(LABELS["kind"]),
            ISSUE_COLUMNS_ZH["verdict"]: [verdict_label(st, sv) for st, sv in zip(f["status"], f["severity"])],
            **{ISSUE_COLUMNS_ZH[c]: f[c] for c in ("check_id", "title", "subject", "message", "expected", "actual",
                                                   "difference", "location", "score_effect", "amount")},
            ISSUE_COLUMNS_ZH["decision"]: [self.decision_text(k) for k in f["key"]],
            ISSUE_COLUMNS_ZH["key"]: f["key"],
        })
        out.index = range(1, len(out) + 1)
        out.index.name = "序号"
        return out

    def _amount_at_stake(self, check_id: str, difference: Any) -> Decimal:
        """元 a finding is about: |复核 − 填报| of an amount check; for D5 the unexplained adjustment."""
        if check_id == "D5":
            b = self.department.budget
            ini, adj = b.initial.total.value, b.adjusted.total.value
            return abs(adj - ini) if ini is not None and adj is not None else Decimal(0)
        c = declared(check_id)
        amounts = c is not None and c.amounts  # expected/actual in 元: |difference| is the amount at stake
        return abs(difference) if amounts and isinstance(difference, Decimal) else Decimal(0)

    def _score_effects(self) -> dict[tuple[str, str], Decimal]:
        """(check id, indicator) -> |复核 − 自评| of the score that check re-scores."""
        out = {}
        for r in self.scores.to_dict("records"):
            if r["check_id"] and r["self_score"] is not None and r["recomputed_score"] is not None:
                out[(r["check_id"], r["indicator"])] = abs(r["recomputed_score"] - r["self_score"])
        return out

    def _points_at_stake(self) -> dict[str, Decimal]:
        return {r["indicator"]: r["weight"] for r in self.scores.to_dict("records")
                if r["basis"] == Basis.UNVERIFIABLE and r["weight"] is not None}

    def summary(self) -> dict:
        """Counts by kind and severity, points by basis, status (see ``summarise``)."""
        records = [{**r, "decision": self._decision_of(r["key"]).value} for r in self.findings.to_dict("records")]
        return summarise(records, self.scores.to_dict("records"),
                         self.missing_inputs.to_dict("records"))

    def frames(self) -> dict[str, pd.DataFrame]:
        """The frames an auditor reads, with Chinese column names and values, keyed by section."""
        sc = self.scores
        scores = pd.DataFrame({
            **{SCORE_COLUMNS_ZH[c]: sc[c] for c in ("level1", "level2", "indicator", "weight", "self_score",
                                                    "recomputed_score")},
            SCORE_COLUMNS_ZH["difference"]: [None if a is None or b is None else a - b
                                             for a, b in zip(sc["recomputed_score"], sc["self_score"])],
            SCORE_COLUMNS_ZH["basis"]: sc["basis"].map(LABELS["basis"]),
            SCORE_COLUMNS_ZH["note"]: sc["note"],
        })
        summary = self.summary()
        coverage = pd.DataFrame(
            [{"复核依据": LABELS["basis"][b], "分数": summary["points"][b]} for b in BASES]
        ).set_index("复核依据")
        missing = pd.DataFrame({"需补充的资料": self.missing_inputs["label"],
                                "用于": ["、".join(x) for x in self.missing_inputs["needed_by"]]})
        all_checks = pd.DataFrame({
            "检查编号": self.findings["check_id"], "检查项": self.findings["title"], "对象": self.findings["subject"],
            "结论": [verdict_label(st, sv) for st, sv in zip(self.findings["status"], self.findings["severity"])],
            "说明": self.findings["message"], "表内位置": self.findings["location"],
        })
        return {
            "评分复核": scores,
            "复核覆盖": coverage,
            "问题清单": self.issues("problem"),
            "无法核实": self.issues("unverifiable"),
            "格式与解析说明": self.issues("format"),
            "需补充资料": missing,
            "全部检查": all_checks,
        }

    # --- the auditor's review (kit.engine.review): decisions kept across runs, overrides with reasons ---
    def _decision_of(self, key: str) -> Decision:
        e = self.review.get(key)
        return e.decision if e is not None else Decision.PENDING

    def decision_text(self, key: str) -> str:
        """待定, or the decision with its reason / explanation / date and who decided."""
        e = self.review.get(key)
        return e.summary() if e is not None else Decision.PENDING.label

    def _decision_json(self, key: str, status: str) -> dict:
        if status == Status.PASS:
            return {}
        e = self.review.get(key)
        if e is None:
            return {"decision": Decision.PENDING.value}
        doc = {"decision": e.decision.value}
        doc.update({k: getattr(e, k) for k in ("reason", "explanation", "rectified_on", "reviewer", "date")
                    if getattr(e, k)})
        return doc

    def _finding(self, which: str | int) -> dict:
        """A non-passing finding by its key, its 序号 in ``issues()`` (an int), or its 序号 in the
        report's 问题 table (a string: "3" for a fact found once, "6.2" for a fact's second point)."""
        import re

        if isinstance(which, str) and re.fullmatch(r"\d+(\.\d+)?", which.strip()):
            from ..report.facts import facts  # the report's numbering (displayed, like _repr_html_)

            fact_no, _, point = which.strip().partition(".")
            groups = facts(self)
            if not 1 <= int(fact_no) <= len(groups):
                raise KeyError(f"报告“问题”表中没有序号 {which}（1–{len(groups)}）")
            points = groups[int(fact_no) - 1].findings
            if (point and not 1 <= int(point) <= len(points)) or (not point and len(points) > 1):
                raise KeyError(f"序号 {which} 对应的事实有 {len(points)} 条检查：请写 {fact_no}.1–{fact_no}.{len(points)}")
            return points[int(point or 1) - 1]
        if isinstance(which, int):
            table = self.issues(labels="machine")
            if not 1 <= which <= len(table):
                raise KeyError(f"序号 {which} 不在问题清单中（1–{len(table)}）")
            return table.iloc[which - 1].to_dict()
        hit = self.findings[(self.findings["key"] == which) & (self.findings["status"] != Status.PASS)]
        if not len(hit):
            raise KeyError(f"没有键为“{which}”的问题（键见 result.issues() 的“问题键”列）")
        return hit.iloc[0].to_dict()

    def decide(self, which: str | int, decision: str, *, reason: str = "", explanation: str = "",
               rectified_on: str = "", reviewer: str = "", date: str = ""):
        """Record a decision on a finding (its key, its 序号 in the report's 问题 table as a string
        such as "6.2", or its 序号 in ``issues()`` as an int): 确认, 不采纳
        (``reason=``), 已说明 (``explanation=``, the department's) or 已整改 (``rectified_on=``).
        ``save_review()`` writes it to the review file, which ``kit render`` reads."""
        f = self._finding(which)
        before = self.review.get(f["key"])
        entry = self.review.decide(f["key"], decision, reason=reason, explanation=explanation,
                                   rectified_on=rectified_on, reviewer=reviewer, date=date,
                                   finding=f"{f['subject']}：{f['message']}")
        if Decision.REJECTED in (entry.decision, getattr(before, "decision", None)):
            self._audit_again()  # a re-scoring not adopted keeps the self score (and back)
        return entry

    def _audit_again(self) -> None:
        self.__dict__.update(run_audit(self.department, self.params, self.given_options, self.rules,
                                       self.review, self.extra_overrides).__dict__)

    def override(self, indicator: str, score, reason: str, reviewer: str = "") -> "AuditResult":
        """Set a score with its reason (kept in the review file) and audit again: the totals
        and grade before and after are shown (``result.before``)."""
        kept = list(self.review.overrides)
        self.review.override(indicator, score, reason, reviewer)
        try:
            self._audit_again()
        except ParamsError:
            self.review.overrides = kept  # refused: the review is as it was
            raise
        return self

    def save_review(self, path: str | Path | None = None) -> Path:
        """Write the review file (beside the params file unless ``path``): ``kit render`` then
        shows the same decisions, overrides, totals and grade."""
        if path is None and self.review.path is None:
            if self.params is None or self.params.path is None:
                raise ValueError("没有参数文件，无法确定复核文件位置：save_review(path) 请指定路径")
            path = review_path(self.params.path)
        return self.review.save(path)

    def orphans(self) -> list:
        """Decisions in the review file whose finding no longer exists (kept, listed, never dropped)."""
        keys = self.findings.loc[self.findings["status"] != Status.PASS, "key"]
        return self.review.orphans(keys)

    def _repr_html_(self) -> str:
        # The report layer builds the summary; imported here, on display, so the engine does
        # not depend on it at import time.
        from ..report.summary import result_html

        return result_html(self)

    def __repr__(self) -> str:
        d, s = self.department, self.summary()
        return (f"<AuditResult {d.name}（{d.code}）{d.year}：自评 {_jstr(self.totals['self'])}（{self.grade['self']}），"
                f"复核 {_jstr(self.totals['recomputed'])}（{self.grade['recomputed']}），{s['status_label']}；"
                f"问题 {sum(s['problems'].values())} 条，无法核实 {s['unverifiable']} 条>")

    def to_json_dict(self) -> dict:
        d = self.department
        return {
            "department": {"code": d.code, "name": d.name, "year": d.year},
            "family": {"id": self.family.id, "title": self.family.title} if self.family else None,
            "rules": {"name": self.rules.name, "source": self.rules.source},
            "fits_family": not self.misfit,
            "graded": self.graded,
            "no_grade_reason": self.no_grade_reason(),
            "fitting_rules": list(self.fitting),
            "findings": [
                {
                    "check_id": r["check_id"],
                    "category": r["category"],
                    "title": r["title"],
                    "severity": r["severity"],
                    "status": r["status"],
                    "subject": r["subject"],
                    "message": r["message"],
                    "expected": _jstr(r["expected"]),
                    "actual": _jstr(r["actual"]),
                    "key": r["key"],
                    **self._decision_json(r["key"], r["status"]),
                }
                for r in self.findings.to_dict("records")
            ],
            "scores": [
                {
                    "level1": r["level1"],
                    "level2": r["level2"],
                    "indicator": r["indicator"],
                    "weight": _jstr(r["weight"]),
                    "self_score": _jstr(r["self_score"]),
                    "recomputed_score": _jstr(r["recomputed_score"]),
                    "basis": r["basis"],
                    "note": r["note"],
                }
                for r in self.scores.to_dict("records")
            ],
            "review": {
                "file": self.review.path.name if self.review.path else None,
                "counts": self.summary()["review"],
                "orphans": [e.to_doc() for e in self.orphans()],
                "overrides": [dict(o) for o in self.review.overrides],
                "before": None if self.before is None else {
                    "totals": {k: _jstr(self.before["totals"][k]) for k in ("self", "recomputed")},
                    "grade": dict(self.before["grade"])},
            },
            "totals": {"self": _jstr(self.totals["self"]), "recomputed": _jstr(self.totals["recomputed"])},
            "grade": {"self": self.grade["self"], "recomputed": self.grade["recomputed"]},
            "missing_inputs": [
                {"input": r["input"], "needed_by": list(r["needed_by"])} for r in self.missing_inputs.to_dict("records")
            ],
        }


def _jstr(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, Decimal):
        return format(v, "f")
    return str(v)


def input_label(key: str) -> str:
    """Chinese label of a missing input key."""
    if key in SUPPLEMENTARY:
        return SUPPLEMENTARY[key][0]
    if key in EXTRA_INPUT_LABELS:
        return EXTRA_INPUT_LABELS[key]
    prefix, _, name = key.partition(":")
    labels = {
        "prior_year": f"“{name}”的上年实际值",
        "evidence": f"“{name}”的实际完成数据或佐证材料",
        "score_row": f"评分表“{name}”一行",
        "item_amounts": f"“{name}”主要内容中各列项的金额",
    }
    if name and prefix in labels:
        return labels[prefix]
    fixed = {
        "revenue_budget": "部门预算收入数（调整后）",
        "revenue_actual": "部门预算收入决算数",
        "staff_total": "在职人员总数",
        "narrative.budget_total": "自评报告表头的部门预算总额",
        "narrative.next_year.total": "自评报告中的下年预算总额",
        "narrative.next_year.basic": "自评报告中的下年基本支出",
        "narrative.next_year.project": "自评报告中的下年项目支出",
        "indicators": BLOCK_LABELS["indicators"],
        "basic_lines": BLOCK_LABELS["basic_lines"],
        "project_lines": BLOCK_LABELS["project_lines"],
    }
    if key in fixed:
        return fixed[key]
    if key.startswith("budget."):
        from ..model import BUDGET_PARTS, BUDGET_STAGES

        _, stage, part = (key.split(".") + ["", ""])[:3]
        return f"{BUDGET_STAGES.get(stage, stage)}·{BUDGET_PARTS.get(part, part)}"
    return key


def effective_options(rules: RuleSet, params: Params | None, options: dict | None) -> dict:
    eff = rules.defaults()
    for source, file in ((params.options if params else None, str(params.path) if params else ""), (options, "<options>")):
        if source:
            typed, problems = validate_options(source, rules, file)
            if problems:
                raise ParamsError(problems)
            eff.update({k: typed[k] for k in source})
    return eff


def run_audit(dept: Department, params: Params | None = None, options: dict | None = None,
              rules: RuleSet | None = None, review: Review | str | Path | None = None,
              overrides: list | None = None, _implied: tuple = ()) -> AuditResult:
    """Audit one department-year. ``options`` (a dict) overrides the params file's options.

    ``review`` is the auditor's review file (a ``Review`` or a path); by default the one beside
    the params file (``kit.engine.review.review_path``), when there is one. Its score overrides apply
    after the params file's, ``overrides`` (a list of ``{indicator, score, reason}``) after both.
    """
    overrides_arg = overrides
    rules = rules or resolve_rules(dept, params)
    family = get_family(rules.family)
    misfit = family_misfit(dept, family)
    opts = effective_options(rules, params, options)
    if not isinstance(review, Review):
        path = review if review is not None else (review_path(params.path) if params is not None and params.path
                                                  else None)
        review = load_review(path) if path is not None else Review()
    wanted = merged_overrides(params.overrides if params is not None else (), review, [*_implied, *(overrides or ())])
    overrides = []
    if wanted:
        where = str(review.path or "") if review.overrides else str(getattr(params, "path", "") or "")
        overrides, problems = validate_overrides(wanted, rules, where)
        if problems:
            raise ParamsError(problems)
    prose = ProseCache(dept, family.prose_labels)
    env = Env(dept, rules, opts, prose)
    scores, extra = rescore(env, overrides)
    for s in scores:  # scores are printed to the cent; the recomputation is rounded half-up likewise
        if s.engine_score is not None:
            s.engine_score = s.engine_score.quantize(CENT, rounding=ROUND_HALF_UP)
        if s.recomputed is not None:
            s.recomputed = s.recomputed.quantize(CENT, rounding=ROUND_HALF_UP)
    tot = totals(scores, rules)
    why_variant, misfit_names = variant_fit(scores, rules)
    misfit += why_variant + frame_misfit(dept, rules)
    fitting = fitting_rules(dept, exclude=rules.name) if misfit else ()
    grades = _grades(dept, rules, opts, scores, tot, misfit, family)
    before = None
    if any(s.basis == Basis.OVERRIDE for s in scores):  # the totals and grade as the engine had them
        base = [copy.copy(s) for s in scores]
        for b in base:
            b.recomputed = b.engine_score
        btot = totals(base, rules)
        before = {"totals": btot, "grade": _grades(dept, rules, opts, base, btot, misfit, family)}
    ctx = Context(dept, rules, opts, scores, extra, prose, tot, grades, family, misfit, fitting)
    checks = checks_for(family.checks, rules)
    rows = run_checks(ctx, checks)
    if misfit_names:
        rows = [_not_under(r, misfit_names, rules.name) for r in rows]
    findings = pd.DataFrame.from_records(rows, columns=FINDING_COLUMNS).astype(object)
    findings["key"] = assign_keys(rows)
    score_rows = [
        {
            "level1": s.rule.level1,
            "level2": s.rule.level2,
            "indicator": s.rule.name,
            "weight": s.weight if s.weight_known else None,  # no 分值 printed: absent, not 0
            "self_score": s.self_score,
            "recomputed_score": s.recomputed,
            "basis": s.basis,
            "note": s.note,
            "indicator_id": s.rule.id,
            "row": s.row_no,
            "check_id": s.rule.check,
            "engine_score": s.engine_score,
            "missing": list(s.missing),
            "weight_source": s.weight_source,
        }
        for s in scores
    ]
    scores_df = pd.DataFrame.from_records(score_rows, columns=SCORE_COLUMNS).astype(object)
    missing = _missing_inputs(rows, scores)
    figures = _prose_figures(prose, rows, checks)
    result = AuditResult(dept, params, opts, rules, findings, scores_df, tot, grades, missing, figures, family, misfit,
                         review, before, list(overrides_arg or ()), options, fitting=fitting)
    implied = [] if _implied else _rejected_scores(result, {str(o.get("indicator")) for o in wanted if isinstance(o, dict)})
    if implied:
        return run_audit(dept, params, options, rules, review, overrides_arg, tuple(implied))
    return result


def _rejected_scores(result: AuditResult, overridden: set[str]) -> list[dict]:
    """Overrides keeping the self score of each indicator whose re-scoring finding was not adopted."""
    out = []
    rows = {(r["check_id"], r["indicator"]): r for r in result.scores.to_dict("records") if r["check_id"]}
    for f in result.findings[result.findings["status"] == Status.FAIL].to_dict("records"):
        e = result.review.get(f["key"])
        row = rows.get((f["check_id"], f["subject"]))
        if (e is None or e.decision is not Decision.REJECTED or row is None or row["self_score"] is None
                or row["indicator"] in overridden):
            continue
        out.append({"indicator": row["indicator"], "score": format(row["self_score"], "f"),
                    "reason": f"不采纳复核意见（{f['check_id']}）：{e.reason}，保留自评分数"})
    return out


def _grades(dept, rules, opts, scores, tot, misfit, family) -> dict:
    """The grades, and no recomputed total (nor row scores) where there is no grade to give."""
    if misfit:  # never a grade nor a recomputed total under rules that do not fit
        _withdraw_recomputed(scores, tot)
        return {"self": NO_GRADE, "recomputed": NO_GRADE}
    if not family.graded:  # no scoring template: every identity, no grade
        _withdraw_recomputed(scores, tot)
        return {"self": UNGRADED, "recomputed": UNGRADED}
    if not _table_read(dept, rules):  # no score table read (none printed, or cut before its first row)
        block = rules.table_rows.block if rules.table_rows else rules.score_block
        _withdraw_recomputed(scores, tot, rows=False)  # the rows re-scored from what is printed stand
        g = PARTIAL_GRADE if block in dept.incomplete else UNGRADED
        return {"self": g, "recomputed": g}
    cut = bool(rules.scored_blocks() & set(dept.incomplete))
    printed = [s for s in scores if s.row is not None and not s.placeholder]
    unscored = any(s.self_score is None for s in printed)
    unrescored = any(s.recomputed is None for s in printed)
    return {"self": PARTIAL_GRADE if cut or unscored or tot["self"] is None else grade(tot["self"], opts["grade_bands"]),
            "recomputed": PARTIAL_GRADE if cut or unrescored else grade(tot["recomputed"], opts["grade_bands"])}


def resolve_rules(dept: Department, params: Params | None) -> RuleSet:
    """The params file's rule file when it names one, else the data file's family default."""
    if params is not None and params.rules:
        return load_rules(params.rules)
    return rules_for(dept.family)


def variant_fit(scores, rules: RuleSet) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(why the printed weights do not fit the rule's, names of the indicators concerned)."""
    if rules.table_rows is None:
        return (), ()
    why, names = [], []
    for s in scores:
        printed = s.weight_printed.value if s.weight_printed is not None else None
        if s.weight_source == WeightSource.RULE and printed is not None and s.weight and printed != s.weight:
            why.append(f"“{s.rule.name}”分值印为 {printed} 分，所选规则文件（{rules.name}）为 {s.rule.weight} 分，"
                       "应选用与本表地区版本相符的规则文件")
            names.append(s.rule.name)
    return tuple(why), tuple(names)


def frame_misfit(dept: Department, rules: RuleSet) -> tuple[str, ...]:
    """The 分值 the department printed on its own rows add to another total than the rule file's
    (Σ 100 beside a 10-point execution rate where the template gives the rows 90): another frame."""
    tr = rules.table_rows
    if tr is None or tr.weight_total is None or tr.block in dept.incomplete:
        return ()
    rows = [r for r in score_rows(dept, tr.block) if r.weight.ok or r.self_score.ok]
    if not rows or not all(r.weight.ok for r in rows):
        return ()
    total = sum((r.weight.value for r in rows), Decimal(0))
    if total == tr.weight_total:
        return ()
    return (f"{BLOCK_LABELS.get(tr.block, tr.block)}各行分值之和印为 {fmt_score(total)} 分，所选规则文件（{rules.name}）"
            f"为 {fmt_score(tr.weight_total)} 分",)


def fitting_rules(dept: Department, exclude: str = "") -> tuple[str, ...]:
    """Built-in rule sets of a scoring family whose printed frame the form fits: its blocks, the weight
    printed for the execution rate, and the Σ of its rows' printed 分值. The data file's own family first."""
    from .rules import rule_names

    fits = []
    present = dept.present_blocks() | set(dept.incomplete)
    for name in rule_names():
        if name == exclude:
            continue
        try:
            rs = load_rules(name)
            fam = get_family(rs.family)
        except KitError:
            continue
        if not fam.graded or any(b not in present for b in fam.required) or present - set(fam.blocks) - {"supplementary", "stray"}:
            continue
        exec_rules = [i for i in rs.indicators if i.printed_in == "funds"]
        printed = dept.funds.weight
        if printed.ok and (not exec_rules or exec_rules[0].weight != printed.value):
            continue
        if frame_misfit(dept, rs):
            continue
        fits.append((rs.family != (dept.family or ""), name, f"{name}（{rs.title}）"))
    return tuple(text for _, _, text in sorted(fits))


def _table_read(dept: Department, rules: RuleSet) -> bool:
    """The form's score table has at least one printed row: a recomputed total means something."""
    block = rules.table_rows.block if rules.table_rows else rules.score_block
    return bool(score_rows(dept, block))


def _withdraw_recomputed(scores, tot: dict, rows: bool = True) -> None:
    """No recomputed total where there is no grade to give (another template, none, or no score table
    read), and no recomputed row scores under rules that do not fit or no template (``rows``)."""
    for s in scores if rows else ():
        s.recomputed = None
    tot["recomputed"] = None
    for v in tot["by_level1"].values():
        v["recomputed"] = None


def _not_under(row: dict, names: tuple[str, ...], rules_name: str) -> dict:
    """A failure that only says the form's weight differs from the rule's (already said by F1): no
    verdict under rules that do not fit."""
    if row["status"] != Status.FAIL or row["check_id"] == FIT_CHECK or not str(row["subject"]).startswith(names):
        return row
    return {**row, "status": Status.UNVERIFIABLE.value, "severity": Severity.INFO.value,
            "message": f"所选规则文件（{rules_name}）与本表不符，不按其作结论：{row['message']}"}


def nearest_text(dept: Department) -> str:
    """未评级：本表不属于已知评分模板, with the nearest family the import named and what differs."""
    return no_template_text(dept.detection)


def family_misfit(dept: Department, family: Family) -> tuple[str, ...]:
    """Why a data file does not fit a family: another family named, blocks it lacks or has extra."""
    from ..families import DEFAULT_FAMILY

    why = []
    own = dept.family or DEFAULT_FAMILY
    if own != family.id:
        why.append(f"数据文件属于“{get_family(own).title}”，所选规则属于“{family.title}”")
    present = dept.present_blocks() | set(dept.incomplete)  # a block cut short on the page is there
    lacking = [BLOCK_LABELS[b] for b in family.required if b not in present]
    if lacking:
        why.append("缺少本模板必有的栏目：" + "、".join(lacking))
    foreign = [BLOCK_LABELS[b] for b in sorted(present - set(family.blocks) - {"supplementary", "stray"})]
    if foreign:
        why.append("含有本模板没有的栏目：" + "、".join(foreign))
    return tuple(why)


def _missing_inputs(rows: list[dict], scores) -> pd.DataFrame:
    needed: dict[str, list[str]] = {}
    for s in scores:
        if s.basis in (Basis.UNVERIFIABLE, Basis.PROXY) or s.engine_basis in (Basis.UNVERIFIABLE, Basis.PROXY):
            for key in s.missing:
                needed.setdefault(key, [])
                if s.rule.name not in needed[key]:
                    needed[key].append(s.rule.name)
    for r in rows:
        if r["status"] == Status.PASS:
            continue
        for key in r["missing"]:
            needed.setdefault(key, [])
            if r["check_id"] not in needed[key]:
                needed[key].append(r["check_id"])
    return pd.DataFrame(
        [{"input": k, "label": input_label(k), "needed_by": v} for k, v in needed.items()],
        columns=["input", "label", "needed_by"],
    )


def _prose_figures(prose: ProseCache, rows: list[dict], checks: list[Check]) -> pd.DataFrame:
    cols = ["source", "row", "label", "raw", "value", "unit", "printed_unit", "year", "notes", "check_id", "status"]
    try:
        figs = prose.figures
    except Exception:  # the checks that need prose already carry the error
        return pd.DataFrame(columns=cols)
    status_by: dict[tuple[str, str], str] = {}
    for r in rows:
        key = (r["check_id"], str(r["subject"]))
        # Keep the worst status per (check, subject).
        if key not in status_by or STATUS_ORDER[r["status"]] < STATUS_ORDER[status_by[key]]:
            status_by[key] = r["status"]
    # Which check compares a figure: by its label, else by its kind (the checks' figure roles).
    by_label = {label: c for c in checks for label in c.figures}
    by_kind = {kind: c for c in checks for kind in c.figure_kinds}
    out = []
    for f in figs:
        c, subject = by_label.get(f.label) or by_kind.get(f.kind), None
        if c is not None and c.figure_subject == TASK:
            subject = f.source.partition(":")[2] if f.source.startswith("task:") else None
        elif c is not None:
            subject = c.figure_subject or f.label
        check_id = c.id if c is not None and subject is not None else ""
        status = status_by.get((check_id, subject), "not_compared") if check_id else "not_compared"
        out.append({
            "source": f.source, "row": f.row, "label": (f.qualifier or "") + f.label, "raw": f.raw, "value": f.value,
            "unit": f.unit, "printed_unit": f.printed_unit, "year": f.year, "notes": list(f.notes),
            "check_id": check_id, "status": status,
        })
    df = pd.DataFrame(out, columns=cols)
    df["value"] = df["value"].astype(object)
    return df


def audit_path(path: str | Path, rules: str | Path | None = None) -> AuditResult:
    """Audit what a command-line PATH names: a params file or a data file; ``rules`` (a built-in
    rule set's name or a rule file's path) overrides the params file's and the family default."""
    from ..files.load import open_path

    params, dept = open_path(path)
    return run_audit(dept, params, rules=load_rules(rules, Path.cwd()) if rules else None)

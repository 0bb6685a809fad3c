"""Findings grouped by the fact they are about, in the order a reviewer weighs them.

One fact is often found by several checks: 项目完成及时性 by the re-scoring (B10), the score
table's count (C2) and the narrative (D4); the budget adjustment by B2 (each line over 10%), B3
(the 财务合规性 score), D5 (no reason given) and B16 (execution equal to the adjusted budget). The
report and the 问题清单 treat each fact as one 问题 whose points are those checks.

Facts are grouped by their subject (the form's field, task or indicator), and the checks that
look at one fact from several subjects name it (``TOPICS``). Each group is one of three kinds,
listed in this order: 数据不一致 (two figures of the form that should agree), 其他问题 (compliance
and the quality of what is written), 评分差异 (a score the rules give otherwise); within a kind,
errors first, then the amount at stake, then the effect on the score.

``SIDES`` names the two sides of a comparison as the form has them (表内数 / 文字所述数 / 差额), so
a consistency finding takes neither side; ``SHORTFALL`` lists checks whose difference is shown as
actual − target (a shortfall is negative).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Checks about one fact seen from several subjects: check id -> the fact's name.
TOPICS = {"B2": "预算调整", "B3": "预算调整", "D5": "预算调整", "B16": "预算调整"}
# Checks comparing two figures of the form that should agree (neither is the reviewer's).
CONSISTENCY = frozenset({"A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "A9", "A11", "D1", "D2", "D3", "D7"})
# (label of expected, label of actual, label of the difference) for the comparisons above and the shortfalls.
SIDES = {
    "A8": ("表内预算数", "主要内容所列合计", "差额（表内−文字）"),
    "A9": ("基本支出+项目支出", "所述下年预算总额", "差额（分项之和−总额）"),
    "D1": ("表内计算", "文字所述", "差额（表内−文字）"),
    "D2": ("年初预算批复数", "表头所述总额", "差额（表内−文字）"),
    "D3": ("填报数", "文字所述数", "差额（填报−文字）"),
    "D7": ("表内预算数", "文字所述数", "差额（表内−文字）"),
    "B14": ("指标值", "实际完成值", "差距（实际−指标）"),
}
SHORTFALL = frozenset({"B14"})
KIND_ORDER = ("数据不一致", "其他问题", "评分差异")
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass
class Fact:
    title: str
    kind: str
    findings: list[dict] = field(default_factory=list)  # machine records of AuditResult.issues, best first

    @property
    def checks(self) -> list[str]:
        return list(dict.fromkeys(f["check_id"] for f in self.findings))

    @property
    def severity(self) -> str:
        return min((f["severity"] for f in self.findings), key=lambda s: SEVERITY_ORDER.get(s, 9))

    @property
    def amount(self) -> Decimal:
        return max((f["amount"] for f in self.findings), default=Decimal(0))

    @property
    def score_effect(self) -> Decimal:
        return sum((f["score_effect"] for f in self.findings), Decimal(0))

    @property
    def proxy(self) -> bool:
        """Every score change of this fact rests on a proxy input."""
        scored = [f for f in self.findings if f["score_effect"]]
        return bool(scored) and all(f.get("proxy") for f in scored)

    def sort_key(self) -> tuple:
        return (KIND_ORDER.index(self.kind), SEVERITY_ORDER.get(self.severity, 9), -self.amount, -self.score_effect)


def _finding_order(f: dict) -> tuple:
    return (SEVERITY_ORDER.get(f["severity"], 9), -f["amount"], -f["score_effect"])


def facts(audit, rows=None) -> list[Fact]:
    """The problems (not adopted ones left out) grouped by fact, most important first."""
    if rows is None:
        issues = audit.issues("problem", labels="machine")
        rows = issues[issues["decision"] != "rejected"].to_dict("records")
    indicators = set(audit.scores["indicator"])
    groups: dict[str, Fact] = {}
    for f in rows:
        title = TOPICS.get(f["check_id"]) or str(f["subject"])
        g = groups.get(title)
        if g is None:
            g = groups[title] = Fact(title, "")
        g.findings.append(f)
    for g in groups.values():
        g.findings.sort(key=_finding_order)
        if any(f["check_id"] in CONSISTENCY for f in g.findings):
            g.kind = "数据不一致"
        elif g.title in indicators and g.title not in TOPICS.values():
            g.kind = "评分差异"
        else:
            g.kind = "其他问题"
    return sorted(groups.values(), key=Fact.sort_key)


def shown_difference(check_id: str, difference):
    """The difference as the report shows it: a shortfall (actual below target) is negative."""
    if check_id in SHORTFALL and isinstance(difference, Decimal):
        return -difference
    return difference

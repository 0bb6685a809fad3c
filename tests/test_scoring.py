"""Scores, totals and grade: arithmetic invariants (hypothesis) and the effect of every rule option."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_variants import audit, rows, sample_doc, score, section, statuses, task

from kit.engine.rules import load_rules
from kit.engine.scoring import grade

D = Decimal
RULES = load_rules()
BANDS = RULES.defaults()["grade_bands"]
cents = st.integers(min_value=0, max_value=10_000).map(lambda c: D(c) / 100)


# --- Grade bands: half-open at 90, 80 and 60 exactly ------------------------------------------
@pytest.mark.parametrize("total,expected", [
    ("100", "优"), ("90", "优"), ("89.99", "良"), ("80", "良"), ("79.99", "中"), ("60", "中"), ("59.99", "差"), ("0", "差"),
])
def test_grade_boundaries(total, expected):
    assert grade(D(total), BANDS) == expected


@given(cents)
def test_grade_is_the_half_open_band(x):
    g = grade(x, BANDS)
    assert g == ("优" if x >= 90 else "良" if x >= 80 else "中" if x >= 60 else "差")


# --- Totals and recomputed scores ------------------------------------------------------------
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_totals_are_the_sum_of_rows_and_scores_stay_within_weights(data):
    doc = sample_doc()
    for s in doc["scores"]:
        w = D(s["weight"]) if s["weight"] != "#####" else D(25)
        # Self scores anywhere from 0 to a little above the weight (C1 catches those).
        s["self_score"] = str(data.draw(st.integers(0, int(w * 100) + 100)) / D(100))
    r = audit(doc)
    sc = r.scores
    assert r.totals["self"] == sum(sc["self_score"], D(0))
    assert r.totals["recomputed"] == sum(sc["recomputed_score"], D(0))
    for l1, v in r.totals["by_level1"].items():
        part = sc[sc["level1"] == l1]
        assert v["self"] == sum(part["self_score"], D(0))
        assert v["recomputed"] == sum(part["recomputed_score"], D(0))
        assert v["weight"] == RULES.level1_weights[l1]
    for rec in sc.to_dict("records"):
        assert D(0) <= rec["recomputed_score"] <= rec["weight"]  # a self score above the weight is capped
    assert r.grade["recomputed"] == grade(r.totals["recomputed"], BANDS)


amounts = st.integers(min_value=0, max_value=10**13).map(lambda c: D(c) / 100)


@SETTINGS
@given(amounts, amounts, st.integers(-300, 300))
def test_a1_passes_iff_total_is_basic_plus_project(basic, project, delta_cents):
    doc = sample_doc()
    total = basic + project + D(delta_cents) / 100
    doc["budget"]["initial"] = {"total": f"{total:.2f}", "basic": f"{basic:.2f}", "project": f"{project:.2f}"}
    (row,) = rows(audit(doc), "A1", "年初预算批复·部门支出总金额")
    assert (row["status"] == "pass") == (abs(delta_cents) <= 1)


@SETTINGS
@given(st.lists(st.integers(0, 100_000), min_size=4, max_size=4))
def test_quarterly_score_never_exceeds_weight(q):
    doc = sample_doc()
    doc["supplementary"].update({f"q{i}_progress": str(D(v) / 1000) for i, v in enumerate(q, start=1)})
    for cap in (True, False):
        for mode in ("ratio", "raw"):
            s = score(audit(doc, cap_quarterly_ratio=cap, quarterly_rate_mode=mode), "预算执行率")
            assert D(0) <= s["recomputed_score"] <= D(6)


# --- One test per rule option ----------------------------------------------------------------
def test_option_grade_bands():
    assert audit().grade["self"] == "优"
    assert audit(grade_bands={"优": "97.5", "良": "80", "中": "60"}).grade["self"] == "良"


def test_option_adjustment_measure():
    assert score(audit(), "财务合规性")["recomputed_score"] == D("2.82")  # net: 11.77%
    assert score(audit(adjustment_measure="gross_lines"), "财务合规性")["recomputed_score"] == D("2.16")  # 18.39%
    s = score(audit(adjustment_measure="supplied"), "财务合规性")
    assert s["basis"] == "unverifiable" and s["recomputed_score"] == D("3.00")


def test_option_adjustment_threshold_pct():
    assert statuses(audit(adjustment_threshold_pct="12"), "B3") == {"pass"}


def test_option_deduction_per_point():
    assert score(audit(deduction_per_point="0.5"), "财务合规性")["recomputed_score"] == D("2.11")


def test_option_over_10pct_deduction():
    assert score(audit(over_10pct_deduction="per_full_point"), "财务合规性")["recomputed_score"] == D("2.90")
    assert score(audit(over_10pct_deduction="per_started_point"), "财务合规性")["recomputed_score"] == D("2.80")


def test_option_quarterly_rate_mode():
    doc = sample_doc()
    doc["supplementary"].update(q1_progress="25", q2_progress="50", q3_progress="75", q4_progress="100")
    assert score(audit(doc), "预算执行率")["recomputed_score"] == D("6")
    assert score(audit(doc, quarterly_rate_mode="raw"), "预算执行率")["recomputed_score"] == D("5.25")


def test_option_cap_quarterly_ratio():
    doc = sample_doc()
    doc["supplementary"].update(q1_progress="30", q2_progress="60", q3_progress="90", q4_progress="80")
    assert score(audit(doc), "预算执行率")["recomputed_score"] == D("5.70")
    assert score(audit(doc, cap_quarterly_ratio=False), "预算执行率")["recomputed_score"] == D("6")


def test_option_satisfaction_aggregate():
    doc = sample_doc()
    doc["indicators"][8]["actual"] = "门诊满意度94%、住院满意度98%"
    assert score(audit(doc), "公众或服务对象满意度")["recomputed_score"] == D("4")
    assert score(audit(doc, satisfaction_aggregate="mean"), "公众或服务对象满意度")["recomputed_score"] == D("6")


def test_option_daily_public_proxy():
    assert score(audit(), "公用经费控制率")["basis"] == "proxy"
    s = score(audit(daily_public_proxy="supplied"), "公用经费控制率")
    assert s["basis"] == "unverifiable" and s["recomputed_score"] == D("6.00")


def test_option_contract_staff_source():
    assert score(audit(), "编外人员控制率")["basis"] == "exact"
    assert statuses(audit(contract_staff_source="supplied"), "B4") == {"unverifiable"}


def test_option_tolerance_amount():
    doc = sample_doc()
    doc["budget"]["actual"]["total"] = "2211773763.25"  # +0.50
    assert statuses(audit(doc), "A1", "年末执行数·部门支出总金额") == {"fail"}
    assert statuses(audit(doc, tolerance_amount="1"), "A1", "年末执行数·部门支出总金额") == {"pass"}


def test_option_tolerance_rate():
    doc = sample_doc()
    s = section(doc, "budget_execution")
    s["text"] = s["text"].replace("预算支出执行率96.38%", "预算支出执行率99.95%")
    assert statuses(audit(doc), "D1", "预算支出执行率") == {"fail"}
    assert statuses(audit(doc, tolerance_rate="0.1"), "D1", "预算支出执行率") == {"pass"}


def test_option_tolerance_score():
    assert statuses(audit(tolerance_score="0.5"), "B10") == {"pass"}


def test_option_prose_rounding():
    doc = sample_doc()
    t = task(doc, "租赁费")
    t["budget"] = {"total": "6218000.00", "fiscal": "6218000.00", "other": "0.00"}  # 200 元 off 621.78万元
    assert rows(audit(doc), "A8", "租赁费")[0]["status"] == "pass"  # 14 figures × ±50 元 of printing
    assert rows(audit(doc, prose_rounding=False), "A8", "租赁费")[0]["status"] == "fail"


def test_every_option_has_a_test_here():
    import inspect
    import sys

    src = inspect.getsource(sys.modules[__name__])
    for name in RULES.options:
        assert f"def test_option_{name}" in src, name


# --- Overrides ---------------------------------------------------------------------------------
def test_override_replaces_recomputed_score_and_says_why(sample_copy):
    from kit.engine.audit import audit_path

    p, _ = sample_copy(params={"data:": "overrides:\n  - {indicator: 项目完成及时性, score: 5.5, reason: 一项任务延期至次年一月验收}\ndata:"})
    r = audit_path(p)
    s = score(r, "项目完成及时性")
    assert s["basis"] == "override" and s["recomputed_score"] == D("5.50")
    assert "一项任务延期至次年一月验收" in s["note"] and s["engine_score"] == D("6.00")
    assert r.totals["recomputed"] == D("95.82")

"""Category B checks (ratios and re-scoring): a passing and a failing case each."""
from __future__ import annotations

from decimal import Decimal

from audit_variants import audit, rows, sample_doc, score, score_row, section, statuses, task

D = Decimal


def test_b1_execution_rate():
    r = audit()
    assert statuses(r, "B1") == {"pass"}
    doc = sample_doc()
    doc["basic_lines"][0]["actual"] = "600000000.00"
    assert statuses(audit(doc), "B1", "人员经费") == {"fail"}


def test_b2_adjustment_ratio():
    r = audit()
    assert statuses(r, "B2", "部门支出总金额") == {"fail"}  # +11.77%
    assert statuses(r, "B2", "部门基本支出总金额") == {"pass"}  # +9.58%


def test_b3_adjustment_rule_proxy_and_supplied():
    (row,) = rows(audit(), "B3")
    assert row["status"] == "fail" and row["severity"] == "warning" and row["proxy"]
    assert row["expected"] == D("2.82")
    doc = sample_doc()
    doc["supplementary"]["cumulative_adjustment"] = "100000000.00"  # 5.05%
    (row,) = rows(audit(doc), "B3")
    assert row["status"] == "pass" and not row["proxy"]


def test_b4_contract_staff():
    r = audit()
    assert statuses(r, "B4") == {"pass"}  # 1634 / 2523 = 64.8% → 0, self 0
    doc = sample_doc()
    score_row(doc, "编外人员控制率")["self_score"] = "1.00"
    (row,) = rows(audit(doc), "B4")
    assert row["status"] == "fail" and row["severity"] == "error" and row["expected"] == D("0")


def test_b5_funded_staff():
    (row,) = rows(audit(), "B5")
    assert row["status"] == "unverifiable" and "authorized_posts" in row["missing"]
    doc = sample_doc()
    doc["supplementary"]["authorized_posts"] = "1000"
    assert statuses(audit(doc), "B5") == {"pass"}
    doc["supplementary"]["authorized_posts"] = "800"
    assert statuses(audit(doc), "B5") == {"fail"}


def test_b6_fixed_assets():
    assert statuses(audit(), "B6") == {"unverifiable"}
    doc = sample_doc()
    doc["supplementary"].update(fixed_assets_in_use="95.00", fixed_assets_total="100.00")
    assert statuses(audit(doc), "B6") == {"pass"}
    doc["supplementary"].update(fixed_assets_in_use="70.00")
    (row,) = rows(audit(doc), "B6")
    assert row["status"] == "fail" and row["expected"] == D("0.4")


def test_b7_procurement():
    assert statuses(audit(), "B7") == {"unverifiable"}
    doc = sample_doc()
    doc["supplementary"].update(procurement_plan="100.00", procurement_actual="100.00")
    assert statuses(audit(doc), "B7") == {"pass"}
    doc["supplementary"].update(procurement_actual="120.00")  # over plan → sub-item 1 scores 0
    (row,) = rows(audit(doc), "B7")
    assert row["status"] == "fail" and row["expected"] == D("1")


def test_b8_public_funds():
    (row,) = rows(audit(), "B8")
    assert row["status"] == "fail" and row["proxy"] and row["expected"] == D("5")
    assert "three_public_budget" in row["missing"]
    doc = sample_doc()
    doc["supplementary"].update(three_public_budget="100.00", three_public_actual="80.00",
                                daily_public_budget="100.00", daily_public_actual="85.00")
    (row,) = rows(audit(doc), "B8")
    assert row["status"] == "pass" and not row["proxy"]


def _quarters(doc, q):
    doc["supplementary"].update({f"q{i}_progress": v for i, v in enumerate(q, start=1)})


def test_b9_quarterly():
    assert statuses(audit(), "B9") == {"unverifiable"}
    doc = sample_doc()
    _quarters(doc, ("25", "50", "75", "100"))
    (row,) = rows(audit(doc), "B9")
    assert row["status"] == "fail" and row["expected"] == D("6")  # self 5.50
    score_row(doc, "预算执行率")["self_score"] = "6.00"
    assert statuses(audit(doc), "B9") == {"pass"}


def test_b10_timeliness():
    (row,) = rows(audit(), "B10")
    assert row["status"] == "fail" and row["expected"] == D("6") and row["actual"] == D("5.50")
    doc = sample_doc()
    score_row(doc, "项目完成及时性")["self_score"] = "6.00"
    assert statuses(audit(doc), "B10") == {"pass"}


def test_b11_key_work():
    assert statuses(audit(), "B11") == {"pass"}
    doc = sample_doc()
    score_row(doc, "重点工作完成情况")["self_score"] = "4.00"
    assert statuses(audit(doc), "B11") == {"fail"}
    doc = sample_doc()
    doc["supplementary"]["key_tasks_incomplete"] = "1"
    (row,) = rows(audit(doc), "B11")
    assert row["status"] == "fail" and row["expected"] == D("4")


def test_b12_satisfaction():
    assert statuses(audit(), "B12") == {"pass"}
    doc = sample_doc()
    doc["indicators"][8]["actual"] = "门诊满意度92%、住院满意度98%"
    (row,) = rows(audit(doc), "B12")
    assert row["status"] == "fail" and row["expected"] == D("4")


def test_b13_petitions():
    assert statuses(audit(), "B13") == {"pass"}
    doc = sample_doc()
    s = section(doc, "performance_analysis")
    assert "信访意见回复率100%" in s["text"]
    s["text"] = s["text"].replace("信访意见回复率100%", "信访意见回复率95%")
    (row,) = rows(audit(doc), "B13")
    assert row["status"] == "fail" and row["expected"] == D("2")


def test_b14_indicator_targets():
    r = audit()
    f = r.findings[r.findings["check_id"] == "B14"]
    missed = f[f["status"] == "fail"]
    assert list(missed["subject"]) == ["数量：医疗服务收入（不含药品、耗材、检查、化验收入）占公立医疗医疗收入的比例"]
    assert "pass" in set(f["status"])  # 满意度 ≥90%: 98.78% and 98.82%
    assert statuses(r, "B14", "质量：公立医院平均住院日") == {"unverifiable"}


def test_b15_task_execution():
    assert statuses(audit(), "B15") == {"pass"}
    doc = sample_doc()
    task(doc, "科技发展")["actual"] = {"total": "1200000.00", "fiscal": "1200000.00", "other": "0.00"}
    assert statuses(audit(doc), "B15", "科技发展") == {"fail"}


def test_rescore_values_on_sample():
    r = audit()
    assert score(r, "项目完成及时性")["recomputed_score"] == D("6")
    assert score(r, "公众或服务对象满意度")["recomputed_score"] == D("6")
    assert score(r, "群众信访办理情况")["recomputed_score"] == D("3")
    assert score(r, "编外人员控制率")["recomputed_score"] == D("0")


def test_b8_negative_public_funds_never_score_full_marks():
    """A negative 公用经费 actual gives no control rate: the 日常公用 part is not awarded."""
    doc = sample_doc()
    doc["supplementary"].update(three_public_budget="100.00", three_public_actual="80.00")  # 三公 80% → 3
    score_row(doc, "公用经费控制率")["self_score"] = "5.00"
    ok = audit(doc)
    assert score(ok, "公用经费控制率")["recomputed_score"] == D("5")  # 3 + 2 (公用经费 line at 100%)
    doc["basic_lines"][1]["actual"] = "-996736228.72"
    r = audit(doc)
    s = score(r, "公用经费控制率")
    assert s["recomputed_score"] <= D("5") and s["recomputed_score"] != s["weight"]
    assert "为负" in s["note"]
    assert s["recomputed_score"] <= s["self_score"]  # never lifted above the self score


def test_b16_execution_equal_to_adjusted_budget_everywhere():
    (row,) = rows(audit(), "B16")
    assert row["status"] == "fail" and row["severity"] == "warning" and "以支定调" in row["message"]
    doc = sample_doc()
    doc["basic_lines"][1]["actual"] = "996736000.00"  # one line spent a little less than its budget
    assert statuses(audit(doc), "B16") == {"pass"}


def test_b17_catch_all_task_carries_most_spending():
    (row,) = rows(audit(), "B17", "其他")
    assert row["status"] == "fail" and row["actual"] == "77.05%"
    doc = sample_doc()
    task(doc, "其他")["name"] = "医疗业务支出"
    assert statuses(audit(doc), "B17") == {"pass"}

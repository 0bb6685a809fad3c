"""Category C checks (scoring-table integrity)."""
from __future__ import annotations

from decimal import Decimal

from audit_variants import audit, rows, sample_doc, score_row, statuses

D = Decimal


def test_c1_score_within_weight():
    assert statuses(audit(), "C1") == {"pass"}
    doc = sample_doc()
    score_row(doc, "预算编制合理性")["self_score"] = "6.00"
    (row,) = rows(audit(doc), "C1", "预算编制合理性")
    assert row["status"] == "fail" and row["difference"] == D("-1.00")  # 复核 − 自评


def test_c2_attainable_scores():
    r = audit()
    # 5.5 is not 6k/11 but is 6 × 11/12: a question about the task list (a warning), not an unattainable score.
    (row,) = rows(r, "C2", "项目完成及时性")
    assert row["status"] == "fail" and row["severity"] == "warning"
    assert "6 × 11/12" in row["message"] and "列 11 项" in row["message"]
    assert statuses(r, "C2", "编外人员控制率") == {"pass"}
    doc = sample_doc()
    score_row(doc, "编外人员控制率")["self_score"] = "0.30"
    score_row(doc, "项目完成及时性")["self_score"] = "5.45"  # 6 × 10/11 = 5.4545…
    r = audit(doc)
    assert statuses(r, "C2", "编外人员控制率") == {"fail"}
    assert statuses(r, "C2", "项目完成及时性") == {"pass"}


def test_c2_timeliness_unattainable_for_any_project_count():
    doc = sample_doc()
    score_row(doc, "项目完成及时性")["self_score"] = "5.30"  # 6k/n = 5.30 needs n = 60, far from the 11 listed
    (row,) = rows(audit(doc), "C2", "项目完成及时性")
    assert row["status"] == "fail" and row["severity"] == "error" and "不是按评分标准可得的分值" in row["message"]


def test_c3_disclosure():
    assert statuses(audit(), "C3") == {"unverifiable"}
    doc = sample_doc()
    doc["supplementary"].update(budget_disclosure="合规", final_disclosure="合规")
    assert statuses(audit(doc), "C3") == {"pass"}
    doc["supplementary"].update(final_disclosure="有缺陷")
    (row,) = rows(audit(doc), "C3")
    assert row["status"] == "fail" and row["expected"] == D("2.5")


def test_c4_weights():
    r = audit()
    (row,) = rows(r, "C4", "社会效益、经济效益、生态效益及可持续影响等")
    assert row["status"] == "fail" and row["severity"] == "warning" and "25" in row["message"]
    assert statuses(r, "C4", "预算编制合理性") == {"pass"}
    doc = sample_doc()
    score_row(doc, "预算编制合理性")["weight"] = "4.00"
    (row,) = rows(audit(doc), "C4", "预算编制合理性")
    assert row["status"] == "fail" and row["severity"] == "error"


def test_c5_grade_change():
    (row,) = rows(audit(), "C5")
    assert row["status"] == "pass"
    doc = sample_doc()
    score_row(doc, "社会效益、经济效益、生态效益及可持续影响等")["self_score"] = "18.50"  # self 90.50
    r = audit(doc)
    assert r.grade == {"self": "优", "recomputed": "良"}
    assert statuses(r, "C5") == {"fail"}

"""Category D checks (text vs table)."""
from __future__ import annotations

from audit_variants import audit, rows, sample_doc, score_row, section, statuses


def test_d1_execution_rate_in_narrative():
    r = audit()
    (row,) = rows(r, "D1", "预算支出执行率")
    assert row["status"] == "fail" and "111.77%" in row["message"]  # 96.38% vs 100% (and vs 年初)
    assert statuses(r, "D1", "预算收入执行率") == {"unverifiable"}
    doc = sample_doc()
    s = section(doc, "budget_execution")
    s["text"] = s["text"].replace("预算支出执行率96.38%", "预算支出执行率100.00%")
    assert statuses(audit(doc), "D1", "预算支出执行率") == {"pass"}


def test_d2_header_budget_total():
    assert statuses(audit(), "D2") == {"pass"}
    doc = sample_doc()
    doc["narrative"]["budget_total"] = "2211773762.75"
    assert statuses(audit(doc), "D2") == {"fail"}


def test_d3_repeated_counts():
    assert statuses(audit(), "D3") == {"pass"}
    doc = sample_doc()
    doc["profile"]["staffing"] = doc["profile"]["staffing"].replace("设76个科室", "设75个科室")
    assert statuses(audit(doc), "D3", "科室数") == {"fail"}


def test_d4_claims_vs_scores():
    r = audit()
    assert statuses(r, "D4", "项目完成及时性") == {"fail"}  # "均按计划执行" but 5.5 < 6
    assert statuses(r, "D4", "社会效益、经济效益、生态效益及可持续影响等") == {"fail"}  # 26.54% < 28%, full 25
    assert statuses(r, "D4", "重点工作完成情况") == {"pass"}
    assert statuses(r, "D4", "“三公”经费") == {"unverifiable"}
    doc = sample_doc()
    score_row(doc, "项目完成及时性")["self_score"] = "6.00"
    doc["indicators"][0]["actual"] = "28.10%"
    doc["supplementary"].update(three_public_budget="100.00", three_public_actual="120.00")
    r = audit(doc)
    assert statuses(r, "D4", "项目完成及时性") == {"pass"}
    assert statuses(r, "D4", "社会效益、经济效益、生态效益及可持续影响等") == {"pass"}
    assert statuses(r, "D4", "“三公”经费") == {"fail"}


def test_d5_adjustment_reason():
    assert statuses(audit(), "D5") == {"fail"}
    doc = sample_doc()
    doc["budget"]["adjustment_reason"] = "年中追加疫情防控经费。"
    assert statuses(audit(doc), "D5") == {"pass"}


def test_d6_indicator_direction():
    r = audit()
    assert statuses(r, "D6", "质量：公立医院平均住院日") == {"fail"}
    doc = sample_doc()
    doc["indicators"][1]["target"] = "较上年降低"
    assert statuses(audit(doc), "D6", "质量：公立医院平均住院日") == {"pass"}

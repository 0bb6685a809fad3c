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


def test_d7_budget_stated_in_task_text():
    """离退休经费: 1427.44万 = 1679.34万 × 85% (the amount applied for) against 13,197,830 in the table."""
    (row,) = rows(audit(), "D7", "离退休经费")
    assert row["status"] == "fail" and row["severity"] == "warning"
    assert "1679.34 万元 × 85%" in row["message"] and "多 1,076,570.00 元" in row["message"]
    assert str(row["difference"]) == "-1076570.00"
    doc = sample_doc()
    t = next(x for x in doc["tasks"] if x["name"] == "离退休经费")
    t["content"] = t["content"].replace("1427.44万元", "1319.783万元")
    assert statuses(audit(doc), "D7", "离退休经费") == {"pass"}
    t["content"] = "2022年预算数为1500万元。"  # a plain difference, no derivation in the text
    (row,) = rows(audit(doc), "D7", "离退休经费")
    assert row["status"] == "fail" and "申报" not in row["message"]


def test_d8_overall_goal_actual_copied_from_expected():
    (row,) = rows(audit(), "D8")
    assert row["status"] == "fail" and "逐字相同" in row["message"]
    doc = sample_doc()
    doc["goals"]["actual"] = "全年诊疗 312 万人次，基本医疗服务覆盖全区。"
    assert statuses(audit(doc), "D8") == {"pass"}
    doc["goals"]["actual"] = ""
    assert statuses(audit(doc), "D8") == {"fail"}


def test_d9_indicator_actual_copied_from_target():
    r = audit()
    copied = {x["subject"] for x in rows(r, "D9") if x["status"] == "fail"}
    assert copied == {"成本：节约成本", "社会效益：基层医疗卫生机构诊疗人次数占医疗卫生机构诊疗总人次数的比例",
                      "可持续影响：保障医疗卫生事业的健康发展", "生态效益：对周边生态环境不造成影响"}
    doc = sample_doc()
    for ind in doc["indicators"]:
        if ind["actual"] == ind["target"]:
            ind["actual"] = "已实现，见附件"
    assert statuses(audit(doc), "D9") == {"pass"}

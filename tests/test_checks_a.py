"""Category A checks (arithmetic identities): each passes on a consistent form and fails when broken.

``difference`` is expected − actual everywhere (复核 − 填报, like 复核 − 自评 in the score table).
"""
from __future__ import annotations

from audit_variants import audit, rows, sample_doc, section, statuses, task


def test_sample_identities_hold():
    r = audit()
    for cid in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A10"):
        assert statuses(r, cid) == {"pass"}, cid


def test_a1_total_not_basic_plus_project():
    doc = sample_doc()
    doc["budget"]["actual"]["total"] = "2211773862.75"  # +100
    r = rows(audit(doc), "A1", "年末执行数·部门支出总金额")[0]
    assert r["status"] == "fail" and r["severity"] == "error"
    assert str(r["difference"]) == "-100.00"  # the form shows 100 more than basic + project
    assert "多 100.00 元" in r["message"]


def test_a2_basic_lines_do_not_add_up():
    doc = sample_doc()
    doc["basic_lines"][0]["actual"] = "586219700.00"
    assert statuses(audit(doc), "A2", "年末执行数·部门基本支出总金额") == {"fail"}


def test_a3_project_lines_do_not_add_up():
    doc = sample_doc()
    doc["project_lines"][0]["adjusted"] = "628817800.00"
    assert statuses(audit(doc), "A3", "全年调整后预算数·部门项目支出总金额") == {"fail"}


def test_a4_a5_task_split():
    doc = sample_doc()
    task(doc, "科技发展")["budget"]["other"] = "5.00"
    task(doc, "租赁费")["actual"]["other"] = "5.00"
    r = audit(doc)
    assert statuses(r, "A4", "科技发展") == {"fail"}
    assert statuses(r, "A5", "租赁费") == {"fail"}
    assert statuses(r, "A4", "租赁费") == {"pass"}


def test_a6_a7_tasks_vs_department():
    doc = sample_doc()
    t = task(doc, "科技发展")
    t["actual"] = {"total": "1166632.20", "fiscal": "1166632.20", "other": "0.00"}
    t["budget"] = {"total": "1166632.20", "fiscal": "1166632.20", "other": "0.00"}
    r = audit(doc)
    assert statuses(r, "A5", "科技发展") == {"pass"}
    a6, a7 = rows(r, "A6")[0], rows(r, "A7")[0]
    assert a6["status"] == a7["status"] == "fail"
    assert str(a6["difference"]) == "-100.00"


def test_a8_itemised_lists():
    r = audit()
    (fuyou,) = rows(r, "A8", "妇幼健康服务")
    assert fuyou["status"] == "fail" and str(fuyou["actual"]) == "1914700.00"
    assert str(fuyou["difference"]) == "38310.00" and "少 38,310.00 元" in fuyou["message"]
    assert statuses(r, "A8", "租赁费") == {"pass"}  # 13 items = 合计 621.78万元 = 6,217,800
    # 离退休经费's single stated figure (1427.44万元) is a text-vs-table difference: D7, not A8.
    assert not [x for x in r.findings.to_dict("records") if x["check_id"] == "A8" and x["subject"] == "离退休经费"]
    doc = sample_doc()
    t = task(doc, "妇幼健康服务")
    t["budget"] = {"total": "1914700.00", "fiscal": "1914700.00", "other": "0.00"}
    assert statuses(audit(doc), "A8", "妇幼健康服务") == {"pass"}


def test_a9_next_year_split():
    (row,) = rows(audit(), "A9")
    assert row["status"] == "fail" and str(row["difference"]) == "-20000000"
    doc = sample_doc()
    s = section(doc, "budget_preparation")
    s["text"] = s["text"].replace("195,004万元", "193,004万元")
    assert statuses(audit(doc), "A9") == {"pass"}


def test_a10_weights():
    doc = sample_doc()
    doc["scores"][0]["weight"] = "6.00"
    r = audit(doc)
    assert statuses(r, "A10", "权重合计") == {"fail"}
    assert statuses(r, "A10", "部门决策权重合计") == {"fail"}
    assert statuses(r, "A10", "部门管理权重合计") == {"pass"}


def test_a11_staff_total():
    assert statuses(audit(), "A11") == {"unverifiable"}
    doc = sample_doc()
    doc["profile"]["staffing"] += "在职人员总数2523人。"
    assert statuses(audit(doc), "A11") == {"pass"}
    doc["profile"]["staffing"] = doc["profile"]["staffing"].replace("2523人", "2500人")
    assert statuses(audit(doc), "A11") == {"fail"}

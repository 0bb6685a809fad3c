"""Category E checks (malformed values) and the crash rule of the check base."""
from __future__ import annotations

from audit_variants import audit, rows, sample_doc, score_row, section, statuses, task

from kit.engine import rules
from kit.engine.checks import Check, Result


def test_e1_overflow():
    (row,) = rows(audit(), "E1")
    assert row["status"] == "fail" and row["actual"] == "#####"
    doc = sample_doc()
    score_row(doc, "社会效益、经济效益、生态效益及可持续影响等")["weight"] = "25.00"
    assert statuses(audit(doc), "E1") == {"pass"}


def test_e2_trailing_junk():
    (row,) = rows(audit(), "E2")
    assert row["status"] == "fail" and row["actual"] == "98.82&"
    doc = sample_doc()
    doc["indicators"][8]["actual"] = "门诊满意度98.78%、住院满意度98.82%"
    assert statuses(audit(doc), "E2") == {"pass"}


def test_e2_names_a_text_too_long_to_scan_in_full():
    from kit.engine.prose import MAX_SCAN

    doc = sample_doc()
    task(doc, "租赁费")["content"] = "说明" * MAX_SCAN
    long_rows = [r for r in rows(audit(doc), "E2") if r["status"] == "unverifiable"]
    assert [r["location"] for r in long_rows] == ["年度主要任务·租赁费"]
    assert str(MAX_SCAN) in long_rows[0]["message"]
    assert not [r for r in rows(audit(), "E2") if r["status"] == "unverifiable"]


def test_e7_negative_and_huge_amounts():
    assert statuses(audit(), "E7") == {"pass"}
    doc = sample_doc()
    doc["basic_lines"][0]["actual"] = "-586219716.12"
    doc["project_lines"][0]["budget"] = "5342515552700000.00"
    found = rows(audit(doc), "E7")
    assert {r["actual"] for r in found} == {"-586219716.12", "5342515552700000.00"}
    assert {r["status"] for r in found} == {"fail"}
    assert not [r for r in rows(audit(doc), "E2") if r["status"] == "fail" and r["actual"] != "98.82&"]


def test_e8_identical_rows():
    assert statuses(audit(), "E8") == {"pass"}
    doc = sample_doc()
    doc["tasks"].append(dict(doc["tasks"][2]))
    (row,) = rows(audit(doc), "E8")
    assert row["status"] == "fail" and "第3行" in row["message"]


def test_e3_e4_normalised_numbers_and_units():
    r = audit()
    assert statuses(r, "E3") == {"fail"}  # 195,004万元
    assert statuses(r, "E4") == {"fail"}  # 万元 in prose, 元 in tables
    doc = sample_doc()
    section(doc, "budget_preparation")["text"] = "下年预算待批复。"
    for name in ("妇幼健康服务", "租赁费", "离退休经费", "其他"):
        task(doc, name)["content"] = "按年度计划执行。"
    r = audit(doc)
    assert statuses(r, "E3") == {"pass"}
    assert statuses(r, "E4") == {"pass"}


def test_e5_stray_tokens_and_missing_comparator():
    found = rows(audit(), "E5")
    assert {r["actual"] for r in found} == {"Zero", "医院公章"}
    assert {r["severity"] for r in found} == {"info"}  # seal and page text: noted, not a discrepancy
    doc = sample_doc()
    doc["stray"] = []
    assert statuses(audit(doc), "E5") == {"pass"}
    doc["indicators"][0]["target"] = "28%"
    (row,) = rows(audit(doc), "E5")
    assert row["status"] == "fail" and row["severity"] == "warning"  # a lost ≥ changes a comparison


def test_e6_incomplete_score_table():
    assert statuses(audit(), "E6") == {"pass"}
    doc = sample_doc()
    del doc["scores"][3]
    doc["scores"].append({**doc["scores"][0], "level3": "自创指标", "weight": "0.00", "self_score": "0.00"})
    r = audit(doc)
    assert statuses(r, "E6", "绩效指标明确性") == {"unverifiable"}
    assert statuses(r, "E6", "自创指标") == {"fail"}
    assert len(r.scores) == 21


def test_crashing_check_becomes_failed_row():
    def boom(ctx):
        raise ZeroDivisionError("division by zero")
        yield Result("pass", "", "")  # pragma: no cover

    c = Check("Z9", "测试", "A", "warning", boom)
    (row,) = c.run(ctx=None)
    assert row["status"] == "fail" and row["check_id"] == "Z9" and row["category"] == "A"
    assert "ZeroDivisionError" in row["message"]


def test_crashing_formula_keeps_the_run(monkeypatch):
    def boom(env, s):
        raise RuntimeError("formula broke")

    monkeypatch.setitem(rules.formulas(), "contract_staff", boom)
    r = audit()
    (row,) = rows(r, "B4")
    assert row["status"] == "fail" and "formula broke" in row["message"]
    assert len(r.scores) == 21 and statuses(r, "A1") == {"pass"}

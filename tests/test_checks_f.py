"""Category F checks on a small 财政部-style form: a passing and a failing case each."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kit.engine.formulas import agrees, read_actual, read_target
from kit.core.values import parse_num
from mof_variants import audit, mof_doc, rows, score, statuses

D = Decimal


def test_consistent_form_passes_every_structure_check():
    r = audit(mof_doc())
    f = r.findings
    fails = f[(f["status"] == "fail") & f["check_id"].str.startswith("F")]
    assert fails.empty, fails[["check_id", "subject", "message"]].to_string()
    assert r.totals["self"] == D("99") and r.totals["recomputed"] == D("99.00")
    assert r.grade == {"self": "优", "recomputed": "优"}
    assert r.family.id == "mof_selfeval" and not r.misfit


def test_f2_printed_rate_vs_recomputed():
    assert statuses(audit(mof_doc()), "F2") == {"pass"}
    doc = mof_doc()
    doc["funds"]["rate"] = "95.00%"  # 90 / 100 = 90.00%
    (row,) = rows(audit(doc), "F2", "年度资金总额")
    assert row["status"] == "fail" and row["expected"] == D("90.00") and row["actual"] == D("95.00")


def test_f2_rate_printed_to_whole_percent_is_compared_at_that_precision():
    doc = mof_doc()
    doc["funds"]["rows"][0]["actual"] = "89.58"
    doc["funds"]["rows"][1]["actual"] = "71.58"
    doc["funds"]["rate"] = "90%"  # 89.58% at the printed precision (no decimals) is 90%
    doc["funds"]["score"] = "9"
    (row,) = rows(audit(doc), "F2", "年度资金总额")
    assert row["status"] == "pass" and "0 位小数" in row["message"]


def test_f3_execution_score():
    (row,) = rows(audit(mof_doc()), "F3", "预算执行率得分")
    assert row["status"] == "pass"
    doc = mof_doc()
    doc["funds"]["score"] = "10"  # 10 × 90% = 9
    (row,) = rows(audit(doc), "F3", "预算执行率得分")
    assert row["status"] == "fail" and row["severity"] == "error" and row["expected"] == D("9")


def test_f3_printed_weight_against_the_rule():
    doc = mof_doc()
    doc["funds"]["weight"] = "20"
    r = audit(doc)
    (row,) = rows(r, "F3", "预算执行率分值")  # the form is another variant's: said by F1, no verdict under these rules
    assert row["status"] == "unverifiable" and row["expected"] == D("10") and "不符" in row["message"]
    assert statuses(r, "F1") == {"fail"} and r.totals["recomputed"] is None and r.grade["recomputed"] == "不予评级"


def test_f3_execution_above_100_percent_is_capped():
    doc = mof_doc()
    doc["funds"]["rows"] = doc["funds"]["rows"][:1]
    doc["funds"]["rows"][0]["actual"] = "120.00"
    doc["funds"]["rate"] = "120.00%"
    doc["funds"]["score"] = "10"
    doc["self_eval"]["total"] = "100"
    r = audit(doc)
    (row,) = rows(r, "F3", "预算执行率得分")
    assert row["status"] == "pass" and "上限" in row["message"]
    assert score(r, "预算执行率")["recomputed_score"] == D("10.00")
    (over,) = rows(r, "F5", "年度资金总额")
    assert over["status"] == "fail" and over["difference"] == D("20.00")


@pytest.mark.parametrize("mode, printed, status", [
    ("half_up", "9.28", "fail"),     # 10 × 92.85% = 9.285 → 9.29 half-up
    ("truncate", "9.28", "pass"),    # one hundredth below the half-up value: not an error when truncating
    ("tolerance", "9.28", "pass"),   # within ±0.01
    ("truncate", "9.29", "fail"),
    ("half_up", "9.29", "pass"),
])
def test_f3_rounding_mode(mode, printed, status):
    doc = mof_doc()
    doc["funds"]["rows"] = doc["funds"]["rows"][:1]
    doc["funds"]["rows"][0]["actual"] = "92.85"
    doc["funds"]["rate"] = "92.85%"
    doc["funds"]["score"] = printed
    (row,) = rows(audit(doc, exec_score_rounding=mode), "F3", "预算执行率得分")
    assert row["status"] == status


def test_f3_score_left_blank_is_reported_with_the_due_score():
    doc = mof_doc()
    doc["funds"]["score"] = ""
    r = audit(doc)
    (row,) = rows(r, "F3", "预算执行率得分")
    assert row["status"] == "fail" and row["expected"] == D("9.00") and "未填写" in row["message"]
    assert r.grade["self"] == "无法评级"  # a total missing a score is not graded


def test_f4_sources_add_up_to_the_total():
    assert statuses(audit(mof_doc()), "F4") == {"pass"}
    doc = mof_doc()
    doc["funds"]["rows"][2]["actual"] = "17.00"  # 72 + 17 = 89 ≠ 90
    (row,) = rows(audit(doc), "F4", "全年执行数")
    assert row["status"] == "fail" and row["difference"] == D("-1.00")


def test_f4_not_applicable_cells_are_not_numbers():
    doc = mof_doc()
    doc["funds"]["rows"].append({"source": "上年结转资金", "initial": "-", "adjusted": "/", "actual": "-"})
    assert statuses(audit(doc), "F4") == {"pass"}


def test_f5_actual_within_budget():
    assert statuses(audit(mof_doc()), "F5") == {"pass"}
    doc = mof_doc()
    doc["funds"]["rows"][2]["actual"] = "21.00"
    (row,) = rows(audit(doc), "F5", "其他资金")
    assert row["status"] == "fail" and row["difference"] == D("1.00")


def test_f6_new_money_in_the_year():
    assert statuses(audit(mof_doc()), "F6") == {"pass"}
    doc = mof_doc()
    doc["funds"]["rows"][0]["initial"] = "0.00"
    doc["funds"]["rows"][1]["initial"] = "0.00"
    doc["funds"]["rows"][2]["initial"] = "0.00"
    found = rows(audit(doc), "F6")
    assert {r["status"] for r in found} == {"fail"} and {r["severity"] for r in found} == {"info"}
    assert found[0]["actual"] == D("100.00")


def test_f7_score_is_weight_times_printed_coefficient():
    r = audit(mof_doc())
    assert statuses(r, "F7") == {"pass"}
    doc = mof_doc()
    doc["indicators"][0].update(coefficient="80%", score="24")  # 30 × 80% = 24
    r = audit(doc)
    assert statuses(r, "F7", "培训人次") == {"pass"}
    assert score(r, "培训人次")["recomputed_score"] == D("24.00")
    doc["indicators"][0].update(score="27")
    (row,) = rows(audit(doc), "F7", "培训人次")
    assert row["status"] == "fail" and row["expected"] == D("24")


def test_f8_missed_target_with_full_score_is_an_error():
    doc = mof_doc()
    doc["indicators"][0]["actual"] = "80人次"  # target ≥100
    doc["self_eval"]["total"] = "99"
    r = audit(doc)
    (row,) = rows(r, "F8", "培训人次")
    assert row["status"] == "fail" and row["severity"] == "error" and "未完成指标值却得满分" in row["message"]
    assert score(r, "培训人次")["recomputed_score"] == D("24.00")  # 30 × 80/100
    assert r.totals["recomputed"] == D("93.00")


def test_f8_lower_is_better_uses_target_over_actual():
    doc = mof_doc()
    doc["indicators"][1].update(actual="8%", score="18.75")  # ≤5%: 30 × 5/8 = 18.75
    doc["self_eval"]["total"] = "87.75"
    r = audit(doc)
    assert statuses(r, "F8", "投诉率") == {"pass"}
    assert score(r, "投诉率")["recomputed_score"] == D("18.75")
    doc["indicators"][1]["score"] = "15"
    (row,) = rows(audit(doc), "F8", "投诉率")
    assert row["status"] == "fail" and row["expected"] == D("18.75")


def test_f8_lower_is_better_by_name_without_a_sign():
    doc = mof_doc()
    doc["indicators"][1].update(level3="单位成本", target="5万元", actual="4万元")
    assert statuses(audit(doc), "F8", "单位成本") == {"pass"}  # 成本: lower is better, 4 ≤ 5
    doc["indicators"][1].update(actual="6万元")
    assert statuses(audit(doc), "F8", "单位成本") == {"fail"}


def test_f8_missed_target_under_judgement_keeps_the_self_score():
    doc = mof_doc()
    doc["indicators"][0].update(actual="80人次", score="20")
    doc["self_eval"]["total"] = "89"
    r = audit(doc, missed_target_scoring="judgement")
    assert statuses(r, "F8", "培训人次") == {"pass"}
    assert score(r, "培训人次")["basis"] == "judgement" and score(r, "培训人次")["recomputed_score"] == D("20.00")


@pytest.mark.parametrize("actual, phrase", [
    ("9O人次", "实际完成值无法读出"),      # letter O for a digit
    ("120人次#", "实际完成值无法读出"),    # stray character where the unit belongs
    ("完成", "实际完成值未给出数值"),
    ("≥100人次", "是一个界限而不是实际数值"),
    ("", "实际完成值未填写"),
])
def test_f8_an_actual_that_cannot_be_read_is_unverifiable_not_qualitative(actual, phrase):
    doc = mof_doc()
    doc["indicators"][0]["actual"] = actual
    r = audit(doc)
    (row,) = rows(r, "F8", "培训人次")
    assert row["status"] == "unverifiable" and phrase in row["message"] and "定性" not in row["message"]
    assert row["severity"] == "warning"  # and it was given full marks
    assert score(r, "培训人次")["basis"] == "unverifiable"


def test_f8_qualitative_target_is_judgement():
    doc = mof_doc()
    doc["indicators"][1].update(target="有效改善", actual="有效改善")
    r = audit(doc)
    (row,) = rows(r, "F8", "投诉率")
    assert row["status"] == "unverifiable" and row["severity"] == "info" and "定性指标" in row["message"]
    assert "文字相同" in row["message"] and score(r, "投诉率")["basis"] == "judgement"


def test_f8_deadline_is_compared_as_a_date():
    doc = mof_doc()
    doc["indicators"][0].update(level3="完成时限", target="2023年", actual="2023年")
    assert statuses(audit(doc), "F8", "完成时限") == {"pass"}
    doc["indicators"][0].update(actual="2024年")
    (row,) = rows(audit(doc), "F8", "完成时限")
    assert row["status"] == "fail" and "未按时完成" in row["message"]


def test_f9_indicator_weights_add_up_to_90():
    assert statuses(audit(mof_doc()), "F9") == {"pass"}
    doc = mof_doc()
    doc["indicators"][0]["weight"] = "40"
    doc["indicators"][0]["score"] = "40"
    (row,) = rows(audit(doc), "F9", "分值之和")
    assert row["status"] == "fail" and row["actual"] == D("100") and row["expected"] == D("90")


def test_f9_without_a_weight_column_says_it_cannot_check():
    doc = mof_doc()
    for ind in doc["indicators"]:
        del ind["weight"]
    r = audit(doc)
    (row,) = rows(r, "F9", "分值之和")
    assert row["status"] == "unverifiable" and "没有分值" in row["message"]
    assert statuses(r, "C1", "培训人次") == {"unverifiable"}  # 得分 ≤ 分值 cannot be checked either
    assert not (r.findings["status"] == "fail").any()


def test_f9_truncated_table_is_unverifiable_not_an_error():
    doc = mof_doc()
    doc["indicators"] = doc["indicators"][:2]
    doc["incomplete"] = ["indicators", "self_eval"]
    r = audit(doc)
    (row,) = rows(r, "F9", "分值之和")
    assert row["status"] == "unverifiable" and "表格不完整" in row["message"]
    assert statuses(r, "F10", "总分") == {"unverifiable"}
    assert r.grade == {"self": "无法评级", "recomputed": "无法评级"}
    assert not (r.findings["status"] == "fail").any()


def test_f10_total_is_the_sum_of_scores():
    assert statuses(audit(mof_doc()), "F10") == {"pass"}
    doc = mof_doc()
    doc["self_eval"]["total"] = "90"  # 9 + 90 = 99: the execution score left out
    (row,) = rows(audit(doc), "F10", "总分")
    assert row["status"] == "fail" and "未计入预算执行率得分 9" in row["message"]


def test_f10_total_weight_is_100():
    doc = mof_doc()
    doc["self_eval"]["total_weight"] = "90"
    found = rows(audit(doc), "F10", "分值")
    assert {r["status"] for r in found} == {"fail"}


def test_f11_printed_grade():
    doc = mof_doc()
    doc["self_eval"]["grade"] = "优"
    assert statuses(audit(doc), "F11") == {"pass"}
    doc["self_eval"].update(total="85", grade="优")
    (row,) = rows(audit(doc), "F11")
    assert row["status"] == "fail" and row["expected"] == "良"


def test_c1_covers_the_departments_own_rows():
    doc = mof_doc()
    doc["indicators"][0]["score"] = "35"  # 分值 30
    (row,) = rows(audit(doc), "C1", "培训人次")
    assert row["status"] == "fail" and row["difference"] == D("-5")  # 复核 − 填报


def test_a_shenzhen_file_under_the_mof_rules_is_not_graded(sample):
    from kit.engine.rules import load_rules
    from kit.engine.audit import run_audit

    r = run_audit(sample, None, None, rules=load_rules("mof_selfeval"))
    assert r.misfit and r.grade == {"self": "不予评级", "recomputed": "不予评级"}
    assert statuses(r, "F1") == {"fail"}


# --- reading targets and actuals ---------------------------------------------------------------
@pytest.mark.parametrize("text, kind, cmp_, value, unit", [
    ("≥90%", "number", "≥", "90", "%"), ("≧90%", "number", "≥", "90", "%"), ("2天以内", "number", "≤", "2", "天"),
    ("168起", "number", "", "168", "起"), ("不低于95%", "number", "≥", "95", "%"), ("100%以上", "number", "≥", "100", "%"),
    ("90%-100%", "range", "", "90", "%"), ("有效改善", "text", "", None, ""), ("/", "na", "", None, ""),
    ("", "blank", "", None, ""), ("较上年提高", "vs_last_year", "", None, ""), ("2019年", "date", "", None, ""),
])
def test_read_target(text, kind, cmp_, value, unit):
    t = read_target(text)
    assert (t.kind, t.cmp, t.value, t.unit) == (kind, cmp_, None if value is None else D(value), unit)


@pytest.mark.parametrize("text, kind", [
    ("95%", "number"), ("13台", "number"), ("完成", "text"), ("9O%", "unreadable"), ("IOO%", "unreadable"),
    ("98.82&", "unreadable"), ("95%s", "unreadable"), ("≥80%", "bound"), ("2020年", "date"), ("5km", "number"),
])
def test_read_actual(text, kind):
    assert read_actual(text).kind == kind


def test_agrees_at_printed_precision():
    assert agrees(parse_num("60%"), D("59.58"), "half_up", D("0.01"))[0]
    assert not agrees(parse_num("59.50%"), D("59.58"), "half_up", D("0.01"))[0]
    assert agrees(parse_num("9.28"), D("9.285"), "truncate", D("0.01"))[0]


def test_f3_full_marks_from_a_threshold_rate():
    r = audit(mof_doc(), exec_full_at_pct="90")  # some provinces: full marks at ≥ 90%
    (row,) = rows(r, "F3", "预算执行率得分")
    assert row["status"] == "fail" and row["expected"] == D("10")  # printed 9 = 10 × 90%, the rule gives 10
    assert score(r, "预算执行率")["recomputed_score"] == D("10.00")
    assert statuses(audit(mof_doc()), "F3", "预算执行率得分") == {"pass"}  # default: proportional only


@pytest.mark.parametrize("text, value", [("95.5%.", "95.5"), ("1,200人", "1200"), ("95%（抽样）", "95"), ("已完成100%", "100")])
def test_read_actual_benign_punctuation_is_not_garbage(text, value):
    a = read_actual(text)
    assert a.kind == "number" and a.value == D(value)

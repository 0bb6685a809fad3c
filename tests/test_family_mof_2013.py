"""The MOF-2013 framework family (投入 / 过程 / 产出 / 效果): printed weights count, framework ratios
re-run from printed inputs, group sums, step values of the printed 评分标准, and the real form
../shared/forms/wanglu_jichushuju_2018.txt (cut off inside the table)."""
from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal

import pytest

from kit.files.load import load_department
from kit.engine.audit import run_audit
from kit.engine.checks.structure import step_values
from mof_variants import audit, rows, score, statuses

from conftest import ROOT

D = Decimal
WANGLU = ROOT / "data" / "wanglu-jcsj-2018.yaml"


def table_doc() -> dict:
    """A whole, consistent MOF-2013 table of a fictitious city: 投入 20 / 过程 30 / 产出 30 / 效果 20."""
    def row(l1, l2, name, w, s, criteria=""):
        return {"level1": l1, "level2": l2, "level3": name, "weight": w, "description": "", "criteria": criteria,
                "self_score": s}

    return copy.deepcopy({
        "format": "kit-dept/1",
        "family": "mof_2013",
        "department": {"name": "测试市某局（虚构）", "code": "test-2013", "year": 2019},
        "profile": {"counts": {"authorized_posts": "50", "on_staff": "48"}},
        "funds": {"rows": [{"source": "部门整体支出", "initial": "1000", "adjusted": "1050", "actual": "1050"}]},
        "supplementary": {"three_public_budget": "9万元", "three_public_prior_budget": "10万元"},
        "score_groups": [
            {"level": "1", "name": "投入", "weight": "20", "self_score": "20"},
            {"level": "2", "parent": "投入", "name": "预算配置", "weight": "20", "self_score": "20"},
            {"level": "1", "name": "过程", "weight": "30", "self_score": "26"},
            {"level": "1", "name": "产出", "weight": "30", "self_score": "30"},
            {"level": "1", "name": "效果", "weight": "20", "self_score": "18"},
        ],
        "scores": [
            row("投入", "预算配置", "在职人员控制率", "10", "10", "≤100%计10分，每超过一个百分点扣0.5分，扣完为止"),
            row("投入", "预算配置", "“三公经费”变动率", "10", "10", "≤0计10分，每超过一个百分点扣1分，扣完为止"),
            row("过程", "预算执行", "预算调整率", "8", "6", "=0计8分；0-10%(含)计6分；10-20%(含)计4分；20-30%(含)计2分；大于30%不得分"),
            row("过程", "预算管理", "管理制度健全性", "12", "10"),
            row("过程", "资产管理", "资产管理安全性", "10", "10"),
            row("产出", "职责履行", "实际完成率", "30", "30"),
            row("效果", "履职效益", "社会公众或服务对象满意度", "20", "18"),
        ],
        "self_eval": {"total": "94", "total_weight": "100"},
    })


def variant_rules(tmp_path, edit):
    """The family's rule file copied with an edit, loaded by path."""
    from kit.engine.rules import load_rules

    src = ROOT / "kit" / "families" / "mof_2013" / "rules.yaml"
    dst = tmp_path / "city.yaml"
    dst.write_text(edit(src.read_text(encoding="utf-8")), encoding="utf-8")
    return load_rules(dst)


def test_consistent_table_passes():
    r = audit(table_doc())
    f = r.findings
    bad = f[(f["status"] == "fail") & (f["severity"] != "info")]  # info: 万元 converted (E4)
    assert bad.empty, bad[["check_id", "subject", "message"]].to_string()
    assert r.totals["self"] == D("94") and r.grade == {"self": "优", "recomputed": "优"}
    # printed weights are the weights: 7 rows, Σ 100, none dropped from the totals
    assert len(r.scores) == 7 and sum(r.scores["weight"], D(0)) == D(100)
    # the framework ratios were re-run from the printed inputs
    assert score(r, "在职人员控制率")["basis"] == "exact"  # 48 ÷ 50 = 96% ≤ 100%
    assert score(r, "“三公经费”变动率")["recomputed_score"] == D("10.00")  # (9 − 10) ÷ 10 = −10% ≤ 0
    assert score(r, "预算调整率")["recomputed_score"] == D("6.00")  # 50 ÷ 1000 = 5% → 6 (0-10%)
    assert score(r, "管理制度健全性")["basis"] == "judgement"


def test_framework_ratio_rescored_against_the_rule_file_bands():
    doc = table_doc()
    doc["scores"][2]["self_score"] = "8"  # 5% adjusted: the bands give 6
    doc["score_groups"][2]["self_score"] = "28"
    doc["self_eval"]["total"] = "96"
    (row,) = rows(audit(doc), "F14", "预算调整率")
    assert row["status"] == "fail" and row["expected"] == D("6.00") and row["actual"] == D("8")


def test_a_city_variant_rule_file_changes_the_bands(tmp_path):
    doc = table_doc()
    doc["scores"][2]["self_score"] = "8"
    rules = variant_rules(tmp_path, lambda t: t.replace('{le: "10", score: "6"}', '{le: "10", score: "8"}')
                          .replace("name: mof_2013", "name: test_city_2019"))
    r = audit(doc, rules=rules)
    assert statuses(r, "F14", "预算调整率") == {"pass"} and r.rules.name == "test_city_2019"


def test_staff_over_establishment_is_deducted_per_point():
    doc = table_doc()
    doc["profile"]["counts"]["on_staff"] = "53"  # 106% → 6 points over × 0.5 = 3
    r = audit(doc)
    (row,) = rows(r, "F14", "在职人员控制率")
    assert row["status"] == "fail" and row["expected"] == D("7.00")
    assert score(r, "在职人员控制率")["recomputed_score"] == D("7.00")


@pytest.mark.parametrize("mode, expected", [("proportional", "8.85"), ("full_steps", "9.00"), ("started_steps", "8.50")])
def test_deduction_steps_option(mode, expected):
    doc = table_doc()
    doc["profile"]["counts"]["on_staff"] = "51.15"  # 102.3%: 2.3 points over, 0.5 a point
    doc["profile"]["counts"]["authorized_posts"] = "50"
    r = audit(doc, deduction_steps=mode)
    assert score(r, "在职人员控制率")["recomputed_score"] == D(expected)


def test_missing_inputs_are_listed_not_guessed():
    doc = table_doc()
    del doc["supplementary"]["three_public_prior_budget"]
    r = audit(doc)
    assert score(r, "“三公经费”变动率")["basis"] == "unverifiable"
    assert "three_public_prior_budget" in set(r.missing_inputs["input"])
    assert "上年“三公”经费预算数" in " ".join(r.missing_inputs["label"])


def test_f12_group_sums():
    assert statuses(audit(table_doc()), "F12") == {"pass"}
    doc = table_doc()
    doc["score_groups"][2]["weight"] = "35"  # 过程: 10 + 10 + 10 = 30
    (row,) = rows(audit(doc), "F12", "过程（一级）分值")
    assert row["status"] == "fail" and row["actual"] == D("30") and row["expected"] == D("35")
    doc = table_doc()
    doc["score_groups"][1]["self_score"] = "18"  # 预算配置 scores 10 + 10
    (row,) = rows(audit(doc), "F12", "预算配置（二级）得分")
    assert row["status"] == "fail"


def test_f13_step_values_of_the_printed_criteria():
    assert step_values("≤100%计10分，每超过一个百分点扣0.5分，扣完为止", D(10))[:3] == [D(0), D("0.5"), D(1)]
    assert step_values("=0计8分；0-10%(含)计6分；大于30%不得分", D(8)) == [D(0), D(6), D(8)]
    assert step_values("根据制度情况酌情评分", D(5)) is None
    doc = table_doc()
    doc["scores"][2]["self_score"] = "5"  # 预算调整率 allows 8, 6, 4, 2, 0
    (row,) = rows(audit(doc), "F13", "预算调整率")
    assert row["status"] == "fail" and row["expected"] == "0、2、4、6、8"


def test_f10_total_is_the_sum_of_rows():
    doc = table_doc()
    doc["self_eval"]["total"] = "98"
    (row,) = rows(audit(doc), "F10", "总分")
    assert row["status"] == "fail" and row["expected"] == D("94")


def test_weights_not_fixed_by_the_rule_file_are_the_printed_ones():
    doc = table_doc()
    doc["scores"][5].update(weight="25", self_score="25")  # 实际完成率 25 instead of 30
    r = audit(doc)
    assert score(r, "实际完成率")["weight"] == D(25)
    (row,) = rows(r, "F10", "分值合计")
    assert row["status"] == "fail" and row["actual"] == D(95)


# --- the real form ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def wanglu():
    return run_audit(load_department(WANGLU))


def pct(a: str, b: str) -> Decimal:
    return (D(a) / D(b) * 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)


def test_wanglu_staff_control_reproduced(wanglu):
    assert pct("136", "143") == D("95.10")  # printed in the 基础数据表 and the 指标说明
    (row,) = rows(wanglu, "F14", "在职人员控制率")
    assert row["status"] == "pass" and "95.10%" in row["message"]
    assert score(wanglu, "在职人员控制率")["recomputed_score"] == D("8.00")


def test_wanglu_three_public_change_reproduced(wanglu):
    change = ((D("63.46") - D("32")) / D("32") * 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert change == D("98.31")  # the 指标说明's own computation
    (row,) = rows(wanglu, "F14", "三公经费")
    assert row["status"] == "pass" and "98.31%" in row["message"]
    assert score(wanglu, "“三公经费”变动率")["recomputed_score"] == D("0.00")  # 98 points over × 0.8 > 8


def test_wanglu_budget_control_recomputed_where_the_score_was_cut_off(wanglu):
    rate = pct("767.86", "1922.76")
    assert rate == D("39.94") and D("2690.62") - D("1922.76") == D("767.86")  # the 基础数据表 agrees with the 指标说明
    (row,) = rows(wanglu, "F14", "预算调整率")
    assert row["status"] == "unverifiable" and "表格截断" in row["message"] and row["expected"] == D("0.00")


def test_wanglu_budget_completion_needs_the_completed_amount(wanglu):
    (row,) = rows(wanglu, "F14", "预算完成率")
    assert row["status"] == "unverifiable" and "funds.total.actual" in row["missing"]


def test_wanglu_groups_and_steps(wanglu):
    assert statuses(wanglu, "F12", "投入（一级）分值") == {"pass"}      # 16 = 预算配置 16
    assert statuses(wanglu, "F12", "预算配置（二级）分值") == {"pass"}  # 8 + 8
    assert statuses(wanglu, "F12", "过程（一级）分值") == {"unverifiable"}  # 58: the rest is beyond the page
    assert statuses(wanglu, "F13") == {"pass"}  # 8 (≤100%), 0 (扣完为止), 8 (100% 计满分)


def test_wanglu_truncated_table_raises_no_false_error(wanglu):
    f = wanglu.findings
    errors = f[(f["status"] == "fail") & (f["severity"] != "info")]
    assert errors.empty, errors[["check_id", "subject", "message"]].to_string()
    assert statuses(wanglu, "F10", "总分") == {"unverifiable"}
    assert wanglu.grade == {"self": "无法评级", "recomputed": "无法评级"}
    assert wanglu.totals["self"] == D("8") + D("0") + D("8")  # what is printed, never a guess for the cut row

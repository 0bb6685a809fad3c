"""The rule file and the validation of params options and overrides."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kit.core.errors import ParamsError
from kit.files.load import open_path
from kit.engine.rules import RulesError, load_rules, validate_options, validate_overrides

D = Decimal


def test_shenzhen_rule_file():
    r = load_rules("shenzhen_2022")
    assert len(r.indicators) == 21
    assert sum(i.weight for i in r.indicators) == D(100)
    assert r.level1_weights == {"部门决策": D(20), "部门管理": D(20), "部门绩效": D(60)}
    assert r.indicator("社会效益、经济效益、生态效益及可持续影响等").weight == D(25)
    assert len(r.sha256) == 64 and r.path.endswith("shenzhen_2022/rules.yaml")
    for name, spec in r.options.items():
        assert spec.doc, f"option {name} has no documentation"


def test_rule_file_errors_are_reported(tmp_path):
    bad = tmp_path / "district.yaml"
    src = load_rules().path
    text = open(src, encoding="utf-8").read().replace('name: 预算编制合理性, weight: "5"', 'name: 预算编制合理性, weight: "6"')
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as e:
        load_rules(bad)
    assert "权重之和" in str(e.value)
    with pytest.raises(RulesError):
        load_rules("no_such_district")


def test_options_validated_with_close_match():
    eff, problems = validate_options({"satisfaction_agregate": "mean"}, load_rules(), "p.yaml")
    assert "satisfaction_aggregate" in problems[0].message
    _, problems = validate_options({"adjustment_measure": "gross"}, load_rules())
    assert "gross_lines" in problems[0].message
    _, problems = validate_options({"grade_bands": {"优": 80, "良": 90, "中": 60}}, load_rules())
    assert problems and problems[0].field == "grade_bands"
    eff, problems = validate_options({"tolerance_amount": "0.5", "cap_quarterly_ratio": False}, load_rules())
    assert not problems and eff["tolerance_amount"] == D("0.5") and eff["cap_quarterly_ratio"] is False


def test_overrides_validated():
    rules = load_rules()
    ok, problems = validate_overrides([{"indicator": "编外人员控制率", "score": "0.5", "reason": "补充资料显示编外 6%"}], rules)
    assert not problems and ok[0].indicator == "contract_staff_control" and ok[0].score == D("0.5")
    _, problems = validate_overrides([{"indicator": "编外人员控制", "score": "0.5", "reason": "x"}], rules)
    assert "编外人员控制率" in problems[0].message
    _, problems = validate_overrides([{"indicator": "编外人员控制率", "score": "0.5"}], rules)
    assert problems[0].field == "reason"
    _, problems = validate_overrides([{"indicator": "编外人员控制率", "score": "2", "reason": "x"}], rules)
    assert problems[0].field == "score" and "0 至 1" in problems[0].expected


def test_load_params_rejects_bad_option_naming_file_and_option(sample_copy):
    p, _ = sample_copy(params={"data:": "options:\n  satisfaction_agregate: mean\ndata:"})
    with pytest.raises(ParamsError) as e:
        open_path(p)  # checked against the data file's family rules
    (problem,) = e.value.problems
    assert problem.file == str(p) and problem.field == "satisfaction_agregate"
    assert "satisfaction_aggregate" in problem.message and problem.line == 5


def test_load_params_rejects_override_without_reason(sample_copy):
    p, _ = sample_copy(params={"data:": "overrides:\n  - {indicator: 项目监管, score: 1}\ndata:"})
    with pytest.raises(ParamsError) as e:
        open_path(p)
    assert e.value.problems[0].field == "reason" and "理由" in str(e.value)


def test_params_options_reach_the_audit(sample_copy):
    from kit.engine.audit import audit_path

    p, _ = sample_copy(params={"data:": "options:\n  grade_bands: {优: 97.5, 良: 80, 中: 60}\ndata:"})
    r = audit_path(p)
    assert r.options["grade_bands"]["优"] == D("97.5") and r.grade["self"] == "良"

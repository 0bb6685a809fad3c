"""One declaration per check: title, category, severity, 整改建议 and roles in one place, read by
the audit, the report, the workbook and the JSON; re-score checks made and titled from the rule file."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kit.engine.audit import run_audit
from kit.engine.checks import REGISTRY, all_checks, checks_for, declared, title_of
from kit.families import get_family
from kit.model import build_department
from kit.report.advice import advice
from kit.engine.rules import load_rules, rules_for
from audit_variants import audit, rows, sample_doc

from conftest import ROOT

SHENZHEN_RULES = ROOT / "kit" / "families" / "shenzhen_2022" / "rules.yaml"


def test_every_declared_check_has_its_own_request():
    for c in REGISTRY:
        text = advice({"check_id": c.id, "status": "fail", "severity": c.severity, "subject": "某项"})
        assert text == c.advice.format(subject="某项") and text != "请核实并说明。", c.id
        assert "{" not in text, c.id


def test_f_findings_ask_for_something_in_the_forms_terms():
    f4 = advice({"check_id": "F4", "status": "fail", "severity": "error", "subject": "年度资金总额"})
    assert "资金来源" in f4 and "年度资金总额" in f4
    f5 = advice({"check_id": "F5", "status": "fail", "severity": "warning", "subject": "其中：财政拨款"})
    assert "“其中：财政拨款”全年执行数超过全年预算数" in f5


def test_rescore_checks_are_made_and_titled_from_the_rule_file():
    rules = rules_for("shenzhen_2022")
    made = {c.id: c for c in checks_for(get_family("shenzhen_2022").checks, rules) if c.rescores}
    assert set(made) == {"B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12", "B13", "C3"}
    assert made["B4"].title == "编外人员控制率" and made["C3"].title == "预决算信息公开"
    assert declared("B4") is None and title_of("B4", rules) == "编外人员控制率"
    assert [c.id for c in all_checks(rules)].index("B3") < [c.id for c in all_checks(rules)].index("B14")
    assert {c.id: c.title for c in all_checks()}["B4"] == "编外人员控制率"  # the built-in rule files' too


def test_a_district_rule_file_renames_its_rescore_check(tmp_path):
    text = SHENZHEN_RULES.read_text(encoding="utf-8")
    old = "    name: 编外人员控制率\n"
    assert old in text
    (tmp_path / "district.yaml").write_text(text.replace(old, "    name: 编外聘用人员控制率\n")
                                            .replace("name: shenzhen_2022\n", "name: district_y\n", 1), encoding="utf-8")
    rules = load_rules(tmp_path / "district.yaml")
    result = run_audit(build_department(sample_doc()), None, None, rules=rules)
    b4 = rows(result, "B4")
    assert {r["title"] for r in b4} == {"编外聘用人员控制率"}
    j = result.to_json_dict()
    assert {f["title"] for f in j["findings"] if f["check_id"] == "B4"} == {"编外聘用人员控制率"}


def test_findings_in_json_carry_their_title():
    j = audit().to_json_dict()
    titles = {f["check_id"]: f["title"] for f in j["findings"]}
    assert titles["A1"] == declared("A1").title
    assert titles["B12"] == "公众或服务对象满意度"


def test_public_funds_note_prints_the_rule_files_part_points(tmp_path):
    text = SHENZHEN_RULES.read_text(encoding="utf-8")
    old = '      part_points: "3"\n'
    assert old in text
    (tmp_path / "r.yaml").write_text(text.replace(old, '      part_points: "4"\n'), encoding="utf-8")
    result = run_audit(build_department(sample_doc()), None, None, rules=load_rules(tmp_path / "r.yaml"))
    note = result.scores[result.scores["indicator"] == "公用经费控制率"].iloc[0]["note"]
    assert "满分 4 分" in note and "3 分" not in note


def test_roles_come_from_the_declarations():
    result = audit()
    issues = result.issues(labels="machine")
    fmt = issues[issues["kind"] == "format"]
    assert set(fmt["check_id"]) <= {c.id for c in REGISTRY if c.format_note} and len(fmt)
    a1 = issues[issues["check_id"] == "A1"]
    assert all(a == abs(d) for a, d in zip(a1["amount"], a1["difference"]) if isinstance(d, Decimal))
    pf = result.prose_figures
    assert set(pf[pf["label"].str.endswith("满意度")]["check_id"]) == {"B12"}  # params.figures of the rule file


def test_an_undeclared_unmade_id_is_an_authoring_error():
    with pytest.raises(KeyError, match="Z9"):
        checks_for(["A1", "Z9"], rules_for("shenzhen_2022"))

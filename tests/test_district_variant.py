"""A district variant by data alone: a copied and edited rule file, named in params (`rules: path.yaml`),
changes weights, bands and scores with no code change."""
from __future__ import annotations

from decimal import Decimal

from kit.engine.audit import audit_path
from kit.core.yamlio import dump_yaml
from mof_variants import mof_doc, rows, score

from conftest import ROOT

D = Decimal
RULES = ROOT / "kit" / "families" / "mof_selfeval" / "rules.yaml"


def district_rules(text: str) -> str:
    """The district's edits: 执行率 分值 20 instead of 10, indicators 80, 优 from 95."""
    edits = {
        "name: mof_selfeval\n": "name: district_x_2023\n",
        '    weight: "10"\n    formula: exec_rate': '    weight: "20"\n    formula: exec_rate',
        'weight_total: "90"': 'weight_total: "80"',
        'default: {优: "90", 良: "80", 中: "60"}': 'default: {优: "95", 良: "85", 中: "60"}',
    }
    for old, new in edits.items():
        assert old in text, old  # an edit that matches nothing would prove nothing
        text = text.replace(old, new)
    return text


def write(tmp_path, rules: str | None):
    doc = mof_doc()  # 执行率 90%
    doc["funds"].update(weight="20", score="18")  # the district's form: 20 × 90%
    for ind, (w, s) in zip(doc["indicators"], (("30", "30"), ("30", "30"), ("20", "20"))):
        ind.update(weight=w, score=s)
    doc["self_eval"]["total"] = "98"
    (tmp_path / "data.yaml").write_text(dump_yaml(doc), encoding="utf-8")
    params = 'dept_code: "test-mof"\nfiscal_year: 2023\ndata: data.yaml\n' + (f"rules: {rules}\n" if rules else "")
    (tmp_path / "params.yaml").write_text(params, encoding="utf-8")
    return tmp_path / "params.yaml"


def test_district_rule_file_changes_scores_without_code(tmp_path):
    (tmp_path / "district.yaml").write_text(district_rules(RULES.read_text(encoding="utf-8")), encoding="utf-8")

    national = audit_path(write(tmp_path, None))
    assert national.rules.name == "mof_selfeval"
    assert score(national, "预算执行率")["weight"] == D(10)
    # printed 20, rule 10 (Σ 80 ≠ 90): another variant's form — no score under the national rules, and the
    # built-in rule files whose frame it fits are named
    assert score(national, "预算执行率")["recomputed_score"] is None and national.totals["recomputed"] is None
    assert rows(national, "F3", "预算执行率分值")[0]["status"] == "unverifiable"
    assert rows(national, "F1")[0]["status"] == "fail" and "mof_selfeval_anhui_township" in rows(national, "F1")[0]["message"]

    district = audit_path(write(tmp_path, "district.yaml"))
    assert district.rules.name == "district_x_2023" and district.rules.source == "district.yaml"
    assert score(district, "预算执行率")["weight"] == D(20)
    assert score(district, "预算执行率")["recomputed_score"] == D(20) * D("0.90")
    assert rows(district, "F3", "预算执行率分值")[0]["status"] == "pass"
    assert rows(district, "F9", "分值之和")[0]["status"] == "pass"
    assert district.totals["recomputed"] == D("18.00") + D(80) == D("98.00")
    assert rows(district, "F10", "总分")[0]["status"] == "pass"
    assert district.grade["recomputed"] == "优"  # 98 ≥ 95
    assert district.options["grade_bands"]["优"] == D(95)


def test_district_bands_decide_the_grade(tmp_path):
    text = district_rules(RULES.read_text(encoding="utf-8")).replace('{优: "95", 良: "85"', '{优: "99", 良: "85"')
    (tmp_path / "district.yaml").write_text(text, encoding="utf-8")
    district = audit_path(write(tmp_path, "district.yaml"))
    national = audit_path(write(tmp_path, None))
    assert district.grade["self"] == "良"  # 98 < 99
    # Under the national rules the printed 执行率 分值 20 says the form is another variant: no grade.
    assert national.grade["self"] == "不予评级" and "20" in national.misfit[0]

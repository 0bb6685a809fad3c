"""The audit of the sample form: what a careful reviewer finds, no false failures, the JSON contract."""
from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from kit.engine.audit import FINDING_COLUMNS, audit_path, run_audit

D = Decimal


@pytest.fixture(scope="module")
def result(sample_params_path=None):
    from conftest import SAMPLE_PARAMS

    return audit_path(SAMPLE_PARAMS)


def failed(result) -> set[tuple[str, str]]:
    f = result.findings
    return set(map(tuple, f[f["status"] == "fail"][["check_id", "subject"]].values.tolist()))


def test_totals_and_grade(result):
    assert result.totals["self"] == D("97.00") and result.grade["self"] == "优"
    assert result.totals["recomputed"] == D("96.32") and result.grade["recomputed"] == "优"
    assert result.totals["by_level1"]["部门绩效"] == {"weight": D(60), "self": D("59.00"), "recomputed": D("58.50")}


def test_reviewer_findings_on_the_sample(result):
    fails = failed(result)
    for expected in [
        ("A8", "妇幼健康服务"), ("D7", "离退休经费"), ("A9", "下年预算"),
        ("B3", "财务合规性"), ("B8", "公用经费控制率"), ("B10", "项目完成及时性"), ("C2", "项目完成及时性"),
        ("C4", "社会效益、经济效益、生态效益及可持续影响等"), ("D1", "预算支出执行率"), ("D5", "预算调整原因"),
        ("D4", "项目完成及时性"), ("D4", "社会效益、经济效益、生态效益及可持续影响等"),
        ("D6", "质量：公立医院平均住院日"),
        ("B16", "执行数与调整后预算"), ("B17", "其他"), ("D8", "年度总体目标"), ("D9", "成本：节约成本"),
    ]:
        assert expected in fails, expected


def test_no_false_failures_on_identities(result):
    f = result.findings
    for cid in ("A1", "A2", "A3", "A4", "A5", "A6", "A7", "A10", "D2", "D3", "B4", "B11", "B12", "B13", "C1"):
        assert set(f[f["check_id"] == cid]["status"]) == {"pass"}, cid


def test_proxies_are_warnings_not_errors(result):
    f = result.findings
    proxies = f[f["proxy"]]
    assert set(proxies["check_id"]) >= {"B3", "B8"}
    assert set(proxies["severity"]) <= {"warning", "info"}
    assert all(m.startswith("【替代口径】") for m in proxies["message"])


def test_unverifiable_rows_name_missing_inputs(result):
    f = result.findings
    for cid, key in (("B5", "authorized_posts"), ("B6", "fixed_assets_total"), ("B7", "procurement_plan"),
                     ("B9", "q1_progress"), ("C3", "budget_disclosure")):
        (row,) = f[f["check_id"] == cid].to_dict("records")
        assert row["status"] == "unverifiable" and key in row["missing"], cid
    mi = result.missing_inputs
    assert {"authorized_posts", "three_public_budget", "q4_progress"} <= set(mi["input"])
    assert mi.set_index("input").loc["three_public_budget", "label"] == "“三公”经费预算安排数（元）"


def test_scores_frame(result):
    s = result.scores
    assert len(s) == 21 and list(s.columns[:8]) == ["level1", "level2", "indicator", "weight", "self_score",
                                                     "recomputed_score", "basis", "note"]
    assert s["weight"].dtype == object and isinstance(s["self_score"].iloc[0], Decimal)
    basis = s.set_index("indicator")["basis"]
    assert (basis == "judgement").sum() == 9  # the 8 of domain.md §6.3 plus 效果性 (target-vs-actual via B14/D4)
    assert (basis == "unverifiable").sum() == 5
    assert basis["编外人员控制率"] == "exact" and basis["财务合规性"] == "proxy"


def test_load_findings_become_category_e(result):
    f = result.findings
    e = f[(f["category"] == "E") & (f["status"] == "fail")]
    assert {"#####", "98.82&", "Zero", "医院公章"} <= set(e["actual"])


def test_prose_figures_cross_checked(result):
    pf = result.prose_figures
    nxt = pf[pf["label"] == "下年预算"].iloc[0]
    assert nxt["value"] == D("1950040000") and nxt["check_id"] == "A9" and nxt["status"] == "fail"
    assert set(pf[pf["label"] == "科室数"]["status"]) == {"pass"}
    assert pf[pf["label"] == "事业收入预算"].iloc[0]["status"] == "not_compared"


def test_findings_frame_shape(result):
    f = result.findings
    assert list(f.columns) == FINDING_COLUMNS
    assert set(f["status"]) <= {"pass", "fail", "unverifiable"}
    assert set(f["severity"]) <= {"error", "warning", "info"}
    assert set(f["category"]) == {"A", "B", "C", "D", "E", "F"}
    issues = result.issues(labels="machine")
    assert (issues["status"] != "pass").all()
    # Problems first, the largest effect on the score first: B8 公用经费控制率 (−1 分).
    assert issues.iloc[0]["check_id"] == "B8" and issues.iloc[0]["score_effect"] == Decimal("1")


def test_json_contract(result):
    j = result.to_json_dict()
    assert set(j) == {"department", "family", "rules", "fits_family", "graded", "no_grade_reason", "fitting_rules",
                      "findings", "scores", "totals", "grade", "missing_inputs", "review"}
    assert j["review"]["counts"]["pending"] == 27 and j["review"]["orphans"] == []
    assert j["family"]["id"] == "shenzhen_2022" and j["fits_family"] is True
    assert j["rules"] == {"name": "shenzhen_2022", "source": "kit/families/shenzhen_2022/rules.yaml"}
    assert j["department"] == {"code": "022006", "name": "深圳市龙岗中心医院", "year": 2022}
    for f in j["findings"]:
        base = {"check_id", "category", "title", "severity", "status", "subject", "message", "expected", "actual", "key"}
        assert set(f) == (base if f["status"] == "pass" else base | {"decision"})
        assert f["status"] == "pass" or f["decision"] == "pending"
        assert all(isinstance(f[k], str) for k in ("check_id", "category", "title", "severity", "status", "subject", "message"))
        assert f["expected"] is None or isinstance(f["expected"], str)
        assert f["actual"] is None or isinstance(f["actual"], str)
    assert len(j["scores"]) == 21
    for s in j["scores"]:
        assert set(s) == {"level1", "level2", "indicator", "weight", "self_score", "recomputed_score", "basis", "note"}
        assert isinstance(s["weight"], str) and isinstance(s["recomputed_score"], str)
        assert s["basis"] in {"exact", "proxy", "judgement", "unverifiable", "override"}
    assert j["totals"] == {"self": "97.00", "recomputed": "96.32"}
    assert j["grade"] == {"self": "优", "recomputed": "优"}
    for m in j["missing_inputs"]:
        assert set(m) == {"input", "needed_by"} and isinstance(m["needed_by"], list)
    json.dumps(j, ensure_ascii=False)  # serialisable as is


def test_run_audit_on_a_data_file_without_params(sample):
    r = run_audit(sample)
    assert r.params is None and r.options["adjustment_measure"] == "net"
    assert isinstance(r.findings, pd.DataFrame) and r.rules.name == "shenzhen_2022"


def test_explicit_options_are_validated(sample):
    from kit.core.errors import ParamsError

    with pytest.raises(ParamsError) as e:
        run_audit(sample, options={"satisfaction_aggregate": "median"})
    assert "min" in str(e.value)

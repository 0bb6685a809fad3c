"""Per family: `kit check --rules`, `kit template --family`, the workbook round trip, `kit synth
--family` with planted problems, and a batch mixing families."""
from __future__ import annotations

import json
from decimal import Decimal

import openpyxl
import pytest

from kit.engine.audit import audit_path
from kit.commands.cli import main
from kit.files.load import load_department
from kit.model import same_content
from kit.commands.synth import write_family_synthetic
from kit.files.xlsxio import ALL_SHEETS, read_workbook, write_template, write_workbook

from conftest import ROOT

D = Decimal
DATA = ROOT / "data"
MOF_FORMS = ["tcslj-fy-2022", "qsfgj-gz-2023", "dysfj-ak-2023", "dysfj-prev-2023", "sy-taibai-2021", "tc-tanghu-2020",
             "ezczj-gmfw-2019", "ezczj-zwgl-2019", "wanglu-jcsj-2018"]


# --- kit check --rules ----------------------------------------------------------------------------
def test_check_rules_by_name(capsys):
    data = DATA / "tcslj-fy-2022.yaml"
    assert main(["check", str(data), "--rules", "mof_selfeval_anhui", "--format", "json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["rules"] == {"name": "mof_selfeval_anhui", "source": "kit/families/mof_selfeval/mof_selfeval_anhui.yaml"}
    assert j["family"]["id"] == "mof_selfeval" and j["fits_family"] is True
    assert any(f["check_id"] == "F9" and f["subject"] == "产出指标分值" and f["status"] == "pass" for f in j["findings"])


def test_check_rules_by_path_and_the_table(tmp_path, capsys):
    rules = tmp_path / "county.yaml"
    text = (ROOT / "kit" / "families" / "mof_selfeval" / "rules.yaml").read_text(encoding="utf-8")
    text = text.replace("name: mof_selfeval\n", "name: county_2019\n").replace('weight_total: "90"', 'weight_total: "100"')
    rules.write_text(text.replace('total: "100"', 'total: "110"', 1), encoding="utf-8")  # a county scoring out of 110
    assert main(["check", str(DATA / "ezczj-gmfw-2019.yaml"), "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert "（county_2019）" in out and "“购买第三方服务”项目支出绩效自评复核" in out
    assert "年度资金总额：年初预算数 287万元；全年预算数 287万元；全年执行数 171万元" in out
    assert "F9" not in out.split("问题清单", 1)[1]  # Σ 100 is this county's rule
    assert "按表内分值" in out.split("评分复核", 1)[1].split("问题清单", 1)[0]  # the department's own rows


def test_check_rules_of_another_family_says_misfit_and_no_grade(sample_params_path, capsys):
    assert main(["check", str(sample_params_path), "--rules", "mof_selfeval", "--format", "json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["fits_family"] is False and j["grade"] == {"self": "不予评级", "recomputed": "不予评级"}
    (f1,) = [f for f in j["findings"] if f["check_id"] == "F1"]
    assert f1["status"] == "fail" and "本表与所选模板不符" in f1["message"]


def test_check_unknown_rules_is_a_plain_error(capsys):
    assert main(["check", str(DATA / "tcslj-fy-2022.yaml"), "--rules", "mof_selfevl"]) == 2
    err = capsys.readouterr().err
    assert "找不到规则文件" in err and "mof_selfeval" in err and "Traceback" not in err


# --- kit template --family ------------------------------------------------------------------------
def test_shenzhen_template_unchanged(tmp_path):
    write_template(tmp_path / "a.xlsx")
    write_template(tmp_path / "b.xlsx", "shenzhen_2022")
    a, b = openpyxl.load_workbook(tmp_path / "a.xlsx"), openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert a.sheetnames == b.sheetnames == list(ALL_SHEETS)
    for name in a.sheetnames:
        assert [[c.value for c in r] for r in a[name].iter_rows()] == [[c.value for c in r] for r in b[name].iter_rows()]
    assert "模板类型" not in [c.value for c in a["基本信息"]["A"]]


def test_mof_selfeval_template_has_the_family_blocks_and_prefills(tmp_path):
    path = tmp_path / "mof.xlsx"
    assert main(["template", str(path), "--family", "mof_selfeval"]) == 0
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["填表说明", "基本信息", "年度预算执行情况", "年度总体目标完成情况", "年度绩效指标完成情况",
                             "评分表分组", "自评结果", "补充资料", "无归属文字"]
    funds = wb["年度预算执行情况"]
    assert (funds["A1"].value, funds["B1"].value) == ("分值", "10")  # the rule file's 执行率 weight
    assert [funds.cell(row=r, column=1).value for r in range(6, 10)] == ["年度资金总额", "其中：财政拨款", "上年结转资金", "其他资金"]
    headers = [c.value for c in wb["年度绩效指标完成情况"][1]]
    assert headers[:5] == ["一级指标", "二级指标", "三级指标", "指标值", "实际完成指标值"] and "得分系数" in headers
    info = {wb["基本信息"].cell(row=r, column=1).value: wb["基本信息"].cell(row=r, column=2).value for r in range(2, 12)}
    assert info["模板类型"] == "mof_selfeval" and "实施单位" in info


def test_mof_2013_template_prefills_the_framework_rows(tmp_path):
    path = tmp_path / "m.xlsx"
    write_template(path, "mof_2013")
    ws = openpyxl.load_workbook(path)["评分表"]
    names = [ws.cell(row=r, column=3).value for r in range(2, 10)]
    assert names[:4] == ["在职人员控制率", "“三公经费”变动率", "预算完成率", "预算调整率"]
    assert ws.cell(row=2, column=4).value is None  # the weight is the city's printed one


def test_filled_mof_template_loads_as_its_family(tmp_path):
    path = tmp_path / "mof.xlsx"
    write_template(path, "mof_selfeval")
    wb = openpyxl.load_workbook(path)
    info = wb["基本信息"]
    for r in range(2, 12):
        label = info.cell(row=r, column=1).value
        info.cell(row=r, column=2).value = {"部门名称": "某县某局", "部门编码": "x-1", "年度": "2023",
                                            "金额单位": "万元"}.get(label, info.cell(row=r, column=2).value)
    funds = wb["年度预算执行情况"]
    funds["B3"] = "100.00%"
    funds["B2"] = "10"
    for col, v in zip("BCD", ("50", "50", "50")):
        funds[f"{col}6"] = v
    ind = wb["年度绩效指标完成情况"]
    for col, v in zip("ABCDEH", ("产出指标", "数量指标", "培训人次", "≥100人次", "120人次", "90")):
        ind[f"{col}2"] = v
    ind["I2"] = 90  # typed as a number: read exactly
    wb.save(path)
    dept = read_workbook(path)
    assert dept.family == "mof_selfeval" and dept.header.unit == "万元"
    assert dept.funds.total.actual.value == D(50) and dept.indicators[0].score.raw == "90"
    r = audit_path(path)
    assert r.totals["self"] == D(100) and r.grade["self"] == "优"


@pytest.mark.parametrize("name", MOF_FORMS)
def test_yaml_xlsx_yaml_round_trip(tmp_path, name):
    dept = load_department(DATA / f"{name}.yaml")
    write_workbook(dept, tmp_path / "d.xlsx")
    back = read_workbook(tmp_path / "d.xlsx")
    assert same_content(dept, back) and back.family == dept.family and back.incomplete == dept.incomplete


def test_round_trip_via_cli(tmp_path):
    src = DATA / "ezczj-zwgl-2019.yaml"
    assert main(["convert", str(src), str(tmp_path / "e.xlsx")]) == 0
    assert main(["convert", str(tmp_path / "e.xlsx"), str(tmp_path / "e.yaml")]) == 0
    assert same_content(load_department(src), load_department(tmp_path / "e.yaml"))


# --- kit synth --family ---------------------------------------------------------------------------
@pytest.mark.parametrize("family, plants", [
    # Σ分值 95 beside the rule's 90 is another frame: F1 says so (no grade); 超编 is also G4's
    ("mof_selfeval", {"F3": {"F3"}, "F4": {"F4"}, "F8": {"F8"}, "F9": {"F9", "F10", "F1"}, "F10": {"F10"}}),
    ("mof_2013", {"F14": {"F14", "G4"}, "F12": {"F12"}, "F10": {"F10"}, "F13": {"F13"}, "C1": {"C1"}}),
])
def test_synth_plants_are_found_and_clean_departments_are_clean(tmp_path, family, plants):
    rows = write_family_synthetic(family, len(plants), tmp_path / "p", seed=5, planted_share=1.0)
    rows += write_family_synthetic(family, 4, tmp_path / "c", seed=6, planted_share=0.0)
    recorded = json.loads((tmp_path / "p" / "planted.json").read_text(encoding="utf-8"))
    assert {r["plant"] for r in recorded} == set(plants) and all(r["family"] == family for r in recorded)
    for row in rows:
        folder = tmp_path / ("p" if row["plant"] else "c")
        r = audit_path(folder / "params" / f"{row['dept_code']}.yaml")
        f = r.findings
        failing = set(f[(f["status"] == "fail") & (f["severity"] != "info") & (f["check_id"] != "C5")]["check_id"])
        assert failing == (plants[row["plant"]] if row["plant"] else set()), (row, failing)
        assert r.family.id == family and bool(r.misfit) == (row["plant"] == "F9")


def test_synth_cli_family(tmp_path, capsys):
    assert main(["synth", "3", "--out", str(tmp_path), "--family", "mof_selfeval", "--seed", "1"]) == 0
    assert len(list((tmp_path / "params").glob("*.yaml"))) == 3
    assert main(["synth", "1", "--out", str(tmp_path / "x"), "--family", "nosuch"]) == 2


# --- a batch mixing families ------------------------------------------------------------------------
@pytest.mark.kernel
def test_mixed_family_batch(tmp_path):
    params = tmp_path / "params"
    params.mkdir()
    sample = ROOT / "params" / "022006.yaml"
    (params / "022006.yaml").write_text(sample.read_text(encoding="utf-8").replace("../data/", f"{ROOT / 'data'}/"),
                                        encoding="utf-8")
    for src in ("tcslj-fy", "tc-tanghu"):
        text = (ROOT / "tests" / "assets" / "params" / f"{src}.yaml").read_text(encoding="utf-8")
        (params / f"{src}.yaml").write_text(text.replace("../../../data/", f"{ROOT / 'data'}/"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["render", str(params), "--out", str(out), "-j", "2", "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows = {r["dept_code"]: r for r in manifest["departments"]}
    assert set(rows) == {"022006", "tcslj-fy", "tc-tanghu"} and {r["status"] for r in rows.values()} == {"ok"}
    assert rows["tcslj-fy"]["self_total"] == "100" and rows["022006"]["self_total"] == "97.00"
    index = (out / "index.html").read_text(encoding="utf-8")
    for code in rows:
        assert f'href="{rows[code]["report"]}"' in index
    page = (out / "tcslj-fy.html").read_text(encoding="utf-8")
    # the report follows the family's blocks: the funds block and the indicators with 分值/得分, no empty budget table
    assert "年度预算执行情况（万元）" in page
    # sections of blocks the family does not have are left out (and out of the table of contents)
    assert "年度主要任务" not in page and "预算调整分析" not in page
    assert "部门预算总表（元）" not in page and "UserWarning" not in page
    assert "部门预算总表（元）" in (out / "022006.html").read_text(encoding="utf-8")
    # each page names the form it reviews: the printed title, or the family's name for it
    assert "项目支出绩效自评表（2022年度）复核报告" in page
    assert "部门整体支出绩效自评表复核报告" in (out / "022006.html").read_text(encoding="utf-8")

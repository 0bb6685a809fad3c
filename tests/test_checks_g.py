"""The printed identities (G1–G9, kit/engine/checks/printed.py) on every form: a passing and a failing case each,
the sums a text states (kit.engine.prose.stated_sums), the generic family (no grade) and the detection block."""
from __future__ import annotations

from decimal import Decimal

from kit.engine.audit import run_audit
from kit.model import build_department, same_content, to_document
from kit.engine.prose import stated_sums
from mof_variants import audit, build, mof_doc, statuses

D = Decimal


def fails(result, check_id: str) -> list[dict]:
    f = result.findings
    return f[(f["check_id"] == check_id) & (f["status"] == "fail")].to_dict("records")


# --- G1 a total printed 0 or blank beside filled parts --------------------------------------------------
def test_g1_total_row_printed_zero_beside_a_filled_part():
    doc = mof_doc()
    doc["funds"]["rows"][0]["adjusted"] = "0"
    (row,) = [r for r in fails(audit(doc), "G1") if "全年预算数" in r["subject"]]
    assert row["severity"] == "error" and row["actual"] == D(0) and row["expected"] == D("80.00") + D("20.00")
    assert "其中：财政拨款 80.00万元" in row["message"] and "其他资金 20.00万元" in row["message"]
    assert not fails(audit(mof_doc()), "G1")


def test_g1_total_blank_beside_parts_is_a_warning_and_a_cut_page_is_not():
    doc = mof_doc()
    doc["funds"]["rows"][0]["actual"] = ""
    (row,) = [r for r in fails(audit(doc), "G1") if "全年执行数" in r["subject"]]
    assert row["severity"] == "warning" and "空白" in row["message"]
    doc["incomplete"] = ["funds"]
    assert not fails(audit(doc), "G1")


# --- G2 a budget adjusted beyond the threshold with no reason ---------------------------------------------
def test_g2_adjustment_with_no_reason_and_with_one():
    doc = mof_doc()
    doc["funds"]["rows"][0]["initial"] = "90.00"  # 90 → 100: +11.11%
    (row,) = fails(audit(doc), "G2")
    assert row["severity"] == "warning" and "+11.11%" in row["message"] and "没有说明" in row["message"]
    doc["funds"]["reason"] = "年中追加培训经费 10 万元（某文件）"
    assert statuses(audit(doc), "G2") == {"pass"}
    doc["funds"]["reason"] = "年中发生预算调整的(追加或调减),应单独说明理由(100字以内)"  # the template's prompt
    (row,) = fails(audit(doc), "G2")
    assert "填写说明" in row["message"]


def test_g2_small_adjustment_passes():
    doc = mof_doc()
    doc["funds"]["rows"][0]["initial"] = "97.00"  # +3.09% ≤ 5%
    assert statuses(audit(doc), "G2") == {"pass"}


# --- G3 carry-over absent at the start of the year -------------------------------------------------------
def test_g3_carry_over_added_in_the_year():
    doc = mof_doc()
    doc["funds"]["rows"][2]["source"] = "上年结转资金"
    doc["funds"]["rows"][2]["initial"] = "0"
    doc["funds"]["rows"][1]["initial"] = "100.00"
    (row,) = fails(audit(doc), "G3")
    assert row["severity"] == "warning" and row["expected"] == D("20.00") and row["actual"] == D(0)
    doc["funds"]["rows"][2]["initial"] = "20.00"
    doc["funds"]["rows"][1]["initial"] = "80.00"
    assert statuses(audit(doc), "G3") == {"pass"}


# --- G4 staff against 编制 -----------------------------------------------------------------------------
def generic(**blocks) -> dict:
    return {"format": "kit-dept/1", "family": "generic", "department": {"name": "某单位（虚构）", "code": "g", "year": 2021},
            **blocks}


def test_g4_staff_over_posts_and_within():
    r = run_audit(build(generic(profile={"counts": {"authorized_posts": "128", "actual_staff": "185"}})))
    (row,) = fails(r, "G4")
    assert row["difference"] == D(57) and "144.53%" in row["message"]
    r = run_audit(build(generic(profile={"counts": {"authorized_posts": "143", "on_staff": "136"}})))
    assert statuses(r, "G4") == {"pass"}


# --- G5 the sums a text states ---------------------------------------------------------------------------
def test_stated_sums_amounts_and_counts():
    (a,) = stated_sums("1、本年共发生“三保支出”145.25万元,其中行政运行基本支出及在编人员工资109.25万元,劳务派遣人员工资36.00万元。")
    assert a.kind == "amount" and a.total == D("1452500.00") and [v for _, v in a.parts] == [D("1092500.00"), D("360000.00")]
    (c,) = stated_sums("实有人数78人,其中在职51人,退休26人;2021年完成3项")
    assert c.total == 78 and [v for _, v in c.parts] == [51, 26]
    assert stated_sums("2021年共完成5个项目。") == []  # no 其中: no stated parts
    # a sentence opening with 其中 lists the parts of the number that ends the one before (南县 2020)
    (n,) = stated_sums("现有编制人员205人。其中,局机关在职113人、离休2人、退休75人、财政事务中心10人,国库集中支付中心5人。")
    assert n.total == 205 and sum(v for _, v in n.parts) == 113 + 2 + 75 + 10 + 5 == 205 and "205人。其中" in n.sentence
    assert stated_sums("支出共计24.86万元。主要用于培训。其中培训费10万元。") == []  # the sentence before has no number
    (b,) = stated_sums("年末实有人数78人（在职51人、退休26人），编制80人。")  # parts in brackets; 80人 is not one
    assert b.total == 78 and [v for _, v in b.parts] == [51, 26]
    assert stated_sums("项目支出100万元(含设备费60万元)。") == []  # one part in brackets: not a breakdown
    assert stated_sums("共21个,其中2021年完成") == []  # a year is never a part


def test_g5_a_stated_total_its_parts_miss():
    doc = mof_doc()
    doc["goals"]["actual"] = "共支出24.86万元,其中培训费10.00万元,资料费14.78万元。"
    (row,) = fails(audit(doc), "G5")
    assert row["severity"] == "warning" and row["difference"] == D("-800.00")  # 元: 24.78 − 24.86 万元
    assert "24.86万元" in row["message"] and "24.78万元" in row["message"] and "少于总数" in row["message"]
    doc["goals"]["actual"] = "实有人数78人,其中在职51人,退休28人。"
    (row,) = fails(audit(doc), "G5")
    assert row["severity"] == "error" and row["difference"] == D(1) and "超过总数" in row["message"]
    doc["goals"]["actual"] = "实有人数78人,其中在职51人,退休27人。"
    assert statuses(audit(doc), "G5") == {"pass"}
    doc["goals"]["actual"] = "实有人数78人（在职51人、退休26人）。"  # 在职 51 + 退休 26 against 实有 78
    (row,) = fails(audit(doc), "G5")
    assert row["severity"] == "warning" and row["difference"] == D(-1) and "51人 + 26人 = 77人" in row["message"]


# --- G6 the report's date -----------------------------------------------------------------------------
def test_g6_dated_before_the_year_could_close():
    r = run_audit(build(generic(header={"date": "2021年12月31日"})))
    (row,) = fails(r, "G6")
    assert "2021年12月31日" in row["message"]
    assert statuses(run_audit(build(generic(header={"date": "2022.5.18"}))), "G6") == {"pass"}


# --- G7 the execution score under the printed weight (no family rule) ----------------------------------------
def test_g7_printed_weight_times_rate_on_a_form_of_no_template():
    funds = {"weight": "10", "rate": "86%", "score": "9",
             "rows": [{"source": "年度资金总额", "initial": "43.2", "adjusted": "43.2", "actual": "37.24"}]}
    (row,) = fails(run_audit(build(generic(funds=funds))), "G7")
    assert row["severity"] == "warning" and "8.62 → 9" in row["message"]
    funds.update(rate="60%", score="6", rows=[{"source": "年度资金总额", "adjusted": "287", "actual": "171"}])
    assert statuses(run_audit(build(generic(funds=funds))), "G7") == {"pass"}  # 10 × 60% = 6
    funds.update(score="8")
    (row,) = fails(run_audit(build(generic(funds=funds))), "G7")
    assert row["severity"] == "error"


# --- G8, G9 words where words belong ------------------------------------------------------------------
def test_g8_template_prompt_left_in_a_cell_and_g9_a_number_for_a_reason():
    doc = mof_doc()
    doc["self_eval"]["conclusion"] = "结合自评情况,说明项目自评总分,说明项目实施取得的成效或成果。(200字以内)"
    doc["indicators"][0]["deviation"] = "0"
    r = audit(doc)
    (row,) = fails(r, "G8")
    assert row["subject"] == "自评结果·评价结论"
    (row,) = fails(r, "G9")
    assert row["subject"] == "培训人次" and "“0”" in row["message"]
    assert not fails(audit(mof_doc()), "G8") and not fails(audit(mof_doc()), "G9")


# --- the generic family: identities, no grade; detection; free narrative keys ------------------------------
def test_generic_form_gets_identities_and_no_grade_naming_the_nearest():
    doc = mof_doc()
    doc["family"] = "generic"
    doc["detection"] = {"chosen": "generic", "reason": "执行率分值印为 20 分", "nearest": "mof_selfeval",
                        "tried": [{"family": "mof_selfeval", "fits": False, "why": "执行率分值印为 20 分，该模板为 10 分"}]}
    doc["narrative"] = {"sections": [{"key": "s1", "part": "", "title": "一、基本情况", "text": "共3人,其中在职2人,退休1人。"}]}
    dept = build(doc)
    r = run_audit(dept)
    assert r.grade == {"self": "未评级", "recomputed": "未评级"} and r.totals["recomputed"] is None and not r.graded
    reason = r.no_grade_reason()
    assert reason.startswith("未评级：本表不属于已知评分模板") and "mof_selfeval" in reason and "该模板为 10 分" in reason
    assert statuses(r, "F4") == {"pass"} and statuses(r, "F2") == {"pass"} and statuses(r, "G5") == {"pass"}
    assert r.scores["recomputed_score"].isna().all()
    back = build_department(to_document(dept), required=())
    assert same_content(dept, back) and back.detection == dept.detection and back.narrative.sections[0].key == "s1"


def test_an_empty_data_file_of_no_template_is_not_graded_poor():
    r = run_audit(build(generic()))
    assert "差" not in r.grade.values() and r.totals["recomputed"] is None


def test_a_weight_sum_off_the_rules_is_not_graded():
    doc = mof_doc()
    for ind in doc["indicators"]:
        ind.update(weight="35", score="35")  # Σ 105 beside 10: 115 under a printed 100
    doc["self_eval"]["total"] = "114"
    r = audit(doc)
    assert r.grade["recomputed"] == "不予评级" and r.totals["recomputed"] is None and "105" in r.misfit[0]
    assert statuses(r, "F10", "分值合计") == {"fail"}  # the printed identity still reported


def test_a_data_file_without_its_score_table_is_never_graded():
    """The sample's data with the 评分表 left out (a narrative written as a data file): not 差 from the
    indicators the engine can compute without it, no recomputed total; a cut table before its first row: 无法评级."""
    from conftest import ROOT
    from kit.core.yamlio import parse_yaml

    doc = parse_yaml((ROOT / "data" / "022006-2022.yaml").read_text(encoding="utf-8"), "sample")
    doc.pop("scores")
    r = run_audit(build_department(doc))
    assert r.grade == {"self": "未评级", "recomputed": "未评级"} and r.totals["recomputed"] is None and not r.graded
    assert "没有可复核的分数" in r.no_grade_reason()
    doc["incomplete"] = ["scores"]
    r = run_audit(build_department(doc))
    assert r.grade["recomputed"] == "无法评级" and r.totals["recomputed"] is None


def test_f2_on_a_form_of_no_template_uses_the_budget_column_it_prints():
    funds = {"rows": [{"source": "年度资金总额", "initial": "1172.55", "actual": "1268.72", "rate": "108.20%"}]}
    r = run_audit(build(generic(funds=funds)))  # no 调整后 column (Guizhou-like): the rate is on 年初预算数
    assert statuses(r, "F2") == {"pass"}
    funds["rows"][0]["rate"] = "100.00%"
    assert statuses(r := run_audit(build(generic(funds=funds))), "F2") == {"fail"} and "108.2" in str(
        r.findings[r.findings["check_id"] == "F2"].iloc[0]["message"])


def test_the_new_families_are_data_alone():
    """hubei_project and hunan_dept: two YAML files each, named by no module of the kit; a Hubei project form
    and the Anhui township 部门整体 form (same columns, no 项目实施单位) are told apart by their printed words."""
    from conftest import ROOT
    from kit.families import detect_family

    for fid in ("hubei_project", "hunan_dept", "generic"):
        folder = ROOT / "kit" / "families" / fid
        assert sorted(p.name for p in folder.iterdir()) == ["family.yaml", "rules.yaml"]
        if fid != "generic":  # generic is the fallback family kit.families names (as it names the default one)
            assert not [p for p in (ROOT / "kit").rglob("*.py") if fid in p.read_text(encoding="utf-8")]
    forms = ROOT / "tests" / "assets" / "forms"
    text = lambda name: "".join((forms / name).read_text(encoding="utf-8").split())  # noqa: E731
    assert detect_family(text("hubei-huangshi_zhujianju-haimian_2022.txt"))[0].id == "hubei_project"
    assert detect_family(text("hunan-yiyang-datonghuqu_shenjiju_2022.txt"))[0].id == "hunan_dept"
    assert detect_family(text("tianchang_tanghu_2020.txt"))[0].id == "mof_selfeval"


def test_a_form_with_no_score_table_is_never_called_completely_reviewed():
    """A form whose score table was not printed (or not read) is re-scored nowhere: its status says so,
    and the conclusion states no coverage of scores (no "评分表共 0 项…合计 0 分得到复核")."""
    from pathlib import Path

    from kit.files.load import load_department
    from kit.report.summary import conclusion, headline

    data = Path(__file__).resolve().parent.parent / "data" / "hunan-yiyang-shenjiju-2022.yaml"
    audit = run_audit(load_department(data))
    assert not audit.graded
    line = headline(audit)
    assert line["status_label"] == "未评分：只核对数据关系" and line["review_status"] == "unscored"
    text = conclusion(audit)
    assert "只核对表上印出的勾稽关系" in text and "评分表共 0 项" not in text and "已完成复核" not in text
